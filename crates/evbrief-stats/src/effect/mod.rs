//! Per-study effect sizes: metafor `escalc` equivalents.
//!
//! Each function returns a [`StudyEffect`]: `yi` (effect on the analysis
//! scale) and `vi` (its sampling variance), or a "not estimable" status with
//! the reason, plus notes such as the zero-cell correction applied.

pub mod binary;
pub mod change;
pub mod continuous;
pub mod proportion;

use serde::Serialize;

/// Whether a study contributes an effect estimate.
///
/// Why: the brief lists studies that cannot be estimated (e.g. double-zero
/// trials) instead of silently dropping them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Status {
    /// `yi` and `vi` are defined.
    Estimable,
    /// The study has no defined effect; `reason` says why.
    NotEstimable {
        /// Human-readable reason, e.g. "no events in either group".
        reason: String,
    },
}

/// A continuity correction that was applied to a study's cells.
///
/// Why: metafor `escalc(add=1/2, to="only0")` silently adds 1/2; the brief
/// must say so for each affected study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// Amount added to every cell (metafor `add`).
    pub added: f64,
    /// Human sentence describing the correction.
    pub note: String,
}

impl Correction {
    /// The amount added as the sentence prints it ("1/2").
    pub fn added_text(&self) -> String {
        if self.added == 0.5 {
            "1/2".to_string()
        } else {
            format!("{}", self.added)
        }
    }
}

/// Effect size of one study on the analysis scale.
///
/// Why: the common currency between the escalc equivalents and pooling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyEffect {
    /// Estimable or not, with the reason.
    pub status: Status,
    /// Effect on the analysis scale (log scale for ratios), `None` if not estimable.
    pub yi: Option<f64>,
    /// Sampling variance of `yi`, `None` if not estimable.
    pub vi: Option<f64>,
    /// Zero-cell correction applied, if any.
    pub correction: Option<Correction>,
    /// Further notes (e.g. assumptions used).
    pub notes: Vec<String>,
}

impl StudyEffect {
    /// An estimable effect; a non-finite or non-positive variance (or a
    /// non-finite effect) turns it into "not estimable" so that no NaN or
    /// zero-variance study reaches pooling.
    pub fn estimable(yi: f64, vi: f64) -> StudyEffect {
        if !yi.is_finite() || !vi.is_finite() {
            return StudyEffect::not_estimable("effect or variance is not finite");
        }
        if vi <= 0.0 {
            return StudyEffect::not_estimable("sampling variance is zero");
        }
        StudyEffect {
            status: Status::Estimable,
            yi: Some(yi),
            vi: Some(vi),
            correction: None,
            notes: Vec::new(),
        }
    }

    /// A study without a defined effect.
    pub fn not_estimable(reason: &str) -> StudyEffect {
        StudyEffect {
            status: Status::NotEstimable {
                reason: reason.to_string(),
            },
            yi: None,
            vi: None,
            correction: None,
            notes: Vec::new(),
        }
    }

    /// `(yi, vi)` if estimable.
    pub fn value(&self) -> Option<(f64, f64)> {
        match (self.yi, self.vi) {
            (Some(y), Some(v)) => Some((y, v)),
            _ => None,
        }
    }

    /// Attaches a correction record (builder style).
    pub fn with_correction(mut self, c: Option<Correction>) -> StudyEffect {
        if self.value().is_some() {
            self.correction = c;
        }
        self
    }
}

/// Hedges 1981 exact small-sample correction factor `c(m)`, metafor `.cmicalc`:
/// `exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2))`; undefined for `m <= 1`.
pub fn hedges_cm(m: f64) -> Option<f64> {
    if !(m.is_finite() && m > 1.0) {
        return None;
    }
    let v = (ln_gamma(m / 2.0) - (m / 2.0).sqrt().ln() - ln_gamma((m - 1.0) / 2.0)).exp();
    v.is_finite().then_some(v)
}

fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn hedges_correction_matches_r() {
        // R: metafor:::.cmicalc(c(2, 10, 38))
        assert_close(hedges_cm(2.0).unwrap(), 0.5641895835477563, "c(2)");
        assert_close(hedges_cm(10.0).unwrap(), 0.922745608053087, "c(10)");
        assert_close(hedges_cm(38.0).unwrap(), 0.9801104021309504, "c(38)");
        assert_eq!(hedges_cm(1.0), None);
    }

    #[test]
    fn zero_variance_is_not_estimable() {
        assert!(StudyEffect::estimable(1.0, 0.0).value().is_none());
        assert!(StudyEffect::estimable(f64::NAN, 1.0).value().is_none());
    }
}
