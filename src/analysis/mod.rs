//! The brief's analysis: per-study effects for every outcome and time point that has two
//! comparable arms, and pooled estimates (overall, per subgroup, test for subgroup
//! differences) with the method each outcome asks for in `brief.toml`.
//!
//! Sits between `data` (what papers reported) and `report` (how it is shown): [`extract`]
//! picks which values can be compared and runs the conversions `stats` offers, recording
//! each one in an audit trail; [`pooling`] calls the pure engine. No files, no formatting.

#[cfg(test)]
mod audit_tests;
pub mod bottom_line;
pub mod certainty;
pub mod consistency;
pub mod extract;
pub mod meta_regression;
pub mod methods;
pub mod overlap;
pub mod plain_language;
pub mod pooling;
pub mod prisma;
pub mod record;
pub mod reported;
pub mod safety;
pub mod sensitivity;
pub mod single_arm;
pub mod small_study;
#[cfg(test)]
mod subpopulation_tests;

use serde::Serialize;

use crate::config::{EffectMeasure, OutcomeSettings, PoolMethod, PoolTest, SubgroupBy};
use crate::data::time::parse_time;
use crate::data::{LoadedStudy, Project};
use crate::stats::effect::StudyEffect;
use crate::stats::pool::PoolResult;
use crate::stats::pool::subgroup::SubgroupAnalysis;
use crate::stats::{Measure, Method, Test};

pub use extract::ArmData;

#[cfg(test)]
pub(crate) mod testutil {
    //! Rows built from event counts, for pooling and forest-plot tests.

    use super::{ArmData, StudyEffectRow};
    use crate::stats::Measure;
    use crate::stats::dist::qnorm;
    use crate::stats::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};

    /// A risk-ratio row with metafor's default zero-cell correction, its Wald CI and its
    /// correction in the audit trail.
    pub(crate) fn binary_row(
        study: &str,
        group: &str,
        a: f64,
        n1: f64,
        c: f64,
        n2: f64,
    ) -> StudyEffectRow {
        let t = TwoByTwo::from_events(a, n1, c, n2).unwrap();
        let effect = binary_effect(Measure::RR, &t, &BinaryOptions::default()).unwrap();
        let z = qnorm(0.975).unwrap();
        let ci = effect
            .value()
            .map(|(y, v)| (y - z * v.sqrt(), y + z * v.sqrt()));
        let audit = effect
            .correction
            .as_ref()
            .map(|c| {
                vec![super::AuditLine {
                    kind: super::AuditKind::ZeroCellCorrection,
                    text: c.note.clone(),
                    params: vec![("added".into(), c.added_text())],
                }]
            })
            .unwrap_or_default();
        StudyEffectRow {
            study: study.into(),
            report: String::new(),
            subgroup: group.into(),
            population: None,
            intervention: "t".into(),
            control: "c".into(),
            intervention_data: ArmData::Events { events: a, n: n1 },
            control_data: ArmData::Events { events: c, n: n2 },
            ci_lower: ci.map(|c| c.0),
            ci_upper: ci.map(|c| c.1),
            effect,
            weight: None,
            participants: n1 + n2,
            audit,
            reported: None,
        }
    }
}

/// All effects of one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeAnalysis {
    /// Outcome id from `brief.toml`.
    pub outcome: String,
    /// The settings used (brief defaults with the outcome's own overrides).
    pub settings: OutcomeSettings,
    /// Effect measure used.
    pub measure: Measure,
    /// One group per time point, earliest first.
    pub times: Vec<TimeAnalysis>,
}

/// Studies comparing an intervention arm with a control arm at one time point.
#[derive(Debug, Clone, Serialize)]
pub struct TimeAnalysis {
    /// Time point label ("week 9").
    pub time: String,
    /// Per-study effects, grouped by subgroup when subgroups are set.
    pub studies: Vec<StudyEffectRow>,
    /// The pooled result of all studies with the outcome's method; for k = 1 the study's own
    /// effect, flagged `single_study`; `None` when nothing is estimable.
    pub pooled: Option<PoolResult>,
    /// The common-effect (inverse-variance) result, when asked for and the main model is a
    /// random-effects one with k ≥ 2.
    pub common: Option<PoolResult>,
    /// Per-subgroup results (in order of first appearance) and the test for subgroup
    /// differences; `None` without subgroups.
    pub subgroups: Option<SubgroupAnalysis>,
    /// Why pooling failed, when it did although studies were estimable.
    pub pooling_error: Option<PoolingFailure>,
}

