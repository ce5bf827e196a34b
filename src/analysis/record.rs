//! The edition record: the brief's results in machine-readable form (`analysis.json`).
//!
//! Each edition stores one beside its PDF. The next edition reads it back to say what
//! changed, and other tools (dashboards, R, a CI job) can read it without parsing a PDF.
//! Numbers are on the natural scale (ratios exponentiated) with the display text the
//! brief prints, so a reader can compare either. The schema is versioned by `schema`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Analysed;
use crate::analysis::certainty::level_label;
use crate::analysis::certainty::sof_row_label_en;
use crate::config::Direction;
use crate::data::Project;
use crate::data::bibliography::Shelf;
use crate::format::{estimate_brackets, is_ratio, measure_name};

/// Version of the record's layout; bumped when a field changes meaning.
pub const RECORD_SCHEMA: u32 = 1;

/// One edition's results and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EditionRecord {
    /// Layout version ([`RECORD_SCHEMA`]).
    pub schema: u32,
    /// "evbrief 0.1.0".
    pub generator: String,
    /// The brief's title.
    pub title: String,
    /// Edition name, the folder under `output/editions/` ("2026-11-23" or "2026-11-23-2").
    pub edition: String,
    /// The day the edition was made (YYYY-MM-DD).
    pub date: String,
    /// The edition this one was compared with, if any.
    pub previous_edition: Option<String>,
    /// The brief's as-of date from `brief.toml` (YYYY-MM-DD).
    pub as_of: String,
    /// Fingerprint of every input the edition was made from.
    pub inputs: InputsRecord,
    /// Included studies, in table order.
    pub studies: Vec<StudyRecord>,
    /// Records in the inbox, awaiting assessment.
    pub awaiting: Vec<AwaitingRecord>,
    /// Records excluded at screening (absent in records of older versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ExcludedEntry>,
    /// Pooled results per outcome and time point.
    pub outcomes: Vec<OutcomeRecord>,
    /// Certainty of the evidence per summary-of-findings row.
    pub summary_of_findings: Vec<SofRecord>,
    /// The numbers of the PRISMA flow diagram (absent in records of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prisma: Option<super::prisma::PrismaCounts>,
}

/// What the edition was made from: a content hash per file and build settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InputsRecord {
    /// SHA-256 over the files and settings below (hex).
    pub hash: String,
    /// Project-relative path → SHA-256 of the file's bytes (hex).
    pub files: BTreeMap<String, String>,
    /// Settings that change the PDF besides the files (the evbrief version).
    pub settings: BTreeMap<String, String>,
}

/// One included study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct StudyRecord {
    /// Study id (its file name).
    pub id: String,
    /// "Zhao 2024".
    pub label: String,
    /// Design in words.
    pub design: String,
    /// Participants in all arms.
    pub participants: i64,
    /// Its reports.
    pub reports: Vec<ReportRecord>,
}

/// One report of a study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReportRecord {
    /// Bibliography key.
    pub key: String,
    /// Role in words ("post hoc analysis").
    pub role: String,
}

/// One inbox record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AwaitingRecord {
    /// Bibliography key.
    pub key: String,
    /// "Title (2015)", or the key when the record has no title.
    pub summary: String,
    /// The saved search that filed it (`% Search:` line), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// That search's source as readers know it ("PubMed").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A record excluded at screening (`data/excluded/`), so that "What's new" can say why a
/// record left the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExcludedEntry {
    /// Bibliography key.
    pub key: String,
    /// "Title (2015)", or the key when the record has no title.
    pub summary: String,
    /// `title-abstract` or `full-text`.
    pub stage: String,
    /// Why, as recorded.
    pub reason: String,
}

/// One outcome's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct OutcomeRecord {
    /// Outcome id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Effect measure in words ("mean difference").
    pub measure: String,
    /// One entry per time point with at least one study effect.
    pub times: Vec<TimeRecord>,
}

