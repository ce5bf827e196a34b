//! Forest plot tests on fixed inputs: golden numbers from R metafor beside each row, and
//! snapshots of the rows and SVGs (1 study, 13 studies in subgroups, zero cells, 300 studies).
//!
//! Snapshots live in `src/report/snapshots/`; after an intended change, review them with
//! `INSTA_UPDATE=always cargo test` and `git diff`.

use super::forest::{ForestRow, ForestView, MAX_PANEL_LINES, outcome_forests};
use crate::analysis::pooling::pool_time;
use crate::analysis::testutil::binary_row as row;
use crate::analysis::{OutcomeAnalysis, StudyEffectRow};
use crate::config::{
    Direction, DoubleZero, EffectMeasure, OutcomeDef, OutcomeKind, OutcomeSettings, PoolMethod,
    PoolTest, SubgroupBy,
};
use crate::plot::risk_of_bias::Judgement;
use crate::stats::Measure;
use crate::synthetic::Lcg;
use crate::view::forest::{ForestContext, RobLookup};

/// Colditz et al. 1994 BCG trials (metafor `dat.bcg`): author, year, allocation, tpos,
/// tneg, cpos, cneg.
const BCG: [(&str, &str, f64, f64, f64, f64); 13] = [
    ("Aronson 1948", "random", 4., 119., 11., 128.),
    ("Ferguson & Simes 1949", "random", 6., 300., 29., 274.),
    ("Rosenthal et al 1960", "random", 3., 228., 11., 209.),
    (
        "Hart & Sutherland 1977",
        "random",
        62.,
        13536.,
        248.,
        12619.,
    ),
    (
        "Frimodt-Moller et al 1973",
        "alternate",
        33.,
        5036.,
        47.,
        5761.,
    ),
    (
        "Stein & Aronson 1953",
        "alternate",
        180.,
        1361.,
        372.,
        1079.,
    ),
    ("Vandiviere et al 1973", "random", 8., 2537., 10., 619.),
    ("TPT Madras 1980", "random", 505., 87886., 499., 87892.),
    ("Coetzee & Berjak 1968", "random", 29., 7470., 45., 7232.),
    ("Rosenthal et al 1961", "systematic", 17., 1699., 65., 1600.),
    (
        "Comstock et al 1974",
        "systematic",
        186.,
        50448.,
        141.,
        27197.,
    ),
    (
        "Comstock & Webster 1969",
        "systematic",
        5.,
        2493.,
        3.,
        2338.,
    ),
    (
        "Comstock et al 1976",
        "systematic",
        27.,
        16886.,
        29.,
        17825.,
    ),
];

fn settings(subgroup: SubgroupBy) -> OutcomeSettings {
    OutcomeSettings {
        measure: EffectMeasure::RR,
        method: PoolMethod::Reml,
        test: PoolTest::Knha,
        prediction: true,
        common_effect: false,
        subgroup,
        double_zero: DoubleZero::Drop,
    }
}

fn outcome() -> OutcomeDef {
    OutcomeDef {
        id: "tb".into(),
        label: "Tuberculosis".into(),
        unit: "% of patients".into(),
        kind: OutcomeKind::Binary,
        better: Direction::Lower,
        measure: None,
        method: None,
        test: None,
        prediction: None,
        common_effect: None,
        subgroup: None,
    }
}

fn forest(rows: Vec<StudyEffectRow>, s: OutcomeSettings) -> ForestView {
    forest_with_rob(rows, s, None)
}

fn forest_with_rob(
    rows: Vec<StudyEffectRow>,
    s: OutcomeSettings,
    risk_of_bias: Option<RobLookup>,
) -> ForestView {
    forest_with(rows, s, risk_of_bias, false)
}

fn forest_with(
    rows: Vec<StudyEffectRow>,
    s: OutcomeSettings,
    risk_of_bias: Option<RobLookup>,
    summary: bool,
) -> ForestView {
    let time = pool_time("year 1".into(), rows, Measure::RR, &s);
    let analysis = OutcomeAnalysis {
        outcome: "tb".into(),
        settings: s,
        measure: Measure::RR,
        times: vec![time],
    };
    let o = outcome();
    let study = |id: &str| (id.to_owned(), vec![format!("key-{}", id.len())]);
    let ctx = ForestContext {
        outcome: &o,
        intervention: "BCG",
        control: "control",
        study: &study,
        risk_of_bias,
        summary,
        labels: crate::i18n::Language::En.labels(),
        overlaps: &[],
        prose: None,
    };
    outcome_forests(&analysis, &ctx).remove(0)
}

