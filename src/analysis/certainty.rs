//! The GRADE summary of findings: for each row of `[[summary-of-findings]]`, the evidence
//! (studies, participants), the relative and absolute effects, and the certainty computed
//! from the curator's domain judgements, with evbrief's suggestions beside them.
//!
//! Certainty follows the GRADE Handbook (Schünemann et al. 2013, section 5): start at high
//! (4) when every contributing study is randomised, else at low (2); subtract one level per
//! serious and two per very serious concern; add any upgrade; stay within very low (1) and
//! high (4). Absolute effects follow the GRADE Handbook 5.2 and Cochrane Handbook 14.1.5:
//! the risk with the intervention is derived from the control risk and the relative effect.

use serde::Serialize;

use super::safety::{Incidence, PooledDifference, SafetyAnalysis, counted_pairs};
use super::{ArmData, OutcomeAnalysis, TimeAnalysis};
use crate::config::certainty::{Concern, GradeDomain, SofRow};
use crate::config::{BriefConfig, OutcomeKind};
use crate::data::Project;
use crate::data::model::{AeCategory, Design};
use crate::data::time::parse_time;
use crate::i18n::{Labels, Language, time_label};
use crate::stats::Measure;
use crate::stats::absolute::{AbsoluteEffect, absolute_effect};
use crate::stats::measure::BackTransform;
use crate::stats::pool::PoolResult;

/// Optimal information size for binary outcomes: total events (GRADE guidelines 6,
/// Guyatt et al. 2011, J Clin Epidemiol 64:1283, "rule of thumb" of 300 events).
pub const OIS_EVENTS: f64 = 300.0;
/// Optimal information size for continuous outcomes: total participants (same source,
/// 400 participants).
pub const OIS_PARTICIPANTS: f64 = 400.0;

/// One row of the summary-of-findings table.
#[derive(Debug, Clone, Serialize)]
pub struct SofResult {
    /// Index of the row in `brief.toml`.
    pub index: usize,
    /// The outcome id or adverse-event category key.
    pub subject: String,
    /// Studies contributing.
    pub studies: Vec<String>,
    /// Participants in the compared arms.
    pub participants: f64,
    /// The effects.
    pub effect: SofEffect,
    /// The certainty of the evidence.
    pub certainty: CertaintyResult,
    /// The GRADE plain-language statement of the row (see [`super::plain_language`]).
    pub statement: Option<super::plain_language::PlainStatement>,
}

/// The effect part of a row.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SofEffect {
    /// Events: a relative effect and absolute effects per 1000.
    Binary {
        /// Relative effect measure (RR, OR or RD).
        measure: Measure,
        /// Relative effect on the natural scale with its CI, when estimable.
        relative: Option<(f64, f64, f64)>,
        /// Events / participants in the intervention arms, summed.
        intervention: (f64, f64),
        /// Events / participants in the control arms, summed.
        control: (f64, f64),
        /// The control risk used, as a proportion.
        control_risk: f64,
        /// Where the control risk comes from: `None` = the control arms; else the source.
        stated_risk_source: Option<String>,
        /// Absolute effects per 1000.
        absolute: Option<AbsoluteEffect>,
        /// True when the absolute effect comes from the risk difference because the
        /// control risk is zero (a ratio says nothing about a zero baseline).
        absolute_from_difference: bool,
    },
    /// Measurements: mean difference (or SMD) and the control arms' means.
    Continuous {
        /// MD or SMD.
        measure: Measure,
        /// Estimate with its CI.
        estimate: (f64, f64, f64),
        /// Lowest and highest control-arm mean.
        control_means: Option<(f64, f64)>,
    },
    /// Time to an event: a pooled hazard ratio, and absolute effects per 1000 by the row's
    /// time point when the row states a control risk (the studies report hazard ratios
    /// only, so no control risk can be derived from them).
    TimeToEvent {
        /// HR.
        measure: Measure,
        /// Hazard ratio with its CI.
        relative: (f64, f64, f64),
        /// The stated control risk (a proportion) with its source.
        control_risk: Option<(f64, String)>,
        /// Absolute effects per 1000 (Cochrane Handbook 15.4.4: 1 − (1 − ACR)^HR).
        absolute: Option<AbsoluteEffect>,
    },
    /// Nothing estimable; the reason in words.
    NotEstimable {
        /// Why.
        reason: Unestimable,
    },
}