/// One outcome at one time point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct TimeRecord {
    /// "week 48".
    pub time: String,
    /// Ids of the studies with an effect at this time.
    pub studies: Vec<String>,
    /// The pooled result (or the single study's effect), when estimable.
    pub pooled: Option<PooledRecord>,
    /// The studies whose effect was entered as their report prints it (`[[effects]]`),
    /// with what was printed and what was pooled (absent in records of older versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reported: Vec<ReportedRecord>,
}

/// A study's effect as its report prints it, and the `yi`, `vi` pooled from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReportedRecord {
    /// Study id.
    pub study: String,
    /// The printed estimate (natural scale).
    pub estimate: f64,
    /// How its precision was printed: "ci", "se" or "p".
    pub precision: String,
    /// The printed 95% CI, when the precision was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<[f64; 2]>,
    /// The printed standard error (of the log ratio for ratios), when that was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// The printed exact p value, when that was the precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// What the estimate was adjusted for; absent for an unadjusted estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted_for: Option<String>,
    /// The effect pooled, on the analysis scale (log for ratios).
    pub yi: f64,
    /// Its variance.
    pub vi: f64,
}

impl ReportedRecord {
    /// The record of a row entered as reported; `None` for other rows.
    fn of(row: &super::StudyEffectRow) -> Option<ReportedRecord> {
        use crate::stats::reported::Precision;
        let r = row.reported.as_ref()?;
        let (yi, vi) = row.effect.value()?;
        let (precision, se, p) = match r.precision {
            Precision::Ci { .. } => ("ci", None, None),
            Precision::Se { se } => ("se", Some(se), None),
            Precision::P { p } => ("p", None, Some(p)),
        };
        Some(ReportedRecord {
            study: row.study.clone(),
            estimate: r.estimate,
            precision: precision.to_owned(),
            ci: r.ci.map(|(l, u)| [l, u]),
            se,
            p,
            adjusted_for: r.adjusted_for.clone(),
            yi,
            vi,
        })
    }
}

/// A pooled estimate on the natural scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PooledRecord {
    /// Studies pooled.
    pub k: usize,
    /// True when k = 1: the study's own effect, not pooled.
    pub single_study: bool,
    /// Estimate.
    pub estimate: Option<f64>,
    /// Lower 95% confidence limit.
    pub ci_lower: Option<f64>,
    /// Upper 95% confidence limit.
    pub ci_upper: Option<f64>,
    /// Lower 95% prediction limit.
    pub pi_lower: Option<f64>,
    /// Upper 95% prediction limit.
    pub pi_upper: Option<f64>,
    /// Two-sided p value.
    pub p: Option<f64>,
    /// I² in percent.
    pub i2: Option<f64>,
    /// τ² on the analysis scale.
    pub tau2: Option<f64>,
    /// As the brief prints it: "2.15 [1.16, 4.00]".
    pub text: String,
    /// Which way the confidence interval points.
    pub verdict: Verdict,
}

/// What a confidence interval says about the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The whole interval favours the intervention.
    FavoursIntervention,
    /// The whole interval favours the control.
    FavoursControl,
    /// The interval includes no difference.
    NoClearDifference,
}

/// One summary-of-findings row's certainty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SofRecord {
    /// The row's label as the table prints it ("HbA1c (week 48)").
    pub label: String,
    /// Certainty level, 4 (high) to 1 (very low).
    pub level: u8,
    /// "Very low".
    pub certainty: String,
}

/// Who the edition is and what it was made from; the rest comes from the analysis.
#[derive(Debug, Clone)]
pub struct EditionStamp {
    /// Edition name.
    pub edition: String,
    /// Day it was made.
    pub date: String,
    /// The edition compared with.
    pub previous_edition: Option<String>,
    /// Input fingerprint.
    pub inputs: InputsRecord,
}

