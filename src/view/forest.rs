//! Forest plots as the template sees them: rows of text (study, arm data, weight, effect)
//! beside one SVG per panel drawn by [`crate::plot::forest`], in rows of equal heights.
//!
//! Tall figures are cut into panels of at most [`MAX_PANEL_LINES`] lines; each panel
//! repeats the column headers and the axis, and the template keeps a panel on one page,
//! so 300 studies continue over pages instead of shrinking into unreadability.

use serde::Serialize;

use super::words::{
    capitalise, estimate_brackets, estimate_ci, is_ratio, measure_label, model_name, show,
    time_label,
};
use crate::analysis::{ArmData, OutcomeAnalysis, StudyEffectRow, TimeAnalysis};
use crate::config::{Direction, OutcomeDef, OutcomeKind};
use crate::format::fixed;
use crate::i18n::Labels;
use crate::plot::axis::{Axis, Scale};
use crate::plot::forest::{
    DiamondStyle, Favours, Geometry, Mark, PlotRow, max_weight, render_panel,
};
use crate::plot::risk_of_bias::{Judgement, MarkRow, mark_column_svg};
use crate::stats::Measure;
use crate::stats::pool::PoolResult;
use crate::stats::pool::subgroup::SubgroupPool;
use crate::text::wrap_columns;

/// Most text lines in one panel: fits an A4 or US Letter page with its headers.
pub const MAX_PANEL_LINES: u32 = 44;
/// Characters per line of a study label before it wraps.
pub(super) const LABEL_CHARS: usize = 30;
/// Characters per line of a note row (heterogeneity, tests) before it wraps.
pub(super) const NOTE_CHARS: usize = 78;

/// A text row with the mark drawn beside it.
pub(super) type Row = (ForestRow, Mark);

/// One forest plot.
#[derive(Debug, Clone, Serialize)]
pub struct ForestView {
    /// Anchor-safe id ("hba1c-target-week-9").
    pub id: String,
    /// Caption ("HbA1c below 7.0%, week 9").
    pub title: String,
    /// Column headers: label, first data column, second data column, weight, effect.
    pub columns: [String; 5],
    /// Width of the graphical column, in points.
    pub plot_width: f64,
    /// Height of one text line, in points.
    pub line_height: f64,
    /// Height of the header row, in points.
    pub header_height: f64,
    /// Height of the axis band under the rows, in points.
    pub axis_height: f64,
    /// The figure in pieces that each fit a page.
    pub panels: Vec<ForestPanel>,
    /// Width of the risk-of-bias column in points; 0 when the figure has none.
    pub rob_width: f64,
    /// Text alternative for screen readers, also printed under the figure.
    pub alt: String,
    /// Footnotes: conversions behind marked rows, the model used.
    pub notes: Vec<String>,
}

/// A page-sized piece of a forest plot.
#[derive(Debug, Clone, Serialize)]
pub struct ForestPanel {
    /// Rows, top to bottom.
    pub rows: Vec<ForestRow>,
    /// The graphical column for these rows plus the axis.
    pub svg: String,
    /// Each study row's overall risk-of-bias mark, rows of the same heights.
    pub rob_svg: Option<String>,
    /// True for every panel after the first.
    pub continued: bool,
}

/// One text row of a forest plot.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ForestRow {
    /// "study", "heading", "subtotal", "total", "common", "prediction" or "note".
    pub kind: &'static str,
    /// Label lines (a long study label wraps).
    pub label: Vec<String>,
    /// Bibliography keys to cite after the label.
    pub cites: Vec<String>,
    /// Footnote marker ("a") pointing at the conversions used.
    pub marker: String,
    /// First data column (intervention arm, or number of studies).
    pub a: String,
    /// Second data column (control arm, or participants).
    pub b: String,
    /// Weight, "12.3%".
    pub weight: String,
    /// Effect and CI, "2.15 [1.16, 4.00]", or "not estimable".
    pub effect: String,
    /// Height in lines.
    pub lines: u32,
    /// For a study row, its overall risk of bias (`Some(None)`: not assessed); `None` for
    /// other rows or when the figure has no risk-of-bias column.
    #[serde(skip)]
    pub rob: Option<Option<Judgement>>,
}

