//! Small-study effects for the brief: per outcome and time with at least
//! [`MIN_STUDIES`] estimable studies, Egger's regression test and trim-and-fill with the
//! outcome's model (metafor `regtest` and `trimfill`, from `stats::bias`), the data of
//! the funnel plot, and the publication-bias rating evbrief suggests for GRADE. With fewer
//! studies nothing is tested, and the methods say so.
//!
//! Why 10: the tests have too little power to tell chance from asymmetry with fewer
//! studies (Cochrane Handbook 13.3.5.4; Sterne et al. 2011, BMJ 343:d4002). No files, no
//! formatting.

use serde::Serialize;

use super::certainty::{Suggestion, SuggestionReason};
use super::{OutcomeAnalysis, TimeAnalysis, stats_method, stats_test};
use crate::config::certainty::Concern;
use crate::stats::bias::{Egger, TrimFill, egger, trim_and_fill};
use crate::stats::{Measure, Method, Test};

/// Fewest studies for a funnel plot and tests of small-study effects (Cochrane Handbook
/// 13.3.5.4).
pub const MIN_STUDIES: usize = 10;

/// Egger's p below which evbrief suggests rating publication bias down (Egger et al.
/// 1997 used 0.10, as the test has little power).
pub const EGGER_ALPHA: f64 = 0.10;

/// Small-study analysis of one outcome at one time point with k ≥ [`MIN_STUDIES`].
#[derive(Debug, Clone, Serialize)]
pub struct SmallStudy {
    /// Outcome id.
    pub outcome: String,
    /// Time point.
    pub time: String,
    /// The measure (ratios on the log scale).
    pub measure: Measure,
    /// The τ² method of the tests (the outcome's; REML for Mantel–Haenszel and Peto,
    /// which have no regression form).
    pub method: Method,
    /// The test of the outcome's model.
    pub test: Test,
    /// `(effect, standard error)` of each estimable study, in the rows' order.
    pub studies: Vec<(f64, f64)>,
    /// Study ids, in the same order.
    pub ids: Vec<String>,
    /// The pooled estimate of the outcome's model (analysis scale).
    pub estimate: f64,
    /// Egger's test (`regtest`), or why it failed.
    pub egger: Result<Egger, String>,
    /// Trim-and-fill (`trimfill`, L0), or why it failed.
    pub trimfill: Result<TrimFill, String>,
}

impl SmallStudy {
    /// The publication-bias rating evbrief suggests: serious when Egger's test finds
    /// asymmetry (p < [`EGGER_ALPHA`]); the trim-and-fill result is named beside it.
    /// GRADE guidelines 5 (Guyatt et al. 2011, J Clin Epidemiol 64:1277–1282) ask for a
    /// rating down when publication bias is strongly suspected.
    pub fn suggestion(&self) -> Option<Suggestion> {
        let e = self.egger.as_ref().ok()?;
        let p = crate::format::fixed(e.p, if e.p < 0.01 { 3 } else { 2 });
        let asymmetric = e.p < EGGER_ALPHA;
        let mut reasons = vec![if asymmetric {
            SuggestionReason::FunnelAsymmetry(p.clone())
        } else {
            SuggestionReason::FunnelSymmetric(p.clone())
        }];
        let mut why = if asymmetric {
            format!("Egger's test finds funnel asymmetry (p = {p})")
        } else {
            format!("Egger's test finds no funnel asymmetry (p = {p})")
        };
        if let Ok(t) = &self.trimfill {
            reasons.push(SuggestionReason::TrimFill(t.k0.to_string()));
            why.push_str(&format!("; trim-and-fill adds {} studies", t.k0));
        }
        Some(Suggestion {
            concern: if asymmetric {
                Concern::Serious
            } else {
                Concern::NotSerious
            },
            why,
            reasons,
        })
    }
}

/// Egger and trim-and-fill for one time point of an outcome, when it has at least
/// [`MIN_STUDIES`] estimable studies and a pooled estimate.
pub fn small_study(analysis: &OutcomeAnalysis, time: &TimeAnalysis) -> Option<SmallStudy> {
    let pooled = time.pooled.as_ref().filter(|p| !p.single_study)?;
    let (ids, studies): (Vec<String>, Vec<(f64, f64)>) = time
        .studies
        .iter()
        .filter_map(|r| {
            let (y, v) = r.effect.value()?;
            Some((r.study.clone(), (y, v.sqrt())))
        })
        .unzip();
    if studies.len() < MIN_STUDIES {
        return None;
    }
    let method = match stats_method(analysis.settings.method) {
        Method::MH | Method::PETO => Method::REML,
        m => m,
    };
    let test = stats_test(analysis.settings.test, method);
    let yi: Vec<f64> = studies.iter().map(|s| s.0).collect();
    let vi: Vec<f64> = studies.iter().map(|s| s.1 * s.1).collect();
    Some(SmallStudy {
        outcome: analysis.outcome.clone(),
        time: time.time.clone(),
        measure: analysis.measure,
        method,
        test,
        ids,
        estimate: pooled.estimate,
        egger: egger(&yi, &vi, method, test).map_err(|e| e.to_string()),
        trimfill: trim_and_fill(&yi, &vi, method, test).map_err(|e| e.to_string()),
        studies,
    })
}

