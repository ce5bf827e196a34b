//! A reader's vocabulary and what the brief rests on (issue 26): `check` warnings about the
//! bottom line, GRADE plain-language statements, second-hand findings, statements of no
//! harm without a count, the abbreviations list and the methods' references, in English
//! and Chinese.

mod common;

use common::{evbrief, pdf_flow_text, project, stderr};

#[test]
fn check_warns_where_the_bottom_line_says_more_than_its_results() {
    let dir = project(Some("valid/words"));
    let out = evbrief(&["check", "-p", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "warnings do not fail check: {}",
        stderr(&out)
    );
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains("warning:"))
        .map(|l| l.to_owned())
        .collect();
    insta::assert_snapshot!(warnings.join("\n"), @r#"
    brief.toml:9:1: warning: the sentence names week 48, but no result it rests on is at that time
    brief.toml:11:36: warning: `hba1c-target@week 48`: no between-arm result for `hba1c-target` at week 48 (results at: week 9)
    brief.toml:13:1: warning: the sentence says lower/fewer, but `hba1c-target@week 9` points the other way (95% CI 1.16 to 4.00)
    brief.toml:17:1: warning: this bottom-line sentence names no result it rests on (add `rests-on = ["outcome@time"]`)
    brief.toml:51:3: warning: the sentence (Chinese) names week 48, but no result it rests on is at that time
    brief.toml:52:3: warning: the sentence (Chinese) says lower/fewer, but `hba1c-target@week 9` points the other way (95% CI 1.16 to 4.00)
    "#);
}

#[test]
fn the_bundled_bottom_line_rests_on_what_it_cites() {
    let dir = project(None);
    let out = evbrief(&["check", "-p", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    // The bottom line (brief.toml) draws no warning; the study files' p-value checks may.
    let err = stderr(&out);
    assert!(
        !err.lines()
            .any(|l| l.starts_with("brief.toml") && l.contains("warning")),
        "{err}"
    );
}

#[test]
fn the_brief_speaks_a_readers_language_in_english_and_chinese() {
    let dir = project(Some("valid/words"));
    let p = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-q", "-p", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    let Some(text) = pdf_flow_text(&dir.path().join("output/brief.pdf")) else {
        eprintln!("pdftotext not available; skipping the text checks");
        return;
    };
    for needle in [
        // GRADE guidelines 26: moderate certainty, interval above no effect.
        "In plain language: UC-MSC probably increases the proportion of people with HbA1c below 7.0% at week 9.",
        // The registry's "no adverse reactions" is a statement, not 0/120 with a CI.
        "none, as stated (no count given)",
        // Blinding presupposes a comparison.
        "blinding not applicable",
        // A finding read in another study's paper is shown as reported there and not counted.
        "Smith 2020, as reported in [2]",
        "1 study with data",
        // Abbreviations the document prints, clinical ones from [glossary].
        "Abbreviations",
        "CI: confidence interval",
        "NAFLD: non-alcoholic fatty liver disease",
        "T2DM: type 2 diabetes mellitus",
        // Methods named are cited and listed.
        "Certainty of the evidence: GRADE",
        "Guyatt",
        "Clopper",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    for absent in [
        "evbrief:",
        "0/120",
        "data/inbox",
        "references.bib",
        "OR: odds ratio",
    ] {
        assert!(!text.contains(absent), "unexpected {absent:?}");
    }
    let out = evbrief(&["build", "-q", "-p", p, "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let zh: String = pdf_flow_text(&dir.path().join("output/brief.zh.pdf"))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    for needle in [
        "通俗表述",
        "UC-MSC很可能增加",
        "称未发生（未给出计数）",
        "盲法不适用",
        "转引自",
        "缩略语",
        "T2DM：2型糖尿病",
        "CI：置信区间",
    ] {
        assert!(zh.contains(needle), "missing {needle:?} in\n{zh}");
    }
}

#[test]
fn the_bundled_brief_answers_the_audit() {
    let dir = project(None);
    let out = evbrief(&["build", "-q", "-p", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let Some(text) = pdf_flow_text(&dir.path().join("output/brief.pdf")) else {
        eprintln!("pdftotext not available; skipping the text checks");
        return;
    };
    for needle in [
        // Second-hand HbA1c results are shown as such and not counted.
        "2 studies with data · 2 more reported second-hand",
        "Lian 2023, as reported in [3]",
        // The registry's statement, not 0/301 with an interval.
        "none, as stated (no count given)",
        "The evidence is very uncertain about the effect of UC-MSC on fasting plasma glucose at week 20.",
        "Overview of binary outcomes (risk ratios)",
        "Squares are single studies, not pooled.",
        "Fasting plasma glucose: Chinese abstract gives P=0.002",
        // The audit's unexpanded abbreviations and unreferenced methods.
        "T2DM: type 2 diabetes mellitus",
        "NAFLD: non-alcoholic fatty liver disease",
        "HOMA-IR: homeostatic model assessment of insulin resistance",
        "hs-CRP: high-sensitivity C-reactive protein",
        "GGT: gamma-glutamyl transferase",
        "RCT: randomised controlled trial",
        "MD: mean difference",
        "RR: risk ratio",
        "SEM: standard error of the mean",
        "IQR: interquartile range",
        "RoB 2: a revised tool for assessing risk of bias in randomised trials",
        "ROBINS-I: a tool for assessing risk of bias",
        "On tests of the overall treatment effect in meta-analysis",
        "Interval estimation for the difference between independent proportions",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    for absent in [
        "evbrief:",
        "0/301",
        "escalc",
        "evbrief's suggestion",
        "evbrief’s suggestion",
        "data/inbox",
        "references.bib",
        "fpg:",
        "risk and odds ratios",
        "Diamonds are pooled",
        "up to 48 weeks",
        "same hospital",
    ] {
        assert!(!text.contains(absent), "unexpected {absent:?}");
    }
}
