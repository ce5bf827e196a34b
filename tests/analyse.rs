//! `evbrief analyse` end to end: the extra analyses, double-zero handling and the
//! generic and arcsine measures, against the metafor fixtures (tests/metafor/).

use std::fs;

mod common;
use common::*;
use serde_json::Value;

const BCG: &str = include_str!("metafor/bcg.json");
const BCG_SENS: &str = include_str!("metafor/bcg_sensitivity.json");

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 || (a - b).abs() <= 1e-6 * b.abs()
}

fn bcg_csv() -> String {
    let t: Value = serde_json::from_str(BCG).unwrap();
    let s: Value = serde_json::from_str(BCG_SENS).unwrap();
    let d = &t["data"];
    let mut csv = String::from("study,ai,bi,ci,di,year,ablat\n");
    for i in 0..13 {
        csv.push_str(&format!(
            "\"{}\",{},{},{},{},{},{}\n",
            d["study"][i].as_str().unwrap(),
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
fn extra_analyses_match_metafor_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bcg.csv");
    fs::write(&csv, bcg_csv()).unwrap();
    let fx: Value = serde_json::from_str(BCG_SENS).unwrap();
    let f = fx["fits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["method"] == "REML" && f["test"] == "knha")
        .unwrap();
    let out = evbrief(&[
        "analyse",
        "--data",
        csv.to_str().unwrap(),
        "--measure",
        "RR",
        "--test",
        "knha",
        "--bias",
        "--leave-one-out",
        "--influence",
        "--cumulative-by",
        "year",
        "--mods",
        "ablat",
        "--mods",
        "year",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let num = |x: &Value| x.as_f64().unwrap();
    assert!(close(
        num(&v["small_study"]["egger"]["z"]),
        num(&f["egger"]["z"])
    ));
    assert!(close(
        num(&v["small_study"]["egger_lm"]["t"]),
        num(&f["egger_lm"]["t"])
    ));
    assert!(close(
        num(&v["small_study"]["begg"]["tau"]),
        num(&f["begg"]["tau"])
    ));
    assert_eq!(v["small_study"]["trimfill"]["side"], f["trimfill"]["side"]);
    assert!(close(
        num(&v["small_study"]["trimfill"]["ci_upper"]),
        num(&f["trimfill"]["ci_upper"])
    ));
    assert!(close(
        num(&v["leave_one_out"][5]["tau2"]),
        num(&f["leave1out"]["tau2"][5])
    ));
    assert!(close(
        num(&v["influence"][3]["rstudent"]),
        num(&f["influence"]["rstudent"][3])
    ));
    assert_eq!(v["cumulative_by"], "year");
    assert!(close(
        num(&v["cumulative"][12]["estimate"]),
        num(&f["cumul"]["estimate"][12])
    ));
    let mr = &v["meta_regression"];
    assert_eq!(mr["coefficients"][2]["name"], "year");
    assert!(close(num(&mr["qm"]), num(&f["meta_regression"]["qm"])));
    assert_eq!(mr["qm_df"], serde_json::json!([2.0, 10.0]));
    assert!(close(num(&mr["r2"]), num(&f["meta_regression"]["r2"])));

    let out = evbrief(&[
        "analyse",
        "--data",
        csv.to_str().unwrap(),
        "--measure",
        "RR",
        "--bias",
        "--mods",
        "dose",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bcg.csv:1: missing column 'dose'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn double_zero_studies_are_kept_by_default_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("sparse.csv");
    fs::write(
        &csv,
        "study,ai,bi,ci,di\nS 1,0,20,3,17\nS 3,0,30,0,28\nS 4,5,45,9,41\nS 7,10,0,10,0\n",
    )
    .unwrap();
    let path = csv.to_str().unwrap();
    let out = evbrief(&["analyse", "--data", path, "--measure", "OR"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("pooled (OR, REML, test z): k = 4"), "{text}");
    assert!(
        text.contains("double-zero studies (--double-zero keep):"),
        "{text}"
    );
    assert!(
        text.contains("S 3 — corrected: no events in either group"),
        "{text}"
    );
    let out = evbrief(&[
        "analyse",
        "--data",
        path,
        "--measure",
        "OR",
        "--double-zero",
        "drop",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["k"], 2);
    assert_eq!(v["double_zero"]["handling"], "drop");
    assert_eq!(v["double_zero"]["studies"][1]["study"], "S 7");
    assert_eq!(v["double_zero"]["studies"][1]["action"], "dropped");
}

#[test]
fn generic_and_arcsine_measures_run_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("gen.csv");
    fs::write(&csv, "study,yi,sei\nA,0.2,0.1\nB,0.4,0.2\nC,-0.1,0.15\n").unwrap();
    let out = evbrief(&[
        "analyse",
        "--data",
        csv.to_str().unwrap(),
        "--measure",
        "GEN",
        "--method",
        "FE",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = [100.0, 25.0, 1.0 / 0.0225];
    let expected = (0.2 * w[0] + 0.4 * w[1] - 0.1 * w[2]) / (w[0] + w[1] + w[2]);
    assert!(close(v["estimate"].as_f64().unwrap(), expected));
    fs::write(&csv, "study,xi,ni\nA,16,17\nB,10,12\nC,4,8\n").unwrap();
    let out = evbrief(&[
        "analyse",
        "--data",
        csv.to_str().unwrap(),
        "--measure",
        "PAS",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let est = v["estimate"].as_f64().unwrap();
    assert!(close(
        v["back"]["estimate"].as_f64().unwrap(),
        est.sin().powi(2)
    ));
}