fn bcg_rows(group: bool) -> Vec<StudyEffectRow> {
    BCG.iter()
        .map(|(s, g, tp, tn, cp, cn)| {
            row(s, if group { g } else { "" }, *tp, tp + tn, *cp, cp + cn)
        })
        .collect()
}

/// Rows and SVGs as text, for snapshots.
fn dump(f: &ForestView) -> String {
    let mut out = format!("{}\n{:?}\nalt: {}\n", f.title, f.columns, f.alt);
    for (i, p) in f.panels.iter().enumerate() {
        out.push_str(&format!("--- panel {i} (continued: {})\n", p.continued));
        for r in &p.rows {
            out.push_str(&format!(
                "{:<10}|{}|{}|{}|{}|{}|{}|{}\n",
                r.kind,
                r.label.join(" / "),
                r.marker,
                r.a,
                r.b,
                r.weight,
                r.effect,
                r.lines
            ));
        }
        out.push_str(&p.svg);
        out.push('\n');
    }
    for n in &f.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

/// The numbers beside each row equal metafor's: `escalc("RR")` with `summary(transf=exp)`
/// per study and `weights(rma(method="REML", test="knha"))` (R metafor 3.8-1, dat.bcg).
#[test]
fn colditz_1994_bcg_rows_match_metafor() {
    let expected = [
        (
            "Aronson 1948",
            "4/123",
            "11/139",
            "0.41 [0.13, 1.26]",
            "5.1%",
        ),
        (
            "Ferguson & Simes 1949",
            "6/306",
            "29/303",
            "0.20 [0.09, 0.49]",
            "6.4%",
        ),
        (
            "Rosenthal et al 1960",
            "3/231",
            "11/220",
            "0.26 [0.07, 0.92]",
            "4.4%",
        ),
        (
            "Hart & Sutherland 1977",
            "62/13598",
            "248/12867",
            "0.24 [0.18, 0.31]",
            "9.7%",
        ),
        (
            "Frimodt-Moller et al 1973",
            "33/5069",
            "47/5808",
            "0.80 [0.52, 1.25]",
            "8.9%",
        ),
        (
            "Stein & Aronson 1953",
            "180/1541",
            "372/1451",
            "0.46 [0.39, 0.54]",
            "10.1%",
        ),
        (
            "Vandiviere et al 1973",
            "8/2545",
            "10/629",
            "0.20 [0.08, 0.50]",
            "6.0%",
        ),
        (
            "TPT Madras 1980",
            "505/88391",
            "499/88391",
            "1.01 [0.89, 1.14]",
            "10.2%",
        ),
        (
            "Coetzee & Berjak 1968",
            "29/7499",
            "45/7277",
            "0.63 [0.39, 1.00]",
            "8.7%",
        ),
        (
            "Rosenthal et al 1961",
            "17/1716",
            "65/1665",
            "0.25 [0.15, 0.43]",
            "8.4%",
        ),
        (
            "Comstock et al 1974",
            "186/50634",
            "141/27338",
            "0.71 [0.57, 0.89]",
            "9.9%",
        ),
        (
            "Comstock & Webster 1969",
            "5/2498",
            "3/2341",
            "1.56 [0.37, 6.53]",
            "3.8%",
        ),
        (
            "Comstock et al 1976",
            "27/16913",
            "29/17854",
            "0.98 [0.58, 1.66]",
            "8.4%",
        ),
    ];
    let f = forest(bcg_rows(false), settings(SubgroupBy::None));
    let rows: Vec<_> = f.panels.iter().flat_map(|p| &p.rows).collect();
    let studies: Vec<_> = rows.iter().filter(|r| r.kind == "study").collect();
    assert_eq!(studies.len(), 13);
    for (r, (label, a, b, effect, weight)) in studies.iter().zip(expected) {
        assert_eq!(r.label.join(" "), label);
        assert_eq!((r.a.as_str(), r.b.as_str()), (a, b), "{label}");
        assert_eq!(r.effect, effect, "{label}");
        assert_eq!(r.weight, weight, "{label}");
    }
    // predict(res, transf = exp): 0.49 [0.33, 0.73], PI [0.14, 1.76]; tau² 0.313, I² 92%.
    let total = rows.iter().find(|r| r.kind == "total").unwrap();
    assert_eq!(total.effect, "0.49 [0.33, 0.73]");
    assert_eq!(total.a, "1065/191064");
    let pi = rows.iter().find(|r| r.kind == "prediction").unwrap();
    assert_eq!(pi.effect, "[0.14, 1.76]");
    let het = rows
        .iter()
        .find(|r| r.label[0].starts_with("Heterogeneity"))
        .unwrap();
    assert!(
        het.label
            .join(" ")
            .starts_with("Heterogeneity: τ² = 0.313; I² = 92%; Q = 152.23, df = 12 (P < 0.001)"),
        "{:?}",
        het.label
    );
}

/// Subgroups by allocation: metafor fits each subgroup separately (REML, knha):
/// random 0.38 [0.20, 0.70] (k = 7), alternate 0.58 [0.02, 20.85] (k = 2),
/// systematic 0.65 [0.21, 2.09] (k = 4).
#[test]
fn colditz_1994_bcg_subgroups_match_metafor_and_snapshot() {
    let f = forest(bcg_rows(true), settings(SubgroupBy::Condition));
    let rows: Vec<_> = f.panels.iter().flat_map(|p| &p.rows).collect();
    let subtotals: Vec<(String, &str)> = rows
        .iter()
        .filter(|r| r.kind == "subtotal")
        .map(|r| (r.label.join(" "), r.effect.as_str()))
        .collect();
    assert_eq!(
        subtotals,
        [
            ("Subtotal (random, k = 7)".to_owned(), "0.38 [0.20, 0.70]"),
            (
                "Subtotal (alternate, k = 2)".to_owned(),
                "0.58 [0.02, 20.85]"
            ),
            (
                "Subtotal (systematic, k = 4)".to_owned(),
                "0.65 [0.21, 2.09]"
            ),
        ]
    );
    let headings: Vec<_> = rows.iter().filter(|r| r.kind == "heading").collect();
    assert_eq!(headings.len(), 3);
    assert!(rows.iter().any(|r| {
        r.label
            .join(" ")
            .starts_with("Test for subgroup differences: Q = ")
    }));
    // Clipped: the alternate subtotal's upper limit (20.85) lies beyond the axis.
    assert!(f.panels[0].svg.contains("<polygon"));
    insta::assert_snapshot!("forest_13_studies_subgroups", dump(&f));
}

#[test]
fn single_study_has_no_diamond_and_says_so() {
    let f = forest(
        vec![row("Zhao 2024", "", 20., 33., 9., 32.)],
        settings(SubgroupBy::None),
    );
    let rows = &f.panels[0].rows;
    assert!(rows.iter().all(|r| r.kind != "total"));
    assert!(
        rows.iter()
            .any(|r| r.label[0] == "Single study, not pooled.")
    );
    assert_eq!(rows[0].effect, "2.15 [1.16, 4.00]");
    assert_eq!(rows[0].weight, "—");
    assert_eq!(
        f.alt,
        "Forest plot. Tuberculosis, year 1: 1 study, 65 participants, risk ratio 2.15 (95% CI 1.16 to 4.00); single study, not pooled."
    );
    insta::assert_snapshot!("forest_1_study", dump(&f));
}

#[test]
fn zero_cell_and_double_zero_studies() {
    let f = forest(
        vec![
            row("Alpha 2020", "", 0., 20., 4., 21.),
            row("Beta 2021", "", 0., 15., 0., 16.),
            row("Gamma 2022", "", 3., 30., 9., 29.),
        ],
        settings(SubgroupBy::None),
    );
    let rows = &f.panels[0].rows;
    let alpha = rows.iter().find(|r| r.label[0] == "Alpha 2020").unwrap();
    assert_eq!(alpha.marker, "a", "the 1/2 correction is footnoted");
    assert!(f.notes[0].starts_with("a Alpha 2020: "), "{:?}", f.notes);
    let beta = rows.iter().find(|r| r.label[0] == "Beta 2021").unwrap();
    assert_eq!(beta.effect, "not estimable");
    assert_eq!(beta.weight, "—");
    let total = rows.iter().find(|r| r.kind == "total").unwrap();
    assert!(total.label.join(" ").ends_with("(k = 2)"));
    insta::assert_snapshot!("forest_zero_cells", dump(&f));
}

#[test]
fn three_hundred_studies_continue_over_panels() {
    let mut rng = Lcg::new(42);
    let rows: Vec<StudyEffectRow> = (0..300)
        .map(|i| {
            let n1 = 20.0 + rng.below(200) as f64;
            let n2 = 20.0 + rng.below(200) as f64;
            let a = rng.below(n1 as u64 / 2 + 1) as f64;
            let c = rng.below(n2 as u64 / 2 + 1) as f64;
            let label = if i == 7 {
                "A study with a very long label from a multicentre consortium 2019".to_owned()
            } else {
                format!("Study {i:03} {}", 1990 + i % 35)
            };
            row(&label, "", a, n1, c, n2)
        })
        .collect();
    let f = forest(rows, settings(SubgroupBy::None));
    assert!(f.panels.len() >= 7, "{} panels", f.panels.len());
    for (i, p) in f.panels.iter().enumerate() {
        let lines: u32 = p.rows.iter().map(|r| r.lines).sum();
        assert!(lines <= MAX_PANEL_LINES, "panel {i} has {lines} lines");
        assert_eq!(p.continued, i > 0);
        assert!(p.svg.contains("<text"), "every panel repeats the axis");
    }
    let studies = f
        .panels
        .iter()
        .flat_map(|p| &p.rows)
        .filter(|r| r.kind == "study")
        .count();
    assert_eq!(studies, 300);
    let long = f
        .panels
        .iter()
        .flat_map(|p| &p.rows)
        .find(|r| r.label[0].starts_with("A study with"))
        .unwrap();
    assert!(long.lines >= 2 && long.label.iter().all(|l| l.chars().count() <= 30));
    insta::assert_snapshot!("forest_300_studies", dump(&f));
}

#[test]
fn risk_of_bias_column_marks_study_rows_only_in_rows_of_the_same_heights() {
    use crate::plot::risk_of_bias::Judgement;
    // Aronson is judged low, every other study is unassessed.
    let rob = |id: &str| (id == "Aronson 1948").then_some(Judgement::Low);
    let f = forest_with_rob(bcg_rows(true), settings(SubgroupBy::Design), Some(&rob));
    assert!(f.rob_width > 0.0);
    assert!(
        f.notes
            .iter()
            .any(|n| n.starts_with("RoB: the study's overall risk of bias"))
    );
    for panel in &f.panels {
        let svg = panel.rob_svg.as_ref().expect("every panel has the column");
        let lines: u32 = panel.rows.iter().map(|r| r.lines).sum();
        let height = f64::from(lines) * f.line_height * crate::plot::UNITS_PER_PT;
        assert!(
            svg.contains(&format!("height=\"{height}\"")),
            "column height must equal the rows' {height}: {}",
            &svg[..200.min(svg.len())]
        );
        // Headings, subtotals and notes carry no mark; each study row carries one.
        for r in &panel.rows {
            assert_eq!(r.rob.is_some(), r.kind == "study", "{:?}", r.label);
        }
    }
    let first = f.panels[0].rows.iter().find(|r| r.kind == "study").unwrap();
    assert_eq!(first.rob, Some(Some(Judgement::Low)));
    // Without a lookup there is no column at all.
    assert_eq!(
        forest(bcg_rows(false), settings(SubgroupBy::None)).rob_width,
        0.0
    );
}

/// A tall plot whose last panel holds only its totals: that panel has no mark column
/// (an SVG of zero width would stop Typst), every other panel has one.
#[test]
fn a_panel_of_totals_only_has_no_risk_of_bias_column() {
    use crate::plot::risk_of_bias::Judgement;
    let rob = |_: &str| Some(Judgement::Low);
    let mut seen = false;
    for k in 30..=50 {
        let mut rng = Lcg::new(k);
        let rows: Vec<StudyEffectRow> = (0..k)
            .map(|i| {
                let (n1, n2) = (50.0, 60.0);
                let a = 1.0 + rng.below(20) as f64;
                let c = 1.0 + rng.below(20) as f64;
                row(&format!("Study {i:03}"), "", a, n1, c, n2)
            })
            .collect();
        let f = forest_with_rob(rows, settings(SubgroupBy::None), Some(&rob));
        for panel in &f.panels {
            let studies = panel.rows.iter().any(|r| r.kind == "study");
            assert_eq!(panel.rob_svg.is_some(), studies, "k = {k}");
            seen |= !studies;
        }
    }
    assert!(seen, "some k leaves a panel of totals only");
}

#[test]
fn summary_layout_draws_each_subgroup_as_one_sorted_band_with_the_subtotal_sums() {
    let assessed = |_: &str| Some(Judgement::Low);
    let full = forest_with(
        bcg_rows(true),
        settings(SubgroupBy::Condition),
        Some(&assessed),
        false,
    );
    let summary = forest_with(
        bcg_rows(true),
        settings(SubgroupBy::Condition),
        Some(&assessed),
        true,
    );
    let rows: Vec<&ForestRow> = summary.panels.iter().flat_map(|p| &p.rows).collect();
    let full_rows: Vec<&ForestRow> = full.panels.iter().flat_map(|p| &p.rows).collect();
    assert!(rows.iter().all(|r| r.kind != "study"));
    let bands: Vec<&&ForestRow> = rows.iter().filter(|r| r.kind == "band").collect();
    let subtotals: Vec<&&ForestRow> = rows.iter().filter(|r| r.kind == "subtotal").collect();
    let headings = rows.iter().filter(|r| r.kind == "heading").count();
    assert_eq!(bands.len(), headings, "one band per subgroup");
    assert_eq!(subtotals.len(), headings);
    // Each band stands for exactly its subgroup: same summed arms and weight as the
    // subtotal under it, and its label counts the subgroup's studies.
    let studies_in_full = full_rows.iter().filter(|r| r.kind == "study").count();
    let mut counted = 0;
    for (band, subtotal) in bands.iter().zip(&subtotals) {
        assert_eq!(band.a, subtotal.a);
        assert_eq!(band.b, subtotal.b);
        assert_eq!(band.weight, subtotal.weight);
        let k: usize = band.label[0].split(' ').next().unwrap().parse().unwrap();
        counted += k;
        assert!(band.lines >= 4, "a band is at least four lines tall");
    }
    assert_eq!(counted, studies_in_full);
    // The totals are the same numbers in both layouts.
    let totals = |rows: &[&ForestRow]| -> Vec<String> {
        rows.iter()
            .filter(|r| matches!(r.kind, "total" | "subtotal"))
            .map(|r| r.effect.clone())
            .collect()
    };
    assert_eq!(totals(&rows), totals(&full_rows));
    // No per-study risk-of-bias column; a note says how to read the bands.
    assert_eq!(summary.rob_width, 0.0);
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.starts_with("Summary layout"))
    );
    assert!(!summary.notes.iter().any(|n| n.starts_with("RoB:")));
}

