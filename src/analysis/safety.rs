//! The safety analysis: adverse events per category, study and arm, with the confidence
//! intervals a reader needs to judge what a zero can still hide.
//!
//! - Each counted arm gets its incidence with the exact Clopper–Pearson 95% CI; a zero
//!   also gets the rule-of-three upper bound (3/n).
//! - A study with both arms counted gets the risk difference with Newcombe's hybrid score
//!   interval (Newcombe 1998, method 10), which stays sensible with zero events.
//! - Two or more such studies are pooled with the Mantel–Haenszel risk difference
//!   (metafor `rma.mh(measure="RD")`, Sato–Greenland–Robins variance), which keeps studies
//!   with no events in either arm. When no arm of any study has an event, the MH variance
//!   is zero and no CI exists: the result says so instead of printing "0 [0, 0]".
//! - Incidence among all intervention recipients is the crude proportion (events summed
//!   over studies) with its exact CI, a description rather than a meta-analytic estimate.
//!
//! "Not reported" is kept apart from zero everywhere: it never enters a count.

use serde::Serialize;

use crate::data::Project;
use crate::data::model::{AdverseEvent, AeCategory, AeStatus, ArmRole, Study};
use crate::stats::Measure;
use crate::stats::effect::binary::TwoByTwo;
use crate::stats::incidence::{
    DifferenceCi, ProportionCi, clopper_pearson, newcombe_difference, rule_of_three,
};
use crate::stats::pool::mantel_haenszel::pool_mantel_haenszel;

/// Adverse events of the whole project, one entry per category that any study mentions.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyAnalysis {
    /// Categories in table order (deaths and serious events first).
    pub categories: Vec<CategorySafety>,
}

/// One adverse-event category across studies.
#[derive(Debug, Clone, Serialize)]
pub struct CategorySafety {
    /// The category.
    pub category: AeCategory,
    /// One row per study and event name reported in this category.
    pub rows: Vec<EventRow>,
    /// Ids of studies that say nothing about this category.
    pub silent: Vec<String>,
    /// Pooled risk difference over the controlled studies that counted both arms (k ≥ 2).
    pub pooled: Option<PooledDifference>,
    /// Events among intervention recipients summed over studies (k ≥ 2 counted arms).
    pub recipients: Option<Incidence>,
}

/// One event in one study: intervention and control arm side by side.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// Study id.
    pub study: String,
    /// Event name as the study reports it.
    pub event: String,
    /// The intervention arm (or the only arm of an uncontrolled study).
    pub intervention: Option<ArmEvents>,
    /// The control arm, if the study has one.
    pub control: Option<ArmEvents>,
    /// Risk difference (intervention − control) when both arms are counted.
    pub difference: Option<DifferenceCi>,
    /// Arms whose report states that no such event occurred without a count or a word on
    /// how events were ascertained (status `none-reported`): printed as that statement,
    /// never as 0/n with an interval.
    pub none_reported: Vec<String>,
}

/// What one arm reports about one event.
#[derive(Debug, Clone, Serialize)]
pub struct ArmEvents {
    /// Arm id.
    pub arm: String,
    /// Arm size.
    pub n: u64,
    /// The count, or `None` when the report is silent ("not reported" is not zero) or
    /// only says that none occurred (see [`EventRow::none_reported`]).
    pub incidence: Option<Incidence>,
}

/// Events out of participants with their exact CI.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Incidence {
    /// Participants with the event.
    pub events: u64,
    /// Participants observed.
    pub n: u64,
    /// Proportion with the Clopper–Pearson 95% CI.
    pub ci: ProportionCi,
    /// With zero events: the rule-of-three upper bound 3/n (one-sided 95%).
    pub zero_upper: Option<f64>,
}

/// The pooled risk difference of one category.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PooledDifference {
    /// Mantel–Haenszel risk difference with its 95% CI.
    Estimate {
        /// Studies pooled.
        k: usize,
        /// Risk difference (proportion).
        estimate: f64,
        /// Lower 95% limit.
        lower: f64,
        /// Upper 95% limit.
        upper: f64,
        /// Events / participants in the intervention arms, summed.
        intervention: (u64, u64),
        /// Events / participants in the control arms, summed.
        control: (u64, u64),
    },
    /// No events in any arm: the difference is 0 with no estimable CI.
    NoEvents {
        /// Studies.
        k: usize,
        /// Participants in the intervention arms, summed.
        intervention_n: u64,
        /// Participants in the control arms, summed.
        control_n: u64,
    },
}

