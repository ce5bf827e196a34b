//! Risk-of-bias judgements in a study file, and the tools they follow.
//!
//! Randomised trials are judged with Cochrane's RoB 2 (Sterne et al. 2019, BMJ 366:l4898),
//! non-randomised comparative studies with ROBINS-I (Sterne et al. 2016, BMJ 355:i4919).
//! Studies neither tool fits (a case report, an uncontrolled registry) are marked
//! `not-assessed` with a reason, so a reader never mistakes a missing judgement for a
//! good one. Domains and levels are written as words in the file and checked here against
//! the tool, so a typo is a `file:line` error rather than a silent gap.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::model::Design;

/// The `[risk-of-bias]` table of a study file: the curator's judgements.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RiskOfBias {
    /// Which tool the judgements follow.
    pub tool: Spanned<RobTool>,
    /// The result(s) the assessment covers (RoB 2 judges a result, not a study).
    #[serde(default)]
    pub applies_to: Option<String>,
    /// Why the study was not assessed (tool `not-assessed` only).
    #[serde(default)]
    pub reason: Option<String>,
    /// One judgement per domain of the tool, plus `overall`.
    #[serde(default)]
    pub judgements: Vec<DomainJudgement>,
}

/// Risk-of-bias tools evbrief knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RobTool {
    /// Cochrane RoB 2, for randomised trials.
    Rob2,
    /// ROBINS-I, for non-randomised studies of interventions.
    RobinsI,
    /// No tool applies; `reason` says why.
    NotAssessed,
}

/// One domain's judgement with the sentence that supports it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DomainJudgement {
    /// Domain key, e.g. `randomisation` or `overall`.
    pub domain: Spanned<String>,
    /// Level as the tool names it, e.g. `some-concerns` (RoB 2) or `serious` (ROBINS-I).
    pub judgement: Spanned<String>,
    /// Why: what in the report led to the judgement.
    pub support: String,
}

/// A domain of a tool: its key in files, its short code in figures and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainDef {
    /// Key used in study files.
    pub key: &'static str,
    /// Code used as a figure column header ("D1").
    pub code: &'static str,
    /// Full name, as the tool's guidance words it.
    pub name: &'static str,
}

/// Every level either tool uses, ordered from least to most severe where comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RobLevel {
    /// Low risk of bias (both tools).
    Low,
    /// RoB 2: some concerns.
    SomeConcerns,
    /// ROBINS-I: moderate.
    Moderate,
    /// RoB 2: high.
    High,
    /// ROBINS-I: serious.
    Serious,
    /// ROBINS-I: critical.
    Critical,
    /// ROBINS-I: no information.
    NoInformation,
}

impl RobLevel {
    /// Rank for "at least as severe" comparisons; `None` for no information, which ranks
    /// with nothing.
    pub fn severity(self) -> Option<u8> {
        match self {
            RobLevel::Low => Some(0),
            RobLevel::SomeConcerns | RobLevel::Moderate => Some(1),
            RobLevel::High | RobLevel::Serious => Some(2),
            RobLevel::Critical => Some(3),
            RobLevel::NoInformation => None,
        }
    }

    /// The level in words, as the tool's guidance names it ("Some concerns").
    pub fn label(self) -> &'static str {
        match self {
            RobLevel::Low => "Low",
            RobLevel::SomeConcerns => "Some concerns",
            RobLevel::Moderate => "Moderate",
            RobLevel::High => "High",
            RobLevel::Serious => "Serious",
            RobLevel::Critical => "Critical",
            RobLevel::NoInformation => "No information",
        }
    }
}

