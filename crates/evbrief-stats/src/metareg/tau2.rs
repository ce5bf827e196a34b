//! Estimators of the residual between-study variance τ² with a design
//! matrix, as metafor 3.8 `rma.uni` (`method = "DL"`, `"REML"`, `"PM"`).

use nalgebra::{DMatrix, DVector};

use super::{inv_xwx, quad_and_trace_p, scale_rows, xtwx, xtwy};
use crate::error::StatsError;
use crate::measure::Method;
use crate::pool::inverse_variance::{
    REML_MAXITER, REML_THRESHOLD, TAU2_MAX, tau2_dl, tau2_pm, tau2_reml,
};

/// metafor's `tol` (`.Machine$double.eps^0.25`) for the REML `ll0check`.
const LL0_TOL: f64 = 1.220_703_125e-4;

/// `yi` minus its mean (metafor estimates τ² on the centred outcome `Ymc`).
pub(crate) fn centred(yi: &[f64]) -> DVector<f64> {
    let m = yi.iter().sum::<f64>() / yi.len() as f64;
    DVector::from_iterator(yi.len(), yi.iter().map(|y| y - m))
}

fn quad(y: &DVector<f64>, m: &DMatrix<f64>) -> f64 {
    (y.transpose() * m * y)[(0, 0)]
}

/// Generalised residual Q `y'P(τ²)y`, W = diag(1/(vi + τ²)) (metafor `.QE.func`).
fn gen_q(y: &DVector<f64>, vi: &[f64], x: &DMatrix<f64>, tau2: f64) -> Result<f64, StatsError> {
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    Ok(quad_and_trace_p(y, x, &w)?.0)
}

