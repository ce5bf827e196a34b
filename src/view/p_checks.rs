//! The p-value checks (`analysis::consistency`) as the brief shows them: one line per
//! printed P that the printed data do not give, under "Discrepancies between sources",
//! and a note with a ‡ beside the value where the comparison is shown. Nothing here
//! changes a number; the words come from the label tables (`view.p-check…`).

use crate::analysis::consistency::{Basis, ComparisonCheck, g};
use crate::config::BriefConfig;
use crate::data::Project;
use crate::i18n::Labels;
use crate::stats::consistency::ALPHA;

use super::findings::{FindingView, finding_view};
use super::words::time_label;

/// The sentence for print `i` of `check` when it is not reproduced; `None` when it is.
pub fn flag_text(
    config: &BriefConfig,
    check: &ComparisonCheck,
    i: usize,
    labels: &Labels,
) -> Option<String> {
    let print = check.prints.get(i)?;
    if print.check.consistent() {
        return None;
    }
    let nearest = &print.check.nearest;
    let range = if nearest.hi > nearest.lo {
        labels.fill(
            "view.p-check-range",
            &[("lo", &g(nearest.lo)), ("hi", &g(nearest.hi))],
        )
    } else {
        String::new()
    };
    let decision = if print.check.decision_error {
        let key = if print.check.printed.significant(ALPHA) == Some(true) {
            "view.p-check-decision-significant"
        } else {
            "view.p-check-decision-not-significant"
        };
        labels.text(key).to_owned()
    } else {
        String::new()
    };
    let supported = match check.supported() {
        Some(j) if j != i => labels.fill(
            "view.p-check-supported",
            &[
                ("printed", check.prints[j].text.trim()),
                ("source", &check.prints[j].place),
            ],
        ),
        _ => String::new(),
    };
    let basis = format!("view.p-check-basis.{}", Basis::of(nearest.test).key());
    let outcome = config
        .outcomes
        .iter()
        .find(|o| o.get_ref().id == check.outcome)
        .map_or(check.outcome.as_str(), |o| o.get_ref().label.as_str());
    let test = labels.text(&format!("view.p-test.{}", nearest.test.key()));
    Some(labels.fill(
        "view.p-check",
        &[
            ("outcome", outcome),
            ("time", &time_label(&check.time, labels)),
            ("printed", print.text.trim()),
            ("basis", labels.text(&basis)),
            ("test", test),
            ("recomputed", &g(nearest.p)),
            ("range", &range),
            ("decision", &decision),
            ("supported", &supported),
        ],
    ))
}

/// The note beside print `i` of a study's comparison `index`, if the checks flag it.
pub fn flag_for(
    config: &BriefConfig,
    checks: &[ComparisonCheck],
    study: &str,
    index: usize,
    i: usize,
    labels: &Labels,
) -> Option<String> {
    let check = checks
        .iter()
        .find(|c| c.study == study && c.index == index)?;
    flag_text(config, check, i, labels)
}

/// One line per flagged print for "Discrepancies between sources", cited to the report
/// the print stands in.
pub fn flag_findings(
    project: &Project,
    config: &BriefConfig,
    checks: &[ComparisonCheck],
    labels: &Labels,
) -> Vec<FindingView> {
    let mut out = Vec::new();
    for c in checks {
        let Some(s) = project
            .studies
            .iter()
            .find(|s| s.study.id.get_ref() == &c.study)
        else {
            continue;
        };
        for i in 0..c.prints.len() {
            if let Some(text) = flag_text(config, c, i, labels) {
                let comparison = &s.study.comparisons[c.index];
                let source = if i == 0 {
                    &comparison.source
                } else {
                    // the i-th print with a p among the conflicts
                    match comparison
                        .conflicts
                        .iter()
                        .filter(|k| k.p.is_some())
                        .nth(i - 1)
                    {
                        Some(k) => &k.source,
                        None => &comparison.source,
                    }
                };
                out.push(finding_view(&s.study, &text, source));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::consistency::check_comparisons;
    use crate::i18n::Language;
    use std::path::Path;

    #[test]
    fn flags_name_both_numbers_the_test_and_the_supported_print_in_both_languages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled data validates");
        let checks = check_comparisons(&project);
        let en = Language::En.labels();
        let config = project.config.localised(Language::En);
        let lines = flag_findings(&project, &config, &checks, en);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0].text,
            "Fasting plasma glucose, week 9: P = 0.007 does not follow from the printed means, \
             SDs and numbers of participants: Student’s t-test gives P = 0.121 (from 0.115 to \
             0.127 allowing for rounding). The printed P is below 0.05; the recomputed one is not."
        );
        assert_eq!(lines[0].cite, "zhao2024");
        assert!(
            lines[1]
                .text
                .ends_with("The data support P = 0.008 (English abstract, Results)."),
            "{}",
            lines[1].text
        );
        assert_eq!(lines[1].source, "Chinese abstract, 结果");
        // the consistent prints have no note
        let zang = project
            .studies
            .iter()
            .find(|s| s.study.id.get_ref() == "zang-plagh-rct")
            .unwrap();
        let week20 = zang
            .study
            .comparisons
            .iter()
            .position(|c| c.time.get_ref() == "week 20" && c.outcome.get_ref() == "fpg")
            .unwrap();
        assert_eq!(
            flag_for(&config, &checks, "zang-plagh-rct", week20, 0, en),
            None
        );
        assert!(flag_for(&config, &checks, "zang-plagh-rct", week20, 1, en).is_some());

        let zh = Language::Zh.labels();
        let config = project.config.localised(Language::Zh);
        let lines = flag_findings(&project, &config, &checks, zh);
        assert!(
            lines[0].text.contains("与原文印出的均数、标准差和例数不符"),
            "{}",
            lines[0].text
        );
        assert!(
            lines[1].text.contains("数据支持 P = 0.008"),
            "{}",
            lines[1].text
        );
    }
}
