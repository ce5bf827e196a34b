//! Inverse-variance pooling (metafor `rma.uni` with an intercept only):
//! common effect, random effects with tau² by DL, REML or PM, optional
//! Hartung–Knapp test, prediction interval, Q, I², H² and the Q-profile
//! confidence interval for tau².

use super::{LEVEL, PoolResult, single_study};
use crate::dist;
use crate::error::{StatsError, finite, positive};
use crate::measure::{Method, Test};

/// Convergence threshold on the change of tau² between Fisher-scoring steps
/// (metafor `control=list(threshold=...)`; metafor's default is 1e-5, evbrief
/// uses 1e-12 — tighter than the 1e-10 required — so that I² near zero also
/// agrees with a tightly converged metafor fit).
pub const REML_THRESHOLD: f64 = 1e-12;
/// Maximum number of Fisher-scoring iterations.
pub const REML_MAXITER: usize = 10_000;
/// metafor's `tau2.max` default for root finding (`rma.uni`, `confint.rma.uni`).
pub const TAU2_MAX: f64 = 100.0;
/// metafor's `tol` default (`.Machine$double.eps^0.25`), used only by the
/// REML local-maximum check (`ll0check`).
const LL0_TOL: f64 = 1.220_703_125e-4;

/// Checks the inputs of a pooling call.
pub(crate) fn validate(yi: &[f64], vi: &[f64]) -> Result<(), StatsError> {
    if yi.len() != vi.len() {
        return Err(StatsError::InvalidInput {
            field: "yi/vi".into(),
            message: format!("lengths differ ({} vs {})", yi.len(), vi.len()),
        });
    }
    if yi.is_empty() {
        return Err(StatsError::NoStudies);
    }
    for (&y, &v) in yi.iter().zip(vi) {
        finite("yi", y)?;
        positive("vi", v)?;
    }
    Ok(())
}

/// Weighted mean and sum of weights for `w = 1/(vi + tau2)`.
fn weighted(yi: &[f64], vi: &[f64], tau2: f64) -> (Vec<f64>, f64, f64) {
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let sw: f64 = w.iter().sum();
    let mu = w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / sw;
    (w, sw, mu)
}

/// Generalised Q statistic `Σ wᵢ(yᵢ - μ̂(τ²))²` with `wᵢ = 1/(vᵢ + τ²)`
/// (metafor `.QE.func`; DerSimonian & Kacker 2007). At τ² = 0 this is
/// Cochran's Q.
pub fn generalised_q(yi: &[f64], vi: &[f64], tau2: f64) -> f64 {
    let (w, _, mu) = weighted(yi, vi, tau2);
    w.iter().zip(yi).map(|(w, y)| w * (y - mu) * (y - mu)).sum()
}

/// `tr(P)` for intercept-only models, `Σwᵢ - Σwᵢ²/Σwᵢ`, computed as
/// `Σ wᵢ (Σw - wᵢ)/Σw` to avoid cancellation.
fn trace_p(w: &[f64], sw: f64) -> f64 {
    w.iter().map(|wi| wi * (sw - wi)).sum::<f64>() / sw
}

/// DerSimonian & Laird 1986 moment estimator (metafor `method="DL"`):
/// `max(0, (Q - (k-1)) / (Σw - Σw²/Σw))`, `w = 1/vi`.
pub fn tau2_dl(yi: &[f64], vi: &[f64]) -> Result<f64, StatsError> {
    validate(yi, vi)?;
    if yi.len() < 2 {
        return Ok(0.0);
    }
    let q = generalised_q(yi, vi, 0.0);
    let (w, sw, _) = weighted(yi, vi, 0.0);
    let tr = trace_p(&w, sw);
    if tr.is_nan() || tr <= 0.0 {
        return Err(StatsError::Degenerate(
            "tr(P) is zero in the DL estimator".into(),
        ));
    }
    Ok(((q - (yi.len() as f64 - 1.0)) / tr).max(0.0))
}

/// Restricted log-likelihood of the intercept-only random-effects model
/// (metafor `rma.uni`, REML; Viechtbauer 2005).
fn reml_loglik(yi: &[f64], vi: &[f64], tau2: f64) -> f64 {
    let k = yi.len() as f64;
    let (w, sw, mu) = weighted(yi, vi, tau2);
    let rss: f64 = w.iter().zip(yi).map(|(w, y)| w * (y - mu) * (y - mu)).sum();
    let logdet: f64 = vi.iter().map(|v| (v + tau2).ln()).sum();
    -0.5 * (k - 1.0) * (2.0 * std::f64::consts::PI).ln() - 0.5 * logdet - 0.5 * sw.ln() - 0.5 * rss
}

