//! The risk-of-bias section's view: per tool, a traffic-light figure (studies × domains),
//! a summary bar chart (share of studies per judgement in each domain) and the support
//! sentence behind every judgement; studies that were not assessed, with the reason.
//!
//! Figures follow robvis (McGuinness & Higgins 2021): the marks and bars are SVG drawn by
//! `plot::risk_of_bias`; study names, citations and domain headers are Typst text beside
//! them, in rows of the exact heights the SVG uses.

use std::collections::HashMap;

use serde::Serialize;

use crate::data::Project;
use crate::data::risk_of_bias::{DomainDef, RobLevel, RobTool};
use crate::i18n::Labels;
use crate::plot::risk_of_bias::{
    Judgement, MarkRow, SummaryChart, legend_svg, mark_column_svg, summary_bars_svg,
};

/// Height of one traffic-light row, in points.
pub const ROW_HEIGHT: f64 = 14.0;
/// Width of one traffic-light column, in points.
pub const CELL_WIDTH: f64 = 24.0;
/// Width of the summary chart and legends, in points.
const FIGURE_WIDTH: f64 = 420.0;

/// Everything the risk-of-bias section shows.
#[derive(Debug, Serialize)]
pub struct RiskOfBiasView {
    /// One block per tool that has assessed studies (RoB 2 first).
    pub tools: Vec<ToolView>,
    /// Studies marked not assessed, with the curator's reason.
    pub not_assessed: Vec<NotAssessedView>,
    /// Labels of studies with no `[risk-of-bias]` table yet.
    pub pending: Vec<String>,
    /// Who judged: the brief's authors.
    pub assessor: String,
}

/// The figures and supports of one tool.
#[derive(Debug, Serialize)]
pub struct ToolView {
    /// "RoB 2".
    pub name: String,
    /// What the tool is for, for the caption.
    pub scope: String,
    /// Column headers of the traffic light: domain codes, then "Overall".
    pub headers: Vec<String>,
    /// "D1: Bias arising from the randomisation process" …
    pub domain_key: Vec<String>,
    /// Study label and citation keys, one per traffic-light row.
    pub studies: Vec<StudyLabel>,
    /// How many studies the tool judged (`studies` is empty in the summary layout).
    pub assessed: usize,
    /// Row height and column width of the traffic light, in points.
    pub row_height: f64,
    /// Width of one mark column, in points.
    pub cell_width: f64,
    /// The traffic light's marks.
    pub traffic_svg: String,
    /// Legend of the levels this tool uses.
    pub legend_svg: String,
    /// Height of the legend, in points.
    pub legend_height: f64,
    /// The summary bar chart.
    pub summary_svg: String,
    /// Height of the summary chart, in points.
    pub summary_height: f64,
    /// Width of the summary chart and legend, in points.
    pub figure_width: f64,
    /// Text alternative of the traffic light.
    pub traffic_alt: String,
    /// Text alternative of the summary chart.
    pub summary_alt: String,
    /// Every judgement with its support, study by study.
    pub supports: Vec<StudySupports>,
}

/// A study's label with its citations.
#[derive(Debug, Serialize)]
pub struct StudyLabel {
    /// "Zhao 2024".
    pub label: String,
    /// Bibliography keys.
    pub cites: Vec<String>,
}

/// One study's judgements with their supports.
#[derive(Debug, Serialize)]
pub struct StudySupports {
    /// Study label.
    pub study: String,
    /// Bibliography keys.
    pub cites: Vec<String>,
    /// The results the assessment covers ("" when not stated).
    pub applies_to: String,
    /// Domains in the tool's order, then the overall judgement.
    pub rows: Vec<SupportView>,
}

/// One judgement and its support sentence.
#[derive(Debug, Serialize)]
pub struct SupportView {
    /// "D1 Bias arising from …" or "Overall".
    pub domain: String,
    /// "Some concerns".
    pub level: String,
    /// The curator's reason.
    pub support: String,
    /// True for the overall row (printed bold).
    pub overall: bool,
}

/// A study outside both tools.
#[derive(Debug, Serialize)]
pub struct NotAssessedView {
    /// Study label.
    pub study: String,
    /// Bibliography keys.
    pub cites: Vec<String>,
    /// Why it was not assessed.
    pub reason: String,
}

/// The drawing scale of a level: both tools' levels on robvis's one severity scale.
pub fn judgement(level: RobLevel) -> Judgement {
    match level {
        RobLevel::Low => Judgement::Low,
        RobLevel::SomeConcerns | RobLevel::Moderate => Judgement::Moderate,
        RobLevel::High | RobLevel::Serious => Judgement::High,
        RobLevel::Critical => Judgement::Critical,
        RobLevel::NoInformation => Judgement::NoInformation,
    }
}

