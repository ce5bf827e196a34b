//! Narrative findings and the discrepancies between sources, each with its study and
//! the report it was read in.

use serde::Serialize;

use crate::config::BriefConfig;
use crate::data::Project;
use crate::data::model::{Source, Study};
use crate::i18n::Labels;

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
    /// True when read in a report that only mentions the study: printed "as reported in"
    /// that report.
    pub second_hand: bool,
}
/// A finding with its study label and citation.
pub(super) fn finding_view(st: &Study, text: &str, source: &Source) -> FindingView {
    FindingView {
        study: st.label.clone(),
        cite: source.report.get_ref().clone(),
        text: text.to_owned(),
        source: source.at.clone(),
        second_hand: st.is_second_hand(source),
    }
}

pub(super) fn conflicts(
    project: &Project,
    config: &BriefConfig,
    labels: &Labels,
) -> Vec<FindingView> {
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
                        // The reader sees the outcome's label, never its id.
                        &[
                            (
                                "outcome",
                                config
                                    .outcomes
                                    .iter()
                                    .map(|o| o.get_ref())
                                    .find(|o| &o.id == c.outcome.get_ref())
                                    .map_or(c.outcome.get_ref().as_str(), |o| o.label.as_str()),
                            ),
                            ("note", &k.note),
                        ],
                    ),
                    &k.source,
                ));
            }
        }
    }
    out
}
