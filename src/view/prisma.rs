//! The study-selection section: the PRISMA 2020 flow diagram's boxes as lines of text (the
//! template draws the boxes and arrows), its alt text, and the table of reports excluded
//! after full-text assessment with their reasons. Numbers come from
//! [`crate::analysis::prisma`]; from the second edition on each number also says how it
//! moved since the previous edition (the living-review variant of the diagram).

use serde::Serialize;

use crate::analysis::prisma::{PrismaCounts, prisma_counts};
use crate::data::Project;
use crate::data::excluded::Stage;
use crate::i18n::Labels;

use super::words::curated;

/// One line in a box of the diagram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowLine {
    /// The text, numbers included ("Databases (n = 12)").
    pub text: String,
    /// 0 for a box's own line, 1 for a line under it (one source, one reason).
    pub level: u8,
}

/// One report excluded after full-text assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedRow {
    /// "Carlsson 2015. Preserved β-cell function … Diabetes."
    pub record: String,
    /// Why, as recorded (its `reasons-zh` translation in the Chinese edition).
    pub reason: String,
    /// The day of the decision, in the language's convention.
    pub date: String,
}

/// The study-selection section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrismaView {
    /// Records identified, per kind of source and per source.
    pub identification: Vec<FlowLine>,
    /// Records removed before screening.
    pub removed: Vec<FlowLine>,
    /// Records screened.
    pub screened: Vec<FlowLine>,
    /// Records excluded on title and abstract, and those awaiting assessment.
    pub excluded: Vec<FlowLine>,
    /// Reports assessed for eligibility.
    pub assessed: Vec<FlowLine>,
    /// Reports excluded after full text, with the count per reason.
    pub reports_excluded: Vec<FlowLine>,
    /// Studies and reports included.
    pub included: Vec<FlowLine>,
    /// The diagram in one paragraph, for readers who cannot see it (PDF alt text).
    pub alt: String,
    /// The note on the numbers' changes since the previous edition, when there was one.
    pub since: Option<String>,
    /// Reports excluded after full-text assessment, by date then key.
    pub excluded_full_text: Vec<ExcludedRow>,
}

