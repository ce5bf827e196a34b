//! Single-arm evidence: registries, uncontrolled arms and case series, summarised in a
//! section of their own and never mixed into the comparative results.
//!
//! For a binary outcome each arm's proportion gets its exact (Clopper–Pearson) interval;
//! two or more arms at a time point are pooled as logits or Freeman–Tukey double arcsines
//! (`[analysis] proportions`, metafor `rma(measure = "PLO" | "PFT")`) and back-transformed.
//! For a continuous outcome each arm's mean change from baseline gets a t interval
//! (metafor `escalc(measure = "MC")` with a pre/post correlation of 0.5, as `evbrief
//! analyse --ri`); two or more are pooled on that scale. Medians, and means whose n is not
//! reported, are kept as printed without an interval. No files, no formatting.

use serde::Serialize;

use super::extract::{events, mean_sd};
use super::{ArmData, stats_method, stats_test};
use crate::config::{OutcomeKind, OutcomeSettings, Proportions};
use crate::data::model::{ArmRole, Measurement, Study};
use crate::data::time::parse_time;
use crate::data::{LoadedStudy, Project};
use crate::stats::dist::qt;
use crate::stats::effect::change::{PrePost, change_effect};
use crate::stats::effect::proportion::{EventCount, proportion_effect};
use crate::stats::incidence::{ProportionCi, clopper_pearson};
use crate::stats::pool::PoolResult;
use crate::stats::pool::inverse_variance::pool_inverse_variance;
use crate::stats::transform::back_transform;
use crate::stats::{Measure, Method};

/// The correlation between baseline and follow-up assumed for a mean change (studies
/// rarely report it); the same default as `evbrief analyse --ri` (Cochrane Handbook
/// 6.5.2.8 suggests imputing one and checking its influence).
pub const CHANGE_CORRELATION: f64 = 0.5;

/// Single-arm evidence of every outcome of `brief.toml` that has any, in its order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SingleArmAnalysis {
    /// Outcomes with single-arm values.
    pub outcomes: Vec<SingleArmOutcome>,
}

/// Single-arm values of one outcome, per time point (earliest first).
#[derive(Debug, Clone, Serialize)]
pub struct SingleArmOutcome {
    /// Outcome id.
    pub outcome: String,
    /// Binary or continuous.
    pub kind: OutcomeKind,
    /// One group per time point other than baseline.
    pub times: Vec<SingleArmTime>,
}

/// The single arms reporting one outcome at one time point.
#[derive(Debug, Clone, Serialize)]
pub struct SingleArmTime {
    /// Time point as curated ("month 6").
    pub time: String,
    /// One row per arm, in study order.
    pub rows: Vec<SingleArmRow>,
    /// The pooled estimate of the rows with an estimate, when there are two or more.
    pub pooled: Option<PooledSingleArm>,
}

/// One uncontrolled arm's value at one time point.
#[derive(Debug, Clone, Serialize)]
pub struct SingleArmRow {
    /// Study id.
    pub study: String,
    /// Arm id.
    pub arm: String,
    /// Index of the follow-up value in the study's `results`.
    pub follow_up: usize,
    /// Index of the baseline value it is compared with, if any.
    pub baseline: Option<usize>,
    /// What could be computed from it.
    pub estimate: ArmEstimate,
}

/// What a single arm's value allows.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ArmEstimate {
    /// A proportion with its exact 95% interval (Clopper & Pearson 1934).
    Proportion {
        /// Participants with the event.
        events: f64,
        /// Participants analysed.
        n: f64,
        /// The proportion and its interval.
        ci: ProportionCi,
    },
    /// The mean change from baseline (follow-up minus baseline) with its t interval.
    MeanChange {
        /// The change.
        change: f64,
        /// Its standard error, `√((sd₁² + sd₂² − 2 r sd₁ sd₂)/n)` (metafor `MC`).
        se: f64,
        /// Participants.
        n: f64,
        /// Lower 95% limit, `change − t(0.975, n − 1) · se`.
        ci_lower: f64,
        /// Upper 95% limit.
        ci_upper: f64,
    },
    /// A change from baseline means whose n is not reported: no interval can be given.
    ChangeWithoutN {
        /// Follow-up mean minus baseline mean.
        change: f64,
    },
    /// Kept as printed (a median, or a value without a baseline of the same form).
    AsPrinted,
}

/// Two or more single arms pooled at one time point.
#[derive(Debug, Clone, Serialize)]
pub struct PooledSingleArm {
    /// The scale of pooling: PLO, PFT or MC.
    pub measure: Measure,
    /// The model on that scale.
    pub result: PoolResult,
    /// The estimate on the natural scale (a proportion, or a mean change).
    pub estimate: f64,
    /// Lower 95% limit on the natural scale.
    pub ci_lower: f64,
    /// Upper 95% limit on the natural scale.
    pub ci_upper: f64,
}

