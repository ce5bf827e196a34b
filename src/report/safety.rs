//! The safety section's view: the adverse-event table by category, study and arm, pooled
//! risk differences, what zero can still hide, and narrative safety findings.

use serde::Serialize;

use super::view::FindingView;
use crate::analysis::safety::{ArmEvents, Incidence, PooledDifference, SafetyAnalysis};
use crate::data::Project;
use crate::data::model::{AeCategory, Study};
use crate::format::fixed;

/// Everything the safety section shows.
#[derive(Debug, Serialize)]
pub struct SafetyView {
    /// Categories in table order, each with its rows.
    pub categories: Vec<CategoryView>,
    /// Deaths and serious events when no study mentions them, in words.
    pub unreported: Vec<String>,
    /// Laboratory, imaging and other narrative safety findings, by study.
    pub findings: Vec<FindingView>,
    /// Column header of the intervention arm ("UC-MSC").
    pub intervention: String,
    /// Column header of the control arm ("Control").
    pub control: String,
}

/// One category of adverse events.
#[derive(Debug, Serialize)]
pub struct CategoryView {
    /// "Serious adverse events".
    pub label: String,
    /// One row per study and event.
    pub rows: Vec<EventRowView>,
    /// Pooled risk difference in words, when two or more controlled studies count it.
    pub pooled: Option<String>,
    /// Events among all intervention recipients, when two or more studies count them.
    pub recipients: Option<String>,
    /// "Not reported by: …" for studies silent on the category.
    pub silent: Option<String>,
}

/// One event in one study.
#[derive(Debug, Serialize)]
pub struct EventRowView {
    /// Study label.
    pub study: String,
    /// Report key of the adverse-event data.
    pub cite: String,
    /// Event as the study names it.
    pub event: String,
    /// Intervention arm: count line and CI line.
    pub intervention: Vec<String>,
    /// Control arm: count line and CI line, or "no control arm".
    pub control: Vec<String>,
    /// Risk difference with its 95% CI, or "—".
    pub difference: String,
    /// Curator's notes on the entries.
    pub note: String,
}

