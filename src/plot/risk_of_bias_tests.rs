//! Risk-of-bias figure tests: exact row geometry, one symbol per judgement, the
//! not-assessed mark, proportional bar segments, long domain names, empty charts, the
//! palette's contrast and greyscale order, and snapshots of each figure.
//!
//! Snapshots live in `src/plot/snapshots/`; after an intended change, review them with
//! `INSTA_UPDATE=always cargo test --lib plot::` and `git diff`.

use super::*;
use Judgement::{Critical, High, Low, Moderate, NoInformation};

/// The value of attribute `name` in the first tag of `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let head = &tag[..tag.find('>').unwrap_or(tag.len())];
    let start = head.find(&key)? + key.len();
    head[start..].split('"').next()
}

fn num(tag: &str, name: &str) -> f64 {
    attr(tag, name)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        .parse()
        .unwrap()
}

/// Every `<kind …>` element, each as the text from its name to the end of the SVG.
fn elements<'a>(svg: &'a str, kind: &str) -> Vec<&'a str> {
    let open = format!("<{kind} ");
    svg.match_indices(&open)
        .map(|(i, _)| &svg[i + 1..])
        .collect()
}

/// Every text element as (its tag, its content).
fn texts(svg: &str) -> Vec<(&str, &str)> {
    elements(svg, "text")
        .into_iter()
        .map(|t| {
            let body = &t[t.find(">\n").unwrap() + 2..];
            (t, &body[..body.find("\n</text>").unwrap()])
        })
        .collect()
}

fn row(height_pt: f64, marks: Vec<Option<Judgement>>) -> MarkRow {
    MarkRow { height_pt, marks }
}

fn rob2_legend() -> Vec<(Judgement, String)> {
    vec![
        (Low, "Low".into()),
        (Moderate, "Some concerns".into()),
        (High, "High".into()),
    ]
}

fn robins_legend() -> Vec<(Judgement, String)> {
    vec![
        (Low, "Low".into()),
        (Moderate, "Moderate".into()),
        (High, "Serious".into()),
        (Critical, "Critical".into()),
        (NoInformation, "No information".into()),
    ]
}

