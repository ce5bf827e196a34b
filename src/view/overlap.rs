//! Studies that may share participants, in the brief's words: the pairs listed under
//! "Discrepancies between sources", and the marked footnote on every pooled estimate,
//! forest plot and summary-of-findings row that includes both studies.

use crate::analysis::overlap::{Overlap, Signal, overlaps_among};
use crate::i18n::Labels;

/// The signals of an overlap in the brief's language, joined.
pub fn signals_text(o: &Overlap, labels: &Labels) -> String {
    o.signals
        .iter()
        .map(|s| signal_text(s, labels))
        .collect::<Vec<_>>()
        .join(labels.text("overlap.signal-separator"))
}

/// One signal in the brief's language.
pub fn signal_text(s: &Signal, labels: &Labels) -> String {
    let fields = s.fields();
    let args: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    labels.fill(&format!("overlap.signal.{}", s.key()), &args)
}

/// "Zang 2019 and Zhao 2024: likely the same participants (…)." for the discrepancies.
pub fn pair_text(o: &Overlap, label_of: &dyn Fn(&str) -> String, labels: &Labels) -> String {
    labels.fill(
        "overlap.pair",
        &[
            ("first", &label_of(&o.first)),
            ("second", &label_of(&o.second)),
            (
                "verdict",
                labels.text(&format!("overlap.{}", o.verdict.key())),
            ),
            ("signals", &signals_text(o, labels)),
        ],
    )
}

/// The footnotes for an estimate built from the studies `ids`: one per overlap among
/// them (none when no two of them may share participants).
pub fn notes_for(
    overlaps: &[Overlap],
    ids: &[&str],
    label_of: &dyn Fn(&str) -> String,
    labels: &Labels,
) -> Vec<String> {
    overlaps_among(overlaps, ids)
        .into_iter()
        .map(|o| {
            labels.fill(
                "overlap.note",
                &[
                    ("marker", labels.text("overlap.marker")),
                    ("first", &label_of(&o.first)),
                    ("second", &label_of(&o.second)),
                    (
                        "verdict",
                        labels.text(&format!("overlap.{}", o.verdict.key())),
                    ),
                    ("signals", &signals_text(o, labels)),
                ],
            )
        })
        .collect()
}

/// The marker appended to a marked estimate (" ‡"), empty when no overlap is among `ids`.
pub fn marker_for(overlaps: &[Overlap], ids: &[&str], labels: &Labels) -> String {
    if overlaps_among(overlaps, ids).is_empty() {
        String::new()
    } else {
        format!(" {}", labels.text("overlap.marker"))
    }
}
