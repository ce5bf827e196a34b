//! The analyses beyond pooling, in the built brief: the single-arm section (bundled
//! registry, a fixture of two case series), and on synthetic projects the funnel plot with
//! Egger's test and trim-and-fill (k ≥ 10 only), the sensitivity paragraph and figures and
//! the cumulative forest plot (k ≥ 3 only). Numbers in the PDF are the engine's.

mod common;

use std::path::Path;

use common::*;
use evbrief::format::fixed;

/// Text without whitespace and hyphens, so line breaks and hyphenation of the justified
/// text do not matter.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{2010}')
        .collect()
}

fn text_of(pdf: &Path) -> String {
    squash(&pdf_flow_text(pdf).expect("pdftotext"))
}

fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(&squash(needle)), "missing {needle:?}");
}

/// A synthetic project (seed 22) with the repository's templates.
fn synthetic(studies: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let templates = repo().join("templates");
    synthetic_project_with(
        studies,
        &["--seed", "22", "--templates", templates.to_str().unwrap()],
    )
}

#[test]
fn bundled_brief_shows_the_registry_as_uncontrolled_evidence() {
    let dir = project(None);
    build(dir.path(), &[]);
    let text = text_of(&dir.path().join("output/brief.pdf"));
    let section = text
        .find(&squash("Uncontrolled evidence"))
        .expect("section");
    assert!(section > text.find(&squash("Results")).unwrap());
    let after = &text[section..];
    for needle in [
        "Chin 2025",
        "Retrospective registry",
        "7.77 ± 0.10 (mean ± SEM)",
        "7.52 ± 0.10 (mean ± SEM)",
        "change −0.25; no interval (n analysed not reported)",
        "7.30 [1.60] (median [IQR width])",
        "medians: shown as printed",
        "4.98 ± 0.82 (mean ± SEM)",
    ] {
        assert_has(after, needle);
    }
    // Nothing is pooled in the bundled brief: the methods say why no funnel plot.
    assert_has(
        &text,
        "Funnel plots and tests for small-study effects were not done",
    );
    assert!(!text.contains(&squash("Contour-enhanced funnel plot")));

    build(dir.path(), &["--lang", "zh"]);
    let zh = text_of(&dir.path().join("output/brief.zh.pdf"));
    assert_has(&zh, "无对照证据");
    assert_has(&zh, "变化−0.25；未报告分析人数，无法给出区间");
}

#[test]
fn single_arm_proportions_and_changes_carry_the_engines_numbers() {
    let dir = project(Some("valid/single-arm"));
    build(dir.path(), &[]);
    let text = text_of(&dir.path().join("output/brief.pdf"));
    let project = evbrief::data::load_project(dir.path()).unwrap();
    let analysed = evbrief::analysis::analyse(&project);
    let remission = &analysed.single_arm.outcomes[0].times[0];
    let p = remission.pooled.as_ref().unwrap();
    assert_has(
        &text,
        &format!(
            "2 arms pooled (random effects (REML, Hartung–Knapp)): {}% (95% CI {}% to {}%)",
            fixed(100.0 * p.estimate, 1),
            fixed(100.0 * p.ci_lower, 1),
            fixed(100.0 * p.ci_upper, 1)
        ),
    );
    let ci = evbrief::stats::incidence::clopper_pearson(12, 40).unwrap();
    assert_has(
        &text,
        &format!(
            "{}% (95% CI {}% to {}%, exact)",
            fixed(100.0 * ci.estimate, 1),
            fixed(100.0 * ci.lower, 1),
            fixed(100.0 * ci.upper, 1)
        ),
    );
    // 7.60 − 8.40 with t(0.975, 39) · √0.031 = 0.356: −1.16 to −0.44.
    assert_has(&text, "change −0.80 (95% CI −1.16 to −0.44)");
    // No comparison: no forest plot, no funnel, no sensitivity.
    assert!(!text.contains(&squash("Sensitivity (")));
}

#[test]
fn ten_or_more_studies_get_funnel_egger_trim_and_fill_sensitivity_and_cumulative() {
    let (_dir, p) = synthetic(12);
    build(&p, &[]);
    let text = text_of(&p.join("output/brief.pdf"));
    let project = evbrief::data::load_project(&p).unwrap();
    let analysed = evbrief::analysis::analyse(&project);
    let s = analysed.small_study.first().expect("k ≥ 10 tested");
    assert!(s.studies.len() >= 10);
    assert_has(&text, "Contour-enhanced funnel plot");
    let e = s.egger.as_ref().unwrap();
    assert_has(&text, &format!("= {}, P", fixed(e.z, 2)));
    assert_has(&text, "Trim-and-fill imputes");
    assert_has(&text, "Where an analysis has at least 10 studies");
    let sens = analysed.sensitivity.first().expect("k ≥ 3");
    assert_has(&text, &format!("Sensitivity ({} studies)", sens.ids.len()));
    assert_has(&text, "Cumulative meta-analysis by publication year");
    assert_has(&text, "Sensitivity analyses:");
    // The methods are named with their references.
    assert_has(&text, "Funnel-plot asymmetry: Egger’s regression test");
    assert_has(
        &text,
        "Bias in meta-analysis detected by a simple, graphical test",
    );
    assert_has(&text, "Trim and fill");
    assert_has(&text, "Outlier and influence diagnostics for meta-analysis");

    // US Letter and Chinese build too.
    build(&p, &["--paper", "us-letter"]);
    build(&p, &["--lang", "zh"]);
    let zh = text_of(&p.join("output/brief.zh.pdf"));
    assert_has(&zh, "等高线增强漏斗图");
    assert_has(&zh, "按发表年份的累积meta分析");
}