#[test]
fn band_intervals_are_sorted_by_estimate_and_hold_every_estimable_study() {
    let view = forest_with(bcg_rows(false), settings(SubgroupBy::None), None, true);
    let row = &view.panels[0].rows;
    assert_eq!(row.iter().filter(|r| r.kind == "band").count(), 1);
    let band = row.iter().find(|r| r.kind == "band").unwrap();
    assert_eq!(band.label, vec!["13 studies, sorted by estimate"]);
    let svg = &view.panels[0].svg;
    // 13 CI hairlines and 13 estimate ticks, besides the axis and diamonds.
    assert!(svg.matches("<rect").count() >= 13, "{svg}");
}

/// The overview's title names only the ratio measures it shows, and its legend speaks of
/// diamonds only when a row is pooled (issue 26: "risk and odds ratios" over risk ratios
/// alone, "Diamonds are pooled estimates" under figures without one).
#[test]
fn overview_title_and_legend_describe_what_the_figure_shows() {
    let labels = crate::i18n::Language::En.labels();
    let o = outcome();
    let analysis = |rows: Vec<StudyEffectRow>| {
        let s = settings(SubgroupBy::None);
        OutcomeAnalysis {
            outcome: "tb".into(),
            times: vec![pool_time("year 1".into(), rows, Measure::RR, &s)],
            settings: s,
            measure: Measure::RR,
        }
    };
    let single = super::overview::overview(
        &[&o],
        &[analysis(vec![row("Zhao 2024", "", 20., 33., 9., 32.)])],
        &[],
        &|id: &str| id.to_owned(),
        labels,
    );
    assert_eq!(single[0].title, "Overview of binary outcomes (risk ratios)");
    assert!(single[0].notes[0].starts_with("Squares are single studies"));
    assert!(!single[0].notes.iter().any(|n| n.contains("Diamonds")));
    let pooled = super::overview::overview(
        &[&o],
        &[analysis(bcg_rows(false))],
        &[],
        &|id: &str| id.to_owned(),
        labels,
    );
    assert!(pooled[0].notes[0].starts_with("Diamonds are pooled estimates"));
}
