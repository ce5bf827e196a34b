//! "What's new since the edition of …": the difference between two edition records.
//!
//! A living brief is re-read by people who read the last one. They want to know which
//! studies and reports arrived, which estimates moved (old → new, with CIs, as the brief
//! prints them) and, above all, whether any conclusion changed. A conclusion here is what
//! a reader takes away from an outcome: which way its confidence interval points and how
//! certain the evidence is. Estimates that move without changing either leave the
//! conclusions as they were, and the section says so.

use serde::Serialize;

use super::studies::format_iso_date;
use super::words::measure_label;
use crate::analysis::record::{EditionRecord, PooledRecord, ReportRecord, Verdict};
use crate::data::model::{Design, ReportRole};
use crate::format::measure_name;
use crate::i18n::{Labels, time_label};
use crate::stats::Measure;

/// The "What's new" section of the brief.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangesView {
    /// The previous edition's name ("2026-11-01").
    pub since_edition: String,
    /// Its date in words ("1 November 2026").
    pub since: String,
    /// Studies now included that were not.
    pub studies_added: Vec<String>,
    /// Studies no longer included.
    pub studies_removed: Vec<String>,
    /// Reports added to studies that were already included.
    pub reports_added: Vec<String>,
    /// Reports no longer attached to a study that is still included.
    pub reports_removed: Vec<String>,
    /// Records that arrived in the inbox.
    pub awaiting_added: Vec<String>,
    /// Records that left the inbox (assessed: included, excluded with a reason, or
    /// deleted).
    pub awaiting_removed: Vec<String>,
    /// Pooled estimates that are new, gone or moved.
    pub estimates: Vec<EstimateChange>,
    /// Summary-of-findings rows whose certainty changed.
    pub certainty: Vec<CertaintyChange>,
    /// Each change of a conclusion in words; empty when none changed.
    pub conclusions: Vec<String>,
    /// True when nothing in the results differs (only the layout, say).
    pub unchanged: bool,
}

/// One outcome and time point whose pooled estimate differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateChange {
    /// "HbA1c, week 48".
    pub outcome: String,
    /// "mean difference".
    pub measure: String,
    /// The previous estimate as printed, or "—" when there was none.
    pub old: String,
    /// The new estimate as printed, or "—" when there is none.
    pub new: String,
    /// Number of studies before and now ("2 → 3 studies").
    pub studies: String,
}

/// One summary-of-findings row whose certainty changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertaintyChange {
    /// The row's label.
    pub outcome: String,
    /// "Very low".
    pub old: String,
    /// "Low".
    pub new: String,
}

/// How the changes are worded: the edition's label table, the arms' short names and the
/// curated texts of the records (outcome, study and summary-of-findings row labels) in the
/// edition's language. The records keep the English; the words are chosen here, so an
/// edition in another language compares the same records and prints its own words.
pub struct ChangeWords<'a> {
    /// The edition's label table (`[changes]`, `[words]`, `[design]` …).
    pub labels: &'a Labels,
    /// The intervention's and the control's short names.
    pub arms: (&'a str, &'a str),
    /// A curated text of a record in the edition's language.
    pub curated: &'a dyn Fn(&str) -> String,
}

