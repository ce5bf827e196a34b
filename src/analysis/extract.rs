//! From what a study reported to what the engine needs: the two arms compared, their
//! event counts or means and SDs (after the conversions `stats` offers), and the effect.
//!
//! Every conversion is written to the row's audit trail, so the brief can say what was done.

use serde::Serialize;

use super::{AuditKind, AuditLine, StudyEffectRow};
use crate::config::{DoubleZero, OutcomeSettings};
use crate::data::LoadedStudy;
use crate::data::model::{ArmRole, Measurement, Study};
use crate::stats::Measure;
use crate::stats::convert::{PercentEvents, events_from_percentage, sd_from_sem};
use crate::stats::dist::qnorm;
use crate::stats::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use crate::stats::effect::continuous::{TwoGroupMeans, continuous_effect};
use crate::stats::effect::{Status, StudyEffect};
use crate::stats::measure::DataKind;

/// What one arm contributed to an effect, after conversions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArmData {
    /// Events out of participants.
    Events {
        /// Participants with the event.
        events: f64,
        /// Participants analysed.
        n: f64,
    },
    /// Mean and SD of a measurement.
    Means {
        /// Mean.
        mean: f64,
        /// Standard deviation (derived from the SEM where the paper gave that).
        sd: f64,
        /// Participants analysed.
        n: f64,
    },
    /// Only the arm's size: the effect was entered as the paper reports it, not computed
    /// from this arm's values.
    Size {
        /// Participants in the arm.
        n: f64,
    },
}

impl ArmData {
    /// Participants analysed in this arm.
    pub fn n(&self) -> f64 {
        match *self {
            ArmData::Events { n, .. } | ArmData::Means { n, .. } | ArmData::Size { n } => n,
        }
    }
}

/// Effects of one study for one outcome: first intervention arm against first control arm,
/// at every time point (other than baseline) where both arms report a usable value.
pub fn study_effects(
    s: &LoadedStudy,
    outcome: &str,
    measure: Measure,
    settings: &OutcomeSettings,
) -> Vec<(String, StudyEffectRow)> {
    let st = &s.study;
    let (Some(treat), Some(ctrl)) = (
        st.arms.iter().find(|a| a.role == ArmRole::Intervention),
        st.arms.iter().find(|a| a.role == ArmRole::Control),
    ) else {
        return Vec::new();
    };
    let is_outcome =
        |m: &Measurement| m.outcome.as_ref().map(|o| o.get_ref().as_str()) == Some(outcome);
    let at = |arm: &str, time: &str| {
        st.analysed_results().find(|m| {
            is_outcome(m)
                && m.arm.get_ref() == arm
                && m.time.as_ref().map(|t| t.get_ref().as_str()) == Some(time)
        })
    };
    let mut times: Vec<&str> = Vec::new();
    for m in st.analysed_results().filter(|m| is_outcome(m)) {
        if let Some(t) = m.time.as_ref().map(|t| t.get_ref().as_str())
            && t != "baseline"
            && !times.contains(&t)
        {
            times.push(t);
        }
    }
    let mut out = Vec::new();
    for time in times {
        let (Some(a), Some(b)) = (at(treat.id.get_ref(), time), at(ctrl.id.get_ref(), time)) else {
            continue;
        };
        let mut audit = Vec::new();
        let computed = if measure.data_kind() == DataKind::Binary {
            binary_pair(s, a, b, measure, settings, &mut audit)
        } else {
            continuous_pair(st, a, b, measure, &mut audit)
        };
        let Some((effect, intervention_data, control_data)) = computed else {
            continue;
        };
        let (ci_lower, ci_upper) = wald_ci(&effect);
        out.push((
            time.to_owned(),
            StudyEffectRow {
                study: st.id.get_ref().clone(),
                report: a.source.report.get_ref().clone(),
                subgroup: String::new(),
                population: a
                    .subpopulation
                    .as_ref()
                    .and_then(|p| st.subpopulation(p.get_ref()))
                    .map(|p| p.population.clone()),
                intervention: treat.id.get_ref().clone(),
                control: ctrl.id.get_ref().clone(),
                participants: intervention_data.n() + control_data.n(),
                intervention_data,
                control_data,
                effect,
                ci_lower,
                ci_upper,
                weight: None,
                audit,
                reported: None,
            },
        ));
    }
    out
}

/// The 2×2 table behind a binary row, for Mantel–Haenszel and Peto pooling.
pub fn table_of(row: &StudyEffectRow) -> Option<TwoByTwo> {
    match (row.intervention_data, row.control_data) {
        (ArmData::Events { events: a, n: n1 }, ArmData::Events { events: c, n: n2 }) => {
            TwoByTwo::from_events(a, n1, c, n2).ok()
        }
        _ => None,
    }
}