/// Every small-study analysis of the brief, in outcome and time order.
pub fn small_studies(outcomes: &[OutcomeAnalysis]) -> Vec<SmallStudy> {
    outcomes
        .iter()
        .flat_map(|a| a.times.iter().filter_map(move |t| small_study(a, t)))
        .collect()
}

/// How many pooled analyses (outcome and time, k ≥ 2) have fewer than [`MIN_STUDIES`]
/// studies: the methods say why they were not tested.
pub fn untested(outcomes: &[OutcomeAnalysis]) -> usize {
    outcomes
        .iter()
        .flat_map(|a| &a.times)
        .filter(|t| {
            let k = t
                .studies
                .iter()
                .filter(|r| r.effect.value().is_some())
                .count();
            (2..MIN_STUDIES).contains(&k)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::pooling::pool_time;
    use crate::analysis::testutil::binary_row as row;
    use crate::config::{
        DoubleZero, EffectMeasure, OutcomeSettings, PoolMethod, PoolTest, SubgroupBy,
    };

    fn settings() -> OutcomeSettings {
        OutcomeSettings {
            measure: EffectMeasure::RR,
            method: PoolMethod::Reml,
            test: PoolTest::Z,
            prediction: true,
            common_effect: false,
            subgroup: SubgroupBy::None,
            double_zero: DoubleZero::Drop,
        }
    }

    /// dat.bcg (Colditz et al. 1994), all 13 trials: metafor 3.8.1 `regtest(rma(yi, vi))`
    /// gives z = −0.803329193090804, p = 0.421784488855319 (REML, z test;
    /// `tests/metafor/bcg_sensitivity.json`).
    fn bcg(k: usize) -> OutcomeAnalysis {
        let rows = [
            (4., 123., 11., 139.),
            (6., 306., 29., 303.),
            (3., 231., 11., 220.),
            (62., 13598., 248., 12867.),
            (33., 5069., 47., 5808.),
            (180., 1541., 372., 1451.),
            (8., 2545., 10., 629.),
            (505., 88391., 499., 88391.),
            (29., 7499., 45., 7277.),
            (17., 1716., 65., 1665.),
            (186., 50634., 141., 27338.),
            (5., 2498., 3., 2341.),
            (27., 16913., 29., 17854.),
        ]
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &(a, n1, c, n2))| row(&format!("s{i}"), "", a, n1, c, n2))
        .collect();
        let time = pool_time("week 1".into(), rows, Measure::RR, &settings());
        OutcomeAnalysis {
            outcome: "o".into(),
            settings: settings(),
            measure: Measure::RR,
            times: vec![time],
        }
    }

    #[test]
    fn ten_studies_are_tested_and_fewer_are_not() {
        let a = bcg(13);
        let s = small_study(&a, &a.times[0]).expect("k = 13");
        let e = s.egger.as_ref().unwrap();
        assert!((e.z / -0.803_329_193_090_804 - 1.0).abs() < 1e-6, "{}", e.z);
        assert!((e.p / 0.421_784_488_855_319 - 1.0).abs() < 1e-6, "{}", e.p);
        assert!(s.trimfill.is_ok());
        let sug = s.suggestion().unwrap();
        assert_eq!(sug.concern, Concern::NotSerious);
        assert!(matches!(sug.reasons[0], SuggestionReason::FunnelSymmetric(ref p) if p == "0.42"));
        assert_eq!(untested(std::slice::from_ref(&a)), 0);

        let few = bcg(9);
        assert!(small_study(&few, &few.times[0]).is_none());
        assert_eq!(untested(std::slice::from_ref(&few)), 1);
        assert!(small_studies(std::slice::from_ref(&few)).is_empty());
    }

    #[test]
    fn asymmetry_suggests_a_serious_concern() {
        let mut s = small_study(&bcg(13), &bcg(13).times[0]).unwrap();
        if let Ok(e) = s.egger.as_mut() {
            e.p = 0.04;
        }
        let sug = s.suggestion().unwrap();
        assert_eq!(sug.concern, Concern::Serious);
        assert!(matches!(
            sug.reasons[0],
            SuggestionReason::FunnelAsymmetry(_)
        ));
    }
}
