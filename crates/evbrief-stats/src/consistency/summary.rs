//! p-values of two-sample t-tests recomputed from printed means, SDs (or SEMs) and n.
//!
//! Student's pooled-variance t and Welch's unequal-variance t are the tests a paper that
//! prints "mean ± SD, P = …" for two independent groups most likely ran (R `t.test` with
//! `var.equal = TRUE` and its default). Formulas: Student: `t = (m1 − m2) / (sp ·
//! √(1/n1 + 1/n2))`, `sp² = ((n1−1)s1² + (n2−1)s2²) / (n1+n2−2)`, `df = n1+n2−2`; Welch
//! (1947): `t = (m1 − m2) / √(s1²/n1 + s2²/n2)` with the Welch–Satterthwaite df
//! `(s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1))`. A SEM is turned into an
//! SD as `SEM · √n` (Cochrane Handbook v6 §6.5.2.2).
//!
//! The printed means and spreads are rounded, so p is also computed at every corner of
//! their rounding box (each mean and spread at its lowest and highest value that prints
//! the same); t grows with the distance between the means and falls with either spread,
//! so the corners hold the extremes.

use serde::Serialize;

use super::super::dist::p_two_sided_t;
use super::super::error::StatsError;
use super::{PRange, Printed, TestKind};

/// One group as printed: mean, SD or SEM, and size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupSummary {
    /// The mean as printed.
    pub mean: Printed,
    /// The SD (or SEM, see `spread_is_sem`) as printed.
    pub spread: Printed,
    /// True when `spread` is a standard error of the mean.
    pub spread_is_sem: bool,
    /// Participants analysed.
    pub n: u64,
}

impl GroupSummary {
    /// The SD at a printed spread `s`.
    fn sd(&self, s: f64) -> f64 {
        if self.spread_is_sem {
            s * (self.n as f64).sqrt()
        } else {
            s
        }
    }
}

fn check(a: &GroupSummary, b: &GroupSummary) -> Result<(), StatsError> {
    for (g, name) in [(a, "first group"), (b, "second group")] {
        if g.n < 2 {
            return Err(StatsError::InvalidInput {
                field: format!("n ({name})"),
                message: format!("a t-test needs at least 2 per group (got {})", g.n),
            });
        }
        let v = [
            g.mean.value,
            g.spread.value,
            g.mean.half_unit,
            g.spread.half_unit,
        ];
        if v.iter().any(|x| !x.is_finite()) || g.spread.value <= 0.0 {
            return Err(StatsError::InvalidInput {
                field: format!("mean/spread ({name})"),
                message: "must be finite with a positive spread".into(),
            });
        }
    }
    Ok(())
}

/// p at every corner of the rounding box, given a p for (difference, sd1, sd2).
fn over_box(
    test: TestKind,
    a: &GroupSummary,
    b: &GroupSummary,
    p_of: impl Fn(f64, f64, f64) -> Result<f64, StatsError>,
) -> Result<PRange, StatsError> {
    let d = (a.mean.value - b.mean.value).abs();
    let slack = a.mean.half_unit + b.mean.half_unit;
    let p = p_of(d, a.sd(a.spread.value), b.sd(b.spread.value))?;
    let (s1lo, s1hi) = a.spread.range();
    let (s2lo, s2hi) = b.spread.range();
    let mut corners = Vec::with_capacity(8);
    for dd in [(d - slack).max(0.0), d + slack] {
        for s1 in [s1lo, s1hi] {
            for s2 in [s2lo, s2hi] {
                // A spread that rounds to the print but is zero tells nothing: skip it.
                if s1 > 0.0 && s2 > 0.0 {
                    corners.push(p_of(dd, a.sd(s1), b.sd(s2))?);
                }
            }
        }
    }
    Ok(PRange::over(test, p, corners))
}

/// Student's two-sample t-test (pooled variance), two-sided, from printed summaries.
///
/// Errors: fewer than 2 per group, a non-finite value or a spread that is not positive
/// ([`StatsError::InvalidInput`]).
pub fn student_t(a: &GroupSummary, b: &GroupSummary) -> Result<PRange, StatsError> {
    check(a, b)?;
    let (n1, n2) = (a.n as f64, b.n as f64);
    over_box(TestKind::StudentT, a, b, |d, s1, s2| {
        let df = n1 + n2 - 2.0;
        let sp2 = ((n1 - 1.0) * s1 * s1 + (n2 - 1.0) * s2 * s2) / df;
        let t = d / (sp2 * (1.0 / n1 + 1.0 / n2)).sqrt();
        p_two_sided_t(t, df)
    })
}

