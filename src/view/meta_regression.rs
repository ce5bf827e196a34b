//! Meta-regression as the brief shows it, under its outcome: a bubble plot and a sentence
//! per covariate that has at least ten studies with a value, and the methods paragraph's
//! sentence saying which covariates were examined and where there were too few studies
//! (Cochrane Handbook 10.11.5.1).

use serde::Serialize;

use super::forest::p_value;
use super::words::{capitalise, measure_label, model_name, time_label};
use crate::analysis::meta_regression::{
    CovariateResult, MIN_STUDIES_PER_COVARIATE, MetaRegression,
};
use crate::config::BriefConfig;
use crate::format::{fixed, is_ratio, show};
use crate::i18n::Labels;
use crate::plot::axis::Scale;
use crate::plot::bubble::{Bubbles, HEIGHT_PT, WIDTH_PT, render_bubbles};

/// One meta-regression, shown under its outcome.
#[derive(Debug, Serialize)]
pub struct MetaRegressionView {
    /// The outcome id it belongs to.
    pub outcome: String,
    /// Caption.
    pub caption: String,
    /// The bubble plot.
    pub svg: String,
    /// Its alt text.
    pub alt: String,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// The model in words.
    pub words: String,
}

/// The covariate's name in the brief's language: `year` is the publication year.
fn covariate_name(name: &str, labels: &Labels) -> String {
    if name == "year" {
        labels.text("meta-regression.year").to_owned()
    } else {
        name.to_owned()
    }
}

/// The fitted meta-regressions of the brief.
pub fn meta_regression_views(
    results: &[CovariateResult],
    config: &BriefConfig,
    labels: &Labels,
) -> Vec<MetaRegressionView> {
    results
        .iter()
        .filter_map(|r| match r {
            CovariateResult::Fitted(m) => {
                let def = config
                    .outcomes
                    .iter()
                    .map(|o| o.get_ref())
                    .find(|o| o.id == m.outcome)?;
                let settings = def.settings(&config.analysis);
                Some(view(
                    m,
                    &def.label,
                    &model_name(settings.method, settings.test, labels),
                    labels,
                ))
            }
            CovariateResult::TooFew { .. } => None,
        })
        .collect()
}

fn view(m: &MetaRegression, outcome: &str, model: &str, labels: &Labels) -> MetaRegressionView {
    let covariate = covariate_name(&m.covariate, labels);
    let time = time_label(&m.time, labels);
    let k = m.points.len().to_string();
    let measure = measure_label(m.measure, labels);
    let ratio = is_ratio(m.measure);
    let weights: Vec<(f64, f64, f64)> = m
        .points
        .iter()
        .map(|&(x, y, v)| (x, y, 1.0 / (v + m.tau2)))
        .collect();
    let svg = render_bubbles(
        &Bubbles {
            scale: if ratio { Scale::Log } else { Scale::Linear },
            points: weights,
            beta: m.beta,
        },
        &capitalise(&covariate),
        &capitalise(measure),
    );
    let words = labels.fill(
        if ratio {
            "meta-regression.words-ratio"
        } else {
            "meta-regression.words-difference"
        },
        &[
            ("covariate", &covariate),
            ("k", &k),
            ("model", model),
            ("measure", measure),
            ("slope", &show(m.measure, m.beta[1])),
            ("lower", &show(m.measure, m.slope_ci_lower)),
            ("upper", &show(m.measure, m.slope_ci_upper)),
            ("p", &p_value(m.p)),
            ("r2", &m.r2.map_or_else(|| "0".to_owned(), |r| fixed(r, 0))),
        ],
    );
    MetaRegressionView {
        outcome: m.outcome.clone(),
        caption: labels.fill(
            "meta-regression.caption",
            &[
                ("outcome", outcome),
                ("time", &time),
                ("covariate", &covariate),
                ("k", &k),
            ],
        ),
        alt: labels.fill(
            "meta-regression.alt",
            &[("outcome", outcome), ("time", &time), ("words", &words)],
        ),
        svg,
        width: WIDTH_PT,
        height: HEIGHT_PT,
        words,
    }
}

/// The methods paragraph's sentence on meta-regression; empty without covariates.
pub fn methods_sentence(
    results: &[CovariateResult],
    config: &BriefConfig,
    labels: &Labels,
) -> String {
    let names = &config.analysis.covariates;
    if names.is_empty() {
        return String::new();
    }
    let list = names
        .iter()
        .map(|n| covariate_name(n, labels))
        .collect::<Vec<_>>()
        .join(labels.text("words.list-separator"));
    let min = MIN_STUDIES_PER_COVARIATE.to_string();
    let mut s = labels.fill(
        "meta-regression.methods",
        &[("covariates", &list), ("min", &min)],
    );
    if !results
        .iter()
        .any(|r| matches!(r, CovariateResult::Fitted(_)))
    {
        s.push_str(&labels.fill("meta-regression.methods-none", &[("min", &min)]));
    }
    s
}
