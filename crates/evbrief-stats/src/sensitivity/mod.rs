//! Sensitivity analyses of an inverse-variance model: leave-one-out
//! (metafor `leave1out`), cumulative meta-analysis (metafor `cumul`) and
//! influence diagnostics (metafor `influence.rma.uni`, Viechtbauer & Cheung
//! 2010, Res Synth Methods 1:112–125).

mod influence;

use serde::Serialize;

use crate::dist;
use crate::error::StatsError;
use crate::measure::{Method, Test};
use crate::metareg;
use crate::pool::LEVEL;
use crate::pool::inverse_variance::validate;

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

/// The intercept-only model of a subset of at least two studies, with what
/// the leave-one-out table and the influence diagnostics read from it.
///
/// The same formulas as [`metareg::fit`] with `X` a column of ones, written
/// as sums (Viechtbauer 2010, J Stat Softw 36(3); metafor 3.8 `rma.uni`):
/// `μ̂ = Σwy/Σw`, `Var(μ̂) = s2w/Σw` with `w = 1/(v + τ²)`; under
/// Hartung–Knapp `s2w = Σw(y − μ̂)²/(k − 1)` (0 when that sum is at most
/// machine epsilon) and t(k − 1) limits; `QE = Σw₀(y − ȳ_w₀)²` with
/// `w₀ = 1/v`; `I² = 100 τ²/(vt + τ²)`, `vt = (k − 1)/tr P₀` (common effect:
/// `100 (QE − (k − 1))/QE`, floored at 0). Refits report no p values, so
/// none are computed: a brief of 1000 studies makes about 2000 refits per
/// outcome.
#[derive(Debug, Clone, Copy)]
struct InterceptFit {
    estimate: f64,
    /// `Var(μ̂)`, Hartung–Knapp scaling included.
    vb: f64,
    s2w: f64,
    tau2: f64,
    qe: f64,
    i2: f64,
    crit: f64,
    k: usize,
}

impl InterceptFit {
    /// metafor's `k1` model of one (validated) study, as [`crate::pool::single_study`]:
    /// its own effect with a Wald interval, τ² = 0, Q = 0, I² = 0, whatever
    /// the test.
    fn single(yi: f64, vi: f64) -> Result<InterceptFit, StatsError> {
        Ok(InterceptFit {
            estimate: yi,
            vb: vi,
            s2w: 1.0,
            tau2: 0.0,
            qe: 0.0,
            i2: 0.0,
            crit: dist::qnorm(0.5 + LEVEL / 2.0)?,
            k: 1,
        })
    }

    fn refit(&self, method: Method) -> Refit {
        let se = self.vb.max(0.0).sqrt();
        Refit {
            estimate: self.estimate,
            se,
            ci_lower: self.estimate - self.crit * se,
            ci_upper: self.estimate + self.crit * se,
            tau2: method.is_random().then_some(self.tau2),
            i2: self.i2,
            q: self.qe,
            k: self.k,
        }
    }
}

/// Fits the intercept-only model to `yi`, `vi` (k ≥ 2, inputs validated).
fn fit_intercept(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
) -> Result<InterceptFit, StatsError> {
    let k = yi.len();
    let df = (k - 1) as f64;
    let tau2 = metareg::intercept_only_tau2(yi, vi, method)?;
    let (mut sw, mut swy) = (0.0, 0.0);
    for (v, y) in vi.iter().zip(yi) {
        let w = 1.0 / (v + tau2);
        sw += w;
        swy += w * y;
    }
    let estimate = swy / sw;
    let (s2w, crit) = match test {
        Test::Z => (1.0, dist::qnorm(0.5 + LEVEL / 2.0)?),
        Test::Knha => {
            let rss: f64 = vi
                .iter()
                .zip(yi)
                .map(|(v, y)| (y - estimate) * (y - estimate) / (v + tau2))
                .sum();
            let s2w = if rss <= f64::EPSILON { 0.0 } else { rss / df };
            (s2w, dist::qt(0.5 + LEVEL / 2.0, df)?)
        }
    };
    let vb = s2w / sw;
    let (mut sw0, mut swy0) = (0.0, 0.0);
    for (v, y) in vi.iter().zip(yi) {
        sw0 += 1.0 / v;
        swy0 += y / v;
    }
    let mean0 = swy0 / sw0;
    let (mut qe, mut tr_num) = (0.0, 0.0);
    for (v, y) in vi.iter().zip(yi) {
        let w0 = 1.0 / v;
        qe += w0 * (y - mean0) * (y - mean0);
        tr_num += w0 * (sw0 - w0);
    }
    let qe = f64::max(qe, 0.0);
    let vt = df / (tr_num / sw0);
    let i2 = if method.is_random() {
        100.0 * (tau2 / (vt + tau2))
    } else if qe > 0.0 {
        (100.0 * (1.0 - df / qe)).max(0.0)
    } else {
        0.0
    };
    let fit = InterceptFit {
        estimate,
        vb,
        s2w,
        tau2,
        qe,
        i2,
        crit,
        k,
    };
    if [estimate, vb, tau2, qe, i2].iter().all(|v| v.is_finite()) {
        Ok(fit)
    } else {
        Err(StatsError::Degenerate(
            "numerical overflow: inputs too extreme for the meta-analysis".into(),
        ))
    }
}