/// REML estimator of tau² by Fisher scoring (Viechtbauer 2005; metafor
/// `method="REML"`): start at the Hedges (HE) estimate truncated at 0,
/// update `τ² += (y'PPy - tr P)/tr(PP)`, halve the step while it would go
/// below 0, stop when the change is below [`REML_THRESHOLD`]; then metafor's
/// `ll0check` (if the likelihood at 0 is higher, use 0).
pub fn tau2_reml(yi: &[f64], vi: &[f64]) -> Result<f64, StatsError> {
    validate(yi, vi)?;
    let k = yi.len();
    if k < 2 {
        return Ok(0.0);
    }
    let kf = k as f64;
    // Hedges (1983) HE starting value, as metafor.
    let ybar = yi.iter().sum::<f64>() / kf;
    let rss_ols: f64 = yi.iter().map(|y| (y - ybar) * (y - ybar)).sum();
    let tr_pv = vi.iter().sum::<f64>() * (kf - 1.0) / kf;
    let mut tau2 = ((rss_ols - tr_pv) / (kf - 1.0)).max(0.0);
    let mut converged = false;
    for _ in 0..REML_MAXITER {
        // The sums of `weighted`, `trace_p` and the PP terms, in their order, without
        // allocating the weights: leave-one-out and cumulative analyses call this
        // thousands of times on large briefs.
        let (mut sw, mut swy) = (0.0, 0.0);
        for (v, y) in vi.iter().zip(yi) {
            let w = 1.0 / (v + tau2);
            sw += w;
            swy += w * y;
        }
        let mu = swy / sw;
        let (mut tr_num, mut sw2, mut sw3, mut ypp_y) = (0.0, 0.0, 0.0, 0.0);
        for (v, y) in vi.iter().zip(yi) {
            let w = 1.0 / (v + tau2);
            tr_num += w * (sw - w);
            sw2 += w * w;
            sw3 += w * w * w;
            ypp_y += w * w * (y - mu) * (y - mu);
        }
        let tr_p = tr_num / sw;
        let tr_pp = sw2 - 2.0 * sw3 / sw + sw2 * sw2 / (sw * sw);
        if tr_pp.is_nan() || tr_pp <= 0.0 || !tr_pp.is_finite() || !ypp_y.is_finite() {
            return Err(StatsError::Degenerate("REML information is zero".into()));
        }
        let new = fisher_scoring_step(tau2, (ypp_y - tr_p) / tr_pp);
        let change = (new - tau2).abs();
        tau2 = new;
        if change <= REML_THRESHOLD {
            converged = true;
            break;
        }
    }
    if !converged {
        return Err(StatsError::NotConverged("REML Fisher scoring".into()));
    }
    // The likelihoods only when τ² is not already (nearly) 0: each costs k logarithms.
    if tau2 > REML_THRESHOLD && reml_loglik(yi, vi, 0.0) - reml_loglik(yi, vi, tau2) > LL0_TOL {
        tau2 = 0.0;
    }
    Ok(tau2)
}