/// Builds the safety view from the safety analysis.
pub fn safety_view(project: &Project, analysis: &SafetyAnalysis) -> SafetyView {
    let study = |id: &str| {
        project
            .studies
            .iter()
            .map(|s| &s.study)
            .find(|s| s.id.get_ref() == id)
    };
    let label = |id: &str| study(id).map_or_else(|| id.to_owned(), |s| s.label.clone());
    let categories = analysis
        .categories
        .iter()
        .map(|c| CategoryView {
            label: c.category.label().to_owned(),
            rows: c
                .rows
                .iter()
                .map(|r| {
                    let st = study(&r.study);
                    EventRowView {
                        study: label(&r.study),
                        cite: st
                            .map(|s| cite_of(s, c.category, &r.event))
                            .unwrap_or_default(),
                        event: r.event.clone(),
                        intervention: r
                            .intervention
                            .as_ref()
                            .map_or_else(|| vec!["no intervention arm".to_owned()], arm_lines),
                        control: r
                            .control
                            .as_ref()
                            .map_or_else(|| vec!["no control arm".to_owned()], arm_lines),
                        difference: r.difference.map_or_else(
                            || "\u{2014}".to_owned(),
                            |d| points_ci(d.estimate, d.lower, d.upper),
                        ),
                        note: st
                            .map(|s| notes_of(s, c.category, &r.event))
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            pooled: c.pooled.as_ref().map(pooled_text),
            recipients: c.recipients.map(|i| {
                format!(
                    "All {} recipients with a count: {}",
                    project.config.question.intervention_short,
                    incidence_text(&i)
                )
            }),
            silent: (!c.silent.is_empty()).then(|| {
                format!(
                    "Not reported by: {}.",
                    c.silent
                        .iter()
                        .map(|s| label(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
        })
        .collect();
    let mentioned: Vec<AeCategory> = analysis.categories.iter().map(|c| c.category).collect();
    let unreported = [AeCategory::Death, AeCategory::Serious]
        .into_iter()
        .filter(|c| !mentioned.contains(c))
        .map(|c| {
            format!(
                "{}: no study reports on them (which is not the same as none occurring).",
                c.label()
            )
        })
        .collect();
    let findings = project
        .studies
        .iter()
        .flat_map(|s| {
            s.study
                .findings
                .iter()
                .filter(|f| f.safety)
                .map(|f| super::view::finding_view(&s.study, &f.text, &f.source))
        })
        .collect();
    SafetyView {
        categories,
        unreported,
        findings,
        intervention: project.config.question.intervention_short.clone(),
        control: super::words::capitalise(&project.config.question.comparison_short),
    }
}

/// "4/24 (16.7%)" and "95% CI 4.7 to 37.4%"; a zero adds its rule-of-three bound.
fn arm_lines(arm: &ArmEvents) -> Vec<String> {
    match &arm.incidence {
        None => vec![format!("not reported (n = {})", arm.n)],
        Some(i) => {
            let first = format!(
                "{}/{} ({}%)",
                i.events,
                i.n,
                fixed(100.0 * i.ci.estimate, 1)
            );
            let second = match i.zero_upper {
                Some(upper) => format!(
                    "95% CI 0 to {}%; rule of 3: \u{2264}{}%",
                    fixed(100.0 * i.ci.upper, 1),
                    fixed(100.0 * upper, 1)
                ),
                None => format!(
                    "95% CI {} to {}%",
                    fixed(100.0 * i.ci.lower, 1),
                    fixed(100.0 * i.ci.upper, 1)
                ),
            };
            vec![first, second]
        }
    }
}

/// "4/75 (5.3%; 95% CI 1.5 to 13.1%)"; for zero "0/51 (upper 95% bound 5.9%, rule of 3)".
fn incidence_text(i: &Incidence) -> String {
    match i.zero_upper {
        Some(upper) => format!(
            "0/{} (0%; at most {}% by the rule of 3)",
            i.n,
            fixed(100.0 * upper, 1)
        ),
        None => format!(
            "{}/{} ({}%; 95% CI {} to {}%)",
            i.events,
            i.n,
            fixed(100.0 * i.ci.estimate, 1),
            fixed(100.0 * i.ci.lower, 1),
            fixed(100.0 * i.ci.upper, 1)
        ),
    }
}

/// A risk difference in percentage points: "16.7 (−11.5 to 37.4)".
fn points_ci(estimate: f64, lower: f64, upper: f64) -> String {
    format!(
        "{} ({} to {})",
        signed(100.0 * estimate),
        signed(100.0 * lower),
        signed(100.0 * upper)
    )
}

fn signed(x: f64) -> String {
    let s = fixed(x, 1);
    if x > 0.0 && s != "0.0" {
        format!("+{s}")
    } else {
        s
    }
}

fn pooled_text(p: &PooledDifference) -> String {
    match p {
        PooledDifference::Estimate {
            k,
            estimate,
            lower,
            upper,
            intervention,
            control,
        } => format!(
            "Pooled ({k} studies, Mantel–Haenszel): {}/{} vs {}/{}; risk difference {} percentage points",
            intervention.0,
            intervention.1,
            control.0,
            control.1,
            points_ci(*estimate, *lower, *upper)
        ),
        PooledDifference::NoEvents {
            k,
            intervention_n,
            control_n,
        } => format!(
            "Pooled ({k} studies): no events in any arm (0/{intervention_n} vs 0/{control_n}); the risk difference is 0 and has no estimable CI. Rule of 3: at most {}% in the intervention arms and {}% in the control arms.",
            fixed(300.0 / *intervention_n as f64, 1),
            fixed(300.0 / *control_n as f64, 1)
        ),
    }
}

/// The report the study's entries for this event cite (the first one).
fn cite_of(study: &Study, category: AeCategory, event: &str) -> String {
    study
        .analysed_adverse_events()
        .find(|a| a.category == category && a.event == event)
        .map(|a| a.source.report.get_ref().clone())
        .unwrap_or_default()
}

/// Notes of the study's entries for this event, arm by arm, duplicates once.
fn notes_of(study: &Study, category: AeCategory, event: &str) -> String {
    let mut notes: Vec<String> = Vec::new();
    for a in study
        .analysed_adverse_events()
        .filter(|a| a.category == category && a.event == event)
    {
        if let Some(note) = &a.note
            && !notes.iter().any(|n| n.ends_with(note.as_str()))
        {
            let arm = study
                .arms
                .iter()
                .find(|x| x.id.get_ref() == a.arm.get_ref())
                .map_or_else(|| a.arm.get_ref().clone(), |x| x.label.clone());
            notes.push(format!("{arm}: {note}"));
        }
    }
    notes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_signed_percentage_points_with_true_minus() {
        assert_eq!(
            points_ci(0.1667, -0.115, 0.374),
            "+16.7 (\u{2212}11.5 to +37.4)"
        );
        assert_eq!(
            points_ci(0.0, -0.2775, 0.2775),
            "0.0 (\u{2212}27.8 to +27.8)"
        );
    }

    #[test]
    fn zero_shows_its_rule_of_three_bound_and_silence_stays_silent() {
        let zero = ArmEvents {
            arm: "t".into(),
            n: 24,
            incidence: crate::analysis::safety::incidence(0, 24),
        };
        let lines = arm_lines(&zero);
        assert_eq!(lines[0], "0/24 (0.0%)");
        assert_eq!(lines[1], "95% CI 0 to 14.2%; rule of 3: \u{2264}12.5%");
        let silent = ArmEvents {
            arm: "c".into(),
            n: 10,
            incidence: None,
        };
        assert_eq!(arm_lines(&silent), ["not reported (n = 10)"]);
    }
}
