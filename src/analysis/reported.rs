//! Study rows from effects the papers report (`[[effects]]`): the estimate and its
//! precision turned into `yi`, `vi` by the engine (`stats::reported`, Cochrane Handbook
//! 6.3), ready to be pooled by inverse variance beside the effects computed from arm-level
//! data of the same measure.
//!
//! A row keeps what was printed ([`AsReported`]) so the forest plot shows the reported
//! estimate and interval, and its conversions go to the audit trail like any other.

use serde::Serialize;

use super::{ArmData, AuditKind, AuditLine, StudyEffectRow};
use crate::data::LoadedStudy;
use crate::data::effects::ReportedEffect;
use crate::stats::Measure;
use crate::stats::dist::qnorm;
use crate::stats::effect::StudyEffect;
use crate::stats::reported::{Precision, from_reported};

/// What the paper printed for a row entered as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AsReported {
    /// The estimate on the natural scale, as printed.
    pub estimate: f64,
    /// The printed 95% CI on the natural scale, when the precision was a CI.
    pub ci: Option<(f64, f64)>,
    /// How the precision was given.
    pub precision: Precision,
    /// What the model adjusted for; `None` for an unadjusted estimate.
    pub adjusted_for: Option<String>,
}

/// The rows of `s`'s analysed effects of `outcome`, with their time points.
///
/// `measure` is the outcome's (validation makes every effect use it). An effect the engine
/// cannot convert does not occur: validation runs the same conversion first.
pub fn study_effects(
    s: &LoadedStudy,
    outcome: &str,
    measure: Measure,
) -> Vec<(String, StudyEffectRow)> {
    let st = &s.study;
    st.analysed_effects()
        .filter(|e| e.outcome.get_ref() == outcome)
        .filter_map(|e| Some((e.time.get_ref().clone(), row(s, e, measure)?)))
        .collect()
}

fn row(s: &LoadedStudy, e: &ReportedEffect, measure: Measure) -> Option<StudyEffectRow> {
    let st = &s.study;
    let ratio = crate::format::is_ratio(measure);
    let precision = e.precision()?;
    let estimate = *e.estimate.get_ref();
    let converted = from_reported(estimate, precision, ratio).ok()?;
    let (treat, ctrl) = e.compared_arms(st)?;
    let size = |arm: &str| st.arm_size(arm, None).map(|n| n as f64);
    let (n1, n2) = (size(treat)?, size(ctrl)?);
    let scale = |x: f64| if ratio { x.ln() } else { x };
    let (ci_lower, ci_upper) = match precision {
        Precision::Ci { lower, upper } => (scale(lower), scale(upper)),
        Precision::Se { .. } | Precision::P { .. } => {
            let half = qnorm(0.975).ok()? * converted.vi.sqrt();
            (converted.yi - half, converted.yi + half)
        }
    };
    Some(StudyEffectRow {
        study: st.id.get_ref().clone(),
        report: e.source.report.get_ref().clone(),
        subgroup: String::new(),
        population: None,
        intervention: treat.to_owned(),
        control: ctrl.to_owned(),
        intervention_data: ArmData::Size { n: n1 },
        control_data: ArmData::Size { n: n2 },
        effect: StudyEffect::estimable(converted.yi, converted.vi),
        ci_lower: Some(ci_lower),
        ci_upper: Some(ci_upper),
        weight: None,
        participants: n1 + n2,
        audit: audit(precision, ratio, &converted.note),
        reported: Some(AsReported {
            estimate,
            ci: match precision {
                Precision::Ci { lower, upper } => Some((lower, upper)),
                _ => None,
            },
            precision,
            adjusted_for: e
                .adjusted
                .get_ref()
                .then(|| e.adjusted_for.clone().unwrap_or_default()),
        }),
    })
}

