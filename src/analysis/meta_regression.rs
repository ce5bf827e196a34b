//! Meta-regression on study-level covariates named in `brief.toml` (`[analysis]
//! covariates = ["year", "dose"]`), per outcome and time, one covariate at a time: the
//! mixed-effects model `yi = β₀ + β₁ x + u + e` with the outcome's τ² method and test
//! (metafor `rma(yi, vi, mods = ~ x)`, from `stats::metareg`), and its R² (metafor's
//! default). Values come from a study file's `[covariates]` table, `year` from the
//! publication year of the primary report unless the table gives it.
//!
//! Only where at least [`MIN_STUDIES_PER_COVARIATE`] studies have a value (Cochrane
//! Handbook 10.11.5.1: meta-regression "should generally not be considered when there are
//! fewer than ten studies"). No files, no formatting.

use serde::Serialize;

use super::sensitivity::publication_year;
use super::{OutcomeAnalysis, TimeAnalysis, stats_method, stats_test};
use crate::data::Project;
use crate::stats::metareg::{FitOptions, design_with_intercept, fit, r2};
use crate::stats::{Measure, Method, Test};

/// Fewest studies with a value for a meta-regression on one covariate.
pub const MIN_STUDIES_PER_COVARIATE: usize = 10;

/// A meta-regression of one outcome and time on one covariate.
#[derive(Debug, Clone, Serialize)]
pub struct MetaRegression {
    /// Outcome id.
    pub outcome: String,
    /// Time point.
    pub time: String,
    /// The covariate's name as in `brief.toml`.
    pub covariate: String,
    /// The measure (ratios on the log scale).
    pub measure: Measure,
    /// The τ² method.
    pub method: Method,
    /// The test.
    pub test: Test,
    /// `(x, effect, variance)` of each study with a value.
    pub points: Vec<(f64, f64, f64)>,
    /// Intercept and slope.
    pub beta: [f64; 2],
    /// Standard error of the slope.
    pub slope_se: f64,
    /// Lower 95% limit of the slope.
    pub slope_ci_lower: f64,
    /// Upper 95% limit of the slope.
    pub slope_ci_upper: f64,
    /// p value of the slope (z, or t with k − 2 df under Hartung–Knapp).
    pub p: f64,
    /// Residual τ².
    pub tau2: f64,
    /// R² in percent (metafor's default definition).
    pub r2: Option<f64>,
}

/// What happened to one configured covariate at one outcome and time.
#[derive(Debug, Clone, Serialize)]
pub enum CovariateResult {
    /// Fitted.
    Fitted(Box<MetaRegression>),
    /// Too few studies with a value: how many had one.
    TooFew {
        /// Outcome id.
        outcome: String,
        /// Time point.
        time: String,
        /// The covariate.
        covariate: String,
        /// Studies with a value.
        k: usize,
    },
}

/// The covariate's value for a study: its `[covariates]` entry, or for `year` the
/// publication year.
fn value(project: &Project, study: &str, covariate: &str) -> Option<f64> {
    let s = project
        .studies
        .iter()
        .map(|s| &s.study)
        .find(|s| s.id.get_ref() == study)?;
    if let Some(v) = s.covariates.get(covariate) {
        return Some(*v.get_ref()).filter(|v| v.is_finite());
    }
    (covariate == "year")
        .then(|| publication_year(project, s))
        .flatten()
        .map(f64::from)
}

/// Meta-regressions of one time point, one per configured covariate, when it pools two or
/// more studies.
pub fn meta_regressions(
    project: &Project,
    analysis: &OutcomeAnalysis,
    time: &TimeAnalysis,
) -> Vec<CovariateResult> {
    if time.pooled.as_ref().is_none_or(|p| p.single_study) {
        return Vec::new();
    }
    let method = match stats_method(analysis.settings.method) {
        Method::MH | Method::PETO => Method::REML,
        m => m,
    };
    let test = stats_test(analysis.settings.test, method);
    project
        .config
        .analysis
        .covariates
        .iter()
        .map(|c| {
            let points: Vec<(f64, f64, f64)> = time
                .studies
                .iter()
                .filter_map(|r| {
                    let (y, v) = r.effect.value()?;
                    Some((value(project, &r.study, c)?, y, v))
                })
                .collect();
            let too_few = || CovariateResult::TooFew {
                outcome: analysis.outcome.clone(),
                time: time.time.clone(),
                covariate: c.clone(),
                k: points.len(),
            };
            if points.len() < MIN_STUDIES_PER_COVARIATE {
                return too_few();
            }
            let x: Vec<f64> = points.iter().map(|p| p.0).collect();
            let yi: Vec<f64> = points.iter().map(|p| p.1).collect();
            let vi: Vec<f64> = points.iter().map(|p| p.2).collect();
            let design = design_with_intercept(yi.len(), &[x]);
            let Ok(f) = fit(&yi, &vi, &design, &[1], FitOptions { method, test }) else {
                return too_few();
            };
            CovariateResult::Fitted(Box::new(MetaRegression {
                outcome: analysis.outcome.clone(),
                time: time.time.clone(),
                covariate: c.clone(),
                measure: analysis.measure,
                method,
                test,
                beta: [f.beta[0], f.beta[1]],
                slope_se: f.se[1],
                slope_ci_lower: f.ci_lower[1],
                slope_ci_upper: f.ci_upper[1],
                p: f.p_values[1],
                tau2: f.tau2,
                r2: r2(&yi, &vi, &f, &design).ok(),
                points,
            }))
        })
        .collect()
}

/// Every meta-regression of the brief, in outcome, time and covariate order.
pub fn all_meta_regressions(
    project: &Project,
    outcomes: &[OutcomeAnalysis],
) -> Vec<CovariateResult> {
    outcomes
        .iter()
        .flat_map(|a| {
            a.times
                .iter()
                .flat_map(move |t| meta_regressions(project, a, t))
        })
        .collect()
}