impl ChangeWords<'_> {
    fn text(&self, key: &str) -> String {
        self.labels.text(key).to_owned()
    }

    fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.labels.fill(key, args)
    }

    /// A design as recorded ("Randomised controlled trial"), in words, lower case.
    fn design(&self, recorded: &str) -> String {
        Design::ALL
            .into_iter()
            .find(|d| d.label() == recorded)
            .map_or_else(
                || (self.curated)(recorded),
                |d| self.text(&format!("design.{}", d.key())),
            )
            .to_lowercase()
    }

    /// A report role as recorded ("post hoc analysis"), in words.
    fn role(&self, recorded: &str) -> String {
        ReportRole::ALL
            .into_iter()
            .find(|r| r.label() == recorded)
            .map_or_else(
                || (self.curated)(recorded),
                |r| self.text(&format!("report-role.{}", r.key())),
            )
    }

    /// A measure as recorded ("mean difference"), in words.
    fn measure(&self, recorded: &str) -> String {
        Measure::ALL
            .into_iter()
            .find(|m| measure_name(*m) == recorded)
            .map_or_else(
                || (self.curated)(recorded),
                |m| measure_label(m, self.labels).to_owned(),
            )
    }

    /// A certainty level (4 high … 1 very low), in words.
    fn level(&self, level: u8) -> String {
        let key = match level {
            4 => "high",
            3 => "moderate",
            2 => "low",
            _ => "very-low",
        };
        self.text(&format!("sof.level.{key}"))
    }

    fn verdict(&self, v: Verdict) -> String {
        let (intervention, control) = self.arms;
        match v {
            Verdict::FavoursIntervention => self.fill("words.favouring", &[("arm", intervention)]),
            Verdict::FavoursControl => self.fill("words.favouring", &[("arm", control)]),
            Verdict::NoClearDifference => self.text("words.no-difference"),
        }
    }
}

/// The changes from `old` to `new`, worded by `words`.
pub fn changes_between(
    old: &EditionRecord,
    new: &EditionRecord,
    words: &ChangeWords<'_>,
) -> ChangesView {
    let w = words;
    let mut view = ChangesView {
        since_edition: old.edition.clone(),
        since: format_iso_date(&old.date, w.labels).unwrap_or_else(|| old.date.clone()),
        ..ChangesView::default()
    };
    let study = |label: &str| (w.curated)(label);
    for s in &new.studies {
        match old.studies.iter().find(|o| o.id == s.id) {
            None => view.studies_added.push(
                w.fill(
                    "changes.study-added",
                    &[
                        ("study", &study(&s.label)),
                        ("design", &w.design(&s.design)),
                        (
                            "participants",
                            &w.labels
                                .count(s.participants.max(0) as usize, "words.participants"),
                        ),
                    ],
                ),
            ),
            Some(o) => {
                let report = |r: &ReportRecord| {
                    w.fill(
                        "changes.report",
                        &[
                            ("study", &study(&s.label)),
                            ("role", &w.role(&r.role)),
                            ("key", &r.key),
                        ],
                    )
                };
                for r in s.reports.iter().filter(|r| !o.reports.contains(r)) {
                    view.reports_added.push(report(r));
                }
                for r in o.reports.iter().filter(|r| !s.reports.contains(r)) {
                    view.reports_removed.push(report(r));
                }
            }
        }
    }
    for o in old
        .studies
        .iter()
        .filter(|o| !new.studies.iter().any(|s| s.id == o.id))
    {
        view.studies_removed.push(w.fill(
            "changes.study-removed",
            &[
                ("study", &study(&o.label)),
                ("design", &w.design(&o.design)),
            ],
        ));
    }
    for a in new
        .awaiting
        .iter()
        .filter(|a| !old.awaiting.iter().any(|o| o.key == a.key))
    {
        view.awaiting_added.push(match (&a.search, &a.source) {
            (Some(search), Some(source)) => w.fill(
                "changes.found-by-search",
                &[
                    ("record", &a.summary),
                    ("search", search),
                    ("source", source),
                ],
            ),
            _ => a.summary.clone(),
        });
    }
    for a in old
        .awaiting
        .iter()
        .filter(|a| !new.awaiting.iter().any(|n| n.key == a.key))
    {
        let included = new
            .studies
            .iter()
            .find(|s| s.reports.iter().any(|r| r.key == a.key));
        view.awaiting_removed.push(match included {
            Some(s) => w.fill(
                "changes.now-included",
                &[("record", &a.summary), ("study", &study(&s.label))],
            ),
            None => match new.excluded.iter().find(|e| e.key == a.key) {
                Some(e) => w.fill(
                    "changes.now-excluded",
                    &[("record", &a.summary), ("reason", &(w.curated)(&e.reason))],
                ),
                None => w.fill("changes.left-inbox", &[("record", &a.summary)]),
            },
        });
    }
    compare_estimates(old, new, w, &mut view);
    compare_certainty(old, new, w, &mut view);
    view.unchanged = view.studies_added.is_empty()
        && view.studies_removed.is_empty()
        && view.reports_added.is_empty()
        && view.reports_removed.is_empty()
        && view.awaiting_added.is_empty()
        && view.awaiting_removed.is_empty()
        && view.estimates.is_empty()
        && view.certainty.is_empty();
    view
}

