//! The audit steps worded from the label tables: English exactly as the engine words them,
//! Chinese without an English word.

use super::{AuditKind, AuditLine};
use crate::i18n::{Language, has_words};
use crate::stats::convert::{PercentEvents, events_from_percentage, sd_from_sem};

fn worded(line: &AuditLine, language: Language) -> String {
    let args: Vec<(&str, &str)> = line
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    language.labels().fill(line.label_key(), &args)
}

fn percent_line(printed: &str, n: u64) -> AuditLine {
    match events_from_percentage(printed, n).unwrap() {
        PercentEvents::Exact { audit, .. } => AuditLine {
            kind: AuditKind::EventsFromPercent,
            text: audit.sentence,
            params: audit.params,
        },
        PercentEvents::Ambiguous { .. } => panic!("ambiguous"),
    }
}

#[test]
fn audit_steps_read_the_same_in_english_and_have_no_english_in_chinese() {
    let sem = sd_from_sem(0.4, 33.0).unwrap();
    let lines = [
        percent_line("25.00", 32),
        percent_line("60.60", 33),
        percent_line("45.45", 33),
        // Two padding zeros: 20/33 = 60.606…% fits "60.600" only when both are dropped.
        percent_line("60.600", 33),
        AuditLine {
            kind: AuditKind::SdFromSem,
            text: sem.audit.sentence,
            params: sem.audit.params,
        },
        AuditLine {
            kind: AuditKind::ZeroCellCorrection,
            text: "1/2 added to all four cells because the study has a zero cell".into(),
            params: vec![("added".into(), "1/2".into())],
        },
    ];
    for line in &lines {
        assert_eq!(
            worded(line, Language::En),
            line.text,
            "{}",
            line.label_key()
        );
        let zh = worded(line, Language::Zh);
        assert!(!zh.contains('{') && !has_words(&zh), "{zh}");
    }
    assert_eq!(
        lines[1].label_key(),
        "audit.events-from-percentage-padded-one"
    );
    assert_eq!(
        lines[3].label_key(),
        "audit.events-from-percentage-padded-many"
    );
}
