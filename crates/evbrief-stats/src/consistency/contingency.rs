//! p-values of a 2×2 table of counts: Pearson's χ² without and with Yates' continuity
//! correction, and Fisher's exact test, as R's `chisq.test` and `fisher.test` compute them.
//!
//! Table `[[a, b], [c, d]]`: `a` events and `b` non-events in the first group, `c` and `d`
//! in the second; `N = a + b + c + d`.
//! - Pearson (1900): `X² = N (ad − bc)² / ((a+b)(c+d)(a+c)(b+d))`, 1 df.
//! - Yates (1934), as R applies it: every `|O − E|` (which equals `|ad − bc| / N` in a
//!   2×2 table) is reduced by `min(0.5, |O − E|)`, so `X² = N (|ad − bc| − min(N/2,
//!   |ad − bc|))² / (margins)`.
//! - Fisher (1935), two-sided as in R: the sum of the hypergeometric probabilities of
//!   every table with the same margins that is no more likely than the one observed
//!   (with R's relative tolerance `1 + 1e-7`).

use statrs::function::factorial::ln_binomial;

use super::super::dist::pchisq_upper;
use super::super::error::StatsError;
use super::{PRange, TestKind};

/// A 2×2 table of counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Events, first group.
    pub a: u64,
    /// Non-events, first group.
    pub b: u64,
    /// Events, second group.
    pub c: u64,
    /// Non-events, second group.
    pub d: u64,
}

impl Table {
    /// The table of `e1` events out of `n1` against `e2` out of `n2`.
    ///
    /// Errors: events above their group size ([`StatsError::InvalidInput`]).
    pub fn from_events(e1: u64, n1: u64, e2: u64, n2: u64) -> Result<Table, StatsError> {
        if e1 > n1 || e2 > n2 {
            return Err(StatsError::InvalidInput {
                field: "events".into(),
                message: format!("events exceed n ({e1}/{n1}, {e2}/{n2})"),
            });
        }
        Ok(Table {
            a: e1,
            b: n1 - e1,
            c: e2,
            d: n2 - e2,
        })
    }

    fn margins(&self) -> [f64; 4] {
        let (a, b, c, d) = (self.a as f64, self.b as f64, self.c as f64, self.d as f64);
        [a + b, c + d, a + c, b + d]
    }
}

fn degenerate() -> StatsError {
    StatsError::Degenerate("a row or column of the 2×2 table is empty: no χ² test".into())
}

/// Pearson's χ² test of a 2×2 table, with Yates' correction when `yates` (R
/// `chisq.test(x, correct = yates)`).
///
/// Errors: an empty row or column ([`StatsError::Degenerate`], R gives NaN).
pub fn chi_square(t: &Table, yates: bool) -> Result<PRange, StatsError> {
    let m = t.margins();
    if m.contains(&0.0) {
        return Err(degenerate());
    }
    let n = m[0] + m[1];
    let cross = (t.a as f64 * t.d as f64 - t.b as f64 * t.c as f64).abs();
    let reduced = if yates {
        cross - cross.min(n / 2.0)
    } else {
        cross
    };
    let x2 = n * reduced * reduced / (m[0] * m[1] * m[2] * m[3]);
    let test = if yates {
        TestKind::ChiSquareYates
    } else {
        TestKind::ChiSquare
    };
    Ok(PRange::exact(test, pchisq_upper(x2, 1.0)?))
}