/// What the forest needs to know about the outcome and the brief.
pub struct ForestContext<'a> {
    /// The outcome's definition.
    pub outcome: &'a OutcomeDef,
    /// Short intervention name for headers and favours labels.
    pub intervention: &'a str,
    /// Short comparison name.
    pub control: &'a str,
    /// Study label and citation keys by study id.
    pub study: &'a dyn Fn(&str) -> (String, Vec<String>),
    /// Overall risk of bias by study id (`None`: not assessed); without it the figure
    /// has no risk-of-bias column.
    pub risk_of_bias: Option<RobLookup<'a>>,
    /// The summary layout of a large brief: each subgroup's studies drawn as one
    /// caterpillar band instead of a row each (see [`crate::config::Detail`]).
    pub summary: bool,
    /// The fixed words of the brief's language (headers, totals, notes, favours labels).
    pub labels: &'a Labels,
    /// Pairs of studies that may share participants: a plot that includes both is marked
    /// and footnoted.
    pub overlaps: &'a [crate::analysis::overlap::Overlap],
    /// Puts curated texts the analysis carries (what a reported effect was adjusted for)
    /// into the edition's language; `None` for English.
    pub prose: Option<&'a crate::data::localise::Localiser<'a>>,
}

/// Overall risk of bias by study id; `None` when the study was not assessed.
pub type RobLookup<'a> = &'a dyn Fn(&str) -> Option<Judgement>;

/// One forest plot per time point of an outcome (each has at least one study effect).
pub fn outcome_forests(a: &OutcomeAnalysis, ctx: &ForestContext) -> Vec<ForestView> {
    a.times.iter().map(|t| time_forest(a, t, ctx)).collect()
}

