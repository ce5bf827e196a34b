//! The overview figures: every outcome and time point in one forest plot per scale.

use super::forest::*;
use super::words::{
    capitalise, estimate_brackets, is_ratio, measure_label, measure_name, time_label,
};
use crate::analysis::OutcomeAnalysis;
use crate::config::{Direction, OutcomeDef};
use crate::i18n::Labels;
use crate::plot::axis::{Axis, Scale};
use crate::plot::forest::{DiamondStyle, Mark};
use crate::stats::Measure;
use crate::text::join_lines;

/// Overview figures: one row per outcome and time point with its pooled (or single-study)
/// effect, CI, number of studies and participants. Outcomes share a figure only when they
/// share a scale: all ratio measures on one log axis, differences per measure and unit.
pub fn overview(
    outcomes: &[&OutcomeDef],
    analysis: &[OutcomeAnalysis],
    overlaps: &[crate::analysis::overlap::Overlap],
    study_label: &dyn Fn(&str) -> String,
    labels: &Labels,
) -> Vec<ForestView> {
    // Footnotes on rows whose studies may share participants, per figure.
    let mut overlap_notes: Vec<(String, Vec<String>)> = Vec::new();
    // Grouped by a language-independent key (also the figure's id); `units` keeps each
    // difference group's unit for its title.
    let mut groups: Vec<(String, Measure, Vec<Row>)> = Vec::new();
    let mut units: Vec<(String, String)> = Vec::new();
    // The ratio measures each group shows, so its title names only those.
    let mut ratios: Vec<Measure> = Vec::new();
    for a in analysis {
        let Some(o) = outcomes.iter().find(|o| o.id == a.outcome) else {
            continue;
        };
        let m = a.measure;
        let key = if is_ratio(m) {
            "ratio".to_owned()
        } else {
            format!("{} in {}", measure_name(m), o.unit)
        };
        if !units.iter().any(|(k, _)| *k == key) {
            units.push((key.clone(), o.unit.clone()));
        }
        if is_ratio(m) && !a.times.is_empty() && !ratios.contains(&m) {
            ratios.push(m);
        }
        for t in &a.times {
            let better = labels.text(match o.better {
                Direction::Higher => "forest.higher",
                Direction::Lower => "forest.lower",
            });
            let ids: Vec<&str> = t.studies.iter().map(|r| r.study.as_str()).collect();
            let marker = super::overlap::marker_for(overlaps, &ids, labels);
            for note in super::overlap::notes_for(overlaps, &ids, study_label, labels) {
                match overlap_notes.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, notes)) if notes.contains(&note) => {}
                    Some((_, notes)) => notes.push(note),
                    None => overlap_notes.push((key.clone(), vec![note])),
                }
            }
            let mut row = text_row(
                "study",
                &(labels.fill(
                    "forest.title",
                    &[
                        ("outcome", &o.label),
                        ("time", &time_label(&t.time, labels)),
                    ],
                ) + &marker),
                LABEL_CHARS + 6,
            );
            row.weight = better.to_owned();
            row.a = t.studies.len().to_string();
            row.b = format!("{}", t.studies.iter().map(|r| r.participants).sum::<f64>());
            let mark = match &t.pooled {
                Some(p) => {
                    row.effect = estimate_brackets(m, p.estimate, p.ci_lower, p.ci_upper);
                    if p.single_study {
                        Mark::Study {
                            estimate: p.estimate,
                            lower: p.ci_lower,
                            upper: p.ci_upper,
                            weight: None,
                        }
                    } else {
                        Mark::Diamond {
                            estimate: p.estimate,
                            lower: p.ci_lower,
                            upper: p.ci_upper,
                            style: DiamondStyle::Overall,
                        }
                    }
                }
                None => {
                    row.effect = labels.text("forest.not-estimable").to_owned();
                    Mark::Blank
                }
            };
            match groups.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, rows)) => rows.push((row, mark)),
                None => groups.push((key.clone(), m, vec![(row, mark)])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, m, rows)| {
            let ratio = key == "ratio";
            let unit = units
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("", |(_, u)| u.as_str());
            let title = if ratio {
                labels
                    .text(match ratios.as_slice() {
                        [Measure::RR] => "forest.overview-ratios-rr",
                        [Measure::OR | Measure::PETO] => "forest.overview-ratios-or",
                        [Measure::HR] => "forest.overview-ratios-hr",
                        r if r.contains(&Measure::HR) => "forest.overview-ratios-with-hr",
                        _ => "forest.overview-ratios",
                    })
                    .to_owned()
            } else {
                labels.fill(
                    "forest.overview-differences",
                    &[("measure", measure_label(m, labels)), ("unit", unit)],
                )
            };
            let effect_header = labels.fill(
                "forest.effect-header",
                &[(
                    "measure",
                    &if ratio {
                        labels.text("forest.ratio").to_owned()
                    } else {
                        capitalise(measure_label(m, labels))
                    },
                )],
            );
            let scale = if ratio { Scale::Log } else { Scale::Linear };
            let (core, extent) = axis_values(&rows);
            let axis = Axis::choose(scale, &core, &extent);
            let alt = labels.fill(
                "forest.overview-alt",
                &[
                    ("title", &title),
                    (
                        "rows",
                        &rows
                            .iter()
                            .map(|(r, _)| {
                                labels.fill(
                                    "forest.overview-alt-row",
                                    &[
                                        ("label", &join_lines(&r.label)),
                                        ("effect", &r.effect),
                                        (
                                            "studies",
                                            // `a` holds the number of studies here.
                                            &r.a.parse().map_or_else(
                                                |_| r.a.clone(),
                                                |k| labels.count(k, "words.studies"),
                                            ),
                                        ),
                                    ],
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(labels.text("forest.step-separator")),
                    ),
                ],
            );
            // The legend speaks of diamonds only when the figure has one.
            let pooled = rows
                .iter()
                .any(|(_, mark)| matches!(mark, Mark::Diamond { .. }));
            let note = labels.text(if pooled {
                "forest.overview-note"
            } else {
                "forest.overview-note-single"
            });
            build_view(
                format!(
                    "overview-{}",
                    key.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                ),
                title,
                [
                    labels.text("forest.outcome-time").to_owned(),
                    labels.text("forest.studies").to_owned(),
                    labels.text("forest.participants").to_owned(),
                    labels.text("forest.better").to_owned(),
                    effect_header,
                ],
                rows,
                &axis,
                None,
                alt,
                std::iter::once(note.to_owned())
                    .chain(
                        overlap_notes
                            .iter()
                            .filter(|(k, _)| *k == key)
                            .flat_map(|(_, n)| n.iter().cloned()),
                    )
                    .collect(),
            )
        })
        .collect()
}
