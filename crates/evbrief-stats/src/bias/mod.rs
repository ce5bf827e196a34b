//! Small-study effects: Egger's regression test (metafor `regtest`), Begg &
//! Mazumdar's rank correlation (metafor `ranktest`) and Duval & Tweedie's
//! trim-and-fill (metafor `trimfill`).

mod kendall;
mod trimfill;

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::dist;
use crate::error::StatsError;
use crate::measure::{Method, Test};
use crate::metareg::{self, FitOptions};
use crate::pool::inverse_variance::validate;

pub use kendall::kendall_tau_b;
pub use trimfill::{TrimFill, trim_and_fill};

/// Egger's test as metafor `regtest(x)` for a fitted `rma.uni` model: the
/// same τ² method and test with the standard error as moderator
/// (`model = "rma"`, `predictor = "sei"`; Egger et al. 1997, Sterne & Egger 2005).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Egger {
    /// Test statistic of the `sei` coefficient (z, or t under Hartung–Knapp).
    pub z: f64,
    /// Degrees of freedom of the t statistic (Hartung–Knapp only).
    pub df: Option<f64>,
    /// Two-sided p value.
    pub p: f64,
    /// Limit estimate: the intercept, the effect as the standard error goes to 0.
    pub limit: f64,
    /// Lower 95% limit of the limit estimate.
    pub limit_ci_lower: f64,
    /// Upper 95% limit of the limit estimate.
    pub limit_ci_upper: f64,
}

/// The classical Egger test, metafor `regtest(x, model = "lm")`: weighted
/// least squares `lm(yi ~ sei, weights = 1/vi)` with the residual variance
/// estimated (Egger et al. 1997).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EggerLm {
    /// t statistic of the `sei` coefficient.
    pub t: f64,
    /// Residual degrees of freedom, k − 2.
    pub df: f64,
    /// Two-sided p value.
    pub p: f64,
    /// Intercept (limit estimate).
    pub limit: f64,
}

/// Begg & Mazumdar 1994 rank correlation test, metafor `ranktest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Begg {
    /// Kendall's tau (tau-b) between standardised effects and variances.
    pub tau: f64,
    /// Two-sided p value (exact without ties, else normal with tie correction).
    pub p: f64,
}

/// Egger's test with the main model's τ² method and test (metafor `regtest`).
/// Needs k ≥ 3 (two coefficients and one residual degree of freedom).
pub fn egger(yi: &[f64], vi: &[f64], method: Method, test: Test) -> Result<Egger, StatsError> {
    validate(yi, vi)?;
    let sei: Vec<f64> = vi.iter().map(|v| v.sqrt()).collect();
    let x = metareg::design_with_intercept(yi.len(), &[sei]);
    let f = metareg::fit(yi, vi, &x, &[1], FitOptions { method, test })?;
    Ok(Egger {
        z: f.statistic[1],
        df: (test == Test::Knha).then_some((f.k - f.p) as f64),
        p: f.p_values[1],
        limit: f.beta[0],
        limit_ci_lower: f.ci_lower[0],
        limit_ci_upper: f.ci_upper[0],
    })
}

/// Weighted least squares with the residual variance estimated, as R
/// `summary(lm(yi ~ sei, weights = 1/vi))`: `σ̂² = Σwᵢeᵢ²/(k − 2)`,
/// `Var(b) = σ̂² (X'WX)⁻¹`, t on k − 2 df.
pub fn egger_lm(yi: &[f64], vi: &[f64]) -> Result<EggerLm, StatsError> {
    validate(yi, vi)?;
    let k = yi.len();
    if k < 3 {
        return Err(StatsError::Degenerate(
            "Egger's test needs at least 3 studies".into(),
        ));
    }
    let sei: Vec<f64> = vi.iter().map(|v| v.sqrt()).collect();
    let x: DMatrix<f64> = metareg::design_with_intercept(k, &[sei]);
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
    let inv = metareg::inv_xwx(&x, &w)?;
    let y = DVector::from_column_slice(yi);
    let b = &inv * metareg::xtwy(&x, &w, &y);
    let r = &y - &x * &b;
    let df = (k - 2) as f64;
    let sigma2: f64 = r.iter().zip(&w).map(|(r, w)| w * r * r).sum::<f64>() / df;
    let se = (sigma2 * inv[(1, 1)]).sqrt();
    let t = b[1] / se;
    if !t.is_finite() {
        return Err(StatsError::Degenerate(
            "Egger's regression has no residual variance".into(),
        ));
    }
    Ok(EggerLm {
        t,
        df,
        p: dist::p_two_sided_t(t, df)?,
        limit: b[0],
    })
}

/// Begg & Mazumdar 1994 as metafor `ranktest`: with the common-effect
/// estimate θ̂ and its variance v̄ = 1/Σwᵢ, standardise `(yᵢ − θ̂)/√(vᵢ − v̄)`
/// and correlate with vᵢ by Kendall's tau (R `cor.test(method = "kendall",
/// exact = TRUE)`: exact p without ties, else the normal approximation with
/// tie-corrected variance).
pub fn begg(yi: &[f64], vi: &[f64]) -> Result<Begg, StatsError> {
    validate(yi, vi)?;
    if yi.len() < 3 {
        return Err(StatsError::Degenerate(
            "the rank correlation test needs at least 3 studies".into(),
        ));
    }
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let theta = w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / sw;
    let vb = 1.0 / sw;
    let ystar: Vec<f64> = yi
        .iter()
        .zip(vi)
        .map(|(y, v)| (y - theta) / (v - vb).sqrt())
        .collect();
    if ystar.iter().any(|v| !v.is_finite()) {
        return Err(StatsError::Degenerate(
            "one study carries all the weight: no rank correlation".into(),
        ));
    }
    let (tau, p) = kendall::kendall_test(&ystar, vi)?;
    Ok(Begg { tau, p })
}
