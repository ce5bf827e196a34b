//! Effects as papers report them (`[[effects]]`) and time-to-event outcomes: validation
//! with every problem at once, pooling beside arm-level effects checked against metafor,
//! and the brief's forest rows "as reported" (tests/fixtures/valid/reported).

use std::fs;
use std::path::Path;

mod common;
use common::*;

/// metafor 3.8.1 on the Handbook conversions (Cochrane Handbook 6.3.1–6.3.2):
/// `yi = log(c(0.72, 0.85, 0.64))`, `sei = c((log(0.94) - log(0.55))/(2*qnorm(.975)),
/// (log(1.20) - log(0.60))/(2*qnorm(.975)), abs(log(0.64))/qnorm(1 - 0.02/2))`,
/// `rma(yi, sei = sei, method = "REML", test = "knha")`, back-transformed with `exp`.
const METAFOR_HR: [f64; 3] = [0.7336014878, 0.5346002165, 1.0066796203];
/// Its weights in percent (`weights()`), Alpha, Beta, Gamma.
const METAFOR_HR_WEIGHTS: [f64; 3] = [47.48685, 28.3916, 24.12155];

/// metafor 3.8.1: Alpha's OR 2.1 (1.1 to 4.0), Beta's OR 0.9 with SE 0.35 (log scale),
/// Delta's `escalc("OR", ai = 20, bi = 13, ci = 9, di = 23)`;
/// `rma(yi, vi, method = "REML", test = "knha")`, back-transformed with `exp`.
const METAFOR_OR: [f64; 3] = [1.8309144328, 0.3063543388, 10.9423867584];

fn close(ours: f64, theirs: f64, what: &str) {
    assert!(
        ((ours - theirs) / theirs).abs() < 1e-6,
        "{what}: ours {ours}, metafor {theirs}"
    );
}

fn analysis_json(dir: &Path) -> serde_json::Value {
    let editions = dir.join("output/editions");
    let mut names: Vec<_> = fs::read_dir(&editions)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let latest = names.pop().unwrap();
    serde_json::from_slice(&fs::read(editions.join(latest).join("analysis.json")).unwrap()).unwrap()
}

#[test]
fn reported_effects_pool_with_arm_level_ones_as_metafor_does() {
    let dir = project(Some("valid/reported"));
    build(dir.path(), &[]);
    let json = analysis_json(dir.path());
    let pooled = |o: usize| {
        let t = &json["outcomes"][o]["times"][0];
        let p = &t["pooled"];
        let f = |k: &str| p[k].as_f64().unwrap();
        (t.clone(), [f("estimate"), f("ci-lower"), f("ci-upper")])
    };
    let (death, hr) = pooled(0);
    assert_eq!(json["outcomes"][0]["measure"], "hazard ratio");
    assert_eq!(death["time"], "year 2");
    assert_eq!(death["pooled"]["k"], 3);
    for ((ours, theirs), what) in hr.iter().zip(METAFOR_HR).zip(["HR", "lower", "upper"]) {
        close(*ours, theirs, what);
    }
    let reported = death["reported"].as_array().unwrap();
    assert_eq!(reported.len(), 3);
    assert_eq!(reported[0]["adjusted-for"], "age, sex and baseline HbA1c");
    assert_eq!(reported[2]["precision"], "p");
    assert_eq!(reported[2]["p"], 0.02);

    let (target, or) = pooled(1);
    assert_eq!(
        target["studies"],
        serde_json::json!(["alpha", "beta", "delta"])
    );
    assert_eq!(target["reported"].as_array().unwrap().len(), 2);
    for ((ours, theirs), what) in or.iter().zip(METAFOR_OR).zip(["OR", "lower", "upper"]) {
        close(*ours, theirs, what);
    }

    // The forest plot prints each study's weight: metafor's, to one decimal.
    let text = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    for w in METAFOR_HR_WEIGHTS {
        let printed = format!("{:.1}%", w);
        assert!(
            text.contains(&printed),
            "weight {printed} in the forest plot"
        );
    }
}

