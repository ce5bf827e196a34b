//! Two-group binary outcomes: RR, OR, RD, PETO (metafor `escalc`).
//!
//! Cell names follow metafor: `ai`/`bi` events/non-events in group 1,
//! `ci`/`di` in group 2. Zero cells: metafor's default `add=1/2,
//! to="only0"` adds 1/2 to all four cells of a study that has a zero cell.
//! Double-zero studies (no events in both arms, or only events in both arms)
//! are "not estimable" for RR, OR and PETO when `drop00` is set (metafor
//! `drop00=TRUE`); RD keeps them (its difference is defined).

use serde::Serialize;

use super::{Correction, StudyEffect};
use crate::error::{StatsError, non_negative};
use crate::measure::{DataKind, Measure};

/// A 2×2 table of one study, metafor's `ai, bi, ci, di`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TwoByTwo {
    /// Events in group 1 (treatment).
    pub ai: f64,
    /// Non-events in group 1.
    pub bi: f64,
    /// Events in group 2 (control).
    pub ci: f64,
    /// Non-events in group 2.
    pub di: f64,
}

impl TwoByTwo {
    /// Builds a table from events and group sizes (metafor `ai, n1i, ci, n2i`).
    pub fn from_events(ai: f64, n1i: f64, ci: f64, n2i: f64) -> Result<TwoByTwo, StatsError> {
        for (f, v) in [("ai", ai), ("n1i", n1i), ("ci", ci), ("n2i", n2i)] {
            non_negative(f, v)?;
        }
        if ai > n1i {
            return Err(StatsError::InvalidInput {
                field: "ai".into(),
                message: format!("events ({ai}) exceed group size n1i ({n1i})"),
            });
        }
        if ci > n2i {
            return Err(StatsError::InvalidInput {
                field: "ci".into(),
                message: format!("events ({ci}) exceed group size n2i ({n2i})"),
            });
        }
        TwoByTwo {
            ai,
            bi: n1i - ai,
            ci,
            di: n2i - ci,
        }
        .validated()
    }

    /// Checks every cell is finite and non-negative and both groups are non-empty.
    pub fn validated(self) -> Result<TwoByTwo, StatsError> {
        non_negative("ai", self.ai)?;
        non_negative("bi", self.bi)?;
        non_negative("ci", self.ci)?;
        non_negative("di", self.di)?;
        if self.ai + self.bi <= 0.0 {
            return Err(StatsError::InvalidInput {
                field: "n1i".into(),
                message: "group 1 has no participants".into(),
            });
        }
        if self.ci + self.di <= 0.0 {
            return Err(StatsError::InvalidInput {
                field: "n2i".into(),
                message: "group 2 has no participants".into(),
            });
        }
        Ok(self)
    }

    /// Group 1 size.
    pub fn n1(&self) -> f64 {
        self.ai + self.bi
    }

    /// Group 2 size.
    pub fn n2(&self) -> f64 {
        self.ci + self.di
    }

    /// True if any cell is zero (metafor `to="only0"` trigger).
    pub fn has_zero_cell(&self) -> bool {
        self.ai == 0.0 || self.bi == 0.0 || self.ci == 0.0 || self.di == 0.0
    }

    /// True for a double-zero study: no events in both arms or all events in
    /// both arms (metafor's `drop00` definition).
    pub fn is_double_zero(&self) -> bool {
        (self.ai == 0.0 && self.ci == 0.0) || (self.bi == 0.0 && self.di == 0.0)
    }

    /// Table with `add` added to every cell.
    pub fn plus(&self, add: f64) -> TwoByTwo {
        TwoByTwo {
            ai: self.ai + add,
            bi: self.bi + add,
            ci: self.ci + add,
            di: self.di + add,
        }
    }

    /// Arms swapped (group 2 becomes group 1).
    pub fn swapped(&self) -> TwoByTwo {
        TwoByTwo {
            ai: self.ci,
            bi: self.di,
            ci: self.ai,
            di: self.bi,
        }
    }
}

/// Options of the binary effect sizes (metafor `escalc` arguments).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BinaryOptions {
    /// Amount added to cells of studies with a zero cell (metafor `add`, default 1/2).
    pub add: f64,
    /// Report double-zero studies as not estimable for RR, OR, PETO (metafor
    /// `drop00`; metafor's escalc default is FALSE, evbrief's is true).
    pub drop00: bool,
}

impl Default for BinaryOptions {
    fn default() -> Self {
        BinaryOptions {
            add: 0.5,
            drop00: true,
        }
    }
}