fn time_forest(a: &OutcomeAnalysis, t: &TimeAnalysis, ctx: &ForestContext) -> ForestView {
    let m = a.measure;
    let o = ctx.outcome;
    let method = a.settings.method;
    let test = a.settings.test;
    let labels = ctx.labels;
    let mut rows: Vec<Row> = Vec::new();
    let mut notes = Vec::new();
    let mut markers = 0usize;
    // Weights mean something only when something was pooled.
    let pooled_many = t.pooled.as_ref().is_some_and(|p| !p.single_study);
    let groups: Vec<Option<&SubgroupPool>> = match &t.subgroups {
        Some(s) => s.subgroups.iter().map(Some).collect(),
        None => vec![None],
    };
    for group in groups {
        let members: Vec<&StudyEffectRow> = t
            .studies
            .iter()
            .filter(|r| group.is_none_or(|g| g.name == r.subgroup))
            .collect();
        if let Some(g) = group {
            rows.push((text_row("heading", &g.name, LABEL_CHARS), Mark::Blank));
        }
        if ctx.summary {
            rows.push(band_row(&members, pooled_many, labels));
        }
        for r in members.iter().filter(|_| !ctx.summary) {
            let (label, study_cites) = (ctx.study)(&r.study);
            // A subgroup's result says whose it is.
            let label = match &r.population {
                Some(p) => {
                    labels.fill("overlap.population", &[("name", &label), ("population", p)])
                }
                None => label,
            };
            // The row cites the report its numbers come from; the study's other reports
            // are cited in the table of included studies.
            let cites = if r.report.is_empty() {
                study_cites
            } else {
                vec![r.report.clone()]
            };
            let marker = if r.audit.is_empty() && r.reported.is_none() {
                String::new()
            } else {
                let letter = marker_letter(markers);
                markers += 1;
                let steps: Vec<String> = super::reported::steps(r, m, ctx)
                    .into_iter()
                    .chain(r.audit.iter().map(|a| {
                        let args: Vec<(&str, &str)> = a
                            .params
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        labels.fill(a.label_key(), &args)
                    }))
                    .collect();
                notes.push(labels.fill(
                    "forest.conversion-note",
                    &[
                        ("marker", &letter),
                        ("study", &label),
                        ("steps", &steps.join(labels.text("forest.step-separator"))),
                    ],
                ));
                letter
            };
            let label = wrap_columns(&label, LABEL_CHARS);
            let (a, b) = match r.reported {
                Some(_) => {
                    super::reported::arm_cells(r, o.kind == OutcomeKind::TimeToEvent, labels)
                }
                None => (arm_text(&r.intervention_data), arm_text(&r.control_data)),
            };
            let weight = r.weight.filter(|_| pooled_many);
            let (effect, mark) = match (r.effect.yi, r.ci_lower, r.ci_upper) {
                (Some(y), Some(lo), Some(hi)) => (
                    estimate_brackets(m, y, lo, hi),
                    Mark::Study {
                        estimate: y,
                        lower: lo,
                        upper: hi,
                        weight,
                    },
                ),
                _ => (labels.text("forest.not-estimable").to_owned(), Mark::Blank),
            };
            rows.push((
                ForestRow {
                    kind: "study",
                    lines: label.len() as u32,
                    label,
                    cites,
                    marker,
                    a,
                    b,
                    weight: weight.map_or_else(|| "—".to_owned(), |w| format!("{}%", fixed(w, 1))),
                    effect,
                    rob: ctx.risk_of_bias.map(|f| f(&r.study)),
                },
                mark,
            ));
        }
        if let Some(g) = group
            && let Some(p) = g.result.as_ref().filter(|p| !p.single_study)
        {
            let name = labels.fill(
                "forest.subtotal",
                &[("group", &g.name), ("k", &p.k.to_string())],
            );
            rows.push(total_row(
                "subtotal",
                &name,
                &members,
                p,
                m,
                DiamondStyle::Subtotal,
            ));
            rows.push(note_row(&heterogeneity_line(p, labels)));
        }
    }
    let all: Vec<&StudyEffectRow> = t.studies.iter().collect();
    let ids: Vec<&str> = t.studies.iter().map(|r| r.study.as_str()).collect();
    let label_of = |id: &str| (ctx.study)(id).0;
    let overlap_marker = super::overlap::marker_for(ctx.overlaps, &ids, labels);
    match &t.pooled {
        Some(p) if !p.single_study => {
            let key = if t.common.is_some() {
                "forest.random-effects"
            } else {
                "forest.total"
            };
            let name = labels.fill(key, &[("k", &p.k.to_string())]) + &overlap_marker;
            rows.push(total_row("total", &name, &all, p, m, DiamondStyle::Overall));
            if let Some(c) = &t.common {
                rows.push(total_row(
                    "common",
                    labels.text("forest.common-effect"),
                    &all,
                    c,
                    m,
                    DiamondStyle::Common,
                ));
            }
            if a.settings.prediction
                && p.k >= 3
                && let (Some(lo), Some(hi)) = (p.pi_lower, p.pi_upper)
            {
                let mut row = text_row(
                    "prediction",
                    labels.text("forest.prediction-interval"),
                    LABEL_CHARS,
                );
                row.effect = format!("[{}, {}]", show(m, lo), show(m, hi));
                rows.push((
                    row,
                    Mark::Prediction {
                        lower: lo,
                        upper: hi,
                    },
                ));
            }
            rows.push(note_row(&heterogeneity_line(p, labels)));
            if let (Some(stat), Some(pv)) = (p.statistic, p.p) {
                let name = if p.df.is_some() { "t" } else { "z" };
                rows.push(note_row(&labels.fill(
                    "forest.overall-test",
                    &[
                        ("statistic", name),
                        ("value", &fixed(stat, 2)),
                        ("p", &p_value(pv)),
                    ],
                )));
            }
            if let Some(s) = &t.subgroups
                && let (Some(q), Some(df), Some(pv)) = (s.q_between, s.q_between_df, s.q_between_p)
            {
                rows.push(note_row(&labels.fill(
                    "forest.subgroup-test",
                    &[
                        ("q", &fixed(q, 2)),
                        ("df", &df.to_string()),
                        ("p", &p_value(pv)),
                    ],
                )));
            }
        }
        Some(_) => rows.push(note_row(labels.text("forest.single-study"))),
        None => rows.push(note_row(&match &t.pooling_error {
            Some(e) => labels.fill("forest.not-pooled", &[("reason", &e.words(labels))]),
            None => labels.text("forest.nothing-to-pool").to_owned(),
        })),
    }
    if let Some(p) = &t.pooled
        && !p.single_study
    {
        notes.push(labels.fill(
            "forest.model-note",
            &[
                ("measure", &capitalise(measure_label(m, labels))),
                ("model", &model_name(method, test, labels)),
            ],
        ));
    }
    notes.extend(super::overlap::notes_for(
        ctx.overlaps,
        &ids,
        &label_of,
        labels,
    ));
    if ctx.summary {
        let converted = t.studies.iter().filter(|r| !r.audit.is_empty()).count();
        notes.push(labels.fill(
            "forest.band-note",
            &[("converted", &labels.count(converted, "words.studies"))],
        ));
    } else if ctx.risk_of_bias.is_some() {
        notes.push(labels.text("forest.rob-note").to_owned());
    }

    let scale = if is_ratio(m) {
        Scale::Log
    } else {
        Scale::Linear
    };
    let (core, extent) = axis_values(&rows);
    let axis = Axis::choose(scale, &core, &extent);
    let (left, right) = favours_sides(o.better, ctx.intervention, ctx.control, labels);
    let data_header = labels.text(match o.kind {
        OutcomeKind::Binary => "forest.events-total",
        OutcomeKind::Continuous => "forest.mean-sd-n",
        OutcomeKind::TimeToEvent => "forest.participants",
    });
    let arm_header = |arm: &str| {
        labels.fill(
            "forest.arm-header",
            &[("arm", &capitalise(arm)), ("data", data_header)],
        )
    };
    let columns = [
        labels.text("forest.study").to_owned(),
        arm_header(ctx.intervention),
        arm_header(ctx.control),
        labels.text("forest.weight").to_owned(),
        labels.fill(
            "forest.effect-header",
            &[("measure", &capitalise(measure_label(m, labels)))],
        ),
    ];
    let title = labels.fill(
        "forest.title",
        &[
            ("outcome", &o.label),
            ("time", &time_label(&t.time, labels)),
        ],
    );
    let alt = alt_text(&title, t, m, &o.unit, labels);
    build_view(
        format!("{}-{}", o.id, t.time.replace(' ', "-")),
        title,
        columns,
        rows,
        &axis,
        Some(Favours { left, right }),
        alt,
        notes,
    )
}

