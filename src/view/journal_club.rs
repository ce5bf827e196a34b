//! What the journal-club formats add to the brief: the appraisal checklist per study, the
//! discussion questions, the key outcome and a QR code per reference with a DOI.

use serde::Serialize;

use super::studies::OutcomeView;
use crate::config::BriefConfig;
use crate::data::Project;
use crate::data::model::{AppraisalAnswer, AppraisalItem, Design, Study};
use crate::i18n::Labels;

/// The journal-club part of the view model.
#[derive(Debug, Serialize)]
pub struct JournalClubView {
    /// The appraisal checklist, one row per included study.
    pub appraisal: Vec<AppraisalRow>,
    /// The questions to discuss: curated, else the language's defaults.
    pub discussion: Vec<String>,
    /// The outcome whose forest plot the handout shows (an id of `outcomes`), if any has one.
    pub key_outcome: Option<String>,
    /// QR codes of the references that have a DOI, in the order of their first citation
    /// (as the reference list numbers them; references not cited last); drawn only
    /// for the handout, which prints them (a thousand references cost ~150 ms of QR
    /// encoding and a larger view for every brief otherwise).
    pub qr_codes: Vec<QrCodeView>,
}

/// One study's answers to the appraisal checklist.
#[derive(Debug, Serialize)]
pub struct AppraisalRow {
    /// Study label ("Zhao 2024").
    pub study: String,
    /// Keys of its reports, cited after the label.
    pub cites: Vec<String>,
    /// Randomised, blinded, allocation concealed, follow-up complete, conflicts of
    /// interest: in the order of the checklist's columns (`appraisal.*` labels).
    pub answers: Vec<AnswerView>,
}

/// One answer as printed.
#[derive(Debug, Serialize)]
pub struct AnswerView {
    /// The answer's key (`yes`, `not-reported` …), for colouring.
    pub answer: &'static str,
    /// The answer in words, in the brief's language.
    pub text: String,
    /// The curator's support, if any.
    pub note: Option<String>,
    /// The report the answer was read in, cited.
    pub cite: Option<String>,
}

/// A reference's DOI as a QR code.
#[derive(Debug, Serialize)]
pub struct QrCodeView {
    /// Bibliography key.
    pub key: String,
    /// The DOI.
    pub doi: String,
    /// The resolver address the code holds (`https://doi.org/…`).
    pub url: String,
    /// The code as an SVG of one path (vector, prints sharp at any size).
    pub svg: String,
}

