//! Mixed-effects meta-regression: metafor `rma.uni(yi, vi, mods = X)`.
//!
//! [`fit`] is the general weighted least-squares model with a design matrix
//! `X` (k × p) and a between-study variance τ² estimated by DL, REML or PM
//! (or fixed at 0 for the common-effect model). It is the workhorse of the
//! meta-regression report, Egger's test ([`crate::bias`]) and the
//! influence diagnostics ([`crate::sensitivity`]). Formulas follow
//! metafor 3.8 `rma.uni` (Viechtbauer 2010, J Stat Softw 36(3)); the
//! estimators are those of DerSimonian & Laird 1986, Viechtbauer 2005 (REML
//! by Fisher scoring) and Paule & Mandel 1982 (generalised Q = k − p).

mod tau2;

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::dist;
use crate::error::{StatsError, finite, positive};
use crate::measure::{Method, Test};
use crate::pool::LEVEL;

pub use tau2::estimate_tau2;
pub(crate) use tau2::intercept_only_tau2;

/// A fitted meta-regression model (metafor `rma.uni` with `mods`).
#[derive(Debug, Clone, PartialEq)]
pub struct RegFit {
    /// Number of studies.
    pub k: usize,
    /// Number of coefficients.
    pub p: usize,
    /// τ² estimator.
    pub method: Method,
    /// Test for the coefficients (z, or Hartung–Knapp t with k − p df).
    pub test: Test,
    /// Coefficients.
    pub beta: Vec<f64>,
    /// Variance–covariance matrix of the coefficients (multiplied by `s2w`).
    pub vb: DMatrix<f64>,
    /// `(X'WX)⁻¹` before the Hartung–Knapp scaling (used for hat values).
    pub vb_unscaled: DMatrix<f64>,
    /// Standard errors.
    pub se: Vec<f64>,
    /// z or t statistics.
    pub statistic: Vec<f64>,
    /// Two-sided p values.
    pub p_values: Vec<f64>,
    /// Lower 95% confidence limits.
    pub ci_lower: Vec<f64>,
    /// Upper 95% confidence limits.
    pub ci_upper: Vec<f64>,
    /// Between-study variance (0 for the common-effect model).
    pub tau2: f64,
    /// Hartung–Knapp scale factor `RSS/(k − p)` (1 under the z test).
    pub s2w: f64,
    /// Residual heterogeneity statistic QE (weights 1/vi).
    pub qe: f64,
    /// p value of QE on k − p df.
    pub qe_p: f64,
    /// Omnibus test of the coefficients `btt` (Wald χ², or F under knha).
    pub qm: f64,
    /// Degrees of freedom of QM: `(m, None)` for χ², `(m, Some(k − p))` for F.
    pub qm_df: (f64, Option<f64>),
    /// p value of QM.
    pub qm_p: f64,
    /// Residual I² in percent (metafor's definition with `vt = (k−p)/tr P`).
    pub i2: f64,
    /// Residual H².
    pub h2: f64,
}

/// Options of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FitOptions {
    /// τ² estimator (FE, DL, REML, PM).
    pub method: Method,
    /// Test for the coefficients.
    pub test: Test,
}

/// `X'WX` for `W = diag(w)`, by scaling the rows of X (no k × k matrix).
pub(crate) fn xtwx(x: &DMatrix<f64>, w: &[f64]) -> DMatrix<f64> {
    x.transpose() * scale_rows(x, w)
}

/// `diag(w) X`.
pub(crate) fn scale_rows(x: &DMatrix<f64>, w: &[f64]) -> DMatrix<f64> {
    let mut out = x.clone();
    for (i, mut row) in out.row_iter_mut().enumerate() {
        row *= w[i];
    }
    out
}

/// `X' W y` for `W = diag(w)`.
pub(crate) fn xtwy(x: &DMatrix<f64>, w: &[f64], y: &DVector<f64>) -> DVector<f64> {
    let wy = DVector::from_iterator(y.len(), y.iter().zip(w).map(|(y, w)| y * w));
    x.transpose() * wy
}

/// `(X'WX)⁻¹` by Cholesky; a singular matrix means the design is not of full rank.
pub(crate) fn inv_xwx(x: &DMatrix<f64>, w: &[f64]) -> Result<DMatrix<f64>, StatsError> {
    xtwx(x, w)
        .cholesky()
        .map(|c| c.inverse())
        .ok_or_else(|| StatsError::Degenerate("the model matrix is not of full rank".into()))
}