/// Welch's two-sample t-test (unequal variances), two-sided, from printed summaries.
///
/// Errors: as [`student_t`].
pub fn welch_t(a: &GroupSummary, b: &GroupSummary) -> Result<PRange, StatsError> {
    check(a, b)?;
    let (n1, n2) = (a.n as f64, b.n as f64);
    over_box(TestKind::WelchT, a, b, |d, s1, s2| {
        let (v1, v2) = (s1 * s1 / n1, s2 * s2 / n2);
        let t = d / (v1 + v2).sqrt();
        let df = (v1 + v2).powi(2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
        p_two_sided_t(t, df)
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::testutil::assert_close;
    use super::super::{PrintedP, check_p};
    use super::*;

    fn group(mean: &str, sd: &str, n: u64) -> GroupSummary {
        GroupSummary {
            mean: Printed::parse(mean).unwrap(),
            spread: Printed::parse(sd).unwrap(),
            spread_is_sem: false,
            n,
        }
    }

    /// Zhao 2024 (seed 000), fasting glucose at week 9: 7.46 ± 1.79 (n = 33) vs
    /// 8.19 ± 1.95 (n = 32), printed P = 0.007. R: `t.test(x, y, var.equal = TRUE)` on
    /// data with exactly these means and SDs gives 0.1207066, Welch 0.1212613.
    #[test]
    fn zhao_week_9_fasting_glucose_p_0_007_is_not_reproduced() {
        let (a, b) = (group("7.46", "1.79", 33), group("8.19", "1.95", 32));
        let s = student_t(&a, &b).unwrap();
        let w = welch_t(&a, &b).unwrap();
        assert_close(s.p, 0.1207066, "Student");
        assert_close(w.p, 0.1212613, "Welch");
        assert!(s.lo < s.p && s.p < s.hi);
        let c = check_p(PrintedP::parse("0.007").unwrap(), &[s, w]).unwrap();
        assert!(!c.consistent() && c.decision_error);
    }

    /// The same report at week 20: 7.51 ± 1.77 vs 9.10 ± 2.78, P = 0.008 in English and
    /// P = 0.002 in Chinese. R: Student 0.007573161, Welch 0.008357498: the English value
    /// fits, the Chinese one does not.
    #[test]
    fn zhao_week_20_supports_the_english_p_0_008() {
        let (a, b) = (group("7.51", "1.77", 33), group("9.10", "2.78", 32));
        let s = student_t(&a, &b).unwrap();
        let w = welch_t(&a, &b).unwrap();
        assert_close(s.p, 0.007573161, "Student");
        assert_close(w.p, 0.008357498, "Welch");
        let en = check_p(PrintedP::parse("0.008").unwrap(), &[s, w]).unwrap();
        assert_eq!(en.fitting, vec![TestKind::StudentT, TestKind::WelchT]);
        let zh = check_p(PrintedP::parse("0.002").unwrap(), &[s, w]).unwrap();
        assert!(!zh.consistent() && !zh.decision_error);
    }

    #[test]
    fn a_sem_is_scaled_to_an_sd_and_rounding_widens_the_range() {
        let sd = group("10.0", "4.0", 25);
        let sem = GroupSummary {
            spread: Printed::parse("0.8").unwrap(),
            spread_is_sem: true,
            ..sd
        };
        let other = group("12.0", "4.0", 25);
        assert_close(
            student_t(&sem, &other).unwrap().p,
            student_t(&sd, &other).unwrap().p,
            "SEM 0.8 · 5 = SD 4",
        );
        // equal printed means: p = 1, but rounding allows a small difference
        let r = student_t(&group("5.0", "1.0", 10), &group("5.0", "1.0", 10)).unwrap();
        assert_eq!((r.p, r.hi), (1.0, 1.0));
        assert!(r.lo < 1.0);
    }

    proptest::proptest! {
        /// p lies in [0, 1] and within its rounding range, whatever the summaries.
        #[test]
        fn p_is_a_probability_inside_its_range(
            m1 in -100.0f64..100.0, s1 in 0.01f64..50.0, n1 in 2u64..500,
            m2 in -100.0f64..100.0, s2 in 0.01f64..50.0, n2 in 2u64..500,
            sem in proptest::bool::ANY,
        ) {
            let g = |m: f64, s: f64, n| GroupSummary {
                mean: Printed { value: m, half_unit: 0.005 },
                spread: Printed { value: s, half_unit: 0.005 },
                spread_is_sem: sem,
                n,
            };
            for r in [student_t(&g(m1, s1, n1), &g(m2, s2, n2)), welch_t(&g(m1, s1, n1), &g(m2, s2, n2))] {
                let r = r.unwrap();
                proptest::prop_assert!(0.0 <= r.lo && r.lo <= r.p && r.p <= r.hi && r.hi <= 1.0, "{r:?}");
            }
        }
    }

    #[test]
    fn too_small_groups_and_bad_spreads_are_errors() {
        assert!(student_t(&group("1", "1", 1), &group("2", "1", 5)).is_err());
        assert!(welch_t(&group("1", "0", 5), &group("2", "1", 5)).is_err());
    }
}
