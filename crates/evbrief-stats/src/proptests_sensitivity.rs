//! Property tests of the small-study, sensitivity and meta-regression code:
//! any finite input gives finite numbers or a typed error, never a panic,
//! and the analyses agree with each other where they must.

use nalgebra::DMatrix;
use proptest::prelude::*;

use super::bias::{begg, egger, egger_lm, trim_and_fill};
use super::measure::{Method, Test};
use super::metareg::{self, FitOptions};
use super::pool::inverse_variance::pool_inverse_variance;
use super::sensitivity::{cumulative, influence, leave_one_out};

fn studies() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((-3.0f64..3.0, 0.001f64..2.0), 3..14)
}

const METHODS: [Method; 4] = [Method::FE, Method::DL, Method::REML, Method::PM];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every analysis returns finite numbers or a typed error.
    #[test]
    fn never_nan_never_panic(s in studies(), m in 0usize..4, knha in any::<bool>()) {
        let (yi, vi): (Vec<f64>, Vec<f64>) = s.into_iter().unzip();
        let method = METHODS[m];
        let test = if knha { Test::Knha } else { Test::Z };
        if let Ok(e) = egger(&yi, &vi, method, test) {
            prop_assert!(e.limit.is_finite() && (0.0..=1.0).contains(&e.p));
        }
        if let Ok(e) = egger_lm(&yi, &vi) {
            prop_assert!((0.0..=1.0).contains(&e.p));
        }
        if let Ok(b) = begg(&yi, &vi) {
            prop_assert!((-1.0..=1.0).contains(&b.tau) && (0.0..=1.0).contains(&b.p));
        }
        if let Ok(t) = trim_and_fill(&yi, &vi, method, test) {
            prop_assert!(t.estimate.is_finite() && t.k0 < yi.len());
            prop_assert_eq!(t.filled_yi.len(), t.k0);
        }
        let x = DMatrix::from_element(yi.len(), 1, 1.0);
        if let Ok(inf) = influence(&yi, &vi, &x, method, test) {
            prop_assert!(inf.iter().all(|r| r.hat > 0.0 && r.hat <= 1.0 && r.cook_d.is_finite()));
        }
        let loo = leave_one_out(&yi, &vi, method, test);
        // A refit may fail to converge (a typed error); a fit that exists is finite.
        prop_assert!(loo.map_or(true, |l| l.iter().all(|r| r.estimate.is_finite())));
    }

    /// The last cumulative step is the full model; leave-one-out rows lie
    /// between the extremes of the data.
    #[test]
    fn cumulative_ends_at_the_full_model(s in studies(), m in 0usize..4) {
        let (yi, vi): (Vec<f64>, Vec<f64>) = s.into_iter().unzip();
        let method = METHODS[m];
        let order: Vec<usize> = (0..yi.len()).rev().collect();
        // An iterative estimator may not converge on a random sample (a typed error, which
        // `never_nan_never_panic` allows); the properties are about fits that exist.
        let (Ok(c), Ok(full)) = (
            cumulative(&yi, &vi, &order, method, Test::Z),
            pool_inverse_variance(&yi, &vi, method, Test::Z),
        ) else {
            return Ok(());
        };
        let last = c.last().unwrap();
        prop_assert!((last.estimate - full.estimate).abs() <= 1e-8 * (1.0 + full.estimate.abs()));
        let (lo, hi) = yi.iter().fold((f64::MAX, f64::MIN), |(l, h), y| (l.min(*y), h.max(*y)));
        for r in leave_one_out(&yi, &vi, method, Test::Z).unwrap_or_default() {
            prop_assert!(r.estimate >= lo - 1e-9 && r.estimate <= hi + 1e-9);
        }
    }

    /// A moderator unrelated to the design (a constant shift) leaves QE and τ²
    /// of the intercept-only model unchanged when the intercept absorbs it.
    #[test]
    fn meta_regression_is_shift_invariant(s in studies(), shift in -5.0f64..5.0) {
        let (yi, vi): (Vec<f64>, Vec<f64>) = s.into_iter().unzip();
        let k = yi.len();
        let cov: Vec<f64> = (0..k).map(|i| i as f64).collect();
        let shifted: Vec<f64> = cov.iter().map(|c| c + shift).collect();
        let o = FitOptions { method: Method::REML, test: Test::Z };
        let a = metareg::fit(&yi, &vi, &metareg::design_with_intercept(k, &[cov]), &[1], o);
        let b = metareg::fit(&yi, &vi, &metareg::design_with_intercept(k, &[shifted]), &[1], o);
        if let (Ok(a), Ok(b)) = (a, b) {
            prop_assert!((a.tau2 - b.tau2).abs() <= 1e-7 * (1.0 + a.tau2));
            prop_assert!((a.beta[1] - b.beta[1]).abs() <= 1e-7 * (1.0 + a.beta[1].abs()));
            prop_assert!((a.qm - b.qm).abs() <= 1e-6 * (1.0 + a.qm));
        }
    }
}
