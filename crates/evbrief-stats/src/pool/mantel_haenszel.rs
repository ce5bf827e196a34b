//! Mantel–Haenszel pooling of 2×2 tables (OR, RR, RD; metafor `rma.mh`) and
//! Peto's one-step odds ratio (metafor `rma.peto`).
//!
//! As in metafor's defaults, the pooled estimate uses the raw tables (no
//! continuity correction, double-zero tables kept: they contribute nothing
//! to OR/RR), while Cochran's Q uses the per-study escalc effects with
//! `add=1/2, to="only0", drop00=TRUE`, so its df is (estimable studies - 1).

use super::{PoolResult, single_study};
use crate::dist;
use crate::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use crate::error::StatsError;
use crate::measure::{Measure, Method, Test};

/// Heterogeneity as in `rma.mh`/`rma.peto` when no tau² is estimated:
/// `Q` with df `k.yi - 1`, `I² = max(0, (Q - df)/Q)`, `H² = Q/df`;
/// `(0, 1, 0, 1)` when fewer than two studies are estimable.
fn fixed_heterogeneity(
    q: f64,
    k_yi: usize,
) -> Result<(f64, Option<f64>, f64, f64, f64), StatsError> {
    if k_yi > 1 {
        let df = (k_yi - 1) as f64;
        let q = q.max(0.0);
        let i2 = if q > 0.0 {
            // 100 (Q - df) / Q, written so that rounding cannot pass 100 when Q is huge.
            (100.0 * (1.0 - df / q)).max(0.0)
        } else {
            0.0
        };
        Ok((q, Some(df), dist::pchisq_upper(q, df)?, i2, q / df))
    } else {
        Ok((0.0, None, 1.0, 0.0, 1.0))
    }
}

/// Per-study escalc effects used for Q (metafor: `add=1/2, to="only0", drop00=TRUE`).
fn escalc_for_q(measure: Measure, tables: &[TwoByTwo]) -> Result<Vec<(f64, f64)>, StatsError> {
    let opts = BinaryOptions {
        add: 0.5,
        drop00: true,
    };
    let mut out = Vec::new();
    for t in tables {
        // metafor's rma.mh drops double zeros for Q for every measure, RD included.
        if t.is_double_zero() {
            continue;
        }
        if let Some(v) = binary_effect(measure, t, &opts)?.value() {
            out.push(v);
        }
    }
    Ok(out)
}

fn finish(
    method: Method,
    k: usize,
    est: f64,
    se: f64,
    q_parts: (f64, usize),
    weights: Vec<f64>,
) -> Result<PoolResult, StatsError> {
    if !(se > 0.0 && se.is_finite() && est.is_finite()) {
        return Err(StatsError::Degenerate(
            "pooled estimate or its standard error is undefined".into(),
        ));
    }
    let (q, q_df, q_p, i2, h2) = fixed_heterogeneity(q_parts.0, q_parts.1)?;
    let sw: f64 = weights.iter().sum();
    let weights = weights.iter().map(|w| 100.0 * w / sw).collect();
    PoolResult {
        single_study: false,
        i2: Some(i2),
        h2: Some(h2),
        q: Some(q),
        q_df,
        q_p: Some(q_p),
        ..PoolResult::wald(method, Test::Z, k, est, se, weights, Vec::new())?
    }
    .checked()
}

fn validated(tables: &[TwoByTwo]) -> Result<Vec<TwoByTwo>, StatsError> {
    if tables.is_empty() {
        return Err(StatsError::NoStudies);
    }
    tables.iter().map(|t| t.validated()).collect()
}

/// Single table: the study's own (escalc) effect, flagged as single-study.
fn single_table(measure: Measure, method: Method, t: &TwoByTwo) -> Result<PoolResult, StatsError> {
    let e = binary_effect(measure, t, &BinaryOptions::default())?;
    let (y, v) = e.value().ok_or(StatsError::NoStudies)?;
    single_study(y, v, method, Test::Z)
}