/// `y'Py` and `tr P` for `P = W − W X (X'WX)⁻¹ X' W` without forming the
/// k × k matrix: `y'Py = Σwy² − b'(X'WX)⁻¹b` with `b = X'Wy`, and
/// `tr P = Σw − tr((X'WX)⁻¹ X'W²X)`.
pub(crate) fn quad_and_trace_p(
    y: &DVector<f64>,
    x: &DMatrix<f64>,
    w: &[f64],
) -> Result<(f64, f64), StatsError> {
    let inv = inv_xwx(x, w)?;
    let wv = DVector::from_column_slice(w);
    let wy = wv.component_mul(y);
    let b = x.transpose() * &wy;
    let quad = y.dot(&wy) - (b.transpose() * &inv * &b)[(0, 0)];
    let w2 = wv.component_mul(&wv);
    let xw2x = xtwx(x, w2.as_slice());
    let tr = wv.sum() - (inv * xw2x).trace();
    Ok((quad, tr))
}

/// Checks inputs: equal lengths, finite effects, positive variances, k > p.
pub(crate) fn validate(yi: &[f64], vi: &[f64], x: &DMatrix<f64>) -> Result<(), StatsError> {
    if yi.len() != vi.len() || x.nrows() != yi.len() {
        return Err(StatsError::InvalidInput {
            field: "yi/vi/mods".into(),
            message: format!(
                "lengths differ ({}, {}, {} rows)",
                yi.len(),
                vi.len(),
                x.nrows()
            ),
        });
    }
    if yi.is_empty() {
        return Err(StatsError::NoStudies);
    }
    for (&y, &v) in yi.iter().zip(vi) {
        finite("yi", y)?;
        positive("vi", v)?;
    }
    for v in x.iter() {
        finite("mods", *v)?;
    }
    if yi.len() <= x.ncols() {
        return Err(StatsError::Degenerate(format!(
            "{} studies are too few for {} coefficients",
            yi.len(),
            x.ncols()
        )));
    }
    Ok(())
}