/// Why a summary-of-findings row has no effect estimate; worded by [`Unestimable::words`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Unestimable {
    /// No study compares an intervention arm with a control arm at the row's time point.
    NoComparison,
    /// The studies compare the arms, but none gives an estimable effect.
    NoEstimableEffect,
    /// Estimable effects that could not be pooled.
    NotPooled {
        /// Why.
        failure: super::PoolingFailure,
    },
    /// No study reports the row's kind of adverse event.
    NoEventKind,
    /// No controlled study counts the event in both arms.
    NotCountedInBothArms,
    /// Absolute effects of a time-to-event outcome need a control risk, which hazard
    /// ratios do not give: the row states none (`baseline-risk`).
    NoControlRisk,
}

impl Unestimable {
    /// The reason in the words of `labels` (`[sof] unestimable-…`), lower case.
    pub fn words(&self, labels: &Labels) -> String {
        match self {
            Unestimable::NoComparison => labels.text("sof.unestimable-no-comparison").to_owned(),
            Unestimable::NoEstimableEffect => labels.text("sof.unestimable-no-effect").to_owned(),
            Unestimable::NotPooled { failure } => failure.words(labels),
            Unestimable::NoEventKind => labels.text("sof.unestimable-no-event-kind").to_owned(),
            Unestimable::NotCountedInBothArms => {
                labels.text("sof.unestimable-not-counted").to_owned()
            }
            Unestimable::NoControlRisk => labels.text("sof.unestimable-no-control-risk").to_owned(),
        }
    }
}

/// Certainty of the evidence for one row.
#[derive(Debug, Clone, Serialize)]
pub struct CertaintyResult {
    /// Starting level: 4 for randomised evidence, 2 otherwise.
    pub start: u8,
    /// Every domain with the curator's rating and, where evbrief has one, its suggestion.
    pub domains: Vec<DomainResult>,
    /// Levels added by an upgrade.
    pub upgrade: u8,
    /// Final level, 1 (very low) to 4 (high).
    pub level: u8,
}

/// One GRADE domain of one row.
#[derive(Debug, Clone, Serialize)]
pub struct DomainResult {
    /// The domain.
    pub domain: GradeDomain,
    /// The curator's rating.
    pub rating: Concern,
    /// The curator's reason.
    pub reason: Option<String>,
    /// evbrief's suggestion for imprecision and inconsistency.
    pub suggestion: Option<Suggestion>,
}

impl DomainResult {
    /// True when the curator rated differently from evbrief's suggestion.
    pub fn overrides(&self) -> bool {
        self.suggestion
            .as_ref()
            .is_some_and(|s| s.concern != self.rating)
    }
}

/// What evbrief would rate, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The suggested rating.
    pub concern: Concern,
    /// The criteria that led to it, in words.
    pub why: String,
    /// The same criteria as data, for the label table of the brief's language.
    #[serde(skip)]
    pub reasons: Vec<SuggestionReason>,
}

/// One criterion behind a suggested rating; worded by `suggestion.<key>` in the label
/// tables (see [`SuggestionReason::label`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SuggestionReason {
    /// The 95% CI includes no effect.
    CiIncludesNoEffect,
    /// Fewer events (or participants) than an optimal information size.
    BelowInformationSize {
        /// Events or participants counted, as printed.
        size: String,
        /// The optimal information size, as printed.
        ois: String,
        /// True for events, false for participants.
        events: bool,
    },
    /// Neither imprecision criterion is met.
    Adequate,
    /// Some studies give only a reported effect, so the events behind the estimate, and
    /// with them the optimal information size, are unknown.
    InformationSizeUnknown,
    /// A single study: consistency cannot be judged.
    SingleStudy,
    /// I² as printed.
    I2(String),
    /// The prediction interval includes no effect although the CI does not.
    PredictionIntervalCrossesNull,
    /// Egger's test finds funnel asymmetry; its p as printed.
    FunnelAsymmetry(String),
    /// Egger's test finds no funnel asymmetry; its p as printed.
    FunnelSymmetric(String),
    /// Studies trim-and-fill imputes, as printed.
    TrimFill(String),
}