/// τ² for the model with design `x` (the intercept-only model goes to the
/// scalar estimators of [`crate::pool::inverse_variance`], the same formulas):
///
/// - FE: 0.
/// - DL (DerSimonian & Laird 1986, generalised by Raudenbush 2009):
///   `max(0, (y'Py − (k − p))/tr P)`, W = diag(1/vi).
/// - REML (Viechtbauer 2005): Fisher scoring from the Hedges-type start
///   `(y'P₀y − tr(P₀V))/(k − p)` (P₀ = I − X(X'X)⁻¹X', floored at 0),
///   step `(y'PPy − tr P)/tr(PP)`, halved while it would cross 0, until the
///   change is below [`REML_THRESHOLD`]; then metafor's `ll0check`.
/// - PM (Paule & Mandel 1982): root of `y'P(τ²)y = k − p`, 0 when the value
///   at 0 is already below; the bracket starts at metafor's `tau2.max = 100`
///   and is doubled when needed (metafor stops with an error instead).
pub fn estimate_tau2(
    yi: &[f64],
    vi: &[f64],
    x: &DMatrix<f64>,
    method: Method,
) -> Result<f64, StatsError> {
    let (k, p) = (yi.len(), x.ncols());
    if p == 1 && x.iter().all(|v| *v == 1.0) {
        return intercept_only_tau2(yi, vi, method);
    }
    let df = (k - p) as f64;
    let y = centred(yi);
    match method {
        Method::DL => {
            let w: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
            let (q, tr) = quad_and_trace_p(&y, x, &w)?;
            Ok(((q - df) / tr).max(0.0))
        }
        Method::REML => reml(&y, vi, x),
        Method::PM => {
            if gen_q(&y, vi, x, 0.0)? < df {
                return Ok(0.0);
            }
            let mut hi = TAU2_MAX;
            let mut n = 0;
            while gen_q(&y, vi, x, hi)? > df {
                hi *= 2.0;
                n += 1;
                if n > 2000 || !hi.is_finite() {
                    return Err(StatsError::NotConverged(
                        "Paule-Mandel root bracketing".into(),
                    ));
                }
            }
            let mut lo = 0.0;
            for _ in 0..400 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if gen_q(&y, vi, x, mid)? > df {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Ok(0.5 * (lo + hi))
        }
        _ => Ok(0.0),
    }
}

/// τ² of the intercept-only model: the estimators of [`estimate_tau2`] in scalar form
/// ([`crate::pool::inverse_variance`]); 0 for the common-effect model.
pub(crate) fn intercept_only_tau2(
    yi: &[f64],
    vi: &[f64],
    method: Method,
) -> Result<f64, StatsError> {
    match method {
        Method::DL => tau2_dl(yi, vi),
        Method::REML => tau2_reml(yi, vi),
        Method::PM => tau2_pm(yi, vi),
        _ => Ok(0.0),
    }
}

fn reml(y: &DVector<f64>, vi: &[f64], x: &DMatrix<f64>) -> Result<f64, StatsError> {
    let (k, p) = (vi.len(), x.ncols());
    let ones = vec![1.0; k];
    let p0 = DMatrix::identity(k, k) - x * inv_xwx(x, &ones)? * x.transpose();
    let tr_pv: f64 = (0..k).map(|i| p0[(i, i)] * vi[i]).sum();
    let mut tau2 = ((quad(y, &p0) - tr_pv) / (k - p) as f64).max(0.0);
    let mut converged = false;
    for _ in 0..REML_MAXITER {
        let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
        let (ypp_y, tr_p, tr_pp) = reml_terms(y, x, &w)?;
        if !(tr_pp.is_finite() && tr_pp > 0.0) {
            return Err(StatsError::Degenerate("REML information is zero".into()));
        }
        let new = crate::pool::inverse_variance::fisher_scoring_step(tau2, (ypp_y - tr_p) / tr_pp);
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
    if reml_loglik(y, vi, x, 0.0)? - reml_loglik(y, vi, x, tau2)? > LL0_TOL && tau2 > REML_THRESHOLD
    {
        tau2 = 0.0;
    }
    Ok(tau2)
}

/// `y'PPy`, `tr P` and `tr(PP)` with p × p algebra only: with
/// `A = (X'WX)⁻¹`, `Py = Wy − WXAX'Wy`, `tr P = Σw − tr(A X'W²X)` and
/// `tr(PP) = Σw² − 2 tr(A X'W³X) + tr(A M A M)`, `M = X'W²X`.
fn reml_terms(
    y: &DVector<f64>,
    x: &DMatrix<f64>,
    w: &[f64],
) -> Result<(f64, f64, f64), StatsError> {
    let a = inv_xwx(x, w)?;
    let wv = DVector::from_column_slice(w);
    let wy = wv.component_mul(y);
    let py = &wy - scale_rows(x, w) * (&a * (x.transpose() * &wy));
    let w2 = wv.component_mul(&wv);
    let w3 = w2.component_mul(&wv);
    let m = xtwx(x, w2.as_slice());
    let m3 = xtwx(x, w3.as_slice());
    let am = &a * &m;
    let tr_p = wv.sum() - am.trace();
    let tr_pp = w2.sum() - 2.0 * (&a * m3).trace() + (&am * &am).trace();
    Ok((py.norm_squared(), tr_p, tr_pp))
}

/// Restricted log-likelihood (without metafor's constant `REMLf` term).
fn reml_loglik(
    y: &DVector<f64>,
    vi: &[f64],
    x: &DMatrix<f64>,
    tau2: f64,
) -> Result<f64, StatsError> {
    let (k, p) = (vi.len(), x.ncols());
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let inv = inv_xwx(x, &w)?;
    let beta = &inv * xtwy(x, &w, y);
    let r = y - x * beta;
    let rss: f64 = r.iter().zip(&w).map(|(r, w)| w * r * r).sum();
    let xwx = xtwx(x, &w);
    let logdet = xwx.determinant().ln();
    Ok(-0.5 * (k - p) as f64 * (2.0 * std::f64::consts::PI).ln()
        - 0.5 * vi.iter().map(|v| (v + tau2).ln()).sum::<f64>()
        - 0.5 * logdet
        - 0.5 * rss)
}
