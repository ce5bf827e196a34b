//! `analyse` end to end (CSV in, report out) against metafor 3.8: the
//! extra analyses on Colditz et al. 1994 (dat.bcg) and double-zero handling
//! on the sparse tables (tests/metafor/generate.R, sections 2 and 10).

use serde_json::Value;

use super::*;
use crate::stats::testutil::assert_close;

const BCG: &str = include_str!("../../tests/metafor/bcg.json");
const BCG_SENS: &str = include_str!("../../tests/metafor/bcg_sensitivity.json");
const HACKSHAW_GEN: &str = include_str!("../../tests/metafor/hackshaw1998_gen.json");
const PRITZ: &str = include_str!("../../tests/metafor/pritz1997.json");
const SPARSE_KEEP: &str = include_str!("../../tests/metafor/sparse_keep00.json");

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// dat.bcg as CSV with the `year` and `ablat` columns.
fn bcg_csv() -> String {
    let t: Value = serde_json::from_str(BCG).expect("bcg");
    let s: Value = serde_json::from_str(BCG_SENS).expect("bcg sensitivity");
    let d = &t["data"];
    let mut csv = String::from("study,ai,bi,ci,di,year,ablat\n");
    for i in 0..13 {
        csv.push_str(&format!(
            "\"{}\",{},{},{},{},{},{}\n",
            d["study"][i].as_str().expect("study"),
            d["ai"][i],
            d["bi"][i],
            d["ci"][i],
            d["di"][i],
            s["year"][i],
            s["ablat"][i]
        ));
    }
    csv
}

