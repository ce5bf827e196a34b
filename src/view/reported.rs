//! How the forest plot words a row entered as its report prints it (`[[effects]]`): the
//! "as reported" cell, and the footnote steps saying what was printed (estimate with its
//! 95% CI, SE or P) and what the estimate was adjusted for. The conversions behind it
//! (SE from the CI or the P value) follow as the row's audit steps.

use crate::analysis::StudyEffectRow;
use crate::i18n::Labels;
use crate::stats::Measure;
use crate::stats::reported::Precision;

use super::words::measure_label;

/// The arm cells of a reported row: "as reported" and nothing under the control arm, or
/// each arm's size where every row of the figure is reported (a time-to-event outcome,
/// whose columns hold participants).
pub(super) fn arm_cells(r: &StudyEffectRow, sizes: bool, labels: &Labels) -> (String, String) {
    if sizes {
        let n = |d: &crate::analysis::ArmData| format!("{}", d.n());
        (n(&r.intervention_data), n(&r.control_data))
    } else {
        (labels.text("forest.as-reported").to_owned(), String::new())
    }
}

/// The footnote steps of a reported row (none for other rows): "hazard ratio and 95% CI
/// as reported", then "adjusted for …" or "unadjusted".
pub(super) fn steps(
    r: &StudyEffectRow,
    m: Measure,
    ctx: &super::forest::ForestContext,
) -> Vec<String> {
    let labels = ctx.labels;
    let Some(rep) = &r.reported else {
        return Vec::new();
    };
    let key = match rep.precision {
        Precision::Ci { .. } => "forest.reported-ci",
        Precision::Se { .. } => "forest.reported-se",
        Precision::P { .. } => "forest.reported-p",
    };
    let what = labels.fill(key, &[("measure", measure_label(m, labels))]);
    let adjusted = match &rep.adjusted_for {
        Some(covariates) => {
            let covariates = ctx
                .prose
                .map_or_else(|| covariates.clone(), |l| l.prose(covariates));
            labels.fill("forest.adjusted-for", &[("what", &covariates)])
        }
        None => labels.text("forest.unadjusted").to_owned(),
    };
    vec![what, adjusted]
}

/// The row of the outcome's table of reported values for an effect as its report prints
/// it: "hazard ratio 0.72 (95% CI 0.55 to 0.94), adjusted for age" between the two arms.
pub(super) fn value_row(
    s: &crate::data::LoadedStudy,
    e: &crate::data::effects::ReportedEffect,
    labels: &Labels,
) -> super::studies::ValueRow {
    use super::studies::{arm_label, lit};
    let st = &s.study;
    let text = &s.file.text;
    let measure = crate::analysis::stats_measure(*e.measure.get_ref());
    let precision = match (&e.ci_lower, &e.ci_upper, &e.se, &e.p) {
        (Some(l), Some(u), _, _) => labels.fill(
            "view.reported-ci",
            &[("lower", &lit(text, l)), ("upper", &lit(text, u))],
        ),
        (_, _, Some(se), _) => labels.fill("view.reported-se", &[("se", &lit(text, se))]),
        (_, _, _, Some(p)) => labels.fill("view.reported-p", &[("p", &lit(text, p))]),
        _ => String::new(),
    };
    let adjusted = match (e.adjusted.get_ref(), &e.adjusted_for) {
        (true, Some(what)) => labels.fill("forest.adjusted-for", &[("what", what)]),
        _ => labels.text("forest.unadjusted").to_owned(),
    };
    let arms = e.compared_arms(st);
    let n: Option<i64> =
        arms.and_then(|(a, b)| Some(st.arm_size(a, None)? + st.arm_size(b, None)?));
    super::studies::ValueRow {
        study: st.label.clone(),
        cite: e.source.report.get_ref().clone(),
        time: crate::i18n::time_label(e.time.get_ref(), labels),
        arm: arms.map_or_else(String::new, |(a, b)| {
            [arm_label(st, a), arm_label(st, b)].join(labels.text("view.versus"))
        }),
        value: labels.fill(
            "view.reported-effect",
            &[
                ("measure", measure_label(measure, labels)),
                ("estimate", &lit(text, &e.estimate)),
                ("precision", &precision),
                ("adjusted", &adjusted),
            ],
        ),
        n: n.map_or_else(
            || labels.text("view.n-not-reported").to_owned(),
            |n| n.to_string(),
        ),
        source: if e.analyse && !st.is_second_hand(&e.source) {
            e.source.at.clone()
        } else {
            labels.fill("view.not-analysed", &[("source", &e.source.at)])
        },
        note: e.note.clone().unwrap_or_default(),
    }
}