/// The conversion behind a reported row, for the footnotes: SE from the CI (Cochrane
/// Handbook 6.3.1, on the log scale for ratios), from the p value (Handbook 6.3.2; Altman &
/// Bland 2011), or none when the SE was printed.
fn audit(precision: Precision, ratio: bool, note: &str) -> Vec<AuditLine> {
    let line = |kind, params: Vec<(&str, String)>| AuditLine {
        kind,
        text: note.to_owned(),
        params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    };
    let scale = if ratio { "log" } else { "linear" };
    match precision {
        Precision::Ci { .. } => vec![line(AuditKind::SeFromCi, vec![("scale", scale.into())])],
        Precision::Se { .. } => Vec::new(),
        Precision::P { p } => {
            let z = qnorm(1.0 - p / 2.0).unwrap_or(f64::NAN);
            vec![line(
                AuditKind::SeFromP,
                vec![
                    ("scale", scale.into()),
                    ("p", format!("{p}")),
                    ("z", crate::format::fixed(z, 3)),
                ],
            )]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;
    use std::sync::Arc;

    fn loaded(effects: &str) -> LoadedStudy {
        let text = format!(
            "id = \"t\"\nlabel = \"T 2020\"\ndesign = \"rct\"\ncondition = \"T2DM\"\npopulation = \"adults\"\n\
             [[reports]]\nkey = \"r\"\nrole = \"primary\"\n\
             [[arms]]\nid = \"msc\"\nlabel = \"MSC\"\nrole = \"intervention\"\nn = 40\nintervention = \"x\"\nsource = {{ report = \"r\", at = \"M\" }}\n\
             [[arms]]\nid = \"ctl\"\nlabel = \"Control\"\nrole = \"control\"\nn = 38\nintervention = \"y\"\nsource = {{ report = \"r\", at = \"M\" }}\n{effects}"
        );
        LoadedStudy {
            study: toml::from_str(&text).unwrap(),
            file: SourceFile {
                name: "t.toml".into(),
                text: Arc::from(text),
            },
        }
    }

    #[test]
    fn a_hazard_ratio_with_its_ci_keeps_the_printed_interval() {
        let s = loaded(
            "[[effects]]\noutcome = \"os\"\ntime = \"month 12\"\nmeasure = \"HR\"\nestimate = 0.75\nci-lower = 0.6\nci-upper = 0.94\nadjusted = true\nadjusted-for = \"age\"\nsource = { report = \"r\", at = \"Table 2\" }\n",
        );
        let rows = study_effects(&s, "os", Measure::HR);
        assert_eq!(rows.len(), 1);
        let (time, r) = &rows[0];
        assert_eq!(time, "month 12");
        assert_eq!(r.ci_lower, Some(0.6f64.ln()));
        assert_eq!(r.ci_upper, Some(0.94f64.ln()));
        let se = (0.94f64.ln() - 0.6f64.ln()) / (2.0 * 1.959_963_984_540_054);
        let (yi, vi) = r.effect.value().unwrap();
        assert!((yi - 0.75f64.ln()).abs() < 1e-15 && (vi - se * se).abs() < 1e-15);
        assert_eq!(r.participants, 78.0);
        assert_eq!(r.intervention_data, ArmData::Size { n: 40.0 });
        let rep = r.reported.as_ref().unwrap();
        assert_eq!(rep.adjusted_for.as_deref(), Some("age"));
        assert_eq!(r.audit[0].kind, AuditKind::SeFromCi);
        assert_eq!(r.audit[0].label_key(), "audit.se-from-ci-log");
    }

    #[test]
    fn a_p_value_gives_a_symmetric_interval_and_its_footnote() {
        let s = loaded(
            "[[effects]]\noutcome = \"fpg\"\ntime = \"week 12\"\nmeasure = \"MD\"\nestimate = -0.5\np = 0.03\nadjusted = false\nanalyse = true\nsource = { report = \"r\", at = \"Results\" }\n\
             [[effects]]\noutcome = \"fpg\"\ntime = \"week 24\"\nmeasure = \"MD\"\nestimate = -0.5\np = 0.03\nadjusted = false\nanalyse = false\nsource = { report = \"r\", at = \"Results\" }\n",
        );
        let rows = study_effects(&s, "fpg", Measure::MD);
        assert_eq!(rows.len(), 1, "analyse = false stays out");
        let r = &rows[0].1;
        let se = 0.5 / 2.170_090_377_584_56;
        assert!((r.ci_upper.unwrap() - (-0.5 + 1.959_963_984_540_054 * se)).abs() < 1e-9);
        assert_eq!(r.audit[0].label_key(), "audit.se-from-p");
        assert!(r.reported.as_ref().unwrap().adjusted_for.is_none());
    }

    #[test]
    fn imprecision_of_reported_effects_is_judged_on_the_interval_alone() {
        use crate::analysis::certainty::{SofEffect, SuggestionReason};
        use crate::config::certainty::{Concern, GradeDomain};
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/reported");
        let project = crate::data::load_project(&root).unwrap();
        let analysed = crate::analysis::analyse(&project);
        for row in &analysed.summary_of_findings {
            let imprecision = row
                .certainty
                .domains
                .iter()
                .find(|d| d.domain == GradeDomain::Imprecision)
                .and_then(|d| d.suggestion.as_ref())
                .unwrap();
            // Both pooled CIs include no effect; events are unknown for reported rows.
            assert_eq!(imprecision.concern, Concern::Serious, "{}", row.subject);
            assert_eq!(
                imprecision.reasons,
                [
                    SuggestionReason::CiIncludesNoEffect,
                    SuggestionReason::InformationSizeUnknown
                ]
            );
        }
        assert!(matches!(
            analysed.summary_of_findings[0].effect,
            SofEffect::TimeToEvent { absolute: None, .. }
        ));
    }
}