/// Builds a view from rows: cuts panels and draws each one.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_view(
    id: String,
    title: String,
    columns: [String; 5],
    rows: Vec<Row>,
    axis: &Axis,
    favours: Option<Favours>,
    alt: String,
    notes: Vec<String>,
) -> ForestView {
    let g = Geometry {
        axis_height: if favours.is_some() { 36.0 } else { 18.0 },
        ..Geometry::default()
    };
    let plot_rows: Vec<PlotRow> = rows
        .iter()
        .map(|(r, m)| PlotRow {
            lines: r.lines,
            mark: m.clone(),
        })
        .collect();
    let heaviest = max_weight(&plot_rows);
    let with_rob = rows.iter().any(|(r, _)| r.rob.is_some());
    let mut panels: Vec<ForestPanel> = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let mut end = start;
        let mut lines = 0;
        while end < rows.len() && (end == start || lines + rows[end].0.lines <= MAX_PANEL_LINES) {
            lines += rows[end].0.lines;
            end += 1;
        }
        panels.push(ForestPanel {
            rows: rows[start..end].iter().map(|(r, _)| r.clone()).collect(),
            svg: render_panel(axis, &plot_rows[start..end], favours.as_ref(), heaviest, &g),
            // A panel of summary rows only (a tall plot's last page can be just its
            // totals) has no marks: no column, rather than an SVG of zero width.
            rob_svg: (with_rob && rows[start..end].iter().any(|(r, _)| r.rob.is_some())).then(
                || {
                    let marks: Vec<MarkRow> = rows[start..end]
                        .iter()
                        .map(|(r, _)| MarkRow {
                            height_pt: f64::from(r.lines) * g.line_height,
                            marks: r.rob.map(|j| vec![j]).unwrap_or_default(),
                        })
                        .collect();
                    mark_column_svg(&marks, ROB_WIDTH)
                },
            ),
            continued: start > 0,
        });
        start = end;
    }
    ForestView {
        id,
        title,
        columns,
        plot_width: g.width,
        line_height: g.line_height,
        header_height: 2.0 * g.line_height + 5.0,
        axis_height: g.axis_height,
        panels,
        rob_width: if with_rob { ROB_WIDTH } else { 0.0 },
        alt,
        notes,
    }
}

/// Width of the risk-of-bias column beside forest rows, in points.
pub(super) const ROB_WIDTH: f64 = 14.0;

/// a, b, …, z, aa, ab …
pub(super) fn marker_letter(i: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    if i < 26 {
        (letters[i] as char).to_string()
    } else {
        format!("{}{}", marker_letter(i / 26 - 1), letters[i % 26] as char)
    }
}

/// "P = 0.04", "P < 0.001".
pub(crate) fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        format!("= {}", fixed(p, if p < 0.01 { 3 } else { 2 }))
    }
}