/// Finds `τ²` in `[lo, hi]` with `generalised_q(τ²) = target` for a target
/// between the values at the ends (Q is decreasing in τ²), by bisection to
/// machine precision (metafor uses `uniroot`).
fn solve_q(yi: &[f64], vi: &[f64], target: f64, lo: f64, hi: f64) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    for _ in 0..400 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if generalised_q(yi, vi, mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Paule & Mandel 1982 estimator (metafor `method="PM"`): the root of
/// `generalised_q(τ²) = k - 1`, or 0 when `Q(0) < k - 1`.
///
/// Difference from metafor: metafor stops with an error when the root lies
/// above `tau2.max = 100`; here the bracket is doubled until it contains the
/// root (relevant only for raw-scale measures with huge heterogeneity).
pub fn tau2_pm(yi: &[f64], vi: &[f64]) -> Result<f64, StatsError> {
    validate(yi, vi)?;
    let k = yi.len();
    if k < 2 {
        return Ok(0.0);
    }
    let target = k as f64 - 1.0;
    if generalised_q(yi, vi, 0.0) < target {
        return Ok(0.0);
    }
    let mut hi = TAU2_MAX;
    let mut n = 0;
    while generalised_q(yi, vi, hi) > target {
        hi *= 2.0;
        n += 1;
        if n > 2000 || !hi.is_finite() {
            return Err(StatsError::NotConverged(
                "Paule-Mandel root bracketing".into(),
            ));
        }
    }
    Ok(solve_q(yi, vi, target, 0.0, hi))
}

/// Q-profile confidence interval for tau² (Viechtbauer 2007; metafor
/// `confint.rma.uni(type="QP")`): the limits solve `Q(τ²) = χ²_{k-1}` at the
/// upper/lower `(1-level)/2` quantiles over `[0, max(100, 10 τ̂²)]`;
/// a limit is 0 when `Q(0)` is already below its critical value and is
/// clamped to the upper end of the search range when above it, exactly as
/// metafor does.
pub fn tau2_qprofile_ci(yi: &[f64], vi: &[f64], tau2: f64) -> Result<(f64, f64), StatsError> {
    validate(yi, vi)?;
    let k = yi.len();
    if k < 2 {
        return Err(StatsError::Degenerate("Q-profile CI needs k >= 2".into()));
    }
    let df = k as f64 - 1.0;
    let alpha = 1.0 - LEVEL;
    let crit_u = dist::qchisq(1.0 - alpha / 2.0, df)?;
    let crit_l = dist::qchisq(alpha / 2.0, df)?;
    let tmin = 0.0;
    let tmax = TAU2_MAX.max(10.0 * tau2);
    let q_min = generalised_q(yi, vi, tmin);
    let q_max = generalised_q(yi, vi, tmax);
    let (lb, ub);
    if q_min < crit_l {
        return Ok((tmin, tmin));
    }
    if q_max > crit_l {
        ub = tmax;
    } else {
        ub = solve_q(yi, vi, crit_l, tmin, tmax);
    }
    if q_max > crit_u {
        return Ok((tmax, tmax));
    }
    if q_min < crit_u {
        lb = tmin;
    } else {
        lb = solve_q(yi, vi, crit_u, tmin, tmax);
    }
    Ok((lb, ub))
}

/// Inverse-variance pooling as metafor `rma.uni(yi, vi, method, test)`.
///
/// - Estimate `Σwy/Σw`, `se = 1/√Σw`, `w = 1/(v + τ²)` (τ² = 0 for FE).
/// - Hartung & Knapp 2001 (`Test::Knha`): `se² · RSS/(k-1)` with t(k-1)
///   quantiles, no truncation (metafor's default, not `test="adhoc"`).
/// - Prediction interval (metafor `predict.rma`): `μ̂ ± c √(se² + τ²)` with
///   `c` from z, or t(k-1) under Hartung–Knapp; random-effects models only.
/// - Q with `w = 1/v` (Cochran 1954); I² and H² (Higgins & Thompson 2002):
///   for FE from Q, `I² = max(0, (Q-(k-1))/Q)`; for RE from τ² and the
///   "typical" within-study variance `ṽ = (k-1)/tr(P)`:
///   `I² = τ²/(ṽ + τ²)`, `H² = τ²/ṽ + 1` (metafor `rma.uni`).
/// - τ² CI by Q-profile for RE models.
///
/// k = 1 returns [`single_study`]; k = 0 is [`StatsError::NoStudies`].
pub fn pool_inverse_variance(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
) -> Result<PoolResult, StatsError> {
    validate(yi, vi)?;
    if !matches!(method, Method::FE | Method::DL | Method::REML | Method::PM) {
        return Err(StatsError::IncompatibleMethod {
            method: method.to_string(),
            measure: "inverse-variance yi/vi".into(),
        });
    }
    let k = yi.len();
    if k == 1 {
        return single_study(yi[0], vi[0], method, test);
    }
    let kf = k as f64;
    let mut notes = Vec::new();
    let tau2 = match method {
        Method::DL => tau2_dl(yi, vi)?,
        Method::REML => tau2_reml(yi, vi)?,
        Method::PM => tau2_pm(yi, vi)?,
        _ => 0.0,
    };
    let (w, sw, est) = weighted(yi, vi, tau2);
    let mut se = (1.0 / sw).sqrt();
    let df = kf - 1.0;
    let crit = match test {
        Test::Z => dist::qnorm(0.5 + LEVEL / 2.0)?,
        Test::Knha => {
            let rss: f64 = w
                .iter()
                .zip(yi)
                .map(|(w, y)| w * (y - est) * (y - est))
                .sum();
            let s2w = if rss <= f64::EPSILON { 0.0 } else { rss / df };
            se *= s2w.sqrt();
            if method == Method::FE {
                notes.push("Hartung-Knapp adjustment is not meant for common-effect models".into());
            }
            dist::qt(0.5 + LEVEL / 2.0, df)?
        }
    };
    let (statistic, p) = if se > 0.0 {
        let s = est / se;
        let p = match test {
            Test::Z => dist::p_two_sided_z(s)?,
            Test::Knha => dist::p_two_sided_t(s, df)?,
        };
        (Some(s), Some(p))
    } else {
        notes.push("standard error is zero: no test statistic".into());
        (None, None)
    };
    // Heterogeneity (always with FE weights 1/vi).
    let q = generalised_q(yi, vi, 0.0).max(0.0);
    let q_p = dist::pchisq_upper(q, df)?;
    let (w0, sw0, _) = weighted(yi, vi, 0.0);
    let vt = df / trace_p(&w0, sw0);
    let (i2, h2) = if method == Method::FE {
        let i2 = if q > 0.0 {
            // 100 (Q - df) / Q, written so that rounding cannot pass 100 when Q is huge.
            (100.0 * (1.0 - df / q)).max(0.0)
        } else {
            0.0
        };
        (i2, q / df)
    } else {
        // The ratio first: it cannot round past 1, so I² cannot pass 100.
        (100.0 * (tau2 / (vt + tau2)), tau2 / vt + 1.0)
    };
    let (pi_lower, pi_upper, tau2_o, tau_o, tci_l, tci_u) = if method.is_random() {
        let half = crit * (se * se + tau2).sqrt();
        let (l, u) = tau2_qprofile_ci(yi, vi, tau2)?;
        (
            Some(est - half),
            Some(est + half),
            Some(tau2),
            Some(tau2.sqrt()),
            Some(l),
            Some(u),
        )
    } else {
        (None, None, None, None, None, None)
    };
    PoolResult {
        method,
        test,
        k,
        single_study: false,
        estimate: est,
        se,
        statistic,
        p,
        df: (test == Test::Knha).then_some(df),
        ci_lower: est - crit * se,
        ci_upper: est + crit * se,
        pi_lower,
        pi_upper,
        tau2: tau2_o,
        tau: tau_o,
        tau2_ci_lower: tci_l,
        tau2_ci_upper: tci_u,
        i2: Some(i2),
        h2: Some(h2),
        q: Some(q),
        q_df: Some(df),
        q_p: Some(q_p),
        weights: w.iter().map(|w| 100.0 * w / sw).collect(),
        notes,
    }
    .checked()
}

/// One REML Fisher-scoring update of τ² (metafor's `rma.uni`, Viechtbauer 2005): the step
/// `adj` is halved until τ² + adj is not negative (at most 2000 times), a non-finite step
/// counts as none, and the result is clamped at 0. Shared by the intercept-only fit and
/// meta-regression, so both iterate alike.
pub(crate) fn fisher_scoring_step(tau2: f64, adj: f64) -> f64 {
    let mut adj = if adj.is_finite() { adj } else { 0.0 };
    let mut halvings = 0;
    while tau2 + adj < 0.0 && halvings < 2000 {
        adj /= 2.0;
        halvings += 1;
    }
    (tau2 + adj).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn i2_stays_within_100_when_q_is_huge() {
        // Found by the `stats` fuzz target: 100 (Q - df) / Q rounded to 100.00000000000001.
        // Q = 5.1005e299 with df = 1: the old form gave 100.00000000000001.
        let r = pool_inverse_variance(&[0.0, 1.01e150], &[1.0, 1.0], Method::FE, Test::Z).unwrap();
        let i2 = r.i2.unwrap();
        assert!((99.0..=100.0).contains(&i2), "{i2}");
    }

    #[test]
    fn k0_is_error_and_k1_single() {
        assert_eq!(
            pool_inverse_variance(&[], &[], Method::REML, Test::Z),
            Err(StatsError::NoStudies)
        );
        let r = pool_inverse_variance(&[0.5], &[0.1], Method::DL, Test::Knha).unwrap();
        assert!(r.single_study);
    }

    #[test]
    fn identical_estimates_give_zero_tau2_and_defined_output() {
        let yi = [0.2, 0.2, 0.2];
        let vi = [0.1, 0.1, 0.1];
        for m in [Method::FE, Method::DL, Method::REML, Method::PM] {
            for t in [Test::Z, Test::Knha] {
                let r = pool_inverse_variance(&yi, &vi, m, t).unwrap();
                assert_close(r.estimate, 0.2, "est");
                assert_eq!(r.tau2.unwrap_or(0.0), 0.0);
                assert_eq!(r.i2, Some(0.0));
            }
        }
    }

    #[test]
    fn dl_by_hand() {
        let yi = [0.1, 0.5, 0.9];
        let vi = [0.04, 0.04, 0.04];
        // Q = Σ(y - 0.5)²/0.04 = 8; tr P = 75 - 625*3/75 = 50; tau2 = (8-2)/50
        assert_close(tau2_dl(&yi, &vi).unwrap(), 0.12, "DL");
    }
}
