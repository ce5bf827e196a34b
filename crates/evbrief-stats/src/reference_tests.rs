//! Reference tests against R's metafor, named after their published sources.
//!
//! Fixtures are produced by `tests/metafor/generate.R` (metafor 3.8-1) and
//! committed, so no R is needed to run them. Paths are relative to this file
//! so they also resolve once it lives at `src/stats/` of the main crate with
//! the fixtures in `tests/metafor/`. Tolerances live in `testutil`.

use serde_json::Value;

use super::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use super::effect::change::{PrePost, change_effect};
use super::effect::continuous::{TwoGroupMeans, continuous_effect};
use super::effect::proportion::{EventCount, proportion_effect};
use super::measure::BackTransform;
use super::measure::{Measure, Method, Test};
use super::pool::PoolResult;
use super::pool::inverse_variance::pool_inverse_variance;
use super::pool::mantel_haenszel::{pool_mantel_haenszel, pool_peto};
use super::pool::subgroup::pool_subgroups;
use super::testutil::{assert_close, close};
use super::transform::back_transform;

const BCG: &str = include_str!("../../../tests/metafor/bcg.json");
const SPARSE: &str = include_str!("../../../tests/metafor/sparse.json");
const CONTINUOUS: &str = include_str!("../../../tests/metafor/continuous.json");
const PROPORTION: &str = include_str!("../../../tests/metafor/proportion.json");
const CHANGE: &str = include_str!("../../../tests/metafor/change.json");
const SUBGROUP: &str = include_str!("../../../tests/metafor/subgroup.json");
const FIVENUM: &str = include_str!("../../../tests/metafor/fivenum.json");
const YUSUF1985: &str = include_str!("../../../tests/metafor/yusuf1985.json");
const HINE1989: &str = include_str!("../../../tests/metafor/hine1989.json");
const NORMAND1999_POOLED: &str = include_str!("../../../tests/metafor/normand1999_pooled.json");
const DERSIMONIAN2007: &str = include_str!("../../../tests/metafor/dersimonian2007.json");
const PRITZ1997: &str = include_str!("../../../tests/metafor/pritz1997.json");
const RAUDENBUSH1985: &str = include_str!("../../../tests/metafor/raudenbush1985.json");

fn parse(s: &str) -> Value {
    serde_json::from_str(s).expect("fixture is valid JSON")
}