impl SuggestionReason {
    /// The label-table key and its values.
    pub fn label(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            SuggestionReason::CiIncludesNoEffect => ("suggestion.ci-includes-no-effect", vec![]),
            SuggestionReason::BelowInformationSize { size, ois, events } => (
                if *events {
                    "suggestion.below-ois-events"
                } else {
                    "suggestion.below-ois-participants"
                },
                vec![("size", size.clone()), ("ois", ois.clone())],
            ),
            SuggestionReason::Adequate => ("suggestion.adequate", vec![]),
            SuggestionReason::InformationSizeUnknown => {
                ("suggestion.information-size-unknown", vec![])
            }
            SuggestionReason::SingleStudy => ("suggestion.single-study", vec![]),
            SuggestionReason::I2(i2) => ("suggestion.i2", vec![("i2", i2.clone())]),
            SuggestionReason::PredictionIntervalCrossesNull => {
                ("suggestion.prediction-interval-crosses-null", vec![])
            }
            SuggestionReason::FunnelAsymmetry(p) => {
                ("suggestion.funnel-asymmetry", vec![("p", p.clone())])
            }
            SuggestionReason::FunnelSymmetric(p) => {
                ("suggestion.funnel-symmetric", vec![("p", p.clone())])
            }
            SuggestionReason::TrimFill(k0) => ("suggestion.trim-fill", vec![("k0", k0.clone())]),
        }
    }
}

/// The level of certainty in GRADE's words.
pub fn level_label(level: u8) -> &'static str {
    match level {
        4 => "High",
        3 => "Moderate",
        2 => "Low",
        _ => "Very low",
    }
}

/// Builds every summary-of-findings row of the project.
pub fn summary_of_findings(
    project: &Project,
    outcomes: &[OutcomeAnalysis],
    safety: &SafetyAnalysis,
) -> Vec<SofResult> {
    let design = |id: &str| {
        project
            .studies
            .iter()
            .find(|s| s.study.id.get_ref() == id)
            .map(|s| s.study.design)
    };
    project
        .config
        .summary_of_findings
        .iter()
        .enumerate()
        .filter_map(|(index, row)| {
            let row = row.get_ref();
            let evidence = if let Some(outcome) = &row.outcome {
                outcome_evidence(&project.config, outcomes, outcome.get_ref(), row)?
            } else {
                let category = AeCategory::from_key(row.adverse_event.as_ref()?.get_ref())?;
                safety_evidence(safety, category, row)
            };
            let randomised = !evidence.studies.is_empty()
                && evidence
                    .studies
                    .iter()
                    .all(|s| design(s) == Some(Design::Rct));
            let certainty = rate(row, randomised, &evidence.suggestions);
            let mut result = SofResult {
                index,
                subject: row
                    .outcome
                    .as_ref()
                    .or(row.adverse_event.as_ref())
                    .map(|s| s.get_ref().clone())
                    .unwrap_or_default(),
                studies: evidence.studies,
                participants: evidence.participants,
                effect: evidence.effect,
                certainty,
                statement: None,
            };
            result.statement = super::plain_language::statement(&result);
            Some(result)
        })
        .collect()
}

struct Evidence {
    studies: Vec<String>,
    participants: f64,
    effect: SofEffect,
    suggestions: Suggestions,
}

#[derive(Default)]
struct Suggestions {
    imprecision: Option<Suggestion>,
    inconsistency: Option<Suggestion>,
    publication_bias: Option<Suggestion>,
}

