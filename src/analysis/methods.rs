//! The methods a brief names, with their references: the reference list cites every tool,
//! estimator and interval the document names, and only those.
//!
//! The references ship with evbrief (`methods/methods.bib`, keys `method-…`); the view
//! serves the entries of [`methods_named`] to the document as one more bibliography file
//! ([`methods_bib`]) and cites them where the methods are listed.

use serde::Serialize;

use super::Analysed;
use crate::config::{PoolMethod, PoolTest};
use crate::data::Project;
use crate::data::risk_of_bias::RobTool;

/// The built-in BibTeX of method references.
pub const METHODS_BIB: &str = include_str!("methods/methods.bib");

/// A method the brief can name, in the order the methods paragraph lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamedMethod {
    /// Cochrane RoB 2 (Sterne et al. 2019).
    Rob2,
    /// ROBINS-I (Sterne et al. 2016).
    RobinsI,
    /// The GRADE approach (Guyatt et al. 2008).
    Grade,
    /// GRADE's optimal information size for imprecision (Guyatt et al. 2011).
    GradeImprecision,
    /// GRADE plain-language statements (Santesso et al. 2020).
    GradeStatements,
    /// Restricted maximum likelihood τ² (Viechtbauer 2005).
    Reml,
    /// DerSimonian–Laird τ² (DerSimonian and Laird 1986).
    DerSimonianLaird,
    /// Hartung–Knapp intervals (Hartung and Knapp 2001).
    HartungKnapp,
    /// Mantel–Haenszel pooling (Mantel and Haenszel 1959).
    MantelHaenszel,
    /// Newcombe's score interval for a difference of proportions (Newcombe 1998).
    Newcombe,
    /// Exact binomial interval (Clopper and Pearson 1934).
    ClopperPearson,
    /// Rule of three for zero numerators (Hanley and Lippman-Hand 1983).
    RuleOfThree,
    /// Egger's regression test for funnel-plot asymmetry (Egger et al. 1997).
    Egger,
    /// Trim-and-fill (Duval and Tweedie 2000).
    TrimFill,
    /// Contour-enhanced funnel plots (Peters et al. 2008).
    ContourFunnel,
    /// Influence diagnostics (Viechtbauer and Cheung 2010).
    Influence,
}

impl NamedMethod {
    /// Key of its reference in [`METHODS_BIB`].
    pub fn key(self) -> &'static str {
        match self {
            NamedMethod::Rob2 => "method-sterne2019",
            NamedMethod::RobinsI => "method-sterne2016",
            NamedMethod::Grade => "method-guyatt2008",
            NamedMethod::GradeImprecision => "method-guyatt2011",
            NamedMethod::GradeStatements => "method-santesso2020",
            NamedMethod::Reml => "method-viechtbauer2005",
            NamedMethod::DerSimonianLaird => "method-dersimonian1986",
            NamedMethod::HartungKnapp => "method-hartung2001",
            NamedMethod::MantelHaenszel => "method-mantel1959",
            NamedMethod::Newcombe => "method-newcombe1998",
            NamedMethod::ClopperPearson => "method-clopper1934",
            NamedMethod::RuleOfThree => "method-hanley1983",
            NamedMethod::Egger => "method-egger1997",
            NamedMethod::TrimFill => "method-duval2000",
            NamedMethod::ContourFunnel => "method-peters2008",
            NamedMethod::Influence => "method-viechtbauer2010",
        }
    }

    /// Key of its name in the label tables (`method.<key>`).
    pub fn label_key(self) -> &'static str {
        match self {
            NamedMethod::Rob2 => "rob2",
            NamedMethod::RobinsI => "robins-i",
            NamedMethod::Grade => "grade",
            NamedMethod::GradeImprecision => "grade-imprecision",
            NamedMethod::GradeStatements => "grade-statements",
            NamedMethod::Reml => "reml",
            NamedMethod::DerSimonianLaird => "dl",
            NamedMethod::HartungKnapp => "hartung-knapp",
            NamedMethod::MantelHaenszel => "mantel-haenszel",
            NamedMethod::Newcombe => "newcombe",
            NamedMethod::ClopperPearson => "clopper-pearson",
            NamedMethod::RuleOfThree => "rule-of-three",
            NamedMethod::Egger => "egger",
            NamedMethod::TrimFill => "trim-and-fill",
            NamedMethod::ContourFunnel => "contour-funnel",
            NamedMethod::Influence => "influence",
        }
    }

    /// Every method, in listing order.
    pub const ALL: [NamedMethod; 16] = [
        NamedMethod::Rob2,
        NamedMethod::RobinsI,
        NamedMethod::Grade,
        NamedMethod::GradeImprecision,
        NamedMethod::GradeStatements,
        NamedMethod::Reml,
        NamedMethod::DerSimonianLaird,
        NamedMethod::HartungKnapp,
        NamedMethod::MantelHaenszel,
        NamedMethod::Newcombe,
        NamedMethod::ClopperPearson,
        NamedMethod::RuleOfThree,
        NamedMethod::Egger,
        NamedMethod::TrimFill,
        NamedMethod::ContourFunnel,
        NamedMethod::Influence,
    ];
}

