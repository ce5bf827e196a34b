//! Two-group continuous outcomes: MD and SMD (metafor `escalc`).

use serde::Serialize;

use super::{StudyEffect, hedges_cm};
use crate::error::{StatsError, finite, non_negative, positive};
use crate::measure::Measure;

/// Means, SDs and sizes of two groups, metafor's `m1i, sd1i, n1i, m2i, sd2i, n2i`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TwoGroupMeans {
    /// Mean of group 1.
    pub m1i: f64,
    /// SD of group 1.
    pub sd1i: f64,
    /// Size of group 1.
    pub n1i: f64,
    /// Mean of group 2.
    pub m2i: f64,
    /// SD of group 2.
    pub sd2i: f64,
    /// Size of group 2.
    pub n2i: f64,
}

impl TwoGroupMeans {
    fn validated(&self) -> Result<(), StatsError> {
        finite("m1i", self.m1i)?;
        finite("m2i", self.m2i)?;
        non_negative("sd1i", self.sd1i)?;
        non_negative("sd2i", self.sd2i)?;
        positive("n1i", self.n1i)?;
        positive("n2i", self.n2i)?;
        Ok(())
    }
}

/// Effect size for two groups' means, as metafor `escalc(measure="MD"|"SMD")`
/// with the default `vtype="LS"`.
///
/// - MD: `m1 - m2`, `sd1²/n1 + sd2²/n2` (metafor "LS"/"UB").
/// - SMD (Hedges' g): `c(m) (m1 - m2)/s_p` with `m = n1 + n2 - 2`, pooled SD
///   `s_p`, exact correction `c(m)` (Hedges 1981), variance
///   `1/n1 + 1/n2 + g²/(2(n1+n2))` (metafor vtype "LS", Hedges 1982).
pub fn continuous_effect(measure: Measure, d: &TwoGroupMeans) -> Result<StudyEffect, StatsError> {
    d.validated()?;
    match measure {
        Measure::MD => Ok(StudyEffect::estimable(
            d.m1i - d.m2i,
            d.sd1i * d.sd1i / d.n1i + d.sd2i * d.sd2i / d.n2i,
        )),
        Measure::SMD => {
            let m = d.n1i + d.n2i - 2.0;
            let Some(cm) = hedges_cm(m) else {
                return Ok(StudyEffect::not_estimable(
                    "too few participants for the Hedges correction (n1 + n2 - 2 must exceed 1)",
                ));
            };
            let sp =
                (((d.n1i - 1.0) * d.sd1i * d.sd1i + (d.n2i - 1.0) * d.sd2i * d.sd2i) / m).sqrt();
            if sp.is_nan() || sp <= 0.0 {
                return Ok(StudyEffect::not_estimable(
                    "pooled standard deviation is zero",
                ));
            }
            let g = cm * (d.m1i - d.m2i) / sp;
            let ntot = d.n1i + d.n2i;
            Ok(StudyEffect::estimable(
                g,
                1.0 / d.n1i + 1.0 / d.n2i + g * g / (2.0 * ntot),
            ))
        }
        other => Err(StatsError::WrongDataKind {
            measure: other.to_string(),
            needs: "two-group binary/proportion/change".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn smd_by_hand() {
        let d = TwoGroupMeans {
            m1i: 10.0,
            sd1i: 2.0,
            n1i: 20.0,
            m2i: 8.0,
            sd2i: 3.0,
            n2i: 25.0,
        };
        let e = continuous_effect(Measure::SMD, &d).unwrap();
        let sp = ((19.0 * 4.0 + 24.0 * 9.0) / 43.0f64).sqrt();
        let g = hedges_cm(43.0).unwrap() * 2.0 / sp;
        assert_close(e.yi.unwrap(), g, "g");
        assert_close(e.vi.unwrap(), 1.0 / 20.0 + 1.0 / 25.0 + g * g / 90.0, "vi");
        let e = continuous_effect(Measure::MD, &d).unwrap();
        assert_close(e.vi.unwrap(), 4.0 / 20.0 + 9.0 / 25.0, "MD vi");
    }

    #[test]
    fn degenerate_inputs() {
        let d = TwoGroupMeans {
            m1i: 1.0,
            sd1i: 0.0,
            n1i: 1.0,
            m2i: 0.0,
            sd2i: 0.0,
            n2i: 1.0,
        };
        assert!(
            continuous_effect(Measure::SMD, &d)
                .unwrap()
                .value()
                .is_none()
        );
        assert!(
            continuous_effect(Measure::MD, &d)
                .unwrap()
                .value()
                .is_none()
        );
        let bad = TwoGroupMeans { n1i: -1.0, ..d };
        assert!(continuous_effect(Measure::MD, &bad).is_err());
    }
}
