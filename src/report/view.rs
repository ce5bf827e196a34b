//! The view model: everything a template shows, as raw values plus display strings.
//!
//! Built from a validated [`Project`]; serialised to JSON and read by
//! `templates/brief.typ`. Numbers appear exactly as the sources printed them
//! (their literal text), so the brief never re-rounds a published value.

use serde::Serialize;
use toml::Spanned;

use super::DocumentFormat;
use super::forest::{ForestContext, ForestView, RobLookup, outcome_forests};
use super::journal_club::{JournalClubView, journal_club_view};
use super::risk_of_bias::{RiskOfBiasView, risk_of_bias_view};
use super::safety::{SafetyView, safety_view};
use super::sof::{SofView, sof_view};
use super::words::{capitalise, measure_label, model_name, pooled_sentence, time_label};
use crate::analysis::Analysed;
use crate::config::{BriefConfig, OutcomeKind, Paper, PdfConformance};
use crate::data::model::{Measurement, Source, Study};
use crate::data::model_p::{Relation, parse_p};
use crate::data::time::parse_time;
use crate::data::{LoadedStudy, Project};
use crate::format::literal;
use crate::i18n::{Labels, Language};

/// Which document, in which language, on which paper: what a build asks of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewOptions {
    /// Brief, handout or slides.
    pub format: DocumentFormat,
    /// The language of the fixed words and of the curated translations.
    pub language: Language,
    /// Paper size for the brief and the handout (slides are always 16:9).
    pub paper: Paper,
    /// The PDF standards the document is written to (PDF/A, PDF/UA).
    pub pdf: PdfConformance,
}

impl ViewOptions {
    /// The brief as `brief.toml` describes it: its language, paper and PDF standards.
    pub fn brief(config: &BriefConfig) -> Self {
        ViewOptions {
            format: DocumentFormat::Brief,
            language: config.language,
            paper: config.paper,
            pdf: config.pdf_standards,
        }
    }
}

/// The whole brief as the template sees it.
#[derive(Debug, Serialize)]
pub struct BriefView {
    /// `brief.toml` as the chosen language prints it (title, question, bottom line …),
    /// with the chosen paper.
    pub config: BriefConfig,
    /// Which document the template lays out.
    pub format: DocumentFormat,
    /// The summary layout of a large brief (see [`crate::config::Detail`]): per-study
    /// values, comparisons, risk-of-bias supports and adverse-event rows are left out
    /// (their counts stay), and forest plots draw their studies as caterpillar bands.
    pub summary: bool,
    /// Every fixed word in the chosen language (`d.labels.handout.discussion`).
    pub labels: &'static Labels,
    /// The as-of date in the language's convention ("22 November 2026", "2026年11月22日").
    pub as_of: String,
    /// evbrief's version, for the provenance line.
    pub generator: String,
    /// Included studies, in table order.
    pub studies: Vec<StudyView>,
    /// One section per outcome in `brief.toml` order.
    pub outcomes: Vec<OutcomeView>,
    /// The safety summary: adverse events by category, study and arm.
    pub safety: SafetyView,
    /// The GRADE summary-of-findings table.
    pub summary_of_findings: SofView,
    /// Risk-of-bias figures and judgements.
    pub risk_of_bias: RiskOfBiasView,
    /// Narrative findings not tied to an outcome.
    pub other_findings: Vec<FindingView>,
    /// Disagreements between sources, listed for the reader (with the report cited).
    pub conflicts: Vec<FindingView>,
    /// The statistical methods paragraph.
    pub methods: String,
    /// Overview figures: one row per outcome and time point, one figure per scale.
    pub overview: Vec<ForestView>,
    /// Bibliography files, citation style and records awaiting assessment.
    pub references: super::references::ReferencesView,
    /// Which edition this is and what changed since the previous one.
    pub edition: EditionView,
    /// Appraisal checklist, discussion questions, key outcome and QR codes.
    pub journal_club: JournalClubView,
}