fn col(v: &Value, name: &str) -> Vec<f64> {
    v["data"][name]
        .as_array()
        .unwrap_or_else(|| panic!("column {name}"))
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[track_caller]
fn check_opt(actual: Option<f64>, expected: &Value, what: &str) {
    match (actual, opt(expected)) {
        (Some(a), Some(e)) => assert_close(a, e, what),
        (None, None) => {}
        (a, e) => panic!("{what}: got {a:?}, expected {e:?}"),
    }
}

/// Checks `actual` against a value a paper prints with `decimals` decimals:
/// it must round to the printed value (|actual - printed| <= half a unit in
/// the last printed place).
#[track_caller]
fn assert_printed(actual: f64, printed: f64, decimals: i32, what: &str) {
    let half = 0.5 * 10f64.powi(-decimals) * (1.0 + 1e-9);
    assert!(
        (actual - printed).abs() <= half,
        "{what}: got {actual:.8}, the paper prints {printed} ({decimals} decimals)"
    );
}

/// Per-study MD or SMD from a fixture's `m1i, sd1i, n1i, m2i, sd2i, n2i` columns.
fn continuous_effects(fx: &Value, measure: Measure) -> Vec<Option<(f64, f64)>> {
    let (m1, s1, n1) = (col(fx, "m1i"), col(fx, "sd1i"), col(fx, "n1i"));
    let (m2, s2, n2) = (col(fx, "m2i"), col(fx, "sd2i"), col(fx, "n2i"));
    (0..m1.len())
        .map(|i| {
            let d = TwoGroupMeans {
                m1i: m1[i],
                sd1i: s1[i],
                n1i: n1[i],
                m2i: m2[i],
                sd2i: s2[i],
                n2i: n2[i],
            };
            continuous_effect(measure, &d).expect("effect").value()
        })
        .collect()
}

/// Compares escalc yi/vi (nulls = not estimable).
fn check_escalc(fx: &Value, measure: Measure, effects: &[Option<(f64, f64)>]) {
    let e = &fx["escalc"][measure.as_str()];
    let yi = e["yi"].as_array().expect("yi");
    let vi = e["vi"].as_array().expect("vi");
    assert_eq!(yi.len(), effects.len());
    for (i, eff) in effects.iter().enumerate() {
        let what = format!("{} escalc {measure} study {i}", fx["name"]);
        match (eff, opt(&yi[i])) {
            (Some((y, v)), Some(ey)) => {
                assert_close(*y, ey, &format!("{what} yi"));
                assert_close(*v, opt(&vi[i]).expect("vi"), &format!("{what} vi"));
            }
            (None, None) => {}
            (a, b) => panic!("{what}: got {a:?}, expected {b:?}"),
        }
    }
}

/// Compares a pooled result with a metafor fit record.
fn check_fit(r: &PoolResult, f: &Value, what: &str) {
    assert_eq!(r.k as u64, f["k"].as_u64().expect("k"), "{what} k");
    for (name, val) in [
        ("estimate", r.estimate),
        ("se", r.se),
        ("ci_lower", r.ci_lower),
        ("ci_upper", r.ci_upper),
    ] {
        assert_close(
            val,
            f[name].as_f64().expect(name),
            &format!("{what} {name}"),
        );
    }
    check_opt(r.statistic, &f["statistic"], &format!("{what} statistic"));
    check_opt(r.p, &f["p"], &format!("{what} p"));
    check_opt(r.i2, &f["i2"], &format!("{what} i2"));
    check_opt(r.h2, &f["h2"], &format!("{what} h2"));
    check_opt(r.q, &f["q"], &format!("{what} q"));
    check_opt(r.q_p, &f["q_p"], &format!("{what} q_p"));
    if f.get("q_df").is_some() {
        check_opt(r.q_df, &f["q_df"], &format!("{what} q_df"));
    }
    if f["kind"] == "uni" {
        check_opt(r.tau2, &f["tau2"], &format!("{what} tau2"));
        check_opt(r.pi_lower, &f["pi_lower"], &format!("{what} pi_lower"));
        check_opt(r.pi_upper, &f["pi_upper"], &format!("{what} pi_upper"));
        check_opt(
            r.tau2_ci_lower,
            &f["tau2_ci_lower"],
            &format!("{what} tau2_ci_lower"),
        );
        check_opt(
            r.tau2_ci_upper,
            &f["tau2_ci_upper"],
            &format!("{what} tau2_ci_upper"),
        );
    }
    let w = f["weights"].as_array().expect("weights");
    assert_eq!(w.len(), r.weights.len(), "{what} weights length");
    for (i, (a, e)) in r.weights.iter().zip(w).enumerate() {
        assert_close(*a, e.as_f64().unwrap_or(0.0), &format!("{what} weight {i}"));
    }
}

fn method_test(f: &Value) -> (Method, Test) {
    let m: Method = f["method"]
        .as_str()
        .expect("method")
        .parse()
        .expect("method");
    let t: Test = f["test"].as_str().expect("test").parse().expect("test");
    (m, t)
}

fn check_back(r: &PoolResult, f: &Value, kind: BackTransform, ns: &[f64], what: &str) {
    let Some(b) = f.get("back") else { return };
    check_opt(
        back_transform(kind, r.estimate, ns),
        &b["estimate"],
        &format!("{what} back est"),
    );
    check_opt(
        back_transform(kind, r.ci_lower, ns),
        &b["ci_lower"],
        &format!("{what} back lb"),
    );
    check_opt(
        back_transform(kind, r.ci_upper, ns),
        &b["ci_upper"],
        &format!("{what} back ub"),
    );
    if let (Some(l), Some(u)) = (r.pi_lower, r.pi_upper) {
        check_opt(
            back_transform(kind, l, ns),
            &b["pi_lower"],
            &format!("{what} back pi lb"),
        );
        check_opt(
            back_transform(kind, u, ns),
            &b["pi_upper"],
            &format!("{what} back pi ub"),
        );
    }
}

/// Runs every inverse-variance fit of a fixture on the given per-study effects.
fn check_uni_fits(
    fx: &Value,
    measure: Measure,
    effects: &[Option<(f64, f64)>],
    ns: &[f64],
) -> usize {
    let (yi, vi): (Vec<f64>, Vec<f64>) = effects.iter().flatten().copied().unzip();
    let mut n = 0;
    for f in fx["fits"].as_array().expect("fits") {
        if f["kind"] != "uni" || f["measure"] != measure.as_str() {
            continue;
        }
        let (m, t) = method_test(f);
        let what = format!("{} {measure} {m} {t}", fx["name"]);
        let r = pool_inverse_variance(&yi, &vi, m, t).unwrap_or_else(|e| panic!("{what}: {e}"));
        check_fit(&r, f, &what);
        check_back(&r, f, measure.back_transform(), ns, &what);
        n += 1;
    }
    n
}

fn tables(fx: &Value) -> Vec<TwoByTwo> {
    let (a, b, c, d) = (col(fx, "ai"), col(fx, "bi"), col(fx, "ci"), col(fx, "di"));
    (0..a.len())
        .map(|i| TwoByTwo {
            ai: a[i],
            bi: b[i],
            ci: c[i],
            di: d[i],
        })
        .collect()
}

fn check_binary_fixture(src: &str) {
    let fx = parse(src);
    let tabs = tables(&fx);
    let mut fits = 0;
    for m in [Measure::RR, Measure::OR, Measure::RD, Measure::PETO] {
        let drop00 = fx["escalc"][m.as_str()]["drop00"].as_bool().unwrap_or(true);
        let opts = BinaryOptions { add: 0.5, drop00 };
        let eff: Vec<Option<(f64, f64)>> = tabs
            .iter()
            .map(|t| binary_effect(m, t, &opts).expect("effect").value())
            .collect();
        check_escalc(&fx, m, &eff);
        fits += check_uni_fits(&fx, m, &eff, &[]);
    }
    for f in fx["fits"].as_array().expect("fits") {
        let what = format!("{} {} {}", fx["name"], f["measure"], f["method"]);
        let r = match f["kind"].as_str() {
            Some("mh") => {
                let m: Measure = f["measure"].as_str().expect("m").parse().expect("m");
                pool_mantel_haenszel(m, &tabs)
            }
            Some("peto") => pool_peto(&tabs),
            _ => continue,
        }
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        check_fit(&r, f, &what);
        fits += 1;
    }
    assert_eq!(fits, fx["fits"].as_array().map(|a| a.len()).unwrap_or(0));
}

/// Colditz et al. 1994 BCG trials (metafor `dat.bcg`): the headline values
/// quoted in the metafor documentation, then every measure × method.
#[test]
fn colditz_1994_bcg_headline_values() {
    let fx = parse(BCG);
    let tabs = tables(&fx);
    let eff: Vec<(f64, f64)> = tabs
        .iter()
        .filter_map(|t| {
            binary_effect(Measure::RR, t, &BinaryOptions::default())
                .ok()?
                .value()
        })
        .collect();
    let (yi, vi): (Vec<f64>, Vec<f64>) = eff.into_iter().unzip();
    let r = pool_inverse_variance(&yi, &vi, Method::REML, Test::Z).expect("fit");
    assert!((r.tau2.unwrap_or(0.0) - 0.3132).abs() < 5e-5);
    assert!((r.i2.unwrap_or(0.0) - 92.22).abs() < 5e-3);
    assert!((r.estimate + 0.7145).abs() < 5e-5);
    assert!((r.ci_lower + 1.0669).abs() < 5e-5 && (r.ci_upper + 0.3622).abs() < 5e-5);
    let d = pool_inverse_variance(&yi, &vi, Method::DL, Test::Z).expect("fit");
    assert!((d.tau2.unwrap_or(0.0) - 0.3088).abs() < 5e-5);
}

/// Colditz et al. 1994 BCG trials: RR, OR, RD, PETO × FE/DL/REML/PM × z/knha,
/// MH (OR, RR, RD) and Peto, against metafor to 1e-6.
#[test]
fn colditz_1994_bcg_all_measures_match_metafor() {
    check_binary_fixture(BCG);
}

/// Sparse tables with zero cells, a double-zero and an all-events study
/// (escalc `add=1/2, to="only0"`, `drop00`; `rma.mh`, `rma.peto` defaults).
#[test]
fn sparse_zero_cells_match_metafor() {
    check_binary_fixture(SPARSE);
}

/// Normand 1999 length-of-stay trials (metafor `dat.normand1999`): MD and
/// SMD (Hedges 1981 exact correction, vtype "LS").
#[test]
fn normand_1999_continuous_match_metafor() {
    let fx = parse(CONTINUOUS);
    let mut fits = 0;
    for m in [Measure::MD, Measure::SMD] {
        let eff = continuous_effects(&fx, m);
        check_escalc(&fx, m, &eff);
        fits += check_uni_fits(&fx, m, &eff, &[]);
    }
    assert_eq!(fits, 14);
}

/// Proportions PR, PLO, PFT (Freeman & Tukey 1950; Miller 1978 inverse with
/// harmonic-mean n as metafor `transf.ipft.hm`), with back-transforms.
#[test]
fn freeman_tukey_1950_proportions_match_metafor() {
    let fx = parse(PROPORTION);
    let (x, n) = (col(&fx, "xi"), col(&fx, "ni"));
    let mut fits = 0;
    for m in [Measure::PR, Measure::PLO, Measure::PFT] {
        let eff: Vec<Option<(f64, f64)>> = (0..x.len())
            .map(|i| {
                proportion_effect(m, &EventCount { xi: x[i], ni: n[i] }, 0.5)
                    .expect("effect")
                    .value()
            })
            .collect();
        check_escalc(&fx, m, &eff);
        fits += check_uni_fits(&fx, m, &eff, &n);
    }
    assert_eq!(fits, 21);
}

/// Pritz 1997 proportions (dat.pritz1997) with metafor's arcsine square-root
/// transform `PAS` and the `transf.iarcsin` back-transform.
#[test]
fn pritz_1997_arcsine_proportions_match_metafor() {
    let fx = parse(PRITZ1997);
    let (x, n) = (col(&fx, "xi"), col(&fx, "ni"));
    let eff: Vec<Option<(f64, f64)>> = (0..x.len())
        .map(|i| {
            proportion_effect(Measure::PAS, &EventCount { xi: x[i], ni: n[i] }, 0.5)
                .expect("effect")
                .value()
        })
        .collect();
    check_escalc(&fx, Measure::PAS, &eff);
    assert_eq!(check_uni_fits(&fx, Measure::PAS, &eff, &n), 7);
}

/// Single-arm change MC and SMCR (Becker 1988 raw-score standardisation)
/// with ri = 0.5.
#[test]
fn becker_1988_change_scores_match_metafor() {
    let fx = parse(CHANGE);
    let (m1, m2) = (col(&fx, "m1i"), col(&fx, "m2i"));
    let (s1, s2) = (col(&fx, "sd1i"), col(&fx, "sd2i"));
    let (ni, ri) = (col(&fx, "ni"), col(&fx, "ri"));
    let mut fits = 0;
    for m in [Measure::MC, Measure::SMCR] {
        let eff: Vec<Option<(f64, f64)>> = (0..m1.len())
            .map(|i| {
                let d = PrePost {
                    m1i: m1[i],
                    m2i: m2[i],
                    sd1i: s1[i],
                    sd2i: s2[i],
                    ni: ni[i],
                    ri: ri[i],
                };
                change_effect(m, &d).expect("effect").value()
            })
            .collect();
        check_escalc(&fx, m, &eff);
        fits += check_uni_fits(&fx, m, &eff, &[]);
    }
    assert_eq!(fits, 14);
}

/// Colditz et al. 1994 BCG trials by allocation: separate fits per subgroup
/// and Q between from a fixed-effects model on the subgroup estimates.
#[test]
fn colditz_1994_bcg_subgroups_match_metafor() {
    let fx = parse(SUBGROUP);
    let tabs = tables(&fx);
    let groups: Vec<String> = fx["data"]["subgroup"]
        .as_array()
        .expect("subgroup")
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect();
    let items: Vec<(String, (f64, f64))> = tabs
        .iter()
        .zip(&groups)
        .filter_map(|(t, g)| {
            let v = binary_effect(Measure::RR, t, &BinaryOptions::default())
                .ok()?
                .value()?;
            Some((g.clone(), v))
        })
        .collect();
    for f in fx["fits"].as_array().expect("fits") {
        let (m, t) = method_test(f);
        let what = format!("subgroup {m} {t}");
        let res = pool_subgroups(&items, |d| {
            let (y, v): (Vec<f64>, Vec<f64>) = d.iter().copied().unzip();
            pool_inverse_variance(&y, &v, m, t)
        })
        .expect("subgroups");
        for g in f["groups"].as_array().expect("groups") {
            let name = g["name"].as_str().expect("name");
            let sg = res
                .subgroups
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.result.as_ref())
                .unwrap_or_else(|| panic!("{what}: subgroup {name}"));
            check_fit(sg, g, &format!("{what} {name}"));
        }
        check_opt(res.q_between, &f["q_between"], &format!("{what} Q between"));
        check_opt(res.q_between_df, &f["q_between_df"], &format!("{what} df"));
        check_opt(res.q_between_p, &f["q_between_p"], &format!("{what} p"));
    }
}