/// The record of `project`'s results for the edition `stamp`.
pub fn edition_record(
    project: &Project,
    analysed: &Analysed,
    stamp: EditionStamp,
) -> EditionRecord {
    let config = &project.config;
    let studies = project
        .studies
        .iter()
        .map(|s| {
            let st = &s.study;
            StudyRecord {
                id: st.id.get_ref().clone(),
                label: st.label.clone(),
                design: st.design.label().to_owned(),
                participants: st.arms.iter().map(|a| *a.n.get_ref()).sum(),
                reports: st
                    .reports
                    .iter()
                    .map(|r| ReportRecord {
                        key: r.key.get_ref().clone(),
                        role: r.role.label().to_owned(),
                    })
                    .collect(),
            }
        })
        .collect();
    // The saved search that filed each inbox record, from the comments above its entry.
    let mut found_by = BTreeMap::new();
    for f in project
        .bibliography
        .files
        .iter()
        .filter(|f| f.shelf == Shelf::Inbox)
    {
        for (key, comments) in crate::data::provenance::comments_by_key(&f.file.text) {
            if let Some(s) = crate::data::provenance::Origin::of(&comments).search() {
                found_by.insert(key, (s.search.clone(), s.source.display_name().to_owned()));
            }
        }
    }
    let awaiting = project
        .bibliography
        .keys(Shelf::Inbox)
        .into_iter()
        .map(|key| AwaitingRecord {
            search: found_by.get(&key).map(|f| f.0.clone()),
            source: found_by.get(&key).map(|f| f.1.clone()),
            summary: project
                .bibliography
                .entry(&key)
                .map(|(_, e)| entry_summary(e))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| key.clone()),
            key,
        })
        .collect();
    let outcomes = analysed
        .outcomes
        .iter()
        .filter_map(|a| {
            let def = config
                .outcomes
                .iter()
                .map(|o| o.get_ref())
                .find(|o| o.id == a.outcome)?;
            Some(OutcomeRecord {
                id: a.outcome.clone(),
                label: def.label.clone(),
                measure: measure_name(a.measure).to_owned(),
                times: a
                    .times
                    .iter()
                    .map(|t| TimeRecord {
                        time: t.time.clone(),
                        studies: t.studies.iter().map(|r| r.study.clone()).collect(),
                        reported: t.studies.iter().filter_map(ReportedRecord::of).collect(),
                        pooled: t.pooled.as_ref().map(|p| {
                            let natural = |x: f64| {
                                let x = if is_ratio(a.measure) { x.exp() } else { x };
                                x.is_finite().then_some(x)
                            };
                            PooledRecord {
                                k: p.k,
                                single_study: p.single_study,
                                estimate: natural(p.estimate),
                                ci_lower: natural(p.ci_lower),
                                ci_upper: natural(p.ci_upper),
                                pi_lower: p.pi_lower.and_then(natural),
                                pi_upper: p.pi_upper.and_then(natural),
                                p: p.p.filter(|x| x.is_finite()),
                                i2: p.i2.filter(|x| x.is_finite()),
                                tau2: p.tau2.filter(|x| x.is_finite()),
                                text: estimate_brackets(
                                    a.measure, p.estimate, p.ci_lower, p.ci_upper,
                                ),
                                verdict: verdict(p.ci_lower, p.ci_upper, p.estimate, def.better),
                            }
                        }),
                    })
                    .collect(),
            })
        })
        .collect();
    let summary_of_findings = analysed
        .summary_of_findings
        .iter()
        .filter_map(|r| {
            let spec = config.summary_of_findings.get(r.index)?;
            Some(SofRecord {
                label: sof_row_label_en(project, r, spec.get_ref()),
                level: r.certainty.level,
                certainty: level_label(r.certainty.level).to_owned(),
            })
        })
        .collect();
    EditionRecord {
        schema: RECORD_SCHEMA,
        generator: format!("evbrief {}", env!("CARGO_PKG_VERSION")),
        title: config.title.clone(),
        edition: stamp.edition,
        date: stamp.date,
        previous_edition: stamp.previous_edition,
        as_of: config.as_of.get_ref().to_string(),
        inputs: stamp.inputs,
        studies,
        awaiting,
        excluded: project
            .excluded
            .iter()
            .map(|r| ExcludedEntry {
                key: r.key.clone(),
                summary: Some(entry_summary(&r.entry))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| r.key.clone()),
                stage: r.stage.name().to_owned(),
                reason: r.reason.clone(),
            })
            .collect(),
        outcomes,
        summary_of_findings,
        prisma: Some(super::prisma::prisma_counts(project)),
    }
}