/// The brief's place in the series of editions of a living brief.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EditionView {
    /// Edition name ("2026-11-23", "2026-11-23-2"); `None` for a build without editions.
    pub name: Option<String>,
    /// The edition's date in words ("23 November 2026").
    pub date: Option<String>,
    /// True for a preview (`evbrief watch`): what the next edition would say.
    pub draft: bool,
    /// Short hash of the inputs, for the provenance line; `None` in a draft (it would change
    /// with every save).
    pub inputs: Option<String>,
    /// What changed since the previous edition; `None` for the first edition.
    pub changes: Option<super::changes::ChangesView>,
}

/// One report of a study: its bibliography key and what it is to the study.
#[derive(Debug, Serialize)]
pub struct ReportView {
    /// Bibliography key, cited by the template.
    pub key: String,
    /// The role in words ("post hoc analysis", "registry record").
    pub role: String,
}

/// One row of the characteristics-of-included-studies table.
#[derive(Debug, Serialize)]
pub struct StudyView {
    /// Study id.
    pub id: String,
    /// Short label ("Zhao 2024").
    pub label: String,
    /// Bibliography keys of all its reports.
    pub cites: Vec<String>,
    /// Reports with their role, e.g. "post hoc analysis", each cited.
    pub reports: Vec<ReportView>,
    /// Design label.
    pub design: String,
    /// T1D / T2DM.
    pub condition: String,
    /// Population in words.
    pub population: String,
    /// Country, or "not reported".
    pub country: String,
    /// Setting and enrolment period.
    pub setting: String,
    /// "UC-MSC 33 · Placebo 32".
    pub arms: String,
    /// Participants in all arms.
    pub participants: i64,
    /// Intervention of each arm.
    pub interventions: Vec<String>,
    /// Follow-up as written.
    pub follow_up: String,
    /// Blinding as written.
    pub blinding: String,
    /// Curator's notes.
    pub notes: Vec<String>,
}

/// One outcome's section.
#[derive(Debug, Serialize)]
pub struct OutcomeView {
    /// Outcome id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Unit of the values.
    pub unit: String,
    /// "continuous" or "binary".
    pub kind: OutcomeKind,
    /// "Higher is better" / "Lower is better".
    pub better: String,
    /// Number of studies with any data on this outcome.
    pub k: usize,
    /// Reported values, by study then time.
    pub values: Vec<ValueRow>,
    /// Reported p-values.
    pub comparisons: Vec<ComparisonRow>,
    /// Extracted values left out of `values` by the summary layout.
    pub values_omitted: usize,
    /// Reported comparisons left out of `comparisons` by the summary layout.
    pub comparisons_omitted: usize,
    /// Narrative findings.
    pub findings: Vec<FindingView>,
    /// evbrief's result per time point in words (pooled or single study).
    pub summaries: Vec<String>,
    /// One forest plot per time point with at least one study effect.
    pub forests: Vec<ForestView>,
}

/// One reported value.
#[derive(Debug, Serialize)]
pub struct ValueRow {
    /// Study label.
    pub study: String,
    /// Key of the report the value was read from, for the citation.
    pub cite: String,
    /// Time point label.
    pub time: String,
    /// Arm label.
    pub arm: String,
    /// The value as printed with its form, e.g. "7.46 ± 1.79 (mean ± SD)".
    pub value: String,
    /// Participants analysed, or "n not reported".
    pub n: String,
    /// Where it was read.
    pub source: String,
    /// Curator's note.
    pub note: String,
}

/// One reported p-value.
#[derive(Debug, Serialize)]
pub struct ComparisonRow {
    /// Study label.
    pub study: String,
    /// Report key.
    pub cite: String,
    /// "UC-MSC vs Placebo at week 20" or "UC-MSC, week 9 vs baseline".
    pub what: String,
    /// "P = 0.008".
    pub p: String,
    /// Where it was read.
    pub source: String,
    /// Conflicting values elsewhere, in words.
    pub conflicts: Vec<String>,
}

