//! Effects as papers report them (`[[effects]]` in a study file): a hazard ratio, an
//! adjusted odds ratio or a mean difference printed with its 95% CI, its standard error or
//! an exact two-sided p value, kept as printed, and the checks that keep one trial from
//! counting twice.
//!
//! An effect names the two arms it compares (`arms = ["intervention", "control"]`, by
//! default the study's intervention and control arms), must use the measure its outcome is
//! pooled with, and gives exactly one precision route. A study gives an outcome at a time
//! point either as arm-level results or as a reported effect: when a paper prints both, the
//! curator keeps one and marks the other `analyse = false` (so the choice is visible in the
//! file). Time-to-event outcomes take reported hazard ratios only. Conversions to `yi`, `vi`
//! belong to `stats::reported`.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::model::{Arm, ArmRole, Source, Study};
use super::time::parse_time;
use crate::config::{BriefConfig, EffectMeasure, OutcomeKind, PoolMethod};
use crate::diagnostic::{Problem, SourceFile};
use crate::stats::reported::{Precision, from_reported};

/// An effect estimate between two arms as a report prints it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReportedEffect {
    /// Outcome id from `brief.toml`.
    pub outcome: Spanned<String>,
    /// Time point ("month 12", "end of follow-up").
    pub time: Spanned<String>,
    /// The measure printed (HR, OR, RR, RD, MD, SMD); must be the outcome's measure.
    pub measure: Spanned<EffectMeasure>,
    /// The estimate on the natural scale (a ratio as printed, not its logarithm).
    pub estimate: Spanned<f64>,
    /// Lower limit of the printed 95% confidence interval.
    #[serde(default)]
    pub ci_lower: Option<Spanned<f64>>,
    /// Upper limit of the printed 95% confidence interval.
    #[serde(default)]
    pub ci_upper: Option<Spanned<f64>>,
    /// The printed standard error (of the log ratio for ratio measures).
    #[serde(default)]
    pub se: Option<Spanned<f64>>,
    /// An exact two-sided p value of the test of no effect (not a bound such as "<0.05").
    #[serde(default)]
    pub p: Option<Spanned<f64>>,
    /// Whether the estimate comes from a model adjusted for covariates.
    pub adjusted: Spanned<bool>,
    /// What the model adjusted for, in words ("age, sex and baseline HbA1c"); required
    /// when `adjusted = true`.
    #[serde(default)]
    pub adjusted_for: Option<String>,
    /// The arms compared: intervention first, control second; by default the study's
    /// first intervention arm and first control arm.
    #[serde(default)]
    pub arms: Option<Spanned<Vec<String>>>,
    /// Whether the effect enters the analysis (`false` keeps it on record when the
    /// arm-level results of the same outcome and time are analysed instead).
    #[serde(default = "yes")]
    pub analyse: bool,
    /// Where it was read.
    pub source: Source,
    /// Curator's note.
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

impl ReportedEffect {
    /// The precision route given, when exactly one complete route is.
    pub fn precision(&self) -> Option<Precision> {
        match (&self.ci_lower, &self.ci_upper, &self.se, &self.p) {
            (Some(l), Some(u), None, None) => Some(Precision::Ci {
                lower: *l.get_ref(),
                upper: *u.get_ref(),
            }),
            (None, None, Some(se), None) => Some(Precision::Se { se: *se.get_ref() }),
            (None, None, None, Some(p)) => Some(Precision::P { p: *p.get_ref() }),
            _ => None,
        }
    }

    /// The intervention and control arm ids this effect compares: its `arms`, else the
    /// study's first intervention and first control arm.
    pub fn compared_arms<'a>(&'a self, study: &'a Study) -> Option<(&'a str, &'a str)> {
        match &self.arms {
            Some(arms) => match arms.get_ref().as_slice() {
                [a, b] => Some((a.as_str(), b.as_str())),
                _ => None,
            },
            None => Some((
                first_arm(study, ArmRole::Intervention)?
                    .id
                    .get_ref()
                    .as_str(),
                first_arm(study, ArmRole::Control)?.id.get_ref().as_str(),
            )),
        }
    }
}

fn first_arm(study: &Study, role: ArmRole) -> Option<&Arm> {
    study.arms.iter().find(|a| a.role == role)
}