const ROB2_DOMAINS: &[DomainDef] = &[
    DomainDef {
        key: "randomisation",
        code: "D1",
        name: "Bias arising from the randomisation process",
    },
    DomainDef {
        key: "deviations",
        code: "D2",
        name: "Bias due to deviations from intended interventions",
    },
    DomainDef {
        key: "missing-data",
        code: "D3",
        name: "Bias due to missing outcome data",
    },
    DomainDef {
        key: "measurement",
        code: "D4",
        name: "Bias in measurement of the outcome",
    },
    DomainDef {
        key: "reporting",
        code: "D5",
        name: "Bias in selection of the reported result",
    },
];

const ROBINS_I_DOMAINS: &[DomainDef] = &[
    DomainDef {
        key: "confounding",
        code: "D1",
        name: "Bias due to confounding",
    },
    DomainDef {
        key: "selection",
        code: "D2",
        name: "Bias in selection of participants into the study",
    },
    DomainDef {
        key: "classification",
        code: "D3",
        name: "Bias in classification of interventions",
    },
    DomainDef {
        key: "deviations",
        code: "D4",
        name: "Bias due to deviations from intended interventions",
    },
    DomainDef {
        key: "missing-data",
        code: "D5",
        name: "Bias due to missing data",
    },
    DomainDef {
        key: "measurement",
        code: "D6",
        name: "Bias in measurement of outcomes",
    },
    DomainDef {
        key: "reporting",
        code: "D7",
        name: "Bias in selection of the reported result",
    },
];

/// The key of the overall judgement, which every assessed study needs.
pub const OVERALL: &str = "overall";

impl RobTool {
    /// The tool's name as readers know it.
    pub fn name(self) -> &'static str {
        match self {
            RobTool::Rob2 => "RoB 2",
            RobTool::RobinsI => "ROBINS-I",
            RobTool::NotAssessed => "not assessed",
        }
    }

    /// The tool's bias domains in their published order (without `overall`).
    pub fn domains(self) -> &'static [DomainDef] {
        match self {
            RobTool::Rob2 => ROB2_DOMAINS,
            RobTool::RobinsI => ROBINS_I_DOMAINS,
            RobTool::NotAssessed => &[],
        }
    }

    /// The levels the tool allows, with their file keys, least severe first.
    pub fn levels(self) -> &'static [(&'static str, RobLevel)] {
        match self {
            RobTool::Rob2 => &[
                ("low", RobLevel::Low),
                ("some-concerns", RobLevel::SomeConcerns),
                ("high", RobLevel::High),
            ],
            RobTool::RobinsI => &[
                ("low", RobLevel::Low),
                ("moderate", RobLevel::Moderate),
                ("serious", RobLevel::Serious),
                ("critical", RobLevel::Critical),
                ("no-information", RobLevel::NoInformation),
            ],
            RobTool::NotAssessed => &[],
        }
    }

    /// Parses a level written in a study file, for this tool.
    pub fn level(self, key: &str) -> Option<RobLevel> {
        self.levels()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, level)| *level)
    }

    /// Whether the tool is meant for studies of this design.
    fn fits(self, design: Design) -> bool {
        match self {
            RobTool::Rob2 => design == Design::Rct,
            // An uncontrolled registry can still be judged as a before–after comparison.
            RobTool::RobinsI => {
                matches!(design, Design::NonRandomisedControlled | Design::Registry)
            }
            RobTool::NotAssessed => true,
        }
    }
}

/// A study's judgements resolved against its tool: one level per domain in the tool's
/// order, then the overall level.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedRob {
    /// The tool.
    pub tool: RobTool,
    /// `(domain, level, support)` in the tool's domain order.
    pub domains: Vec<(DomainDef, RobLevel, String)>,
    /// Overall level and its support.
    pub overall: (RobLevel, String),
}