/// Wald 95% CI on the analysis scale, as metafor `escalc` + `summary` (yi ± z₀.₉₇₅ √vi).
fn wald_ci(effect: &StudyEffect) -> (Option<f64>, Option<f64>) {
    match (&effect.status, effect.yi, effect.vi, qnorm(0.975)) {
        (Status::Estimable, Some(y), Some(v), Ok(z)) => {
            (Some(y - z * v.sqrt()), Some(y + z * v.sqrt()))
        }
        _ => (None, None),
    }
}

/// Participants behind a value: its own `n`, else the arm's, never a guess when `n-unknown`.
pub(crate) fn arm_size(st: &Study, m: &Measurement) -> Option<f64> {
    if m.n_unknown.as_ref().is_some_and(|f| *f.get_ref()) {
        return None;
    }
    m.n.as_ref()
        .map(|n| *n.get_ref())
        .or_else(|| {
            st.arm_size(
                m.arm.get_ref(),
                m.subpopulation.as_ref().map(|s| s.get_ref().as_str()),
            )
        })
        .map(|n| n as f64)
}

pub(crate) fn events(
    s: &LoadedStudy,
    m: &Measurement,
    audit: &mut Vec<AuditLine>,
) -> Option<ArmData> {
    let n = arm_size(&s.study, m)?;
    if let Some(e) = &m.events {
        return Some(ArmData::Events {
            events: *e.get_ref() as f64,
            n,
        });
    }
    let p = m.percent.as_ref()?;
    let literal = s.file.text.get(p.span())?;
    match events_from_percentage(literal, n as u64).ok()? {
        PercentEvents::Exact {
            events,
            audit: entry,
        } => {
            audit.push(AuditLine {
                kind: AuditKind::EventsFromPercent,
                text: entry.sentence,
                params: entry.params,
            });
            Some(ArmData::Events {
                events: events as f64,
                n,
            })
        }
        PercentEvents::Ambiguous { .. } => None,
    }
}

fn binary_pair(
    s: &LoadedStudy,
    a: &Measurement,
    b: &Measurement,
    measure: Measure,
    settings: &OutcomeSettings,
    audit: &mut Vec<AuditLine>,
) -> Option<(StudyEffect, ArmData, ArmData)> {
    let treat = events(s, a, audit)?;
    let ctrl = events(s, b, audit)?;
    let (ArmData::Events { events: ai, n: n1 }, ArmData::Events { events: ci, n: n2 }) =
        (treat, ctrl)
    else {
        return None;
    };
    let table = TwoByTwo::from_events(ai, n1, ci, n2).ok()?;
    let opts = BinaryOptions {
        drop00: settings.double_zero == DoubleZero::Drop,
        ..BinaryOptions::default()
    };
    let effect = binary_effect(measure, &table, &opts).ok()?;
    if let Some(c) = &effect.correction {
        audit.push(AuditLine {
            kind: AuditKind::ZeroCellCorrection,
            text: c.note.clone(),
            params: vec![("added".into(), c.added_text())],
        });
    }
    Some((effect, treat, ctrl))
}

pub(crate) fn mean_sd(st: &Study, m: &Measurement, audit: &mut Vec<AuditLine>) -> Option<ArmData> {
    let mean = *m.mean.as_ref()?.get_ref();
    let n = arm_size(st, m)?;
    if let Some(sd) = &m.sd {
        return Some(ArmData::Means {
            mean,
            sd: *sd.get_ref(),
            n,
        });
    }
    let converted = sd_from_sem(*m.sem.as_ref()?.get_ref(), n).ok()?;
    audit.push(AuditLine {
        kind: AuditKind::SdFromSem,
        text: converted.audit.sentence,
        params: converted.audit.params,
    });
    Some(ArmData::Means {
        mean,
        sd: converted.value,
        n,
    })
}

fn continuous_pair(
    st: &Study,
    a: &Measurement,
    b: &Measurement,
    measure: Measure,
    audit: &mut Vec<AuditLine>,
) -> Option<(StudyEffect, ArmData, ArmData)> {
    let treat = mean_sd(st, a, audit)?;
    let ctrl = mean_sd(st, b, audit)?;
    let (
        ArmData::Means {
            mean: m1i,
            sd: sd1i,
            n: n1i,
        },
        ArmData::Means {
            mean: m2i,
            sd: sd2i,
            n: n2i,
        },
    ) = (treat, ctrl)
    else {
        return None;
    };
    let effect = continuous_effect(
        measure,
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
    Some((effect, treat, ctrl))
}
