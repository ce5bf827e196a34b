//! GRADE plain-language statements: what one summary-of-findings row means in words, from
//! its effect and the certainty of the evidence.
//!
//! The wording follows GRADE guidelines 26 (Santesso N, Glenton C, Dahm P, et al.
//! "Informative statements to communicate the findings of systematic reviews of
//! interventions", J Clin Epidemiol 2020;119:126–135, Table 2): the verb carries the
//! direction and the qualifier carries the certainty —
//!
//! | certainty | effect | no important effect |
//! |---|---|---|
//! | high | "reduces / increases" | "results in little or no difference" |
//! | moderate | "probably reduces / increases" | "probably results in little or no difference" |
//! | low | "may reduce / increase" | "may result in little or no difference" |
//! | very low | "the evidence is very uncertain about the effect of X on Y" | (same) |
//!
//! evbrief has no minimally important difference per outcome, so "no important effect"
//! is read as "the 95% confidence interval includes no effect" (a ratio of 1, a
//! difference of 0), and the size words of Table 2 ("large", "slightly") are not used.
//! The sentence itself is composed from the label tables (`plain.*`) by the view.

use serde::Serialize;

use super::certainty::{SofEffect, SofResult};

/// Which way the effect points, or that its interval includes no effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectDirection {
    /// The whole interval lies above no effect: more events, higher values.
    Increases,
    /// The whole interval lies below no effect: fewer events, lower values.
    Reduces,
    /// The interval includes no effect.
    LittleOrNoDifference,
}

/// GRADE's certainty qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Qualifier {
    /// High certainty: a plain verb.
    High,
    /// Moderate: "probably".
    Moderate,
    /// Low: "may".
    Low,
    /// Very low: "the evidence is very uncertain".
    VeryUncertain,
}

impl Qualifier {
    /// The qualifier of a certainty level, 1 (very low) to 4 (high).
    pub fn of_level(level: u8) -> Qualifier {
        match level {
            4.. => Qualifier::High,
            3 => Qualifier::Moderate,
            2 => Qualifier::Low,
            _ => Qualifier::VeryUncertain,
        }
    }
}

/// The statement of one row: a key of the label tables (`plain.<key>`) to fill with the
/// intervention and the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlainStatement {
    /// The certainty qualifier.
    pub qualifier: Qualifier,
    /// The direction; `None` when the effect is not estimable (only very low certainty
    /// has a statement then).
    pub direction: Option<EffectDirection>,
}

impl PlainStatement {
    /// The label key (`plain.<key>`) of the sentence.
    pub fn key(&self) -> &'static str {
        use EffectDirection as D;
        use Qualifier as Q;
        match (self.qualifier, self.direction) {
            (Q::VeryUncertain, _) => "very-uncertain",
            (Q::High, Some(D::Increases)) => "high-increases",
            (Q::High, Some(D::Reduces)) => "high-reduces",
            (Q::High, _) => "high-no-difference",
            (Q::Moderate, Some(D::Increases)) => "moderate-increases",
            (Q::Moderate, Some(D::Reduces)) => "moderate-reduces",
            (Q::Moderate, _) => "moderate-no-difference",
            (Q::Low, Some(D::Increases)) => "low-increases",
            (Q::Low, Some(D::Reduces)) => "low-reduces",
            (Q::Low, _) => "low-no-difference",
        }
    }
}

/// The direction of an interval on the analysis scale, where no effect is 0 (log ratios
/// and differences alike).
pub fn direction_of(lower: f64, upper: f64) -> EffectDirection {
    if lower > 0.0 {
        EffectDirection::Increases
    } else if upper < 0.0 {
        EffectDirection::Reduces
    } else {
        EffectDirection::LittleOrNoDifference
    }
}