/// Every study's overall judgement by id, for the column beside forest-plot rows: `None`
/// when the study was not (or not yet) assessed.
pub fn overall_judgements(project: &Project) -> HashMap<String, Option<Judgement>> {
    project
        .studies
        .iter()
        .map(|s| {
            let overall = s
                .study
                .risk_of_bias
                .as_ref()
                .and_then(|rob| rob.resolve())
                .map(|r| judgement(r.overall.0));
            (s.study.id.get_ref().clone(), overall)
        })
        .collect()
}

/// A level in the language of `labels` ("Some concerns", "存在一定风险").
fn level_label(level: RobLevel, labels: &Labels) -> &str {
    labels.text(match level {
        RobLevel::Low => "rob.level.low",
        RobLevel::SomeConcerns => "rob.level.some-concerns",
        RobLevel::Moderate => "rob.level.moderate",
        RobLevel::High => "rob.level.high",
        RobLevel::Serious => "rob.level.serious",
        RobLevel::Critical => "rob.level.critical",
        RobLevel::NoInformation => "rob.level.no-information",
    })
}

/// A tool's domain name in the language of `labels` (`rob.rob2.randomisation`).
fn domain_name(tool: RobTool, domain: &DomainDef, labels: &Labels) -> String {
    let tool_key = match tool {
        RobTool::Rob2 => "rob2",
        _ => "robins-i",
    };
    labels
        .text(&format!("rob.{tool_key}.{}", domain.key))
        .to_owned()
}

/// Legend entries for a tool's levels.
fn legend(tool: RobTool, labels: &Labels) -> Vec<(Judgement, String)> {
    tool.levels()
        .iter()
        .map(|(_, level)| (judgement(*level), level_label(*level, labels).to_owned()))
        .collect()
}