/// Relative luminance (WCAG 2) of `#RRGGBB`.
fn luminance(hex: &str) -> f64 {
    let c = colour(hex);
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn mark_rows_add_up_exactly() {
    let heights = [11.0, 13.2, 5.5, 22.0, 7.3];
    let rows: Vec<MarkRow> = heights
        .iter()
        .enumerate()
        .map(|(i, &h)| row(h, vec![Some(Low); i + 2]))
        .collect();
    let svg = mark_column_svg(&rows, 12.5);
    let sum: f64 = heights.iter().sum();
    let (w, h) = (num(&svg, "width"), num(&svg, "height"));
    assert_eq!(w, 6.0 * 12.5 * UNITS_PER_PT);
    assert!((h / UNITS_PER_PT - sum).abs() < 1e-9, "{h} vs {sum}");
    assert_eq!(attr(&svg, "viewBox"), Some(format!("0 0 {w} {h}").as_str()));
    // Each row's marks sit at the middle of its own band.
    let mut top = 0.0;
    let centres: Vec<f64> = elements(&svg, "circle")
        .iter()
        .filter(|c| attr(c, "fill") == Some(Low.fill()))
        .map(|c| num(c, "cy"))
        .collect();
    let mut k = 0;
    for (i, &hpt) in heights.iter().enumerate() {
        for _ in 0..i + 2 {
            assert_eq!(centres[k], f64::from(px(top + hpt / 2.0)));
            k += 1;
        }
        top += hpt;
    }
    assert_eq!(k, centres.len());
}

#[test]
fn blank_rows_draw_nothing() {
    let blank = mark_column_svg(&[row(11.0, vec![]), row(20.0, vec![])], 10.0);
    for kind in ["circle", "text", "polyline", "rect"] {
        assert!(elements(&blank, kind).is_empty(), "{kind} in {blank}");
    }
    assert_eq!(num(&blank, "width"), 0.0);
    assert_eq!(num(&blank, "height"), 31.0 * UNITS_PER_PT);
    // A blank row between marked ones only shifts the next marks down.
    let mixed = mark_column_svg(
        &[
            row(11.0, vec![Some(High)]),
            row(11.0, vec![]),
            row(11.0, vec![Some(High)]),
        ],
        11.0,
    );
    assert_eq!(
        elements(&mixed, "circle").len(),
        4,
        "fill and outline twice"
    );
    assert_eq!(texts(&mixed).len(), 2);
    let cy: Vec<f64> = elements(&mixed, "circle")
        .iter()
        .map(|c| num(c, "cy"))
        .collect();
    assert_eq!(cy, [22.0, 22.0, 110.0, 110.0]);
}

#[test]
fn every_judgement_draws_its_symbol() {
    let svg = mark_column_svg(&[row(12.0, Judgement::ALL.map(Some).to_vec())], 12.0);
    let texts = texts(&svg);
    assert_eq!(texts.len(), Judgement::ALL.len());
    for (j, (tag, content)) in Judgement::ALL.iter().zip(&texts) {
        assert_eq!(*content, j.symbol());
        assert_eq!(attr(tag, "fill"), Some(j.ink()));
        assert_eq!(attr(tag, "font-family"), Some(FONT_FAMILY));
        assert_eq!(attr(tag, "font-weight"), Some("bold"));
        let fills: Vec<_> = elements(&svg, "circle")
            .into_iter()
            .filter(|c| attr(c, "fill") == Some(j.fill()))
            .collect();
        assert_eq!(fills.len(), 1, "{j:?}");
    }
    let symbols: std::collections::HashSet<_> = Judgement::ALL.iter().map(|j| j.symbol()).collect();
    assert_eq!(symbols.len(), Judgement::ALL.len(), "symbols must differ");
    assert_eq!(Moderate.symbol(), "\u{2212}");
}

#[test]
fn none_draws_the_not_assessed_mark() {
    let svg = mark_column_svg(&[row(12.0, vec![None])], 12.0);
    let circles = elements(&svg, "circle");
    assert_eq!(circles.len(), 1);
    assert_eq!(attr(circles[0], "fill"), Some(NOT_ASSESSED_FILL));
    let dashes = elements(&svg, "polyline");
    assert!(dashes.len() >= 8, "a dashed ring: {svg}");
    assert!(
        dashes
            .iter()
            .all(|d| attr(d, "stroke") == Some(NOT_ASSESSED_OUTLINE))
    );
    assert!(texts(&svg).is_empty(), "no symbol");
}

#[test]
fn marks_fit_their_cells_and_are_capped() {
    let radius = |cell: f64, h: f64| {
        let svg = mark_column_svg(&[row(h, vec![Some(Low)])], cell);
        num(elements(&svg, "circle")[0], "r")
    };
    assert_eq!(radius(40.0, 40.0), f64::from(px(MAX_MARK_PT / 2.0)));
    assert_eq!(radius(10.0, 30.0), f64::from(px(10.0 * 0.8 / 2.0)));
    assert_eq!(radius(30.0, 8.0), f64::from(px(8.0 * 0.8 / 2.0)));
}

#[test]
fn palette_contrasts_and_prints_in_greyscale() {
    for j in Judgement::ALL {
        assert!(
            contrast(j.fill(), j.ink()) >= 4.5,
            "{j:?}: {}",
            contrast(j.fill(), j.ink())
        );
        let other = if j.ink() == "#000000" {
            "#FFFFFF"
        } else {
            "#000000"
        };
        assert!(contrast(j.fill(), j.ink()) > contrast(j.fill(), other));
    }
    // Lightness falls with severity, by clear steps, so greyscale keeps the order.
    let severity = [Low, Moderate, High, Critical].map(|j| luminance(j.fill()));
    for pair in severity.windows(2) {
        assert!(pair[0] - pair[1] > 0.1, "{severity:?}");
    }
    assert!(luminance(NoInformation.fill()) > luminance(Low.fill()));
    assert!(luminance(NOT_ASSESSED_FILL) > luminance(Moderate.fill()));
    assert_eq!(
        serde_json::to_string(&NoInformation).unwrap(),
        "\"no_information\""
    );
    assert!(Low < Moderate && Moderate < High && High < Critical);
}

#[test]
fn legend_wraps_to_fit() {
    let (one, h1) = legend_svg(&rob2_legend(), 300.0);
    assert_eq!(h1, LEGEND_LINE_PT);
    assert_eq!(num(&one, "height"), h1 * UNITS_PER_PT);
    let (narrow, h2) = legend_svg(&robins_legend(), 120.0);
    assert!(h2 > 2.0 * LEGEND_LINE_PT, "{h2}");
    assert_eq!(num(&narrow, "height"), h2 * UNITS_PER_PT);
    let labels: Vec<_> = texts(&narrow)
        .into_iter()
        .filter(|(t, _)| attr(t, "font-weight").is_none())
        .collect();
    for &(tag, content) in &labels {
        let right = num(tag, "x") + text_width_pt(content, LEGEND_FONT_PT) * UNITS_PER_PT;
        assert!(right <= 120.0 * UNITS_PER_PT, "{content} ends at {right}");
    }
    let labels: Vec<_> = labels.into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        labels,
        ["Low", "Moderate", "Serious", "Critical", "No information"]
    );
    assert_eq!(legend_svg(&[], 100.0).1, 0.0);
}

