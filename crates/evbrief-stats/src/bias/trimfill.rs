//! Duval & Tweedie's trim-and-fill (2000, Biometrics 56:455–463) with the
//! L0 estimator, as metafor 3.8 `trimfill.rma.uni`.

use serde::Serialize;

use crate::error::StatsError;
use crate::measure::{Method, Test};
use crate::metareg::{self, FitOptions};
use crate::pool::PoolResult;
use crate::pool::inverse_variance::{pool_inverse_variance, validate};

/// metafor's `maxiter` for the trimming iterations.
const MAXITER: usize = 100;

/// Result of trim-and-fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrimFill {
    /// Estimated number of missing studies (L0).
    pub k0: usize,
    /// Standard error of k0 (metafor `se.k0`).
    pub se_k0: f64,
    /// Side on which studies were imputed: "left" or "right".
    pub side: &'static str,
    /// Estimate after filling (analysis scale).
    pub estimate: f64,
    /// Standard error after filling.
    pub se: f64,
    /// Lower 95% limit after filling.
    pub ci_lower: f64,
    /// Upper 95% limit after filling.
    pub ci_upper: f64,
    /// τ² after filling (random-effects methods only).
    pub tau2: Option<f64>,
    /// The imputed effects (analysis scale), in metafor's order.
    pub filled_yi: Vec<f64>,
    /// Their sampling variances.
    pub filled_vi: Vec<f64>,
}

fn pooled_beta(yi: &[f64], vi: &[f64], method: Method) -> Result<f64, StatsError> {
    if yi.len() == 1 {
        return Ok(yi[0]);
    }
    let x = nalgebra::DMatrix::from_element(yi.len(), 1, 1.0);
    let tau2 = metareg::estimate_tau2(yi, vi, &x, method)?;
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    Ok(w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / w.iter().sum::<f64>())
}

/// Trim-and-fill as metafor `trimfill(rma(yi, vi, method, test))`:
///
/// 1. Side (metafor's choice): fit `yi ~ √vi` with the same τ² method; a
///    negative slope means studies are missing on the right, else the left.
///    Effects are mirrored (−yi) when the side is right, then sorted.
/// 2. Iterate: pool the k − k0 smallest effects (same method), rank
///    `|yi − μ̂|` (ties: first), `S = Σ` ranks of positive deviations,
///    `k0 = max(0, round((4S − k(k+1))/(2k − 1)))` (L0) until k0 repeats.
/// 3. Fill k0 mirror images `2μ̂ − yi` of the largest effects (with their
///    variances) and refit with the same method. As metafor, the refit uses
///    the z test (metafor does not pass `test` on); with k0 = 0 the
///    original model (with its own test) is the result.
pub fn trim_and_fill(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
) -> Result<TrimFill, StatsError> {
    validate(yi, vi)?;
    let k = yi.len();
    if k < 3 {
        return Err(StatsError::Degenerate(
            "trim-and-fill needs at least 3 studies".into(),
        ));
    }
    let sei: Vec<f64> = vi.iter().map(|v| v.sqrt()).collect();
    let x = metareg::design_with_intercept(k, &[sei]);
    let slope = metareg::fit(
        yi,
        vi,
        &x,
        &[1],
        FitOptions {
            method,
            test: Test::Z,
        },
    )?
    .beta[1];
    let right = slope < 0.0;
    let flipped: Vec<f64> = yi.iter().map(|y| if right { -y } else { *y }).collect();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| flipped[a].total_cmp(&flipped[b]));
    let ys: Vec<f64> = order.iter().map(|&i| flipped[i]).collect();
    let vs: Vec<f64> = order.iter().map(|&i| vi[i]).collect();
    let kf = k as f64;
    let (mut k0, mut k0_prev) = (0usize, usize::MAX);
    let (mut beta, mut se_k0) = (0.0, 0.0);
    let mut iter = 0;
    while k0 != k0_prev {
        k0_prev = k0;
        iter += 1;
        if iter > MAXITER {
            return Err(StatsError::NotConverged("trim-and-fill".into()));
        }
        beta = pooled_beta(&ys[..k - k0], &vs[..k - k0], method)?;
        let dev: Vec<f64> = ys.iter().map(|y| y - beta).collect();
        let mut idx: Vec<usize> = (0..k).collect();
        idx.sort_by(|&a, &b| dev[a].abs().total_cmp(&dev[b].abs()));
        let mut sr = 0.0;
        for (rank, &i) in idx.iter().enumerate() {
            if dev[i] > 0.0 {
                sr += (rank + 1) as f64;
            }
        }
        let est = (4.0 * sr - kf * (kf + 1.0)) / (2.0 * kf - 1.0);
        let var_sr = (kf * (kf + 1.0) * (2.0 * kf + 1.0)
            + 10.0 * est.powi(3)
            + 27.0 * est.powi(2)
            + 17.0 * est
            - 18.0 * kf * est.powi(2)
            - 18.0 * kf * est
            + 6.0 * kf * kf * est)
            / 24.0;
        se_k0 = (4.0 * var_sr.sqrt() / (2.0 * kf - 1.0)).max(0.0);
        k0 = est.round_ties_even().max(0.0) as usize;
        if k0 >= k {
            return Err(StatsError::Degenerate(
                "trim-and-fill would trim every study".into(),
            ));
        }
    }
    let side = if right { "right" } else { "left" };
    let (mut filled_yi, mut filled_vi) = (Vec::new(), Vec::new());
    let result: PoolResult = if k0 > 0 {
        for i in (k - k0)..k {
            let mirrored = 2.0 * beta - ys[i];
            filled_yi.push(if right { -mirrored } else { mirrored });
            filled_vi.push(vs[i]);
        }
        let all_y: Vec<f64> = yi.iter().chain(&filled_yi).copied().collect();
        let all_v: Vec<f64> = vi.iter().chain(&filled_vi).copied().collect();
        pool_inverse_variance(&all_y, &all_v, method, Test::Z)?
    } else {
        pool_inverse_variance(yi, vi, method, test)?
    };
    Ok(TrimFill {
        k0,
        se_k0,
        side,
        estimate: result.estimate,
        se: result.se,
        ci_lower: result.ci_lower,
        ci_upper: result.ci_upper,
        tau2: result.tau2,
        filled_yi,
        filled_vi,
    })
}
