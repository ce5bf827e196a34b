//! Property tests of invariants that must hold for any finite input.

use proptest::prelude::*;

use super::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use super::effect::continuous::{TwoGroupMeans, continuous_effect};
use super::measure::{Measure, Method, Test};
use super::pool::PoolResult;
use super::pool::inverse_variance::pool_inverse_variance;
use super::pool::mantel_haenszel::{pool_mantel_haenszel, pool_peto};

fn all_finite(r: &PoolResult) -> bool {
    let opts = [
        r.statistic,
        r.p,
        r.pi_lower,
        r.pi_upper,
        r.tau2,
        r.tau2_ci_lower,
        r.tau2_ci_upper,
        r.i2,
        r.h2,
        r.q,
        r.q_p,
    ];
    [r.estimate, r.se, r.ci_lower, r.ci_upper]
        .iter()
        .chain(opts.iter().flatten())
        .chain(r.weights.iter())
        .all(|v| v.is_finite())
}

fn table() -> impl Strategy<Value = TwoByTwo> {
    (0u32..200, 0u32..200, 0u32..200, 0u32..200).prop_map(|(a, b, c, d)| TwoByTwo {
        ai: a as f64,
        bi: b as f64 + 1.0,
        ci: c as f64,
        di: d as f64 + 1.0,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Swapping the arms negates log RR, log OR, Peto log OR and RD.
    #[test]
    fn swapping_arms_negates(t in table()) {
        for m in [Measure::RR, Measure::OR, Measure::PETO, Measure::RD] {
            let o = BinaryOptions::default();
            let a = binary_effect(m, &t, &o).unwrap();
            let b = binary_effect(m, &t.swapped(), &o).unwrap();
            match (a.value(), b.value()) {
                (Some((ya, va)), Some((yb, vb))) => {
                    prop_assert!((ya + yb).abs() <= 1e-9 * (1.0 + ya.abs()));
                    prop_assert!((va - vb).abs() <= 1e-9 * va);
                }
                (None, None) => {}
                other => prop_assert!(false, "asymmetric estimability {:?}", other),
            }
        }
    }

    /// Scaling all means and SDs by c scales MD by c and its variance by c².
    #[test]
    fn scaling_scales_md(m1 in -1e3f64..1e3, m2 in -1e3f64..1e3, s1 in 0.01f64..100.0,
                         s2 in 0.01f64..100.0, n1 in 2u32..500, n2 in 2u32..500, c in 0.01f64..100.0) {
        let d = TwoGroupMeans { m1i: m1, sd1i: s1, n1i: n1 as f64, m2i: m2, sd2i: s2, n2i: n2 as f64 };
        let sc = TwoGroupMeans { m1i: c * m1, sd1i: c * s1, m2i: c * m2, sd2i: c * s2, ..d };
        let (y, v) = continuous_effect(Measure::MD, &d).unwrap().value().unwrap();
        let (ys, vs) = continuous_effect(Measure::MD, &sc).unwrap().value().unwrap();
        prop_assert!((ys - c * y).abs() <= 1e-9 * (1.0 + (c * y).abs()));
        prop_assert!((vs - c * c * v).abs() <= 1e-9 * c * c * v);
        // SMD is scale-free
        let (g, _) = continuous_effect(Measure::SMD, &d).unwrap().value().unwrap();
        let (gs, _) = continuous_effect(Measure::SMD, &sc).unwrap().value().unwrap();
        prop_assert!((g - gs).abs() <= 1e-9 * (1.0 + g.abs()));
    }

    /// Pooling never panics and never returns NaN; tau² is never negative.
    #[test]
    fn pooling_is_total_and_finite(
        data in prop::collection::vec((-1e6f64..1e6, 1e-8f64..1e6), 0..12),
        mi in 0usize..4, hk in any::<bool>()
    ) {
        let (yi, vi): (Vec<f64>, Vec<f64>) = data.into_iter().unzip();
        let method = [Method::FE, Method::DL, Method::REML, Method::PM][mi];
        let test = if hk { Test::Knha } else { Test::Z };
        if let Ok(r) = pool_inverse_variance(&yi, &vi, method, test) {
            prop_assert!(all_finite(&r));
            prop_assert!(r.tau2.unwrap_or(0.0) >= 0.0);
            prop_assert!(r.tau2_ci_lower.unwrap_or(0.0) >= 0.0);
            prop_assert!(r.i2.unwrap_or(0.0) >= 0.0);
        }
    }

    /// Extreme but finite inputs give an error or finite numbers, never a panic or NaN.
    #[test]
    fn extreme_inputs_never_nan(
        data in prop::collection::vec((prop::num::f64::NORMAL, prop::num::f64::POSITIVE), 0..6)
    ) {
        let (yi, vi): (Vec<f64>, Vec<f64>) = data.into_iter().unzip();
        for m in [Method::FE, Method::DL, Method::REML, Method::PM] {
            if let Ok(r) = pool_inverse_variance(&yi, &vi, m, Test::Knha) {
                prop_assert!(all_finite(&r));
            }
        }
    }

    /// Mantel–Haenszel and Peto never panic or return NaN on valid tables.
    #[test]
    fn mh_and_peto_are_total(tabs in prop::collection::vec(table(), 0..8)) {
        for m in [Measure::OR, Measure::RR, Measure::RD] {
            if let Ok(r) = pool_mantel_haenszel(m, &tabs) {
                prop_assert!(all_finite(&r));
            }
        }
        if let Ok(r) = pool_peto(&tabs) {
            prop_assert!(all_finite(&r));
        }
    }

}