/// Luo et al. 2018 / Wan et al. 2014 / Shi et al. 2020 five-number-summary
/// conversions with the Shi et al. 2023 skewness test (metafor `conv.fivenum`).
#[test]
fn wan_2014_luo_2018_fivenum_conversions() {
    use super::convert::{FiveNumber, mean_sd_from_five_number};
    let fx = parse(FIVENUM);
    for c in fx["cases"].as_array().expect("cases") {
        let fv = FiveNumber {
            min: opt(&c["min"]),
            q1: opt(&c["q1"]),
            median: c["median"].as_f64().expect("median"),
            q3: opt(&c["q3"]),
            max: opt(&c["max"]),
            n: c["n"].as_f64().expect("n"),
        };
        let skewed = c["skewed"].as_bool().expect("skewed");
        match mean_sd_from_five_number(&fv) {
            Ok(r) => {
                assert!(!skewed, "case {c} should be flagged as skewed");
                assert_close(r.mean.value, c["mean"].as_f64().expect("mean"), "mean");
                assert_close(r.sd.value, c["sd"].as_f64().expect("sd"), "sd");
            }
            Err(super::StatsError::TooSkewed {
                statistic,
                critical,
            }) => {
                assert!(skewed, "case {c} should convert");
                assert!(close(statistic, c["tval"].as_f64().expect("t")));
                assert!(close(critical, c["crit"].as_f64().expect("c")));
            }
            Err(e) => panic!("unexpected error {e}"),
        }
    }
}