/// A narrative finding.
#[derive(Debug, Serialize)]
pub struct FindingView {
    /// Study label.
    pub study: String,
    /// Report key.
    pub cite: String,
    /// The finding.
    pub text: String,
    /// Where it was read.
    pub source: String,
}

/// Builds the view model from a validated project, its analysis and its edition.
pub fn build_view(
    project: &Project,
    analysed: &Analysed,
    edition: EditionView,
    options: ViewOptions,
) -> BriefView {
    let analysis = &analysed.outcomes;
    let safety = &analysed.safety;
    let sof = &analysed.summary_of_findings;
    let labels = options.language.labels();
    let mut config = project.config.localised(options.language);
    config.paper = options.paper;
    config.pdf_standards = options.pdf;
    let as_of = format_date(config.as_of.get_ref(), labels);
    let studies = project
        .studies
        .iter()
        .map(|s| study_view(s, labels))
        .collect();
    let study_lookup = |id: &str| study_label_and_cites(project, id);
    let summary = config.detail.is_summary(project.studies.len());
    // Forest plots get a risk-of-bias column once any study has been assessed; the overall
    // judgements are resolved once here, not per forest row.
    let overall = super::risk_of_bias::overall_judgements(project);
    let rob_lookup = |id: &str| overall.get(id).copied().flatten();
    let rob_column: Option<RobLookup> = project
        .studies
        .iter()
        .any(|s| s.study.risk_of_bias.is_some())
        .then_some(&rob_lookup as RobLookup);
    let outcomes: Vec<OutcomeView> = config
        .outcomes
        .iter()
        .map(|o| {
            let o = o.get_ref();
            let mut values = Vec::new();
            let mut comparisons = Vec::new();
            let mut findings = Vec::new();
            let mut with_data = 0;
            let (mut values_omitted, mut comparisons_omitted) = (0, 0);
            let outcome_analysis = analysis.iter().find(|a| a.outcome == o.id);
            for s in &project.studies {
                let mut rows: Vec<&Measurement> = s
                    .study
                    .results
                    .iter()
                    .filter(|m| m.outcome.as_ref().map(|x| x.get_ref()) == Some(&o.id))
                    .collect();
                rows.sort_by(|a, b| time_days(&a.time).total_cmp(&time_days(&b.time)));
                let study_comparisons: Vec<_> = s
                    .study
                    .comparisons
                    .iter()
                    .filter(|c| c.outcome.get_ref() == &o.id)
                    .collect();
                let study_findings: Vec<_> = s
                    .study
                    .findings
                    .iter()
                    .filter(|f| f.outcome.as_ref().map(|x| x.get_ref()) == Some(&o.id))
                    .collect();
                if !rows.is_empty() || !study_comparisons.is_empty() || !study_findings.is_empty() {
                    with_data += 1;
                }
                if summary {
                    values_omitted += rows.len();
                    comparisons_omitted += study_comparisons.len();
                } else {
                    values.extend(rows.into_iter().map(|m| value_row(s, m, labels)));
                    comparisons.extend(
                        study_comparisons
                            .into_iter()
                            .map(|c| comparison_row(s, c, labels)),
                    );
                }
                findings.extend(
                    study_findings
                        .into_iter()
                        .map(|f| finding_view(&s.study, &f.text, &f.source)),
                );
            }
            OutcomeView {
                id: o.id.clone(),
                label: o.label.clone(),
                unit: o.unit.clone(),
                kind: o.kind,
                better: match o.better {
                    crate::config::Direction::Higher => labels.text("words.higher-is-better"),
                    crate::config::Direction::Lower => labels.text("words.lower-is-better"),
                }
                .to_owned(),
                k: with_data,
                values,
                comparisons,
                values_omitted,
                comparisons_omitted,
                findings,
                summaries: outcome_analysis
                    .map(|a| summaries(&config, o, a, labels))
                    .unwrap_or_default(),
                forests: outcome_analysis
                    .map(|a| {
                        outcome_forests(
                            a,
                            &forest_context(&config, o, &study_lookup, rob_column, summary, labels),
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let other_findings = project
        .studies
        .iter()
        .flat_map(|s| {
            s.study
                .findings
                .iter()
                .filter(|f| f.outcome.is_none() && !f.safety)
                .map(|f| finding_view(&s.study, &f.text, &f.source))
        })
        .collect();
    let overview = overview_forests(&config, analysis, labels);
    let journal_club = journal_club_view(
        project,
        &config,
        &outcomes,
        labels,
        options.format == DocumentFormat::Handout,
    );
    let mut edition = edition;
    edition.date = edition
        .name
        .as_deref()
        .and_then(|n| format_iso_date(n, labels));
    if let Some(changes) = edition.changes.as_mut()
        && let Some(since) = format_iso_date(&changes.since_edition, labels)
    {
        changes.since = since;
    }
    BriefView {
        summary,
        format: options.format,
        labels,
        journal_club,
        edition,
        methods: methods_text(analysis, labels),
        overview,
        references: super::references::references_view(project, options.language),
        as_of,
        generator: format!("evbrief {}", env!("CARGO_PKG_VERSION")),
        studies,
        outcomes,
        safety: safety_view(project, safety, &config, summary, labels),
        summary_of_findings: sof_view(project, sof, &config, labels),
        risk_of_bias: risk_of_bias_view(project, summary, labels),
        other_findings,
        conflicts: conflicts(project, labels),
        config,
    }
}

fn format_date(d: &toml::value::Datetime, labels: &Labels) -> String {
    d.date
        .and_then(|date| {
            chrono::NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
        })
        .map_or_else(|| d.to_string(), |date| labels.date(date))
}

/// "2026-11-23" (or an edition name "2026-11-23-2") as "23 November 2026" in the
/// language of `labels`; `None` when it does not start with a YYYY-MM-DD date.
pub fn format_iso_date(iso: &str, labels: &Labels) -> Option<String> {
    let date = iso.get(..10)?;
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(labels.date(d))
}

fn time_days(t: &Option<Spanned<String>>) -> f64 {
    t.as_ref()
        .and_then(|t| parse_time(t.get_ref()).ok())
        .map_or(f64::INFINITY, |t| t.days)
}

fn arm_label(study: &Study, id: &str) -> String {
    study
        .arms
        .iter()
        .find(|a| a.id.get_ref() == id)
        .map_or_else(|| id.to_owned(), |a| a.label.clone())
}

fn arm_n(study: &Study, id: &str) -> Option<i64> {
    study
        .arms
        .iter()
        .find(|a| a.id.get_ref() == id)
        .map(|a| *a.n.get_ref())
}

/// Where in its report a value was read. The row cites the report itself, so the text
/// names the report only when it differs from the row's (`cited`).
fn source_text(s: &Source, cited: &str, labels: &Labels) -> String {
    if s.report.get_ref() == cited {
        s.at.clone()
    } else {
        labels.fill(
            "view.other-source",
            &[("report", s.report.get_ref()), ("at", &s.at)],
        )
    }
}

fn study_view(s: &LoadedStudy, labels: &Labels) -> StudyView {
    let not_reported = || labels.text("words.not-reported").to_owned();
    let st = &s.study;
    StudyView {
        id: st.id.get_ref().clone(),
        label: st.label.clone(),
        cites: st.reports.iter().map(|r| r.key.get_ref().clone()).collect(),
        reports: st
            .reports
            .iter()
            .map(|r| ReportView {
                key: r.key.get_ref().clone(),
                role: labels
                    .text(&format!("report-role.{}", r.role.key()))
                    .to_owned(),
            })
            .collect(),
        design: labels
            .text(&format!("design.{}", st.design.key()))
            .to_owned(),
        condition: st.condition.clone(),
        population: st.population.clone(),
        country: st.country.clone().unwrap_or_else(not_reported),
        setting: [st.setting.clone(), st.enrolment.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(labels.text("view.setting-separator")),
        arms: st
            .arms
            .iter()
            .map(|a| format!("{} {}", a.label, a.n.get_ref()))
            .collect::<Vec<_>>()
            .join(" · "),
        participants: st.arms.iter().map(|a| *a.n.get_ref()).sum(),
        interventions: st
            .arms
            .iter()
            .map(|a| {
                labels.fill(
                    "view.arm-intervention",
                    &[("arm", &a.label), ("intervention", &a.intervention)],
                )
            })
            .collect(),
        follow_up: st.follow_up.clone().unwrap_or_else(not_reported),
        blinding: st.blinding.clone().unwrap_or_else(not_reported),
        notes: st.notes.clone(),
    }
}

/// The value's literal text from the study file, e.g. "28.10".
fn lit(file_text: &str, v: &Spanned<f64>) -> String {
    literal(file_text.get(v.span()).unwrap_or_default())
}

fn value_text(text: &str, m: &Measurement, n: Option<i64>, labels: &Labels) -> String {
    let l = |v: &Spanned<f64>| lit(text, v);
    let spread = |key: &str, centre: &Spanned<f64>, spread: &Spanned<f64>| {
        labels.fill(key, &[("centre", &l(centre)), ("spread", &l(spread))])
    };
    if let (Some(mean), Some(sd)) = (&m.mean, &m.sd) {
        return spread("view.mean-sd", mean, sd);
    }
    if let (Some(mean), Some(sem)) = (&m.mean, &m.sem) {
        return spread("view.mean-sem", mean, sem);
    }
    if let (Some(med), Some(iqr)) = (&m.median, &m.iqr) {
        return spread("view.median-iqr-width", med, iqr);
    }
    if let (Some(med), Some(q1), Some(q3)) = (&m.median, &m.q1, &m.q3) {
        return labels.fill(
            "view.median-quartiles",
            &[("median", &l(med)), ("q1", &l(q1)), ("q3", &l(q3))],
        );
    }
    if m.events.is_some() || m.percent.is_some() {
        let pct = m.percent.as_ref().map(|p| format!("{}%", l(p)));
        let ev = m.events.as_ref().map(|e| e.get_ref().to_string());
        let n = n.map(|n| n.to_string());
        return match (ev, n, pct) {
            (Some(e), Some(n), Some(p)) => labels.fill(
                "view.events-percent",
                &[("events", &e), ("n", &n), ("percent", &p)],
            ),
            (Some(e), Some(n), None) => format!("{e}/{n}"),
            (None, Some(n), Some(p)) => {
                labels.fill("view.percent-of", &[("n", &n), ("percent", &p)])
            }
            (Some(e), None, _) => labels.fill("view.events", &[("events", &e)]),
            (None, None, Some(p)) => p,
            (None, _, None) => String::new(),
        };
    }
    if let Some(c) = &m.count {
        return match n {
            Some(n) => format!("{}/{}", c.get_ref(), n),
            None => c.get_ref().to_string(),
        };
    }
    m.text.clone().unwrap_or_default()
}

fn value_row(s: &LoadedStudy, m: &Measurement, labels: &Labels) -> ValueRow {
    let st = &s.study;
    let arm_size = arm_n(st, m.arm.get_ref());
    let n = m.n.as_ref().map(|n| *n.get_ref()).or(arm_size);
    let n_unknown = m.n_unknown.as_ref().is_some_and(|f| *f.get_ref());
    ValueRow {
        study: st.label.clone(),
        cite: m.source.report.get_ref().clone(),
        time: m
            .time
            .as_ref()
            .map(|t| time_label(t.get_ref(), labels))
            .unwrap_or_default(),
        arm: arm_label(st, m.arm.get_ref()),
        value: value_text(&s.file.text, m, n.filter(|_| !n_unknown), labels),
        n: match (n, n_unknown) {
            (Some(n), false) => n.to_string(),
            (Some(n), true) => labels.fill("view.n-analysed-unknown", &[("n", &n.to_string())]),
            (None, _) => labels.text("view.n-not-reported").to_owned(),
        },
        source: if m.analyse {
            m.source.at.clone()
        } else {
            labels.fill("view.not-analysed", &[("source", &m.source.at)])
        },
        note: m.note.clone().unwrap_or_default(),
    }
}

fn p_text(p: &str) -> String {
    match parse_p(p) {
        Some(rp) => {
            let rel = match rp.relation {
                Relation::Equal => "=",
                Relation::Less => "<",
                Relation::Greater => ">",
            };
            let digits = p.trim().trim_start_matches(['P', 'p', '<', '>', '=', ' ']);
            format!("P {rel} {digits}")
        }
        None => p.to_owned(),
    }
}

fn comparison_row(
    s: &LoadedStudy,
    c: &crate::data::model::Comparison,
    labels: &Labels,
) -> ComparisonRow {
    let st = &s.study;
    let time = time_label(c.time.get_ref(), labels);
    let what = match (&c.arms, &c.arm, &c.from) {
        (Some(arms), _, _) => labels.fill(
            "view.arms-at",
            &[
                (
                    "arms",
                    &arms
                        .get_ref()
                        .iter()
                        .map(|a| arm_label(st, a))
                        .collect::<Vec<_>>()
                        .join(labels.text("view.versus")),
                ),
                ("time", &time),
            ],
        ),
        (None, Some(arm), Some(from)) => labels.fill(
            "view.arm-from",
            &[
                ("arm", &arm_label(st, arm.get_ref())),
                ("time", &time),
                ("from", &time_label(from.get_ref(), labels)),
            ],
        ),
        _ => time,
    };
    ComparisonRow {
        study: st.label.clone(),
        cite: c.source.report.get_ref().clone(),
        what,
        p: p_text(c.p.get_ref()),
        source: c.source.at.clone(),
        conflicts: c
            .conflicts
            .iter()
            .map(|k| {
                let value =
                    k.p.as_ref()
                        .map(|p| p_text(p.get_ref()))
                        .or_else(|| k.text.clone())
                        .unwrap_or_default();
                labels.fill(
                    "view.conflict",
                    &[
                        ("value", &value),
                        (
                            "source",
                            &source_text(&k.source, c.source.report.get_ref(), labels),
                        ),
                        ("note", &k.note),
                    ],
                )
            })
            .collect(),
    }
}

/// A finding with its study label and citation.
pub(super) fn finding_view(st: &Study, text: &str, source: &Source) -> FindingView {
    FindingView {
        study: st.label.clone(),
        cite: source.report.get_ref().clone(),
        text: text.to_owned(),
        source: source.at.clone(),
    }
}

fn conflicts(project: &Project, labels: &Labels) -> Vec<FindingView> {
    let mut out = Vec::new();
    for s in &project.studies {
        for arm in &s.study.arms {
            for c in &arm.conflicts {
                out.push(finding_view(
                    &s.study,
                    &labels.fill(
                        "view.arm-conflict",
                        &[("arm", &arm.label), ("note", &c.note)],
                    ),
                    &c.source,
                ));
            }
        }
        for c in &s.study.comparisons {
            for k in &c.conflicts {
                out.push(finding_view(
                    &s.study,
                    &labels.fill(
                        "view.outcome-conflict",
                        &[("outcome", c.outcome.get_ref()), ("note", &k.note)],
                    ),
                    &k.source,
                ));
            }
        }
    }
    out
}

/// Keys of the reports that carry a study's data (all but mere mentions), for citations.
pub(super) fn data_report_keys(study: &Study) -> Vec<String> {
    study
        .reports
        .iter()
        .filter(|r| r.role != crate::data::model::ReportRole::Mention)
        .map(|r| r.key.get_ref().clone())
        .collect()
}

/// Label and data-report keys of a study, for figure rows.
fn study_label_and_cites(project: &Project, id: &str) -> (String, Vec<String>) {
    project
        .studies
        .iter()
        .find(|s| s.study.id.get_ref() == id)
        .map_or_else(
            || (id.to_owned(), Vec::new()),
            |s| (s.study.label.clone(), data_report_keys(&s.study)),
        )
}

/// What a forest plot needs; the short arm names come from the localised `config`.
fn forest_context<'a>(
    config: &'a BriefConfig,
    outcome: &'a crate::config::OutcomeDef,
    study: &'a dyn Fn(&str) -> (String, Vec<String>),
    risk_of_bias: Option<RobLookup<'a>>,
    summary: bool,
    labels: &'a Labels,
) -> ForestContext<'a> {
    ForestContext {
        outcome,
        intervention: &config.question.intervention_short,
        control: &config.question.comparison_short,
        study,
        risk_of_bias,
        summary,
        labels,
    }
}

/// One sentence per time point: the pooled result or the single study's effect, in words.
fn summaries(
    config: &BriefConfig,
    o: &crate::config::OutcomeDef,
    a: &crate::analysis::OutcomeAnalysis,
    labels: &Labels,
) -> Vec<String> {
    let q = &config.question;
    a.times
        .iter()
        .map(|t| {
            let participants: f64 = t.studies.iter().map(|r| r.participants).sum();
            let text = match &t.pooled {
                Some(p) => pooled_sentence(
                    a.measure,
                    p,
                    participants,
                    a.settings.method,
                    a.settings.test,
                    a.settings.prediction,
                    o.better,
                    (&q.intervention_short, &q.comparison_short),
                    labels,
                ),
                None => labels.text("words.no-estimable-effect").to_owned(),
            };
            labels.fill(
                "words.time-summary",
                &[
                    ("time", &capitalise(&time_label(&t.time, labels))),
                    ("text", &text),
                ],
            )
        })
        .collect()
}

/// The methods paragraph, naming only the measures, models and conversions actually used.
fn methods_text(analysis: &[crate::analysis::OutcomeAnalysis], labels: &Labels) -> String {
    let used: Vec<&crate::analysis::OutcomeAnalysis> =
        analysis.iter().filter(|a| !a.times.is_empty()).collect();
    let mut measures: Vec<&str> = Vec::new();
    let mut models: Vec<String> = Vec::new();
    let mut any_pooled = false;
    let mut sem = false;
    let mut percent = false;
    let mut corrected = false;
    for a in &used {
        let name = measure_label(a.measure, labels);
        if !measures.contains(&name) {
            measures.push(name);
        }
        let model = model_name(a.settings.method, a.settings.test, labels);
        if !models.contains(&model) {
            models.push(model);
        }
        for t in &a.times {
            any_pooled |= t.pooled.as_ref().is_some_and(|p| !p.single_study);
            for r in &t.studies {
                for line in &r.audit {
                    use crate::analysis::AuditKind;
                    sem |= line.kind == AuditKind::SdFromSem;
                    percent |= line.kind == AuditKind::EventsFromPercent;
                    corrected |= line.kind == AuditKind::ZeroCellCorrection;
                }
            }
        }
    }
    if used.is_empty() {
        return labels.text("methods.no-effects").to_owned();
    }
    let mut s = labels.fill(
        "methods.effects",
        &[(
            "measures",
            &measures.join(labels.text("words.list-separator")),
        )],
    );
    if percent {
        s.push_str(labels.text("methods.percent"));
    }
    if sem {
        s.push_str(labels.text("methods.sem"));
    }
    if corrected {
        s.push_str(labels.text("methods.zero-cell"));
    }
    let key = if models.len() == 1 {
        "methods.pooled-one"
    } else {
        "methods.pooled-per-outcome"
    };
    s.push_str(&labels.fill(
        key,
        &[(
            "models",
            &models.join(labels.text("methods.models-separator")),
        )],
    ));
    if !any_pooled {
        s.push_str(labels.text("methods.nothing-pooled"));
    }
    s
}

/// The overview figures, with the outcome labels of the localised `config`.
fn overview_forests(
    config: &BriefConfig,
    analysis: &[crate::analysis::OutcomeAnalysis],
    labels: &Labels,
) -> Vec<ForestView> {
    let outcomes: Vec<&crate::config::OutcomeDef> =
        config.outcomes.iter().map(|o| o.get_ref()).collect();
    super::forest::overview(&outcomes, analysis, labels)
}