/// The methods the brief of `project` names, in listing order: the risk-of-bias tools
/// its studies were judged with, GRADE when it has a summary of findings, the pooling
/// method and test its outcomes are set to (the methods text names them even when only
/// single studies are shown), the safety intervals when any adverse event is recorded, and
/// the small-study and influence methods where those analyses are shown.
pub fn methods_named(project: &Project, analysed: &Analysed) -> Vec<NamedMethod> {
    let mut named = Vec::new();
    let tools = project
        .studies
        .iter()
        .filter_map(|s| s.study.risk_of_bias.as_ref().map(|r| *r.tool.get_ref()));
    for tool in tools {
        match tool {
            RobTool::Rob2 => named.push(NamedMethod::Rob2),
            RobTool::RobinsI => named.push(NamedMethod::RobinsI),
            RobTool::NotAssessed => {}
        }
    }
    if !analysed.summary_of_findings.is_empty() {
        named.push(NamedMethod::Grade);
        named.push(NamedMethod::GradeImprecision);
        if analysed
            .summary_of_findings
            .iter()
            .any(|r| r.statement.is_some())
        {
            named.push(NamedMethod::GradeStatements);
        }
    }
    if !analysed.outcomes.iter().all(|o| o.times.is_empty()) {
        for o in analysed.outcomes.iter().filter(|o| !o.times.is_empty()) {
            match o.settings.method {
                PoolMethod::Reml => named.push(NamedMethod::Reml),
                PoolMethod::DL => named.push(NamedMethod::DerSimonianLaird),
                PoolMethod::MH => named.push(NamedMethod::MantelHaenszel),
                PoolMethod::FE | PoolMethod::PM | PoolMethod::Peto => {}
            }
            if o.settings.test == PoolTest::Knha {
                named.push(NamedMethod::HartungKnapp);
            }
        }
    }
    if !analysed.safety.categories.is_empty() {
        named.extend([
            NamedMethod::ClopperPearson,
            NamedMethod::RuleOfThree,
            NamedMethod::Newcombe,
            NamedMethod::MantelHaenszel,
        ]);
    }
    if !analysed.small_study.is_empty() {
        named.extend([
            NamedMethod::Egger,
            NamedMethod::TrimFill,
            NamedMethod::ContourFunnel,
        ]);
    }
    if !analysed.sensitivity.is_empty() {
        named.push(NamedMethod::Influence);
    }
    named.sort();
    named.dedup();
    named
}

/// The BibTeX entries of `methods`, in the order of [`METHODS_BIB`].
pub fn methods_bib(methods: &[NamedMethod]) -> String {
    let keys: Vec<&str> = methods.iter().map(|m| m.key()).collect();
    METHODS_BIB
        .split("\n@")
        .skip(1)
        .filter(|entry| {
            entry
                .split_once('{')
                .and_then(|(_, rest)| rest.split_once(','))
                .is_some_and(|(key, _)| keys.contains(&key.trim()))
        })
        .map(|entry| format!("@{}\n", entry.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use std::path::Path;

    #[test]
    fn every_method_has_a_parsable_reference() {
        let all = methods_bib(&NamedMethod::ALL);
        let parsed = biblatex::Bibliography::parse(&all).expect("methods.bib parses");
        for m in NamedMethod::ALL {
            let entry = parsed.get(m.key()).unwrap_or_else(|| panic!("{m:?}"));
            assert!(entry.doi().is_ok(), "{m:?} has a DOI");
        }
        assert_eq!(parsed.len(), NamedMethod::ALL.len());
    }

    #[test]
    fn the_bundled_brief_names_its_tools_grade_and_the_safety_intervals() {
        let project =
            crate::data::load_project(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("bundled");
        let analysed = analyse(&project);
        let named = methods_named(&project, &analysed);
        assert_eq!(
            named,
            [
                NamedMethod::Rob2,
                NamedMethod::RobinsI,
                NamedMethod::Grade,
                NamedMethod::GradeImprecision,
                NamedMethod::GradeStatements,
                NamedMethod::Reml,
                NamedMethod::HartungKnapp,
                NamedMethod::MantelHaenszel,
                NamedMethod::Newcombe,
                NamedMethod::ClopperPearson,
                NamedMethod::RuleOfThree,
            ]
        );
        let bib = methods_bib(&named);
        assert!(bib.contains("@article{method-sterne2019,"));
        assert!(!bib.contains("method-dersimonian1986"));
    }
}
