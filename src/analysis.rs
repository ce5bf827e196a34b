//! The brief's analysis: per-study effects for every outcome and time point that has two
//! comparable arms, and pooled estimates where two or more studies share an outcome and time.
//!
//! Sits between `data` (what papers reported) and `report` (how it is shown): it picks
//! which values can be compared, runs the conversions `stats` offers (percentage → events,
//! SEM → SD) and records each one in an audit trail. Pure: no files, no formatting.

use serde::Serialize;

use crate::config::OutcomeKind;
use crate::data::model::{ArmRole, Measurement, Study};
use crate::data::time::parse_time;
use crate::data::{LoadedStudy, Project};
use crate::stats::convert::{PercentEvents, events_from_percentage, sd_from_sem};
use crate::stats::dist::qnorm;
use crate::stats::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use crate::stats::effect::continuous::{TwoGroupMeans, continuous_effect};
use crate::stats::effect::{Status, StudyEffect};
use crate::stats::pool::PoolResult;
use crate::stats::pool::inverse_variance::pool_inverse_variance;
use crate::stats::{Measure, Method, Test};

/// Estimator and test used for pooling in the brief: REML with the Hartung–Knapp
/// adjustment, as current Cochrane guidance recommends (Cochrane Handbook 10.10.4).
pub const BRIEF_METHOD: (Method, Test) = (Method::REML, Test::Knha);

/// All effects of one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeAnalysis {
    /// Outcome id from `brief.toml`.
    pub outcome: String,
    /// Effect measure used (RR for binary, MD for continuous outcomes).
    pub measure: Measure,
    /// One group per time point.
    pub times: Vec<TimeAnalysis>,
}

/// Studies comparing the same two kinds of arm at one time point.
#[derive(Debug, Clone, Serialize)]
pub struct TimeAnalysis {
    /// Time point label ("week 9").
    pub time: String,
    /// Per-study effects.
    pub studies: Vec<StudyEffectRow>,
    /// The pooled result; for k = 1 it is the study's own effect, flagged `single_study`.
    pub pooled: Option<PoolResult>,
}

/// One study's effect at one time point, on the analysis scale (log for ratios).
#[derive(Debug, Clone, Serialize)]
pub struct StudyEffectRow {
    /// Study id.
    pub study: String,
    /// Intervention arm id.
    pub intervention: String,
    /// Control arm id.
    pub control: String,
    /// The effect (or why there is none).
    pub effect: StudyEffect,
    /// Lower 95% confidence limit on the analysis scale.
    pub ci_lower: Option<f64>,
    /// Upper 95% confidence limit on the analysis scale.
    pub ci_upper: Option<f64>,
    /// Participants in both arms.
    pub participants: f64,
    /// Conversions applied to reach the effect, as sentences.
    pub audit: Vec<String>,
}

/// Computes effects for every outcome of the project.
pub fn analyse_project(project: &Project) -> Vec<OutcomeAnalysis> {
    project
        .config
        .outcomes
        .iter()
        .map(|o| {
            let o = o.get_ref();
            let measure = match o.kind {
                OutcomeKind::Binary => Measure::RR,
                OutcomeKind::Continuous => Measure::MD,
            };
            let mut times: Vec<(f64, TimeAnalysis)> = Vec::new();
            for s in &project.studies {
                for (time, row) in study_effects(s, &o.id, measure) {
                    let days = parse_time(&time).map_or(f64::INFINITY, |t| t.days);
                    match times.iter_mut().find(|(_, t)| t.time == time) {
                        Some((_, t)) => t.studies.push(row),
                        None => times.push((
                            days,
                            TimeAnalysis {
                                time,
                                studies: vec![row],
                                pooled: None,
                            },
                        )),
                    }
                }
            }
            times.sort_by(|a, b| a.0.total_cmp(&b.0));
            let times = times
                .into_iter()
                .map(|(_, mut t)| {
                    t.pooled = pool(&t.studies);
                    t
                })
                .collect();
            OutcomeAnalysis {
                outcome: o.id.clone(),
                measure,
                times,
            }
        })
        .collect()
}

fn pool(rows: &[StudyEffectRow]) -> Option<PoolResult> {
    let (yi, vi): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .filter_map(|r| Some((r.effect.yi?, r.effect.vi?)))
        .unzip();
    if yi.is_empty() {
        return None;
    }
    pool_inverse_variance(&yi, &vi, BRIEF_METHOD.0, BRIEF_METHOD.1).ok()
}

