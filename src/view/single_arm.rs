//! The "Uncontrolled evidence" section: registries, uncontrolled arms and case series,
//! each arm's value as printed with what can be computed from it (an exact interval for a
//! proportion, a t interval for a mean change), and pooled estimates where two or more arms
//! report the same outcome and time. Kept apart from the comparative results: nothing here
//! feeds a forest plot, a pooled comparison or the summary of findings.

use serde::Serialize;

use super::studies::{arm_label, value_row};
use super::words::{model_name, time_label};
use crate::analysis::single_arm::{
    ArmEstimate, CHANGE_CORRELATION, PooledSingleArm, SingleArmAnalysis, SingleArmRow,
};
use crate::config::{BriefConfig, Proportions};
use crate::data::Project;
use crate::data::model::Measurement;
use crate::format::fixed;
use crate::i18n::Labels;
use crate::stats::Measure;

/// The section as the template shows it; empty `outcomes` when the brief has no
/// single-arm evidence (the section is then left out).
#[derive(Debug, Default, Serialize)]
pub struct SingleArmView {
    /// How the values are summarised, in words (methods of the section).
    pub methods: String,
    /// One block per outcome with single-arm values.
    pub outcomes: Vec<SingleArmOutcomeView>,
}

/// One outcome's single-arm values.
#[derive(Debug, Serialize)]
pub struct SingleArmOutcomeView {
    /// Outcome label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// One row per arm and time point, earliest time first.
    pub rows: Vec<SingleArmRowView>,
    /// One sentence per time point with a pooled estimate.
    pub pooled: Vec<String>,
}

/// One arm at one time point.
#[derive(Debug, Serialize)]
pub struct SingleArmRowView {
    /// Study label.
    pub study: String,
    /// Report key of the follow-up value, for the citation.
    pub cite: String,
    /// The study's design ("Retrospective registry").
    pub design: String,
    /// Arm label.
    pub arm: String,
    /// Time point.
    pub time: String,
    /// The baseline value as printed ("" without one).
    pub baseline: String,
    /// The follow-up value as printed.
    pub value: String,
    /// Participants analysed, or why unknown.
    pub n: String,
    /// What evbrief computes from it, with its interval, or why nothing.
    pub estimate: String,
    /// Where the value was read.
    pub source: String,
}

/// Builds the section from the analysis.
pub fn single_arm_view(
    project: &Project,
    analysis: &SingleArmAnalysis,
    config: &BriefConfig,
    labels: &Labels,
) -> SingleArmView {
    let outcomes: Vec<SingleArmOutcomeView> = analysis
        .outcomes
        .iter()
        .filter_map(|o| {
            let def = config
                .outcomes
                .iter()
                .find(|d| d.get_ref().id == o.outcome)?;
            let def = def.get_ref();
            let mut rows = Vec::new();
            let mut pooled = Vec::new();
            for t in &o.times {
                for r in &t.rows {
                    if let Some(row) = row_view(project, r, labels) {
                        rows.push(row);
                    }
                }
                if let Some(p) = &t.pooled {
                    let settings = def.settings(&config.analysis);
                    pooled.push(pooled_text(
                        p,
                        &time_label(&t.time, labels),
                        &model_name(settings.method, settings.test, labels),
                        labels,
                    ));
                }
            }
            Some(SingleArmOutcomeView {
                label: def.label.clone(),
                unit: def.unit.clone(),
                rows,
                pooled,
            })
        })
        .collect();
    if outcomes.is_empty() {
        return SingleArmView::default();
    }
    let scale = match config.analysis.proportions {
        Proportions::Logit => labels.text("single-arm.scale-logit"),
        Proportions::FreemanTukey => labels.text("single-arm.scale-freeman-tukey"),
    };
    SingleArmView {
        methods: labels.fill(
            "single-arm.methods",
            &[("scale", scale), ("r", &fixed(CHANGE_CORRELATION, 1))],
        ),
        outcomes,
    }
}

