//! Reference tests of small-study effects, sensitivity analyses and
//! meta-regression against metafor 3.8 (fixtures from tests/metafor/generate.R,
//! section 10), at 1e-6 relative, for every τ² method and test.

use nalgebra::DMatrix;
use serde_json::Value;

use crate::bias::{begg, egger, egger_lm, trim_and_fill};
use crate::measure::{Method, Test};
use crate::metareg::{self, FitOptions};
use crate::sensitivity::{cumulative, influence, leave_one_out};
use crate::testutil::assert_close;

const BCG: &str = include_str!("../../../tests/metafor/bcg_sensitivity.json");
const HACKSHAW: &str = include_str!("../../../tests/metafor/hackshaw1998.json");

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[track_caller]
fn check_all(actual: &[f64], expected: &Value, what: &str) {
    let e = nums(expected);
    assert_eq!(actual.len(), e.len(), "{what} length");
    for (i, (a, e)) in actual.iter().zip(&e).enumerate() {
        assert_close(*a, *e, &format!("{what} [{i}]"));
    }
}

#[track_caller]
fn check_opt(actual: Option<f64>, expected: &Value, what: &str) {
    match (actual, expected.as_f64()) {
        (Some(a), Some(e)) => assert_close(a, e, what),
        (None, None) => {}
        (a, e) => panic!("{what}: got {a:?}, expected {e:?}"),
    }
}

fn method_test(f: &Value) -> (Method, Test) {
    let m: Method = f["method"].as_str().expect("method").parse().expect("m");
    let t: Test = f["test"].as_str().expect("test").parse().expect("t");
    (m, t)
}

/// Index order of R's `order(x)` (stable).
fn r_order(x: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    o
}