fn outcome_evidence(
    config: &BriefConfig,
    outcomes: &[OutcomeAnalysis],
    id: &str,
    row: &SofRow,
) -> Option<Evidence> {
    let def = config
        .outcomes
        .iter()
        .map(|o| o.get_ref())
        .find(|o| o.id == id)?;
    let days = parse_time(row.time.as_ref()?.get_ref()).ok()?.days;
    let analysis = outcomes.iter().find(|a| a.outcome == id);
    let time = analysis.and_then(|a| {
        a.times
            .iter()
            .find(|t| parse_time(&t.time).is_ok_and(|p| p.days == days))
    });
    let Some((analysis, time)) = analysis.zip(time) else {
        return Some(Evidence {
            studies: Vec::new(),
            participants: 0.0,
            effect: SofEffect::NotEstimable {
                reason: Unestimable::NoComparison,
            },
            suggestions: Suggestions::default(),
        });
    };
    let studies: Vec<String> = time.studies.iter().map(|r| r.study.clone()).collect();
    let participants: f64 = time.studies.iter().map(|r| r.participants).sum();
    let measure = analysis.measure;
    let pooled = time.pooled.as_ref();
    let natural = |p: &PoolResult| natural_scale(measure, p);
    let mut suggestions = Suggestions {
        inconsistency: Some(inconsistency_suggestion(pooled)),
        imprecision: None,
        // Only with k ≥ 10 (Cochrane Handbook 13.3.5.4); see `small_study`.
        publication_bias: super::small_study::small_study(analysis, time)
            .and_then(|s| s.suggestion()),
    };
    let effect = match def.kind {
        OutcomeKind::Binary => {
            let sum = |pick: &dyn Fn(&super::StudyEffectRow) -> &ArmData| {
                time.studies
                    .iter()
                    .fold((0.0, 0.0), |acc, r| match pick(r) {
                        ArmData::Events { events, n } => (acc.0 + events, acc.1 + n),
                        ArmData::Means { .. } | ArmData::Size { .. } => acc,
                    })
            };
            let intervention = sum(&|r| &r.intervention_data);
            let control = sum(&|r| &r.control_data);
            if let Some(p) = pooled {
                // On the analysis scale no effect is 0 for log ratios and differences alike.
                let crosses = p.ci_lower <= 0.0 && p.ci_upper >= 0.0;
                suggestions.imprecision =
                    Some(if time.studies.iter().any(|r| r.reported.is_some()) {
                        imprecision_without_counts(crosses)
                    } else {
                        imprecision_suggestion(
                            crosses,
                            intervention.0 + control.0,
                            OIS_EVENTS,
                            "events",
                        )
                    });
            }
            binary_effect(measure, pooled, intervention, control, row, time)
                .unwrap_or_else(|| not_estimable(time))
        }
        OutcomeKind::Continuous => match pooled {
            Some(p) => {
                suggestions.imprecision = Some(imprecision_suggestion(
                    p.ci_lower <= 0.0 && p.ci_upper >= 0.0,
                    participants,
                    OIS_PARTICIPANTS,
                    "participants",
                ));
                let means: Vec<f64> = time
                    .studies
                    .iter()
                    .filter_map(|r| match r.control_data {
                        ArmData::Means { mean, .. } => Some(mean),
                        ArmData::Events { .. } | ArmData::Size { .. } => None,
                    })
                    .collect();
                SofEffect::Continuous {
                    measure,
                    estimate: natural(p),
                    control_means: means
                        .iter()
                        .copied()
                        .reduce(f64::min)
                        .zip(means.iter().copied().reduce(f64::max)),
                }
            }
            None => not_estimable(time),
        },
        OutcomeKind::TimeToEvent => match pooled {
            Some(p) => {
                suggestions.imprecision = Some(imprecision_without_counts(
                    p.ci_lower <= 0.0 && p.ci_upper >= 0.0,
                ));
                let control_risk = row
                    .baseline_risk
                    .as_ref()
                    .map(|b| (*b.per_1000.get_ref() / 1000.0, b.source.clone()));
                SofEffect::TimeToEvent {
                    measure,
                    relative: natural(p),
                    absolute: control_risk.as_ref().and_then(|(risk, _)| {
                        absolute_effect(measure, *risk, p.estimate, p.ci_lower, p.ci_upper).ok()
                    }),
                    control_risk,
                }
            }
            None => not_estimable(time),
        },
    };
    Some(Evidence {
        studies,
        participants,
        effect,
        suggestions,
    })
}

/// Estimate and CI on the scale readers see (ratios exponentiated).
fn natural_scale(measure: Measure, p: &PoolResult) -> (f64, f64, f64) {
    let f = |x: f64| {
        if measure.back_transform() == BackTransform::Exp {
            x.exp()
        } else {
            x
        }
    };
    (f(p.estimate), f(p.ci_lower), f(p.ci_upper))
}

fn not_estimable(time: &TimeAnalysis) -> SofEffect {
    SofEffect::NotEstimable {
        reason: match &time.pooling_error {
            Some(failure) => Unestimable::NotPooled {
                failure: failure.clone(),
            },
            None => Unestimable::NoEstimableEffect,
        },
    }
}

/// The control risk: the curator's stated baseline (with its source) or the control arms'.
fn control_risk(row: &SofRow, control: (f64, f64)) -> (f64, Option<String>) {
    match &row.baseline_risk {
        Some(b) => (*b.per_1000.get_ref() / 1000.0, Some(b.source.clone())),
        None => (ratio(control), None),
    }
}