/// Which way a CI on the analysis scale (0 = no difference) points, given which
/// direction of the outcome is better.
pub fn verdict(lo: f64, hi: f64, est: f64, better: Direction) -> Verdict {
    if !(lo > 0.0 || hi < 0.0) {
        return Verdict::NoClearDifference;
    }
    if (est > 0.0) == (better == Direction::Higher) {
        Verdict::FavoursIntervention
    } else {
        Verdict::FavoursControl
    }
}

/// "Title (2015)" for a bibliography entry.
fn entry_summary(e: &hayagriva::Entry) -> String {
    let title = e.title().map(|t| t.value.to_string()).unwrap_or_default();
    match e.date().map(|d| d.year) {
        Some(y) if !title.is_empty() => format!("{title} ({y})"),
        _ => title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_follows_the_better_direction() {
        use Direction::{Higher, Lower};
        assert_eq!(verdict(0.1, 0.5, 0.3, Higher), Verdict::FavoursIntervention);
        assert_eq!(verdict(0.1, 0.5, 0.3, Lower), Verdict::FavoursControl);
        assert_eq!(
            verdict(-0.5, -0.1, -0.3, Lower),
            Verdict::FavoursIntervention
        );
        assert_eq!(verdict(-0.5, 0.1, -0.3, Lower), Verdict::NoClearDifference);
        assert_eq!(verdict(0.0, 0.4, 0.2, Higher), Verdict::NoClearDifference);
        assert_eq!(
            verdict(f64::NAN, 0.4, 0.2, Higher),
            Verdict::NoClearDifference
        );
    }

    #[test]
    fn bundled_record_round_trips_through_json() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).unwrap();
        let analysed = crate::analysis::analyse(&project);
        let stamp = EditionStamp {
            edition: "2026-11-23".into(),
            date: "2026-11-23".into(),
            previous_edition: None,
            inputs: InputsRecord::default(),
        };
        let record = edition_record(&project, &analysed, stamp);
        assert_eq!(record.studies.len(), project.studies.len());
        assert_eq!(record.awaiting[0].key, "carlsson2015");
        assert!(record.awaiting[0].summary.ends_with("(2015)"));
        assert!(record.outcomes.iter().any(|o| {
            o.times
                .iter()
                .any(|t| t.pooled.as_ref().is_some_and(|p| p.text.contains('[')))
        }));
        assert!(
            record
                .summary_of_findings
                .iter()
                .all(|r| (1..=4).contains(&r.level))
        );
        let json = serde_json::to_string_pretty(&record).unwrap();
        let back: EditionRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn reported_effects_are_on_record_and_older_records_still_load() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/reported");
        let project = crate::data::load_project(&root).unwrap();
        let analysed = crate::analysis::analyse(&project);
        let stamp = EditionStamp {
            edition: "2025-06-30".into(),
            date: "2025-06-30".into(),
            previous_edition: None,
            inputs: InputsRecord::default(),
        };
        let record = edition_record(&project, &analysed, stamp);
        let death = &record.outcomes[0].times[0];
        let precisions: Vec<&str> = death
            .reported
            .iter()
            .map(|r| r.precision.as_str())
            .collect();
        assert_eq!(precisions, ["ci", "ci", "p"]);
        assert_eq!(
            death.reported[0].adjusted_for.as_deref(),
            Some("age, sex and baseline HbA1c")
        );
        assert_eq!(death.reported[0].ci, Some([0.55, 0.94]));
        // Delta's counts are analysed, its printed OR kept on file only.
        let target = &record.outcomes[1].times[0];
        assert_eq!(target.studies, ["alpha", "beta", "delta"]);
        assert_eq!(target.reported.len(), 2);
        let json = serde_json::to_string_pretty(&record).unwrap();
        let back: EditionRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
        // A time point written before reported effects existed has no such field.
        let old: TimeRecord =
            serde_json::from_str(r#"{"time": "week 9", "studies": ["a"], "pooled": null}"#)
                .unwrap();
        assert!(old.reported.is_empty());
    }
}