/// The journal-club view of a project, printed with `config` (already localised) and
/// `labels`; `outcomes` are the brief's outcome sections, to pick the key forest plot.
/// `with_qr_codes`: draw the references' QR codes (the handout prints them).
pub fn journal_club_view(
    project: &Project,
    config: &BriefConfig,
    outcomes: &[OutcomeView],
    labels: &Labels,
    with_qr_codes: bool,
) -> JournalClubView {
    let discussion = if config.journal_club.discussion_questions.is_empty() {
        labels
            .list("handout.default-discussion")
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else {
        config.journal_club.discussion_questions.clone()
    };
    JournalClubView {
        appraisal: project
            .studies
            .iter()
            .map(|s| appraisal_row(&s.study, labels))
            .collect(),
        discussion,
        key_outcome: key_outcome(config, outcomes),
        qr_codes: if with_qr_codes {
            qr_codes(project)
        } else {
            Vec::new()
        },
    }
}

/// The curated key outcome; else the first summary-of-findings outcome with a forest plot;
/// else the first outcome with one.
fn key_outcome(config: &BriefConfig, outcomes: &[OutcomeView]) -> Option<String> {
    let has_forest = |id: &str| outcomes.iter().any(|o| o.id == id && !o.forests.is_empty());
    if let Some(key) = &config.journal_club.key_outcome {
        return has_forest(key.get_ref()).then(|| key.get_ref().clone());
    }
    config
        .summary_of_findings
        .iter()
        .filter_map(|r| r.get_ref().outcome.as_ref().map(|o| o.get_ref().as_str()))
        .find(|id| has_forest(id))
        .map(str::to_owned)
        .or_else(|| {
            outcomes
                .iter()
                .find(|o| !o.forests.is_empty())
                .map(|o| o.id.clone())
        })
}

fn appraisal_row(study: &Study, labels: &Labels) -> AppraisalRow {
    let a = &study.appraisal;
    let derived = |answer: AppraisalAnswer| AppraisalItem {
        answer,
        note: None,
        source: None,
    };
    let randomised = a.randomised.clone().unwrap_or_else(|| {
        derived(if study.design == Design::Rct {
            AppraisalAnswer::Yes
        } else {
            AppraisalAnswer::No
        })
    });
    let blinded = a.blinded.clone().unwrap_or_else(|| AppraisalItem {
        // Blinding presupposes a comparison: moot for a registry or a single patient.
        answer: match (study.blinding.as_deref(), study.design) {
            (None, Design::Registry | Design::CaseReport) => AppraisalAnswer::NotApplicable,
            (blinding, _) => blinding_answer(blinding),
        },
        note: study.blinding.clone(),
        source: None,
    });
    // Concealing an allocation presupposes one: without a control arm the question is moot.
    let concealed = a.allocation_concealed.clone().or_else(|| {
        matches!(study.design, Design::Registry | Design::CaseReport)
            .then(|| derived(AppraisalAnswer::NotApplicable))
    });
    let answers = [
        Some(randomised),
        Some(blinded),
        concealed,
        a.follow_up_complete.clone(),
        a.conflicts_of_interest.clone(),
    ]
    .into_iter()
    .map(|item| match item {
        Some(item) => AnswerView {
            answer: item.answer.key(),
            text: labels
                .text(&format!("appraisal.{}", item.answer.key()))
                .to_owned(),
            note: item.note,
            cite: item.source.map(|s| s.report.into_inner()),
        },
        None => AnswerView {
            answer: "not-recorded",
            text: labels.text("appraisal.not-recorded").to_owned(),
            note: None,
            cite: None,
        },
    })
    .collect();
    AppraisalRow {
        study: study.label.clone(),
        cites: study
            .reports
            .iter()
            .map(|r| r.key.get_ref().clone())
            .collect(),
        answers,
    }
}

/// Reads the curated `blinding` text: open-label means no, single-blind partly, double- or
/// triple-blind yes, anything else unclear; absent means the reports are silent.
fn blinding_answer(blinding: Option<&str>) -> AppraisalAnswer {
    let Some(text) = blinding else {
        return AppraisalAnswer::NotReported;
    };
    let t = text.to_lowercase();
    if t.contains("open") || t.contains("unblinded") || t.contains("not blind") {
        AppraisalAnswer::No
    } else if t.contains("double") || t.contains("triple") || t.contains("quadruple") {
        AppraisalAnswer::Yes
    } else if t.contains("single") {
        AppraisalAnswer::Partly
    } else if t.contains("not reported") || t.trim().is_empty() {
        AppraisalAnswer::NotReported
    } else {
        AppraisalAnswer::Unclear
    }
}

/// A QR code per curated reference with a DOI, pointing at the DOI resolver.
fn qr_codes(project: &Project) -> Vec<QrCodeView> {
    use crate::data::bibliography::Shelf;
    let mut codes = Vec::new();
    for key in project.bibliography.keys(Shelf::Curated) {
        let Some((_, entry)) = project.bibliography.entry(&key) else {
            continue;
        };
        let Some(doi) = entry.doi() else { continue };
        let url = format!("https://doi.org/{doi}");
        if let Some(svg) = qr_svg(&url) {
            codes.push(QrCodeView {
                key,
                doi: doi.to_owned(),
                url,
                svg,
            });
        }
    }
    codes
}

/// `text` as a QR code (error correction M, 4-module quiet zone) drawn as one SVG path.
/// `None` only for texts too long for any QR version (several kilobytes).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .module_dimensions(1, 1)
            .quiet_zone(true)
            .build(),
    )
}

/// Puts the QR codes in the order of their references' first citation in `groups` (the
/// document's citations in order), uncited ones last in their present order.
pub fn order_qr_codes(view: &mut JournalClubView, groups: &[super::cite_order::CiteGroup]) {
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for key in groups.iter().flat_map(|g| &g.keys) {
        let next = first.len();
        first.entry(key.as_str()).or_insert(next);
    }
    view.qr_codes
        .sort_by_key(|q| first.get(q.key.as_str()).copied().unwrap_or(usize::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blinding_text_maps_to_answers() {
        assert_eq!(blinding_answer(Some("double-blind")), AppraisalAnswer::Yes);
        assert_eq!(blinding_answer(Some("Open-label")), AppraisalAnswer::No);
        assert_eq!(
            blinding_answer(Some("single-blind (assessor)")),
            AppraisalAnswer::Partly
        );
        assert_eq!(
            blinding_answer(Some("as described")),
            AppraisalAnswer::Unclear
        );
        assert_eq!(blinding_answer(None), AppraisalAnswer::NotReported);
    }

    #[test]
    fn qr_code_is_a_vector_path_of_the_right_size() {
        let svg = qr_svg("https://doi.org/10.1186/s13287-021-02417-3").unwrap();
        assert!(svg.contains("<path"), "{svg}");
        assert!(!svg.contains("<image"), "must be vector");
        // 44 characters at level M need version 3: 29 modules plus 2 × 4 quiet zone = 37.
        assert!(svg.contains(r#"viewBox="0 0 37 37""#), "{svg}");
    }
}