/// Builds the section's view from the studies' judgements.
/// In the `summary` layout of a large brief, each tool keeps its summary chart and the
/// number of studies it judged; the per-study traffic-light grid and the table of support
/// for judgements are left out.
pub fn risk_of_bias_view(project: &Project, summary: bool, labels: &Labels) -> RiskOfBiasView {
    let cites = super::studies::data_report_keys;
    let mut tools = Vec::new();
    for tool in [RobTool::Rob2, RobTool::RobinsI] {
        let assessed: Vec<(&crate::data::model::Study, _)> = project
            .studies
            .iter()
            .map(|s| &s.study)
            .filter_map(|s| {
                let r = s.risk_of_bias.as_ref()?.resolve()?;
                (r.tool == tool).then_some((s, r))
            })
            .collect();
        if assessed.is_empty() {
            continue;
        }
        let domains = tool.domains();
        let mut headers: Vec<String> = domains.iter().map(|d| d.code.to_owned()).collect();
        headers.push(labels.text("rob.overall").to_owned());
        let rows: Vec<MarkRow> = assessed
            .iter()
            .map(|(_, r)| MarkRow {
                height_pt: ROW_HEIGHT,
                marks: r
                    .domains
                    .iter()
                    .map(|d| Some(judgement(d.1)))
                    .chain([Some(judgement(r.overall.0))])
                    .collect(),
            })
            .collect();
        let bars: Vec<Vec<(Judgement, usize)>> = (0..=domains.len())
            .map(|i| {
                let mut counts: Vec<(Judgement, usize)> = Vec::new();
                for (_, r) in &assessed {
                    let level = r.domains.get(i).map_or(r.overall.0, |d| d.1);
                    let j = judgement(level);
                    match counts.iter_mut().find(|c| c.0 == j) {
                        Some(c) => c.1 += 1,
                        None => counts.push((j, 1)),
                    }
                }
                counts
            })
            .collect();
        let mut bar_names: Vec<String> = domains
            .iter()
            .map(|d| domain_name(tool, d, labels))
            .collect();
        bar_names.push(labels.text("rob.overall-risk").to_owned());
        let (summary_svg, summary_height) = summary_bars_svg(&SummaryChart {
            domains: bar_names.clone(),
            bars: bars.clone(),
            legend: legend(tool, labels),
            width_pt: FIGURE_WIDTH,
            axis_title: labels.text("rob.axis-title").to_owned(),
        });
        let (legend_svg, legend_height) = legend_svg(&legend(tool, labels), FIGURE_WIDTH);
        let separator = labels.text("rob.alt-separator");
        let per_study = if summary {
            &assessed[..0]
        } else {
            &assessed[..]
        };
        let traffic_alt = labels.fill(
            "rob.traffic-alt",
            &[
                ("tool", tool.name()),
                (
                    "studies",
                    &per_study
                        .iter()
                        .map(|(s, r)| {
                            let judged = r
                                .domains
                                .iter()
                                .map(|d| {
                                    format!(
                                        "{} {}",
                                        d.0.code,
                                        level_label(d.1, labels).to_lowercase()
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join(separator);
                            labels.fill(
                                "rob.traffic-alt-study",
                                &[
                                    ("study", &s.label),
                                    ("domains", &judged),
                                    ("overall", &level_label(r.overall.0, labels).to_lowercase()),
                                ],
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(labels.text("rob.alt-sentence-separator")),
                ),
            ],
        );
        let summary_alt = labels.fill(
            "rob.summary-alt",
            &[
                ("tool", tool.name()),
                (
                    "domains",
                    &bar_names
                        .iter()
                        .zip(&bars)
                        .map(|(name, counts)| {
                            let counts = counts
                                .iter()
                                .map(|(j, n)| format!("{n} {}", level_word(tool, *j, labels)))
                                .collect::<Vec<_>>()
                                .join(separator);
                            labels.fill(
                                "rob.summary-alt-domain",
                                &[("domain", name), ("counts", &counts)],
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(labels.text("rob.alt-sentence-separator")),
                ),
            ],
        );
        let supports = per_study
            .iter()
            .map(|(s, r)| StudySupports {
                study: s.label.clone(),
                cites: cites(s),
                applies_to: s
                    .risk_of_bias
                    .as_ref()
                    .and_then(|rob| rob.applies_to.clone())
                    .unwrap_or_default(),
                rows: r
                    .domains
                    .iter()
                    .map(|d| SupportView {
                        domain: format!("{} {}", d.0.code, domain_name(tool, &d.0, labels)),
                        level: level_label(d.1, labels).to_owned(),
                        support: d.2.clone(),
                        overall: false,
                    })
                    .chain([SupportView {
                        domain: labels.text("rob.overall").to_owned(),
                        level: level_label(r.overall.0, labels).to_owned(),
                        support: r.overall.1.clone(),
                        overall: true,
                    }])
                    .collect(),
            })
            .collect();
        tools.push(ToolView {
            name: tool.name().to_owned(),
            scope: labels
                .text(match tool {
                    RobTool::Rob2 => "rob.scope-rob2",
                    _ => "rob.scope-robins-i",
                })
                .to_owned(),
            headers,
            domain_key: domains
                .iter()
                .map(|d| {
                    labels.fill(
                        "rob.domain-key",
                        &[("code", d.code), ("name", &domain_name(tool, d, labels))],
                    )
                })
                .collect(),
            studies: per_study
                .iter()
                .map(|(s, _)| StudyLabel {
                    label: s.label.clone(),
                    cites: cites(s),
                })
                .collect(),
            assessed: assessed.len(),
            row_height: ROW_HEIGHT,
            cell_width: CELL_WIDTH,
            traffic_svg: if summary {
                String::new()
            } else {
                mark_column_svg(&rows, CELL_WIDTH)
            },
            legend_svg,
            legend_height,
            summary_svg,
            summary_height,
            figure_width: FIGURE_WIDTH,
            traffic_alt,
            summary_alt,
            supports,
        });
    }
    let not_assessed = project
        .studies
        .iter()
        .map(|s| &s.study)
        .filter_map(|s| {
            let rob = s.risk_of_bias.as_ref()?;
            (*rob.tool.get_ref() == RobTool::NotAssessed).then(|| NotAssessedView {
                study: s.label.clone(),
                cites: cites(s),
                reason: rob.reason.clone().unwrap_or_default(),
            })
        })
        .collect();
    let pending = project
        .studies
        .iter()
        .filter(|s| s.study.risk_of_bias.is_none())
        .map(|s| s.study.label.clone())
        .collect();
    RiskOfBiasView {
        tools,
        not_assessed,
        pending,
        assessor: if project.config.authors.is_empty() {
            labels.text("rob.the-curators").to_owned()
        } else {
            project
                .config
                .authors
                .join(labels.text("words.list-separator"))
        },
    }
}

/// A drawing level in the tool's own word ("some concerns" for RoB 2).
fn level_word(tool: RobTool, j: Judgement, labels: &Labels) -> String {
    tool.levels()
        .iter()
        .find(|(_, level)| judgement(*level) == j)
        .map_or_else(
            || format!("{j:?}"),
            |(_, level)| level_label(*level, labels).to_lowercase(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tools_map_onto_one_severity_scale() {
        assert_eq!(judgement(RobLevel::SomeConcerns), Judgement::Moderate);
        assert_eq!(judgement(RobLevel::Serious), Judgement::High);
        assert_eq!(judgement(RobLevel::High), Judgement::High);
        let en = crate::i18n::Language::En.labels();
        assert_eq!(
            level_word(RobTool::Rob2, Judgement::Moderate, en),
            "some concerns"
        );
        assert_eq!(level_word(RobTool::RobinsI, Judgement::High, en), "serious");
        let zh = crate::i18n::Language::Zh.labels();
        assert_eq!(
            level_word(RobTool::Rob2, Judgement::Moderate, zh),
            "存在一定风险"
        );
    }

    #[test]
    fn english_labels_match_the_tools_own_words() {
        let en = crate::i18n::Language::En.labels();
        for tool in [RobTool::Rob2, RobTool::RobinsI] {
            for d in tool.domains() {
                assert_eq!(domain_name(tool, d, en), d.name, "{}", d.key);
            }
            for (_, level) in tool.levels() {
                assert_eq!(level_label(*level, en), level.label());
            }
        }
    }
}
