//! The safety section's view: the adverse-event table by category, study and arm, pooled
//! risk differences, what zero can still hide, and narrative safety findings.

use serde::Serialize;

use super::findings::FindingView;
use crate::analysis::safety::{ArmEvents, Incidence, PooledDifference, SafetyAnalysis};
use crate::config::BriefConfig;
use crate::data::Project;
use crate::data::model::{AeCategory, Study};
use crate::format::fixed;
use crate::i18n::Labels;

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
    /// Rows left out of `rows` by the summary layout of a large brief.
    pub rows_omitted: usize,
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

/// A category's heading in the language of `labels` (`safety.category.infusion-reaction`).
fn category_label(category: AeCategory, labels: &Labels) -> &str {
    labels.text(&format!("safety.category.{}", category.key()))
}

/// Builds the safety view from the safety analysis, with the short arm names of the
/// localised `config` and the fixed words of `labels`.
pub fn safety_view(
    project: &Project,
    analysis: &SafetyAnalysis,
    config: &BriefConfig,
    summary: bool,
    labels: &Labels,
) -> SafetyView {
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
            label: category_label(c.category, labels).to_owned(),
            rows_omitted: if summary { c.rows.len() } else { 0 },
            rows: c
                .rows
                .iter()
                .filter(|_| !summary)
                .map(|r| {
                    let st = study(&r.study);
                    // A statement that none occurred, without a count, is printed as such.
                    let lines = |a: &ArmEvents| {
                        if r.none_reported.contains(&a.arm) {
                            vec![labels.text("statement.none-reported").to_owned()]
                        } else {
                            arm_lines(a, labels)
                        }
                    };
                    EventRowView {
                        study: label(&r.study),
                        cite: st
                            .map(|s| cite_of(s, c.category, &r.event))
                            .unwrap_or_default(),
                        event: super::words::curated(project, labels, &r.event, true),
                        intervention: r.intervention.as_ref().map_or_else(
                            || vec![labels.text("safety.no-intervention-arm").to_owned()],
                            lines,
                        ),
                        control: r.control.as_ref().map_or_else(
                            || vec![labels.text("safety.no-control-arm").to_owned()],
                            lines,
                        ),
                        difference: r.difference.map_or_else(
                            || "\u{2014}".to_owned(),
                            |d| points_ci(d.estimate, d.lower, d.upper, labels),
                        ),
                        note: st
                            .map(|s| notes_of(s, c.category, &r.event, labels))
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            pooled: c.pooled.as_ref().map(|p| pooled_text(p, labels)),
            recipients: c.recipients.map(|i| {
                labels.fill(
                    "safety.recipients",
                    &[
                        ("intervention", &config.question.intervention_short),
                        ("incidence", &incidence_text(&i, labels)),
                    ],
                )
            }),
            silent: (!c.silent.is_empty()).then(|| {
                if summary {
                    return labels.fill(
                        "safety.not-reported-by-count",
                        &[("studies", &labels.count(c.silent.len(), "words.studies"))],
                    );
                }
                labels.fill(
                    "safety.not-reported-by",
                    &[(
                        "studies",
                        &c.silent
                            .iter()
                            .map(|s| label(s))
                            .collect::<Vec<_>>()
                            .join(labels.text("words.list-separator")),
                    )],
                )
            }),
        })
        .collect();
    let mentioned: Vec<AeCategory> = analysis.categories.iter().map(|c| c.category).collect();
    let unreported = [AeCategory::Death, AeCategory::Serious]
        .into_iter()
        .filter(|c| !mentioned.contains(c))
        .map(|c| {
            labels.fill(
                "safety.unreported",
                &[("category", category_label(c, labels))],
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
                .map(|f| super::findings::finding_view(&s.study, &f.text, &f.source))
        })
        .collect();
    SafetyView {
        categories,
        unreported,
        findings,
        intervention: config.question.intervention_short.clone(),
        control: super::words::capitalise(&config.question.comparison_short),
    }
}

/// "4/24 (16.7%)" and "95% CI 4.7 to 37.4%"; a zero adds its rule-of-three bound.
fn arm_lines(arm: &ArmEvents, labels: &Labels) -> Vec<String> {
    match &arm.incidence {
        None => vec![labels.fill("safety.arm-not-reported", &[("n", &arm.n.to_string())])],
        Some(i) => {
            let first = labels.fill(
                "safety.count",
                &[
                    ("events", &i.events.to_string()),
                    ("n", &i.n.to_string()),
                    ("percent", &fixed(100.0 * i.ci.estimate, 1)),
                ],
            );
            // A zero count's interval starts at exactly 0.
            let lower = if i.zero_upper.is_some() {
                "0".to_owned()
            } else {
                fixed(100.0 * i.ci.lower, 1)
            };
            let ci = labels.fill(
                "safety.ci",
                &[("lower", &lower), ("upper", &fixed(100.0 * i.ci.upper, 1))],
            );
            let second = match i.zero_upper {
                Some(upper) => labels.fill(
                    "safety.ci-rule-of-three",
                    &[("ci", &ci), ("bound", &fixed(100.0 * upper, 1))],
                ),
                None => ci,
            };
            vec![first, second]
        }
    }
}

/// "4/75 (5.3%; 95% CI 1.5 to 13.1%)"; for zero "0/51 (upper 95% bound 5.9%, rule of 3)".
fn incidence_text(i: &Incidence, labels: &Labels) -> String {
    match i.zero_upper {
        Some(upper) => labels.fill(
            "safety.incidence-zero",
            &[("n", &i.n.to_string()), ("bound", &fixed(100.0 * upper, 1))],
        ),
        None => labels.fill(
            "safety.incidence",
            &[
                ("events", &i.events.to_string()),
                ("n", &i.n.to_string()),
                ("percent", &fixed(100.0 * i.ci.estimate, 1)),
                ("lower", &fixed(100.0 * i.ci.lower, 1)),
                ("upper", &fixed(100.0 * i.ci.upper, 1)),
            ],
        ),
    }
}

/// A risk difference in percentage points: "16.7 (−11.5 to 37.4)".
fn points_ci(estimate: f64, lower: f64, upper: f64, labels: &Labels) -> String {
    labels.fill(
        "safety.points-ci",
        &[
            ("estimate", &signed(100.0 * estimate)),
            ("lower", &signed(100.0 * lower)),
            ("upper", &signed(100.0 * upper)),
        ],
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

fn pooled_text(p: &PooledDifference, labels: &Labels) -> String {
    match p {
        PooledDifference::Estimate {
            k,
            estimate,
            lower,
            upper,
            intervention,
            control,
        } => labels.fill(
            "safety.pooled",
            &[
                ("k", &k.to_string()),
                (
                    "intervention",
                    &format!("{}/{}", intervention.0, intervention.1),
                ),
                ("control", &format!("{}/{}", control.0, control.1)),
                ("difference", &points_ci(*estimate, *lower, *upper, labels)),
            ],
        ),
        PooledDifference::NoEvents {
            k,
            intervention_n,
            control_n,
        } => labels.fill(
            "safety.pooled-no-events",
            &[
                ("k", &k.to_string()),
                ("intervention-n", &intervention_n.to_string()),
                ("control-n", &control_n.to_string()),
                (
                    "intervention-bound",
                    &fixed(300.0 / *intervention_n as f64, 1),
                ),
                ("control-bound", &fixed(300.0 / *control_n as f64, 1)),
            ],
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
fn notes_of(study: &Study, category: AeCategory, event: &str, labels: &Labels) -> String {
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
            notes.push(labels.fill("safety.arm-note", &[("arm", &arm), ("note", note)]));
        }
    }
    notes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn en() -> &'static Labels {
        Language::En.labels()
    }

    #[test]
    fn chinese_counts_use_chinese_words_and_the_tilde_range() {
        let zh = Language::Zh.labels();
        let zero = ArmEvents {
            arm: "t".into(),
            n: 24,
            incidence: crate::analysis::safety::incidence(0, 24),
        };
        assert_eq!(
            arm_lines(&zero, zh)[1],
            "95% CI：0～14.2%；三分律：\u{2264}12.5%"
        );
        assert_eq!(
            points_ci(0.0, -0.2775, 0.2775, zh),
            "0.0（\u{2212}27.8～+27.8）"
        );
        assert_eq!(category_label(AeCategory::Serious, zh), "严重不良事件");
    }

    #[test]
    fn differences_are_signed_percentage_points_with_true_minus() {
        assert_eq!(
            points_ci(0.1667, -0.115, 0.374, en()),
            "+16.7 (\u{2212}11.5 to +37.4)"
        );
        assert_eq!(
            points_ci(0.0, -0.2775, 0.2775, en()),
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
        let lines = arm_lines(&zero, en());
        assert_eq!(lines[0], "0/24 (0.0%)");
        assert_eq!(lines[1], "95% CI 0 to 14.2%; rule of 3: \u{2264}12.5%");
        let silent = ArmEvents {
            arm: "c".into(),
            n: 10,
            incidence: None,
        };
        assert_eq!(arm_lines(&silent, en()), ["not reported (n = 10)"]);
    }

    #[test]
    fn a_statement_without_a_count_is_printed_as_such_without_an_interval() {
        // The registry's "no adverse reactions occurred" (issue 26: once 0/301, 95% CI 0–1.2%).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled");
        let analysis = crate::analysis::safety::analyse_safety(&project);
        for (language, expected) in [
            (Language::En, "none, as stated (no count given)"),
            (Language::Zh, "称未发生（未给出计数）"),
        ] {
            let config = project.config.localised(language);
            let view = safety_view(&project, &analysis, &config, false, language.labels());
            let row = view
                .categories
                .iter()
                .flat_map(|c| &c.rows)
                .find(|r| r.study == "Chin 2025")
                .expect("the registry's row");
            assert_eq!(row.intervention, [expected]);
        }
    }
}