/// True for the arms whose values are uncontrolled: the only arm of a single-arm study, or
/// an intervention arm of a study without a control arm.
pub fn is_uncontrolled(study: &Study, role: ArmRole) -> bool {
    match role {
        ArmRole::Single => true,
        ArmRole::Intervention => !study.arms.iter().any(|a| a.role == ArmRole::Control),
        ArmRole::Control => false,
    }
}

/// Single-arm evidence of every outcome of the project.
pub fn analyse_single_arms(project: &Project) -> SingleArmAnalysis {
    let outcomes = project
        .config
        .outcomes
        .iter()
        .filter_map(|o| {
            let o = o.get_ref();
            if o.kind == OutcomeKind::TimeToEvent {
                // Hazard ratios compare two arms; an uncontrolled arm has none.
                return None;
            }
            let settings = o.settings(&project.config.analysis);
            let times = outcome_times(
                &o.id,
                o.kind,
                &settings,
                project.config.analysis.proportions,
                &project.studies,
            );
            (!times.is_empty()).then(|| SingleArmOutcome {
                outcome: o.id.clone(),
                kind: o.kind,
                times,
            })
        })
        .collect();
    SingleArmAnalysis { outcomes }
}

/// The single-arm rows of one outcome, grouped by time point and pooled.
pub fn outcome_times(
    outcome: &str,
    kind: OutcomeKind,
    settings: &OutcomeSettings,
    proportions: Proportions,
    studies: &[LoadedStudy],
) -> Vec<SingleArmTime> {
    let mut times: Vec<(f64, String, Vec<SingleArmRow>)> = Vec::new();
    for s in studies {
        let st = &s.study;
        for arm in st.arms.iter().filter(|a| is_uncontrolled(st, a.role)) {
            let values: Vec<(usize, &Measurement)> = st
                .results
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    st.is_analysed(m)
                        && m.outcome_id() == Some(outcome)
                        && m.arm.get_ref() == arm.id.get_ref()
                })
                .collect();
            for &(i, m) in &values {
                let Some(time) = m.time.as_ref().map(|t| t.get_ref().as_str()) else {
                    continue;
                };
                if time == "baseline" {
                    continue;
                }
                let baseline = values
                    .iter()
                    .find(|(_, b)| {
                        b.time.as_ref().is_some_and(|t| t.get_ref() == "baseline")
                            && same_form(b, m)
                    })
                    .map(|(j, _)| *j);
                let estimate = match kind {
                    OutcomeKind::Binary => proportion(s, m),
                    OutcomeKind::Continuous | OutcomeKind::TimeToEvent => baseline
                        .map_or(ArmEstimate::AsPrinted, |j| {
                            mean_change(st, &st.results[j], m)
                        }),
                };
                let row = SingleArmRow {
                    study: st.id.get_ref().clone(),
                    arm: arm.id.get_ref().clone(),
                    follow_up: i,
                    baseline: if kind == OutcomeKind::Binary {
                        None
                    } else {
                        baseline
                    },
                    estimate,
                };
                match times.iter_mut().find(|(_, t, _)| t == time) {
                    Some((_, _, rows)) => rows.push(row),
                    None => times.push((
                        parse_time(time).map_or(f64::INFINITY, |t| t.days),
                        time.to_owned(),
                        vec![row],
                    )),
                }
            }
        }
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    times
        .into_iter()
        .map(|(_, time, rows)| {
            let pooled = pool_rows(&rows, kind, settings, proportions);
            SingleArmTime { time, rows, pooled }
        })
        .collect()
}

/// Whether two values are of the same form: both means or both medians.
fn same_form(a: &Measurement, b: &Measurement) -> bool {
    (a.mean.is_some() && b.mean.is_some()) || (a.median.is_some() && b.median.is_some())
}

fn proportion(s: &LoadedStudy, m: &Measurement) -> ArmEstimate {
    let mut audit = Vec::new();
    match events(s, m, &mut audit) {
        Some(ArmData::Events { events, n }) if n >= 1.0 => {
            match clopper_pearson(events as u64, n as u64) {
                Ok(ci) => ArmEstimate::Proportion { events, n, ci },
                Err(_) => ArmEstimate::AsPrinted,
            }
        }
        _ => ArmEstimate::AsPrinted,
    }
}

