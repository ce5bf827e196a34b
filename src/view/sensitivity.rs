//! Sensitivity and cumulative analyses as the brief shows them, under their outcome where
//! an analysis has at least three studies: a paragraph (leave-one-out range, the analysis
//! without studies at high risk of bias, common beside random effects, influential studies
//! named), a compact figure of those estimates, and a cumulative forest plot by publication
//! year. The summary layout counts the leave-one-out refits instead of drawing each, and names
//! only the first few of a long list of studies.

use serde::Serialize;

use super::forest::{ForestView, LABEL_CHARS, Row, axis_values, build_view, text_row};
use super::words::{capitalise, estimate_ci, measure_label, model_name, time_label};
use crate::analysis::record::EditionRecord;
use crate::analysis::sensitivity::Sensitivity;
use crate::config::{BriefConfig, OutcomeDef};
use crate::data::Project;
use crate::format::{estimate_brackets, is_ratio, show};
use crate::i18n::Labels;
use crate::plot::axis::{Axis, Scale};
use crate::plot::forest::{DiamondStyle, Mark};
use crate::stats::Measure;
use crate::stats::sensitivity::Refit;

/// Most steps a cumulative forest plot draws in the summary layout.
const SUMMARY_STEPS: usize = 20;

/// One outcome and time point's sensitivity analyses.
#[derive(Debug, Serialize)]
pub struct SensitivityView {
    /// The outcome id it belongs to.
    pub outcome: String,
    /// The paragraph.
    pub words: String,
    /// The compact figure of the estimates compared.
    pub figure: ForestView,
    /// The cumulative forest plot by publication year.
    pub cumulative: ForestView,
}

/// The sensitivity views of the brief, in outcome and time order.
pub fn sensitivity_views(
    project: &Project,
    analyses: &[Sensitivity],
    history: &[EditionRecord],
    config: &BriefConfig,
    summary: bool,
    labels: &Labels,
) -> Vec<SensitivityView> {
    analyses
        .iter()
        .filter_map(|s| {
            let def = config
                .outcomes
                .iter()
                .map(|o| o.get_ref())
                .find(|o| o.id == s.outcome)?;
            Some(view(project, s, def, history, config, summary, labels))
        })
        .collect()
}

fn refit_row(kind: &'static str, label: &str, k: usize, r: &Refit, m: Measure, mark: Mark) -> Row {
    let mut row = text_row(kind, label, LABEL_CHARS);
    row.a = k.to_string();
    row.effect = estimate_brackets(m, r.estimate, r.ci_lower, r.ci_upper);
    (row, mark)
}

fn study_mark(r: &Refit) -> Mark {
    Mark::Study {
        estimate: r.estimate,
        lower: r.ci_lower,
        upper: r.ci_upper,
        weight: None,
    }
}

fn diamond(r: &Refit, style: DiamondStyle) -> Mark {
    Mark::Diamond {
        estimate: r.estimate,
        lower: r.ci_lower,
        upper: r.ci_upper,
        style,
    }
}

