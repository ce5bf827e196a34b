//! The statistics engine's entry points on arbitrary numbers: effect sizes of every
//! data kind, conversions, pooling by every method, subgroups, proportion intervals and
//! absolute effects. Errors are fine; panics, NaN results and intervals that do not hold
//! their estimate are findings.
#![no_main]

use evbrief_stats::convert::{
    FiveNumber, log_ratio_from_ci, mean_sd_from_five_number, sd_from_mean_ci, sd_from_sem,
    se_from_mean_ci,
};
use evbrief_stats::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use evbrief_stats::effect::change::{PrePost, change_effect};
use evbrief_stats::effect::continuous::{TwoGroupMeans, continuous_effect};
use evbrief_stats::effect::proportion::{EventCount, proportion_effect};
use evbrief_stats::incidence::{clopper_pearson, newcombe_difference, rule_of_three, wilson};
use evbrief_stats::measure::DataKind;
use evbrief_stats::pool::inverse_variance::{pool_inverse_variance, tau2_qprofile_ci};
use evbrief_stats::pool::mantel_haenszel::{pool_mantel_haenszel, pool_peto};
use evbrief_stats::pool::subgroup::pool_subgroups;
use evbrief_stats::pool::PoolResult;
use evbrief_stats::absolute::absolute_effect;
use evbrief_stats::{Measure, Method, Test};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// A number as data gives them: mostly small counts and measurements, sometimes zero,
/// negative, huge, tiny, infinite or NaN.
fn number(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=9u8)? {
        0..=4 => f64::from(u.int_in_range(0..=200u16)?),
        5 | 6 => f64::from(u.int_in_range(-5000..=5000i32)?) / 100.0,
        7 => *u.choose(&[0.0, -1.0, 1e-300, 1e300, f64::MAX, f64::MIN_POSITIVE])?,
        8 => *u.choose(&[f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 0.5, 1.0])?,
        _ => u.arbitrary::<f64>()?,
    })
}

fn count(u: &mut Unstructured) -> Result<u64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0..=2 => u64::from(u.int_in_range(0..=500u16)?),
        _ => u.arbitrary::<u64>()?,
    })
}

const METHODS: [Method; 4] = [Method::FE, Method::DL, Method::REML, Method::PM];

fn check_pool(r: &PoolResult) {
    assert!(!r.estimate.is_nan() && !r.se.is_nan(), "NaN pooled: {r:?}");
    assert!(!r.ci_lower.is_nan() && !r.ci_upper.is_nan(), "NaN CI: {r:?}");
    assert!(
        r.ci_lower <= r.estimate && r.estimate <= r.ci_upper,
        "CI does not hold the estimate: {r:?}"
    );
    assert!(r.tau2.is_none_or(|t| t >= 0.0), "negative tau²: {r:?}");
    assert!(
        r.i2.is_none_or(|i| (0.0..=100.0).contains(&i)),
        "I² out of range: {r:?}"
    );
    assert!(r.p.is_none_or(|p| (0.0..=1.0).contains(&p)), "p: {r:?}");
    if let (Some(lo), Some(hi)) = (r.tau2_ci_lower, r.tau2_ci_upper) {
        assert!(lo >= 0.0 && lo <= hi, "tau² CI: {r:?}");
    }
}

