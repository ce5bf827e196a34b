//! The GRADE summary-of-findings table's view: one row per critical outcome with its
//! evidence, effects in relative and absolute terms, certainty, and lettered footnotes
//! that explain every downgrade and every departure from evbrief's suggestion.
//!
//! Layout and wording follow GRADEpro's standard SoF table (Guyatt et al. 2013, J Clin
//! Epidemiol 66:158): "per 1000", "more"/"fewer", ⊕ symbols with HIGH…VERY LOW.

use serde::Serialize;

use super::words::{capitalise, measure_name};
use crate::analysis::certainty::{SofEffect, SofResult, level_label};
use crate::config::certainty::Concern;
use crate::data::Project;
use crate::data::model::{AeCategory, Design};
use crate::format::fixed;
use crate::stats::Measure;

/// The summary-of-findings table.
#[derive(Debug, Serialize)]
pub struct SofView {
    /// Rows in `brief.toml` order.
    pub rows: Vec<SofRowView>,
    /// Footnotes, lettered a, b, c … in order of first use.
    pub footnotes: Vec<Footnote>,
    /// "UC-MSC compared with control for …", the table's title.
    pub title: String,
}

/// One lettered footnote.
#[derive(Debug, Serialize)]
pub struct Footnote {
    /// "a".
    pub mark: String,
    /// The explanation.
    pub text: String,
}

/// One outcome row.
#[derive(Debug, Serialize)]
pub struct SofRowView {
    /// Outcome label with its time point.
    pub outcome: String,
    /// "65 (1 RCT)".
    pub participants: String,
    /// Relative effect with its 95% CI, or why there is none.
    pub relative: String,
    /// Risk (or mean) with the control.
    pub control: String,
    /// Difference with the intervention, per 1000 or in the outcome's unit.
    pub difference: String,
    /// Footnote marks for the absolute effect.
    pub effect_marks: Vec<String>,
    /// "High" when the evidence is randomised, else "Low": where GRADE starts.
    pub start: String,
    /// Certainty level: 4 high … 1 very low.
    pub level: u8,
    /// "LOW".
    pub level_label: String,
    /// Footnote marks for the certainty.
    pub certainty_marks: Vec<String>,
    /// The curator's comment.
    pub comment: String,
    /// True when the curator departed from one of evbrief's suggestions.
    pub overridden: bool,
}

/// Builds the table from the computed rows.
pub fn sof_view(project: &Project, rows: &[SofResult]) -> SofView {
    let mut footnotes: Vec<Footnote> = Vec::new();
    let mut note = |text: String| -> String {
        if let Some(f) = footnotes.iter().find(|f| f.text == text) {
            return f.mark.clone();
        }
        let mark = footnote_mark(footnotes.len());
        footnotes.push(Footnote {
            mark: mark.clone(),
            text,
        });
        mark
    };
    let q = &project.config.question;
    let rows = rows
        .iter()
        .map(|r| {
            let spec = project.config.summary_of_findings[r.index].get_ref();
            let outcome = outcome_label(project, r, spec);
            let mut effect_marks = Vec::new();
            let (relative, control, difference) = effect_cells(project, r, &mut |t| {
                effect_marks.push(note(t));
            });
            let mut certainty_marks = Vec::new();
            for d in &r.certainty.domains {
                let mut text = match (d.rating, &d.reason) {
                    (Concern::NotSerious, None) => String::new(),
                    (Concern::NotSerious, Some(reason)) => {
                        format!("{}: not downgraded. {reason}", capitalise(d.domain.label()))
                    }
                    (c, reason) => format!(
                        "Downgraded {} for {}: {}",
                        if c == Concern::VerySerious {
                            "two levels"
                        } else {
                            "one level"
                        },
                        d.domain.label(),
                        reason.as_deref().unwrap_or("")
                    ),
                };
                if d.overrides()
                    && let Some(s) = &d.suggestion
                {
                    if text.is_empty() {
                        text = format!("{}: not downgraded.", capitalise(d.domain.label()));
                    }
                    text.push_str(&format!(
                        " Curator's judgement ({}) overrides evbrief's suggestion ({}: {}).",
                        d.rating.label(),
                        s.concern.label(),
                        s.why
                    ));
                }
                if !text.is_empty() {
                    certainty_marks.push(note(text));
                }
            }
            if r.certainty.upgrade > 0
                && let Some(up) = &spec.certainty.upgrade
            {
                certainty_marks.push(note(format!(
                    "Upgraded {} for {}",
                    if r.certainty.upgrade == 2 {
                        "two levels"
                    } else {
                        "one level"
                    },
                    up.reason
                )));
            }
            SofRowView {
                outcome,
                participants: participants_text(project, r),
                relative,
                control,
                difference,
                effect_marks,
                start: level_label(r.certainty.start).to_owned(),
                level: r.certainty.level,
                level_label: level_label(r.certainty.level).to_uppercase(),
                certainty_marks,
                comment: spec.comment.clone().unwrap_or_default(),
                overridden: r.certainty.domains.iter().any(|d| d.overrides()),
            }
        })
        .collect();
    SofView {
        rows,
        footnotes,
        title: format!(
            "{} compared with {} for {}",
            q.intervention_short,
            q.comparison_short,
            lower_first(&q.population)
        ),
    }
}