/// The section for `project`; `previous` is the previous edition's counts with its date
/// in words, when the previous edition recorded them.
pub fn prisma_view(
    project: &Project,
    previous: Option<(&PrismaCounts, &str)>,
    labels: &Labels,
) -> PrismaView {
    let c = prisma_counts(project);
    // Only a previous edition with other numbers has anything to say.
    let previous = previous.filter(|(p, _)| **p != c);
    let before = previous.map(|(p, _)| p);
    // "12" or "12, 3 new" / "12, 2 fewer" against the previous edition.
    let n = |now: u64, then: Option<u64>| -> String {
        let text = now.to_string();
        match then {
            Some(t) if now > t => labels.fill(
                "prisma.more",
                &[("n", &text), ("d", &(now - t).to_string())],
            ),
            Some(t) if now < t => labels.fill(
                "prisma.fewer",
                &[("n", &text), ("d", &(t - now).to_string())],
            ),
            _ => text,
        }
    };
    let then = |f: &dyn Fn(&PrismaCounts) -> u64| before.map(f);
    let line = |key: &str, value: String, level: u8| FlowLine {
        text: labels.fill(key, &[("n", &value)]),
        level,
    };
    let source_line = |name: &str, value: String| FlowLine {
        text: labels.fill("prisma.source", &[("name", name), ("n", &value)]),
        level: 1,
    };

    let mut identification = vec![FlowLine {
        text: labels.text("prisma.identified").to_owned(),
        level: 0,
    }];
    identification.push(line(
        "prisma.databases",
        n(c.databases_total(), then(&|p| p.databases_total())),
        0,
    ));
    for s in &c.databases {
        let was = then(&|p| {
            p.databases
                .iter()
                .find(|x| x.source == s.source)
                .map_or(0, |x| x.records)
        });
        identification.push(source_line(s.source.display_name(), n(s.records, was)));
    }
    identification.push(line(
        "prisma.registers",
        n(c.registers_total(), then(&|p| p.registers_total())),
        0,
    ));
    for s in &c.registers {
        let was = then(&|p| {
            p.registers
                .iter()
                .find(|x| x.source == s.source)
                .map_or(0, |x| x.records)
        });
        identification.push(source_line(s.source.display_name(), n(s.records, was)));
    }
    identification.push(line(
        "prisma.other-methods",
        n(c.other_methods, then(&|p| p.other_methods)),
        0,
    ));
    let removed = vec![
        FlowLine {
            text: labels.text("prisma.removed").to_owned(),
            level: 0,
        },
        line(
            "prisma.duplicates",
            n(c.duplicates, then(&|p| p.duplicates)),
            1,
        ),
    ];
    let screened = vec![line(
        "prisma.screened",
        n(c.screened, then(&|p| p.screened)),
        0,
    )];
    let excluded = vec![
        line(
            "prisma.excluded",
            n(c.excluded_screening, then(&|p| p.excluded_screening)),
            0,
        ),
        line("prisma.awaiting", n(c.awaiting, then(&|p| p.awaiting)), 0),
    ];
    let assessed = vec![line(
        "prisma.assessed",
        n(c.assessed, then(&|p| p.assessed)),
        0,
    )];
    let reports_key = if c.excluded_full_text.is_empty() {
        "prisma.reports-excluded"
    } else {
        "prisma.reports-excluded-reasons"
    };
    let mut reports_excluded = vec![line(
        reports_key,
        n(
            c.excluded_full_text_total(),
            then(&|p| p.excluded_full_text_total()),
        ),
        0,
    )];
    for r in &c.excluded_full_text {
        let was = then(&|p| p.excluded_for(&r.reason));
        let reason = curated(project, labels, &r.reason, false);
        reports_excluded.push(FlowLine {
            text: labels.fill(
                "prisma.reason",
                &[("reason", &reason), ("n", &n(r.reports, was))],
            ),
            level: 1,
        });
    }
    let included = vec![
        line("prisma.studies", n(c.studies, then(&|p| p.studies)), 0),
        line("prisma.reports", n(c.reports, then(&|p| p.reports)), 0),
    ];
    let alt = labels.fill(
        "prisma.alt",
        &[
            ("databases", &c.databases_total().to_string()),
            ("registers", &c.registers_total().to_string()),
            ("other", &c.other_methods.to_string()),
            ("duplicates", &c.duplicates.to_string()),
            ("screened", &c.screened.to_string()),
            ("excluded", &c.excluded_screening.to_string()),
            ("awaiting", &c.awaiting.to_string()),
            ("assessed", &c.assessed.to_string()),
            (
                "reports-excluded",
                &c.excluded_full_text_total().to_string(),
            ),
            ("studies", &c.studies.to_string()),
            ("reports", &c.reports.to_string()),
        ],
    );
    let mut rows: Vec<_> = project
        .excluded
        .iter()
        .filter(|r| r.stage == Stage::FullText)
        .collect();
    rows.sort_by(|a, b| a.date.cmp(&b.date).then(a.key.cmp(&b.key)));
    let excluded_full_text = rows
        .into_iter()
        .map(|r| ExcludedRow {
            record: record_text(&r.entry),
            reason: curated(project, labels, &r.reason, false),
            date: labels.date(r.date),
        })
        .collect();
    PrismaView {
        identification,
        removed,
        screened,
        excluded,
        assessed,
        reports_excluded,
        included,
        alt,
        since: previous.map(|(_, date)| labels.fill("prisma.since", &[("date", date)])),
        excluded_full_text,
    }
}

/// "Carlsson 2015. Title. Journal." for a bibliography entry.
fn record_text(e: &hayagriva::Entry) -> String {
    let author = e
        .authors()
        .and_then(|a| a.first())
        .map(|p| p.name.clone())
        .unwrap_or_else(|| e.key().to_owned());
    let mut s = match e.date_any() {
        Some(d) => format!("{author} {}", d.year),
        None => author,
    };
    if let Some(t) = e.title() {
        s.push_str(&format!(". {}", t.value.to_string().trim_end_matches('.')));
    }
    if let Some(j) = e.parents().iter().find_map(|p| p.title()) {
        s.push_str(&format!(". {}", j.value));
    }
    s.push('.');
    s
}
