//! The GRADE summary-of-findings table's view: one row per critical outcome with its
//! evidence, effects in relative and absolute terms, certainty, and lettered footnotes
//! that explain every downgrade and every departure from evbrief's suggestion.
//!
//! Layout and wording follow GRADEpro's standard SoF table (Guyatt et al. 2013, J Clin
//! Epidemiol 66:158): "per 1000", "more"/"fewer", ⊕ symbols with HIGH…VERY LOW.

use serde::Serialize;

use super::words::{capitalise, curated, measure_label};
use crate::analysis::certainty::{SofEffect, SofResult, Unestimable};
use crate::config::BriefConfig;
use crate::config::certainty::{Concern, GradeDomain};
use crate::data::Project;
use crate::data::model::Design;
use crate::format::fixed;
use crate::i18n::Labels;
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
    /// The GRADE plain-language statement ("" when the row has none).
    pub statement: String,
}

/// A GRADE domain in the language of `labels` ("risk of bias", "偏倚风险").
fn domain_label(domain: GradeDomain, labels: &Labels) -> &str {
    labels.text(match domain {
        GradeDomain::RiskOfBias => "sof.domain.risk-of-bias",
        GradeDomain::Inconsistency => "sof.domain.inconsistency",
        GradeDomain::Indirectness => "sof.domain.indirectness",
        GradeDomain::Imprecision => "sof.domain.imprecision",
        GradeDomain::PublicationBias => "sof.domain.publication-bias",
    })
}

/// A rating in the language of `labels` ("very serious", "非常严重").
fn concern_label(concern: Concern, labels: &Labels) -> &str {
    labels.text(match concern {
        Concern::NotSerious => "sof.concern.not-serious",
        Concern::Serious => "sof.concern.serious",
        Concern::VerySerious => "sof.concern.very-serious",
    })
}

/// A certainty level (4 high … 1 very low) in the language of `labels`.
fn certainty_label(level: u8, labels: &Labels) -> &str {
    labels.text(match level {
        4 => "sof.level.high",
        3 => "sof.level.moderate",
        2 => "sof.level.low",
        _ => "sof.level.very-low",
    })
}

/// "one level" or "two levels".
fn levels_text(levels: u8, labels: &Labels) -> &str {
    labels.text(if levels >= 2 {
        "sof.two-levels"
    } else {
        "sof.one-level"
    })
}

/// Each summary-of-findings row's label as the table of `config` prints it, keyed by the
/// English label the edition record keeps (for "What's new" in another language).
pub fn row_labels(
    original: &Project,
    analysed: &crate::analysis::Analysed,
    config: &BriefConfig,
    labels: &Labels,
) -> std::collections::BTreeMap<String, String> {
    analysed
        .summary_of_findings
        .iter()
        .filter_map(|r| {
            let english = original.config.summary_of_findings.get(r.index)?.get_ref();
            let spec = config.summary_of_findings.get(r.index)?.get_ref();
            Some((
                crate::analysis::certainty::sof_row_label_en(original, r, english),
                crate::analysis::certainty::sof_row_label(config, r, spec, labels),
            ))
        })
        .collect()
}

