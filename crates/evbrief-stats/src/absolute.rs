//! Anticipated absolute effects for GRADE 'Summary of findings' tables.
//!
//! Why: readers judge importance on the absolute scale ("63 fewer per 1000"),
//! but meta-analyses of binary outcomes pool a relative effect. A summary of
//! findings table therefore applies the pooled relative effect and its
//! confidence limits to an assumed control risk (ACR) and reports risks per
//! 1000 (GRADE Handbook, Schünemann et al. 2013, section 5.2; Cochrane
//! Handbook version 6, chapter 14 §14.1.5 and chapter 15 §15.4.4).

use serde::Serialize;

use super::error::{StatsError, finite};
use super::measure::Measure;
use super::transform::ilogit;

/// Participants per which absolute effects are expressed.
const PER: f64 = 1000.0;

/// Anticipated absolute effect of an intervention at an assumed control risk,
/// per 1000 participants.
///
/// Why: the columns "risk with control", "risk with intervention" and
/// "difference (95 % CI)" of a GRADE summary of findings table. The risk with
/// intervention at the CI limits is `control_per_1000` plus the difference
/// limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AbsoluteEffect {
    /// Assumed control risk per 1000.
    pub control_per_1000: f64,
    /// Corresponding risk with the intervention per 1000, at the point estimate.
    pub intervention_per_1000: f64,
    /// Intervention minus control per 1000 (negative: fewer events).
    pub difference_per_1000: f64,
    /// Lower 95 % limit of the difference per 1000 (from the lower CI limit
    /// of the relative effect).
    pub difference_lower: f64,
    /// Upper 95 % limit of the difference per 1000 (from the upper CI limit
    /// of the relative effect).
    pub difference_upper: f64,
    /// Which of the values above were cut at a bound a risk cannot pass (a risk
    /// of 0 or 1000 per 1000, a difference of ±1000): a table must say so.
    pub capped: Capped,
}

/// Which values of an [`AbsoluteEffect`] were capped.
///
/// Why: a risk ratio of 8 at a control risk of 125 per 1000 would give 1000
/// more per 1000 than possible; the table prints the capped 875 more, and a
/// reader must be told it is a cap, not an estimate (Cochrane Handbook v6
/// §15.4.4.2 notes the same limit of applying risk ratios to high risks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Capped {
    /// The risk with the intervention at the point estimate (and so the
    /// difference at the estimate).
    pub estimate: bool,
    /// The lower limit of the difference.
    pub lower: bool,
    /// The upper limit of the difference.
    pub upper: bool,
}

impl Capped {
    /// True when any value was capped.
    pub fn any(self) -> bool {
        self.estimate || self.lower || self.upper
    }
}

/// Risk with the intervention for an assumed control risk `acr` and an
/// effect `y` on metafor's analysis scale (see [`absolute_effect`]), before
/// any cap: it may lie outside `[0, 1]` for RR and RD.
fn raw_intervention_risk(measure: Measure, acr: f64, y: f64) -> f64 {
    match measure {
        // ACR · RR. ACR = 0 is handled first: 0 · exp(y) would be NaN when
        // exp(y) overflows.
        Measure::RR if acr == 0.0 => 0.0,
        Measure::RR => acr * y.exp(),
        // OR · ACR / (1 - ACR + OR · ACR), written as the equivalent
        // ilogit(logit(ACR) + log OR), which cannot overflow; ACR = 0 and
        // ACR = 1 are fixed points of the odds ratio.
        Measure::OR | Measure::PETO if acr == 0.0 || acr == 1.0 => acr,
        Measure::OR | Measure::PETO => ilogit((acr / (1.0 - acr)).ln() + y),
        // 1 − (1 − ACR)^HR under proportional hazards, written as
        // −expm1(HR · ln(1 − ACR)); ACR = 0 and ACR = 1 are fixed points.
        Measure::HR if acr == 0.0 || acr == 1.0 => acr,
        Measure::HR => -(y.exp() * (-acr).ln_1p()).exp_m1(),
        // ACR + RD.
        _ => acr + y,
    }
}

/// `x` cut to `[lo, hi]`, and whether it had to be cut.
fn cap(x: f64, lo: f64, hi: f64) -> (f64, bool) {
    let c = x.clamp(lo, hi);
    (c, c != x)
}

