//! Transforms and back-transforms between the analysis scale and the
//! natural scale (metafor `transf.*` functions).

use super::measure::BackTransform;

/// Freeman–Tukey double-arcsine transform of `x` events out of `n`
/// (Freeman & Tukey 1950; metafor `escalc(measure="PFT")`):
/// `½(asin√(x/(n+1)) + asin√((x+1)/(n+1)))`.
pub fn pft(x: f64, n: f64) -> f64 {
    0.5 * ((x / (n + 1.0)).sqrt().asin() + ((x + 1.0) / (n + 1.0)).sqrt().asin())
}

/// Arcsine square-root transform of a proportion, metafor
/// `escalc(measure="PAS")`: `asin(√(x/n))` (no zero-cell correction).
pub fn pas(x: f64, n: f64) -> f64 {
    (x / n).sqrt().asin()
}

/// Inverse arcsine square-root transform, metafor `transf.iarcsin`:
/// `sin(y)²`, 0 below 0 and 1 above π/2.
pub fn iarcsin(y: f64) -> f64 {
    if y < 0.0 {
        0.0
    } else if y > std::f64::consts::FRAC_PI_2 {
        1.0
    } else {
        y.sin().powi(2)
    }
}

/// Inverse logit, metafor `transf.ilogit` (R `plogis`), overflow-safe.
pub fn ilogit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Harmonic mean of positive sample sizes, `1/mean(1/n)` as in metafor
/// `transf.ipft.hm`; `None` for an empty or non-positive input.
pub fn harmonic_mean(ns: &[f64]) -> Option<f64> {
    if ns.is_empty() || ns.iter().any(|&n| !(n > 0.0 && n.is_finite())) {
        return None;
    }
    let s: f64 = ns.iter().map(|n| 1.0 / n).sum();
    Some(ns.len() as f64 / s)
}

/// Inverse Freeman–Tukey transform for sample size `n`, metafor
/// `transf.ipft` (Miller 1978):
/// `½(1 - sgn(cos 2y) √(1 - (sin 2y + (sin 2y - 1/sin 2y)/n)²))`,
/// set to 0 below `pft(0, n)` and 1 above `pft(n, n)` exactly as metafor does.
pub fn ipft(y: f64, n: f64) -> Option<f64> {
    if !(y.is_finite() && n.is_finite() && n > 0.0) {
        return None;
    }
    if y > pft(n, n) {
        return Some(1.0);
    }
    if y < pft(0.0, n) {
        return Some(0.0);
    }
    let s = (2.0 * y).sin();
    let c = (2.0 * y).cos();
    let sign = if c > 0.0 {
        1.0
    } else if c < 0.0 {
        -1.0
    } else {
        0.0
    };
    let inner = s + (s - 1.0 / s) / n;
    let z = 0.5 * (1.0 - sign * (1.0 - inner * inner).sqrt());
    z.is_finite().then_some(z)
}

/// Inverse Freeman–Tukey with the harmonic mean of the study sizes, metafor
/// `transf.ipft.hm(y, targs=list(ni=ns))`.
pub fn ipft_hm(y: f64, ns: &[f64]) -> Option<f64> {
    ipft(y, harmonic_mean(ns)?)
}

/// Applies a measure's back-transform to a value on the analysis scale.
///
/// `ns` are the study sizes (used only by the Freeman–Tukey inverse).
/// Returns `None` when the measure has no back-transform or it is undefined.
pub fn back_transform(kind: BackTransform, y: f64, ns: &[f64]) -> Option<f64> {
    if !y.is_finite() {
        return None;
    }
    let v = match kind {
        BackTransform::None => return None,
        BackTransform::Exp => y.exp(),
        BackTransform::Identity => y,
        BackTransform::ILogit => ilogit(y),
        BackTransform::IpftHm => ipft_hm(y, ns)?,
        BackTransform::IArcsin => iarcsin(y),
    };
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn ipft_inverts_pft_at_observed_proportions() {
        // For a single study the inverse of the transform of x/n is close to x/n
        // (exact inversion is not expected: Miller 1978 is an approximation).
        let y = pft(7.0, 40.0);
        let p = ipft(y, 40.0).unwrap();
        assert!((p - 7.0 / 40.0).abs() < 0.01);
        assert_eq!(ipft(10.0, 40.0), Some(1.0));
        assert_eq!(ipft(-1.0, 40.0), Some(0.0));
    }

    #[test]
    fn harmonic_mean_and_ilogit() {
        assert_close(harmonic_mean(&[10.0, 40.0]).unwrap(), 16.0, "hm");
        assert_eq!(harmonic_mean(&[]), None);
        assert_close(ilogit(0.0), 0.5, "ilogit");
        assert!(ilogit(-1000.0).is_finite());
    }
}