pub(super) fn arm_text(d: &ArmData) -> String {
    match *d {
        ArmData::Events { events, n } => format!("{events}/{n}"),
        ArmData::Means { mean, sd, n } => format!("{} ({}), {n}", num(mean), num(sd)),
        ArmData::Size { n } => format!("{n}"),
    }
}

/// Two decimals below 100, one above: enough for means read off papers.
pub(super) fn num(x: f64) -> String {
    fixed(x, if x.abs() < 100.0 { 2 } else { 1 })
}

pub(super) fn text_row(kind: &'static str, text: &str, width: usize) -> ForestRow {
    let label = wrap_columns(text, width);
    ForestRow {
        kind,
        lines: label.len() as u32,
        label,
        cites: Vec::new(),
        marker: String::new(),
        a: String::new(),
        b: String::new(),
        weight: String::new(),
        effect: String::new(),
        rob: None,
    }
}

pub(super) fn note_row(text: &str) -> Row {
    (text_row("note", text, NOTE_CHARS), Mark::Blank)
}

pub(super) fn total_row(
    kind: &'static str,
    name: &str,
    members: &[&StudyEffectRow],
    p: &PoolResult,
    m: Measure,
    style: DiamondStyle,
) -> Row {
    let mut row = text_row(kind, name, LABEL_CHARS);
    row.a = arm_sum(members, |r| r.intervention_data);
    row.b = arm_sum(members, |r| r.control_data);
    row.weight = if kind == "total" {
        "100.0%".to_owned()
    } else if kind == "subtotal" {
        let w: f64 = members.iter().filter_map(|r| r.weight).sum();
        format!("{}%", fixed(w, 1))
    } else {
        String::new()
    };
    row.effect = estimate_brackets(m, p.estimate, p.ci_lower, p.ci_upper);
    (
        row,
        Mark::Diamond {
            estimate: p.estimate,
            lower: p.ci_lower,
            upper: p.ci_upper,
            style,
        },
    )
}

/// One arm's data summed over `members`: "events/total" when every study counts events,
/// else the number of participants.
pub(super) fn arm_sum(members: &[&StudyEffectRow], arm: fn(&StudyEffectRow) -> ArmData) -> String {
    let data: Vec<ArmData> = members.iter().map(|r| arm(r)).collect();
    let n: f64 = data.iter().map(ArmData::n).sum();
    if data.iter().all(|d| matches!(d, ArmData::Events { .. })) {
        let e: f64 = data
            .iter()
            .map(|d| match d {
                ArmData::Events { events, .. } => *events,
                ArmData::Means { .. } | ArmData::Size { .. } => 0.0,
            })
            .sum();
        format!("{e}/{n}")
    } else {
        format!("{n}")
    }
}

/// Text lines a band of `k` studies is tall: a line per 25 studies, from 4 to 14 lines, so
/// a forest of two subgroup bands with their headings and totals fits one panel.
pub(super) fn band_lines(k: usize) -> u32 {
    k.div_ceil(25).clamp(4, 14) as u32
}

/// The row that stands for a subgroup's (or the outcome's) studies in the summary layout:
/// all their estimates as one caterpillar band, with the arms' summed data and weights.
pub(super) fn band_row(members: &[&StudyEffectRow], pooled_many: bool, labels: &Labels) -> Row {
    let mut intervals: Vec<[f64; 3]> = members
        .iter()
        .filter_map(|r| match (r.effect.yi, r.ci_lower, r.ci_upper) {
            (Some(y), Some(lo), Some(hi)) => Some([y, lo, hi]),
            _ => None,
        })
        .collect();
    intervals.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let k = intervals.len();
    let mut label = labels.fill(
        "forest.band",
        &[("studies", &labels.count(k, "words.studies"))],
    );
    if members.len() > k {
        label.push_str(&labels.fill(
            "forest.band-not-estimable",
            &[("n", &(members.len() - k).to_string())],
        ));
    }
    let mut row = text_row("band", &label, LABEL_CHARS);
    row.lines = row.lines.max(band_lines(k));
    if !members.is_empty() {
        row.a = arm_sum(members, |r| r.intervention_data);
        row.b = arm_sum(members, |r| r.control_data);
    }
    row.weight = if pooled_many {
        let w: f64 = members.iter().filter_map(|r| r.weight).sum();
        format!("{}%", fixed(w, 1))
    } else {
        "—".to_owned()
    };
    (row, Mark::Band { intervals })
}