/// Builds the table from the computed rows, with the labels and arm names of the
/// localised `config` and the fixed words of `labels`.
pub fn sof_view(
    project: &Project,
    rows: &[SofResult],
    config: &BriefConfig,
    overlaps: &[crate::analysis::overlap::Overlap],
    labels: &Labels,
) -> SofView {
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
    let q = &config.question;
    let rows = rows
        .iter()
        .map(|r| {
            let spec = config.summary_of_findings[r.index].get_ref();
            let outcome = crate::analysis::certainty::sof_row_label(config, r, spec, labels);
            let mut effect_marks = Vec::new();
            let (relative, control, difference) = effect_cells(config, r, labels, &mut |t| {
                effect_marks.push(note(t));
            });
            // Studies that may share participants: the row says so.
            let ids: Vec<&str> = r.studies.iter().map(String::as_str).collect();
            let label_of = |id: &str| {
                project
                    .studies
                    .iter()
                    .find(|s| s.study.id.get_ref() == id)
                    .map_or_else(|| id.to_owned(), |s| s.study.label.clone())
            };
            for text in super::overlap::notes_for(overlaps, &ids, &label_of, labels) {
                effect_marks.push(note(text));
            }
            let mut certainty_marks = Vec::new();
            for d in &r.certainty.domains {
                let domain = domain_label(d.domain, labels);
                let not_downgraded =
                    || labels.fill("sof.not-downgraded", &[("domain", &capitalise(domain))]);
                let reason = d
                    .reason
                    .as_deref()
                    .map(|r| curated(project, labels, r, false));
                let mut text = match (d.rating, &reason) {
                    (Concern::NotSerious, None) => String::new(),
                    (Concern::NotSerious, Some(reason)) => labels.fill(
                        "sof.with-reason",
                        &[("text", &not_downgraded()), ("reason", reason)],
                    ),
                    (c, reason) => labels.fill(
                        "sof.downgraded",
                        &[
                            ("levels", levels_text(c.levels(), labels)),
                            ("domain", domain),
                            ("reason", reason.as_deref().unwrap_or("")),
                        ],
                    ),
                };
                if d.overrides()
                    && let Some(s) = &d.suggestion
                {
                    if text.is_empty() {
                        text = not_downgraded();
                    }
                    text.push_str(&labels.fill(
                        "sof.overrides",
                        &[
                            ("rating", concern_label(d.rating, labels)),
                            ("suggested", concern_label(s.concern, labels)),
                            ("why", &suggestion_words(s, labels)),
                        ],
                    ));
                }
                if !text.is_empty() {
                    certainty_marks.push(note(text));
                }
            }
            if r.certainty.upgrade > 0
                && let Some(up) = &spec.certainty.upgrade
            {
                certainty_marks.push(note(labels.fill(
                    "sof.upgraded",
                    &[
                        ("levels", levels_text(r.certainty.upgrade, labels)),
                        ("reason", &curated(project, labels, &up.reason, false)),
                    ],
                )));
            }
            SofRowView {
                outcome,
                participants: participants_text(project, r, labels),
                relative,
                control,
                difference,
                effect_marks,
                start: certainty_label(r.certainty.start, labels).to_owned(),
                level: r.certainty.level,
                level_label: certainty_label(r.certainty.level, labels).to_uppercase(),
                certainty_marks,
                comment: spec
                    .comment
                    .as_deref()
                    .map(|c| curated(project, labels, c, false))
                    .unwrap_or_default(),
                overridden: r.certainty.domains.iter().any(|d| d.overrides()),
                statement: super::plain::statement_text(r, config, labels).unwrap_or_default(),
            }
        })
        .collect();
    SofView {
        rows,
        footnotes,
        title: labels.fill(
            "sof.title",
            &[
                ("intervention", &q.intervention_short),
                ("comparison", &q.comparison_short),
                ("population", &lower_first(&q.population)),
            ],
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

fn participants_text(project: &Project, r: &SofResult, labels: &Labels) -> String {
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
        parts.push(labels.count(rct, "sof.rcts"));
    }
    if other > 0 {
        parts.push(labels.count(other, "sof.non-randomised"));
    }
    if parts.is_empty() {
        return labels.text("sof.no-studies").to_owned();
    }
    labels.fill(
        "sof.participants",
        &[
            ("n", &fixed(r.participants, 0)),
            ("studies", &parts.join(labels.text("words.list-separator"))),
        ],
    )
}

/// Relative effect, control risk (or mean), and difference, in GRADEpro's words.
fn effect_cells(
    config: &BriefConfig,
    r: &SofResult,
    labels: &Labels,
    note: &mut dyn FnMut(String),
) -> (String, String, String) {
    let not_estimable = || labels.text("sof.not-estimable").to_owned();
    match &r.effect {
        SofEffect::NotEstimable { reason } => (
            not_estimable(),
            "\u{2014}".into(),
            capitalise(&reason.words(labels)),
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
                Some((e, lo, hi)) => labels.fill(
                    "sof.relative",
                    &[
                        ("measure", &measure_abbrev(*measure, labels)),
                        ("estimate", &fixed(*e, 2)),
                        ("lower", &fixed(*lo, 2)),
                        ("upper", &fixed(*hi, 2)),
                    ],
                ),
                None if intervention.0 + control.0 == 0.0 => {
                    labels.text("sof.not-estimable-no-events").to_owned()
                }
                None => not_estimable(),
            };
            let per_1000 = fixed(1000.0 * control_risk, 0);
            let control_text = match stated_risk_source {
                Some(source) => {
                    note(labels.fill("sof.baseline-from", &[("source", source)]));
                    labels.fill("sof.per-1000", &[("n", &per_1000)])
                }
                None => labels.fill(
                    "sof.per-1000-counts",
                    &[
                        ("n", &per_1000),
                        ("events", &fixed(control.0, 0)),
                        ("total", &fixed(control.1, 0)),
                    ],
                ),
            };
            if *absolute_from_difference && absolute.is_some() {
                note(
                    labels
                        .text(if *control_risk == 0.0 {
                            "sof.absolute-from-difference-zero"
                        } else {
                            "sof.absolute-from-difference"
                        })
                        .to_owned(),
                );
            }
            if let Some(a) = absolute
                && a.capped.any()
            {
                let top = a.capped.upper || a.intervention_per_1000 >= 1000.0;
                let which: Vec<&str> = [
                    (a.capped.estimate, "sof.capped-estimate"),
                    (a.capped.lower, "sof.capped-lower"),
                    (a.capped.upper, "sof.capped-upper"),
                ]
                .into_iter()
                .filter(|(capped, _)| *capped)
                .map(|(_, key)| labels.text(key))
                .collect();
                note(labels.fill(
                    "sof.capped",
                    &[
                        (
                            "which",
                            &capitalise(&which.join(labels.text("sof.capped-and"))),
                        ),
                        ("bound", if top { "1000" } else { "0" }),
                    ],
                ));
            }
            let difference = match absolute {
                Some(a) => difference_per_1000(a, labels),
                None if intervention.0 + control.0 == 0.0 => labels.fill(
                    "sof.no-events",
                    &[("n", &fixed(intervention.1 + control.1, 0))],
                ),
                None => not_estimable(),
            };
            (relative, control_text, difference)
        }
        SofEffect::TimeToEvent {
            measure,
            relative: (e, lo, hi),
            control_risk,
            absolute,
        } => {
            let relative = labels.fill(
                "sof.relative",
                &[
                    ("measure", &measure_abbrev(*measure, labels)),
                    ("estimate", &fixed(*e, 2)),
                    ("lower", &fixed(*lo, 2)),
                    ("upper", &fixed(*hi, 2)),
                ],
            );
            let control_text = match control_risk {
                Some((risk, source)) => {
                    note(labels.fill("sof.baseline-from", &[("source", source)]));
                    labels.fill("sof.per-1000", &[("n", &fixed(1000.0 * risk, 0))])
                }
                None => "\u{2014}".into(),
            };
            let difference = match absolute {
                Some(a) => difference_per_1000(a, labels),
                None => labels.fill(
                    "sof.not-estimable-because",
                    &[("reason", &Unestimable::NoControlRisk.words(labels))],
                ),
            };
            (relative, control_text, difference)
        }
        SofEffect::Continuous {
            measure,
            estimate: (e, lo, hi),
            control_means,
        } => {
            let unit = config
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
                Some((a, b)) if (a - b).abs() < 1e-12 => {
                    labels.fill("sof.mean", &[("mean", &fixed(*a, 2)), ("unit", &unit)])
                }
                Some((a, b)) => labels.fill(
                    "sof.means",
                    &[
                        ("lower", &fixed(*a, 2)),
                        ("upper", &fixed(*b, 2)),
                        ("unit", &unit),
                    ],
                ),
                None => "\u{2014}".into(),
            };
            let difference = labels.fill(
                "sof.continuous-difference",
                &[
                    ("measure", &measure_abbrev(*measure, labels)),
                    ("value", &fixed(e.abs(), 2)),
                    ("unit", &unit),
                    ("direction", higher_lower(*e, labels)),
                    ("lower", &amount(*lo, labels)),
                    ("upper", &amount(*hi, labels)),
                ],
            );
            ("\u{2014}".into(), control, difference)
        }
    }
}