/// Per-study effects of a binary fixture for one measure (escalc defaults).
fn binary_effects(fx: &Value, m: Measure) -> Vec<(f64, f64)> {
    tables(fx)
        .iter()
        .filter_map(|t| {
            binary_effect(m, t, &BinaryOptions::default())
                .expect("effect")
                .value()
        })
        .collect()
}

/// Yusuf, Peto, Lewis, Collins & Sleight 1985, "Beta blockade during and
/// after myocardial infarction" (Prog Cardiovasc Dis 27:335–371), Table 6:
/// short-term oral beta-blocker trials, total mortality (metadat
/// `dat.yusuf1985`, table "6"; the trial with no data is left out).
///
/// Published value: Peto's one-step odds ratio 0.9332 (95% CI 0.7385 to
/// 1.1792), as checked by metafor 3.8-1's own analysis-example test
/// (`test_analysis_example_yusuf1985.r`), both by `rma.peto` and by an
/// inverse-variance common-effect fit of the uncorrected PETO escalc values.
#[test]
fn yusuf_1985_peto_odds_ratio_table_6() {
    let fx = parse(YUSUF1985);
    let tabs = tables(&fx);
    assert_eq!(tabs.len(), 21);
    let r = pool_peto(&tabs).expect("Peto");
    assert_printed(r.estimate.exp(), 0.9332, 4, "Peto OR");
    assert_printed(r.ci_lower.exp(), 0.7385, 4, "Peto OR lower");
    assert_printed(r.ci_upper.exp(), 1.1792, 4, "Peto OR upper");
    // Same result from the per-study Peto log ORs without the 1/2 correction
    // (escalc add=0; double-zero trials are not estimable and drop out).
    let opts = BinaryOptions {
        add: 0.0,
        drop00: true,
    };
    let (yi, vi): (Vec<f64>, Vec<f64>) = tabs
        .iter()
        .filter_map(|t| binary_effect(Measure::PETO, t, &opts).ok()?.value())
        .unzip();
    let f = pool_inverse_variance(&yi, &vi, Method::FE, Test::Z).expect("FE");
    assert_close(f.estimate, r.estimate, "IV on PETO escalc = rma.peto");
    assert_printed(f.ci_lower.exp(), 0.7385, 4, "IV Peto OR lower");
    assert_printed(f.ci_upper.exp(), 1.1792, 4, "IV Peto OR upper");
}

