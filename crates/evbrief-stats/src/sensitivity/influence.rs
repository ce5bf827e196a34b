//! Case-deletion influence diagnostics, metafor 3.8 `influence.rma.uni`
//! (Viechtbauer & Cheung 2010).

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::dist;
use crate::error::StatsError;
use crate::measure::{Method, Test};
use crate::metareg::{self, FitOptions};

/// Influence measures of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Influence {
    /// Externally standardised (studentised deleted) residual.
    pub rstudent: f64,
    /// DFFITS.
    pub dffits: f64,
    /// Cook's distance.
    pub cook_d: f64,
    /// Covariance ratio.
    pub cov_r: f64,
    /// τ² without the study.
    pub tau2_del: f64,
    /// QE without the study.
    pub qe_del: f64,
    /// Hat value (leverage).
    pub hat: f64,
    /// DFBETAS of each coefficient.
    pub dfbetas: Vec<f64>,
    /// metafor's flag (`is.infl`): |DFFITS| > 3√(p/(k−p)), or
    /// `pchisq(cook_d, p) > 0.5`, or hat > 3p/k, or any |DFBETAS| > 1.
    pub influential: bool,
}

/// Influence diagnostics of the model `yi = Xβ + u + e` (pass a column of
/// ones for the intercept-only model), computed as metafor: for each study
/// i the model is refitted without it (same method and test), and
///
/// - rstudent = `(yᵢ − xᵢβ̂₍ᵢ₎)/√(vᵢ s2w₍ᵢ₎ + xᵢVar(β̂₍ᵢ₎)xᵢ' + τ²₍ᵢ₎ s2w₍ᵢ₎)`,
/// - DFFITS = `(xᵢβ̂ − xᵢβ̂₍ᵢ₎)/√(s2w₍ᵢ₎ hᵢ (τ²₍ᵢ₎ + vᵢ))`,
/// - Cook's D = `(β̂ − β̂₍ᵢ₎)' Var(β̂)⁻¹ (β̂ − β̂₍ᵢ₎)`,
/// - COVRATIO = `det Var(β̂₍ᵢ₎)/det Var(β̂)`,
/// - DFBETAS = `(β̂ − β̂₍ᵢ₎)/√(s2w₍ᵢ₎ diag((X'W₍ᵢ₎X)⁻¹))` with
///   W₍ᵢ₎ = diag(1/(v + τ²₍ᵢ₎)) over all k studies.
pub fn influence(
    yi: &[f64],
    vi: &[f64],
    x: &DMatrix<f64>,
    method: Method,
    test: Test,
) -> Result<Vec<Influence>, StatsError> {
    let (k, p) = (yi.len(), x.ncols());
    if p == 1 && x.nrows() == k && x.iter().all(|v| *v == 1.0) {
        crate::pool::inverse_variance::validate(yi, vi)?;
        if k >= 3 {
            let fits = super::deletion_fits(yi, vi, method, test);
            return intercept_only(yi, vi, method, test, &fits);
        }
    }
    let btt: Vec<usize> = (0..p).collect();
    let opts = FitOptions { method, test };
    let full = metareg::fit(yi, vi, x, &btt, opts)?;
    if k < p + 2 {
        return Err(StatsError::Degenerate(format!(
            "influence diagnostics need at least {} studies",
            p + 2
        )));
    }
    let hat = metareg::hat_values(x, vi, full.tau2)?;
    let svb = full
        .vb
        .clone()
        .cholesky()
        .map(|c| c.inverse())
        .ok_or_else(|| StatsError::Degenerate("singular variance of the estimates".into()))?;
    let det_full = full.vb.determinant();
    let beta = DVector::from_column_slice(&full.beta);
    let mut out = Vec::with_capacity(k);
    for i in 0..k {
        let keep: Vec<usize> = (0..k).filter(|&j| j != i).collect();
        let y: Vec<f64> = keep.iter().map(|&j| yi[j]).collect();
        let v: Vec<f64> = keep.iter().map(|&j| vi[j]).collect();
        let xd = x.select_rows(keep.iter());
        let del = metareg::fit(&y, &v, &xd, &btt, opts)?;
        let bdel = DVector::from_column_slice(&del.beta);
        let xi = x.row(i);
        let pred_full = (xi * &beta)[(0, 0)];
        let delpred = (xi * &bdel)[(0, 0)];
        let vdelpred = (xi * &del.vb * xi.transpose())[(0, 0)];
        let mut resid = yi[i] - delpred;
        if resid.abs() < 100.0 * f64::EPSILON {
            resid = 0.0;
        }
        let seresid = (vi[i] * del.s2w + vdelpred + del.tau2 * del.s2w).sqrt();
        let dffits = (pred_full - delpred) / (del.s2w * hat[i] * (del.tau2 + vi[i])).sqrt();
        let w_del: Vec<f64> = vi.iter().map(|v| 1.0 / (v + del.tau2)).collect();
        let vb_del = metareg::inv_xwx(x, &w_del)?;
        let dfb = &beta - &bdel;
        let dfbetas: Vec<f64> = (0..p)
            .map(|j| dfb[j] / (del.s2w * vb_del[(j, j)]).sqrt())
            .collect();
        let cook_d = (dfb.transpose() * &svb * &dfb)[(0, 0)];
        let cov_r = del.vb.determinant() / det_full;
        let influential = is_influential(dffits, cook_d, hat[i], &dfbetas, p, k)?;
        out.push(Influence {
            rstudent: resid / seresid,
            dffits,
            cook_d,
            cov_r,
            tau2_del: del.tau2,
            qe_del: del.qe,
            hat: hat[i],
            dfbetas,
            influential,
        });
    }
    Ok(out)
}