/// Anticipated absolute effect per 1000 from a pooled relative effect and an
/// assumed control risk (ACR).
///
/// Why: turns a pooled result into the absolute columns of a GRADE summary
/// of findings table (GRADE Handbook section 5.2; Cochrane Handbook v6
/// §14.1.5 and §15.4.4).
///
/// Inputs: `measure` is the pooled effect measure; `estimate`, `lower` and
/// `upper` are the pooled estimate and its 95 % CI limits on metafor's
/// ANALYSIS scale, exactly as a pooled result gives them: log risk ratio for
/// RR, log odds ratio for OR and PETO, raw risk difference for RD.
/// `control_risk` is the ACR as a proportion in `[0, 1]` (e.g. the median
/// control-group risk of the studies, or a risk from an external cohort).
///
/// Formulas (Cochrane Handbook v6 §15.4.4; `ACR` = control risk):
/// - RR: `risk = ACR · RR`, capped at 1 (a risk ratio above `1/ACR` would
///   otherwise give a risk above 1); difference = `(risk - ACR)` × 1000.
/// - OR and PETO (Peto's odds ratio is applied as an odds ratio):
///   `risk = OR · ACR / (1 - ACR + OR · ACR)`, always within `[0, 1]`;
///   difference = `(risk - ACR)` × 1000.
/// - HR (a time-to-event outcome; ACR is the control risk of an event by the
///   time point of the row): `risk = 1 − (1 − ACR)^HR`, which assumes
///   proportional hazards (Cochrane Handbook v6 chapter 15 §15.4.4, absolute
///   effects from hazard ratios; GRADE Handbook 5.2), always within `[0, 1]`.
/// - RD: the difference IS the effect: difference = `RD` × 1000 and its CI
///   the RD's CI × 1000, never moved towards zero (a Newcombe interval of
///   −0.037 to 0.281 stays "37 fewer to 281 more" even at `ACR = 0`); only
///   limits beyond ±1000, which no difference of risks can reach, are cut.
///   The risk with the intervention, `ACR + RD`, is capped to `[0, 1]`.
///
/// Every cut is recorded in [`AbsoluteEffect::capped`], so a table can
/// footnote it. The CI of the difference is the CI of the relative effect
/// mapped the same way; each mapping is non-decreasing in the effect, so the
/// limits stay ordered.
///
/// Limit: with `ACR = 0` (no events among controls) a relative effect has
/// nothing to act on, so RR and OR give a difference of 0 (0 to 0) whatever
/// the pooled effect. That is arithmetic, not evidence of no effect: use the
/// risk difference (its interval unchanged) or a baseline risk from
/// elsewhere (another population, a registry).
///
/// Errors: a measure other than RR, OR, PETO, HR or RD
/// ([`StatsError::IncompatibleMethod`], as for other unsupported measure
/// combinations); a non-finite input, a control risk outside `[0, 1]`, or
/// limits not ordered `lower <= estimate <= upper`
/// ([`StatsError::InvalidInput`]).
pub fn absolute_effect(
    measure: Measure,
    control_risk: f64,
    estimate: f64,
    lower: f64,
    upper: f64,
) -> Result<AbsoluteEffect, StatsError> {
    if !matches!(
        measure,
        Measure::RR | Measure::OR | Measure::PETO | Measure::HR | Measure::RD
    ) {
        return Err(StatsError::IncompatibleMethod {
            method: "absolute effect per 1000 (needs RR, OR, PETO, HR or RD)".into(),
            measure: measure.to_string(),
        });
    }
    let acr = finite("control_risk", control_risk)?;
    if !(0.0..=1.0).contains(&acr) {
        return Err(StatsError::InvalidInput {
            field: "control_risk".into(),
            message: format!("must be a proportion between 0 and 1 (got {acr})"),
        });
    }
    finite("estimate", estimate)?;
    finite("ci_lower", lower)?;
    finite("ci_upper", upper)?;
    if !(lower <= estimate && estimate <= upper) {
        return Err(StatsError::InvalidInput {
            field: "ci_lower/ci_upper".into(),
            message: format!(
                "need ci_lower <= estimate <= ci_upper (got {lower}, {estimate}, {upper})"
            ),
        });
    }
    let (risk, estimate_capped) = cap(raw_intervention_risk(measure, acr, estimate), 0.0, 1.0);
    // A difference per 1000 at effect `y`, and whether it was cut.
    let difference = |y: f64| -> (f64, bool) {
        if measure == Measure::RD {
            cap(y * PER, -PER, PER)
        } else {
            let (r, capped) = cap(raw_intervention_risk(measure, acr, y), 0.0, 1.0);
            ((r - acr) * PER, capped)
        }
    };
    let (difference_per_1000, estimate_difference_capped) = difference(estimate);
    let (difference_lower, lower_capped) = difference(lower);
    let (difference_upper, upper_capped) = difference(upper);
    Ok(AbsoluteEffect {
        control_per_1000: acr * PER,
        intervention_per_1000: risk * PER,
        difference_per_1000,
        difference_lower,
        difference_upper,
        capped: Capped {
            estimate: estimate_capped || estimate_difference_capped,
            lower: lower_capped,
            upper: upper_capped,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;
    use proptest::prelude::*;

    #[test]
    fn hazard_ratio_at_a_control_risk() {
        // HR 0.5 (0.25 to 1) at ACR 0.2: 1 − 0.8^0.5 = 0.105572809,
        // 1 − 0.8^0.25 = 0.054258390, 1 − 0.8 = 0.2 (Cochrane Handbook 15.4.4).
        let e = absolute_effect(Measure::HR, 0.2, 0.5f64.ln(), 0.25f64.ln(), 0.0).unwrap();
        let risk = 1.0 - 0.8f64.sqrt();
        assert_effect(
            e,
            [
                200.0,
                risk * 1000.0,
                (risk - 0.2) * 1000.0,
                (1.0 - 0.8f64.powf(0.25) - 0.2) * 1000.0,
                0.0,
            ],
        );
        assert!(!e.capped.any());
    }

    #[track_caller]
    fn assert_effect(e: AbsoluteEffect, expected: [f64; 5]) {
        let names = ["control", "intervention", "difference", "lower", "upper"];
        let got = [
            e.control_per_1000,
            e.intervention_per_1000,
            e.difference_per_1000,
            e.difference_lower,
            e.difference_upper,
        ];
        for ((g, x), name) in got.iter().zip(expected).zip(names) {
            assert_close(*g, x, name);
        }
    }

    #[test]
    fn rr_half_at_acr_125_gives_62_5_per_1000_and_62_5_fewer() {
        // 0.125 · 0.5 = 0.0625; limits 0.125 · 0.25 = 0.03125 and 0.125 · 1
        let e = absolute_effect(Measure::RR, 0.125, 0.5_f64.ln(), 0.25_f64.ln(), 0.0).unwrap();
        assert_effect(e, [125.0, 62.5, -62.5, -93.75, 0.0]);
    }

    #[test]
    fn or_two_at_acr_20_gives_333_per_1000() {
        // 2 · 0.2 / (0.8 + 0.4) = 1/3; OR 1 → 0.2; OR 4: 0.8 / (0.8 + 0.8) = 0.5
        let e = absolute_effect(Measure::OR, 0.2, 2.0_f64.ln(), 0.0, 4.0_f64.ln()).unwrap();
        assert_effect(e, [200.0, 1000.0 / 3.0, 1000.0 / 3.0 - 200.0, 0.0, 300.0]);
    }

    #[test]
    fn peto_is_applied_as_an_odds_ratio() {
        let args = (0.3, 0.7_f64.ln(), 0.5_f64.ln(), 0.98_f64.ln());
        let peto = absolute_effect(Measure::PETO, args.0, args.1, args.2, args.3).unwrap();
        let or = absolute_effect(Measure::OR, args.0, args.1, args.2, args.3).unwrap();
        assert_eq!(peto, or);
        // OR 0.7 at ACR 0.3: 0.21 / (0.7 + 0.21) = 0.230769...
        assert_close(peto.intervention_per_1000, 210.0 / 0.91, "OR 0.7");
    }

    #[test]
    fn rd_is_the_difference_and_its_interval_is_never_moved_towards_zero() {
        // 0.1 - 0.05 = 0.05; the lower limit -0.12 stays 120 fewer although the
        // risk with the intervention cannot fall below 0 (it is not shown at the limits)
        let e = absolute_effect(Measure::RD, 0.1, -0.05, -0.12, 0.02).unwrap();
        assert_effect(e, [100.0, 50.0, -50.0, -120.0, 20.0]);
        assert!(!e.capped.any());
    }

    #[test]
    fn rd_below_minus_acr_caps_only_the_risk_with_the_intervention() {
        let e = absolute_effect(Measure::RD, 0.02, -0.05, -0.3, 0.1).unwrap();
        assert_effect(e, [20.0, 0.0, -50.0, -300.0, 100.0]);
        assert_eq!(
            e.capped,
            Capped {
                estimate: true,
                lower: false,
                upper: false
            }
        );
        // limits beyond ±1 (which no risk difference can reach) are cut and flagged
        let e = absolute_effect(Measure::RD, 0.5, 0.2, -0.1, 1.2).unwrap();
        assert_effect(e, [500.0, 700.0, 200.0, -100.0, 1000.0]);
        assert!(e.capped.upper && !e.capped.lower && !e.capped.estimate);
    }

    #[test]
    fn rr_above_one_over_acr_is_capped_at_1000_per_1000_and_says_so() {
        // 0.6 · 2 = 1.2 → 1; limits 0.6 · 1.5 = 0.9 and 0.6 · 3 → 1
        let e =
            absolute_effect(Measure::RR, 0.6, 2.0_f64.ln(), 1.5_f64.ln(), 3.0_f64.ln()).unwrap();
        assert_effect(e, [600.0, 1000.0, 400.0, 300.0, 400.0]);
        assert_eq!(
            e.capped,
            Capped {
                estimate: true,
                lower: false,
                upper: true
            }
        );
    }

    /// The bundled brief's HbA1c < 7.0% row at week 48 (16/33 vs 4/32, control
    /// risk 125 per 1000): a risk ratio's upper limit above 8 would give a risk
    /// above 1000 per 1000, so "875 more" is a cap and flagged as one.
    #[test]
    fn hba1c_target_week_48_upper_limit_is_a_cap_at_875_more() {
        let e = absolute_effect(
            Measure::RR,
            4.0 / 32.0,
            3.88_f64.ln(),
            1.43_f64.ln(),
            10.5_f64.ln(),
        )
        .unwrap();
        assert_close(e.difference_upper, 875.0, "upper");
        assert_close(e.difference_per_1000, 125.0 * 2.88, "estimate");
        assert!(e.capped.upper && !e.capped.lower && !e.capped.estimate);
    }

    #[test]
    fn zero_control_risk_gives_no_difference_for_ratios_but_the_rd_unchanged_for_rd() {
        for m in [Measure::RR, Measure::OR, Measure::PETO] {
            let e = absolute_effect(m, 0.0, 1.5, -0.2, 700.0).unwrap();
            assert_effect(e, [0.0, 0.0, 0.0, 0.0, 0.0]);
        }
        let e = absolute_effect(Measure::RD, 0.0, 0.01, -0.02, 0.04).unwrap();
        assert_effect(e, [0.0, 10.0, 10.0, -20.0, 40.0]);
        assert!(!e.capped.any());
    }

    /// The two rows of the bundled brief that printed "from 0": insulin
    /// independence (Lu 2021: 3/27 vs 0/26) and transient fever (Lian 2023:
    /// 4/24 vs 0/10), each with zero control risk and Newcombe's interval
    /// (Newcombe 1998, method 10), which the audit recomputed as 37 fewer to
    /// 281 more and 128 fewer to 359 more.
    #[test]
    fn zero_control_risk_keeps_the_newcombe_interval_of_both_bundled_rows() {
        use super::super::incidence::newcombe_difference;
        for ((a, n1, c, n2), expected) in [
            ((3, 27, 0, 26), [111.0, -37.0, 281.0]),
            ((4, 24, 0, 10), [167.0, -128.0, 359.0]),
        ] {
            let d = newcombe_difference(a, n1, c, n2).unwrap();
            let e = absolute_effect(Measure::RD, 0.0, d.estimate, d.lower, d.upper).unwrap();
            let got = [
                e.difference_per_1000.round(),
                e.difference_lower.round(),
                e.difference_upper.round(),
            ];
            assert_eq!(got, expected, "{a}/{n1} vs {c}/{n2}");
            assert!(!e.capped.any());
        }
    }

    #[test]
    fn control_risk_one_stays_at_1000_for_ratios() {
        let rr = absolute_effect(Measure::RR, 1.0, 0.5_f64.ln(), 0.2_f64.ln(), 0.0).unwrap();
        assert_effect(rr, [1000.0, 500.0, -500.0, -800.0, 0.0]);
        let or = absolute_effect(Measure::OR, 1.0, -1.0, -2.0, 0.0).unwrap();
        assert_effect(or, [1000.0, 1000.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn huge_log_effects_do_not_overflow_to_nan() {
        for m in [Measure::RR, Measure::OR] {
            let e = absolute_effect(m, 0.1, 800.0, -800.0, 1000.0).unwrap();
            assert_effect(e, [100.0, 1000.0, 900.0, -100.0, 900.0]);
        }
    }

    #[test]
    fn or_is_the_handbook_formula_or_acr_over_one_minus_acr_plus_or_acr() {
        for acr in [0.001, 0.05, 0.2, 0.5, 0.9, 0.999] {
            for or in [0.01, 0.3, 1.0, 2.0, 50.0] {
                let direct = or * acr / (1.0 - acr + or * acr);
                let e = absolute_effect(Measure::OR, acr, or.ln(), or.ln(), or.ln()).unwrap();
                assert_close(e.intervention_per_1000, direct * 1000.0, "OR risk");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Differences stay within ±1000, ordered like the relative effect limits.
        #[test]
        fn differences_are_bounded_and_ordered(
            mi in 0usize..5, acr in 0.0f64..=1.0,
            a in -50.0f64..50.0, b in -50.0f64..50.0, c in -50.0f64..50.0
        ) {
            let m = [Measure::RR, Measure::OR, Measure::PETO, Measure::RD, Measure::HR][mi];
            let mut y = [a, b, c];
            y.sort_by(f64::total_cmp);
            let e = absolute_effect(m, acr, y[1], y[0], y[2]).unwrap();
            prop_assert!((0.0..=1000.0).contains(&e.intervention_per_1000), "{:?}", e);
            prop_assert!(-1000.0 <= e.difference_lower, "{:?}", e);
            prop_assert!(e.difference_lower <= e.difference_per_1000, "{:?}", e);
            prop_assert!(e.difference_per_1000 <= e.difference_upper, "{:?}", e);
            prop_assert!(e.difference_upper <= 1000.0, "{:?}", e);
        }
    }

    #[test]
    fn other_measures_are_typed_errors() {
        for m in [
            Measure::MD,
            Measure::SMD,
            Measure::PR,
            Measure::PLO,
            Measure::PFT,
            Measure::MC,
            Measure::SMCR,
        ] {
            assert!(
                matches!(
                    absolute_effect(m, 0.1, 0.0, -1.0, 1.0),
                    Err(StatsError::IncompatibleMethod { ref measure, .. }) if *measure == m.to_string()
                ),
                "{m}"
            );
        }
    }

    #[test]
    fn invalid_risks_and_limits_are_typed_errors() {
        let invalid = |r: Result<AbsoluteEffect, StatsError>| {
            assert!(matches!(r, Err(StatsError::InvalidInput { .. })), "{r:?}")
        };
        invalid(absolute_effect(Measure::RR, -0.01, 0.0, 0.0, 0.0));
        invalid(absolute_effect(Measure::RR, 1.01, 0.0, 0.0, 0.0));
        invalid(absolute_effect(Measure::OR, f64::NAN, 0.0, 0.0, 0.0));
        invalid(absolute_effect(Measure::OR, 0.1, f64::INFINITY, 0.0, 0.0));
        invalid(absolute_effect(Measure::RD, 0.1, 0.0, 0.1, -0.1));
        invalid(absolute_effect(Measure::RR, 0.1, 0.5, 0.6, 0.7));
    }
}