fn run(u: &mut Unstructured) -> Result<()> {
    let measure = *u.choose(&Measure::ALL)?;
    let test = if u.arbitrary::<bool>()? { Test::Z } else { Test::Knha };
    let k = u.int_in_range(1..=12usize)?;
    let mut yi = Vec::new();
    let mut vi = Vec::new();
    let mut tables = Vec::new();
    let mut groups = Vec::new();
    for _ in 0..k {
        let effect = match measure.data_kind() {
            DataKind::Binary => {
                let table = TwoByTwo {
                    ai: number(u)?,
                    bi: number(u)?,
                    ci: number(u)?,
                    di: number(u)?,
                };
                let options = BinaryOptions {
                    add: *u.choose(&[0.5, 0.0, 1.0, -1.0, f64::NAN])?,
                    drop00: u.arbitrary()?,
                };
                tables.push(table);
                binary_effect(measure, &table, &options)
            }
            DataKind::Continuous => continuous_effect(
                measure,
                &TwoGroupMeans {
                    m1i: number(u)?,
                    sd1i: number(u)?,
                    n1i: number(u)?,
                    m2i: number(u)?,
                    sd2i: number(u)?,
                    n2i: number(u)?,
                },
            ),
            DataKind::Proportion => proportion_effect(
                measure,
                &EventCount {
                    xi: number(u)?,
                    ni: number(u)?,
                },
                *u.choose(&[0.5, 0.0, -1.0])?,
            ),
            // Generic inverse variance: the effect and its variance are the inputs.
            DataKind::Generic => {
                let (y, v) = (number(u)?, number(u)?);
                if y.is_finite() && v.is_finite() && v > 0.0 {
                    yi.push(y);
                    vi.push(v);
                    groups.push((format!("g{}", u.int_in_range(0..=2u8)?), (y, v)));
                }
                continue;
            }
            DataKind::Change => change_effect(
                measure,
                &PrePost {
                    m1i: number(u)?,
                    m2i: number(u)?,
                    sd1i: number(u)?,
                    sd2i: number(u)?,
                    ni: number(u)?,
                    ri: number(u)?,
                },
            ),
        };
        if let Ok(effect) = effect
            && let Some((y, v)) = effect.value()
        {
            assert!(y.is_finite() && v.is_finite() && v > 0.0, "{effect:?}");
            yi.push(y);
            vi.push(v);
            groups.push((format!("g{}", u.int_in_range(0..=2u8)?), (y, v)));
        }
    }
    for method in METHODS {
        if let Ok(r) = pool_inverse_variance(&yi, &vi, method, test) {
            check_pool(&r);
            if let Some(tau2) = r.tau2 {
                let _ = tau2_qprofile_ci(&yi, &vi, tau2);
            }
        }
        let split = pool_subgroups(&groups, |items: &[(f64, f64)]| {
            let (y, v): (Vec<f64>, Vec<f64>) = items.iter().copied().unzip();
            pool_inverse_variance(&y, &v, method, test)
        });
        if let Ok(split) = split {
            for group in &split.subgroups {
                if let Some(r) = &group.result {
                    check_pool(r);
                }
            }
        }
    }
    if matches!(measure, Measure::OR | Measure::RR | Measure::RD) {
        if let Ok(r) = pool_mantel_haenszel(measure, &tables) {
            check_pool(&r);
        }
    }
    if matches!(measure, Measure::OR | Measure::PETO) {
        if let Ok(r) = pool_peto(&tables) {
            check_pool(&r);
        }
    }
    if let Ok(r) = absolute_effect(measure, number(u)?, number(u)?, number(u)?, number(u)?) {
        assert!(!format!("{r:?}").contains("NaN"), "{r:?}");
    }

    let (events, n) = (count(u)?, count(u)?);
    for ci in [clopper_pearson(events, n), wilson(events, n)].into_iter().flatten() {
        assert!(
            0.0 <= ci.lower && ci.lower <= ci.estimate && ci.estimate <= ci.upper && ci.upper <= 1.0,
            "proportion CI {ci:?} for {events}/{n}"
        );
    }
    let _ = rule_of_three(n);
    let (e2, n2) = (count(u)?, count(u)?);
    if let Ok(d) = newcombe_difference(events, n, e2, n2) {
        assert!(
            -1.0 <= d.lower && d.lower <= d.estimate && d.estimate <= d.upper && d.upper <= 1.0,
            "difference CI {d:?}"
        );
    }

    let _ = sd_from_sem(number(u)?, number(u)?);
    let n_opt = if u.arbitrary()? { Some(number(u)?) } else { None };
    let _ = se_from_mean_ci(number(u)?, number(u)?, n_opt);
    let _ = sd_from_mean_ci(number(u)?, number(u)?, number(u)?);
    let _ = log_ratio_from_ci(number(u)?, number(u)?, number(u)?);
    let optional = |u: &mut Unstructured| -> Result<Option<f64>> {
        Ok(if u.arbitrary()? { Some(number(u)?) } else { None })
    };
    let five = FiveNumber {
        min: optional(u)?,
        q1: optional(u)?,
        median: number(u)?,
        q3: optional(u)?,
        max: optional(u)?,
        n: number(u)?,
    };
    if let Ok(m) = mean_sd_from_five_number(&five) {
        assert!(!format!("{m:?}").contains("NaN"), "{m:?} from {five:?}");
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
