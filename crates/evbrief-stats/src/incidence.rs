//! Confidence intervals for adverse-event incidences (single proportions and
//! differences of two proportions).
//!
//! Why: safety tables report how many participants had an adverse event out
//! of how many were exposed, and zero events are common. Wald intervals
//! collapse to a width of zero at 0/n, so this module offers intervals that
//! stay informative there: the exact Clopper–Pearson interval, the Wilson
//! score interval, the rule of three, and Newcombe's hybrid score interval for
//! a risk difference. All intervals are two-sided 95 %.
//!
//! Every function accepts any `u64` counts: `n = 0` and `events > n` are typed
//! errors, nothing panics. Counts above 2^53 are rounded to the nearest `f64`.
//! The exact interval is limited to [`MAX_EXACT_N`] participants (see there).

use serde::Serialize;
use statrs::function::beta::checked_beta_reg;

use super::dist::qnorm;
use super::error::StatsError;

/// Two-sided error rate of every interval here (95 % confidence).
const ALPHA: f64 = 0.05;

/// Largest group size for which [`clopper_pearson`] answers.
///
/// Why: statrs' regularised incomplete beta function (a continued fraction
/// capped at 140 terms, with a log-gamma difference that cancels for large
/// arguments) was checked against R's `qbeta` up to n = 10^7 (largest relative
/// error 1.4e-8 over x = 0 … n) but is wrong beyond, e.g. for 5·10^7 of 10^8
/// the limits come out in the wrong order. Larger groups get a typed error
/// instead of a wrong number; [`wilson`] has no such limit.
pub const MAX_EXACT_N: u64 = 10_000_000;

/// Upper bound on bisection steps for a beta quantile: enough to walk from
/// `[0, 1]` down to the smallest subnormal `f64` (2^-1074) and then through
/// a full 53-bit mantissa; in practice the loop stops far earlier, when the
/// midpoint can no longer be split.
const MAX_BISECTIONS: usize = 1200;

/// A proportion with its two-sided 95 % confidence interval.
///
/// Why: one value type for every single-group incidence interval, so the
/// safety table can switch method without changing shape.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProportionCi {
    /// Observed proportion `events / n`.
    pub estimate: f64,
    /// Lower 95 % confidence limit, in `[0, 1]`.
    pub lower: f64,
    /// Upper 95 % confidence limit, in `[0, 1]`.
    pub upper: f64,
}

/// A risk difference `p1 - p2` with its two-sided 95 % confidence interval.
///
/// Why: a safety table compares the incidence in the intervention arm with
/// the control arm on the absolute scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DifferenceCi {
    /// Observed difference `e1/n1 - e2/n2`.
    pub estimate: f64,
    /// Lower 95 % confidence limit, in `[-1, 1]`.
    pub lower: f64,
    /// Upper 95 % confidence limit, in `[-1, 1]`.
    pub upper: f64,
}

/// Checks `n > 0` and `events <= n`, naming the offending input.
fn check_counts(events: u64, n: u64) -> Result<(), StatsError> {
    if n == 0 {
        return Err(StatsError::InvalidInput {
            field: "n".into(),
            message: "must be at least 1 (no participants)".into(),
        });
    }
    if events > n {
        return Err(StatsError::InvalidInput {
            field: "events".into(),
            message: format!("must not exceed n (got {events} events out of {n})"),
        });
    }
    Ok(())
}