fn ratio((events, n): (f64, f64)) -> f64 {
    if n > 0.0 { events / n } else { 0.0 }
}

/// Absolute effects of a binary outcome from its pooled relative effect, or from the
/// risk difference of the summed counts when the control risk is zero.
fn binary_effect(
    measure: Measure,
    pooled: Option<&PoolResult>,
    intervention: (f64, f64),
    control: (f64, f64),
    row: &SofRow,
    time: &TimeAnalysis,
) -> Option<SofEffect> {
    let p = pooled?;
    let (control_risk, stated) = control_risk(row, control);
    let relative = Some(natural_scale(measure, p));
    let ratio_measure = measure.back_transform() == BackTransform::Exp;
    let (absolute, from_difference) = if control_risk == 0.0 && ratio_measure {
        (difference_of_counts(time), true)
    } else {
        (
            absolute_effect(measure, control_risk, p.estimate, p.ci_lower, p.ci_upper).ok(),
            false,
        )
    };
    Some(SofEffect::Binary {
        measure,
        relative,
        intervention,
        control,
        control_risk,
        stated_risk_source: stated,
        absolute,
        absolute_from_difference: from_difference,
    })
}

/// With zero control risk: the Mantel–Haenszel (k ≥ 2) or Newcombe (k = 1) risk difference
/// of the studies' counts, per 1000.
fn difference_of_counts(time: &TimeAnalysis) -> Option<AbsoluteEffect> {
    use crate::stats::effect::binary::TwoByTwo;
    let tables: Vec<(f64, f64, f64, f64)> = time
        .studies
        .iter()
        .filter_map(|r| match (r.intervention_data, r.control_data) {
            (ArmData::Events { events: a, n: n1 }, ArmData::Events { events: c, n: n2 }) => {
                Some((a, n1, c, n2))
            }
            _ => None,
        })
        .collect();
    let (estimate, lower, upper) = match tables.as_slice() {
        [] => return None,
        [(a, n1, c, n2)] => {
            let d = crate::stats::incidence::newcombe_difference(
                *a as u64, *n1 as u64, *c as u64, *n2 as u64,
            )
            .ok()?;
            (d.estimate, d.lower, d.upper)
        }
        many => {
            let t: Vec<TwoByTwo> = many
                .iter()
                .filter_map(|(a, n1, c, n2)| TwoByTwo::from_events(*a, *n1, *c, *n2).ok())
                .collect();
            let p =
                crate::stats::pool::mantel_haenszel::pool_mantel_haenszel(Measure::RD, &t).ok()?;
            (p.estimate, p.ci_lower, p.ci_upper)
        }
    };
    absolute_effect(Measure::RD, 0.0, estimate, lower, upper).ok()
}

fn safety_evidence(safety: &SafetyAnalysis, category: AeCategory, row: &SofRow) -> Evidence {
    let Some(cat) = safety.categories.iter().find(|c| c.category == category) else {
        return Evidence {
            studies: Vec::new(),
            participants: 0.0,
            effect: SofEffect::NotEstimable {
                reason: Unestimable::NoEventKind,
            },
            suggestions: Suggestions::default(),
        };
    };
    // Rows that counted both arms have a difference (Newcombe never fails on valid counts).
    let counted: Vec<&super::safety::EventRow> =
        cat.rows.iter().filter(|r| r.difference.is_some()).collect();
    let pairs = counted_pairs(&cat.rows);
    let studies: Vec<String> = counted.iter().map(|r| r.study.clone()).collect();
    let sum = |arm: fn(&(Incidence, Incidence)) -> &Incidence| {
        pairs.iter().map(arm).fold((0.0, 0.0), |acc, i| {
            (acc.0 + i.events as f64, acc.1 + i.n as f64)
        })
    };
    let intervention = sum(|p| &p.0);
    let control = sum(|p| &p.1);
    let participants = intervention.1 + control.1;
    let difference = match (counted.as_slice(), &cat.pooled) {
        ([one], _) => one.difference.map(|d| (d.estimate, d.lower, d.upper)),
        (
            [_, _, ..],
            Some(PooledDifference::Estimate {
                estimate,
                lower,
                upper,
                ..
            }),
        ) => Some((*estimate, *lower, *upper)),
        _ => None,
    };
    let (control_risk, stated) = control_risk(row, control);
    let total_events = intervention.0 + control.0;
    let suggestions = Suggestions {
        imprecision: Some(imprecision_suggestion(
            difference.is_none_or(|(_, lo, hi)| lo <= 0.0 && hi >= 0.0),
            total_events,
            OIS_EVENTS,
            "events",
        )),
        inconsistency: None,
        publication_bias: None,
    };
    let effect = if counted.is_empty() {
        SofEffect::NotEstimable {
            reason: Unestimable::NotCountedInBothArms,
        }
    } else {
        SofEffect::Binary {
            measure: Measure::RR,
            relative: relative_risk(&pairs),
            intervention,
            control,
            control_risk,
            stated_risk_source: stated,
            absolute: difference
                .and_then(|(e, lo, hi)| absolute_effect(Measure::RD, control_risk, e, lo, hi).ok()),
            absolute_from_difference: true,
        }
    };
    Evidence {
        studies,
        participants,
        effect,
        suggestions,
    }
}