#[test]
fn colditz_1994_bcg_extras_through_analyse_match_metafor() {
    let fx: Value = serde_json::from_str(BCG_SENS).expect("fixture");
    let csv = bcg_csv();
    for f in fx["fits"].as_array().expect("fits") {
        let method: Method = f["method"].as_str().expect("m").parse().expect("m");
        let test: Test = f["test"].as_str().expect("t").parse().expect("t");
        let mut opts = AnalyseOptions::new(Measure::RR, method, test);
        opts.bias = true;
        opts.leave_one_out = true;
        opts.influence = true;
        opts.cumulative_by = Some("year".into());
        opts.mods = vec!["ablat".into(), "year".into()];
        let r = analyse(&csv, &opts).expect("analyse");
        let what = format!("{method}/{test}");
        let ss = r.extras.small_study.as_ref().expect("small_study");
        let egger = ss.egger.as_ref().expect("egger");
        assert_close(egger.z, f["egger"]["z"].as_f64().expect("z"), &what);
        assert_close(egger.limit, f["egger"]["limit"].as_f64().expect("l"), &what);
        let lm = ss.egger_lm.as_ref().expect("lm");
        assert_close(lm.p, f["egger_lm"]["p"].as_f64().expect("p"), &what);
        let begg = ss.begg.as_ref().expect("begg");
        assert_close(begg.p, f["begg"]["p"].as_f64().expect("p"), &what);
        let tf = ss.trimfill.as_ref().expect("trimfill");
        assert_eq!(tf.side, f["trimfill"]["side"].as_str().expect("side"));
        assert_close(
            tf.estimate,
            f["trimfill"]["estimate"].as_f64().expect("e"),
            &what,
        );
        let loo = r.extras.leave_one_out.as_ref().expect("loo");
        for (row, e) in loo.iter().zip(nums(&f["leave1out"]["estimate"])) {
            assert_close(row.estimate, e, &format!("{what} loo {}", row.study));
        }
        assert_eq!(loo[0].study, "Aronson 1948");
        let inf = r.extras.influence.as_ref().expect("influence");
        for (row, e) in inf.iter().zip(nums(&f["influence"]["cook_d"])) {
            assert_close(row.cook_d, e, &format!("{what} cook {}", row.study));
        }
        let cu = r.extras.cumulative.as_ref().expect("cumulative");
        assert_eq!(cu[0].study, "Aronson 1948");
        assert_eq!(cu[12].value, "1980");
        for (row, e) in cu.iter().zip(nums(&f["cumul"]["estimate"])) {
            assert_close(row.estimate, e, &format!("{what} cumul {}", row.study));
        }
        let mr = r.extras.meta_regression.as_ref().expect("meta-regression");
        let fm = &f["meta_regression"];
        assert_eq!(mr.coefficients[1].name, "ablat");
        for (c, e) in mr.coefficients.iter().zip(nums(&fm["estimate"])) {
            assert_close(c.estimate, e, &format!("{what} {}", c.name));
        }
        assert_close(mr.qm, fm["qm"].as_f64().expect("qm"), &what);
        assert_close(mr.r2, fm["r2"].as_f64().expect("r2"), &what);
        let json = serde_json::to_value(&r).expect("json");
        match test {
            Test::Z => assert!(json["meta_regression"]["qm_df"].is_number()),
            Test::Knha => assert_eq!(
                json["meta_regression"]["qm_df"],
                serde_json::json!([2.0, 10.0])
            ),
        }
        for key in [
            "small_study",
            "leave_one_out",
            "influence",
            "cumulative",
            "meta_regression",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }
}

#[test]
fn plain_runs_keep_the_old_json_shape() {
    let r = analyse(
        &bcg_csv(),
        &AnalyseOptions::new(Measure::RR, Method::REML, Test::Z),
    )
    .expect("analyse");
    let json = serde_json::to_value(&r).expect("json");
    for key in [
        "small_study",
        "leave_one_out",
        "influence",
        "cumulative",
        "meta_regression",
        "double_zero",
    ] {
        assert!(
            json.get(key).is_none(),
            "{key} must be absent unless asked for"
        );
    }
}

fn sparse_csv() -> String {
    "study,ai,bi,ci,di\nS 1,0,20,3,17\nS 2,2,18,0,22\nS 3,0,30,0,28\nS 4,5,45,9,41\nS 5,1,49,4,46\nS 6,0,12,2,10\nS 7,10,0,10,0\n".into()
}

#[test]
fn double_zero_studies_are_kept_as_metafor_escalc_by_default() {
    let fx: Value = serde_json::from_str(SPARSE_KEEP).expect("fixture");
    for f in fx["fits"].as_array().expect("fits") {
        let measure: Measure = f["measure"].as_str().expect("m").parse().expect("m");
        let method: Method = f["method"].as_str().expect("m").parse().expect("m");
        let test: Test = f["test"].as_str().expect("t").parse().expect("t");
        let r =
            analyse(&sparse_csv(), &AnalyseOptions::new(measure, method, test)).expect("analyse");
        let what = format!("{measure} {method}/{test}");
        assert_eq!(r.pooled.k, 7, "{what}");
        assert_close(r.pooled.estimate, f["estimate"].as_f64().expect("e"), &what);
        assert_close(r.pooled.se, f["se"].as_f64().expect("se"), &what);
        if let Some(t) = f["tau2"].as_f64() {
            assert_close(r.pooled.tau2.expect("tau2"), t, &what);
        }
        let esc = &fx["escalc"][measure.as_str()];
        for (i, (y, v)) in nums(&esc["yi"])
            .into_iter()
            .zip(nums(&esc["vi"]))
            .enumerate()
        {
            assert_close(r.studies[i].yi.expect("yi"), y, &format!("{what} yi {i}"));
            assert_close(r.studies[i].vi.expect("vi"), v, &format!("{what} vi {i}"));
        }
        let dz = r.extras.double_zero.as_ref().expect("double-zero account");
        assert_eq!(dz.handling, "keep");
        let named: Vec<(&str, &str)> = dz
            .studies
            .iter()
            .map(|s| (s.study.as_str(), s.action))
            .collect();
        assert_eq!(named, [("S 3", "corrected"), ("S 7", "corrected")]);
        assert!(dz.studies[1].reason.contains("all participants had events"));
    }
}

#[test]
fn double_zero_drop_leaves_them_out_and_says_so() {
    let mut opts = AnalyseOptions::new(Measure::OR, Method::REML, Test::Z);
    opts.double_zero = DoubleZero::Drop;
    let r = analyse(&sparse_csv(), &opts).expect("analyse");
    assert_eq!(r.pooled.k, 5);
    let dz = r.extras.double_zero.as_ref().expect("account");
    assert_eq!(dz.handling, "drop");
    assert!(dz.studies.iter().all(|s| s.action == "dropped"));
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["double_zero"]["studies"][0]["study"], "S 3");
}

#[test]
fn extras_report_bad_columns_with_lines() {
    let mut opts = AnalyseOptions::new(Measure::RR, Method::REML, Test::Z);
    opts.mods = vec!["dose".into()];
    let errs = analyse(&bcg_csv(), &opts).unwrap_err();
    assert_eq!(
        (errs[0].line, errs[0].column.as_deref()),
        (Some(1), Some("dose"))
    );
    let csv = "study,ai,bi,ci,di,dose\nA,1,10,2,10,x\nB,2,10,3,10,\nC,3,10,1,10,2\n";
    let errs = analyse(csv, &opts).unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(
        (errs[0].line, errs[0].column.as_deref()),
        (Some(2), Some("dose"))
    );
    assert_eq!(errs[1].line, Some(3));
    let mut mh = AnalyseOptions::new(Measure::OR, Method::MH, Test::Z);
    mh.bias = true;
    assert!(
        analyse(csv, &mh).unwrap_err()[0]
            .message
            .contains("inverse-variance")
    );
}