fn measure_abbrev(m: Measure, labels: &Labels) -> String {
    match m {
        Measure::RR => "RR".into(),
        Measure::OR | Measure::PETO => "OR".into(),
        Measure::RD => "RD".into(),
        Measure::MD => "MD".into(),
        Measure::SMD => "SMD".into(),
        Measure::HR => "HR".into(),
        other => capitalise(measure_label(other, labels)),
    }
}

/// "higher" for zero and up, else "lower".
fn higher_lower(x: f64, labels: &Labels) -> &str {
    labels.text(if x < 0.0 { "sof.lower" } else { "sof.higher" })
}

fn amount(x: f64, labels: &Labels) -> String {
    labels.fill(
        "sof.amount",
        &[
            ("value", &fixed(x.abs(), 2)),
            ("direction", higher_lower(x, labels)),
        ],
    )
}

/// "363 more per 1000 (from 120 more to 590 more)": an absolute effect's difference, as
/// the summary of findings prints it.
fn difference_per_1000(a: &crate::stats::absolute::AbsoluteEffect, labels: &Labels) -> String {
    labels.fill(
        "sof.difference-per-1000",
        &[
            ("difference", &more_fewer(a.difference_per_1000, labels)),
            ("lower", &more_fewer(a.difference_lower, labels)),
            ("upper", &more_fewer(a.difference_upper, labels)),
        ],
    )
}