/// Yusuf et al. 1985 Table 6: RR, OR, RD, PETO × FE/DL/REML/PM × z/knha,
/// MH (OR, RR, RD) and Peto, against metafor to 1e-6.
#[test]
fn yusuf_1985_all_measures_match_metafor() {
    check_binary_fixture(YUSUF1985);
}

/// Normand 1999, "Meta-analysis: formulating, evaluating, combining, and
/// reporting" (Stat Med 18:321–359), first example: the Hine et al. 1989
/// lidocaine trials (metadat `dat.hine1989`), risk differences in percentage
/// points.
///
/// Published values (as checked by metafor 3.8-1's
/// `test_analysis_example_normand1999.r`): Table III per-study RD and
/// variance; Table VII pooled RD 2.9444 (95% CI 0.3831 to 5.5058) for the
/// common-effect model and identically for REML and DL, whose τ² is 0.
#[test]
fn normand_1999_hine_1989_risk_differences() {
    let fx = parse(HINE1989);
    let (yi, vi): (Vec<f64>, Vec<f64>) = binary_effects(&fx, Measure::RD)
        .into_iter()
        .map(|(y, v)| (100.0 * y, 1e4 * v))
        .unzip();
    let table3_yi = [2.8026, 0.0000, 1.9711, 1.7961, 3.5334, 4.4031];
    let table3_vi = [17.7575, 37.5657, 8.1323, 10.8998, 8.0114, 6.1320];
    assert_eq!(yi.len(), table3_yi.len());
    for i in 0..yi.len() {
        assert_printed(yi[i], table3_yi[i], 4, &format!("Table III RD study {i}"));
        assert_printed(vi[i], table3_vi[i], 4, &format!("Table III var study {i}"));
    }
    for m in [Method::FE, Method::REML, Method::DL] {
        let r = pool_inverse_variance(&yi, &vi, m, Test::Z).expect("fit");
        let what = format!("Table VII {m}");
        assert_printed(r.estimate, 2.9444, 4, &format!("{what} estimate"));
        assert_printed(r.ci_lower, 0.3831, 4, &format!("{what} lower"));
        assert_printed(r.ci_upper, 5.5058, 4, &format!("{what} upper"));
        assert_eq!(r.tau2.unwrap_or(0.0), 0.0, "{what} tau2");
    }
}