#[test]
fn too_few_studies_for_a_test_is_a_note_not_a_failure() {
    let mut opts = AnalyseOptions::new(Measure::RR, Method::REML, Test::Z);
    opts.bias = true;
    let csv = "study,ai,bi,ci,di\nA,1,10,2,10\nB,2,10,3,10\n";
    let r = analyse(csv, &opts).expect("analyse");
    let ss = r.extras.small_study.expect("small_study");
    assert!(ss.egger.is_none() && ss.begg.is_none() && ss.trimfill.is_none());
    assert_eq!(ss.notes.len(), 4);
}

#[test]
fn hackshaw_1998_generic_inverse_variance_from_vi_and_from_sei() {
    let fx: Value = serde_json::from_str(HACKSHAW_GEN).expect("fixture");
    let (yi, vi) = (nums(&fx["yi"]), nums(&fx["vi"]));
    let names: Vec<&str> = fx["study"]
        .as_array()
        .expect("study")
        .iter()
        .map(|s| s.as_str().expect("s"))
        .collect();
    let mut with_vi = String::from("study,yi,vi\n");
    let mut with_sei = String::from("study,yi,sei\n");
    for i in 0..yi.len() {
        with_vi.push_str(&format!("{},{},{}\n", names[i], yi[i], vi[i]));
        with_sei.push_str(&format!("{},{},{}\n", names[i], yi[i], vi[i].sqrt()));
    }
    for f in fx["fits"].as_array().expect("fits") {
        let method: Method = f["method"].as_str().expect("m").parse().expect("m");
        let test: Test = f["test"].as_str().expect("t").parse().expect("t");
        for csv in [&with_vi, &with_sei] {
            let r =
                analyse(csv, &AnalyseOptions::new(Measure::GEN, method, test)).expect("analyse");
            let what = format!("GEN {method}/{test}");
            assert_eq!(r.pooled.k, 37);
            assert_close(r.pooled.estimate, f["estimate"].as_f64().expect("e"), &what);
            assert_close(r.pooled.se, f["se"].as_f64().expect("se"), &what);
            assert_close(
                r.pooled.ci_lower,
                f["ci_lower"].as_f64().expect("lb"),
                &what,
            );
            assert_close(r.pooled.q.expect("q"), f["q"].as_f64().expect("q"), &what);
            if let Some(t) = f["tau2"].as_f64() {
                assert_close(r.pooled.tau2.expect("tau2"), t, &what);
            }
            assert!(r.pooled.back.is_none(), "GEN has no back-transform");
        }
    }
    let errs = analyse(
        "study,yi,sei\nA,0.1,0\nB,0.2,-1\nC,x,0.1\n",
        &AnalyseOptions::new(Measure::GEN, Method::REML, Test::Z),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(
        (errs[0].line, errs[0].column.as_deref()),
        (Some(2), Some("sei"))
    );
    let errs = analyse(
        "study,yi\nA,0.1\n",
        &AnalyseOptions::new(Measure::GEN, Method::REML, Test::Z),
    )
    .unwrap_err();
    assert_eq!(errs[0].column.as_deref(), Some("vi"));
}

#[test]
fn pritz_1997_arcsine_proportions_through_analyse() {
    let fx: Value = serde_json::from_str(PRITZ).expect("fixture");
    let d = &fx["data"];
    let mut csv = String::from("study,xi,ni\n");
    for i in 0..d["xi"].as_array().expect("xi").len() {
        csv.push_str(&format!(
            "\"{}\",{},{}\n",
            d["study"][i].as_str().expect("s"),
            d["xi"][i],
            d["ni"][i]
        ));
    }
    for f in fx["fits"].as_array().expect("fits") {
        let method: Method = f["method"].as_str().expect("m").parse().expect("m");
        let test: Test = f["test"].as_str().expect("t").parse().expect("t");
        let r = analyse(&csv, &AnalyseOptions::new(Measure::PAS, method, test)).expect("analyse");
        let what = format!("PAS {method}/{test}");
        assert_close(r.pooled.estimate, f["estimate"].as_f64().expect("e"), &what);
        let back = r.pooled.back.as_ref().expect("back");
        assert_close(
            back.estimate.expect("b"),
            f["back"]["estimate"].as_f64().expect("b"),
            &what,
        );
        assert_close(
            back.ci_upper.expect("b"),
            f["back"]["ci_upper"].as_f64().expect("b"),
            &what,
        );
    }
}