/// Why studies with estimable effects could not be pooled, in kinds the brief words in its
/// language (the engine's own message is kept in `detail` for `analysis.json` readers).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum PoolingFailure {
    /// The pooling method cannot be used with the outcome's data or measure (Mantel–Haenszel
    /// without 2×2 tables, say).
    IncompatibleMethod {
        /// The engine's message.
        detail: String,
    },
    /// An iterative estimator did not converge.
    NotConverged {
        /// The estimator ("REML").
        estimator: String,
    },
    /// The data do not allow the model (every study without events, a zero variance …).
    Degenerate {
        /// The engine's message.
        detail: String,
    },
}

impl PoolingFailure {
    /// The kind of failure of an engine error.
    pub fn of(error: &crate::stats::StatsError) -> Self {
        use crate::stats::StatsError;
        match error {
            StatsError::NotConverged(estimator) => PoolingFailure::NotConverged {
                estimator: estimator.clone(),
            },
            StatsError::IncompatibleMethod { .. } | StatsError::WrongDataKind { .. } => {
                PoolingFailure::IncompatibleMethod {
                    detail: error.to_string(),
                }
            }
            _ => PoolingFailure::Degenerate {
                detail: error.to_string(),
            },
        }
    }

    /// The failure in the words of `labels`: `[forest] not-pooled-…`.
    pub fn words(&self, labels: &crate::i18n::Labels) -> String {
        match self {
            PoolingFailure::IncompatibleMethod { .. } => {
                labels.text("forest.not-pooled-method").to_owned()
            }
            PoolingFailure::NotConverged { estimator } => {
                labels.fill("forest.not-pooled-convergence", &[("estimator", estimator)])
            }
            PoolingFailure::Degenerate { .. } => labels.text("forest.not-pooled-data").to_owned(),
        }
    }
}

/// One study's effect at one time point, on the analysis scale (log for ratios).
#[derive(Debug, Clone, Serialize)]
pub struct StudyEffectRow {
    /// Study id.
    pub study: String,
    /// Key of the report the values were read from (one per row: validation forbids
    /// mixing reports of the same participants).
    pub report: String,
    /// Subgroup label ("" without subgroups).
    pub subgroup: String,
    /// The study's subpopulation the values are for ("T2DM with NAFLD"); `None` for all
    /// its participants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    /// Intervention arm id.
    pub intervention: String,
    /// Control arm id.
    pub control: String,
    /// What the intervention arm contributed (after conversions).
    pub intervention_data: ArmData,
    /// What the control arm contributed (after conversions).
    pub control_data: ArmData,
    /// The effect (or why there is none).
    pub effect: StudyEffect,
    /// Lower 95% confidence limit on the analysis scale.
    pub ci_lower: Option<f64>,
    /// Upper 95% confidence limit on the analysis scale.
    pub ci_upper: Option<f64>,
    /// Weight in the overall pooled result, in percent.
    pub weight: Option<f64>,
    /// Participants in both arms.
    pub participants: f64,
    /// Conversions and corrections applied to reach the effect.
    pub audit: Vec<AuditLine>,
    /// What the paper printed, for an effect entered as reported (`[[effects]]`); `None`
    /// for an effect computed from arm-level data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported: Option<reported::AsReported>,
}

/// One step taken between what a paper printed and the effect, for the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditLine {
    /// What kind of step it was.
    pub kind: AuditKind,
    /// The step in words ("events = 20 from 60.6% of n = 33").
    pub text: String,
    /// Its values by name, for the label table of the brief's language
    /// (`audit.<kind>` in `src/i18n/*.toml`; see [`AuditLine::label_key`]).
    #[serde(skip)]
    pub params: Vec<(String, String)>,
}