fn check_fixture(src: &str, mods: &[&str]) {
    let fx: Value = serde_json::from_str(src).expect("fixture");
    let yi = nums(&fx["yi"]);
    let vi = nums(&fx["vi"]);
    let year = nums(&fx["year"]);
    let covs: Vec<Vec<f64>> = mods.iter().map(|m| nums(&fx[*m])).collect();
    for f in fx["fits"].as_array().expect("fits") {
        let (method, test) = method_test(f);
        let what = format!("{} {method}/{test}", fx["name"]);

        let e = egger(&yi, &vi, method, test).expect("egger");
        let fe = &f["egger"];
        assert_close(
            e.z,
            fe["z"].as_f64().expect("z"),
            &format!("{what} egger z"),
        );
        assert_close(
            e.p,
            fe["p"].as_f64().expect("p"),
            &format!("{what} egger p"),
        );
        assert_close(
            e.limit,
            fe["limit"].as_f64().expect("l"),
            &format!("{what} limit"),
        );
        check_opt(
            Some(e.limit_ci_lower),
            &fe["limit_ci_lower"],
            &format!("{what} limit lb"),
        );
        check_opt(
            Some(e.limit_ci_upper),
            &fe["limit_ci_upper"],
            &format!("{what} limit ub"),
        );
        check_opt(e.df, &fe["df"], &format!("{what} egger df"));

        let l = egger_lm(&yi, &vi).expect("egger lm");
        let fl = &f["egger_lm"];
        assert_close(l.t, fl["t"].as_f64().expect("t"), &format!("{what} lm t"));
        assert_close(
            l.df,
            fl["df"].as_f64().expect("df"),
            &format!("{what} lm df"),
        );
        assert_close(l.p, fl["p"].as_f64().expect("p"), &format!("{what} lm p"));
        assert_close(
            l.limit,
            fl["limit"].as_f64().expect("l"),
            &format!("{what} lm limit"),
        );

        let b = begg(&yi, &vi).expect("begg");
        assert_close(
            b.tau,
            f["begg"]["tau"].as_f64().expect("tau"),
            &format!("{what} tau"),
        );
        assert_close(
            b.p,
            f["begg"]["p"].as_f64().expect("p"),
            &format!("{what} begg p"),
        );

        let t = trim_and_fill(&yi, &vi, method, test).expect("trimfill");
        let ft = &f["trimfill"];
        assert_eq!(t.k0 as u64, ft["k0"].as_u64().expect("k0"), "{what} k0");
        assert_eq!(t.side, ft["side"].as_str().expect("side"), "{what} side");
        for (a, key) in [
            (t.estimate, "estimate"),
            (t.se, "se"),
            (t.ci_lower, "ci_lower"),
            (t.ci_upper, "ci_upper"),
            (t.se_k0, "se_k0"),
        ] {
            assert_close(
                a,
                ft[key].as_f64().expect(key),
                &format!("{what} trimfill {key}"),
            );
        }
        check_opt(t.tau2, &ft["tau2"], &format!("{what} trimfill tau2"));

        let loo = leave_one_out(&yi, &vi, method, test).expect("leave1out");
        let fl = &f["leave1out"];
        check_all(
            &loo.iter().map(|r| r.estimate).collect::<Vec<_>>(),
            &fl["estimate"],
            &format!("{what} loo est"),
        );
        check_all(
            &loo.iter().map(|r| r.se).collect::<Vec<_>>(),
            &fl["se"],
            &format!("{what} loo se"),
        );
        check_all(
            &loo.iter().map(|r| r.ci_lower).collect::<Vec<_>>(),
            &fl["ci_lower"],
            &format!("{what} loo lb"),
        );
        check_all(
            &loo.iter().map(|r| r.ci_upper).collect::<Vec<_>>(),
            &fl["ci_upper"],
            &format!("{what} loo ub"),
        );
        check_all(
            &loo.iter().map(|r| r.i2).collect::<Vec<_>>(),
            &fl["i2"],
            &format!("{what} loo I2"),
        );
        check_all(
            &loo.iter().map(|r| r.q).collect::<Vec<_>>(),
            &fl["q"],
            &format!("{what} loo Q"),
        );
        if method.is_random() {
            let tau2: Vec<f64> = loo.iter().map(|r| r.tau2.expect("tau2")).collect();
            check_all(&tau2, &fl["tau2"], &format!("{what} loo tau2"));
        }

        let x1 = DMatrix::from_element(yi.len(), 1, 1.0);
        let inf = influence(&yi, &vi, &x1, method, test).expect("influence");
        let fi = &f["influence"];
        let pick = |g: fn(&crate::sensitivity::Influence) -> f64| -> Vec<f64> {
            inf.iter().map(g).collect()
        };
        check_all(
            &pick(|r| r.rstudent),
            &fi["rstudent"],
            &format!("{what} rstudent"),
        );
        check_all(
            &pick(|r| r.dffits),
            &fi["dffits"],
            &format!("{what} dffits"),
        );
        check_all(&pick(|r| r.cook_d), &fi["cook_d"], &format!("{what} cook"));
        check_all(&pick(|r| r.cov_r), &fi["cov_r"], &format!("{what} cov.r"));
        check_all(
            &pick(|r| r.tau2_del),
            &fi["tau2_del"],
            &format!("{what} tau2.del"),
        );
        check_all(
            &pick(|r| r.qe_del),
            &fi["qe_del"],
            &format!("{what} QE.del"),
        );
        check_all(&pick(|r| r.hat), &fi["hat"], &format!("{what} hat"));
        check_all(
            &pick(|r| r.dfbetas[0]),
            &fi["dfbetas"],
            &format!("{what} dfbetas"),
        );
        let flags: Vec<bool> = fi["influential"]
            .as_array()
            .expect("flags")
            .iter()
            .map(|b| b.as_bool().expect("bool"))
            .collect();
        assert_eq!(
            inf.iter().map(|r| r.influential).collect::<Vec<_>>(),
            flags,
            "{what} is.infl"
        );

        let fc = &f["cumul"];
        let cu = cumulative(&yi, &vi, &r_order(&year), method, test).expect("cumul");
        check_all(
            &cu.iter().map(|r| r.estimate).collect::<Vec<_>>(),
            &fc["estimate"],
            &format!("{what} cumul est"),
        );
        check_all(
            &cu.iter().map(|r| r.se).collect::<Vec<_>>(),
            &fc["se"],
            &format!("{what} cumul se"),
        );
        check_all(
            &cu.iter().map(|r| r.ci_lower).collect::<Vec<_>>(),
            &fc["ci_lower"],
            &format!("{what} cumul lb"),
        );
        check_all(
            &cu.iter().map(|r| r.ci_upper).collect::<Vec<_>>(),
            &fc["ci_upper"],
            &format!("{what} cumul ub"),
        );
        check_all(
            &cu.iter().map(|r| r.i2).collect::<Vec<_>>(),
            &fc["i2"],
            &format!("{what} cumul I2"),
        );
        if method.is_random() {
            let tau2: Vec<f64> = cu.iter().map(|r| r.tau2.expect("tau2")).collect();
            check_all(&tau2, &fc["tau2"], &format!("{what} cumul tau2"));
        }

        let fm = &f["meta_regression"];
        let x = metareg::design_with_intercept(yi.len(), &covs);
        let btt: Vec<usize> = (1..x.ncols()).collect();
        let r = metareg::fit(&yi, &vi, &x, &btt, FitOptions { method, test }).expect("metareg");
        check_all(&r.beta, &fm["estimate"], &format!("{what} mr beta"));
        check_all(&r.se, &fm["se"], &format!("{what} mr se"));
        check_all(&r.p_values, &fm["p"], &format!("{what} mr p"));
        assert_close(r.qm, fm["qm"].as_f64().expect("qm"), &format!("{what} QM"));
        assert_close(
            r.qm_p,
            fm["qm_p"].as_f64().expect("qmp"),
            &format!("{what} QMp"),
        );
        assert_close(
            r.qm_df.0,
            fm["qm_df"][0].as_f64().expect("df1"),
            &format!("{what} QM df1"),
        );
        check_opt(r.qm_df.1, &fm["qm_df"][1], &format!("{what} QM df2"));
        assert_close(
            r.tau2,
            fm["tau2"].as_f64().expect("tau2"),
            &format!("{what} mr tau2"),
        );
        assert_close(
            r.i2,
            fm["i2"].as_f64().expect("i2"),
            &format!("{what} mr I2"),
        );
        assert_close(r.qe, fm["qe"].as_f64().expect("qe"), &format!("{what} QE"));
        assert_close(
            r.qe_p,
            fm["qe_p"].as_f64().expect("qep"),
            &format!("{what} QEp"),
        );
        let r2 = metareg::r2(&yi, &vi, &r, &x).expect("r2");
        assert_close(r2, fm["r2"].as_f64().expect("r2"), &format!("{what} R2"));
    }
}

#[test]
fn colditz_1994_bcg_small_study_sensitivity_and_metaregression_match_metafor() {
    check_fixture(BCG, &["ablat", "year"]);
}

#[test]
fn hackshaw_1998_passive_smoking_small_study_and_sensitivity_match_metafor() {
    check_fixture(HACKSHAW, &["year"]);
}
