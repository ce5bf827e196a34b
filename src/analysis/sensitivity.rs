//! Sensitivity and cumulative analyses for the brief, per outcome and time with at least
//! [`MIN_STUDIES`] estimable studies, from the engine's `sensitivity` functions (metafor
//! `leave1out`, `influence`, `cumul`): the range of the leave-one-out estimates, the model
//! without studies at high risk of bias (RoB 2 "high", ROBINS-I "serious" or "critical",
//! from the curated overall judgements), the common-effect model beside a random-effects
//! one, the studies metafor's `influence()` flags, and the estimates as studies
//! accumulate by publication year. No files, no formatting.
//!
//! Why 3: with two studies leaving one out leaves a single study, not a meta-analysis.

use std::collections::HashMap;

use serde::Serialize;

use super::{OutcomeAnalysis, TimeAnalysis, stats_method, stats_test};
use crate::data::Project;
use crate::data::model::{ReportRole, Study};
use crate::stats::sensitivity::{Refit, case_deletion, cumulative, refit};
use crate::stats::{Measure, Method, Test};

/// Fewest studies for leave-one-out, influence and cumulative analyses.
pub const MIN_STUDIES: usize = 3;

/// Sensitivity and cumulative analyses of one outcome at one time point.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    /// Outcome id.
    pub outcome: String,
    /// Time point.
    pub time: String,
    /// The measure (ratios on the log scale).
    pub measure: Measure,
    /// The τ² method (the outcome's; REML for Mantel–Haenszel and Peto).
    pub method: Method,
    /// The outcome's test.
    pub test: Test,
    /// Estimable studies, in the rows' order.
    pub ids: Vec<String>,
    /// The model on all of them.
    pub full: Refit,
    /// The model without each study in turn (`ids` order).
    pub leave_one_out: Vec<Refit>,
    /// Studies at high risk of bias, left out of [`Sensitivity::without_high_risk`].
    pub high_risk: Vec<String>,
    /// The model without them; `None` when no study is at high risk, or all are, or only
    /// one would remain.
    pub without_high_risk: Option<Refit>,
    /// The common-effect model, when the main model is a random-effects one.
    pub common: Option<Refit>,
    /// Studies flagged influential by metafor's `influence()`.
    pub influential: Vec<String>,
    /// Publication year of each study (primary report), in `ids` order.
    pub years: Vec<Option<i32>>,
    /// Studies in cumulative order (indices into `ids`: by year, ties in row order, no
    /// year last).
    pub order: Vec<usize>,
    /// The model after each study of `order` is added.
    pub cumulative: Vec<Refit>,
}

/// True for an overall judgement at high risk of bias (RoB 2 high, ROBINS-I serious or
/// critical: severity 2 or more).
pub fn high_risk_of_bias(study: &Study) -> bool {
    study
        .risk_of_bias
        .as_ref()
        .and_then(|r| r.resolve())
        .and_then(|r| r.overall.0.severity())
        .is_some_and(|s| s >= 2)
}

/// The publication year of a study: that of its primary report, else its first report.
pub fn publication_year(project: &Project, study: &Study) -> Option<i32> {
    let report = study
        .reports
        .iter()
        .find(|r| r.role == ReportRole::Primary)
        .or_else(|| study.reports.first())?;
    let (_, entry) = project.bibliography.entry(report.key.get_ref())?;
    entry.date().map(|d| d.year)
}

/// The analyses of one time point, when it has at least [`MIN_STUDIES`] estimable studies.
pub fn sensitivity(
    project: &Project,
    analysis: &OutcomeAnalysis,
    time: &TimeAnalysis,
) -> Option<Sensitivity> {
    time.pooled.as_ref().filter(|p| !p.single_study)?;
    let rows: Vec<(&str, f64, f64)> = time
        .studies
        .iter()
        .filter_map(|r| {
            let (y, v) = r.effect.value()?;
            Some((r.study.as_str(), y, v))
        })
        .collect();
    if rows.len() < MIN_STUDIES {
        return None;
    }
    let method = match stats_method(analysis.settings.method) {
        Method::MH | Method::PETO => Method::REML,
        m => m,
    };
    let test = stats_test(analysis.settings.test, method);
    let yi: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let vi: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let ids: Vec<String> = rows.iter().map(|r| r.0.to_owned()).collect();
    let by_id: HashMap<&str, &Study> = project
        .studies
        .iter()
        .map(|s| (s.study.id.get_ref().as_str(), &s.study))
        .collect();
    let study = |id: &str| by_id.get(id).copied();
    let all: Vec<usize> = (0..yi.len()).collect();
    let full = refit(&yi, &vi, method, test).ok()?;
    let deletion = case_deletion(&yi, &vi, method, test);
    let leave = deletion.leave_one_out.ok()?;
    let is_high: Vec<bool> = ids
        .iter()
        .map(|id| study(id).is_some_and(high_risk_of_bias))
        .collect();
    let high: Vec<usize> = all.iter().copied().filter(|&i| is_high[i]).collect();
    let kept: Vec<usize> = all.iter().copied().filter(|&i| !is_high[i]).collect();
    let without_high_risk = if high.is_empty() || kept.len() < 2 {
        None
    } else {
        let y: Vec<f64> = kept.iter().map(|&i| yi[i]).collect();
        let v: Vec<f64> = kept.iter().map(|&i| vi[i]).collect();
        refit(&y, &v, method, test).ok()
    };
    let common = method
        .is_random()
        .then(|| refit(&yi, &vi, Method::FE, Test::Z).ok())
        .flatten();
    let influential = deletion
        .influence
        .map(|inf| {
            inf.iter()
                .zip(&ids)
                .filter(|(f, _)| f.influential)
                .map(|(_, id)| id.clone())
                .collect()
        })
        .unwrap_or_default();
    let years: Vec<Option<i32>> = ids
        .iter()
        .map(|id| study(id).and_then(|s| publication_year(project, s)))
        .collect();
    let mut order = all.clone();
    // Stable: ties keep the rows' order (metafor `cumul(order = …)` with a stable sort).
    order.sort_by_key(|&i| years[i].map_or((1, 0), |y| (0, y)));
    let cumulative = cumulative(&yi, &vi, &order, method, test).ok()?;
    Some(Sensitivity {
        outcome: analysis.outcome.clone(),
        time: time.time.clone(),
        measure: analysis.measure,
        method,
        test,
        high_risk: high.iter().map(|&i| ids[i].clone()).collect(),
        ids,
        full,
        leave_one_out: leave,
        without_high_risk,
        common,
        influential,
        years,
        order,
        cumulative,
    })
}

/// Every sensitivity analysis of the brief, in outcome and time order.
///
/// Each needs about 2k refits of its k studies (the deletion fits leave-one-out and
/// influence share, and the cumulative steps), so a brief of 1000 studies spends a second
/// here; the analyses are independent and run on all cores, their order kept.
pub fn sensitivities(project: &Project, outcomes: &[OutcomeAnalysis]) -> Vec<Sensitivity> {
    let jobs: Vec<(&OutcomeAnalysis, &TimeAnalysis)> = outcomes
        .iter()
        .flat_map(|a| a.times.iter().map(move |t| (a, t)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    if threads <= 1 {
        return jobs
            .into_iter()
            .filter_map(|(a, t)| sensitivity(project, a, t))
            .collect();
    }
    let chunk = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(a, t)| sensitivity(project, a, t))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .flatten()
            .collect()
    })
}