/// Analyses every study's adverse events.
pub fn analyse_safety(project: &Project) -> SafetyAnalysis {
    let studies: Vec<&Study> = project.studies.iter().map(|s| &s.study).collect();
    safety_of(&studies)
}

/// The safety analysis of these studies (separate from [`analyse_safety`] for tests).
pub fn safety_of(studies: &[&Study]) -> SafetyAnalysis {
    let mut categories = Vec::new();
    for category in AeCategory::ALL {
        let mut rows = Vec::new();
        let mut silent = Vec::new();
        for study in studies {
            let entries: Vec<&AdverseEvent> = study
                .analysed_adverse_events()
                .filter(|a| a.category == category)
                .collect();
            if entries.is_empty() {
                silent.push(study.id.get_ref().clone());
            }
            let mut names: Vec<&str> = Vec::new();
            for e in &entries {
                if !names.contains(&e.event.as_str()) {
                    names.push(&e.event);
                }
            }
            rows.extend(
                names
                    .into_iter()
                    .map(|name| event_row(study, name, &entries)),
            );
        }
        if rows.is_empty() {
            continue;
        }
        let pooled = pool_rows(&rows);
        let recipients = recipients(&rows);
        categories.push(CategorySafety {
            category,
            rows,
            silent,
            pooled,
            recipients,
        });
    }
    SafetyAnalysis { categories }
}

fn event_row(study: &Study, name: &str, entries: &[&AdverseEvent]) -> EventRow {
    let arm = |roles: &[ArmRole]| {
        study
            .arms
            .iter()
            .find(|a| roles.contains(&a.role))
            .map(|a| {
                let n = u64::try_from(*a.n.get_ref()).unwrap_or(0);
                let entry = entries
                    .iter()
                    .find(|e| e.event == name && e.arm.get_ref() == a.id.get_ref());
                let events = entry.and_then(|e| match e.status {
                    AeStatus::Events => e
                        .events
                        .as_ref()
                        .and_then(|v| u64::try_from(*v.get_ref()).ok()),
                    AeStatus::NoneObserved => Some(0),
                    AeStatus::NoneReported | AeStatus::NotReported => None,
                });
                ArmEvents {
                    arm: a.id.get_ref().clone(),
                    n,
                    incidence: events.and_then(|x| incidence(x, n)),
                }
            })
    };
    let intervention = arm(&[ArmRole::Intervention, ArmRole::Single]);
    let control = arm(&[ArmRole::Control]);
    let difference = match (&intervention, &control) {
        (Some(i), Some(c)) => match (i.incidence, c.incidence) {
            (Some(a), Some(b)) => newcombe_difference(a.events, a.n, b.events, b.n).ok(),
            _ => None,
        },
        _ => None,
    };
    let none_reported = entries
        .iter()
        .filter(|e| e.event == name && e.status == AeStatus::NoneReported)
        .map(|e| e.arm.get_ref().clone())
        .collect();
    EventRow {
        study: study.id.get_ref().clone(),
        event: name.to_owned(),
        intervention,
        control,
        difference,
        none_reported,
    }
}

/// Incidence with its exact CI; `None` for an empty arm (validation forbids it).
pub fn incidence(events: u64, n: u64) -> Option<Incidence> {
    let ci = clopper_pearson(events, n).ok()?;
    Some(Incidence {
        events,
        n,
        ci,
        zero_upper: if events == 0 {
            rule_of_three(n).ok()
        } else {
            None
        },
    })
}

/// The 2×2 tables of counted (intervention, control) pairs, for the Mantel–Haenszel poolers.
pub(crate) fn tables(pairs: &[(Incidence, Incidence)]) -> Vec<TwoByTwo> {
    pairs
        .iter()
        .filter_map(|(i, c)| {
            TwoByTwo::from_events(i.events as f64, i.n as f64, c.events as f64, c.n as f64).ok()
        })
        .collect()
}

/// (intervention, control) incidences of the rows that counted both arms.
pub(crate) fn counted_pairs(rows: &[EventRow]) -> Vec<(Incidence, Incidence)> {
    rows.iter()
        .filter_map(|r| {
            Some((
                r.intervention.as_ref()?.incidence?,
                r.control.as_ref()?.incidence?,
            ))
        })
        .collect()
}

