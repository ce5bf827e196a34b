//! Kendall's rank correlation with R's `cor.test(method = "kendall")` p values.

use crate::dist;
use crate::error::StatsError;

/// Above this many pairs' worth of studies the exact null distribution is
/// not computed (its cost grows as n³); the normal approximation is used.
/// R computes it for any n; with fewer than 500 studies evbrief agrees.
pub const EXACT_MAX_N: usize = 500;

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Kendall's tau-b, as R `cor(x, y, method = "kendall")`:
/// `Σ sign(xᵢ−xⱼ) sign(yᵢ−yⱼ) / √(n_x n_y)` over pairs, where n_x and n_y
/// count the pairs not tied in x and in y.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let (mut s, mut nx, mut ny) = (0.0, 0.0, 0.0);
    for i in 0..n {
        for j in (i + 1)..n {
            let a = sign(x[i] - x[j]);
            let b = sign(y[i] - y[j]);
            s += a * b;
            nx += a * a;
            ny += b * b;
        }
    }
    s / (nx * ny).sqrt()
}

/// `P(T ≤ q)` for the number T of concordant pairs among n untied
/// observations under independence (R's `pkendall`): T has the distribution
/// of the number of inversions of a random permutation, the sum of
/// independent uniforms on {0, …, i−1}, i = 1..n, built by convolution.
fn pkendall(q: f64, n: usize) -> f64 {
    if q < 0.0 {
        return 0.0;
    }
    let max = n * (n - 1) / 2;
    let mut d = vec![0.0; max + 1];
    d[0] = 1.0;
    let mut top = 0;
    for i in 2..=n {
        let new_top = top + i - 1;
        let mut prefix = vec![0.0; new_top + 2];
        for t in 0..=new_top {
            prefix[t + 1] = prefix[t] + if t <= top { d[t] } else { 0.0 };
        }
        for (t, slot) in d.iter_mut().enumerate().take(new_top + 1) {
            let lo = t.saturating_sub(i - 1);
            *slot = (prefix[t + 1] - prefix[lo]) / i as f64;
        }
        top = new_top;
    }
    let q = q.floor() as usize;
    d.iter().take(q.min(max) + 1).sum::<f64>().min(1.0)
}

/// Counts of each tied value (values occurring more than once).
fn tie_counts(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let mut j = i + 1;
        while j < s.len() && s[j] == s[i] {
            j += 1;
        }
        if j - i > 1 {
            out.push((j - i) as f64);
        }
        i = j;
    }
    out
}

/// Kendall's tau-b and its two-sided p value as R
/// `cor.test(x, y, method = "kendall", exact = TRUE)`: the exact null
/// distribution when neither variable has ties (and n ≤ [`EXACT_MAX_N`]),
/// otherwise the normal approximation with the tie-corrected variance of S
/// (Kendall 1970), without continuity correction.
pub fn kendall_test(x: &[f64], y: &[f64]) -> Result<(f64, f64), StatsError> {
    let n = x.len();
    let tau = kendall_tau_b(x, y);
    if !tau.is_finite() {
        return Err(StatsError::Degenerate(
            "Kendall's tau is undefined (all values tied)".into(),
        ));
    }
    let (tx, ty) = (tie_counts(x), tie_counts(y));
    let nf = n as f64;
    if tx.is_empty() && ty.is_empty() && n <= EXACT_MAX_N {
        let q = ((tau + 1.0) * nf * (nf - 1.0) / 4.0).round();
        let p = if q > nf * (nf - 1.0) / 4.0 {
            1.0 - pkendall(q - 1.0, n)
        } else {
            pkendall(q, n)
        };
        return Ok((tau, (2.0 * p).min(1.0)));
    }
    let t0 = nf * (nf - 1.0) / 2.0;
    let t1: f64 = tx.iter().map(|t| t * (t - 1.0)).sum::<f64>() / 2.0;
    let t2: f64 = ty.iter().map(|t| t * (t - 1.0)).sum::<f64>() / 2.0;
    let s = tau * ((t0 - t1) * (t0 - t2)).sqrt();
    let v0 = nf * (nf - 1.0) * (2.0 * nf + 5.0);
    let vt: f64 = tx.iter().map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum();
    let vu: f64 = ty.iter().map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum();
    let v1 = tx.iter().map(|t| t * (t - 1.0)).sum::<f64>()
        * ty.iter().map(|t| t * (t - 1.0)).sum::<f64>();
    let v2 = tx.iter().map(|t| t * (t - 1.0) * (t - 2.0)).sum::<f64>()
        * ty.iter().map(|t| t * (t - 1.0) * (t - 2.0)).sum::<f64>();
    let var_s = (v0 - vt - vu) / 18.0
        + v1 / (2.0 * nf * (nf - 1.0))
        + v2 / (9.0 * nf * (nf - 1.0) * (nf - 2.0));
    let z = s / var_s.sqrt();
    Ok((tau, dist::p_two_sided_z(z)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn matches_r_cor_test() {
        // R: cor.test(c(1,3,2,5,4,7,6), c(2,1,4,3,6,5,8), method = "kendall")
        let x = [1.0, 3.0, 2.0, 5.0, 4.0, 7.0, 6.0];
        let y = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0];
        let (tau, p) = kendall_test(&x, &y).unwrap();
        assert_close(tau, 0.428_571_428_571_428_5, "tau");
        assert_close(p, 0.238_888_888_888_888_9, "p exact");
        // With ties: cor.test(c(1,1,2,3,4), c(2,3,3,5,4), method = "kendall", exact = TRUE)
        let (tau, p) =
            kendall_test(&[1.0, 1.0, 2.0, 3.0, 4.0], &[2.0, 3.0, 3.0, 5.0, 4.0]).unwrap();
        assert_close(tau, 0.666_666_666_666_666_9, "tau-b");
        assert_close(p, 0.118_432_928_916_671_8, "p normal");
    }

    #[test]
    fn exact_distribution_sums_to_one() {
        assert_close(pkendall(45.0, 10), 1.0, "total");
        assert_close(pkendall(0.0, 4), 1.0 / 24.0, "one permutation");
    }
}