/// metafor's `is.infl` for a model of `p` coefficients and `k` studies: |DFFITS| >
/// 3√(p/(k−p)), or `pchisq(cook_d, p) > 0.5`, or hat > 3p/k, or any |DFBETAS| > 1.
fn is_influential(
    dffits: f64,
    cook_d: f64,
    hat: f64,
    dfbetas: &[f64],
    p: usize,
    k: usize,
) -> Result<bool, StatsError> {
    let (pf, kf) = (p as f64, k as f64);
    Ok(dffits.abs() > 3.0 * (pf / (kf - pf)).sqrt()
        || dist::pchisq_lower(cook_d, pf)? > 0.5
        || hat > 3.0 * pf / kf
        || dfbetas.iter().any(|d| d.abs() > 1.0))
}

/// [`influence`] of the intercept-only model from its deletion fits (one per
/// study, in order, as [`super::case_deletion`] computes them), with the
/// formulas above for `X` a column of ones: `xᵢβ̂ = μ̂`, `Var(β̂₍ᵢ₎)` a
/// scalar, hat `hᵢ = wᵢ/Σw` and `(X'W₍ᵢ₎X)⁻¹ = 1/Σⱼ 1/(vⱼ + τ²₍ᵢ₎)` over all
/// k studies.
pub(super) fn intercept_only(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
    fits: &[Result<super::InterceptFit, StatsError>],
) -> Result<Vec<Influence>, StatsError> {
    let k = yi.len();
    let full = super::fit_intercept(yi, vi, method, test)?;
    if k < 3 {
        return Err(StatsError::Degenerate(
            "influence diagnostics need at least 3 studies".into(),
        ));
    }
    let x = metareg::intercept_only(k);
    let hat = metareg::hat_values(&x, vi, full.tau2)?;
    if !(full.vb > 0.0 && full.vb.is_finite()) {
        return Err(StatsError::Degenerate(
            "singular variance of the estimates".into(),
        ));
    }
    let svb = 1.0 / full.vb;
    let mut out = Vec::with_capacity(k);
    for (i, del) in fits.iter().enumerate() {
        let del = del.clone()?;
        let mut resid = yi[i] - del.estimate;
        if resid.abs() < 100.0 * f64::EPSILON {
            resid = 0.0;
        }
        let seresid = (vi[i] * del.s2w + del.vb + del.tau2 * del.s2w).sqrt();
        let dfb = full.estimate - del.estimate;
        let dffits = dfb / (del.s2w * hat[i] * (del.tau2 + vi[i])).sqrt();
        let sw_del: f64 = vi.iter().map(|v| 1.0 / (v + del.tau2)).sum();
        let dfbetas = dfb / (del.s2w * (1.0 / sw_del)).sqrt();
        let cook_d = dfb * svb * dfb;
        let cov_r = del.vb / full.vb;
        let influential = is_influential(dffits, cook_d, hat[i], &[dfbetas], 1, k)?;
        out.push(Influence {
            rstudent: resid / seresid,
            dffits,
            cook_d,
            cov_r,
            tau2_del: del.tau2,
            qe_del: del.qe,
            hat: hat[i],
            dfbetas: vec![dfbetas],
            influential,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outlier_is_flagged() {
        let yi = [0.1, 0.12, 0.09, 0.11, 0.1, 2.5];
        let vi = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01];
        let x = DMatrix::from_element(6, 1, 1.0);
        let inf = influence(&yi, &vi, &x, Method::FE, Test::Z).unwrap();
        assert!(inf[5].influential);
        assert!(inf[5].rstudent > 10.0);
    }

    /// The intercept-only shortcut gives what the general case-deletion code
    /// gives: a column of 2s is the same model (β halves, every diagnostic is
    /// invariant to the scale) but takes the meta-regression route.
    #[test]
    fn the_intercept_only_shortcut_agrees_with_the_general_route() {
        let yi = [0.1, 0.42, -0.25, 0.3, 0.8, 0.05, -0.1];
        let vi = [0.04, 0.09, 0.05, 0.02, 0.12, 0.03, 0.07];
        let ones = DMatrix::from_element(7, 1, 1.0);
        let twos = DMatrix::from_element(7, 1, 2.0);
        for method in [Method::FE, Method::DL, Method::REML, Method::PM] {
            for test in [Test::Z, Test::Knha] {
                let a = influence(&yi, &vi, &ones, method, test).unwrap();
                let b = influence(&yi, &vi, &twos, method, test).unwrap();
                for (a, b) in a.iter().zip(&b) {
                    let pairs = [
                        (a.rstudent, b.rstudent),
                        (a.dffits, b.dffits),
                        (a.cook_d, b.cook_d),
                        (a.cov_r, b.cov_r),
                        (a.tau2_del, b.tau2_del),
                        (a.qe_del, b.qe_del),
                        (a.hat, b.hat),
                        (a.dfbetas[0], b.dfbetas[0]),
                    ];
                    for (x, y) in pairs {
                        assert!(
                            (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                            "{method:?} {test:?}: {x} vs {y}"
                        );
                    }
                    assert_eq!(a.influential, b.influential);
                }
            }
        }
    }
}
