//! Distribution helpers (normal, t, chi-squared) on top of `statrs`.
//!
//! Quantiles are polished by bisection on `statrs`' CDFs so they agree with
//! R's `qnorm`, `qt` and `qchisq` to near machine precision (statrs' own
//! gamma quantile stops after a few Newton steps). Invalid degrees of freedom
//! are typed errors, never panics.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

use super::error::StatsError;

fn bad_df(df: f64) -> StatsError {
    StatsError::InvalidInput {
        field: "degrees of freedom".into(),
        message: format!("must be a positive finite number (got {df})"),
    }
}

fn not_a_number() -> StatsError {
    StatsError::Degenerate("statistic is not a number".into())
}

fn std_normal() -> Result<Normal, StatsError> {
    Normal::new(0.0, 1.0).map_err(|e| StatsError::Degenerate(e.to_string()))
}

/// Standard normal quantile, R `qnorm(p)`; `p` must lie in (0, 1).
pub fn qnorm(p: f64) -> Result<f64, StatsError> {
    check_prob(p)?;
    Ok(std_normal()?.inverse_cdf(p))
}

/// Upper-tail standard normal probability, R `pnorm(x, lower.tail=FALSE)`.
pub fn pnorm_upper(x: f64) -> Result<f64, StatsError> {
    if x.is_nan() {
        return Err(not_a_number());
    }
    Ok(std_normal()?.sf(x))
}

/// Two-sided p value of a z statistic, `2 * pnorm(|z|, lower.tail=FALSE)`.
pub fn p_two_sided_z(z: f64) -> Result<f64, StatsError> {
    Ok((2.0 * pnorm_upper(z.abs())?).min(1.0))
}

/// Two-sided p value of a t statistic with `df` degrees of freedom.
pub fn p_two_sided_t(t: f64, df: f64) -> Result<f64, StatsError> {
    let d = students_t(df)?;
    if t.is_nan() {
        return Err(not_a_number());
    }
    if t.is_infinite() {
        return Ok(0.0);
    }
    Ok((2.0 * d.sf(t.abs())).min(1.0))
}

/// Student t quantile, R `qt(p, df)`.
pub fn qt(p: f64, df: f64) -> Result<f64, StatsError> {
    check_prob(p)?;
    let d = students_t(df)?;
    Ok(remembered(Quantile::T, p, df, || {
        polish(|x| d.cdf(x), p, d.inverse_cdf(p), f64::NEG_INFINITY)
    }))
}

/// Chi-squared quantile, R `qchisq(p, df)`.
pub fn qchisq(p: f64, df: f64) -> Result<f64, StatsError> {
    check_prob(p)?;
    let d = chisq(df)?;
    Ok(remembered(Quantile::ChiSquared, p, df, || {
        polish(|x| d.cdf(x), p, d.inverse_cdf(p), 0.0)
    }))
}

/// Which quantile function a remembered value belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Quantile {
    T,
    ChiSquared,
}

/// How many quantiles a thread remembers before it forgets them all.
const REMEMBERED_QUANTILES: usize = 4096;

thread_local! {
    /// Quantiles computed on this thread, by function, probability and df (their bits).
    static QUANTILES: std::cell::RefCell<std::collections::HashMap<(Quantile, u64, u64), f64>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// A quantile computed once per thread: a polished quantile costs about a hundred CDF
/// evaluations, and the refits of a sensitivity analysis ask for the same few
/// (`qt(0.975, k − 2)` for every leave-one-out fit) thousands of times. The value is the
/// one `compute` returns, so remembering changes no result.
fn remembered(which: Quantile, p: f64, df: f64, compute: impl FnOnce() -> f64) -> f64 {
    let key = (which, p.to_bits(), df.to_bits());
    if let Some(q) = QUANTILES.with(|m| m.borrow().get(&key).copied()) {
        return q;
    }
    let q = compute();
    QUANTILES.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= REMEMBERED_QUANTILES {
            m.clear();
        }
        m.insert(key, q);
    });
    q
}

/// Upper-tail chi-squared probability, R `pchisq(q, df, lower.tail=FALSE)`.
pub fn pchisq_upper(q: f64, df: f64) -> Result<f64, StatsError> {
    let d = chisq(df)?;
    if q.is_nan() {
        return Err(not_a_number());
    }
    if q <= 0.0 {
        return Ok(1.0);
    }
    if q.is_infinite() {
        return Ok(0.0);
    }
    // statrs evaluates Q(df/2, q/2) and panics when q/2 underflows to zero (q is the
    // smallest subnormal); the tail probability there is 1 to machine precision.
    if q / 2.0 == 0.0 {
        return Ok(1.0);
    }
    Ok(d.sf(q))
}