/// Quantile of the Beta(a, b) distribution at probability `p`, R `qbeta(p, a, b)`.
///
/// Found by bisection on statrs' regularised incomplete beta function
/// `I_x(a, b)` (its CDF). Why not statrs' `Beta::inverse_cdf`: its Newton
/// iteration (AS 64 / AS 109) never returns for some valid inputs, e.g.
/// `Beta(1, 1e10)`, and this module must answer (or fail) for any count. Bisection
/// always stops (at most [`MAX_BISECTIONS`] steps) and, because floats are
/// dense near zero, resolves tiny quantiles to full relative precision.
fn beta_quantile(p: f64, a: f64, b: f64) -> Result<f64, StatsError> {
    let cdf = |x: f64| {
        checked_beta_reg(a, b, x).map_err(|e| StatsError::Degenerate(format!("beta CDF: {e}")))
    };
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..MAX_BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        // A NaN CDF value moves `hi`, so the result stays inside [0, 1].
        if cdf(mid)? < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Clopper–Pearson lower limit for `events >= 1`: `qbeta(α/2, x, n - x + 1)`.
fn clopper_pearson_lower(events: u64, n: u64) -> Result<f64, StatsError> {
    let (x, n) = (events as f64, n as f64);
    beta_quantile(ALPHA / 2.0, x, n - x + 1.0)
}

/// Exact 95 % confidence interval for a proportion (Clopper & Pearson 1934,
/// Biometrika 26:404–413), as R's `binom.test(x, n)$conf.int`.
///
/// Why: the exact interval never has less than 95 % coverage, the
/// conservative and conventional choice for rare adverse events.
///
/// Formula (R `binom.test`): lower = `qbeta(α/2, x, n - x + 1)`, set to 0 when
/// `x = 0`; upper = `qbeta(1 - α/2, x + 1, n - x)`, set to 1 when `x = n`;
/// `α = 0.05`. The upper limit is computed through the symmetry
/// `qbeta(1 - α/2, x + 1, n - x) = 1 - qbeta(α/2, n - x, x + 1)`, i.e. as one
/// minus the lower limit of the complementary count, which keeps both limits
/// accurate near 0 and near 1.
///
/// Errors: `n = 0`, `events > n` or `n >` [`MAX_EXACT_N`]
/// ([`StatsError::InvalidInput`]).
pub fn clopper_pearson(events: u64, n: u64) -> Result<ProportionCi, StatsError> {
    check_counts(events, n)?;
    if n > MAX_EXACT_N {
        return Err(StatsError::InvalidInput {
            field: "n".into(),
            message: format!(
                "the exact (Clopper-Pearson) interval is computed for at most {MAX_EXACT_N} \
                 participants (got {n}); use the Wilson interval"
            ),
        });
    }
    let estimate = events as f64 / n as f64;
    let lower = if events == 0 {
        0.0
    } else {
        clopper_pearson_lower(events, n)?
    };
    let upper = if events == n {
        1.0
    } else {
        1.0 - clopper_pearson_lower(n - events, n)?
    };
    // Mathematically lower < estimate < upper for 0 < x < n; the clamps only
    // guard against rounding.
    Ok(ProportionCi {
        estimate,
        lower: lower.clamp(0.0, estimate),
        upper: upper.clamp(estimate, 1.0),
    })
}

/// Wilson score 95 % confidence interval for a proportion, without continuity
/// correction (Wilson 1927, JASA 22:209–212), as R's
/// `prop.test(x, n, correct = FALSE)$conf.int`.
///
/// Why: closer to nominal coverage than the exact interval while never
/// leaving `[0, 1]`, and the building block of Newcombe's difference interval.
///
/// Formula: with `p = x/n` and `z = qnorm(0.975)`,
/// `(p + z²/(2n) ± z √(p(1 - p)/n + z²/(4n²))) / (1 + z²/n)`;
/// as in R, the lower limit is exactly 0 when `x = 0` and the upper limit
/// exactly 1 when `x = n`.
///
/// Errors: `n = 0` or `events > n` ([`StatsError::InvalidInput`]).
pub fn wilson(events: u64, n: u64) -> Result<ProportionCi, StatsError> {
    check_counts(events, n)?;
    let z = qnorm(1.0 - ALPHA / 2.0)?;
    let (x, nf) = (events as f64, n as f64);
    let p = x / nf;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let denom = 1.0 + z2 / nf;
    let lower = if events == 0 {
        0.0
    } else {
        (centre - half) / denom
    };
    let upper = if events == n {
        1.0
    } else {
        (centre + half) / denom
    };
    Ok(ProportionCi {
        estimate: p,
        lower: lower.clamp(0.0, p),
        upper: upper.clamp(p, 1.0),
    })
}

/// Rule of three: `3/n`, the approximate one-sided 95 % upper confidence
/// bound for the event probability when none of `n` participants had the
/// event (Hanley & Lippman-Hand 1983, "If nothing goes wrong, is everything
/// all right?", JAMA 249:1743–1745).
///
/// Why: a safety table with 0/n needs a readable upper bound; 3/n is the
/// familiar approximation of the exact bound `1 - 0.05^(1/n) ≈ -ln(0.05)/n`.
///
/// The bound is capped at 1 (for `n < 3`, `3/n` would exceed any
/// probability); the approximation is meant for n of about 30 or more.
///
/// Errors: `n = 0` ([`StatsError::InvalidInput`]).
pub fn rule_of_three(n: u64) -> Result<f64, StatsError> {
    check_counts(0, n)?;
    Ok((3.0 / n as f64).min(1.0))
}

/// Risk difference `p1 - p2` with Newcombe's hybrid score 95 % interval
/// (Newcombe 1998, Stat Med 17:873–890, method 10), built from the two
/// Wilson intervals `(l1, u1)` of `e1/n1` and `(l2, u2)` of `e2/n2`
/// (see [`wilson`]); with `d = p1 - p2`:
///
/// - lower = `d - √((p1 - l1)² + (u2 - p2)²)`
/// - upper = `d + √((u1 - p1)² + (p2 - l2)²)`
///
/// Why: unlike the Wald interval it needs no continuity correction, does not
/// degenerate with zero events in one or both arms (0/10 vs 0/10 gives
/// −0.2775 to 0.2775) and stays inside `[-1, 1]`. The limits are clamped to
/// `[-1, 1]` only to absorb rounding.
///
/// Errors: `n1 = 0`, `n2 = 0`, `e1 > n1` or `e2 > n2`
/// ([`StatsError::InvalidInput`]).
pub fn newcombe_difference(e1: u64, n1: u64, e2: u64, n2: u64) -> Result<DifferenceCi, StatsError> {
    let w1 = wilson(e1, n1)?;
    let w2 = wilson(e2, n2)?;
    let (p1, p2) = (w1.estimate, w2.estimate);
    let d = p1 - p2;
    let lower = d - (p1 - w1.lower).hypot(w2.upper - p2);
    let upper = d + (w1.upper - p1).hypot(p2 - w2.lower);
    Ok(DifferenceCi {
        estimate: d,
        lower: lower.clamp(-1.0, d),
        upper: upper.clamp(d, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;
    use proptest::prelude::*;

    #[track_caller]
    fn assert_ci(ci: ProportionCi, lower: f64, upper: f64, what: &str) {
        assert_close(ci.lower, lower, &format!("{what} lower"));
        assert_close(ci.upper, upper, &format!("{what} upper"));
    }

    #[track_caller]
    fn assert_diff(ci: DifferenceCi, estimate: f64, lower: f64, upper: f64, what: &str) {
        assert_close(ci.estimate, estimate, &format!("{what} estimate"));
        assert_close(ci.lower, lower, &format!("{what} lower"));
        assert_close(ci.upper, upper, &format!("{what} upper"));
    }

    /// Rounds to 4 decimals, as Newcombe 1998 Table II prints its limits.
    fn round4(x: f64) -> f64 {
        (x * 1e4).round() / 1e4
    }

    #[test]
    fn clopper_pearson_matches_r_binom_test() {
        // R 4: binom.test(x, n)$conf.int, printed with %.17g
        let cases: [(u64, u64, f64, f64); 11] = [
            (0, 24, 0.0, 0.14247359772252566),
            (0, 301, 0.0, 0.012180621735492392),
            (4, 24, 0.04735362660725713, 0.3738417134886828),
            (24, 24, 0.8575264022774743, 1.0),
            (1, 1, 0.025000000000000022, 1.0),
            (7, 50, 0.05819170034037211, 0.26739600249700846),
            (1, 1000, 2.531748749129407e-05, 0.005558924279826627),
            (999, 1000, 0.9944410757201734, 0.9999746825125088),
            (50, 10000, 0.0037133061795554877, 0.006586626429079918),
            (1, 100000, 2.5317804779333154e-07, 5.5715160347742724e-05),
            (30000, 1000000, 0.029666516968897546, 0.030336209070376596),
        ];
        for (x, n, lo, hi) in cases {
            let ci = clopper_pearson(x, n).unwrap();
            assert_close(ci.estimate, x as f64 / n as f64, "estimate");
            assert_ci(ci, lo, hi, &format!("Clopper-Pearson {x}/{n}"));
        }
    }

    #[test]
    fn clopper_pearson_zero_events_has_lower_zero_and_all_events_upper_one() {
        let none = clopper_pearson(0, 24).unwrap();
        assert_eq!((none.estimate, none.lower), (0.0, 0.0));
        let all = clopper_pearson(24, 24).unwrap();
        assert_eq!((all.estimate, all.upper), (1.0, 1.0));
        // 0/n upper limit is 1 - (α/2)^(1/n) in closed form
        assert_close(
            none.upper,
            1.0 - 0.025_f64.powf(1.0 / 24.0),
            "0/24 closed form",
        );
    }

    #[test]
    fn clopper_pearson_at_the_size_limit_matches_r_qbeta() {
        // R 4: qbeta(0.025, x, n - x + 1), qbeta(0.975, x + 1, n - x), n = 1e7
        // (the quantiles binom.test uses)
        let n = MAX_EXACT_N;
        let cases: [(u64, f64, f64); 3] = [
            (1, 2.531780795224029e-09, 5.571642117360727e-07),
            (3, 6.186721656250616e-08, 8.767270541579748e-07),
            (5_000_000, 0.49969005252137105, 0.500309947478629),
        ];
        for (x, lo, hi) in cases {
            let ci = clopper_pearson(x, n).unwrap();
            assert_ci(ci, lo, hi, &format!("Clopper-Pearson {x}/{n}"));
        }
    }

    #[test]
    fn clopper_pearson_above_the_size_limit_is_a_typed_error() {
        // statrs' Beta::inverse_cdf would not even return for Beta(1, 1e10).
        for n in [MAX_EXACT_N + 1, 10_000_000_000, u64::MAX] {
            assert!(matches!(
                clopper_pearson(1, n),
                Err(StatsError::InvalidInput { ref field, .. }) if field == "n"
            ));
        }
    }

    #[test]
    fn wilson_matches_r_prop_test_without_correction() {
        // R 4: prop.test(x, n, correct = FALSE)$conf.int, printed with %.17g
        let cases: [(u64, u64, f64, f64); 9] = [
            (0, 24, 0.0, 0.13797620467498012),
            (0, 301, 0.0, 0.012601497301433812),
            (4, 24, 0.0667867632863295, 0.35853070649699054),
            (24, 24, 0.8620237953250198, 1.0),
            (1, 1, 0.2065493143772375, 1.0),
            (7, 50, 0.06950833427016292, 0.2618619371058554),
            (81, 263, 0.2552885198782743, 0.36620957698280016),
            (0, 1, 0.0, 0.7934506856227626),
            (1, 1000, 0.00017654637062607817, 0.005642558597957934),
        ];
        for (x, n, lo, hi) in cases {
            assert_ci(wilson(x, n).unwrap(), lo, hi, &format!("Wilson {x}/{n}"));
        }
    }

    #[test]
    fn rule_of_three_is_three_over_n_capped_at_one() {
        assert_close(rule_of_three(300).unwrap(), 0.01, "3/300");
        assert_close(rule_of_three(24).unwrap(), 0.125, "3/24");
        assert_eq!(rule_of_three(3).unwrap(), 1.0);
        assert_eq!(rule_of_three(1).unwrap(), 1.0);
        // close to the exact one-sided bound 1 - 0.05^(1/n) for large n
        let exact = 1.0 - 0.05_f64.powf(1.0 / 300.0);
        assert!((rule_of_three(300).unwrap() - exact).abs() < 1e-4);
    }

    #[test]
    fn newcombe_matches_published_table_ii_to_four_decimals() {
        // Newcombe 1998 Table II, method 10 (score, no continuity correction)
        let cases: [(u64, u64, u64, u64, f64, f64); 6] = [
            (56, 70, 48, 80, 0.0524, 0.3339),
            (9, 10, 3, 10, 0.1705, 0.8090),
            (6, 7, 2, 7, 0.0582, 0.8062),
            (5, 56, 0, 29, -0.0381, 0.1926),
            (0, 10, 0, 20, -0.1611, 0.2775),
            (0, 10, 0, 10, -0.2775, 0.2775),
        ];
        for (e1, n1, e2, n2, lo, hi) in cases {
            let ci = newcombe_difference(e1, n1, e2, n2).unwrap();
            assert_eq!(
                (round4(ci.lower), round4(ci.upper)),
                (lo, hi),
                "{e1}/{n1} vs {e2}/{n2}"
            );
        }
    }

    #[test]
    fn newcombe_matches_r_from_wilson_limits() {
        // R 4: d - sqrt((p1-l1)^2 + (u2-p2)^2), d + sqrt((u1-p1)^2 + (p2-l2)^2)
        // with (l, u) from prop.test(x, n, correct = FALSE)$conf.int
        let cases: [(u64, u64, u64, u64, f64, f64, f64); 10] = [
            (
                56,
                70,
                48,
                80,
                0.2,
                0.052431472402364926,
                0.33387265403690586,
            ),
            (9, 10, 3, 10, 0.6, 0.17052272393450307, 0.809017973535488),
            (
                6,
                7,
                2,
                7,
                0.5714285714285714,
                0.058227927482312314,
                0.8062496375242277,
            ),
            (
                5,
                56,
                0,
                29,
                0.08928571428571429,
                -0.03813714790353685,
                0.19256001385511157,
            ),
            (0, 10, 0, 20, 0.0, -0.1611251580528193, 0.27753279986288915),
            (0, 10, 0, 10, 0.0, -0.27753279986288915, 0.27753279986288915),
            (10, 10, 0, 20, 1.0, 0.6790860371419148, 1.0),
            (10, 10, 0, 10, 1.0, 0.6075093504305243, 1.0),
            (
                0,
                24,
                3,
                301,
                -0.009966777408637873,
                -0.028888577707653934,
                0.12816583138230064,
            ),
            (
                12,
                120,
                3,
                118,
                0.07457627118644068,
                0.011882911795585205,
                0.14332719391331422,
            ),
        ];
        for (e1, n1, e2, n2, d, lo, hi) in cases {
            let ci = newcombe_difference(e1, n1, e2, n2).unwrap();
            assert_diff(ci, d, lo, hi, &format!("Newcombe {e1}/{n1} vs {e2}/{n2}"));
        }
    }

    #[test]
    fn newcombe_swapping_arms_negates_the_interval() {
        let a = newcombe_difference(5, 56, 0, 29).unwrap();
        let b = newcombe_difference(0, 29, 5, 56).unwrap();
        assert_close(a.estimate, -b.estimate, "estimate");
        assert_close(a.lower, -b.upper, "lower vs -upper");
        assert_close(a.upper, -b.lower, "upper vs -lower");
    }

    #[test]
    fn zero_n_and_events_above_n_are_typed_errors() {
        let invalid = |r: Result<ProportionCi, StatsError>, field: &str| match r {
            Err(StatsError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected InvalidInput({field}), got {other:?}"),
        };
        invalid(clopper_pearson(0, 0), "n");
        invalid(clopper_pearson(5, 4), "events");
        invalid(wilson(0, 0), "n");
        invalid(wilson(u64::MAX, 1), "events");
        assert!(matches!(
            rule_of_three(0),
            Err(StatsError::InvalidInput { .. })
        ));
        assert!(newcombe_difference(1, 0, 0, 5).is_err());
        assert!(newcombe_difference(1, 5, 6, 5).is_err());
    }

    #[test]
    fn extreme_counts_give_finite_ordered_limits() {
        let n = MAX_EXACT_N;
        for (x, n, exact) in [
            (0, u64::MAX, false),
            (1, u64::MAX, false),
            (u64::MAX - 1, u64::MAX, false),
            (u64::MAX, u64::MAX, false),
            (u64::MAX / 2, u64::MAX, false),
            (n - 1, n, true),
            (n / 2 + 1, n, true),
        ] {
            let mut cis = vec![wilson(x, n).unwrap()];
            if exact {
                cis.push(clopper_pearson(x, n).unwrap());
            }
            for ci in cis {
                assert!(
                    ci.lower.is_finite() && ci.upper.is_finite(),
                    "{x}/{n}: {ci:?}"
                );
                assert!(
                    0.0 <= ci.lower && ci.lower <= ci.estimate,
                    "{x}/{n}: {ci:?}"
                );
                assert!(
                    ci.estimate <= ci.upper && ci.upper <= 1.0,
                    "{x}/{n}: {ci:?}"
                );
            }
        }
        let d = newcombe_difference(0, u64::MAX, u64::MAX, u64::MAX).unwrap();
        assert_eq!(d.estimate, -1.0);
        assert!(
            -1.0 <= d.lower && d.lower <= d.upper && d.upper <= 1.0,
            "{d:?}"
        );
    }

    fn counts(max_n: u64) -> impl Strategy<Value = (u64, u64)> {
        (1..=max_n).prop_flat_map(|n| (0..=n, Just(n)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every interval lies in [0, 1] (differences in [-1, 1]) and contains its estimate.
        #[test]
        fn intervals_are_bounded_and_contain_the_estimate(
            (e1, n1) in counts(5000), (e2, n2) in counts(MAX_EXACT_N)
        ) {
            for ci in [
                clopper_pearson(e1, n1).unwrap(),
                wilson(e1, n1).unwrap(),
                clopper_pearson(e2, n2).unwrap(),
                wilson(e2, n2).unwrap(),
            ] {
                prop_assert!(0.0 <= ci.lower && ci.lower <= ci.estimate, "{:?}", ci);
                prop_assert!(ci.estimate <= ci.upper && ci.upper <= 1.0, "{:?}", ci);
            }
            let d = newcombe_difference(e1, n1, e2, n2).unwrap();
            prop_assert!(-1.0 <= d.lower && d.lower <= d.estimate, "{:?}", d);
            prop_assert!(d.estimate <= d.upper && d.upper <= 1.0, "{:?}", d);
        }

        /// A limit sits on the boundary (0 or 1) exactly when the count does.
        #[test]
        fn boundary_counts_pin_the_limits((x, n) in counts(100_000)) {
            let cp = clopper_pearson(x, n).unwrap();
            prop_assert_eq!(cp.lower == 0.0, x == 0);
            prop_assert_eq!(cp.upper == 1.0, x == n);
            let w = wilson(x, n).unwrap();
            prop_assert_eq!(w.lower == 0.0, x == 0);
            prop_assert_eq!(w.upper == 1.0, x == n);
        }

        /// No u64 input panics; invalid ones are errors, valid ones finite.
        #[test]
        fn any_u64_counts_never_panic(x in any::<u64>(), n in any::<u64>()) {
            for r in [clopper_pearson(x, n), wilson(x, n)] {
                match r {
                    Ok(ci) => prop_assert!(ci.lower.is_finite() && ci.upper.is_finite()),
                    Err(_) => prop_assert!(n == 0 || x > n || n > MAX_EXACT_N),
                }
            }
            let _ = rule_of_three(n);
            let _ = newcombe_difference(x, n, n / 2, n);
        }
    }
}