fn view(
    project: &Project,
    s: &Sensitivity,
    def: &OutcomeDef,
    history: &[EditionRecord],
    config: &BriefConfig,
    summary: bool,
    labels: &Labels,
) -> SensitivityView {
    let m = s.measure;
    let name = |id: &str| {
        project
            .studies
            .iter()
            .find(|st| st.study.id.get_ref() == id)
            .map_or_else(|| id.to_owned(), |st| st.study.label.clone())
    };
    let k = s.ids.len();
    let settings = def.settings(&config.analysis);
    let model = model_name(settings.method, settings.test, labels);
    let ci = |r: &Refit| estimate_ci(m, r.estimate, r.ci_lower, r.ci_upper, labels);
    let (lo_i, hi_i) = min_max(&s.leave_one_out);
    let time = time_label(&s.time, labels);
    let title_args = [("outcome", def.label.as_str()), ("time", time.as_str())];

    // The paragraph.
    let mut words = labels.fill(
        "sensitivity.leave-one-out",
        &[
            ("k", &k.to_string()),
            ("low", &show(m, s.leave_one_out[lo_i].estimate)),
            ("low-study", &name(&s.ids[lo_i])),
            ("high", &show(m, s.leave_one_out[hi_i].estimate)),
            ("high-study", &name(&s.ids[hi_i])),
        ],
    );
    match &s.without_high_risk {
        Some(r) => words.push_str(&labels.fill(
            "sensitivity.without-high-risk",
            &[
                ("studies", &list(&s.high_risk, &name, summary, labels)),
                ("k", &r.k.to_string()),
                ("estimate", &ci(r)),
            ],
        )),
        None if s.high_risk.is_empty() => {
            words.push_str(labels.text("sensitivity.no-high-risk"));
        }
        None => words.push_str(&labels.fill(
            "sensitivity.too-few-without-high-risk",
            &[("studies", &list(&s.high_risk, &name, summary, labels))],
        )),
    }
    if let Some(c) = &s.common {
        words.push_str(&labels.fill(
            "sensitivity.common",
            &[
                ("common", &ci(c)),
                ("random", &ci(&s.full)),
                ("model", &model),
            ],
        ));
    }
    if s.influential.is_empty() {
        words.push_str(labels.text("sensitivity.no-influential"));
    } else {
        words.push_str(&labels.fill(
            "sensitivity.influential",
            &[("studies", &list(&s.influential, &name, summary, labels))],
        ));
    }

    // The compact figure.
    let mut rows: Vec<Row> = vec![refit_row(
        "total",
        &labels.fill("sensitivity.row-all", &[("model", &model)]),
        k,
        &s.full,
        m,
        diamond(&s.full, DiamondStyle::Overall),
    )];
    if summary {
        for (label_key, i) in [
            ("sensitivity.row-lowest", lo_i),
            ("sensitivity.row-highest", hi_i),
        ] {
            rows.push(refit_row(
                "study",
                &labels.fill(label_key, &[("study", &name(&s.ids[i]))]),
                k - 1,
                &s.leave_one_out[i],
                m,
                study_mark(&s.leave_one_out[i]),
            ));
        }
    } else {
        for (i, r) in s.leave_one_out.iter().enumerate() {
            rows.push(refit_row(
                "study",
                &labels.fill("sensitivity.row-without", &[("study", &name(&s.ids[i]))]),
                k - 1,
                r,
                m,
                study_mark(r),
            ));
        }
    }
    if let Some(r) = &s.without_high_risk {
        rows.push(refit_row(
            "subtotal",
            labels.text("sensitivity.row-without-high-risk"),
            r.k,
            r,
            m,
            diamond(r, DiamondStyle::Subtotal),
        ));
    }
    if let Some(c) = &s.common {
        rows.push(refit_row(
            "common",
            labels.text("sensitivity.row-common"),
            k,
            c,
            m,
            diamond(c, DiamondStyle::Common),
        ));
    }
    let mut notes = Vec::new();
    if summary {
        notes.push(labels.fill("sensitivity.summary-note", &[("k", &k.to_string())]));
    }
    let effect_header = capitalise(&labels.fill(
        "forest.effect-header",
        &[("measure", measure_label(m, labels))],
    ));
    let columns = [
        labels.text("sensitivity.column-analysis").to_owned(),
        labels.text("sensitivity.column-studies").to_owned(),
        String::new(),
        String::new(),
        effect_header.clone(),
    ];
    let compact = figure(
        format!("sensitivity-{}-{}", s.outcome, s.time.replace(' ', "-")),
        labels.fill("sensitivity.title", &title_args),
        columns.clone(),
        rows,
        m,
        labels.fill(
            "sensitivity.alt",
            &[("outcome", &def.label), ("time", &time), ("words", &words)],
        ),
        notes,
    );

    // The cumulative forest plot.
    let unknown = labels.text("sensitivity.year-unknown");
    // The summary layout keeps the plot on one page: every `every`-th step and the last.
    let steps = s.cumulative.len();
    let every = if summary {
        steps.div_ceil(SUMMARY_STEPS).max(1)
    } else {
        1
    };
    let cumulative_rows: Vec<Row> = s
        .order
        .iter()
        .zip(&s.cumulative)
        .enumerate()
        .filter(|(j, _)| (j + 1) % every == 0 || j + 1 == steps)
        .map(|(_, (&i, r))| {
            let year = s.years[i].map_or_else(|| unknown.to_owned(), |y| y.to_string());
            let study = name(&s.ids[i]);
            // Labels such as "Zhao 2024" name the year already.
            let label = if study.contains(&year) {
                study
            } else {
                labels.fill(
                    "sensitivity.row-added",
                    &[("study", &study), ("year", &year)],
                )
            };
            refit_row("study", &label, r.k, r, m, study_mark(r))
        })
        .collect();
    let mut cumulative_rows = cumulative_rows;
    let mut cumulative_notes = Vec::new();
    if every > 1 {
        cumulative_notes.push(labels.fill(
            "sensitivity.cumulative-summary-note",
            &[("n", &every.to_string()), ("k", &steps.to_string())],
        ));
    }
    let moved = edition_rows(s, history, labels);
    if !moved.is_empty() {
        cumulative_rows.push((
            text_row(
                "heading",
                labels.text("sensitivity.editions-heading"),
                LABEL_CHARS,
            ),
            Mark::Blank,
        ));
        cumulative_rows.extend(moved);
        cumulative_rows.push(refit_row(
            "total",
            labels.text("sensitivity.this-edition"),
            s.full.k,
            &s.full,
            m,
            diamond(&s.full, DiamondStyle::Overall),
        ));
    }
    let last = s.cumulative.last().unwrap_or(&s.full);
    let cumulative = figure(
        format!("cumulative-{}-{}", s.outcome, s.time.replace(' ', "-")),
        labels.fill("sensitivity.cumulative-title", &title_args),
        [
            labels.text("sensitivity.column-added").to_owned(),
            labels.text("sensitivity.column-studies").to_owned(),
            String::new(),
            String::new(),
            effect_header,
        ],
        cumulative_rows,
        m,
        labels.fill(
            "sensitivity.cumulative-alt",
            &[
                ("outcome", &def.label),
                ("time", &time),
                ("k", &k.to_string()),
                ("first", &ci(&s.cumulative[0])),
                ("last", &ci(last)),
            ],
        ),
        cumulative_notes,
    );
    SensitivityView {
        outcome: s.outcome.clone(),
        words,
        figure: compact,
        cumulative,
    }
}