/// Fits a subset as metafor `rma.uni` does: with one study, metafor's `k1`
/// model (the study's own effect with a Wald interval, τ² = 0, I² = 0,
/// Q = 0, whatever the test); otherwise the intercept-only model (the numbers
/// of [`crate::pool`] and of [`metareg::fit`] with a column of ones, without
/// the τ² confidence interval and p values, which refits do not report). One
/// fit, where [`cumulative`]'s last step would fit every prefix before it.
pub fn refit(yi: &[f64], vi: &[f64], method: Method, test: Test) -> Result<Refit, StatsError> {
    validate(yi, vi)?;
    let fit = if yi.len() == 1 {
        InterceptFit::single(yi[0], vi[0])?
    } else {
        fit_intercept(yi, vi, method, test)?
    };
    Ok(fit.refit(method))
}

/// The intercept-only model refitted without each study in turn.
fn deletion_fits(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
) -> Vec<Result<InterceptFit, StatsError>> {
    let mut y = Vec::with_capacity(yi.len());
    let mut v = Vec::with_capacity(yi.len());
    (0..yi.len())
        .map(|i| {
            y.clear();
            v.clear();
            for j in (0..yi.len()).filter(|&j| j != i) {
                y.push(yi[j]);
                v.push(vi[j]);
            }
            if y.len() == 1 {
                // k = 2: a single study remains, fitted as metafor's `k1` model.
                return InterceptFit::single(y[0], v[0]);
            }
            fit_intercept(&y, &v, method, test)
        })
        .collect()
}

/// Leave-one-out refits and influence diagnostics of the intercept-only
/// model from one set of deletion fits (each study's deletion fit serves both).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDeletion {
    /// As [`leave_one_out`].
    pub leave_one_out: Result<Vec<Refit>, StatsError>,
    /// As [`influence`] with a column of ones.
    pub influence: Result<Vec<Influence>, StatsError>,
}

/// [`leave_one_out`] and [`influence`] of the intercept-only model at the
/// cost of one of them: k refits instead of 2k.
pub fn case_deletion(yi: &[f64], vi: &[f64], method: Method, test: Test) -> CaseDeletion {
    if let Err(e) = validate(yi, vi) {
        return CaseDeletion {
            leave_one_out: Err(e.clone()),
            influence: Err(e),
        };
    }
    if yi.len() < 2 {
        let e = StatsError::Degenerate("leave-one-out needs at least 2 studies".into());
        return CaseDeletion {
            leave_one_out: Err(e),
            influence: Err(StatsError::Degenerate(
                "influence diagnostics need at least 3 studies".into(),
            )),
        };
    }
    let fits = deletion_fits(yi, vi, method, test);
    let leave_one_out = fits
        .iter()
        .map(|f| f.clone().map(|f| f.refit(method)))
        .collect();
    let influence = influence::intercept_only(yi, vi, method, test, &fits);
    CaseDeletion {
        leave_one_out,
        influence,
    }
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
    deletion_fits(yi, vi, method, test)
        .into_iter()
        .map(|f| f.map(|f| f.refit(method)))
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

    /// A refit is the intercept-only meta-regression fit, and `case_deletion`
    /// gives what `leave_one_out` and `influence` give one by one.
    #[test]
    fn refits_agree_with_the_meta_regression_fit() {
        let yi = [0.1, 0.42, -0.25, 0.3, 0.8, 0.05];
        let vi = [0.04, 0.09, 0.05, 0.02, 0.12, 0.03];
        let x = metareg::intercept_only(6);
        for method in [Method::FE, Method::DL, Method::REML, Method::PM] {
            for test in [Test::Z, Test::Knha] {
                let r = refit(&yi, &vi, method, test).unwrap();
                let opts = metareg::FitOptions { method, test };
                let m = metareg::fit(&yi, &vi, &x, &[0], opts).unwrap();
                for (a, b) in [
                    (r.estimate, m.beta[0]),
                    (r.se, m.se[0]),
                    (r.ci_lower, m.ci_lower[0]),
                    (r.ci_upper, m.ci_upper[0]),
                    (r.tau2.unwrap_or(0.0), m.tau2),
                    (r.i2, m.i2),
                    (r.q, m.qe),
                ] {
                    assert!(
                        (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                        "{method:?} {test:?}: {a} vs {b}"
                    );
                }
                let both = case_deletion(&yi, &vi, method, test);
                assert_eq!(both.leave_one_out, leave_one_out(&yi, &vi, method, test));
                assert_eq!(both.influence, influence(&yi, &vi, &x, method, test));
            }
        }
        let two = case_deletion(&yi[..2], &vi[..2], Method::REML, Test::Knha);
        assert_eq!(two.leave_one_out.unwrap()[0].estimate, yi[1]);
        assert!(two.influence.is_err());
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