/// Mantel & Haenszel 1959 pooled OR, RR or RD (metafor `rma.mh`), on the
/// log scale for OR and RR.
///
/// - OR: `R/S`, `R = Σ aᵢdᵢ/Nᵢ`, `S = Σ bᵢcᵢ/Nᵢ`; variance of the log by
///   Robins, Breslow & Greenland 1986.
/// - RR: `Σ aᵢn₂ᵢ/Nᵢ / Σ cᵢn₁ᵢ/Nᵢ`; variance by Greenland & Robins 1985.
/// - RD: `Σ(aᵢn₂ᵢ - cᵢn₁ᵢ)/Nᵢ / Σ n₁ᵢn₂ᵢ/Nᵢ`; variance by Sato, Greenland &
///   Robins 1989 (as metafor).
///
/// Weights (metafor `weights.rma.mh`): OR `bᵢcᵢ/Nᵢ`, RR `cᵢn₁ᵢ/Nᵢ`, RD `n₁ᵢn₂ᵢ/Nᵢ`.
pub fn pool_mantel_haenszel(
    measure: Measure,
    tables: &[TwoByTwo],
) -> Result<PoolResult, StatsError> {
    Method::MH.check_measure(measure)?;
    let t = validated(tables)?;
    if t.len() == 1 {
        return single_table(measure, Method::MH, &t[0]);
    }
    let n = |x: &TwoByTwo| x.n1() + x.n2();
    let (est, se, w): (f64, f64, Vec<f64>) = match measure {
        Measure::OR => {
            let (mut r, mut s, mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for x in &t {
                let ni = n(x);
                let (p, q) = ((x.ai + x.di) / ni, (x.bi + x.ci) / ni);
                let (ri, si) = (x.ai / ni * x.di, x.bi / ni * x.ci);
                r += ri;
                s += si;
                pr += p * ri;
                ps_qr += p * si + q * ri;
                qs += q * si;
            }
            if r == 0.0 || s == 0.0 {
                return Err(StatsError::Degenerate(
                    "Mantel-Haenszel odds ratio undefined (a zero numerator or denominator sum)"
                        .into(),
                ));
            }
            let var = 0.5 * (pr / (r * r) + ps_qr / (r * s) + qs / (s * s));
            let w = t.iter().map(|x| x.bi / n(x) * x.ci).collect();
            ((r / s).ln(), var.sqrt(), w)
        }
        Measure::RR => {
            let sa: f64 = t.iter().map(|x| x.ai).sum();
            let sc: f64 = t.iter().map(|x| x.ci).sum();
            if sa == 0.0 || sc == 0.0 {
                return Err(StatsError::Degenerate(
                    "Mantel-Haenszel risk ratio undefined (no events in one arm across all studies)".into(),
                ));
            }
            let r: f64 = t.iter().map(|x| x.ai * (x.n2() / n(x))).sum();
            let s: f64 = t.iter().map(|x| x.ci * (x.n1() / n(x))).sum();
            let num: f64 = t
                .iter()
                .map(|x| {
                    let ni = n(x);
                    (x.n1() / ni) * (x.n2() / ni) * (x.ai + x.ci) - (x.ai / ni) * x.ci
                })
                .sum();
            let w = t.iter().map(|x| x.ci / n(x) * x.n1()).collect();
            ((r / s).ln(), (num / (r * s)).sqrt(), w)
        }
        _ => {
            // RD
            let den: f64 = t.iter().map(|x| x.n1() * (x.n2() / n(x))).sum();
            let b = t
                .iter()
                .map(|x| x.ai * (x.n2() / n(x)) - x.ci * (x.n1() / n(x)))
                .sum::<f64>()
                / den;
            let s1: f64 = t
                .iter()
                .map(|x| {
                    let ni = n(x);
                    let (f1, f2) = (x.n1() / ni, x.n2() / ni);
                    x.ci * f1 * f1 - x.ai * f2 * f2 + f1 * f2 * (x.n2() - x.n1()) / 2.0
                })
                .sum();
            let s2: f64 = t
                .iter()
                .map(|x| {
                    let ni = n(x);
                    x.ai * (x.n2() - x.ci) / ni + x.ci * (x.n1() - x.ai) / ni
                })
                .sum();
            let var = (b * s1 + s2 / 2.0) / (den * den);
            let w = t.iter().map(|x| x.n1() / n(x) * x.n2()).collect();
            (b, var.max(0.0).sqrt(), w)
        }
    };
    let eff = escalc_for_q(measure, &t)?;
    let q: f64 = eff.iter().map(|(y, v)| (y - est) * (y - est) / v).sum();
    finish(Method::MH, t.len(), est, se, (q, eff.len()), w)
}

/// Peto's one-step log odds ratio (Yusuf et al. 1985; metafor `rma.peto`):
/// `Σ(Oᵢ - Eᵢ)/ΣVᵢ`, variance `1/ΣVᵢ`, with `Eᵢ = (aᵢ+cᵢ)n₁ᵢ/Nᵢ` and
/// hypergeometric `Vᵢ = (aᵢ+cᵢ)(bᵢ+dᵢ)n₁ᵢn₂ᵢ/(Nᵢ²(Nᵢ-1))`;
/// `Q = Σ(Oᵢ-Eᵢ)²/Vᵢ - (Σ(Oᵢ-Eᵢ))²/ΣVᵢ`. Weights are `Vᵢ`.
pub fn pool_peto(tables: &[TwoByTwo]) -> Result<PoolResult, StatsError> {
    let t = validated(tables)?;
    if t.len() == 1 {
        return single_table(Measure::PETO, Method::PETO, &t[0]);
    }
    let mut oe = Vec::with_capacity(t.len());
    let mut v = Vec::with_capacity(t.len());
    for x in &t {
        let ni = x.n1() + x.n2();
        let (xt, yt) = (x.ai + x.ci, x.bi + x.di);
        let e = xt * x.n1() / ni;
        let vi = if ni > 1.0 {
            xt * yt * (x.n1() / ni) * (x.n2() / ni) / (ni - 1.0)
        } else {
            0.0
        };
        oe.push(x.ai - e);
        v.push(vi);
    }
    let sv: f64 = v.iter().sum();
    if sv.is_nan() || sv <= 0.0 {
        return Err(StatsError::Degenerate(
            "Peto odds ratio undefined: no table carries information".into(),
        ));
    }
    let soe: f64 = oe.iter().sum();
    let est = soe / sv;
    let se = (1.0 / sv).sqrt();
    let q = oe
        .iter()
        .zip(&v)
        .filter(|(_, v)| **v > 0.0)
        .map(|(o, v)| o * o / v)
        .sum::<f64>()
        - soe * soe / sv;
    let k_yi = escalc_for_q(Measure::PETO, &t)?.len();
    finish(Method::PETO, t.len(), est, se, (q, k_yi), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ai: f64, bi: f64, ci: f64, di: f64) -> TwoByTwo {
        TwoByTwo { ai, bi, ci, di }
    }

    #[test]
    fn mh_rejects_md_and_handles_all_zero() {
        assert!(matches!(
            pool_mantel_haenszel(Measure::MD, &[t(1.0, 2.0, 3.0, 4.0)]),
            Err(StatsError::IncompatibleMethod { .. })
        ));
        let zero = [t(0.0, 10.0, 0.0, 10.0), t(0.0, 5.0, 0.0, 8.0)];
        assert!(matches!(
            pool_mantel_haenszel(Measure::OR, &zero),
            Err(StatsError::Degenerate(_))
        ));
        assert!(pool_peto(&zero).is_err());
        assert!(pool_mantel_haenszel(Measure::RD, &zero).is_err());
        assert_eq!(pool_peto(&[]), Err(StatsError::NoStudies));
    }

    #[test]
    fn mh_single_table_is_single_study() {
        let r = pool_mantel_haenszel(Measure::RR, &[t(3.0, 10.0, 5.0, 9.0)]).unwrap();
        assert!(r.single_study);
    }
}