pub(super) fn heterogeneity_line(p: &PoolResult, labels: &Labels) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.tau2 {
        parts.push(format!("τ² = {}", fixed(t, 3)));
    }
    if let Some(i) = p.i2 {
        parts.push(format!("I² = {}%", fixed(i, 0)));
    }
    if let (Some(q), Some(df), Some(pv)) = (p.q, p.q_df, p.q_p) {
        parts.push(labels.fill(
            "forest.q-test",
            &[
                ("q", &fixed(q, 2)),
                ("df", &df.to_string()),
                ("p", &p_value(pv)),
            ],
        ));
    }
    labels.fill(
        "forest.heterogeneity",
        &[("parts", &parts.join(labels.text("forest.step-separator")))],
    )
}

/// Values that must be visible (estimates, pooled CIs, PIs) and those that may be clipped.
pub(super) fn axis_values(rows: &[Row]) -> (Vec<f64>, Vec<f64>) {
    let mut core = Vec::new();
    let mut extent = Vec::new();
    for (_, mark) in rows {
        match *mark {
            Mark::Study {
                estimate,
                lower,
                upper,
                ..
            } => {
                core.push(estimate);
                extent.extend([lower, upper]);
            }
            Mark::Diamond {
                estimate,
                lower,
                upper,
                ..
            } => core.extend([estimate, lower, upper]),
            Mark::Prediction { lower, upper } => extent.extend([lower, upper]),
            Mark::Band { ref intervals } => {
                for [estimate, lower, upper] in intervals {
                    core.push(*estimate);
                    extent.extend([*lower, *upper]);
                }
            }
            Mark::Blank => {}
        }
    }
    (core, extent)
}

/// Which side of the line of no effect favours which arm, from the outcome's direction:
/// values right of it mean more events or higher values with the intervention.
pub(crate) fn favours_sides(
    better: Direction,
    intervention: &str,
    control: &str,
    labels: &Labels,
) -> (String, String) {
    let i = labels.fill("forest.favours", &[("arm", intervention)]);
    let c = labels.fill("forest.favours", &[("arm", control)]);
    match better {
        Direction::Higher => (c, i),
        Direction::Lower => (i, c),
    }
}

/// "HbA1c below 7.0%, week 9: 1 study, 65 participants, risk ratio 2.15 (95% CI 1.16 to 4.00);
/// single study, not pooled."
pub(super) fn alt_text(
    title: &str,
    t: &TimeAnalysis,
    m: Measure,
    unit: &str,
    labels: &Labels,
) -> String {
    let k = t.studies.len();
    let participants: f64 = t.studies.iter().map(|r| r.participants).sum();
    let unit = if is_ratio(m) || unit.is_empty() || unit.starts_with('%') {
        String::new()
    } else {
        format!(" {unit}")
    };
    let measure = measure_label(m, labels);
    let result = match &t.pooled {
        Some(p) => {
            let estimate =
                estimate_ci(m, p.estimate, p.ci_lower, p.ci_upper, labels) + unit.as_str();
            if p.single_study {
                labels.fill(
                    "forest.alt-single",
                    &[("measure", measure), ("estimate", &estimate)],
                )
            } else {
                let i2 =
                    p.i2.map(|i| labels.fill("forest.alt-i2", &[("i2", &fixed(i, 0))]))
                        .unwrap_or_default();
                labels.fill(
                    "forest.alt-pooled",
                    &[("measure", measure), ("estimate", &estimate), ("i2", &i2)],
                )
            }
        }
        None => labels.text("forest.alt-none").to_owned(),
    };
    labels.fill(
        "forest.alt",
        &[
            ("title", title),
            ("studies", &labels.count(k, "words.studies")),
            ("participants", &participants.to_string()),
            ("result", &result),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn markers_continue_past_z() {
        assert_eq!(marker_letter(0), "a");
        assert_eq!(marker_letter(25), "z");
        assert_eq!(marker_letter(26), "aa");
    }

    #[test]
    fn favours_follow_the_better_direction() {
        assert_eq!(
            favours_sides(
                Direction::Higher,
                "UC-MSC",
                "control",
                Language::En.labels()
            ),
            ("Favours\ncontrol".to_owned(), "Favours\nUC-MSC".to_owned())
        );
        assert_eq!(
            favours_sides(Direction::Lower, "UC-MSC", "对照", Language::Zh.labels()),
            ("有利于\nUC-MSC".to_owned(), "有利于\n对照".to_owned())
        );
    }
}
