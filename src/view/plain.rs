//! The GRADE plain-language statement of a summary-of-findings row, in words of the
//! edition's language (see [`crate::analysis::plain_language`] for the rules).

use super::words::time_label;
use crate::analysis::certainty::{SofEffect, SofResult};
use crate::config::BriefConfig;
use crate::i18n::Labels;

/// The row's statement, e.g. "The evidence is very uncertain about the effect of UC-MSC on
/// fasting plasma glucose at week 20.", or `None` when the row has none. `config` is the
/// edition's localised configuration.
pub fn statement_text(row: &SofResult, config: &BriefConfig, labels: &Labels) -> Option<String> {
    let statement = row.statement?;
    let spec = config.summary_of_findings.get(row.index)?.get_ref();
    let label = match (&spec.label, &spec.outcome) {
        (Some(label), _) => label.clone(),
        (None, Some(id)) => config
            .outcomes
            .iter()
            .map(|o| o.get_ref())
            .find(|o| &o.id == id.get_ref())?
            .label
            .clone(),
        (None, None) => return None,
    };
    let binary = spec.adverse_event.is_some() || matches!(row.effect, SofEffect::Binary { .. });
    let label = lower_first(&label);
    let outcome = if binary {
        labels.fill("plain.binary-subject", &[("outcome", &label)])
    } else {
        label
    };
    let time = spec
        .time
        .as_ref()
        .map(|t| labels.fill("plain.time", &[("time", &time_label(t.get_ref(), labels))]))
        .unwrap_or_default();
    Some(labels.fill(
        &format!("plain.{}", statement.key()),
        &[
            ("intervention", &config.question.intervention_short),
            ("outcome", &outcome),
            ("time", &time),
        ],
    ))
}

/// A label as it reads inside a sentence: the first letter lower-cased unless the first
/// word is an abbreviation or name ("HbA1c", "C-peptide" stay; "Fasting" becomes "fasting").
pub fn lower_first(label: &str) -> String {
    let first_word = label.split_whitespace().next().unwrap_or("");
    let mut chars = first_word.chars();
    let keeps_case = match chars.next() {
        Some(c) if c.is_uppercase() => {
            chars.any(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-')
        }
        _ => true,
    };
    if keeps_case {
        return label.to_owned();
    }
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::i18n::Language;
    use std::path::Path;

    #[test]
    fn labels_keep_the_case_of_abbreviations() {
        assert_eq!(
            lower_first("Fasting plasma glucose"),
            "fasting plasma glucose"
        );
        assert_eq!(lower_first("HbA1c below 7.0%"), "HbA1c below 7.0%");
        assert_eq!(lower_first("C-peptide (fasting)"), "C-peptide (fasting)");
        assert_eq!(
            lower_first("Serious adverse events"),
            "serious adverse events"
        );
        assert_eq!(lower_first("空腹血糖"), "空腹血糖");
    }

    #[test]
    fn bundled_rows_read_as_grade_statements_in_both_languages() {
        let project =
            crate::data::load_project(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("bundled");
        let analysed = analyse(&project);
        let en = project.config.localised(Language::En);
        let texts: Vec<String> = analysed
            .summary_of_findings
            .iter()
            .filter_map(|r| statement_text(r, &en, Language::En.labels()))
            .collect();
        assert_eq!(
            texts,
            [
                "The evidence is very uncertain about the effect of UC-MSC on the proportion of people with HbA1c below 7.0% at week 48.",
                "The evidence is very uncertain about the effect of UC-MSC on fasting plasma glucose at week 20.",
                "The evidence is very uncertain about the effect of UC-MSC on the proportion of people with insulin independence at year 1.",
                "The evidence is very uncertain about the effect of UC-MSC on the proportion of people with serious adverse events.",
                "The evidence is very uncertain about the effect of UC-MSC on the proportion of people with transient fever after infusion.",
            ]
        );
        let zh = project.config.localised(Language::Zh);
        let fpg = statement_text(&analysed.summary_of_findings[1], &zh, Language::Zh.labels());
        assert_eq!(
            fpg.as_deref(),
            Some("UC-MSC对空腹血糖（第 20 周）的影响，证据非常不确定。")
        );
    }
}