impl AuditLine {
    /// The label-table key that words this step in the brief's language.
    pub fn label_key(&self) -> &'static str {
        let param = |name: &str| {
            self.params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        match self.kind {
            AuditKind::SdFromSem => "audit.sd-from-sem",
            AuditKind::ZeroCellCorrection => "audit.zero-cell-correction",
            AuditKind::SeFromCi => match param("scale") {
                Some("log") => "audit.se-from-ci-log",
                _ => "audit.se-from-ci",
            },
            AuditKind::SeFromP => match param("scale") {
                Some("log") => "audit.se-from-p-log",
                _ => "audit.se-from-p",
            },
            AuditKind::EventsFromPercent => match param("reading") {
                Some("padded-one") => "audit.events-from-percentage-padded-one",
                Some("padded-many") => "audit.events-from-percentage-padded-many",
                _ => "audit.events-from-percentage",
            },
        }
    }
}

/// The kinds of step the brief's methods paragraph explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditKind {
    /// Events recovered from a printed percentage of n.
    EventsFromPercent,
    /// SD derived from an SEM and n.
    SdFromSem,
    /// 1/2 added to every cell of a table with a zero cell.
    ZeroCellCorrection,
    /// The standard error of a reported effect from its 95% CI (Cochrane Handbook 6.3.1).
    SeFromCi,
    /// The standard error of a reported effect from its exact p value (Handbook 6.3.2).
    SeFromP,
}

/// The engine's measure for a brief measure.
pub fn stats_measure(m: EffectMeasure) -> Measure {
    match m {
        EffectMeasure::RR => Measure::RR,
        EffectMeasure::OR => Measure::OR,
        EffectMeasure::RD => Measure::RD,
        EffectMeasure::MD => Measure::MD,
        EffectMeasure::SMD => Measure::SMD,
        EffectMeasure::HR => Measure::HR,
    }
}

/// The engine's method for a brief method.
pub fn stats_method(m: PoolMethod) -> Method {
    match m {
        PoolMethod::FE => Method::FE,
        PoolMethod::DL => Method::DL,
        PoolMethod::Reml => Method::REML,
        PoolMethod::PM => Method::PM,
        PoolMethod::MH => Method::MH,
        PoolMethod::Peto => Method::PETO,
    }
}

/// The engine's test; Mantel–Haenszel and Peto are always normal-theory (metafor).
pub fn stats_test(t: PoolTest, method: Method) -> Test {
    match (t, method) {
        (PoolTest::Knha, Method::DL | Method::REML | Method::PM | Method::FE) => Test::Knha,
        _ => Test::Z,
    }
}

/// Everything the brief computes from a project, computed once and shared by the view
/// model and the edition record (`analysis.json`).
#[derive(Debug, Clone)]
pub struct Analysed {
    /// Effects and pooled results per outcome, in `brief.toml` order.
    pub outcomes: Vec<OutcomeAnalysis>,
    /// Adverse events by category, study and arm.
    pub safety: safety::SafetyAnalysis,
    /// Summary-of-findings rows with their certainty.
    pub summary_of_findings: Vec<certainty::SofResult>,
    /// Pairs of studies that may share participants, not settled by the curators.
    pub overlaps: Vec<overlap::Overlap>,
    /// Printed p-values checked against the printed data.
    pub consistency: Vec<consistency::ComparisonCheck>,
    /// Registries, uncontrolled arms and case series, kept apart from the comparisons.
    pub single_arm: single_arm::SingleArmAnalysis,
    /// Funnel-plot data, Egger's test and trim-and-fill where k ≥ 10.
    pub small_study: Vec<small_study::SmallStudy>,
    /// Leave-one-out, risk-of-bias, common-effect and cumulative analyses where k ≥ 3.
    pub sensitivity: Vec<sensitivity::Sensitivity>,
    /// Meta-regressions on the covariates `brief.toml` names (k ≥ 10 per covariate).
    pub meta_regression: Vec<meta_regression::CovariateResult>,
}

