//! Single-group proportions: PR, PLO, PFT (metafor `escalc`).

use serde::Serialize;

use super::{Correction, StudyEffect};
use crate::error::{StatsError, non_negative, positive};
use crate::measure::Measure;

/// Events out of a total in one group, metafor's `xi, ni`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EventCount {
    /// Number of events.
    pub xi: f64,
    /// Group size.
    pub ni: f64,
}

/// Effect size of a single proportion, as metafor
/// `escalc(measure="PR"|"PLO"|"PFT"|"PAS", xi, ni)` with its defaults.
///
/// - PR: `p = x/n`, `p(1-p)/n`; metafor applies `add=1/2, to="only0"` here
///   too (x = 0 or x = n gives `(x+1/2)/(n+1)`).
/// - PLO: `log(x/(n-x))`, `1/x + 1/(n-x)`, same 1/2 correction.
/// - PFT: `½(asin√(x/(n+1)) + asin√((x+1)/(n+1)))`, `1/(4n+2)`
///   (Freeman & Tukey 1950; Miller 1978); no correction (metafor sets `add=0`).
/// - PAS: `asin√(x/n)`, `1/(4n)`; no correction (as metafor).
pub fn proportion_effect(
    measure: Measure,
    c: &EventCount,
    add: f64,
) -> Result<StudyEffect, StatsError> {
    non_negative("xi", c.xi)?;
    positive("ni", c.ni)?;
    non_negative("add", add)?;
    if c.xi > c.ni {
        return Err(StatsError::InvalidInput {
            field: "xi".into(),
            message: format!("events ({}) exceed group size ni ({})", c.xi, c.ni),
        });
    }
    let (x, n) = (c.xi, c.ni);
    match measure {
        Measure::PR | Measure::PLO => {
            let zero = x == 0.0 || x == n;
            let (xa, ma, corr) = if zero && add > 0.0 {
                (
                    x + add,
                    n - x + add,
                    Some(Correction {
                        added: add,
                        note: format!(
                            "{add} added to events and non-events because one of them is zero"
                        ),
                    }),
                )
            } else {
                (x, n - x, None)
            };
            let na = xa + ma;
            let p = xa / na;
            let e = if measure == Measure::PR {
                StudyEffect::estimable(p, p * (1.0 - p) / na)
            } else {
                StudyEffect::estimable((p / (1.0 - p)).ln(), 1.0 / xa + 1.0 / ma)
            };
            Ok(e.with_correction(corr))
        }
        Measure::PAS => Ok(StudyEffect::estimable(
            crate::transform::pas(x, n),
            1.0 / (4.0 * n),
        )),
        Measure::PFT => Ok(StudyEffect::estimable(
            crate::transform::pft(x, n),
            1.0 / (4.0 * n + 2.0),
        )),
        other => Err(StatsError::WrongDataKind {
            measure: other.to_string(),
            needs: "binary/continuous/change".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn plo_zero_events_corrected() {
        let e = proportion_effect(Measure::PLO, &EventCount { xi: 0.0, ni: 15.0 }, 0.5).unwrap();
        assert_close(e.yi.unwrap(), (0.5f64 / 15.5).ln(), "yi");
        assert!(e.correction.is_some());
        let e = proportion_effect(Measure::PFT, &EventCount { xi: 0.0, ni: 15.0 }, 0.5).unwrap();
        assert_close(e.vi.unwrap(), 1.0 / 62.0, "pft vi");
        assert!(e.correction.is_none());
    }

    #[test]
    fn events_above_n_is_error() {
        assert!(proportion_effect(Measure::PR, &EventCount { xi: 5.0, ni: 4.0 }, 0.5).is_err());
    }
}