fn figure(
    id: String,
    title: String,
    columns: [String; 5],
    rows: Vec<Row>,
    m: Measure,
    alt: String,
    notes: Vec<String>,
) -> ForestView {
    let (core, extent) = axis_values(&rows);
    let scale = if is_ratio(m) {
        Scale::Log
    } else {
        Scale::Linear
    };
    let axis = Axis::choose(scale, &core, &extent);
    build_view(id, title, columns, rows, &axis, None, alt, notes)
}

/// Indices of the smallest and largest estimates.
fn min_max(refits: &[Refit]) -> (usize, usize) {
    let mut lo = 0;
    let mut hi = 0;
    for (i, r) in refits.iter().enumerate() {
        if r.estimate < refits[lo].estimate {
            lo = i;
        }
        if r.estimate > refits[hi].estimate {
            hi = i;
        }
    }
    (lo, hi)
}

/// Most studies the summary layout names in a sentence of the paragraph; beyond them it
/// says how many more. A review of hundreds of studies would otherwise print a page of
/// names (every study at high risk of bias) for each outcome; each study's judgement is in
/// the risk-of-bias figures.
const NAMED_IN_SUMMARY: usize = 5;

/// The names of `ids` for a sentence: all of them, or in the `summary` layout the first
/// [`NAMED_IN_SUMMARY`] and the number of the others ("A, B, C, D, E and 493 more").
fn list(ids: &[String], name: &dyn Fn(&str) -> String, summary: bool, labels: &Labels) -> String {
    let separator = labels.text("words.list-separator");
    let join = |ids: &[String]| {
        ids.iter()
            .map(|id| name(id))
            .collect::<Vec<_>>()
            .join(separator)
    };
    if summary && ids.len() > NAMED_IN_SUMMARY {
        labels.fill(
            "words.and-more",
            &[
                ("list", &join(&ids[..NAMED_IN_SUMMARY])),
                ("n", &(ids.len() - NAMED_IN_SUMMARY).to_string()),
            ],
        )
    } else {
        join(ids)
    }
}

/// One row per earlier edition with a pooled estimate at this outcome and time: its
/// estimate and CI (stored on the natural scale, drawn on the analysis scale).
fn edition_rows(s: &Sensitivity, history: &[EditionRecord], labels: &Labels) -> Vec<Row> {
    let to_scale = |x: f64| if is_ratio(s.measure) { x.ln() } else { x };
    history
        .iter()
        .filter_map(|r| {
            let t = r
                .outcomes
                .iter()
                .find(|o| o.id == s.outcome)?
                .times
                .iter()
                .find(|t| t.time == s.time)?;
            let p = t.pooled.as_ref()?;
            let (e, lo, hi) = (p.estimate?, p.ci_lower?, p.ci_upper?);
            let refit = Refit {
                estimate: to_scale(e),
                se: f64::NAN,
                ci_lower: to_scale(lo),
                ci_upper: to_scale(hi),
                tau2: None,
                i2: p.i2.unwrap_or(0.0),
                q: f64::NAN,
                k: p.k,
            };
            refit
                .estimate
                .is_finite()
                .then_some(())
                .and(refit.ci_lower.is_finite().then_some(()))
                .and(refit.ci_upper.is_finite().then_some(()))?;
            Some(refit_row(
                "study",
                &labels.fill("sensitivity.edition", &[("edition", &r.edition)]),
                p.k,
                &refit,
                s.measure,
                diamond(&refit, DiamondStyle::Subtotal),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("s{i}")).collect()
    }

    fn name(id: &str) -> String {
        format!("Study {}", &id[1..])
    }

    #[test]
    fn the_summary_layout_names_five_studies_and_counts_the_others() {
        let en = Language::En.labels();
        assert_eq!(
            list(&ids(498), &name, true, en),
            "Study 1, Study 2, Study 3, Study 4, Study 5 and 493 more"
        );
        let zh = Language::Zh.labels();
        assert_eq!(
            list(&ids(7), &name, true, zh),
            "Study 1、Study 2、Study 3、Study 4、Study 5及另外 2 项研究"
        );
    }

    #[test]
    fn a_short_list_and_the_full_layout_name_every_study() {
        let en = Language::En.labels();
        assert_eq!(
            list(&ids(5), &name, true, en),
            "Study 1, Study 2, Study 3, Study 4, Study 5"
        );
        let all = list(&ids(12), &name, false, en);
        assert!(all.ends_with("Study 11, Study 12"), "{all}");
        assert!(!all.contains("more"));
    }
}
