//! Sensitivity analyses of an inverse-variance model: leave-one-out
//! (metafor `leave1out`), cumulative meta-analysis (metafor `cumul`) and
//! influence diagnostics (metafor `influence.rma.uni`, Viechtbauer & Cheung
//! 2010, Res Synth Methods 1:112–125).

mod influence;

use nalgebra::DMatrix;

use serde::Serialize;

use crate::error::StatsError;
use crate::measure::{Method, Test};
use crate::metareg::{self, FitOptions};
use crate::pool::inverse_variance::validate;
use crate::pool::single_study;

pub use influence::{Influence, influence};

/// One refit on a subset of the studies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refit {
    /// Estimate (analysis scale).
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Lower 95% limit.
    pub ci_lower: f64,
    /// Upper 95% limit.
    pub ci_upper: f64,
    /// τ² (random-effects methods only).
    pub tau2: Option<f64>,
    /// I² in percent.
    pub i2: f64,
    /// Cochran's Q.
    pub q: f64,
    /// Number of studies in the refit.
    pub k: usize,
}

/// Fits a subset as metafor `rma.uni` does: with one study, metafor's `k1`
/// model (the study's own effect with a Wald interval, τ² = 0, I² = 0,
/// Q = 0, whatever the test); otherwise the intercept-only model of
/// [`metareg::fit`] (the same numbers as [`crate::pool`], without
/// the τ² confidence interval, which refits do not report). One fit, where
/// [`cumulative`]'s last step would fit every prefix before it.
pub fn refit(yi: &[f64], vi: &[f64], method: Method, test: Test) -> Result<Refit, StatsError> {
    if yi.len() == 1 {
        let r = single_study(yi[0], vi[0], method, test)?;
        return Ok(Refit {
            estimate: r.estimate,
            se: r.se,
            ci_lower: r.ci_lower,
            ci_upper: r.ci_upper,
            tau2: method.is_random().then_some(0.0),
            i2: 0.0,
            q: 0.0,
            k: 1,
        });
    }
    let x = DMatrix::from_element(yi.len(), 1, 1.0);
    let r = metareg::fit(yi, vi, &x, &[0], FitOptions { method, test })?;
    Ok(Refit {
        estimate: r.beta[0],
        se: r.se[0],
        ci_lower: r.ci_lower[0],
        ci_upper: r.ci_upper[0],
        tau2: method.is_random().then_some(r.tau2),
        i2: r.i2,
        q: r.qe,
        k: r.k,
    })
}

/// Leave-one-out analysis (metafor `leave1out.rma.uni`): the model refitted
/// without study i, for each i in input order. Needs k ≥ 2.
pub fn leave_one_out(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
) -> Result<Vec<Refit>, StatsError> {
    validate(yi, vi)?;
    if yi.len() < 2 {
        return Err(StatsError::Degenerate(
            "leave-one-out needs at least 2 studies".into(),
        ));
    }
    (0..yi.len())
        .map(|i| {
            let y: Vec<f64> = yi
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .collect();
            let v: Vec<f64> = vi
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .collect();
            refit(&y, &v, method, test)
        })
        .collect()
}

/// Cumulative meta-analysis (metafor `cumul.rma.uni`): studies in the given
/// order (indices into `yi`), the model refitted on the first 1, 2, …, k.
pub fn cumulative(
    yi: &[f64],
    vi: &[f64],
    order: &[usize],
    method: Method,
    test: Test,
) -> Result<Vec<Refit>, StatsError> {
    validate(yi, vi)?;
    if order.len() != yi.len() || order.iter().any(|&i| i >= yi.len()) {
        return Err(StatsError::InvalidInput {
            field: "order".into(),
            message: "must be a permutation of the studies".into(),
        });
    }
    let y: Vec<f64> = order.iter().map(|&i| yi[i]).collect();
    let v: Vec<f64> = order.iter().map(|&i| vi[i]).collect();
    (1..=y.len())
        .map(|n| refit(&y[..n], &v[..n], method, test))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::inverse_variance::pool_inverse_variance;
    use crate::testutil::assert_close;

    #[test]
    fn last_cumulative_step_is_the_full_model() {
        let yi = [0.1, 0.5, -0.2, 0.3];
        let vi = [0.04, 0.09, 0.05, 0.02];
        let c = cumulative(&yi, &vi, &[2, 0, 3, 1], Method::REML, Test::Z).unwrap();
        let full = pool_inverse_variance(&yi, &vi, Method::REML, Test::Z).unwrap();
        assert_close(c[3].estimate, full.estimate, "full");
        assert_eq!(c[0].estimate, -0.2);
        assert_eq!(c[0].tau2, Some(0.0));
        assert!(cumulative(&yi, &vi, &[0, 1], Method::FE, Test::Z).is_err());
    }

    #[test]
    fn leave_one_out_drops_each_study() {
        let yi = [0.1, 0.5, -0.2];
        let vi = [0.04, 0.09, 0.05];
        let l = leave_one_out(&yi, &vi, Method::FE, Test::Z).unwrap();
        let w = [1.0 / 0.09, 1.0 / 0.05];
        assert_close(
            l[0].estimate,
            (0.5 * w[0] - 0.2 * w[1]) / (w[0] + w[1]),
            "loo 1",
        );
        assert!(leave_one_out(&[0.1], &[0.1], Method::FE, Test::Z).is_err());
    }
}