fn rob2_chart(width_pt: f64) -> SummaryChart {
    SummaryChart {
        domains: vec![
            "Bias arising from the randomization process".into(),
            "Bias due to deviations from intended interventions".into(),
            "Bias due to missing outcome data".into(),
            "Bias in measurement of the outcome".into(),
            "Bias in selection of the reported result".into(),
            "Overall risk of bias".into(),
        ],
        bars: vec![
            vec![(Low, 6), (Moderate, 3), (High, 1)],
            vec![(Low, 9), (High, 1)],
            vec![(Low, 10)],
            vec![(Low, 2), (Moderate, 5), (High, 3)],
            vec![(Moderate, 10)],
            vec![(Low, 1), (Moderate, 4), (High, 5)],
        ],
        legend: rob2_legend(),
        width_pt,
        axis_title: "Proportion of studies".to_owned(),
    }
}

/// Widths of the filled segment rectangles of `fill`, in drawing order.
fn segments(svg: &str, fill: &str) -> Vec<(f64, f64)> {
    elements(svg, "rect")
        .into_iter()
        .filter(|r| attr(r, "fill") == Some(fill))
        .map(|r| (num(r, "x"), num(r, "width")))
        .collect()
}

#[test]
fn segments_are_proportional_to_counts() {
    let chart = SummaryChart {
        domains: vec!["D1".into()],
        bars: vec![vec![(High, 1), (Low, 6), (Moderate, 3)]],
        legend: vec![],
        width_pt: 300.0,
        axis_title: "Proportion of studies".to_owned(),
    };
    let (svg, _) = summary_bars_svg(&chart);
    let [low, moderate, high] = [Low, Moderate, High].map(|j| segments(&svg, j.fill())[0]);
    let bar = low.1 + moderate.1 + high.1;
    for ((_, w), n) in [(low, 6.0), (moderate, 3.0), (high, 1.0)] {
        assert!((w - bar * n / 10.0).abs() <= 1.0, "{w} for {n} of 10");
    }
    // Low on the left whatever the input order; segments abut.
    assert_eq!(low.0 + low.1, moderate.0);
    assert_eq!(moderate.0 + moderate.1, high.0);
    // Every bar spans the same width.
    let (svg, _) = summary_bars_svg(&rob2_chart(380.0));
    let mut spans = std::collections::BTreeMap::new();
    for r in elements(&svg, "rect") {
        if [Low, Moderate, High]
            .iter()
            .any(|j| attr(r, "fill") == Some(j.fill()))
        {
            *spans.entry(num(r, "y") as i64).or_insert(0.0) += num(r, "width");
        }
    }
    let spans: Vec<f64> = spans.into_values().collect();
    assert_eq!(spans.len(), 6);
    assert!(spans.windows(2).all(|w| w[0] == w[1]), "{spans:?}");
}

#[test]
fn narrow_segments_drop_their_symbol() {
    let chart = SummaryChart {
        domains: vec!["D1".into()],
        bars: vec![vec![(Low, 99), (High, 1)]],
        legend: vec![],
        width_pt: 200.0,
        axis_title: "Proportion of studies".to_owned(),
    };
    let (svg, _) = summary_bars_svg(&chart);
    let symbols: Vec<_> = texts(&svg)
        .into_iter()
        .filter(|(t, _)| attr(t, "font-weight") == Some("bold"))
        .map(|(_, c)| c)
        .collect();
    assert_eq!(symbols, ["+"]);
}