/// Fisher's exact test of a 2×2 table, two-sided (R `fisher.test(x)$p.value`).
///
/// Errors: none for valid counts; a table of more than a million participants is refused
/// as too large to sum term by term ([`StatsError::InvalidInput`]; the χ² tests are exact
/// enough there).
pub fn fisher_exact(t: &Table) -> Result<PRange, StatsError> {
    let total = [t.a, t.b, t.c, t.d]
        .iter()
        .try_fold(0u64, |acc, &x| acc.checked_add(x));
    if total.is_none_or(|n| n > 1_000_000) {
        return Err(StatsError::InvalidInput {
            field: "table".into(),
            message: "more than a million participants".into(),
        });
    }
    let (r1, r2, c1) = (t.a + t.b, t.c + t.d, t.a + t.c);
    // P(A = x) for the top-left cell given the margins.
    let ln_p = |x: u64| ln_binomial(r1, x) + ln_binomial(r2, c1 - x) - ln_binomial(r1 + r2, c1);
    let lo = c1.saturating_sub(r2);
    let hi = c1.min(r1);
    let observed = ln_p(t.a);
    let limit = observed + (1.0 + 1e-7f64).ln();
    let p: f64 = (lo..=hi)
        .map(ln_p)
        .filter(|&l| l <= limit)
        .map(f64::exp)
        .sum();
    Ok(PRange::exact(TestKind::FisherExact, p.min(1.0)))
}

/// Every 2×2 test a paper may have used: χ² without and with Yates' correction (when no
/// row or column is empty) and Fisher's exact test.
pub fn table_tests(t: &Table) -> Vec<PRange> {
    [chi_square(t, false), chi_square(t, true), fisher_exact(t)]
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::super::testutil::assert_close;
    use super::*;

    /// Zhao 2024 (seed 000): HbA1c < 7.0% at week 9, 60.60% of 33 (20) vs 28.10% of 32
    /// (9), printed P = 0.008. R `chisq.test(correct = FALSE)` 0.008445663, with Yates
    /// 0.017117985, `fisher.test` 0.012506503: only the uncorrected χ² fits.
    #[test]
    fn zhao_hba1c_target_week_9_matches_r() {
        let t = Table::from_events(20, 33, 9, 32).unwrap();
        assert_close(chi_square(&t, false).unwrap().p, 0.008445663, "χ²");
        assert_close(chi_square(&t, true).unwrap().p, 0.017117985, "Yates");
        assert_close(fisher_exact(&t).unwrap().p, 0.012506503, "Fisher");
    }

    /// Lu 2021 (seed 004): insulin independence 3/27 vs 0/26. R: χ² 0.08013201, Yates
    /// 0.24792817, Fisher 0.23584906.
    #[test]
    fn a_zero_cell_still_has_all_three_tests() {
        let t = Table::from_events(3, 27, 0, 26).unwrap();
        let all = table_tests(&t);
        let p: Vec<f64> = all.iter().map(|r| r.p).collect();
        assert_close(p[0], 0.08013201, "χ²");
        assert_close(p[1], 0.24792817, "Yates");
        assert_close(p[2], 0.23584906, "Fisher");
    }

    #[test]
    fn an_empty_margin_has_no_chi_square_but_fisher_gives_one() {
        let t = Table::from_events(0, 10, 0, 12).unwrap();
        assert!(chi_square(&t, false).is_err());
        assert_eq!(fisher_exact(&t).unwrap().p, 1.0);
        assert_eq!(table_tests(&t).len(), 1);
        assert!(Table::from_events(11, 10, 0, 12).is_err());
        let huge = Table::from_events(u64::MAX, u64::MAX, 1, 2).unwrap();
        assert!(fisher_exact(&huge).is_err());
        assert!(chi_square(&huge, false).unwrap().p <= 1.0);
    }

    proptest::proptest! {
        /// Every test gives a p in [0, 1] for any table.
        #[test]
        fn p_values_stay_in_range(e1 in 0u64..300, n1 in 0u64..300, e2 in 0u64..300, n2 in 0u64..300) {
            if let Ok(t) = Table::from_events(e1.min(n1), n1, e2.min(n2), n2) {
                for r in table_tests(&t) {
                    proptest::prop_assert!((0.0..=1.0).contains(&r.p), "{r:?}");
                }
            }
        }
    }

    #[test]
    fn yates_never_overcorrects_past_zero() {
        // |ad − bc| = |5·5 − 5·5| = 0: X² = 0, p = 1, with or without correction
        let t = Table::from_events(5, 10, 5, 10).unwrap();
        assert_eq!(chi_square(&t, true).unwrap().p, 1.0);
        assert_eq!(chi_square(&t, false).unwrap().p, 1.0);
    }
}