/// Effects of one study for one outcome: first intervention arm against first control arm,
/// at every time point where both arms report a usable value.
fn study_effects(
    s: &LoadedStudy,
    outcome: &str,
    measure: Measure,
) -> Vec<(String, StudyEffectRow)> {
    let st = &s.study;
    let (Some(treat), Some(ctrl)) = (
        st.arms.iter().find(|a| a.role == ArmRole::Intervention),
        st.arms.iter().find(|a| a.role == ArmRole::Control),
    ) else {
        return Vec::new();
    };
    let at = |arm: &str, time: &str| {
        st.results.iter().find(|m| {
            m.outcome.as_ref().map(|o| o.get_ref().as_str()) == Some(outcome)
                && m.arm.get_ref() == arm
                && m.time.as_ref().map(|t| t.get_ref().as_str()) == Some(time)
        })
    };
    let mut times: Vec<&str> = Vec::new();
    for m in &st.results {
        if m.outcome.as_ref().map(|o| o.get_ref().as_str()) == Some(outcome)
            && let Some(t) = m.time.as_ref().map(|t| t.get_ref().as_str())
            && t != "baseline"
            && !times.contains(&t)
        {
            times.push(t);
        }
    }
    let mut out: Vec<(String, StudyEffectRow)> = Vec::new();
    for time in times {
        let (Some(a), Some(b)) = (at(treat.id.get_ref(), time), at(ctrl.id.get_ref(), time)) else {
            continue;
        };
        let mut audit = Vec::new();
        let computed = match measure {
            Measure::RR => binary_pair(s, st, a, b, &mut audit),
            _ => continuous_pair(st, a, b, &mut audit),
        };
        if let Some((effect, participants)) = computed {
            let (lo, hi) = ci(&effect);
            out.push((
                time.to_owned(),
                StudyEffectRow {
                    study: st.id.get_ref().clone(),
                    intervention: treat.id.get_ref().clone(),
                    control: ctrl.id.get_ref().clone(),
                    effect,
                    ci_lower: lo,
                    ci_upper: hi,
                    participants,
                    audit,
                },
            ));
        }
    }
    out
}

/// Wald 95% CI on the analysis scale, as metafor `escalc` + `summary` (yi ± z₀.₉₇₅ √vi).
fn ci(effect: &StudyEffect) -> (Option<f64>, Option<f64>) {
    match (&effect.status, effect.yi, effect.vi, qnorm(0.975)) {
        (Status::Estimable, Some(y), Some(v), Ok(z)) => {
            (Some(y - z * v.sqrt()), Some(y + z * v.sqrt()))
        }
        _ => (None, None),
    }
}

/// Participants behind a value: its own `n`, else the arm's, never a guess when `n-unknown`.
fn arm_size(st: &Study, m: &Measurement) -> Option<f64> {
    if m.n_unknown.as_ref().is_some_and(|f| *f.get_ref()) {
        return None;
    }
    m.n.as_ref()
        .map(|n| *n.get_ref())
        .or_else(|| {
            st.arms
                .iter()
                .find(|a| a.id.get_ref() == m.arm.get_ref())
                .map(|a| *a.n.get_ref())
        })
        .map(|n| n as f64)
}

fn events(
    s: &LoadedStudy,
    st: &Study,
    m: &Measurement,
    audit: &mut Vec<String>,
) -> Option<(f64, f64)> {
    let n = arm_size(st, m)?;
    if let Some(e) = &m.events {
        return Some((*e.get_ref() as f64, n));
    }
    let p = m.percent.as_ref()?;
    let literal = s.file.text.get(p.span())?;
    match events_from_percentage(literal, n as u64).ok()? {
        PercentEvents::Exact {
            events,
            audit: entry,
        } => {
            audit.push(entry.sentence);
            Some((events as f64, n))
        }
        PercentEvents::Ambiguous { .. } => None,
    }
}

fn binary_pair(
    s: &LoadedStudy,
    st: &Study,
    a: &Measurement,
    b: &Measurement,
    audit: &mut Vec<String>,
) -> Option<(StudyEffect, f64)> {
    let (ai, n1) = events(s, st, a, audit)?;
    let (ci, n2) = events(s, st, b, audit)?;
    let table = TwoByTwo::from_events(ai, n1, ci, n2).ok()?;
    let effect = binary_effect(Measure::RR, &table, &BinaryOptions::default()).ok()?;
    if let Some(c) = &effect.correction {
        audit.push(c.note.clone());
    }
    Some((effect, n1 + n2))
}

fn mean_sd(st: &Study, m: &Measurement, audit: &mut Vec<String>) -> Option<(f64, f64, f64)> {
    let mean = *m.mean.as_ref()?.get_ref();
    let n = arm_size(st, m)?;
    if let Some(sd) = &m.sd {
        return Some((mean, *sd.get_ref(), n));
    }
    let converted = sd_from_sem(*m.sem.as_ref()?.get_ref(), n).ok()?;
    audit.push(converted.audit.sentence);
    Some((mean, converted.value, n))
}

fn continuous_pair(
    st: &Study,
    a: &Measurement,
    b: &Measurement,
    audit: &mut Vec<String>,
) -> Option<(StudyEffect, f64)> {
    let (m1i, sd1i, n1i) = mean_sd(st, a, audit)?;
    let (m2i, sd2i, n2i) = mean_sd(st, b, audit)?;
    let effect = continuous_effect(
        Measure::MD,
        &TwoGroupMeans {
            m1i,
            sd1i,
            n1i,
            m2i,
            sd2i,
            n2i,
        },
    )
    .ok()?;
    Some((effect, n1i + n2i))
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
        assert!(week9.pooled.as_ref().unwrap().single_study);
        // The registry has no control arm: no between-arm effects for its outcomes.
        let hs_crp = analysis
            .iter()
            .find(|a| a.outcome == "hs-crp-high")
            .unwrap();
        assert!(hs_crp.times.is_empty());
    }
}