/// Hine et al. 1989 via Normand 1999: every binary measure × method against
/// metafor to 1e-6.
#[test]
fn normand_1999_hine_1989_all_measures_match_metafor() {
    check_binary_fixture(HINE1989);
}

/// Normand 1999, second example (metadat `dat.normand1999`, length of
/// hospital stay), analysed as in the paper with the pooled SD used for both
/// groups (Table VIII).
///
/// Published values (as checked by metafor 3.8-1's
/// `test_analysis_example_normand1999.r`), Table IX: common effect -3.4939
/// (-5.0265 to -1.9613); DL -14.0972 (-24.4454 to -3.7490), τ² 218.7216;
/// REML -15.1217 (-32.6716 to 2.4282), τ² 685.1965. Then MD × every method
/// against metafor to 1e-6.
#[test]
fn normand_1999_length_of_stay_table_ix() {
    let fx = parse(NORMAND1999_POOLED);
    let eff = continuous_effects(&fx, Measure::MD);
    check_escalc(&fx, Measure::MD, &eff);
    let (yi, vi): (Vec<f64>, Vec<f64>) = eff.iter().flatten().copied().unzip();
    let table8_vi = [
        40.5863, 2.0468, 15.2809, 150.2222, 20.1923, 1.2235, 95.3756, 8.0321, 20.6936,
    ];
    assert_eq!(vi.len(), table8_vi.len());
    for (i, (v, p)) in vi.iter().zip(table8_vi).enumerate() {
        assert_printed(*v, p, 4, &format!("Table VIII var study {i}"));
    }
    for (m, est, lb, ub, tau2) in [
        (Method::FE, -3.4939, -5.0265, -1.9613, None),
        (Method::DL, -14.0972, -24.4454, -3.7490, Some(218.7216)),
        (Method::REML, -15.1217, -32.6716, 2.4282, Some(685.1965)),
    ] {
        let r = pool_inverse_variance(&yi, &vi, m, Test::Z).expect("fit");
        let what = format!("Table IX {m}");
        assert_printed(r.estimate, est, 4, &format!("{what} estimate"));
        assert_printed(r.ci_lower, lb, 4, &format!("{what} lower"));
        assert_printed(r.ci_upper, ub, 4, &format!("{what} upper"));
        if let Some(t) = tau2 {
            assert_printed(r.tau2.expect("tau2"), t, 4, &format!("{what} tau2"));
        }
    }
    assert_eq!(check_uni_fits(&fx, Measure::MD, &eff, &[]), 7);
}

