//! GRIM and GRIMMER: can a printed mean (and SD) of whole-number data come from `n`
//! values at all?
//!
//! - GRIM (Brown & Heathers 2017, Soc Psychol Personal Sci 8:363): the mean of `n`
//!   integers is a fraction `k / n`; a printed mean is consistent when some integer `k`
//!   gives a value that rounds to it (either way at a 5: R package scrutiny's
//!   `"up_or_down"`). Checked in exact integer arithmetic on the printed digits.
//! - GRIMMER (Anaya 2016, PeerJ Preprints 4:e2400; analytic form by Allard 2018): for
//!   integers the sum of squares `Q = (n − 1) s² + k² / n` must be an integer with the
//!   parity of the sum `k` (`x² ≡ x mod 2`); a printed SD is consistent when some `s` that
//!   rounds to it gives such a `Q` for some GRIM-consistent `k`.
//!
//! They apply only to data that are whole numbers (counts, scores); evbrief uses GRIM for
//! printed percentages of participants (see `stats::convert::events_from_percentage`,
//! the same rule for `k / n · 100`).

use super::super::error::StatsError;
use super::Printed;

/// Digits of a printed non-negative decimal as an integer and its number of decimals.
fn scaled(text: &str) -> Result<(u128, u32), StatsError> {
    let t = text.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let ok = !(int.is_empty() && frac.is_empty())
        && int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        && int.len() <= 12
        && frac.len() <= 12;
    if !ok {
        return Err(StatsError::InvalidInput {
            field: "mean".into(),
            message: format!("'{text}' is not a plain non-negative decimal such as 5.27"),
        });
    }
    let digits = format!("{int}{frac}");
    let v = digits.parse::<u128>().unwrap_or(0);
    Ok((v, frac.len() as u32))
}

/// The integer sums `k` whose mean `k / n` rounds to the printed `mean`.
fn grim_sums(mean: &str, n: u64) -> Result<Vec<u64>, StatsError> {
    if n == 0 {
        return Err(StatsError::InvalidInput {
            field: "n".into(),
            message: "must be greater than zero".into(),
        });
    }
    let (m, d) = scaled(mean)?;
    let scale = 10u128.pow(d);
    let nn = n as u128;
    // |k/n − m/10^d| ≤ 0.5/10^d  ⇔  |2·k·10^d − 2·m·n| ≤ n
    let lo = (2 * m * nn).saturating_sub(nn).div_ceil(2 * scale);
    let hi = (2 * m * nn + nn) / (2 * scale);
    Ok((lo..=hi).map(|k| k as u64).collect())
}

/// GRIM: true when some `n` integers have a mean that prints as `mean` (a plain decimal
/// as printed, trailing zeros included: `"5.20"` has two decimals).
///
/// Errors: `n` = 0 or a mean that is not a plain non-negative decimal.
pub fn grim(mean: &str, n: u64) -> Result<bool, StatsError> {
    Ok(!grim_sums(mean, n)?.is_empty())
}

/// GRIMMER: true when some `n` integers have a mean that prints as `mean` and a sample
/// SD that prints as `sd`.
///
/// Errors: as [`grim`], `n` < 2, or an SD that is not a plain decimal.
pub fn grimmer(mean: &str, sd: &str, n: u64) -> Result<bool, StatsError> {
    if n < 2 {
        return Err(StatsError::InvalidInput {
            field: "n".into(),
            message: "a sample SD needs n ≥ 2".into(),
        });
    }
    let s = Printed::parse(sd)?;
    let (s_lo, s_hi) = s.range();
    let nf = n as f64;
    // Tolerance for the floating-point sum of squares.
    let eps = 1e-9;
    Ok(grim_sums(mean, n)?.into_iter().any(|k| {
        let kf = k as f64;
        let q_lo = (nf - 1.0) * s_lo.max(0.0).powi(2) + kf * kf / nf;
        let q_hi = (nf - 1.0) * s_hi.powi(2) + kf * kf / nf;
        let mut q = (q_lo - eps).ceil();
        // the first integer in range with the parity of k
        if (q as u64) % 2 != k % 2 {
            q += 1.0;
        }
        q <= q_hi + eps
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wikipedia's GRIM example (after Brown & Heathers 2017): 20 rolls of a die cannot
    /// average 3.48 (every k/20 ends in 0 or 5 at two decimals); scrutiny's vignette:
    /// 5.27 is GRIM-inconsistent with n = 43.
    #[test]
    fn published_grim_examples() {
        assert!(!grim("3.48", 20).unwrap());
        assert!(grim("3.45", 20).unwrap());
        assert!(!grim("5.27", 43).unwrap());
        assert!(grim("5.28", 43).unwrap(), "227/43 = 5.2791");
        // trailing zeros count: 5.20 needs two-decimal precision, 5.2 one
        assert!(!grim("5.20", 43).unwrap());
        assert!(grim("5.2", 43).unwrap());
        // with n ≥ 10^decimals every mean is possible
        assert!(grim("1.23", 100).unwrap());
        assert!(grim("x", 3).is_err() && grim("1", 0).is_err());
    }

    #[test]
    fn grimmer_checks_the_sd_against_whole_numbers() {
        // {1, 2, 3}: mean 2.00, SD 1.00
        assert!(grimmer("2.00", "1.00", 3).unwrap());
        // SD 1.20 of 3 integers summing to 6: Q = 2·1.44 + 12 = 14.88 ± 0.02, no integer
        assert!(!grimmer("2.00", "1.20", 3).unwrap());
        // {1, 1, 2, 4}: mean 2.00, SD 1.41 (√2): Q = 22 = 3·2 + 16, even like k = 8
        assert!(grimmer("2.00", "1.41", 4).unwrap());
        // SD 1.53 (Q ≈ 23.02, odd, but k = 8 is even): impossible
        assert!(!grimmer("2.00", "1.53", 4).unwrap());
        // a GRIM-inconsistent mean fails GRIMMER too
        assert!(!grimmer("3.48", "1.00", 20).unwrap());
        assert!(grimmer("2", "1", 1).is_err());
    }
}
