//! Small-study effects as the brief shows them: for each outcome and time with at least
//! ten studies a contour-enhanced funnel plot (with alt text) and Egger's test and
//! trim-and-fill in words; and the sentence of the methods paragraph that says where these
//! were done and why not elsewhere (Cochrane Handbook 13.3.5.4).

use serde::Serialize;

use super::forest::p_value;
use super::words::{capitalise, estimate_ci, measure_label, time_label};
use crate::analysis::small_study::{MIN_STUDIES, SmallStudy, untested};
use crate::analysis::{Analysed, OutcomeAnalysis};
use crate::config::BriefConfig;
use crate::format::{fixed, is_ratio};
use crate::i18n::Labels;
use crate::plot::axis::Scale;
use crate::plot::funnel::{Funnel, FunnelText, HEIGHT_PT, WIDTH_PT, render_funnel};
use crate::stats::Test;

/// One funnel plot with its tests, shown under its outcome.
#[derive(Debug, Serialize)]
pub struct SmallStudyView {
    /// The outcome id it belongs to.
    pub outcome: String,
    /// Caption ("Contour-enhanced funnel plot: HbA1c, week 12 (12 studies)").
    pub caption: String,
    /// The SVG.
    pub svg: String,
    /// Its alt text.
    pub alt: String,
    /// Width of the figure in points.
    pub width: f64,
    /// Height of the figure in points.
    pub height: f64,
    /// Egger's test and trim-and-fill in words.
    pub words: String,
}

/// The funnel plots of the brief, in outcome and time order.
pub fn small_study_views(
    analysed: &Analysed,
    config: &BriefConfig,
    labels: &Labels,
) -> Vec<SmallStudyView> {
    analysed
        .small_study
        .iter()
        .filter_map(|s| {
            let def = config
                .outcomes
                .iter()
                .map(|o| o.get_ref())
                .find(|o| o.id == s.outcome)?;
            Some(view(s, &def.label, labels))
        })
        .collect()
}

fn view(s: &SmallStudy, outcome: &str, labels: &Labels) -> SmallStudyView {
    let time = time_label(&s.time, labels);
    let k = s.studies.len().to_string();
    let measure = measure_label(s.measure, labels);
    let scale = if is_ratio(s.measure) {
        Scale::Log
    } else {
        Scale::Linear
    };
    let filled: Vec<(f64, f64)> = s
        .trimfill
        .as_ref()
        .map(|t| {
            t.filled_yi
                .iter()
                .zip(&t.filled_vi)
                .map(|(y, v)| (*y, v.sqrt()))
                .collect()
        })
        .unwrap_or_default();
    let text = FunnelText {
        x_label: capitalise(&labels.fill(
            if is_ratio(s.measure) {
                "small-study.x-axis-log"
            } else {
                "small-study.x-axis"
            },
            &[("measure", measure)],
        )),
        y_label: labels.text("small-study.y-axis").to_owned(),
        legend: [
            labels.text("small-study.legend-10").to_owned(),
            labels.text("small-study.legend-05").to_owned(),
        ],
        filled: labels.text("small-study.legend-filled").to_owned(),
    };
    let svg = render_funnel(
        &Funnel {
            scale,
            studies: s.studies.clone(),
            filled: filled.clone(),
            estimate: s.estimate,
        },
        &text,
    );
    SmallStudyView {
        outcome: s.outcome.clone(),
        caption: labels.fill(
            "small-study.caption",
            &[("outcome", outcome), ("time", &time), ("k", &k)],
        ),
        alt: labels.fill(
            "small-study.alt",
            &[
                ("outcome", outcome),
                ("time", &time),
                ("k", &k),
                ("filled", &filled.len().to_string()),
            ],
        ),
        svg,
        width: WIDTH_PT,
        height: HEIGHT_PT,
        words: words(s, labels),
    }
}

/// "Egger's test: z = 2.31, P = 0.02 … Trim-and-fill imputes 3 studies on the left …"
fn words(s: &SmallStudy, labels: &Labels) -> String {
    let mut out = match &s.egger {
        Ok(e) => {
            let stat = match (s.test, e.df) {
                (Test::Knha, Some(df)) => labels.fill("small-study.t", &[("df", &fixed(df, 0))]),
                _ => labels.text("small-study.z").to_owned(),
            };
            labels.fill(
                if e.p < crate::analysis::small_study::EGGER_ALPHA {
                    "small-study.egger-asymmetric"
                } else {
                    "small-study.egger-symmetric"
                },
                &[
                    ("stat", &stat),
                    ("value", &fixed(e.z, 2)),
                    ("p", &p_value(e.p)),
                ],
            )
        }
        Err(_) => labels.text("small-study.egger-failed").to_owned(),
    };
    match &s.trimfill {
        Ok(t) if t.k0 == 0 => out.push_str(labels.text("small-study.trimfill-none")),
        Ok(t) => out.push_str(&labels.fill(
            "small-study.trimfill",
            &[
                ("k0", &t.k0.to_string()),
                ("side", labels.text(&format!("small-study.side-{}", t.side))),
                (
                    "estimate",
                    &estimate_ci(s.measure, t.estimate, t.ci_lower, t.ci_upper, labels),
                ),
            ],
        )),
        Err(_) => out.push_str(labels.text("small-study.trimfill-failed")),
    }
    out
}

/// The methods paragraph's sentence on small-study effects: where they were assessed, or
/// that no analysis had enough studies. Empty when nothing was compared.
pub fn methods_sentence(analysed: &Analysed, labels: &Labels) -> String {
    let outcomes: &[OutcomeAnalysis] = &analysed.outcomes;
    if outcomes.iter().all(|o| o.times.is_empty()) {
        return String::new();
    }
    let min = MIN_STUDIES.to_string();
    if analysed.small_study.is_empty() {
        labels.fill("small-study.methods-none", &[("min", &min)])
    } else {
        let mut s = labels.fill("small-study.methods-done", &[("min", &min)]);
        if untested(outcomes) > 0 {
            s.push_str(&labels.fill("small-study.methods-some-untested", &[("min", &min)]));
        }
        s
    }
}
