//! Effects as papers report them (an estimate with its confidence interval,
//! standard error or p value) turned into `yi`, `vi` for generic inverse-
//! variance pooling (Cochrane Handbook 6.3.1–6.3.2; Altman & Bland 2011,
//! BMJ 343:d2090 for the p-value route).

use serde::Serialize;

use super::dist;
use super::error::{StatsError, finite, positive};
use super::pool::LEVEL;

/// How the precision of a reported effect was given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Precision {
    /// A 95% confidence interval on the reported (natural) scale.
    Ci {
        /// Lower limit.
        lower: f64,
        /// Upper limit.
        upper: f64,
    },
    /// The standard error on the analysis scale (log scale for ratios).
    Se {
        /// Standard error.
        se: f64,
    },
    /// An exact two-sided p value of the test of no effect.
    P {
        /// p value, strictly between 0 and 1.
        p: f64,
    },
}

/// A reported effect on the analysis scale, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedEffect {
    /// Effect on the analysis scale (log for ratio measures).
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    /// The conversion in words, for the audit trail.
    pub note: String,
}

/// Converts a reported estimate to `yi`, `vi`.
///
/// - Ratio measures (HR, OR, RR) are pooled on the log scale: `yi = ln(est)`;
///   from a 95% CI, `se = (ln U − ln L)/(2 z₀.₉₇₅)`; a given `se` is taken
///   to be the SE of the log ratio, as papers and RevMan report it.
/// - Differences (MD, SMD, RD): `yi = est`, `se = (U − L)/(2 z₀.₉₇₅)`.
/// - From a two-sided p value: `z = Φ⁻¹(1 − p/2)`, `se = |yi|/z` (Altman &
///   Bland 2011); impossible when the estimate is the null value.
///
/// The estimate must lie inside its interval; ratio values must be positive.
pub fn from_reported(
    estimate: f64,
    precision: Precision,
    ratio: bool,
) -> Result<ReportedEffect, StatsError> {
    finite("estimate", estimate)?;
    let scale = |x: f64, field: &str| -> Result<f64, StatsError> {
        if ratio {
            Ok(positive(field, x)?.ln())
        } else {
            finite(field, x)
        }
    };
    let yi = scale(estimate, "estimate")?;
    let z = dist::qnorm(0.5 + LEVEL / 2.0)?;
    let (se, note) = match precision {
        Precision::Ci { lower, upper } => {
            let (l, u) = (scale(lower, "ci-lower")?, scale(upper, "ci-upper")?);
            if !(l < u && l <= yi && yi <= u) {
                return Err(StatsError::InvalidInput {
                    field: "ci-lower/ci-upper".into(),
                    message: format!(
                        "the interval {lower} to {upper} must be increasing and contain the estimate {estimate}"
                    ),
                });
            }
            let what = if ratio {
                "(ln U − ln L)"
            } else {
                "(U − L)"
            };
            (
                (u - l) / (2.0 * z),
                format!("SE = {what}/3.92 from the reported 95% CI"),
            )
        }
        Precision::Se { se } => (positive("se", se)?, "SE as reported".to_string()),
        Precision::P { p } => {
            if !(p > 0.0 && p < 1.0) {
                return Err(StatsError::InvalidInput {
                    field: "p".into(),
                    message: format!(
                        "an exact p value strictly between 0 and 1 is needed (got {p})"
                    ),
                });
            }
            if yi == 0.0 {
                return Err(StatsError::InvalidInput {
                    field: "p".into(),
                    message: "no standard error follows from a p value when the estimate is the null value".into(),
                });
            }
            let zp = dist::qnorm(1.0 - p / 2.0)?;
            (
                yi.abs() / zp,
                format!("SE = |estimate|/z with z = {zp:.4} from the reported p = {p}"),
            )
        }
    };
    let vi = se * se;
    if !(vi.is_finite() && vi > 0.0) {
        return Err(StatsError::Degenerate(
            "the reported precision gives no usable variance".into(),
        ));
    }
    Ok(ReportedEffect { yi, vi, note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn hazard_ratio_from_ci() {
        // HR 0.75 (0.60 to 0.94): se = (ln 0.94 − ln 0.60)/(2 · 1.959964)
        let r = from_reported(
            0.75,
            Precision::Ci {
                lower: 0.60,
                upper: 0.94,
            },
            true,
        )
        .unwrap();
        assert_close(r.yi, 0.75f64.ln(), "yi");
        let se = (0.94f64.ln() - 0.60f64.ln()) / (2.0 * 1.959_963_984_540_054);
        assert_close(r.vi, se * se, "vi");
    }

    #[test]
    fn mean_difference_from_p() {
        // MD −0.5, p = 0.03: z = qnorm(0.985) = 2.170090378, se = 0.5/z
        let r = from_reported(-0.5, Precision::P { p: 0.03 }, false).unwrap();
        assert_close(r.vi.sqrt(), 0.5 / 2.170_090_377_584_56, "se");
    }

    #[test]
    fn bad_reports_are_errors() {
        assert!(
            from_reported(
                0.8,
                Precision::Ci {
                    lower: 0.9,
                    upper: 1.2
                },
                true
            )
            .is_err()
        );
        assert!(from_reported(-0.2, Precision::Se { se: 0.1 }, true).is_err());
        assert!(from_reported(1.0, Precision::P { p: 0.2 }, true).is_err());
        assert!(from_reported(0.3, Precision::P { p: 1.0 }, false).is_err());
        assert!(from_reported(0.3, Precision::Se { se: 0.0 }, false).is_err());
    }
}