/// a, b, …, z, aa, ab … (spreadsheet-style letters).
fn footnote_mark(i: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    if i < 26 {
        (letters[i] as char).to_string()
    } else {
        format!("{}{}", letters[i / 26 - 1] as char, letters[i % 26] as char)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The row's label as the table prints it: the curated label or the outcome's, with the time.
pub(crate) fn outcome_label(
    project: &Project,
    r: &SofResult,
    spec: &crate::config::certainty::SofRow,
) -> String {
    if let Some(label) = &spec.label {
        return match &spec.time {
            Some(t) => format!("{label} ({})", t.get_ref()),
            None => label.clone(),
        };
    }
    if let Some(o) = project
        .config
        .outcomes
        .iter()
        .map(|o| o.get_ref())
        .find(|o| o.id == r.subject)
    {
        let time = spec
            .time
            .as_ref()
            .map(|t| t.get_ref().as_str())
            .unwrap_or("");
        return format!("{} ({time})", o.label);
    }
    AeCategory::from_key(&r.subject).map_or_else(|| r.subject.clone(), |c| c.label().to_owned())
}

fn participants_text(project: &Project, r: &SofResult) -> String {
    let designs: Vec<Design> = r
        .studies
        .iter()
        .filter_map(|id| {
            project
                .studies
                .iter()
                .find(|s| s.study.id.get_ref() == id)
                .map(|s| s.study.design)
        })
        .collect();
    let rct = designs.iter().filter(|d| **d == Design::Rct).count();
    let other = designs.len() - rct;
    let mut parts = Vec::new();
    if rct > 0 {
        parts.push(format!("{rct} RCT{}", if rct > 1 { "s" } else { "" }));
    }
    if other > 0 {
        parts.push(format!("{other} non-randomised"));
    }
    if parts.is_empty() {
        return "no studies".to_owned();
    }
    format!("{} ({})", fixed(r.participants, 0), parts.join(", "))
}

/// Relative effect, control risk (or mean), and difference, in GRADEpro's words.
fn effect_cells(
    project: &Project,
    r: &SofResult,
    note: &mut dyn FnMut(String),
) -> (String, String, String) {
    match &r.effect {
        SofEffect::NotEstimable { reason } => (
            "not estimable".into(),
            "\u{2014}".into(),
            capitalise(reason),
        ),
        SofEffect::Binary {
            measure,
            relative,
            intervention,
            control,
            control_risk,
            stated_risk_source,
            absolute,
            absolute_from_difference,
        } => {
            let relative = match relative {
                Some((e, lo, hi)) => format!(
                    "{} {} ({} to {})",
                    measure_abbrev(*measure),
                    fixed(*e, 2),
                    fixed(*lo, 2),
                    fixed(*hi, 2)
                ),
                None if intervention.0 + control.0 == 0.0 => "not estimable (no events)".into(),
                None => "not estimable".into(),
            };
            let control_text = match stated_risk_source {
                Some(source) => {
                    note(format!("Baseline risk from {source}."));
                    format!("{} per 1000", fixed(1000.0 * control_risk, 0))
                }
                None => format!(
                    "{} per 1000 ({}/{})",
                    fixed(1000.0 * control_risk, 0),
                    fixed(control.0, 0),
                    fixed(control.1, 0)
                ),
            };
            if *absolute_from_difference && absolute.is_some() {
                let why = if *control_risk == 0.0 {
                    ": a ratio says nothing in absolute terms when the control risk is zero"
                } else {
                    ""
                };
                note(format!(
                    "Absolute effect from the risk difference of the counts (Newcombe interval for one study, Mantel–Haenszel for several){why}."
                ));
            }
            let difference = match absolute {
                Some(a) => format!(
                    "{} per 1000 (from {} to {})",
                    more_fewer(a.difference_per_1000),
                    more_fewer(a.difference_lower),
                    more_fewer(a.difference_upper)
                ),
                None if intervention.0 + control.0 == 0.0 => format!(
                    "no events in {} participants",
                    fixed(intervention.1 + control.1, 0)
                ),
                None => "not estimable".into(),
            };
            (relative, control_text, difference)
        }
        SofEffect::Continuous {
            measure,
            estimate: (e, lo, hi),
            control_means,
        } => {
            let unit = project
                .config
                .outcomes
                .iter()
                .map(|o| o.get_ref())
                .find(|o| o.id == r.subject)
                .map(|o| o.unit.clone())
                .unwrap_or_default();
            let unit = if *measure == Measure::SMD {
                "SD".to_owned()
            } else {
                unit
            };
            let control = match control_means {
                Some((a, b)) if (a - b).abs() < 1e-12 => format!("Mean {} {unit}", fixed(*a, 2)),
                Some((a, b)) => format!("Means {} to {} {unit}", fixed(*a, 2), fixed(*b, 2)),
                None => "\u{2014}".into(),
            };
            let difference = format!(
                "{} {} {unit} {} ({} to {})",
                measure_abbrev(*measure),
                fixed(e.abs(), 2),
                more_less(*e, "higher", "lower"),
                amount(*lo),
                amount(*hi)
            );
            ("\u{2014}".into(), control, difference)
        }
    }
}

fn measure_abbrev(m: Measure) -> String {
    match m {
        Measure::RR => "RR".into(),
        Measure::OR | Measure::PETO => "OR".into(),
        Measure::RD => "RD".into(),
        Measure::MD => "MD".into(),
        Measure::SMD => "SMD".into(),
        other => capitalise(measure_name(other)),
    }
}

fn more_less(x: f64, up: &str, down: &str) -> String {
    if x < 0.0 { down.into() } else { up.into() }
}

fn amount(x: f64) -> String {
    format!("{} {}", fixed(x.abs(), 2), more_less(x, "higher", "lower"))
}

/// "363 more", "12 fewer", "0": a difference per 1000 in GRADEpro's wording.
fn more_fewer(x: f64) -> String {
    let rounded = x.round();
    if rounded == 0.0 {
        "0".into()
    } else if rounded > 0.0 {
        format!("{} more", fixed(rounded, 0))
    } else {
        format!("{} fewer", fixed(-rounded, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_differences_use_more_and_fewer() {
        assert_eq!(more_fewer(363.4), "363 more");
        assert_eq!(more_fewer(-12.6), "13 fewer");
        assert_eq!(more_fewer(0.2), "0");
    }

    #[test]
    fn footnote_marks_run_past_z() {
        assert_eq!(footnote_mark(0), "a");
        assert_eq!(footnote_mark(25), "z");
        assert_eq!(footnote_mark(26), "aa");
    }
}
