//! Pooling of study effects: inverse variance (common and random effects),
//! Mantel–Haenszel, Peto and subgroup analyses.
//!
//! All poolers return a [`PoolResult`] on the analysis scale with metafor's
//! conventions; fields that do not apply to a method are `None`.

pub mod inverse_variance;
pub mod mantel_haenszel;
pub mod subgroup;

use serde::Serialize;

use super::dist;
use super::error::StatsError;
use super::measure::{Method, Test};

/// Confidence level used throughout (metafor `level=95`).
pub const LEVEL: f64 = 0.95;

/// Result of pooling k studies (or of reporting a single study).
///
/// Why: one shape for every method so the report and the forest plot do not
/// care how the estimate was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolResult {
    /// Pooling method.
    pub method: Method,
    /// Test statistic used for the estimate's inference.
    pub test: Test,
    /// Number of studies used.
    pub k: usize,
    /// True when k = 1: the estimate is the study's own effect, not a pooled one.
    pub single_study: bool,
    /// Estimate on the analysis scale.
    pub estimate: f64,
    /// Standard error of the estimate (Hartung–Knapp-adjusted for `Test::Knha`).
    pub se: f64,
    /// z or t statistic; `None` when the standard error is zero.
    pub statistic: Option<f64>,
    /// Two-sided p value; `None` when the standard error is zero.
    pub p: Option<f64>,
    /// Degrees of freedom of the t distribution (`Test::Knha`), else `None`.
    pub df: Option<f64>,
    /// Lower 95% confidence limit.
    pub ci_lower: f64,
    /// Upper 95% confidence limit.
    pub ci_upper: f64,
    /// Lower 95% prediction limit (random-effects models only).
    pub pi_lower: Option<f64>,
    /// Upper 95% prediction limit (random-effects models only).
    pub pi_upper: Option<f64>,
    /// Between-study variance (random-effects models only).
    pub tau2: Option<f64>,
    /// Square root of `tau2`.
    pub tau: Option<f64>,
    /// Lower Q-profile limit for tau² (Viechtbauer 2007).
    pub tau2_ci_lower: Option<f64>,
    /// Upper Q-profile limit for tau².
    pub tau2_ci_upper: Option<f64>,
    /// I² in percent (Higgins & Thompson 2002; metafor's definitions).
    pub i2: Option<f64>,
    /// H².
    pub h2: Option<f64>,
    /// Cochran's Q.
    pub q: Option<f64>,
    /// Degrees of freedom of Q.
    pub q_df: Option<f64>,
    /// p value of Q.
    pub q_p: Option<f64>,
    /// Study weights in percent, in input order.
    pub weights: Vec<f64>,
    /// Notes about the fit (e.g. clamped bounds).
    pub notes: Vec<String>,
}

impl PoolResult {
    /// A result whose inference is a Wald z-test of `estimate` with standard error `se`
    /// and no between-study variance: a single study's own effect (k = 1, flagged
    /// `single_study`) or a common-effect fit such as Mantel–Haenszel or Peto, whose caller
    /// adds the heterogeneity statistics. `weights` are in percent.
    ///
    /// Why: one place writes the 95% Wald interval `estimate ± z₀.₉₇₅·se` and its p value
    /// (metafor's `rma.mh`/`rma.peto` and the k = 1 case), so the fields cannot drift apart.
    pub(crate) fn wald(
        method: Method,
        test: Test,
        k: usize,
        estimate: f64,
        se: f64,
        weights: Vec<f64>,
        notes: Vec<String>,
    ) -> Result<PoolResult, StatsError> {
        let z = estimate / se;
        let crit = dist::qnorm(0.5 + LEVEL / 2.0)?;
        Ok(PoolResult {
            method,
            test,
            k,
            single_study: k == 1,
            estimate,
            se,
            statistic: Some(z),
            p: Some(dist::p_two_sided_z(z)?),
            df: None,
            ci_lower: estimate - crit * se,
            ci_upper: estimate + crit * se,
            pi_lower: None,
            pi_upper: None,
            tau2: None,
            tau: None,
            tau2_ci_lower: None,
            tau2_ci_upper: None,
            i2: None,
            h2: None,
            q: None,
            q_df: None,
            q_p: None,
            weights,
            notes,
        })
    }

    /// Fails if any reported number is not finite.
    ///
    /// Why: the last line of defence for the "no NaN on finite input" rule
    /// (overflow with extreme inputs becomes a typed error).
    pub(crate) fn checked(self) -> Result<PoolResult, StatsError> {
        let opts = [
            self.statistic,
            self.p,
            self.df,
            self.pi_lower,
            self.pi_upper,
            self.tau2,
            self.tau,
            self.tau2_ci_lower,
            self.tau2_ci_upper,
            self.i2,
            self.h2,
            self.q,
            self.q_df,
            self.q_p,
        ];
        let all = [self.estimate, self.se, self.ci_lower, self.ci_upper]
            .into_iter()
            .chain(opts.into_iter().flatten())
            .chain(self.weights.iter().copied());
        for v in all {
            if !v.is_finite() {
                return Err(StatsError::Degenerate(
                    "numerical overflow: inputs too extreme to pool".into(),
                ));
            }
        }
        Ok(self)
    }
}

/// Result for a single study (k = 1): its own effect with a Wald interval,
/// flagged `single_study`, never a pooled estimate; heterogeneity is `None`.
///
/// Why: metafor would fit a "model" with k = 1; the brief must instead show
/// the study itself. The t distribution is not used (it would have 0 df).
pub fn single_study(
    yi: f64,
    vi: f64,
    method: Method,
    test: Test,
) -> Result<PoolResult, StatsError> {
    super::error::finite("yi", yi)?;
    super::error::positive("vi", vi)?;
    PoolResult::wald(
        method,
        test,
        1,
        yi,
        vi.sqrt(),
        vec![100.0],
        vec!["single study: its own effect is shown, nothing was pooled".into()],
    )?
    .checked()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_study_is_flagged() {
        let r = single_study(0.3, 0.04, Method::REML, Test::Knha).unwrap();
        assert!(r.single_study);
        assert_eq!(r.estimate, 0.3);
        assert!(r.tau2.is_none() && r.q.is_none());
        assert!(single_study(0.3, 0.0, Method::FE, Test::Z).is_err());
    }
}