/// Raudenbush & Bryk 1985, "Empirical Bayes meta-analysis" (J Educ Stat
/// 10:75–98): 19 teacher-expectancy experiments, SMDs and variances as
/// published (metadat `dat.raudenbush1985`).
///
/// Published values (pp. 83, 85, 86, as checked by metafor 3.8-1's
/// `test_analysis_example_raudenbush1985.r`): REML τ² 0.0188, estimate
/// 0.0837, z 1.6208. The paper prints Q = 35.85 while the published
/// (rounded) yi/vi give 35.8295, so Q is checked to within 0.05 of the
/// paper. Then every method × test against metafor to 1e-6.
#[test]
fn raudenbush_bryk_1985_teacher_expectancy() {
    let fx = parse(RAUDENBUSH1985);
    let (yi, vi) = (col(&fx, "yi"), col(&fx, "vi"));
    let r = pool_inverse_variance(&yi, &vi, Method::REML, Test::Z).expect("REML");
    assert_printed(r.tau2.expect("tau2"), 0.0188, 4, "REML tau2");
    assert_printed(r.estimate, 0.0837, 4, "REML estimate");
    assert_printed(r.statistic.expect("z"), 1.6208, 4, "REML z");
    let q = r.q.expect("Q");
    assert!((q - 35.85).abs() < 0.05, "Q {q} vs the paper's 35.85");
    let eff: Vec<Option<(f64, f64)>> = yi.iter().zip(&vi).map(|(y, v)| Some((*y, *v))).collect();
    assert_eq!(check_uni_fits(&fx, Measure::SMD, &eff, &[]), 7);
}

/// DerSimonian & Kacker 2007, "Random-effects model for meta-analysis of
/// clinical trials: an update" (Contemp Clin Trials 28:105–114), CLASP
/// example: six trials, log odds ratios.
///
/// The data set is not in metadat; the counts come from metafor 3.8-1's own
/// `tests/testthat/test_analysis_example_dersimonian2007.r`, which checks
/// metafor against the paper's Tables 3 and 4 (pp. 111–112). Published τ,
/// μ̂ and SE(μ̂) to 4 decimals: PM 0.3681, -0.3811, 0.2060; DL 0.2323,
/// -0.3240, 0.1540; REML 0.1843, -0.2980, 0.1343.
#[test]
fn dersimonian_kacker_2007_clasp_tables_3_4() {
    let fx = parse(DERSIMONIAN2007);
    let (yi, vi): (Vec<f64>, Vec<f64>) = binary_effects(&fx, Measure::OR).into_iter().unzip();
    assert_eq!(yi.len(), 6);
    for (m, tau, mu, se) in [
        (Method::PM, 0.3681, -0.3811, 0.2060),
        (Method::DL, 0.2323, -0.3240, 0.1540),
        (Method::REML, 0.1843, -0.2980, 0.1343),
    ] {
        let r = pool_inverse_variance(&yi, &vi, m, Test::Z).expect("fit");
        assert_printed(r.tau.expect("tau"), tau, 4, &format!("{m} tau"));
        assert_printed(r.estimate, mu, 4, &format!("{m} mu"));
        assert_printed(r.se, se, 4, &format!("{m} se"));
    }
}

/// DerSimonian & Kacker 2007 CLASP trials: RR, OR, RD, PETO × FE/DL/REML/PM
/// × z/knha, MH (OR, RR, RD) and Peto, against metafor to 1e-6.
#[test]
fn dersimonian_kacker_2007_all_measures_match_metafor() {
    check_binary_fixture(DERSIMONIAN2007);
}