/// One line for the console: "1 study added, 2 estimates moved; no change in conclusions".
pub fn summary_line(c: &ChangesView) -> String {
    if c.unchanged {
        return format!("no change in results since {}", c.since_edition);
    }
    let count = |n: usize, one: &str, many: &str, what: &str| -> Option<String> {
        (n > 0).then(|| format!("{n} {} {what}", if n == 1 { one } else { many }))
    };
    let parts: Vec<String> = [
        count(c.studies_added.len(), "study", "studies", "added"),
        count(c.studies_removed.len(), "study", "studies", "removed"),
        count(c.reports_added.len(), "report", "reports", "added"),
        count(c.reports_removed.len(), "report", "reports", "removed"),
        count(c.awaiting_added.len(), "record", "records", "in the inbox"),
        count(c.awaiting_removed.len(), "record", "records", "assessed"),
        count(c.estimates.len(), "estimate", "estimates", "changed"),
        count(
            c.certainty.len(),
            "certainty rating",
            "certainty ratings",
            "changed",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let conclusions = if c.conclusions.is_empty() {
        "no change in conclusions".to_owned()
    } else {
        format!(
            "{} {} changed",
            c.conclusions.len(),
            if c.conclusions.len() == 1 {
                "conclusion"
            } else {
                "conclusions"
            }
        )
    };
    format!(
        "since {}: {}; {conclusions}",
        c.since_edition,
        parts.join(", ")
    )
}

/// Every outcome and time point of either record, in the new record's order, then the
/// ones only the old record had.
fn compare_estimates(
    old: &EditionRecord,
    new: &EditionRecord,
    w: &ChangeWords<'_>,
    view: &mut ChangesView,
) {
    let mut keys: Vec<(String, String, String, String)> = Vec::new();
    for rec in [new, old] {
        for o in &rec.outcomes {
            for t in &o.times {
                let key = (o.id.clone(), t.time.clone());
                if !keys
                    .iter()
                    .any(|k| (k.0.as_str(), k.1.as_str()) == (&key.0, &key.1))
                {
                    keys.push((key.0, key.1, o.label.clone(), o.measure.clone()));
                }
            }
        }
    }
    let find = |rec: &EditionRecord, id: &str, time: &str| {
        rec.outcomes
            .iter()
            .find(|o| o.id == id)
            .and_then(|o| o.times.iter().find(|t| t.time == time))
            .map(|t| (t.studies.len(), t.pooled.clone()))
    };
    for (id, time, label, measure) in keys {
        let before = find(old, &id, &time);
        let after = find(new, &id, &time);
        let (old_k, old_p) = before.clone().unwrap_or((0, None));
        let (new_k, new_p) = after.clone().unwrap_or((0, None));
        let same_measure = old
            .outcomes
            .iter()
            .find(|o| o.id == id)
            .is_none_or(|o| o.measure == measure);
        let moved = match (&old_p, &new_p) {
            (Some(a), Some(b)) => a.text != b.text || !same_measure,
            (None, None) => false,
            _ => true,
        };
        if !moved && old_k == new_k {
            continue;
        }
        let outcome = w.fill(
            "changes.outcome-time",
            &[
                ("outcome", &(w.curated)(&label)),
                ("time", &time_label(&time, w.labels)),
            ],
        );
        let show =
            |p: &Option<PooledRecord>| p.as_ref().map_or("—".to_owned(), |p| p.text.clone());
        let studies = w.labels.count(new_k, "words.studies");
        view.estimates.push(EstimateChange {
            outcome: outcome.clone(),
            measure: w.measure(&measure),
            old: show(&old_p),
            new: show(&new_p),
            studies: if old_k == new_k {
                studies
            } else {
                w.fill(
                    "changes.studies-moved",
                    &[("old", &old_k.to_string()), ("new", &studies)],
                )
            },
        });
        let verdict = |p: &Option<PooledRecord>| p.as_ref().map(|p| p.verdict);
        match (verdict(&old_p), verdict(&new_p)) {
            (Some(a), Some(b)) if a != b => view.conclusions.push(w.fill(
                "changes.verdict-changed",
                &[
                    ("outcome", &outcome),
                    ("new", &w.verdict(b)),
                    ("old", &w.verdict(a)),
                ],
            )),
            (None, Some(b)) => view.conclusions.push(w.fill(
                "changes.first-estimate",
                &[("outcome", &outcome), ("verdict", &w.verdict(b))],
            )),
            (Some(_), None) => view
                .conclusions
                .push(w.fill("changes.no-longer-estimable", &[("outcome", &outcome)])),
            _ => {}
        }
    }
}

fn compare_certainty(
    old: &EditionRecord,
    new: &EditionRecord,
    w: &ChangeWords<'_>,
    view: &mut ChangesView,
) {
    for row in &new.summary_of_findings {
        let outcome = (w.curated)(&row.label);
        match old
            .summary_of_findings
            .iter()
            .find(|o| o.label == row.label)
        {
            Some(o) if o.level != row.level => {
                view.certainty.push(CertaintyChange {
                    outcome: outcome.clone(),
                    old: w.level(o.level),
                    new: w.level(row.level),
                });
                view.conclusions.push(w.fill(
                    if row.level > o.level {
                        "changes.certainty-rose"
                    } else {
                        "changes.certainty-fell"
                    },
                    &[
                        ("outcome", &outcome),
                        ("old", &w.level(o.level).to_lowercase()),
                        ("new", &w.level(row.level).to_lowercase()),
                    ],
                ));
            }
            Some(_) => {}
            None => view.conclusions.push(w.fill(
                "changes.newly-rated",
                &[
                    ("outcome", &outcome),
                    ("level", &w.level(row.level).to_lowercase()),
                ],
            )),
        }
    }
    for o in old
        .summary_of_findings
        .iter()
        .filter(|o| !new.summary_of_findings.iter().any(|r| r.label == o.label))
    {
        view.conclusions.push(w.fill(
            "changes.no-longer-rated",
            &[("outcome", &(w.curated)(&o.label))],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::record::{
        AwaitingRecord, InputsRecord, OutcomeRecord, SofRecord, StudyRecord, TimeRecord,
    };
    use crate::i18n::Language;

    fn as_written(text: &str) -> String {
        text.to_owned()
    }

    fn english() -> ChangeWords<'static> {
        ChangeWords {
            labels: Language::En.labels(),
            arms: ("UC-MSC", "control"),
            curated: &as_written,
        }
    }

    fn pooled(text: &str, k: usize, verdict: Verdict) -> PooledRecord {
        PooledRecord {
            k,
            single_study: k == 1,
            estimate: Some(1.0),
            ci_lower: Some(0.5),
            ci_upper: Some(2.0),
            pi_lower: None,
            pi_upper: None,
            p: None,
            i2: None,
            tau2: None,
            text: text.into(),
            verdict,
        }
    }

    fn study(id: &str, label: &str, keys: &[&str]) -> StudyRecord {
        StudyRecord {
            id: id.into(),
            label: label.into(),
            design: "Randomised controlled trial".into(),
            participants: 40,
            reports: keys
                .iter()
                .map(|k| ReportRecord {
                    key: (*k).into(),
                    role: "main report".into(),
                })
                .collect(),
        }
    }

    fn record(edition: &str, studies: Vec<StudyRecord>, times: Vec<TimeRecord>) -> EditionRecord {
        EditionRecord {
            schema: 1,
            generator: "evbrief test".into(),
            title: "T".into(),
            edition: edition.into(),
            date: edition[..10].into(),
            previous_edition: None,
            as_of: "2026-11-01".into(),
            inputs: InputsRecord::default(),
            studies,
            awaiting: vec![AwaitingRecord {
                key: "new2025".into(),
                summary: "A new trial (2025)".into(),
                search: None,
                source: None,
            }],
            excluded: Vec::new(),
            outcomes: vec![OutcomeRecord {
                id: "hba1c".into(),
                label: "HbA1c".into(),
                measure: "mean difference".into(),
                times,
            }],
            summary_of_findings: vec![SofRecord {
                label: "HbA1c (week 48)".into(),
                level: 1,
                certainty: "Very low".into(),
            }],
            prisma: None,
        }
    }

    fn time(t: &str, ids: &[&str], p: Option<PooledRecord>) -> TimeRecord {
        TimeRecord {
            time: t.into(),
            studies: ids.iter().map(|s| (*s).into()).collect(),
            pooled: p,
            reported: Vec::new(),
        }
    }

    #[test]
    fn an_identical_record_has_no_changes() {
        let r = record(
            "2026-11-01",
            vec![study("a", "A 2020", &["a2020"])],
            vec![time(
                "week 48",
                &["a"],
                Some(pooled(
                    "−0.50 [−0.90, −0.10]",
                    1,
                    Verdict::FavoursIntervention,
                )),
            )],
        );
        let c = changes_between(&r, &r, &english());
        assert!(c.unchanged);
        assert!(c.conclusions.is_empty());
        assert_eq!(c.since, "1 November 2026");
    }

    #[test]
    fn an_added_study_and_a_moved_estimate_are_listed() {
        let old = record(
            "2026-11-01",
            vec![study("a", "A 2020", &["a2020"])],
            vec![time(
                "week 48",
                &["a"],
                Some(pooled(
                    "−0.50 [−0.90, −0.10]",
                    1,
                    Verdict::FavoursIntervention,
                )),
            )],
        );
        let new = record(
            "2026-11-23-2",
            vec![
                study("a", "A 2020", &["a2020", "a2021"]),
                study("b", "B 2025", &["b2025"]),
            ],
            vec![time(
                "week 48",
                &["a", "b"],
                Some(pooled("−0.30 [−0.80, 0.20]", 2, Verdict::NoClearDifference)),
            )],
        );
        let c = changes_between(&old, &new, &english());
        assert!(!c.unchanged);
        assert_eq!(c.since_edition, "2026-11-01");
        assert_eq!(c.studies_added.len(), 1);
        assert_eq!(
            c.studies_added[0],
            "B 2025: randomised controlled trial, 40 participants"
        );
        assert_eq!(c.reports_added[0], "A 2020: main report (a2021)");
        assert_eq!(
            c.estimates,
            vec![EstimateChange {
                outcome: "HbA1c, week 48".into(),
                measure: "mean difference".into(),
                old: "−0.50 [−0.90, −0.10]".into(),
                new: "−0.30 [−0.80, 0.20]".into(),
                studies: "1 → 2 studies".into(),
            }]
        );
        assert_eq!(
            c.conclusions,
            vec![
                "HbA1c, week 48: now the confidence interval includes no difference (previously \
                 favouring UC-MSC)."
                    .to_owned()
            ]
        );
    }

    #[test]
    fn a_moved_estimate_with_the_same_verdict_changes_no_conclusion() {
        let old = record(
            "2026-11-01",
            vec![study("a", "A 2020", &["a2020"])],
            vec![time(
                "week 48",
                &["a", "b"],
                Some(pooled("1.50 [1.10, 2.00]", 2, Verdict::FavoursIntervention)),
            )],
        );
        let mut new = old.clone();
        new.edition = "2026-11-02".into();
        new.outcomes[0].times[0].pooled =
            Some(pooled("1.60 [1.20, 2.10]", 2, Verdict::FavoursIntervention));
        let c = changes_between(&old, &new, &english());
        assert_eq!(c.estimates.len(), 1);
        assert_eq!(c.estimates[0].studies, "2 studies");
        assert!(c.conclusions.is_empty());
        assert!(!c.unchanged);
    }

    #[test]
    fn inbox_records_and_certainty_changes_are_reported() {
        let old = record("2026-11-01", vec![study("a", "A 2020", &["a2020"])], vec![]);
        let mut new = old.clone();
        new.awaiting = vec![AwaitingRecord {
            key: "c2026".into(),
            summary: "Another trial (2026)".into(),
            search: None,
            source: None,
        }];
        new.studies.push(study("n", "New 2025", &["new2025"]));
        new.summary_of_findings[0].level = 2;
        new.summary_of_findings[0].certainty = "Low".into();
        let c = changes_between(&old, &new, &english());
        assert_eq!(c.awaiting_added[0], "Another trial (2026)");
        let mut found = new.clone();
        found.awaiting[0].search = Some("pubmed-ucmsc".into());
        found.awaiting[0].source = Some("PubMed".into());
        let c2 = changes_between(&old, &found, &english());
        assert_eq!(
            c2.awaiting_added[0],
            "Another trial (2026) — found by the saved search pubmed-ucmsc (PubMed)"
        );
        assert_eq!(
            c.awaiting_removed[0],
            "A new trial (2025) — now included as New 2025"
        );
        // A record that left the inbox for the excluded shelf says why; one simply deleted
        // says only that it left.
        let mut excluded = old.clone();
        excluded.awaiting.clear();
        let gone = changes_between(&old, &excluded, &english());
        assert_eq!(
            gone.awaiting_removed[0],
            "A new trial (2025) — removed from the inbox"
        );
        excluded
            .excluded
            .push(crate::analysis::record::ExcludedEntry {
                key: "new2025".into(),
                summary: "A new trial (2025)".into(),
                stage: "full-text".into(),
                reason: "Wrong population".into(),
            });
        let shelved = changes_between(&old, &excluded, &english());
        assert_eq!(
            shelved.awaiting_removed[0],
            "A new trial (2025) — excluded: Wrong population"
        );
        assert_eq!(
            c.certainty,
            vec![CertaintyChange {
                outcome: "HbA1c (week 48)".into(),
                old: "Very low".into(),
                new: "Low".into(),
            }]
        );
        assert_eq!(
            c.conclusions,
            vec![
                "HbA1c (week 48): certainty of the evidence rose from very low to low.".to_owned()
            ]
        );
    }

    #[test]
    fn removed_studies_and_lost_estimates_are_reported() {
        let old = record(
            "2026-11-01",
            vec![
                study("a", "A 2020", &["a2020"]),
                study("b", "B 2021", &["b2021"]),
            ],
            vec![time(
                "week 12",
                &["a"],
                Some(pooled("0.10 [−0.20, 0.40]", 1, Verdict::NoClearDifference)),
            )],
        );
        let mut new = old.clone();
        new.studies.pop();
        new.outcomes[0].times.clear();
        let c = changes_between(&old, &new, &english());
        assert_eq!(c.studies_removed[0], "B 2021: randomised controlled trial");
        assert_eq!(c.estimates[0].new, "—");
        assert_eq!(c.estimates[0].studies, "1 → 0 studies");
        assert_eq!(
            c.conclusions,
            vec!["HbA1c, week 12: no longer estimable.".to_owned()]
        );
    }
}