/// The change from `base` to `follow` (metafor `MC` with `m1i` the follow-up mean, so a
/// fall is negative), with a t interval on n − 1 degrees of freedom.
fn mean_change(st: &Study, base: &Measurement, follow: &Measurement) -> ArmEstimate {
    let (Some(m0), Some(m1)) = (&base.mean, &follow.mean) else {
        return ArmEstimate::AsPrinted;
    };
    let change = m1.get_ref() - m0.get_ref();
    let mut audit = Vec::new();
    let (Some(ArmData::Means { sd: sd0, n: n0, .. }), Some(ArmData::Means { sd: sd1, n: n1, .. })) = (
        mean_sd(st, base, &mut audit),
        mean_sd(st, follow, &mut audit),
    ) else {
        return ArmEstimate::ChangeWithoutN { change };
    };
    let n = n0.min(n1);
    let d = PrePost {
        m1i: *m1.get_ref(),
        m2i: *m0.get_ref(),
        sd1i: sd1,
        sd2i: sd0,
        ni: n,
        ri: CHANGE_CORRELATION,
    };
    let (Ok(effect), Ok(t)) = (change_effect(Measure::MC, &d), qt(0.975, n - 1.0)) else {
        return ArmEstimate::ChangeWithoutN { change };
    };
    match effect.value() {
        Some((y, v)) if n >= 2.0 => ArmEstimate::MeanChange {
            change: y,
            se: v.sqrt(),
            n,
            ci_lower: y - t * v.sqrt(),
            ci_upper: y + t * v.sqrt(),
        },
        _ => ArmEstimate::ChangeWithoutN { change },
    }
}