/// Lower-tail chi-squared probability, R `pchisq(q, df)`.
pub fn pchisq_lower(q: f64, df: f64) -> Result<f64, StatsError> {
    let d = chisq(df)?;
    if q.is_nan() {
        return Err(not_a_number());
    }
    if q <= 0.0 {
        return Ok(0.0);
    }
    if q.is_infinite() {
        return Ok(1.0);
    }
    Ok(d.cdf(q))
}

/// Upper-tail F probability, R `pf(q, df1, df2, lower.tail=FALSE)`.
pub fn pf_upper(q: f64, df1: f64, df2: f64) -> Result<f64, StatsError> {
    if !(df1.is_finite() && df1 > 0.0) {
        return Err(bad_df(df1));
    }
    if !(df2.is_finite() && df2 > 0.0) {
        return Err(bad_df(df2));
    }
    if q.is_nan() {
        return Err(not_a_number());
    }
    if q <= 0.0 {
        return Ok(1.0);
    }
    if q.is_infinite() {
        return Ok(0.0);
    }
    let d = FisherSnedecor::new(df1, df2).map_err(|_| bad_df(df1))?;
    Ok(d.sf(q))
}

fn check_prob(p: f64) -> Result<(), StatsError> {
    if p.is_finite() && p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidInput {
            field: "probability".into(),
            message: format!("must lie strictly between 0 and 1 (got {p})"),
        })
    }
}

fn students_t(df: f64) -> Result<StudentsT, StatsError> {
    if !(df.is_finite() && df > 0.0) {
        return Err(bad_df(df));
    }
    StudentsT::new(0.0, 1.0, df).map_err(|_| bad_df(df))
}

fn chisq(df: f64) -> Result<ChiSquared, StatsError> {
    if !(df.is_finite() && df > 0.0) {
        return Err(bad_df(df));
    }
    ChiSquared::new(df).map_err(|_| bad_df(df))
}

/// Refines a quantile estimate by bracketing and bisection on a monotone CDF.
fn polish(cdf: impl Fn(f64) -> f64, p: f64, start: f64, lower_bound: f64) -> f64 {
    let x0 = if start.is_finite() { start } else { 1.0 };
    let mut step = x0.abs().max(1e-3) * 1e-3 + 1e-12;
    let mut lo = x0;
    let mut hi = x0;
    let mut guard = 0;
    while cdf(lo) > p && guard < 200 {
        lo -= step;
        if lo < lower_bound {
            lo = lower_bound;
            break;
        }
        step *= 2.0;
        guard += 1;
    }
    step = x0.abs().max(1e-3) * 1e-3 + 1e-12;
    guard = 0;
    while cdf(hi) < p && guard < 200 {
        hi += step;
        step *= 2.0;
        guard += 1;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn pchisq_upper_of_the_smallest_subnormal_is_one() {
        // Found by the property test `extreme_inputs_never_nan`: statrs panicked.
        assert_eq!(pchisq_upper(5e-324, 1.0).unwrap(), 1.0);
        assert_eq!(pchisq_upper(5e-324, 40.0).unwrap(), 1.0);
    }

    #[test]
    fn pooling_the_proptest_regression_does_not_panic() {
        use crate::pool::inverse_variance::pool_inverse_variance;
        use crate::{Method, Test};
        let yi = [1.117755128311821e-103, 8.030792250632522e-157];
        let vi = [2.0889129843014793e-137, 3.0543254224350874e117];
        for m in [Method::FE, Method::DL, Method::REML, Method::PM] {
            if let Ok(r) = pool_inverse_variance(&yi, &vi, m, Test::Knha) {
                assert!(r.estimate.is_finite() && r.ci_lower.is_finite(), "{r:?}");
            }
        }
    }

    #[test]
    fn quantiles_match_r() {
        // Values from R 4.x: qnorm(.975), qt(.975, 5), qchisq(.975, 12), qchisq(.025, 12)
        assert_close(qnorm(0.975).unwrap(), 1.959963984540054, "qnorm");
        assert_close(qt(0.975, 5.0).unwrap(), 2.570581835636314, "qt");
        assert_close(qchisq(0.975, 12.0).unwrap(), 23.33666415864534, "qchisq hi");
        assert_close(qchisq(0.025, 12.0).unwrap(), 4.40378850698193, "qchisq lo");
        // pf(3.2, 2, 9, lower.tail = FALSE), pchisq(1.5, 3)
        assert_close(
            pf_upper(3.2, 2.0, 9.0).unwrap(),
            0.089_176_012_441_807_48,
            "pf",
        );
        assert_close(
            pchisq_lower(1.5, 3.0).unwrap(),
            0.317_729_669_663_787_5,
            "pchisq",
        );
        assert_close(
            qchisq(0.025, 1.0).unwrap(),
            0.0009820691171752583,
            "qchisq df1",
        );
    }

    #[test]
    fn invalid_df_is_error() {
        assert!(qt(0.5, 0.0).is_err());
        assert!(pchisq_upper(1.0, f64::NAN).is_err());
        assert!(qnorm(1.0).is_err());
    }
}