/// Runs every analysis of the brief: outcomes, safety, then the summary of findings.
///
/// The analyses that do not read the outcomes' results (safety, study identity, printed
/// numbers, uncontrolled evidence) run on a second thread beside those that do: at 1000
/// studies each side takes about a second. Each analysis is a pure function of the project,
/// so the result is the same as one after the other.
pub fn analyse(project: &Project) -> Analysed {
    std::thread::scope(|scope| {
        let apart = scope.spawn(|| {
            (
                safety::analyse_safety(project),
                overlap::find_overlaps(&project.studies, &project.bibliography),
                consistency::check_comparisons(project),
                single_arm::analyse_single_arms(project),
            )
        });
        let outcomes = analyse_project(project);
        let small_study = small_study::small_studies(&outcomes);
        let sensitivity = sensitivity::sensitivities(project, &outcomes);
        let meta_regression = meta_regression::all_meta_regressions(project, &outcomes);
        let (safety, overlaps, consistency, single_arm) = apart
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        let summary_of_findings = certainty::summary_of_findings(project, &outcomes, &safety);
        Analysed {
            safety,
            summary_of_findings,
            overlaps,
            consistency,
            single_arm,
            small_study,
            sensitivity,
            meta_regression,
            outcomes,
        }
    })
}

/// Computes effects for every outcome of the project.
pub fn analyse_project(project: &Project) -> Vec<OutcomeAnalysis> {
    project
        .config
        .outcomes
        .iter()
        .map(|o| {
            let o = o.get_ref();
            let settings = o.settings(&project.config.analysis);
            analyse_outcome(&o.id, settings, &project.studies)
        })
        .collect()
}

/// Effects and pooled results of one outcome over `studies`.
pub fn analyse_outcome(
    outcome: &str,
    settings: OutcomeSettings,
    studies: &[LoadedStudy],
) -> OutcomeAnalysis {
    let measure = stats_measure(settings.measure);
    let mut times: Vec<(f64, String, Vec<StudyEffectRow>)> = Vec::new();
    for s in studies {
        let subgroup = subgroup_of(s, settings.subgroup);
        let rows = extract::study_effects(s, outcome, measure, &settings)
            .into_iter()
            .chain(reported::study_effects(s, outcome, measure));
        for (time, mut row) in rows {
            row.subgroup.clone_from(&subgroup);
            let days = parse_time(&time).map_or(f64::INFINITY, |t| t.days);
            match times.iter_mut().find(|(_, t, _)| *t == time) {
                Some((_, _, rows)) => rows.push(row),
                None => times.push((days, time, vec![row])),
            }
        }
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let times = times
        .into_iter()
        .map(|(_, time, rows)| pooling::pool_time(time, rows, measure, &settings))
        .collect();
    OutcomeAnalysis {
        outcome: outcome.to_owned(),
        settings,
        measure,
        times,
    }
}

fn subgroup_of(s: &LoadedStudy, by: SubgroupBy) -> String {
    match by {
        SubgroupBy::None => String::new(),
        SubgroupBy::Condition => s.study.condition.clone(),
        SubgroupBy::Design => s.study.design.label().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn bundled_corpus_effects_come_from_converted_percentages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled data validates");
        let analysis = analyse_project(&project);
        let target = analysis
            .iter()
            .find(|a| a.outcome == "hba1c-target")
            .unwrap();
        assert_eq!(target.measure, Measure::RR);
        let week9 = &target.times[0];
        assert_eq!(week9.time, "week 9");
        let row = &week9.studies[0];
        // 60.60% of 33 → 20 events, 28.10% of 32 → 9 events; log RR = ln((20/33)/(9/32)).
        let expected: f64 = ((20.0 / 33.0) / (9.0 / 32.0_f64)).ln();
        assert!((row.effect.yi.unwrap() - expected).abs() < 1e-12);
        assert_eq!(row.audit.len(), 2);
        assert_eq!(
            row.intervention_data,
            ArmData::Events {
                events: 20.0,
                n: 33.0
            }
        );
        assert!(week9.pooled.as_ref().unwrap().single_study);
        assert_eq!(row.weight, Some(100.0));
        // The registry has no control arm: no between-arm effects for its outcomes.
        let hs_crp = analysis
            .iter()
            .find(|a| a.outcome == "hs-crp-high")
            .unwrap();
        assert!(hs_crp.times.is_empty());
    }
}