/// Pools the rows with an estimate when there are two or more: proportions on the chosen
/// transformed scale, mean changes as they are; with the outcome's inverse-variance
/// method and test (REML with Hartung–Knapp when the outcome asks for Mantel–Haenszel or
/// Peto, which have no single-group form).
fn pool_rows(
    rows: &[SingleArmRow],
    kind: OutcomeKind,
    settings: &OutcomeSettings,
    proportions: Proportions,
) -> Option<PooledSingleArm> {
    let method = match stats_method(settings.method) {
        Method::MH | Method::PETO => Method::REML,
        m => m,
    };
    let test = stats_test(settings.test, method);
    let measure = match kind {
        OutcomeKind::Binary => match proportions {
            Proportions::Logit => Measure::PLO,
            Proportions::FreemanTukey => Measure::PFT,
        },
        OutcomeKind::Continuous | OutcomeKind::TimeToEvent => Measure::MC,
    };
    let mut yi = Vec::new();
    let mut vi = Vec::new();
    let mut ns = Vec::new();
    for r in rows {
        match r.estimate {
            ArmEstimate::Proportion { events, n, .. } => {
                // metafor's escalc default for PLO: 1/2 added when events are 0 or n.
                let e = proportion_effect(measure, &EventCount { xi: events, ni: n }, 0.5).ok()?;
                let (y, v) = e.value()?;
                yi.push(y);
                vi.push(v);
                ns.push(n);
            }
            ArmEstimate::MeanChange { change, se, .. } => {
                yi.push(change);
                vi.push(se * se);
            }
            _ => {}
        }
    }
    if yi.len() < 2 {
        return None;
    }
    let result = pool_inverse_variance(&yi, &vi, method, test).ok()?;
    let back = |y: f64| match measure {
        Measure::MC => Some(y),
        m => back_transform(m.back_transform(), y, &ns),
    };
    Some(PooledSingleArm {
        measure,
        estimate: back(result.estimate)?,
        ci_lower: back(result.ci_lower)?,
        ci_upper: back(result.ci_upper)?,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Test;
    use std::path::Path;

    fn fixture() -> Project {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/single-arm");
        crate::data::load_project(&root).expect("fixture validates")
    }

    fn outcome<'a>(a: &'a SingleArmAnalysis, id: &str) -> &'a SingleArmOutcome {
        a.outcomes.iter().find(|o| o.outcome == id).unwrap()
    }

    #[test]
    fn mean_changes_have_t_intervals_with_r_one_half() {
        let a = analyse_single_arms(&fixture());
        let t = &outcome(&a, "hba1c").times[0];
        assert_eq!(t.time, "month 6");
        // Alpha: 7.60 − 8.40, var (1.0² + 1.2² − 2·0.5·1.0·1.2)/40 = 0.031,
        // t(0.975, 39) = 2.022691 (R qt).
        let ArmEstimate::MeanChange {
            change,
            se,
            n,
            ci_lower,
            ci_upper,
        } = t.rows[0].estimate
        else {
            panic!("{:?}", t.rows[0].estimate)
        };
        assert!((change + 0.80).abs() < 1e-12 && n == 40.0);
        assert!((se - 0.031_f64.sqrt()).abs() < 1e-12);
        assert!((ci_lower - (-0.80 - 2.022_691 * se)).abs() < 1e-6);
        assert!((ci_upper - (-0.80 + 2.022_691 * se)).abs() < 1e-6);
        // Beta: var (1.1² + 0.9² − 0.99)/25 = 0.0412, t(0.975, 24) = 2.063899.
        let ArmEstimate::MeanChange { ci_upper, se, .. } = t.rows[1].estimate else {
            panic!()
        };
        assert!((se - 0.0412_f64.sqrt()).abs() < 1e-12);
        assert!((ci_upper - (-0.40 + 2.063_899 * se)).abs() < 1e-6);
        // Two arms: pooled on the mean-change scale with REML and Hartung–Knapp.
        let p = t.pooled.as_ref().expect("two arms pooled");
        assert_eq!(p.measure, Measure::MC);
        let direct =
            pool_inverse_variance(&[-0.80, -0.40], &[0.031, 0.0412], Method::REML, Test::Knha)
                .unwrap();
        assert!((p.estimate - direct.estimate).abs() < 1e-9);
        assert!((p.ci_lower - direct.ci_lower).abs() < 1e-9);
    }

    #[test]
    fn proportions_have_exact_intervals_and_pool_as_logits_or_freeman_tukey() {
        let mut project = fixture();
        let a = analyse_single_arms(&project);
        let t = &outcome(&a, "remission").times[0];
        let ArmEstimate::Proportion { events, n, ci } = t.rows[0].estimate else {
            panic!()
        };
        assert_eq!((events, n), (12.0, 40.0));
        assert_eq!(ci, clopper_pearson(12, 40).unwrap());
        let p = t.pooled.as_ref().unwrap();
        assert_eq!(p.measure, Measure::PLO);
        // metafor: escalc("PLO", xi = c(12, 4), ni = c(40, 25)); rma(yi, vi, test = "knha")
        let yi = [(12.0_f64 / 28.0).ln(), (4.0_f64 / 21.0).ln()];
        let vi = [1.0 / 12.0 + 1.0 / 28.0, 1.0 / 4.0 + 1.0 / 21.0];
        let direct = pool_inverse_variance(&yi, &vi, Method::REML, Test::Knha).unwrap();
        let ilogit = |x: f64| 1.0 / (1.0 + (-x).exp());
        assert!((p.estimate - ilogit(direct.estimate)).abs() < 1e-12);
        assert!((p.ci_upper - ilogit(direct.ci_upper)).abs() < 1e-12);
        assert!(p.ci_lower < p.estimate && p.estimate < p.ci_upper);

        project.config.analysis.proportions = Proportions::FreemanTukey;
        let a = analyse_single_arms(&project);
        let p = outcome(&a, "remission").times[0].pooled.clone().unwrap();
        assert_eq!(p.measure, Measure::PFT);
        // Back-transformed with the harmonic mean of the group sizes (transf.ipft.hm).
        let ns = [40.0, 25.0];
        let back = crate::stats::transform::ipft_hm(p.result.estimate, &ns).unwrap();
        assert!((p.estimate - back).abs() < 1e-12);
        assert!((0.1..0.4).contains(&p.estimate), "{}", p.estimate);
    }

    #[test]
    fn the_bundled_registry_is_uncontrolled_and_kept_as_printed_without_n() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled data validates");
        let a = analyse_single_arms(&project);
        let hba1c = outcome(&a, "hba1c");
        let month6 = hba1c.times.iter().find(|t| t.time == "month 6").unwrap();
        let row = &month6.rows[0];
        assert_eq!(row.study, "chin-cytopeutics-registry");
        // 7.52 − 7.77; the number analysed is not reported, so no interval.
        let ArmEstimate::ChangeWithoutN { change } = row.estimate else {
            panic!("{:?}", row.estimate)
        };
        assert!((change + 0.25).abs() < 1e-12);
        assert!(month6.pooled.is_none());
        // Medians pair with the median baseline and are shown as printed.
        let month12 = hba1c.times.iter().find(|t| t.time == "month 12").unwrap();
        assert!(matches!(month12.rows[0].estimate, ArmEstimate::AsPrinted));
        let base = &project
            .studies
            .iter()
            .find(|s| s.study.id.get_ref() == "chin-cytopeutics-registry")
            .unwrap()
            .study
            .results[month12.rows[0].baseline.unwrap()];
        assert!(base.median.is_some());
        // Controlled studies never appear here.
        assert!(
            a.outcomes
                .iter()
                .flat_map(|o| &o.times)
                .flat_map(|t| &t.rows)
                .all(|r| r.study == "chin-cytopeutics-registry" || r.study == "pkusz-case-report")
        );
    }
}