impl RiskOfBias {
    /// The judgements in the tool's order, or `None` when not assessed or incomplete
    /// (validation has then reported why).
    pub fn resolve(&self) -> Option<ResolvedRob> {
        let tool = *self.tool.get_ref();
        if tool == RobTool::NotAssessed {
            return None;
        }
        let find = |key: &str| {
            self.judgements
                .iter()
                .find(|j| j.domain.get_ref() == key)
                .and_then(|j| Some((tool.level(j.judgement.get_ref())?, j.support.clone())))
        };
        let domains = tool
            .domains()
            .iter()
            .map(|d| find(d.key).map(|(level, support)| (*d, level, support)))
            .collect::<Option<Vec<_>>>()?;
        Some(ResolvedRob {
            tool,
            domains,
            overall: find(OVERALL)?,
        })
    }

    /// Every problem with these judgements for a study of `design`, as `(span, message)`.
    pub fn problems(&self, design: Design) -> Vec<(std::ops::Range<usize>, String)> {
        let mut out = Vec::new();
        let tool = *self.tool.get_ref();
        let tool_span = self.tool.span();
        if !tool.fits(design) {
            out.push((
                tool_span.clone(),
                format!(
                    "{} is not meant for a study of design `{}` (use {})",
                    tool.name(),
                    design_key(design),
                    match design {
                        Design::Rct => "\"rob2\"",
                        Design::NonRandomisedControlled | Design::Registry => "\"robins-i\"",
                        Design::CaseReport => "\"not-assessed\" with a reason",
                    }
                ),
            ));
        }
        if tool == RobTool::NotAssessed {
            if self.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                out.push((
                    tool_span.clone(),
                    "a study that is not assessed needs a `reason`".to_owned(),
                ));
            }
            if let Some(j) = self.judgements.first() {
                out.push((
                    j.domain.span(),
                    "judgements need a tool (\"rob2\" or \"robins-i\"), not \"not-assessed\""
                        .to_owned(),
                ));
            }
            return out;
        }
        let keys: Vec<&str> = tool
            .domains()
            .iter()
            .map(|d| d.key)
            .chain([OVERALL])
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        let mut worst: Option<(u8, &str)> = None;
        for j in &self.judgements {
            let key = j.domain.get_ref().as_str();
            if !keys.contains(&key) {
                out.push((
                    j.domain.span(),
                    format!(
                        "unknown {} domain `{key}` (expected one of {})",
                        tool.name(),
                        keys.join(", ")
                    ),
                ));
            } else if seen.contains(&key) {
                out.push((j.domain.span(), format!("domain `{key}` is judged twice")));
            } else {
                seen.push(key);
            }
            match tool.level(j.judgement.get_ref()) {
                None => out.push((
                    j.judgement.span(),
                    format!(
                        "unknown {} judgement `{}` (expected one of {})",
                        tool.name(),
                        j.judgement.get_ref(),
                        tool.levels()
                            .iter()
                            .map(|(k, _)| *k)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
                Some(level) if key != OVERALL => {
                    if let Some(s) = level.severity()
                        && worst.is_none_or(|(w, _)| s > w)
                    {
                        worst = Some((s, key));
                    }
                }
                Some(_) => {}
            }
            if j.support.trim().is_empty() {
                out.push((
                    j.judgement.span(),
                    "every judgement needs a `support` sentence".to_owned(),
                ));
            }
        }
        let missing: Vec<&str> = keys.iter().copied().filter(|k| !seen.contains(k)).collect();
        if !missing.is_empty() {
            out.push((
                tool_span,
                format!(
                    "{} judgements missing for: {}",
                    tool.name(),
                    missing.join(", ")
                ),
            ));
        }
        // Both tools' guidance: the overall judgement is at least as severe as the most
        // severe domain (RoB 2 guidance, Sterne 2019 table 2; ROBINS-I, Sterne 2016 table 3).
        if let (Some(overall), Some((w, domain))) = (
            self.judgements
                .iter()
                .find(|j| j.domain.get_ref() == OVERALL),
            worst,
        ) && let Some(level) = tool.level(overall.judgement.get_ref())
            && level.severity().is_some_and(|s| s < w)
        {
            out.push((
                overall.judgement.span(),
                format!(
                    "overall judgement `{}` is less severe than domain `{domain}`; the overall risk of bias is at least the worst domain's",
                    overall.judgement.get_ref()
                ),
            ));
        }
        out
    }
}

fn design_key(design: Design) -> &'static str {
    match design {
        Design::Rct => "rct",
        Design::NonRandomisedControlled => "non-randomised-controlled",
        Design::Registry => "registry",
        Design::CaseReport => "case-report",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> RiskOfBias {
        toml::from_str(text).expect("parses")
    }

    fn rob2(overall: &str, d2: &str) -> String {
        format!(
            r#"tool = "rob2"
[[judgements]]
domain = "randomisation"
judgement = "low"
support = "Computer-generated sequence."
[[judgements]]
domain = "deviations"
judgement = "{d2}"
support = "Open label."
[[judgements]]
domain = "missing-data"
judgement = "low"
support = "All analysed."
[[judgements]]
domain = "measurement"
judgement = "low"
support = "Laboratory outcome."
[[judgements]]
domain = "reporting"
judgement = "low"
support = "Protocol registered."
[[judgements]]
domain = "overall"
judgement = "{overall}"
support = "See domains."
"#
        )
    }

    #[test]
    fn complete_rob2_resolves_in_tool_order() {
        let r = parse(&rob2("some-concerns", "some-concerns"));
        assert!(r.problems(Design::Rct).is_empty());
        let resolved = r.resolve().expect("complete");
        let codes: Vec<&str> = resolved.domains.iter().map(|d| d.0.code).collect();
        assert_eq!(codes, ["D1", "D2", "D3", "D4", "D5"]);
        assert_eq!(resolved.domains[1].1, RobLevel::SomeConcerns);
        assert_eq!(resolved.overall.0, RobLevel::SomeConcerns);
    }

    #[test]
    fn overall_must_be_at_least_the_worst_domain() {
        let r = parse(&rob2("low", "high"));
        let problems = r.problems(Design::Rct);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .1
                .contains("less severe than domain `deviations`")
        );
    }

    #[test]
    fn unknown_domain_and_level_name_the_expected_values() {
        let text = rob2("low", "moderate").replace("\"randomisation\"", "\"blinding\"");
        let problems = parse(&text).problems(Design::Rct);
        let messages: Vec<&str> = problems.iter().map(|p| p.1.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("unknown RoB 2 domain `blinding`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains(
                "unknown RoB 2 judgement `moderate` (expected one of low, some-concerns, high)"
            )),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("judgements missing for: randomisation")),
            "{messages:?}"
        );
        // Spans point into the text at the offending value.
        let span = &problems
            .iter()
            .find(|p| p.1.contains("blinding"))
            .unwrap()
            .0;
        assert_eq!(&text[span.clone()], "\"blinding\"");
    }

    #[test]
    fn tool_must_fit_the_design() {
        let problems = parse(&rob2("low", "low")).problems(Design::NonRandomisedControlled);
        assert!(problems[0].1.contains("RoB 2 is not meant"), "{problems:?}");
        assert!(problems[0].1.contains("\"robins-i\""));
    }

    #[test]
    fn not_assessed_needs_a_reason_and_no_judgements() {
        let r = parse("tool = \"not-assessed\"\n");
        assert_eq!(r.problems(Design::CaseReport).len(), 1);
        assert!(r.resolve().is_none());
        let r = parse("tool = \"not-assessed\"\nreason = \"Single patient.\"\n");
        assert!(r.problems(Design::CaseReport).is_empty());
    }

    #[test]
    fn no_information_does_not_count_as_severe() {
        assert_eq!(RobLevel::NoInformation.severity(), None);
        assert!(RobLevel::Critical.severity() > RobLevel::Serious.severity());
        assert_eq!(
            RobLevel::SomeConcerns.severity(),
            RobLevel::Moderate.severity()
        );
    }
}
