//! Single-group pre/post change: MC and SMCR (metafor `escalc`).

use serde::Serialize;

use super::{StudyEffect, hedges_cm};
use crate::error::{StatsError, finite, non_negative, positive};
use crate::measure::Measure;

/// Pre/post summary of one group, metafor's `m1i, m2i, sd1i, sd2i, ni, ri`.
///
/// `ri` is the pre/post correlation; studies rarely report it, so callers
/// must pass it explicitly and document the value used (evbrief's default
/// is 0.5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrePost {
    /// Mean at the first occasion.
    pub m1i: f64,
    /// Mean at the second occasion.
    pub m2i: f64,
    /// SD at the first occasion.
    pub sd1i: f64,
    /// SD at the second occasion (unused by SMCR).
    pub sd2i: f64,
    /// Sample size.
    pub ni: f64,
    /// Correlation between occasions, in [-1, 1].
    pub ri: f64,
}

/// Effect size of a single-group change, as metafor `escalc(measure="MC"|"SMCR")`.
///
/// - MC: `m1 - m2`, `(sd1² + sd2² - 2 r sd1 sd2)/n`.
/// - SMCR: metafor's definition standardises by the SD of the *first*
///   occasion: `c(n-1) (m1 - m2)/sd1`, variance (vtype "LS")
///   `2(1-r)/n + g²/(2n)` (Becker 1988; Hedges 1981 exact correction).
pub fn change_effect(measure: Measure, d: &PrePost) -> Result<StudyEffect, StatsError> {
    finite("m1i", d.m1i)?;
    finite("m2i", d.m2i)?;
    non_negative("sd1i", d.sd1i)?;
    positive("ni", d.ni)?;
    finite("ri", d.ri)?;
    if d.ri.abs() > 1.0 {
        return Err(StatsError::InvalidInput {
            field: "ri".into(),
            message: format!("correlation must lie in [-1, 1] (got {})", d.ri),
        });
    }
    match measure {
        Measure::MC => {
            non_negative("sd2i", d.sd2i)?;
            let v = (d.sd1i * d.sd1i + d.sd2i * d.sd2i - 2.0 * d.ri * d.sd1i * d.sd2i) / d.ni;
            Ok(StudyEffect::estimable(d.m1i - d.m2i, v))
        }
        Measure::SMCR => {
            let Some(cm) = hedges_cm(d.ni - 1.0) else {
                return Ok(StudyEffect::not_estimable(
                    "too few participants for the Hedges correction (n - 1 must exceed 1)",
                ));
            };
            if d.sd1i <= 0.0 {
                return Ok(StudyEffect::not_estimable("baseline SD (sd1i) is zero"));
            }
            let g = cm * (d.m1i - d.m2i) / d.sd1i;
            Ok(StudyEffect::estimable(
                g,
                2.0 * (1.0 - d.ri) / d.ni + g * g / (2.0 * d.ni),
            ))
        }
        other => Err(StatsError::WrongDataKind {
            measure: other.to_string(),
            needs: "binary/continuous/proportion".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn mc_by_hand() {
        let d = PrePost {
            m1i: 12.0,
            m2i: 10.0,
            sd1i: 3.0,
            sd2i: 4.0,
            ni: 20.0,
            ri: 0.5,
        };
        let e = change_effect(Measure::MC, &d).unwrap();
        assert_close(e.vi.unwrap(), (9.0 + 16.0 - 12.0) / 20.0, "vi");
        assert!(change_effect(Measure::MC, &PrePost { ri: 1.5, ..d }).is_err());
    }

    #[test]
    fn perfect_correlation_equal_sds_not_estimable() {
        let d = PrePost {
            m1i: 1.0,
            m2i: 0.0,
            sd1i: 2.0,
            sd2i: 2.0,
            ni: 10.0,
            ri: 1.0,
        };
        assert!(change_effect(Measure::MC, &d).unwrap().value().is_none());
    }
}