impl Study {
    /// Reported effects that enter the analysis: not marked `analyse = false` and not read
    /// second hand (see [`Study::is_second_hand`]).
    pub fn analysed_effects(&self) -> impl Iterator<Item = &ReportedEffect> {
        self.effects
            .iter()
            .filter(|e| e.analyse && !self.is_second_hand(&e.source))
    }
}

/// Same time point: equal days when both parse, else equal text.
fn same_time(a: &str, b: &str) -> bool {
    match (parse_time(a), parse_time(b)) {
        (Ok(x), Ok(y)) => x.days == y.days,
        _ => a == b,
    }
}

/// Checks every `[[effects]]` entry of one study and the results of its time-to-event
/// outcomes, pushing one problem per fault.
pub(super) fn check_effects(
    config: &BriefConfig,
    file: &SourceFile,
    study: &Study,
    problems: &mut Vec<Problem>,
) {
    let mut check = Check {
        file,
        problems,
        config,
        study,
    };
    for e in &study.effects {
        check.effect(e);
    }
    check.double_counting();
    check.time_to_event_results();
}

struct Check<'a> {
    file: &'a SourceFile,
    problems: &'a mut Vec<Problem>,
    config: &'a BriefConfig,
    study: &'a Study,
}

impl Check<'_> {
    fn push(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem::new(self.file, span, message));
    }

    fn line_of(&self, span: Range<usize>) -> usize {
        self.file.line_col(span.start).0
    }

    fn effect(&mut self, e: &ReportedEffect) {
        let outcome = e.outcome.get_ref();
        let def = self
            .config
            .outcomes
            .iter()
            .map(|o| o.get_ref())
            .find(|o| o.id == *outcome);
        let measure = *e.measure.get_ref();
        match def {
            None => self.push(
                e.outcome.span(),
                format!("unknown outcome `{outcome}` (not defined in brief.toml)"),
            ),
            Some(def) => {
                let settings = def.settings(&self.config.analysis);
                if e.analyse && matches!(settings.method, PoolMethod::MH | PoolMethod::Peto) {
                    self.push(
                        e.measure.span(),
                        format!(
                            "outcome `{outcome}` is pooled by {}, which needs 2×2 tables; a reported effect is pooled by inverse variance: set `method` on the outcome to REML, DL, PM or FE",
                            settings.method.name()
                        ),
                    );
                }
                let expected = settings.measure;
                if expected != measure {
                    self.push(
                        e.measure.span(),
                        format!(
                            "measure {} does not match outcome `{outcome}`, which is pooled as {} (brief.toml); a reported effect must be on the outcome's measure",
                            measure.name(),
                            expected.name()
                        ),
                    );
                }
            }
        }
        match parse_time(e.time.get_ref()) {
            Err(message) => self.push(e.time.span(), message),
            Ok(_) if e.time.get_ref() == "baseline" => self.push(
                e.time.span(),
                "an effect compares arms after treatment: `baseline` is not its time point",
            ),
            Ok(_) => {}
        }
        // In the order of the fields in a file: values, adjustment, source, arms.
        if self.values(e, measure.is_ratio())
            && let Some(precision) = e.precision()
            && let Err(error) = from_reported(*e.estimate.get_ref(), precision, measure.is_ratio())
        {
            // Anything the checks above let through (a precision giving no usable variance).
            self.push(e.estimate.span(), error.to_string());
        }
        self.adjusted(e);
        self.source(&e.source);
        self.arms(e);
    }

    fn source(&mut self, source: &Source) {
        if let Some((span, message)) = super::validate::unknown_source_report(self.study, source) {
            self.push(span, message);
        }
    }

    fn arms(&mut self, e: &ReportedEffect) {
        let Some(arms) = &e.arms else {
            let has = |role| first_arm(self.study, role).is_some();
            let missing = match (has(ArmRole::Intervention), has(ArmRole::Control)) {
                (true, true) => return,
                (false, true) => "no intervention arm",
                (true, false) => "no control arm",
                (false, false) => "neither an intervention nor a control arm",
            };
            self.push(
                e.outcome.span(),
                format!("a reported effect compares an intervention arm with a control arm, but this study has {missing}"),
            );
            return;
        };
        let names = arms.get_ref();
        if names.len() != 2 || names[0] == names[1] {
            self.push(
                arms.span(),
                "`arms` must name two different arms: the intervention arm, then the control arm",
            );
            return;
        }
        for (name, role, what) in [
            (&names[0], ArmRole::Intervention, "first"),
            (&names[1], ArmRole::Control, "second"),
        ] {
            match self.study.arms.iter().find(|a| a.id.get_ref() == name) {
                None => self.push(arms.span(), format!("unknown arm `{name}`")),
                Some(arm) if arm.role != role => self.push(
                    arms.span(),
                    format!(
                        "the {what} arm of an effect must be {} arm (the effect is intervention versus control); `{name}` is not",
                        if role == ArmRole::Intervention { "an intervention" } else { "a control" }
                    ),
                ),
                Some(_) => {}
            }
        }
    }

    fn adjusted(&mut self, e: &ReportedEffect) {
        let named = e
            .adjusted_for
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        match (*e.adjusted.get_ref(), named, e.adjusted_for.is_some()) {
            (true, false, _) => self.push(
                e.adjusted.span(),
                "an adjusted effect needs `adjusted-for` (what the model adjusted for, in words)",
            ),
            (false, _, true) => self.push(
                e.adjusted.span(),
                "`adjusted-for` goes with `adjusted = true`; this effect says `adjusted = false`",
            ),
            _ => {}
        }
    }

    /// The estimate and its precision; true when they passed (so the engine may convert).
    fn values(&mut self, e: &ReportedEffect, ratio: bool) -> bool {
        let before = self.problems.len();
        let literal = |v: &Spanned<f64>| self.file.text[v.span()].to_owned();
        let est = *e.estimate.get_ref();
        if !est.is_finite() {
            self.push(
                e.estimate.span(),
                format!(
                    "estimate must be a finite number, found {}",
                    literal(&e.estimate)
                ),
            );
        } else if ratio && est <= 0.0 {
            self.push(
                e.estimate.span(),
                format!("a ratio must be positive, found {}", literal(&e.estimate)),
            );
        }
        let routes: Vec<(&str, Range<usize>)> = [
            (
                "ci-lower/ci-upper",
                e.ci_lower
                    .as_ref()
                    .or(e.ci_upper.as_ref())
                    .map(Spanned::span),
            ),
            ("se", e.se.as_ref().map(Spanned::span)),
            ("p", e.p.as_ref().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(name, span)| Some((name, span?)))
        .collect();
        match routes.as_slice() {
            [] => self.push(
                e.estimate.span(),
                "give the estimate's precision: `ci-lower` and `ci-upper` (95% CI), or `se`, or an exact two-sided `p`",
            ),
            [_] => {}
            [(first, _), rest @ ..] => {
                for (name, span) in rest {
                    self.push(
                        span.clone(),
                        format!(
                            "give exactly one precision (95% CI, `se` or `p`): `{name}` comes on top of `{first}`"
                        ),
                    );
                }
            }
        }
        match (&e.ci_lower, &e.ci_upper) {
            (Some(l), None) => self.push(l.span(), "`ci-lower` needs `ci-upper`"),
            (None, Some(u)) => self.push(u.span(), "`ci-upper` needs `ci-lower`"),
            (Some(l), Some(u)) => self.ci(l, u, est, ratio),
            (None, None) => {}
        }
        if let Some(se) = &e.se
            && !(se.get_ref().is_finite() && *se.get_ref() > 0.0)
        {
            self.push(
                se.span(),
                format!("se must be a positive number, found {}", literal(se)),
            );
        }
        if let Some(p) = &e.p {
            let v = *p.get_ref();
            if !(v > 0.0 && v < 1.0) {
                self.push(
                    p.span(),
                    format!(
                        "p must be an exact two-sided p value strictly between 0 and 1, found {}",
                        literal(p)
                    ),
                );
            } else if est == if ratio { 1.0 } else { 0.0 } {
                self.push(
                    p.span(),
                    "no standard error follows from a p value when the estimate is the null value; give the CI or `se`",
                );
            }
        }
        self.problems.len() == before
    }

    fn ci(&mut self, l: &Spanned<f64>, u: &Spanned<f64>, est: f64, ratio: bool) {
        let (lo, hi) = (*l.get_ref(), *u.get_ref());
        for v in [l, u] {
            if !v.get_ref().is_finite() {
                let literal = self.file.text[v.span()].to_owned();
                self.push(
                    v.span(),
                    format!("a confidence limit must be a finite number, found {literal}"),
                );
                return;
            }
        }
        if ratio && lo <= 0.0 {
            self.push(
                l.span(),
                format!("a ratio's confidence limits must be positive, found {lo}"),
            );
        } else if !(lo < hi && lo <= est && est <= hi) {
            self.push(
                l.span(),
                format!(
                    "the 95% CI must contain the estimate: need ci-lower ≤ estimate ≤ ci-upper with ci-lower < ci-upper, found {est} ({lo} to {hi})"
                ),
            );
        }
    }

    /// An analysed effect and analysed arm-level results (or a second analysed effect) of
    /// the same outcome and time point would count the trial twice.
    fn double_counting(&mut self) {
        let study = self.study;
        let mut seen: HashMap<&str, Vec<&ReportedEffect>> = HashMap::new();
        for e in study.analysed_effects() {
            let outcome = e.outcome.get_ref().as_str();
            let time = e.time.get_ref().as_str();
            let earlier = seen
                .get(outcome)
                .and_then(|v| v.iter().find(|x| same_time(x.time.get_ref(), time)));
            if let Some(earlier) = earlier {
                let line = self.line_of(earlier.outcome.span());
                self.push(
                    e.outcome.span(),
                    format!(
                        "outcome `{outcome}` at `{time}` has two analysed effects (also at line {line}); one trial gives one effect per outcome and time: keep one, or mark the other `analyse = false`"
                    ),
                );
                continue;
            }
            seen.entry(outcome).or_default().push(e);
            let result = study.analysed_results().find(|m| {
                m.outcome_id() == Some(outcome)
                    && m.time
                        .as_ref()
                        .is_some_and(|t| same_time(t.get_ref(), time))
            });
            if let Some(m) = result {
                let line = self.line_of(m.arm.span());
                self.push(
                    e.outcome.span(),
                    format!(
                        "outcome `{outcome}` at `{time}` is given both as this reported effect and as arm-level results (line {line}); pooling both would count the trial twice: mark the one not to analyse `analyse = false`"
                    ),
                );
            }
        }
    }

    /// A time-to-event outcome takes reported hazard ratios only.
    fn time_to_event_results(&mut self) {
        let study = self.study;
        for m in study.results.iter().filter(|m| m.analyse) {
            let Some(o) = &m.outcome else { continue };
            let tte = self.config.outcomes.iter().any(|d| {
                d.get_ref().id == *o.get_ref() && d.get_ref().kind == OutcomeKind::TimeToEvent
            });
            if tte {
                self.push(
                    o.span(),
                    format!(
                        "outcome `{}` is time-to-event: give the hazard ratio the report prints as an `[[effects]]` entry (arm-level results are kept only with `analyse = false`)",
                        o.get_ref()
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(text: &str) -> ReportedEffect {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn one_complete_route_is_a_precision() {
        let base = "outcome = \"os\"\ntime = \"month 12\"\nmeasure = \"HR\"\nestimate = 0.7\nadjusted = false\nsource = { report = \"r\", at = \"Table 2\" }\n";
        let ci = effect(&format!("{base}ci-lower = 0.5\nci-upper = 0.98\n"));
        assert_eq!(
            ci.precision(),
            Some(Precision::Ci {
                lower: 0.5,
                upper: 0.98
            })
        );
        assert_eq!(
            effect(&format!("{base}p = 0.04\n")).precision(),
            Some(Precision::P { p: 0.04 })
        );
        assert_eq!(
            effect(&format!("{base}se = 0.2\np = 0.04\n")).precision(),
            None
        );
        assert_eq!(effect(&format!("{base}ci-lower = 0.5\n")).precision(), None);
        assert!(ci.analyse);
    }

    #[test]
    fn times_compare_by_days() {
        assert!(same_time("month 12", "month 12"));
        assert!(!same_time("month 12", "month 6"));
        assert!(same_time("end of follow-up", "end of follow-up"));
    }
}