/// Effect size of one 2×2 table, as metafor `escalc(measure, ai, bi, ci, di,
/// add=1/2, to="only0", drop00)`.
///
/// Formulas (metafor `escalc`; vtype "LS"):
/// - RR: `log(p1/p2)`, `1/ai - 1/n1 + 1/ci - 1/n2` (large-sample log RR variance).
/// - OR: `log(ai di / (bi ci))`, `1/ai + 1/bi + 1/ci + 1/di` (Woolf 1955).
/// - RD: `p1 - p2`, `p1(1-p1)/n1 + p2(1-p2)/n2`.
/// - PETO: `(ai - E)/V`, `1/V` with `E = (ai+ci) n1/N`,
///   `V = (ai+ci)(bi+di) n1 n2 / (N²(N-1))` (Yusuf et al. 1985).
///   metafor applies the 1/2 correction to PETO's escalc values too.
pub fn binary_effect(
    measure: Measure,
    table: &TwoByTwo,
    opts: &BinaryOptions,
) -> Result<StudyEffect, StatsError> {
    if measure.data_kind() != DataKind::Binary {
        return Err(StatsError::WrongDataKind {
            measure: measure.to_string(),
            needs: "continuous/proportion/change".into(),
        });
    }
    let t = table.validated()?;
    non_negative("add", opts.add)?;
    if opts.drop00 && measure != Measure::RD && t.is_double_zero() {
        let reason = if t.ai == 0.0 && t.ci == 0.0 {
            "no events in either group (double-zero study)"
        } else {
            "all participants had events in both groups (double-zero study)"
        };
        return Ok(StudyEffect::not_estimable(reason));
    }
    let (adj, correction) = if t.has_zero_cell() && opts.add > 0.0 {
        (
            t.plus(opts.add),
            Some(Correction {
                added: opts.add,
                note: format!(
                    "{} added to all four cells because the study has a zero cell",
                    fmt_add(opts.add)
                ),
            }),
        )
    } else {
        (t, None)
    };
    let (n1, n2) = (adj.n1(), adj.n2());
    let (p1, p2) = (adj.ai / n1, adj.ci / n2);
    let eff = match measure {
        Measure::RR => StudyEffect::estimable(
            p1.ln() - p2.ln(),
            1.0 / adj.ai - 1.0 / n1 + 1.0 / adj.ci - 1.0 / n2,
        ),
        Measure::OR => StudyEffect::estimable(
            (p1 / (1.0 - p1)).ln() - (p2 / (1.0 - p2)).ln(),
            1.0 / adj.ai + 1.0 / adj.bi + 1.0 / adj.ci + 1.0 / adj.di,
        ),
        Measure::RD => StudyEffect::estimable(p1 - p2, p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2),
        _ => {
            // PETO
            let (xt, yt, n) = (adj.ai + adj.ci, adj.bi + adj.di, n1 + n2);
            let e = xt * n1 / n;
            let v = xt * yt * (n1 / n) * (n2 / n) / (n - 1.0);
            if !(v > 0.0 && v.is_finite()) {
                return Ok(StudyEffect::not_estimable(
                    "Peto variance is zero (no information in this table)",
                ));
            }
            StudyEffect::estimable((adj.ai - e) / v, 1.0 / v)
        }
    };
    Ok(eff.with_correction(correction))
}

fn fmt_add(add: f64) -> String {
    if add == 0.5 {
        "1/2".to_string()
    } else {
        format!("{add}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    fn t(ai: f64, bi: f64, ci: f64, di: f64) -> TwoByTwo {
        TwoByTwo { ai, bi, ci, di }
    }

    #[test]
    fn log_rr_and_or_by_hand() {
        let o = BinaryOptions::default();
        let e = binary_effect(Measure::RR, &t(4.0, 119.0, 11.0, 128.0), &o).unwrap();
        let (y, v) = e.value().unwrap();
        assert_close(y, ((4.0 / 123.0) / (11.0 / 139.0f64)).ln(), "RR yi");
        assert_close(
            v,
            1.0 / 4.0 - 1.0 / 123.0 + 1.0 / 11.0 - 1.0 / 139.0,
            "RR vi",
        );
        let e = binary_effect(Measure::OR, &t(4.0, 119.0, 11.0, 128.0), &o).unwrap();
        assert_close(
            e.yi.unwrap(),
            (4.0 * 128.0 / (119.0 * 11.0f64)).ln(),
            "OR yi",
        );
        assert!(e.correction.is_none());
    }

    #[test]
    fn zero_cell_gets_half_and_is_recorded() {
        let e = binary_effect(
            Measure::OR,
            &t(0.0, 20.0, 3.0, 17.0),
            &BinaryOptions::default(),
        )
        .unwrap();
        assert_close(e.yi.unwrap(), (0.5 * 17.5 / (20.5 * 3.5f64)).ln(), "OR yi");
        assert_eq!(e.correction.as_ref().map(|c| c.added), Some(0.5));
    }

    #[test]
    fn double_zero_not_estimable_unless_rd() {
        let o = BinaryOptions::default();
        for m in [Measure::RR, Measure::OR, Measure::PETO] {
            let e = binary_effect(m, &t(0.0, 30.0, 0.0, 28.0), &o).unwrap();
            assert!(matches!(
                e.status,
                super::super::Status::NotEstimable { .. }
            ));
        }
        // RD keeps double zeros; metafor computes it from the corrected cells.
        let e = binary_effect(Measure::RD, &t(0.0, 30.0, 0.0, 28.0), &o).unwrap();
        assert_close(e.yi.unwrap(), 0.5 / 31.0 - 0.5 / 29.0, "RD double zero");
    }

    #[test]
    fn invalid_cells_are_errors() {
        assert!(
            binary_effect(
                Measure::RR,
                &t(-1.0, 2.0, 3.0, 4.0),
                &BinaryOptions::default()
            )
            .is_err()
        );
        assert!(TwoByTwo::from_events(5.0, 4.0, 1.0, 3.0).is_err());
        assert!(
            binary_effect(
                Measure::MD,
                &t(1.0, 2.0, 3.0, 4.0),
                &BinaryOptions::default()
            )
            .is_err()
        );
    }
}