#[test]
fn fewer_than_ten_studies_are_not_tested_and_fewer_than_three_get_no_sensitivity() {
    let (_dir, p) = synthetic(5);
    build(&p, &[]);
    let text = text_of(&p.join("output/brief.pdf"));
    assert!(!text.contains(&squash("Contour-enhanced funnel plot")));
    assert_has(
        &text,
        "Funnel plots and tests for small-study effects were not done",
    );
    assert_has(&text, "Cumulative meta-analysis by publication year");

    let (_dir, p) = synthetic(2);
    build(&p, &[]);
    let text = text_of(&p.join("output/brief.pdf"));
    assert!(!text.contains(&squash("Cumulative meta-analysis")));
    assert!(!text.contains(&squash("Sensitivity (")));
}

#[test]
fn a_living_brief_draws_each_earlier_editions_estimate_under_the_cumulative_plot() {
    let (_dir, p) = synthetic(4);
    build(&p, &[]);
    let first = text_of(&p.join("output/brief.pdf"));
    assert!(!first.contains(&squash("How the evidence moved")));
    let record = evbrief::store::editions::Editions::in_output(&p.join("output"))
        .latest()
        .unwrap()
        .edition
        .unwrap()
        .1;
    let pooled = record.outcomes[0].times[0].pooled.clone().unwrap();
    // A new input makes a second edition, which shows the first one's estimate.
    let brief = p.join("brief.toml");
    let text = std::fs::read_to_string(&brief).unwrap() + "\n# a second edition\n";
    std::fs::write(&brief, text).unwrap();
    build(&p, &[]);
    let second = text_of(&p.join("output/brief.pdf"));
    assert_has(&second, "How the evidence moved (earlier editions)");
    assert_has(&second, &format!("Edition {}", record.edition));
    assert_has(&second, &pooled.text);
    assert_has(&second, "This edition");
}

#[test]
fn meta_regression_on_the_publication_year_only_with_ten_studies() {
    let with_covariate = |studies: usize| {
        let (dir, p) = synthetic(studies);
        let brief = p.join("brief.toml");
        let text = std::fs::read_to_string(&brief).unwrap().replacen(
            "[analysis]\n",
            "[analysis]\ncovariates = [\"year\"]\n",
            1,
        );
        std::fs::write(&brief, text).unwrap();
        build(&p, &[]);
        let text = text_of(&p.join("output/brief.pdf"));
        (dir, p, text)
    };
    let (_dir, p, text) = with_covariate(12);
    let project = evbrief::data::load_project(&p).unwrap();
    let analysed = evbrief::analysis::analyse(&project);
    let Some(evbrief::analysis::meta_regression::CovariateResult::Fitted(m)) =
        analysed.meta_regression.first()
    else {
        panic!("fitted with 12 studies")
    };
    assert_eq!(m.points.len(), 12);
    assert_has(
        &text,
        "Meta-regression: Outcome 0, week 12, on publication year (12 studies).",
    );
    assert_has(
        &text,
        &format!(
            "the risk ratio is multiplied by {} (95% CI {} to {}",
            fixed(m.beta[1].exp(), 2),
            fixed(m.slope_ci_lower.exp(), 2),
            fixed(m.slope_ci_upper.exp(), 2)
        ),
    );
    assert_has(
        &text,
        "Meta-regression on publication year is done only where at least 10 studies",
    );

    let (_dir, _, text) = with_covariate(6);
    assert!(!text.contains(&squash("Meta-regression: Outcome")));
    assert_has(
        &text,
        "No analysis here has 10 studies with a value, so none was done.",
    );
}

#[test]
fn a_covariate_that_is_not_a_finite_number_is_an_error_at_its_place() {
    let dir = project(Some("valid/minimal"));
    let study = dir.path().join("data/studies/smith-trial.toml");
    let text = std::fs::read_to_string(&study).unwrap() + "\n[covariates]\ndose = nan\n";
    std::fs::write(&study, text).unwrap();
    let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "data/studies/smith-trial.toml:42:8: covariate `dose` must be a finite number, found nan"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("output/brief.pdf").exists());
}