/// "363 more", "12 fewer", "0": a difference per 1000 in GRADEpro's wording.
fn more_fewer(x: f64, labels: &Labels) -> String {
    let rounded = x.round();
    if rounded == 0.0 {
        "0".into()
    } else if rounded > 0.0 {
        labels.fill("sof.more", &[("n", &fixed(rounded, 0))])
    } else {
        labels.fill("sof.fewer", &[("n", &fixed(-rounded, 0))])
    }
}

/// Why evbrief suggests its rating, in the brief's language.
fn suggestion_words(s: &crate::analysis::certainty::Suggestion, labels: &Labels) -> String {
    s.reasons
        .iter()
        .map(|r| {
            let (key, values) = r.label();
            let args: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            labels.fill(key, &args)
        })
        .collect::<Vec<_>>()
        .join(labels.text("suggestion.separator"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn absolute_differences_use_more_and_fewer() {
        let en = Language::En.labels();
        assert_eq!(more_fewer(363.4, en), "363 more");
        assert_eq!(more_fewer(-12.6, en), "13 fewer");
        assert_eq!(more_fewer(0.2, en), "0");
        let zh = Language::Zh.labels();
        assert_eq!(more_fewer(363.4, zh), "多 363 例");
        assert_eq!(more_fewer(-12.6, zh), "少 13 例");
    }

    #[test]
    fn english_labels_keep_grades_words_and_chinese_has_its_own() {
        let en = Language::En.labels();
        let zh = Language::Zh.labels();
        for level in 1..=4 {
            assert_eq!(
                certainty_label(level, en),
                crate::analysis::certainty::level_label(level)
            );
        }
        assert_eq!(certainty_label(1, zh), "极低");
        for c in [Concern::NotSerious, Concern::Serious, Concern::VerySerious] {
            assert_eq!(concern_label(c, en), c.label());
        }
        for d in [
            GradeDomain::RiskOfBias,
            GradeDomain::Inconsistency,
            GradeDomain::Indirectness,
            GradeDomain::Imprecision,
            GradeDomain::PublicationBias,
        ] {
            assert_eq!(domain_label(d, en), d.label());
        }
        assert_eq!(domain_label(GradeDomain::RiskOfBias, zh), "偏倚风险");
    }

    #[test]
    fn footnote_marks_run_past_z() {
        assert_eq!(footnote_mark(0), "a");
        assert_eq!(footnote_mark(25), "z");
        assert_eq!(footnote_mark(26), "aa");
    }
}
