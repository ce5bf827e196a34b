//! The included studies section: each study's reports, arms, extracted values and
//! reported comparisons, as the sources printed them.

use serde::Serialize;

use super::findings::FindingView;
use toml::Spanned;

use super::forest::ForestView;
use super::words::time_label;
use crate::config::OutcomeKind;
use crate::data::LoadedStudy;
use crate::data::model::{Design, Measurement, Source, Study};
use crate::data::model_p::{Relation, parse_p};
use crate::data::time::parse_time;
use crate::format::literal;
use crate::i18n::Labels;

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
    /// Number of studies with data of their own on this outcome.
    pub k: usize,
    /// Number of further studies with data only read second hand (in a report that merely
    /// mentions them): shown as reported by that report, not counted in `k`.
    pub k_second_hand: usize,
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
    /// Why the printed P does not follow from the printed data, when it does not (shown
    /// with a ‡ beside the P).
    pub flag: Option<String>,
}

pub(super) fn format_date(d: &toml::value::Datetime, labels: &Labels) -> String {
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

pub(super) fn time_days(t: &Option<Spanned<String>>) -> f64 {
    t.as_ref()
        .and_then(|t| parse_time(t.get_ref()).ok())
        .map_or(f64::INFINITY, |t| t.days)
}

pub(super) fn arm_label(study: &Study, id: &str) -> String {
    study
        .arms
        .iter()
        .find(|a| a.id.get_ref() == id)
        .map_or_else(|| id.to_owned(), |a| a.label.clone())
}

/// Where in its report a value was read. The row cites the report itself, so the text
/// names the report only when it differs from the row's (`cited`).
pub(super) fn source_text(s: &Source, cited: &str, labels: &Labels) -> String {
    if s.report.get_ref() == cited {
        s.at.clone()
    } else {
        labels.fill(
            "view.other-source",
            &[("report", s.report.get_ref()), ("at", &s.at)],
        )
    }
}

pub(super) fn study_view(s: &LoadedStudy, labels: &Labels) -> StudyView {
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
        blinding: st.blinding.clone().unwrap_or_else(|| {
            // Blinding presupposes a comparison: moot for a registry or a single patient.
            if matches!(st.design, Design::Registry | Design::CaseReport) {
                labels.text("statement.blinding-not-applicable").to_owned()
            } else {
                not_reported()
            }
        }),
        notes: st.notes.clone(),
    }
}

/// The value's literal text from the study file, e.g. "28.10".
pub(super) fn lit(file_text: &str, v: &Spanned<f64>) -> String {
    literal(file_text.get(v.span()).unwrap_or_default())
}

pub(super) fn value_text(text: &str, m: &Measurement, n: Option<i64>, labels: &Labels) -> String {
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

pub(super) fn value_row(s: &LoadedStudy, m: &Measurement, labels: &Labels) -> ValueRow {
    let st = &s.study;
    let sub = m
        .subpopulation
        .as_ref()
        .and_then(|p| st.subpopulation(p.get_ref()));
    let arm_size = st.arm_size(m.arm.get_ref(), sub.map(|p| p.id.get_ref().as_str()));
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
        arm: match sub {
            Some(p) => labels.fill(
                "overlap.population",
                &[
                    ("name", &arm_label(st, m.arm.get_ref())),
                    ("population", &p.population),
                ],
            ),
            None => arm_label(st, m.arm.get_ref()),
        },
        value: value_text(&s.file.text, m, n.filter(|_| !n_unknown), labels),
        n: match (n, n_unknown) {
            (Some(n), false) => n.to_string(),
            (Some(n), true) => labels.fill("view.n-analysed-unknown", &[("n", &n.to_string())]),
            (None, _) => labels.text("view.n-not-reported").to_owned(),
        },
        source: if m.analyse && (m.outcome.is_none() || st.is_analysed(m)) {
            m.source.at.clone()
        } else {
            labels.fill("view.not-analysed", &[("source", &m.source.at)])
        },
        note: m.note.clone().unwrap_or_default(),
    }
}

pub(super) fn p_text(p: &str) -> String {
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

pub(super) fn comparison_row(
    s: &LoadedStudy,
    c: &crate::data::model::Comparison,
    config: &crate::config::BriefConfig,
    checks: &[crate::analysis::consistency::ComparisonCheck],
    labels: &Labels,
) -> ComparisonRow {
    let st = &s.study;
    let index = st.comparisons.iter().position(|x| std::ptr::eq(x, c));
    let flag = |i: usize| {
        index.and_then(|index| {
            super::p_checks::flag_for(config, checks, st.id.get_ref(), index, i, labels)
        })
    };
    // conflicts with a p-value are prints 1, 2 … of the check, in order
    let mut print = 0;
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
        flag: flag(0),
        conflicts: c
            .conflicts
            .iter()
            .map(|k| {
                let mut value =
                    k.p.as_ref()
                        .map(|p| p_text(p.get_ref()))
                        .or_else(|| k.text.clone())
                        .unwrap_or_default();
                if k.p.is_some() {
                    print += 1;
                    if flag(print).is_some() {
                        value.push(' ');
                        value.push_str(labels.text("brief.p-check-marker"));
                    }
                }
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

/// Keys of the reports that carry a study's data (all but mere mentions), for citations.
pub(super) fn data_report_keys(study: &Study) -> Vec<String> {
    study
        .reports
        .iter()
        .filter(|r| r.role != crate::data::model::ReportRole::Mention)
        .map(|r| r.key.get_ref().clone())
        .collect()
}