#[test]
fn the_brief_shows_reported_rows_as_reported_in_english_and_chinese() {
    let dir = project(Some("valid/reported"));
    build(dir.path(), &[]);
    let text = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    for expected in [
        // The table of reported values: the effect as printed, between the two arms.
        "UC-MSC vs Standard care hazard ratio 0.72 (95% CI 0.55 to 0.94), adjusted for age, sex and baseline HbA1c 238 Table 3",
        "hazard ratio 0.64 (P = 0.02), unadjusted 121 Abstract",
        "odds ratio 3.9 (95% CI 1.4 to 10.9), unadjusted 65 Table 2; not analysed",
        // Forest rows: the printed estimate and CI; arm sizes under a time-to-event outcome,
        // "as reported" beside arm-level rows of the same measure.
        "Alpha 2021 [1]a 120 118 47.5%",
        "0.72 [0.55, 0.94]",
        "Alpha 2021 [1]a as reported 37.2%",
        "2.10 [1.10, 4.00]",
        "Delta 2020 [3] 20/33 9/32 26.8%",
        // Footnotes: what was printed, what it was adjusted for, the conversion.
        "a Alpha 2021: hazard ratio and 95% CI as reported; adjusted for age, sex and baseline HbA1c; SE = (ln U − ln L)/3.92 from the reported 95% CI.",
        "c Gamma 2023: hazard ratio and P as reported; unadjusted; SE = |ln estimate|/z with z = 2.326 from the reported P = 0.02.",
        "b Beta 2022: odds ratio and SE as reported; unadjusted.",
        // The methods say how reported effects were handled.
        "are entered as reported, their standard error derived from the CI or the P value (Cochrane Handbook 6.3",
        // Summary of findings: no control risk from hazard ratios, so no absolute effect.
        "HR 0.73 (0.53 to 1.01)",
        // (the cell wraps inside "control-group")
        "Not estimable: hazard ratios give no control",
        "risk, and the row states none (baseline-risk)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }

    build(dir.path(), &["--lang", "zh"]);
    // Lines of Chinese break anywhere, so compare without white space.
    let squeeze = |t: &str| t.split_whitespace().collect::<String>();
    let zh = squeeze(&pdf_flow_text(&dir.path().join("output/brief.zh.pdf")).unwrap());
    for expected in [
        "风险比 0.72（95% 置信区间 0.55～0.94），校正了年龄、性别和基线 HbA1c",
        "按原文报告",
        "风险比及 95% 置信区间按原文报告；校正了年龄、性别和基线 HbA1c",
        "风险比及 P 值按原文报告；未校正",
        "不可估计：风险比无法给出对照组风险",
    ] {
        assert!(
            zh.contains(&squeeze(expected)),
            "missing {expected:?} in\n{zh}"
        );
    }
}

#[test]
fn a_stated_baseline_risk_gives_absolute_effects_from_the_hazard_ratio() {
    let dir = project(Some("valid/reported"));
    let brief = dir.path().join("brief.toml");
    let text = fs::read_to_string(&brief).unwrap().replacen(
        "time = \"year 2\"\n",
        "time = \"year 2\"\nbaseline-risk = { per-1000 = 200, source = \"a national cohort\" }\n",
        1,
    );
    fs::write(&brief, text).unwrap();
    build(dir.path(), &[]);
    let text = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    // 1000 · (1 − 0.8^HR) − 200 at HR 0.7336 (0.5346 to 1.0067): 49 fewer (from 88 fewer
    // to 1 more) per 1000 (Cochrane Handbook 15.4.4).
    for expected in [
        "HR 0.73 (0.53 to 1.01)",
        "200 per 1000",
        "49 fewer per 1000 (from 88 fewer to 1 more)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(text.contains("Baseline risk from a national cohort."));
}

/// A copy of the fixture with one more study file, built; returns exit code and stderr.
fn build_with_study(name: &str, body: &str) -> (Option<i32>, String) {
    let dir = project(Some("valid/reported"));
    let root = dir.path();
    fs::write(root.join(format!("data/studies/{name}.toml")), body).unwrap();
    let bib = root.join("data/references.bib");
    let entry = "@article{bad2024,\n  author = {Bad, Bea},\n  title = {Bad data},\n  journal = {J},\n  year = {2024}\n}\n";
    fs::write(&bib, fs::read_to_string(&bib).unwrap() + entry).unwrap();
    let out = evbrief(&["build", "-q", "-p", root.to_str().unwrap()]);
    assert!(!root.join("output/brief.pdf").exists());
    (out.status.code(), stderr(&out))
}

const HEAD: &str = r#"id = "bad"
label = "Bad 2024"
design = "rct"
condition = "T2DM"
population = "Adults"

[[reports]]
key = "bad2024"
role = "primary"

[[arms]]
id = "msc"
label = "UC-MSC"
role = "intervention"
n = 10
intervention = "cells"
source = { report = "bad2024", at = "Methods" }

[[arms]]
id = "usual"
label = "Usual care"
role = "control"
n = 10
intervention = "usual"
source = { report = "bad2024", at = "Methods" }
"#;

#[test]
fn every_bad_effect_is_named_at_its_place() {
    let body = format!(
        r#"{HEAD}
[[effects]]
outcome = "death"
time = "year 2"
measure = "HR"
estimate = 0.5
ci-lower = 0.6
ci-upper = 0.9
adjusted = true
source = {{ report = "bad2024", at = "Table 1" }}

[[effects]]
outcome = "hba1c-target"
time = "week 24"
measure = "RR"
estimate = -0.2
se = 0.1
p = 0.04
adjusted = false
adjusted-for = "age"
source = {{ report = "bad2024", at = "Table 1" }}

[[effects]]
outcome = "hba1c-target"
time = "week 12"
measure = "OR"
estimate = 1.4
p = 1.0
adjusted = false
arms = ["usual", "msc"]
source = {{ report = "nowhere", at = "Table 1" }}

[[effects]]
outcome = "death"
time = "year 1"
measure = "HR"
estimate = 0.8
ci-lower = 0.7
adjusted = false
source = {{ report = "bad2024", at = "Table 1" }}

[[effects]]
outcome = "death"
time = "year 3"
measure = "HR"
estimate = 0.8
adjusted = false
source = {{ report = "bad2024", at = "Table 1" }}

[[effects]]
outcome = "hba1c-target"
time = "week 52"
measure = "OR"
estimate = 1.8
ci-lower = 1.1
ci-upper = 2.9
adjusted = false
source = {{ report = "bad2024", at = "Table 1" }}

[[results]]
outcome = "hba1c-target"
time = "week 52"
arm = "msc"
events = 5
source = {{ report = "bad2024", at = "Table 2" }}

[[results]]
outcome = "death"
time = "year 2"
arm = "msc"
events = 1
source = {{ report = "bad2024", at = "Table 2" }}
"#
    );
    let (code, stderr) = build_with_study("bad", &body);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let expected = "\
data/studies/bad.toml:32:12: the 95% CI must contain the estimate: need ci-lower ≤ estimate ≤ ci-upper with ci-lower < ci-upper, found 0.5 (0.6 to 0.9)
data/studies/bad.toml:34:12: an adjusted effect needs `adjusted-for` (what the model adjusted for, in words)
data/studies/bad.toml:40:11: measure RR does not match outcome `hba1c-target`, which is pooled as OR (brief.toml); a reported effect must be on the outcome's measure
data/studies/bad.toml:41:12: a ratio must be positive, found -0.2
data/studies/bad.toml:43:5: give exactly one precision (95% CI, `se` or `p`): `p` comes on top of `se`
data/studies/bad.toml:44:12: `adjusted-for` goes with `adjusted = true`; this effect says `adjusted = false`
data/studies/bad.toml:53:5: p must be an exact two-sided p value strictly between 0 and 1, found 1.0
data/studies/bad.toml:56:21: source report `nowhere` is not one of this study's reports
data/studies/bad.toml:55:8: the first arm of an effect must be an intervention arm (the effect is intervention versus control); `usual` is not
data/studies/bad.toml:55:8: the second arm of an effect must be a control arm (the effect is intervention versus control); `msc` is not
data/studies/bad.toml:63:12: `ci-lower` needs `ci-upper`
data/studies/bad.toml:71:12: give the estimate's precision: `ci-lower` and `ci-upper` (95% CI), or `se`, or an exact two-sided `p`
data/studies/bad.toml:28:11: outcome `death` at `year 2` is given both as this reported effect and as arm-level results (line 95); pooling both would count the trial twice: mark the one not to analyse `analyse = false`
data/studies/bad.toml:76:11: outcome `hba1c-target` at `week 52` is given both as this reported effect and as arm-level results (line 88); pooling both would count the trial twice: mark the one not to analyse `analyse = false`
data/studies/bad.toml:93:11: outcome `death` is time-to-event: give the hazard ratio the report prints as an `[[effects]]` entry (arm-level results are kept only with `analyse = false`)
error: 15 problems in the project data; nothing was written
";
    assert_eq!(stderr, expected);
}

#[test]
fn outcomes_that_cannot_take_reported_effects_say_why() {
    let dir = project(Some("valid/reported"));
    let root = dir.path();
    let brief = root.join("brief.toml");
    // Mantel–Haenszel needs 2×2 tables; a time-to-event outcome takes hazard ratios only.
    let text = fs::read_to_string(&brief)
        .unwrap()
        .replacen(
            "measure = \"OR\"\n",
            "measure = \"OR\"\nmethod = \"MH\"\n",
            1,
        )
        .replacen(
            "kind = \"time-to-event\"\n",
            "kind = \"time-to-event\"\nmeasure = \"RR\"\n",
            1,
        );
    fs::write(&brief, text).unwrap();
    let out = evbrief(&["build", "-q", "-p", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains(": ") && !l.starts_with("error"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines,
        [
            "brief.toml:21:11: measure RR does not fit the time-to-event outcome `death` (binary: RR, OR, RD; continuous: MD, SMD; time-to-event: HR)",
            "data/studies/alpha.toml:30:11: measure HR does not match outcome `death`, which is pooled as RR (brief.toml); a reported effect must be on the outcome's measure",
            "data/studies/alpha.toml:42:11: outcome `hba1c-target` is pooled by MH, which needs 2×2 tables; a reported effect is pooled by inverse variance: set `method` on the outcome to REML, DL, PM or FE",
            "data/studies/beta.toml:30:11: measure HR does not match outcome `death`, which is pooled as RR (brief.toml); a reported effect must be on the outcome's measure",
            "data/studies/beta.toml:40:11: outcome `hba1c-target` is pooled by MH, which needs 2×2 tables; a reported effect is pooled by inverse variance: set `method` on the outcome to REML, DL, PM or FE",
            "data/studies/gamma.toml:30:11: measure HR does not match outcome `death`, which is pooled as RR (brief.toml); a reported effect must be on the outcome's measure",
        ]
    );
}