/// Fits `yi = Xβ + u + e`, `u ~ N(0, τ²)`, `e ~ N(0, vi)` as metafor
/// `rma.uni(yi, vi, mods = X, intercept = FALSE, method, test)`.
///
/// - β = (X'WX)⁻¹X'Wy, Var(β) = s2w (X'WX)⁻¹, W = diag(1/(vi + τ²)).
/// - Hartung & Knapp 2001 (`Test::Knha`): `s2w = RSS/(k − p)` (0 when RSS ≤
///   machine epsilon), t(k − p) tests, and `QM` becomes an F statistic
///   `QM/m` on (m, k − p) df (metafor).
/// - `btt` indexes the coefficients of the omnibus test (metafor `btt`).
/// - QE = y'Py with W = diag(1/vi), on k − p df; I² = 100 τ²/(vt + τ²) with
///   vt = (k − p)/tr P (FE: 100 (QE − (k − p))/QE, floored at 0).
pub fn fit(
    yi: &[f64],
    vi: &[f64],
    x: &DMatrix<f64>,
    btt: &[usize],
    opts: FitOptions,
) -> Result<RegFit, StatsError> {
    validate(yi, vi, x)?;
    let (k, p) = (yi.len(), x.ncols());
    if btt.is_empty() || btt.iter().any(|&j| j >= p) {
        return Err(StatsError::InvalidInput {
            field: "btt".into(),
            message: "coefficients to test are out of range".into(),
        });
    }
    let tau2 = estimate_tau2(yi, vi, x, opts.method)?;
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let vb_unscaled = inv_xwx(x, &w)?;
    let y = DVector::from_column_slice(yi);
    let beta = &vb_unscaled * xtwy(x, &w, &y);
    let resid = &y - x * &beta;
    let rss: f64 = resid.iter().zip(&w).map(|(r, w)| w * r * r).sum();
    let df = (k - p) as f64;
    let s2w = match opts.test {
        Test::Z => 1.0,
        Test::Knha if rss <= f64::EPSILON => 0.0,
        Test::Knha => rss / df,
    };
    let vb = &vb_unscaled * s2w;
    let se: Vec<f64> = (0..p).map(|j| vb[(j, j)].max(0.0).sqrt()).collect();
    let statistic: Vec<f64> = (0..p).map(|j| beta[j] / se[j]).collect();
    let crit = match opts.test {
        Test::Z => dist::qnorm(0.5 + LEVEL / 2.0)?,
        Test::Knha => dist::qt(0.5 + LEVEL / 2.0, df)?,
    };
    let p_values = statistic
        .iter()
        .map(|&s| match opts.test {
            Test::Z => dist::p_two_sided_z(s),
            Test::Knha => dist::p_two_sided_t(s, df),
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let ci_lower = (0..p).map(|j| beta[j] - crit * se[j]).collect();
    let ci_upper = (0..p).map(|j| beta[j] + crit * se[j]).collect();
    let (qm, qm_df, qm_p) = omnibus(&beta, &vb, btt, opts.test, df)?;
    let (qe, qe_p, i2, h2) = heterogeneity(yi, vi, x, tau2, opts.method)?;
    let out = RegFit {
        k,
        p,
        method: opts.method,
        test: opts.test,
        beta: beta.iter().copied().collect(),
        vb,
        vb_unscaled,
        se,
        statistic,
        p_values,
        ci_lower,
        ci_upper,
        tau2,
        s2w,
        qe,
        qe_p,
        qm,
        qm_df,
        qm_p,
        i2,
        h2,
    };
    let all_finite = out.beta.iter().chain(&out.se).all(|v| v.is_finite())
        && [out.tau2, out.qe, out.i2].iter().all(|v| v.is_finite());
    if !all_finite {
        return Err(StatsError::Degenerate(
            "numerical overflow: inputs too extreme for the meta-regression".into(),
        ));
    }
    Ok(out)
}

/// QM, its degrees of freedom and its p value.
type Omnibus = (f64, (f64, Option<f64>), f64);

/// Wald test of `beta[btt]` (metafor `QM`): `β' Var(β)⁻¹ β` on m df, or
/// `QM/m` against F(m, k − p) under Hartung–Knapp.
fn omnibus(
    beta: &DVector<f64>,
    vb: &DMatrix<f64>,
    btt: &[usize],
    test: Test,
    df: f64,
) -> Result<Omnibus, StatsError> {
    let m = btt.len();
    let b = DVector::from_iterator(m, btt.iter().map(|&j| beta[j]));
    let sub = DMatrix::from_fn(m, m, |r, c| vb[(btt[r], btt[c])]);
    let inv = sub
        .cholesky()
        .map(|c| c.inverse())
        .ok_or_else(|| StatsError::Degenerate("the coefficients' variance is singular".into()))?;
    let qm = (b.transpose() * inv * &b)[(0, 0)];
    let mf = m as f64;
    Ok(match test {
        Test::Z => (qm, (mf, None), dist::pchisq_upper(qm, mf)?),
        Test::Knha => {
            let f = qm / mf;
            (f, (mf, Some(df)), dist::pf_upper(f, mf, df)?)
        }
    })
}

/// QE, its p value, I² and H² as metafor `rma.uni` (weights 1/vi).
pub(crate) fn heterogeneity(
    yi: &[f64],
    vi: &[f64],
    x: &DMatrix<f64>,
    tau2: f64,
    method: Method,
) -> Result<(f64, f64, f64, f64), StatsError> {
    let (k, p) = (yi.len(), x.ncols());
    let df = (k - p) as f64;
    let w0: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
    let ymc = tau2::centred(yi);
    let (quad, tr) = quad_and_trace_p(&ymc, x, &w0)?;
    let qe = quad.max(0.0);
    let qe_p = dist::pchisq_upper(qe, df)?;
    let vt = df / tr;
    let (i2, h2) = if method.is_random() {
        (100.0 * (tau2 / (vt + tau2)), tau2 / vt + 1.0)
    } else {
        let i2 = if qe > 0.0 {
            (100.0 * (1.0 - df / qe)).max(0.0)
        } else {
            0.0
        };
        (i2, qe / df)
    };
    Ok((qe, qe_p, i2, h2))
}

/// Hat values `diag(X (X'WX)⁻¹ X' W)`, W = diag(1/(vi + τ²)), capped at 1
/// (metafor `hatvalues.rma.uni`).
pub fn hat_values(x: &DMatrix<f64>, vi: &[f64], tau2: f64) -> Result<Vec<f64>, StatsError> {
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let inv = inv_xwx(x, &w)?;
    Ok((0..x.nrows())
        .map(|i| {
            let xi = x.row(i);
            let h = (xi * &inv * xi.transpose())[(0, 0)] * w[i];
            if h > 1.0 - 10.0 * f64::EPSILON {
                1.0
            } else {
                h
            }
        })
        .collect())
}

/// Design matrix of the intercept-only model: a column of k ones.
pub fn intercept_only(k: usize) -> DMatrix<f64> {
    DMatrix::from_element(k, 1, 1.0)
}

/// Design matrix with an intercept column followed by the given covariates
/// (each a column of k values).
pub fn design_with_intercept(k: usize, covariates: &[Vec<f64>]) -> DMatrix<f64> {
    DMatrix::from_fn(k, covariates.len() + 1, |r, c| {
        if c == 0 { 1.0 } else { covariates[c - 1][r] }
    })
}

/// R² of a meta-regression in percent, metafor's default (`r2def = "1"`):
/// `max(0, 100 (τ²_RE − τ²_ME)/τ²_RE)` with τ²_RE from the intercept-only
/// model fitted the same way; 0 when τ²_RE is 0 (Raudenbush 2009). For the
/// common-effect model: the adjusted R² of the weighted linear regression
/// `lm(yi ~ X, weights = 1/vi)`, floored at 0.
pub fn r2(yi: &[f64], vi: &[f64], full: &RegFit, x: &DMatrix<f64>) -> Result<f64, StatsError> {
    if full.method.is_random() {
        let x0 = DMatrix::from_element(yi.len(), 1, 1.0);
        let tau2_re = estimate_tau2(yi, vi, &x0, full.method)?;
        if tau2_re == 0.0 {
            return Ok(0.0);
        }
        return Ok((100.0 * (tau2_re - full.tau2) / tau2_re).max(0.0));
    }
    let n = yi.len() as f64;
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let ybar = w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / sw;
    let tss: f64 = w.iter().zip(yi).map(|(w, y)| w * (y - ybar).powi(2)).sum();
    if tss == 0.0 {
        return Ok(0.0);
    }
    let fitted = x * DVector::from_column_slice(&full.beta);
    let rss: f64 = (0..yi.len())
        .map(|i| w[i] * (yi[i] - fitted[i]).powi(2))
        .sum();
    let r2 = 1.0 - rss / tss;
    let adj = 1.0 - (1.0 - r2) * ((n - 1.0) / (n - x.ncols() as f64));
    Ok((100.0 * adj).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::inverse_variance::pool_inverse_variance;
    use crate::testutil::assert_close;

    #[test]
    fn intercept_only_agrees_with_pooling() {
        let yi = [-0.9, -1.6, -1.4, -1.4, -0.2, -0.8, 0.0, 0.0, -0.5];
        let vi = [0.36, 0.19, 0.42, 0.01, 0.05, 0.007, 0.22, 0.004, 0.06];
        let x = DMatrix::from_element(yi.len(), 1, 1.0);
        for method in [Method::FE, Method::DL, Method::REML, Method::PM] {
            for test in [Test::Z, Test::Knha] {
                let r = fit(&yi, &vi, &x, &[0], FitOptions { method, test }).unwrap();
                let q = pool_inverse_variance(&yi, &vi, method, test).unwrap();
                assert_close(r.beta[0], q.estimate, "estimate");
                assert_close(r.se[0], q.se, "se");
                assert_close(r.qe, q.q.unwrap(), "Q");
                assert_close(r.ci_lower[0], q.ci_lower, "ci");
                if method != Method::FE {
                    assert_close(r.tau2, q.tau2.unwrap(), "tau2");
                }
            }
        }
    }

    #[test]
    fn too_few_studies_and_collinear_designs_are_errors() {
        let x = design_with_intercept(2, &[vec![1.0, 2.0]]);
        let o = FitOptions {
            method: Method::REML,
            test: Test::Z,
        };
        assert!(fit(&[0.1, 0.2], &[0.1, 0.1], &x, &[1], o).is_err());
        let x = design_with_intercept(3, &[vec![1.0, 1.0, 1.0]]);
        assert!(fit(&[0.1, 0.2, 0.3], &[0.1, 0.1, 0.1], &x, &[1], o).is_err());
    }

    #[test]
    fn hat_values_sum_to_p() {
        let x = design_with_intercept(4, &[vec![1.0, 2.0, 3.0, 5.0]]);
        let h = hat_values(&x, &[0.1, 0.2, 0.3, 0.1], 0.05).unwrap();
        assert_close(h.iter().sum::<f64>(), 2.0, "trace of H");
    }
}