/// Mantel–Haenszel risk ratio of counted adverse events (the study's own RR for k = 1);
/// `None` when no arm has an event.
fn relative_risk(pairs: &[(Incidence, Incidence)]) -> Option<(f64, f64, f64)> {
    let tables = super::safety::tables(pairs);
    if tables.iter().all(|t| t.is_double_zero()) {
        return None;
    }
    let p = crate::stats::pool::mantel_haenszel::pool_mantel_haenszel(Measure::RR, &tables).ok()?;
    Some(natural_scale(Measure::RR, &p))
}

/// evbrief's imprecision rule: one level for a CI that includes no effect, one for an
/// optimal information size not met (GRADE guidelines 6, Guyatt et al. 2011).
/// Imprecision from the CI alone where some studies give only a reported effect (a hazard
/// ratio, an adjusted odds ratio) and so no event counts: the optimal information size
/// (GRADE guidelines 6) cannot be checked, which the suggestion says rather than counting
/// only the events it knows of.
fn imprecision_without_counts(crosses_null: bool) -> Suggestion {
    let unknown = "the information size cannot be judged: some studies report only an effect, without event counts";
    Suggestion {
        concern: if crosses_null {
            Concern::Serious
        } else {
            Concern::NotSerious
        },
        why: if crosses_null {
            format!("the 95% CI includes no effect; {unknown}")
        } else {
            unknown.to_owned()
        },
        reasons: [
            crosses_null.then_some(SuggestionReason::CiIncludesNoEffect),
            Some(SuggestionReason::InformationSizeUnknown),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

fn imprecision_suggestion(crosses_null: bool, size: f64, ois: f64, what: &str) -> Suggestion {
    let mut reasons = Vec::new();
    let mut structured = Vec::new();
    if crosses_null {
        reasons.push("the 95% CI includes no effect".to_owned());
        structured.push(SuggestionReason::CiIncludesNoEffect);
    }
    if size < ois {
        let (size, ois) = (crate::format::fixed(size, 0), crate::format::fixed(ois, 0));
        reasons.push(format!(
            "{size} {what}, fewer than the ~{ois} of an optimal information size"
        ));
        structured.push(SuggestionReason::BelowInformationSize {
            size,
            ois,
            events: what == "events",
        });
    }
    Suggestion {
        concern: match reasons.len() {
            0 => Concern::NotSerious,
            1 => Concern::Serious,
            _ => Concern::VerySerious,
        },
        why: if reasons.is_empty() {
            "the CI excludes no effect and the information size is adequate".into()
        } else {
            reasons.join("; ")
        },
        reasons: if structured.is_empty() {
            vec![SuggestionReason::Adequate]
        } else {
            structured
        },
    }
}

/// evbrief's inconsistency rule from I² (Cochrane Handbook 10.10.2: 50–90% substantial,
/// 75–100% considerable) and the prediction interval; a single study cannot be judged.
fn inconsistency_suggestion(pooled: Option<&PoolResult>) -> Suggestion {
    let Some(p) = pooled.filter(|p| !p.single_study && p.k >= 2) else {
        return Suggestion {
            concern: Concern::NotSerious,
            why: "a single study: consistency cannot be judged".into(),
            reasons: vec![SuggestionReason::SingleStudy],
        };
    };
    let i2 = p.i2.unwrap_or(0.0);
    let pi_crosses = match (p.pi_lower, p.pi_upper) {
        (Some(lo), Some(hi)) => lo < 0.0 && hi > 0.0 && !(p.ci_lower < 0.0 && p.ci_upper > 0.0),
        _ => false,
    };
    let concern = if i2 >= 75.0 {
        Concern::VerySerious
    } else if i2 >= 50.0 || pi_crosses {
        Concern::Serious
    } else {
        Concern::NotSerious
    };
    let i2_text = crate::format::fixed(i2, 0);
    let mut why = format!("I² = {i2_text}%");
    let mut reasons = vec![SuggestionReason::I2(i2_text)];
    if pi_crosses {
        why.push_str("; the prediction interval includes no effect although the CI does not");
        reasons.push(SuggestionReason::PredictionIntervalCrossesNull);
    }
    Suggestion {
        concern,
        why,
        reasons,
    }
}

fn rate(row: &SofRow, randomised: bool, suggestions: &Suggestions) -> CertaintyResult {
    let start: u8 = if randomised { 4 } else { 2 };
    let domains: Vec<DomainResult> = row
        .certainty
        .domains()
        .into_iter()
        .map(|(domain, rating)| DomainResult {
            domain,
            rating: *rating.rating.get_ref(),
            reason: rating.reason.clone(),
            suggestion: match domain {
                GradeDomain::Imprecision => suggestions.imprecision.clone(),
                GradeDomain::Inconsistency => suggestions.inconsistency.clone(),
                GradeDomain::PublicationBias => suggestions.publication_bias.clone(),
                _ => None,
            },
        })
        .collect();
    let down: u8 = domains.iter().map(|d| d.rating.levels()).sum();
    let upgrade = row
        .certainty
        .upgrade
        .as_ref()
        .map_or(0, |u| *u.levels.get_ref());
    let level = (i16::from(start) - i16::from(down) + i16::from(upgrade)).clamp(1, 4) as u8;
    CertaintyResult {
        start,
        domains,
        upgrade,
        level,
    }
}

/// A summary-of-findings row's label as the English edition prints it (for the edition
/// record).
pub fn sof_row_label_en(
    project: &Project,
    r: &SofResult,
    spec: &crate::config::certainty::SofRow,
) -> String {
    sof_row_label(&project.config, r, spec, Language::En.labels())
}

/// A summary-of-findings row's label as the table prints it: the curated label or the outcome's (from the
/// localised `config`), with the time.
pub fn sof_row_label(
    config: &BriefConfig,
    r: &SofResult,
    spec: &crate::config::certainty::SofRow,
    labels: &Labels,
) -> String {
    let with_time = |label: &str, time: &str| {
        labels.fill(
            "sof.outcome-time",
            &[("outcome", label), ("time", &time_label(time, labels))],
        )
    };
    if let Some(label) = &spec.label {
        return match &spec.time {
            Some(t) => with_time(label, t.get_ref()),
            None => label.clone(),
        };
    }
    if let Some(o) = config
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
        return with_time(&o.label, time);
    }
    AeCategory::from_key(&r.subject).map_or_else(
        || r.subject.clone(),
        |c| {
            labels
                .text(&format!("safety.category.{}", c.key()))
                .to_owned()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ratings: [&str; 5], upgrade: Option<u8>) -> SofRow {
        let names = [
            "risk-of-bias",
            "inconsistency",
            "indirectness",
            "imprecision",
            "publication-bias",
        ];
        let mut text = String::from("outcome = \"x\"\ntime = \"week 1\"\n");
        for (name, rating) in names.iter().zip(ratings) {
            text.push_str(&format!(
                "certainty.{name} = {{ rating = \"{rating}\", reason = \"r\" }}\n"
            ));
        }
        if let Some(levels) = upgrade {
            text.push_str(&format!(
                "certainty.upgrade = {{ levels = {levels}, reason = \"large effect\" }}\n"
            ));
        }
        toml::from_str(&text).expect("row parses")
    }

    const NONE: [&str; 5] = ["not-serious"; 5];

    #[test]
    fn randomised_evidence_starts_high_and_loses_a_level_per_step() {
        let none = Suggestions::default();
        assert_eq!(rate(&row(NONE, None), true, &none).level, 4);
        let r = row(
            [
                "serious",
                "not-serious",
                "not-serious",
                "very-serious",
                "not-serious",
            ],
            None,
        );
        let c = rate(&r, true, &none);
        assert_eq!((c.start, c.level), (4, 1));
        assert_eq!(level_label(c.level), "Very low");
        // Four levels down from high stays at very low.
        let r = row(
            [
                "very-serious",
                "serious",
                "serious",
                "very-serious",
                "not-serious",
            ],
            None,
        );
        assert_eq!(rate(&r, true, &none).level, 1);
    }

    #[test]
    fn suggestion_reasons_read_as_the_english_why_and_chinese_has_no_english() {
        use crate::i18n::{Language, has_words};
        let word = |s: &Suggestion, language: Language| {
            let labels = language.labels();
            s.reasons
                .iter()
                .map(|r| {
                    let (key, values) = r.label();
                    let args: Vec<(&str, &str)> =
                        values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    labels.fill(key, &args)
                })
                .collect::<Vec<_>>()
                .join(labels.text("suggestion.separator"))
        };
        for s in [
            imprecision_suggestion(true, 20.0, OIS_EVENTS, "events"),
            imprecision_suggestion(false, 500.0, OIS_PARTICIPANTS, "participants"),
            imprecision_suggestion(false, 65.0, OIS_PARTICIPANTS, "participants"),
            inconsistency_suggestion(None),
        ] {
            assert_eq!(word(&s, Language::En), s.why);
            let zh = word(&s, Language::Zh);
            assert!(!has_words(&zh), "{zh}");
        }
    }

    #[test]
    fn non_randomised_evidence_starts_low_and_can_be_upgraded() {
        let none = Suggestions::default();
        assert_eq!(rate(&row(NONE, None), false, &none).level, 2);
        assert_eq!(rate(&row(NONE, Some(1)), false, &none).level, 3);
        assert_eq!(rate(&row(NONE, Some(2)), false, &none).level, 4);
        let serious = [
            "serious",
            "not-serious",
            "not-serious",
            "not-serious",
            "not-serious",
        ];
        assert_eq!(rate(&row(serious, Some(1)), false, &none).level, 2);
    }

    #[test]
    fn imprecision_counts_a_null_crossing_and_a_small_information_size() {
        let s = imprecision_suggestion(true, 20.0, OIS_EVENTS, "events");
        assert_eq!(s.concern, Concern::VerySerious);
        assert!(s.why.contains("includes no effect") && s.why.contains("20 events"));
        assert_eq!(
            imprecision_suggestion(false, 20.0, OIS_EVENTS, "events").concern,
            Concern::Serious
        );
        assert_eq!(
            imprecision_suggestion(false, 500.0, OIS_PARTICIPANTS, "participants").concern,
            Concern::NotSerious
        );
    }

    #[test]
    fn inconsistency_follows_i2_and_cannot_be_judged_for_one_study() {
        assert_eq!(inconsistency_suggestion(None).concern, Concern::NotSerious);
        let pooled = |i2: f64| PoolResult {
            k: 4,
            single_study: false,
            i2: Some(i2),
            ..crate::stats::pool::single_study(
                0.5,
                0.01,
                crate::stats::Method::REML,
                crate::stats::Test::Z,
            )
            .unwrap()
        };
        assert_eq!(
            inconsistency_suggestion(Some(&pooled(10.0))).concern,
            Concern::NotSerious
        );
        assert_eq!(
            inconsistency_suggestion(Some(&pooled(60.0))).concern,
            Concern::Serious
        );
        assert_eq!(
            inconsistency_suggestion(Some(&pooled(80.0))).concern,
            Concern::VerySerious
        );
    }

    #[test]
    fn a_rating_that_differs_from_the_suggestion_is_an_override() {
        let suggestions = Suggestions {
            imprecision: Some(imprecision_suggestion(false, 20.0, OIS_EVENTS, "events")),
            inconsistency: None,
            publication_bias: None,
        };
        let r = row(
            [
                "not-serious",
                "not-serious",
                "not-serious",
                "very-serious",
                "not-serious",
            ],
            None,
        );
        let c = rate(&r, true, &suggestions);
        let imprecision = &c.domains[3];
        assert_eq!(imprecision.domain, GradeDomain::Imprecision);
        assert!(imprecision.overrides());
        assert!(!c.domains[0].overrides(), "no suggestion, no override");
    }
}