fn row_view(project: &Project, r: &SingleArmRow, labels: &Labels) -> Option<SingleArmRowView> {
    let s = project
        .studies
        .iter()
        .find(|s| s.study.id.get_ref() == &r.study)?;
    let st = &s.study;
    let follow = st.results.get(r.follow_up)?;
    let base = r.baseline.and_then(|i| st.results.get(i));
    let shown = value_row(s, follow, labels);
    Some(SingleArmRowView {
        study: st.label.clone(),
        cite: shown.cite,
        design: labels
            .text(&format!("design.{}", st.design.key()))
            .to_owned(),
        arm: arm_label(st, &r.arm),
        time: shown.time,
        baseline: base
            .map(|b| value_row(s, b, labels).value)
            .unwrap_or_default(),
        value: shown.value,
        n: shown.n,
        estimate: estimate_text(&s.file.text, base, follow, &r.estimate, labels),
        source: shown.source,
    })
}

/// Decimals of a printed number ("7.52" → 2).
fn decimals(text: &str, m: Option<&Measurement>) -> usize {
    m.and_then(|m| m.mean.as_ref())
        .and_then(|v| text.get(v.span()))
        .and_then(|t| t.trim().split_once('.'))
        .map_or(0, |(_, d)| d.len())
}

fn estimate_text(
    text: &str,
    base: Option<&Measurement>,
    follow: &Measurement,
    estimate: &ArmEstimate,
    labels: &Labels,
) -> String {
    // A difference of two printed means keeps their printed precision.
    let places = decimals(text, base).max(decimals(text, Some(follow)));
    let num = |x: f64| fixed(x, places);
    match estimate {
        ArmEstimate::Proportion { ci, .. } => labels.fill(
            "single-arm.proportion",
            &[
                ("estimate", &fixed(100.0 * ci.estimate, 1)),
                ("lower", &fixed(100.0 * ci.lower, 1)),
                ("upper", &fixed(100.0 * ci.upper, 1)),
            ],
        ),
        ArmEstimate::MeanChange {
            change,
            ci_lower,
            ci_upper,
            ..
        } => labels.fill(
            "single-arm.change",
            &[
                ("change", &num(*change)),
                ("lower", &num(*ci_lower)),
                ("upper", &num(*ci_upper)),
            ],
        ),
        ArmEstimate::ChangeWithoutN { change } => {
            labels.fill("single-arm.change-without-n", &[("change", &num(*change))])
        }
        ArmEstimate::AsPrinted if follow.median.is_some() => {
            labels.text("single-arm.medians").to_owned()
        }
        ArmEstimate::AsPrinted if base.is_none() && follow.mean.is_some() => {
            labels.text("single-arm.no-baseline").to_owned()
        }
        ArmEstimate::AsPrinted => labels.text("single-arm.as-printed").to_owned(),
    }
}

/// "Month 6, 3 arms pooled (random effects …): 35.2% (95% CI 20.1% to 54.0%), I² = 41%."
fn pooled_text(p: &PooledSingleArm, time: &str, model: &str, labels: &Labels) -> String {
    let (estimate, lower, upper) = match p.measure {
        Measure::MC => {
            let places = 2;
            (
                fixed(p.estimate, places),
                fixed(p.ci_lower, places),
                fixed(p.ci_upper, places),
            )
        }
        _ => (
            fixed(100.0 * p.estimate, 1),
            fixed(100.0 * p.ci_lower, 1),
            fixed(100.0 * p.ci_upper, 1),
        ),
    };
    let key = if p.measure == Measure::MC {
        "single-arm.pooled-change"
    } else {
        "single-arm.pooled-proportion"
    };
    labels.fill(
        key,
        &[
            ("time", time),
            ("k", &p.result.k.to_string()),
            ("model", model),
            ("estimate", &estimate),
            ("lower", &lower),
            ("upper", &upper),
            ("i2", &p.result.i2.map_or_else(String::new, |i| fixed(i, 0))),
        ],
    )
}