fn pool_rows(rows: &[EventRow]) -> Option<PooledDifference> {
    let pairs = counted_pairs(rows);
    if pairs.len() < 2 {
        return None;
    }
    let sum = |f: &dyn Fn(&(Incidence, Incidence)) -> u64| pairs.iter().map(f).sum::<u64>();
    let intervention = (sum(&|p| p.0.events), sum(&|p| p.0.n));
    let control = (sum(&|p| p.1.events), sum(&|p| p.1.n));
    if intervention.0 + control.0 == 0 {
        return Some(PooledDifference::NoEvents {
            k: pairs.len(),
            intervention_n: intervention.1,
            control_n: control.1,
        });
    }
    let pooled = pool_mantel_haenszel(Measure::RD, &tables(&pairs)).ok()?;
    Some(PooledDifference::Estimate {
        k: pairs.len(),
        estimate: pooled.estimate,
        lower: pooled.ci_lower,
        upper: pooled.ci_upper,
        intervention,
        control,
    })
}

fn recipients(rows: &[EventRow]) -> Option<Incidence> {
    let counted: Vec<Incidence> = rows
        .iter()
        .filter_map(|r| r.intervention.as_ref()?.incidence)
        .collect();
    if counted.len() < 2 {
        return None;
    }
    incidence(
        counted.iter().map(|i| i.events).sum(),
        counted.iter().map(|i| i.n).sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study(id: &str, arms: &[(&str, &str, i64)], events: &[(&str, &str, &str, &str)]) -> Study {
        let mut text = format!(
            "id = \"{id}\"\nlabel = \"{id}\"\ndesign = \"rct\"\ncondition = \"T2DM\"\npopulation = \"p\"\n\
             [[reports]]\nkey = \"k\"\nrole = \"primary\"\n"
        );
        for (arm, role, n) in arms {
            text.push_str(&format!(
                "[[arms]]\nid = \"{arm}\"\nlabel = \"{arm}\"\nrole = \"{role}\"\nn = {n}\nintervention = \"x\"\nsource = {{ report = \"k\", at = \"a\" }}\n"
            ));
        }
        for (event, category, arm, status) in events {
            let (status, count) = match status.parse::<i64>() {
                Ok(x) => ("events".to_owned(), format!("events = {x}\n")),
                Err(_) => ((*status).to_owned(), String::new()),
            };
            text.push_str(&format!(
                "[[adverse-events]]\nevent = \"{event}\"\ncategory = \"{category}\"\narm = \"{arm}\"\nstatus = \"{status}\"\n{count}source = {{ report = \"k\", at = \"a\" }}\n"
            ));
        }
        toml::from_str(&text).expect("study parses")
    }

    fn trial(id: &str, n1: i64, n2: i64, a: &str, c: &str) -> Study {
        study(
            id,
            &[("t", "intervention", n1), ("c", "control", n2)],
            &[("SAE", "serious", "t", a), ("SAE", "serious", "c", c)],
        )
    }

    #[test]
    fn not_reported_is_never_counted_as_zero() {
        let s = trial("a", 24, 10, "1", "not-reported");
        let analysis = safety_of(&[&s]);
        let row = &analysis.categories[0].rows[0];
        assert!(row.control.as_ref().unwrap().incidence.is_none());
        assert!(
            row.difference.is_none(),
            "no difference against a silent arm"
        );
        // A second study with a silent control arm is not pooled either.
        let t = trial("b", 30, 30, "0", "not-reported");
        let analysis = safety_of(&[&s, &t]);
        assert!(analysis.categories[0].pooled.is_none());
        // But recipients are summed over the counted intervention arms: 1/54.
        let r = analysis.categories[0].recipients.unwrap();
        assert_eq!((r.events, r.n), (1, 54));
    }

    #[test]
    fn none_reported_is_a_statement_without_a_count_or_interval() {
        // A registry's "no adverse reactions occurred", with no word on ascertainment.
        let s = study(
            "r",
            &[("s", "single", 301)],
            &[("Any adverse reaction", "other", "s", "none-reported")],
        );
        let analysis = safety_of(&[&s]);
        let row = &analysis.categories[0].rows[0];
        assert!(row.intervention.as_ref().unwrap().incidence.is_none());
        assert_eq!(row.none_reported, ["s"]);
        assert!(analysis.categories[0].recipients.is_none());
        // A counted zero is not a statement.
        let t = trial("a", 24, 10, "none-observed", "0");
        assert!(
            safety_of(&[&t]).categories[0].rows[0]
                .none_reported
                .is_empty()
        );
    }

    #[test]
    fn events_read_in_a_report_that_only_mentions_the_study_are_not_counted() {
        let mut s = trial("a", 24, 10, "4", "0");
        let mention: crate::data::model::Report =
            toml::from_str("key = \"m\"\nrole = \"mention\"\n").unwrap();
        s.reports.push(mention);
        for ae in &mut s.adverse_events {
            ae.source = toml::from_str("report = \"m\"\nat = \"Discussion\"\n").unwrap();
        }
        assert!(safety_of(&[&s]).categories.is_empty());
    }

    #[test]
    fn zero_events_carry_the_rule_of_three_bound() {
        let s = trial("a", 24, 10, "none-observed", "none-observed");
        let row = &safety_of(&[&s]).categories[0].rows[0];
        let i = row.intervention.as_ref().unwrap().incidence.unwrap();
        assert_eq!(i.events, 0);
        assert!((i.zero_upper.unwrap() - 0.125).abs() < 1e-12);
        assert_eq!(i.ci.lower, 0.0);
        // Exact one-sided bound: 1 − 0.025^(1/24).
        assert!((i.ci.upper - (1.0 - 0.025f64.powf(1.0 / 24.0))).abs() < 1e-9);
        // Zero in both arms: the difference is 0 with a real interval around it.
        let d = row.difference.unwrap();
        assert_eq!(d.estimate, 0.0);
        assert!(d.lower < 0.0 && d.upper > 0.0);
    }

    #[test]
    fn zero_events_in_every_arm_pool_to_no_events_not_a_zero_width_ci() {
        let a = trial("a", 24, 10, "none-observed", "none-observed");
        let b = trial("b", 27, 26, "none-observed", "none-observed");
        match safety_of(&[&a, &b]).categories[0].pooled.as_ref().unwrap() {
            PooledDifference::NoEvents {
                k,
                intervention_n,
                control_n,
            } => assert_eq!((*k, *intervention_n, *control_n), (2, 51, 36)),
            other => panic!("expected NoEvents, got {other:?}"),
        }
    }

    #[test]
    fn pooled_difference_is_mantel_haenszel_with_double_zero_studies_kept() {
        // Hand computation: RD_MH = Σ(a·n2 − c·n1)/N / Σ n1·n2/N.
        let a = trial("a", 24, 10, "4", "0");
        let b = trial("b", 27, 26, "0", "0");
        let w1 = 24.0 * 10.0 / 34.0;
        let w2 = 27.0 * 26.0 / 53.0;
        let expected = (4.0 * 10.0 / 34.0) / (w1 + w2);
        match safety_of(&[&a, &b]).categories[0].pooled.as_ref().unwrap() {
            PooledDifference::Estimate {
                k,
                estimate,
                lower,
                upper,
                intervention,
                control,
            } => {
                assert_eq!(*k, 2);
                assert!(
                    (estimate - expected).abs() < 1e-12,
                    "{estimate} vs {expected}"
                );
                assert!(lower < estimate && estimate < upper);
                assert_eq!(*intervention, (4, 51));
                assert_eq!(*control, (0, 36));
            }
            other => panic!("expected an estimate, got {other:?}"),
        }
    }

    #[test]
    fn categories_come_in_table_order_and_silent_studies_are_listed() {
        let a = study(
            "a",
            &[("t", "intervention", 10), ("c", "control", 10)],
            &[
                ("Fever", "infusion-reaction", "t", "2"),
                ("Death", "death", "t", "none-observed"),
            ],
        );
        let b = study(
            "b",
            &[("s", "single", 100)],
            &[("Fever", "infusion-reaction", "s", "5")],
        );
        let analysis = safety_of(&[&a, &b]);
        let order: Vec<AeCategory> = analysis.categories.iter().map(|c| c.category).collect();
        assert_eq!(order, [AeCategory::Death, AeCategory::InfusionReaction]);
        assert_eq!(analysis.categories[0].silent, ["b"]);
        let fever = &analysis.categories[1];
        // The single-arm study has no control and no difference; its arm is the intervention.
        assert!(fever.rows[1].control.is_none() && fever.rows[1].difference.is_none());
        assert_eq!(fever.recipients.unwrap().events, 7);
        // The control arm of study a has no fever entry: not reported, not zero.
        assert!(fever.rows[0].control.as_ref().unwrap().incidence.is_none());
    }
}