#[test]
fn long_domain_names_stay_inside() {
    let chart = SummaryChart {
        domains: vec![
            "Bias in selection of participants into the study".into(),
            "Bias due to deviations from intended interventions (effect of adhering)".into(),
            "Pneumonoultramicroscopicsilicovolcanoconiosisrelated".into(),
            "Overall".into(),
        ],
        bars: vec![vec![(Low, 1)]; 4],
        legend: robins_legend(),
        width_pt: 200.0,
        axis_title: "Proportion of studies".to_owned(),
    };
    let (svg, height) = summary_bars_svg(&chart);
    assert_eq!(num(&svg, "height"), height * UNITS_PER_PT);
    let bar_start = segments(&svg, Low.fill())
        .iter()
        .map(|s| s.0)
        .fold(f64::MAX, f64::min);
    let labels: Vec<_> = texts(&svg)
        .into_iter()
        .filter(|(t, _)| attr(t, "text-anchor") == Some("end"))
        .collect();
    assert!(labels.len() > 4, "long names wrap");
    for (tag, content) in &labels {
        let size_pt = num(tag, "font-size") / UNITS_PER_PT;
        assert!(size_pt >= MIN_LABEL_FONT_PT - 1e-9);
        let right = num(tag, "x");
        let left = right - text_width_pt(content, size_pt) * UNITS_PER_PT;
        assert!(left >= 0.0, "{content:?} starts at {left}");
        assert!(right < bar_start, "{content:?} runs into the bars");
    }
    assert!(bar_start <= 0.45 * 200.0 * UNITS_PER_PT + px(LABEL_GAP_PT) as f64);
    // Every piece of every label is drawn.
    let drawn: String = labels.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        drawn.chars().filter(|c| !c.is_whitespace()).count(),
        chart
            .domains
            .iter()
            .flat_map(|d| d.chars())
            .filter(|c| !c.is_whitespace())
            .count()
    );
}

#[test]
fn zero_studies_are_handled() {
    let empty_bars = SummaryChart {
        domains: vec!["D1".into(), "D2".into()],
        bars: vec![vec![], vec![(Low, 0)]],
        legend: rob2_legend(),
        width_pt: 250.0,
        axis_title: "Proportion of studies".to_owned(),
    };
    let (svg, height) = summary_bars_svg(&empty_bars);
    assert!(height > 0.0);
    assert_eq!(segments(&svg, NOT_ASSESSED_FILL).len(), 2);
    assert!(segments(&svg, Low.fill()).is_empty());
    assert!(
        elements(&svg, "polyline")
            .iter()
            .any(|p| attr(p, "stroke") == Some(NOT_ASSESSED_OUTLINE)),
        "empty bars have a dashed outline"
    );
    let nothing = SummaryChart {
        domains: vec![],
        bars: vec![],
        legend: vec![],
        width_pt: 250.0,
        axis_title: "Proportion of studies".to_owned(),
    };
    let (svg, height) = summary_bars_svg(&nothing);
    assert!(height > 0.0 && svg.contains("Proportion of studies"));
    // Degenerate sizes do not panic either.
    let _ = summary_bars_svg(&SummaryChart {
        width_pt: 0.0,
        axis_title: "Proportion of studies".to_owned(),
        ..rob2_chart(0.0)
    });
    let _ = mark_column_svg(&[], 10.0);
    let _ = mark_column_svg(&[row(0.0, vec![Some(Low)])], 0.0);
}

#[test]
fn snapshot_traffic_light_rob2() {
    let rows = vec![
        row(14.0, vec![]),
        row(
            14.0,
            vec![
                Some(Low),
                Some(Moderate),
                Some(High),
                Some(Low),
                None,
                Some(High),
            ],
        ),
        row(14.0, vec![Some(Low); 6]),
        row(
            14.0,
            vec![Some(Moderate), Some(Low), None, None, None, None],
        ),
    ];
    insta::assert_snapshot!("traffic_light_rob2", mark_column_svg(&rows, 16.0));
}

#[test]
fn snapshot_forest_column() {
    let rows = vec![
        row(11.0, vec![]),
        row(11.0, vec![Some(Low)]),
        row(22.0, vec![Some(Critical)]),
        row(11.0, vec![None]),
        row(11.0, vec![]),
        row(11.0, vec![Some(NoInformation)]),
    ];
    insta::assert_snapshot!("forest_column", mark_column_svg(&rows, 12.0));
}

#[test]
fn snapshot_legend_robins_wrapped() {
    let (svg, height) = legend_svg(&robins_legend(), 160.0);
    insta::assert_snapshot!("legend_robins_wrapped", format!("{height}\n{svg}"));
}

#[test]
fn snapshot_summary_rob2() {
    let (svg, height) = summary_bars_svg(&rob2_chart(380.0));
    insta::assert_snapshot!("summary_rob2", format!("{height}\n{svg}"));
}

#[test]
fn snapshot_summary_empty() {
    let chart = SummaryChart {
        domains: vec!["Overall".into()],
        bars: vec![vec![]],
        legend: rob2_legend(),
        width_pt: 200.0,
        axis_title: "Proportion of studies".to_owned(),
    };
    let (svg, height) = summary_bars_svg(&chart);
    insta::assert_snapshot!("summary_empty", format!("{height}\n{svg}"));
}