/// The direction of a summary-of-findings row's effect, `None` when not estimable.
/// Ratios are compared with 1, differences with 0.
pub fn row_direction(effect: &SofEffect) -> Option<EffectDirection> {
    match effect {
        SofEffect::Binary {
            relative: Some((_, lo, hi)),
            ..
        }
        | SofEffect::TimeToEvent {
            relative: (_, lo, hi),
            ..
        } => Some(direction_of(lo.ln(), hi.ln())),
        SofEffect::Binary { .. } | SofEffect::NotEstimable { .. } => None,
        SofEffect::Continuous {
            estimate: (_, lo, hi),
            ..
        } => Some(direction_of(*lo, *hi)),
    }
}

/// The plain-language statement of one row, or `None` when nothing can be said (an
/// effect that is not estimable at better than very low certainty).
pub fn statement(row: &SofResult) -> Option<PlainStatement> {
    let qualifier = Qualifier::of_level(row.certainty.level);
    let direction = row_direction(&row.effect);
    if direction.is_none() && qualifier != Qualifier::VeryUncertain {
        return None;
    }
    Some(PlainStatement {
        qualifier,
        direction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::certainty::CertaintyResult;
    use crate::stats::Measure;

    fn row(level: u8, effect: SofEffect) -> SofResult {
        SofResult {
            index: 0,
            subject: "x".into(),
            studies: vec!["s".into()],
            participants: 65.0,
            effect,
            certainty: CertaintyResult {
                start: 4,
                domains: Vec::new(),
                upgrade: 0,
                level,
            },
            statement: None,
        }
    }

    fn md(est: f64, lo: f64, hi: f64) -> SofEffect {
        SofEffect::Continuous {
            measure: Measure::MD,
            estimate: (est, lo, hi),
            control_means: None,
        }
    }

    fn rr(est: f64, lo: f64, hi: f64) -> SofEffect {
        SofEffect::Binary {
            measure: Measure::RR,
            relative: Some((est, lo, hi)),
            intervention: (16.0, 33.0),
            control: (4.0, 32.0),
            control_risk: 0.125,
            stated_risk_source: None,
            absolute: None,
            absolute_from_difference: false,
        }
    }

    #[test]
    fn certainty_picks_the_qualifier_and_the_interval_the_verb() {
        // GRADE guidelines 26, Table 2: high "reduces", moderate "probably", low "may".
        assert_eq!(
            statement(&row(4, md(-1.59, -2.73, -0.45))).unwrap().key(),
            "high-reduces"
        );
        assert_eq!(
            statement(&row(3, rr(3.88, 1.45, 10.35))).unwrap().key(),
            "moderate-increases"
        );
        assert_eq!(
            statement(&row(2, md(1.2, 0.36, 2.04))).unwrap().key(),
            "low-increases"
        );
        // An interval including no effect: "little or no difference".
        assert_eq!(
            statement(&row(2, rr(3.96, 0.23, 67.4))).unwrap().key(),
            "low-no-difference"
        );
        assert_eq!(
            statement(&row(4, md(-0.73, -1.64, 0.18))).unwrap().key(),
            "high-no-difference"
        );
    }

    #[test]
    fn very_low_certainty_is_very_uncertain_whatever_the_effect() {
        for effect in [
            md(-1.59, -2.73, -0.45),
            rr(6.75, 0.37, 124.61),
            SofEffect::NotEstimable {
                reason: crate::analysis::certainty::Unestimable::NoEstimableEffect,
            },
        ] {
            assert_eq!(statement(&row(1, effect)).unwrap().key(), "very-uncertain");
        }
    }

    #[test]
    fn nothing_is_said_of_an_unestimable_effect_at_better_certainty() {
        let none = SofEffect::NotEstimable {
            reason: crate::analysis::certainty::Unestimable::NoEstimableEffect,
        };
        assert!(statement(&row(3, none)).is_none());
    }

    #[test]
    fn a_bound_exactly_at_no_effect_is_no_difference() {
        assert_eq!(
            direction_of(0.0, 1.0),
            EffectDirection::LittleOrNoDifference
        );
        assert_eq!(
            direction_of(-1.0, 0.0),
            EffectDirection::LittleOrNoDifference
        );
        assert_eq!(direction_of(1e-9, 1.0), EffectDirection::Increases);
    }
}
