//! Effects and pooled results in sentences a clinician reads without a statistics course.
//!
//! The wording of heterogeneity follows the Cochrane Handbook (section 10.10.2: I² of
//! 0–40% "might not be important", 30–60% moderate, 50–90% substantial, 75–100%
//! considerable); the prediction interval is explained as where the effect in a new
//! setting would be expected to lie (Riley, Higgins & Deeks 2011, BMJ 342:d549).

use crate::analysis::record::Verdict;
use crate::config::{Direction, PoolMethod, PoolTest};
use crate::format::fixed;
pub use crate::format::{estimate_brackets, is_ratio, measure_name, show};
use crate::i18n::Labels;
pub use crate::i18n::time_label;
use crate::stats::Measure;
use crate::stats::pool::PoolResult;

/// The label-table key of a measure's name (`measure.rr`).
fn measure_key(m: Measure) -> &'static str {
    match m {
        Measure::RR => "measure.rr",
        Measure::OR | Measure::PETO => "measure.or",
        Measure::RD => "measure.rd",
        Measure::MD => "measure.md",
        Measure::SMD => "measure.smd",
        Measure::PR | Measure::PLO | Measure::PFT | Measure::PAS => "measure.proportion",
        Measure::MC => "measure.mc",
        Measure::SMCR => "measure.smcr",
        Measure::GEN => "measure.generic",
        Measure::HR => "measure.hr",
    }
}

/// The measure's name in the language of `labels` ("risk ratio", "相对危险度"); the English
/// table gives exactly [`measure_name`].
pub fn measure_label(m: Measure, labels: &Labels) -> &str {
    labels.text(measure_key(m))
}

/// `s` with its first letter upper-case ("risk ratio" → "Risk ratio").
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// "2.15 (95% CI 1.16 to 4.00)", "2.15（95% CI：1.16～4.00）".
pub fn estimate_ci(m: Measure, est: f64, lo: f64, hi: f64, labels: &Labels) -> String {
    labels.fill(
        "words.estimate-ci",
        &[
            ("estimate", &show(m, est)),
            ("lower", &show(m, lo)),
            ("upper", &show(m, hi)),
        ],
    )
}

/// The model in words: "random effects (REML, Hartung–Knapp)".
pub fn model_name(method: PoolMethod, test: PoolTest, labels: &Labels) -> String {
    let adj = match test {
        PoolTest::Knha => labels.text("model.knha"),
        PoolTest::Z => "",
    };
    let random = |estimator: &str| {
        labels.fill(
            "model.random",
            &[("estimator", estimator), ("adjustment", adj)],
        )
    };
    match method {
        PoolMethod::FE => labels.text("model.inverse-variance").to_owned(),
        PoolMethod::DL => random("DerSimonian–Laird"),
        PoolMethod::Reml => random("REML"),
        PoolMethod::PM => random("Paule–Mandel"),
        PoolMethod::MH => labels.text("model.mantel-haenszel").to_owned(),
        PoolMethod::Peto => labels.text("model.peto").to_owned(),
    }
}

/// Which arm the estimate favours, or that the CI includes no effect.
pub fn direction_phrase(
    est: f64,
    lo: f64,
    hi: f64,
    better: Direction,
    intervention: &str,
    control: &str,
    labels: &Labels,
) -> String {
    match crate::analysis::record::verdict(lo, hi, est, better) {
        Verdict::NoClearDifference => labels.text("words.no-difference").to_owned(),
        Verdict::FavoursIntervention => labels.fill("words.favouring", &[("arm", intervention)]),
        Verdict::FavoursControl => labels.fill("words.favouring", &[("arm", control)]),
    }
}

/// Heterogeneity in words: "little heterogeneity (I² 12%, τ² 0.01)".
pub fn heterogeneity_phrase(p: &PoolResult, labels: &Labels) -> Option<String> {
    let i2 = p.i2?;
    let size = if i2 < 30.0 {
        "little"
    } else if i2 < 50.0 {
        "moderate"
    } else if i2 < 75.0 {
        "substantial"
    } else {
        "considerable"
    };
    let tau2 = p
        .tau2
        .map(|t| labels.fill("words.tau2", &[("tau2", &fixed(t, 3))]))
        .unwrap_or_default();
    Some(labels.fill(
        "words.inconsistency",
        &[
            (
                "size",
                labels.text(&format!("words.inconsistency-size.{size}")),
            ),
            ("i2", &fixed(i2, 0)),
            ("tau2", &tau2),
        ],
    ))
}

/// Everything a pooled result says, as two or three sentences.
#[allow(clippy::too_many_arguments)]
pub fn pooled_sentence(
    m: Measure,
    p: &PoolResult,
    participants: f64,
    method: PoolMethod,
    test: PoolTest,
    show_prediction: bool,
    better: Direction,
    arms: (&str, &str),
    labels: &Labels,
) -> String {
    let participants = participants.to_string();
    let estimate = estimate_ci(m, p.estimate, p.ci_lower, p.ci_upper, labels);
    if p.single_study {
        return labels.fill(
            "words.single-study",
            &[
                ("participants", &participants),
                ("measure", measure_label(m, labels)),
                ("estimate", &estimate),
            ],
        );
    }
    let mut s = labels.fill(
        "words.pooled",
        &[
            ("k", &p.k.to_string()),
            ("participants", &participants),
            ("model", &model_name(method, test, labels)),
            ("measure", measure_label(m, labels)),
            ("estimate", &estimate),
            (
                "direction",
                &direction_phrase(
                    p.estimate, p.ci_lower, p.ci_upper, better, arms.0, arms.1, labels,
                ),
            ),
        ],
    );
    if let Some(h) = heterogeneity_phrase(p, labels) {
        s.push_str(&labels.fill("words.heterogeneity-sentence", &[("phrase", &h)]));
    }
    if show_prediction
        && p.k >= 3
        && let (Some(lo), Some(hi)) = (p.pi_lower, p.pi_upper)
    {
        s.push_str(&labels.fill(
            "words.prediction-sentence",
            &[("lower", &show(m, lo)), ("upper", &show(m, hi))],
        ));
    }
    s
}

/// A curated text (a GRADE reason, an adverse-event name) that reaches the view through the
/// analysis, as the edition's language prints it: translated by its file's companion, or
/// kept in English and marked (see [`crate::data::localise`]). Study texts are localised
/// with the whole project instead.
pub fn curated(project: &crate::data::Project, labels: &Labels, text: &str, name: bool) -> String {
    if labels.language() == crate::i18n::Language::En {
        return text.to_owned();
    }
    let localiser = crate::data::localise::Localiser {
        translations: &project.translations,
        untranslated_mark: labels.text("view.untranslated-mark"),
    };
    if name {
        localiser.name(text)
    } else {
        localiser.prose(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use crate::stats::pool::inverse_variance::pool_inverse_variance;
    use crate::stats::{Method, Test};

    fn en() -> &'static Labels {
        Language::En.labels()
    }

    fn zh() -> &'static Labels {
        Language::Zh.labels()
    }

    #[test]
    fn pooled_sentence_names_model_direction_heterogeneity_and_prediction() {
        // Three studies, all favouring treatment on the log RR scale.
        let yi = [-0.9, -0.4, -0.6];
        let vi = [0.04, 0.05, 0.03];
        let p = pool_inverse_variance(&yi, &vi, Method::REML, Test::Knha).unwrap();
        let s = pooled_sentence(
            Measure::RR,
            &p,
            300.0,
            PoolMethod::Reml,
            PoolTest::Knha,
            true,
            Direction::Lower,
            ("UC-MSC", "placebo"),
            Language::En.labels(),
        );
        assert!(s.starts_with("Pooled over 3 studies (300 participants), random effects (REML, Hartung–Knapp): risk ratio "), "{s}");
        assert!(s.contains("favouring UC-MSC"), "{s}");
        assert!(s.contains("inconsistency between studies (I² "), "{s}");
        assert!(s.contains("95% prediction interval"), "{s}");
        let no_pi = pooled_sentence(
            Measure::RR,
            &p,
            300.0,
            PoolMethod::Reml,
            PoolTest::Knha,
            false,
            Direction::Lower,
            ("UC-MSC", "placebo"),
            Language::En.labels(),
        );
        assert!(!no_pi.contains("prediction"));
    }

    #[test]
    fn direction_respects_which_way_is_better() {
        assert_eq!(
            direction_phrase(0.5, 0.1, 0.9, Direction::Higher, "A", "B", en()),
            "favouring A"
        );
        assert_eq!(
            direction_phrase(0.5, 0.1, 0.9, Direction::Lower, "A", "B", en()),
            "favouring B"
        );
        assert_eq!(
            direction_phrase(0.5, -0.1, 0.9, Direction::Lower, "A", "B", en()),
            "the confidence interval includes no difference"
        );
    }

    #[test]
    fn ratios_are_shown_on_the_natural_scale() {
        assert_eq!(
            estimate_ci(Measure::RR, 2.15f64.ln(), 1.16f64.ln(), 4.0f64.ln(), en()),
            "2.15 (95% CI 1.16 to 4.00)"
        );
        assert_eq!(
            estimate_brackets(Measure::MD, -0.5, -1.25, 0.25),
            "\u{2212}0.50 [\u{2212}1.25, 0.25]"
        );
    }

    #[test]
    fn time_points_follow_the_language() {
        assert_eq!(time_label("Week 9", en()), "Week 9");
        assert_eq!(time_label("week 48", zh()), "第 48 周");
        assert_eq!(time_label("month 6", zh()), "第 6 个月");
        assert_eq!(time_label("year 1", zh()), "第 1 年");
        assert_eq!(time_label("baseline", zh()), "基线");
        assert_eq!(time_label("end of treatment", zh()), "end of treatment");
    }

    #[test]
    fn english_labels_give_the_english_names() {
        for m in [
            Measure::RR,
            Measure::OR,
            Measure::RD,
            Measure::MD,
            Measure::SMD,
            Measure::PR,
            Measure::MC,
            Measure::SMCR,
            Measure::PAS,
            Measure::GEN,
        ] {
            assert_eq!(measure_label(m, en()), measure_name(m));
        }
        assert_eq!(
            model_name(PoolMethod::Reml, PoolTest::Knha, en()),
            "random effects (REML, Hartung–Knapp)"
        );
        assert_eq!(
            model_name(PoolMethod::MH, PoolTest::Z, en()),
            "common effect (Mantel–Haenszel)"
        );
    }

    #[test]
    fn chinese_sentences_use_chinese_terms_and_punctuation() {
        assert_eq!(measure_label(Measure::RR, zh()), "相对危险度");
        assert_eq!(measure_label(Measure::MD, zh()), "均数差");
        assert_eq!(
            estimate_ci(Measure::RR, 2.15f64.ln(), 1.16f64.ln(), 4.0f64.ln(), zh()),
            "2.15（95% CI：1.16～4.00）"
        );
        let yi = [-0.9, -0.4, -0.6];
        let vi = [0.04, 0.05, 0.03];
        let p = pool_inverse_variance(&yi, &vi, Method::REML, Test::Knha).unwrap();
        let s = pooled_sentence(
            Measure::RR,
            &p,
            300.0,
            PoolMethod::Reml,
            PoolTest::Knha,
            true,
            Direction::Lower,
            ("UC-MSC", "对照"),
            zh(),
        );
        assert!(
            s.starts_with("合并 3 项研究（300 名受试者），随机效应模型"),
            "{s}"
        );
        assert!(s.contains("相对危险度"), "{s}");
        assert!(s.contains("有利于UC-MSC"), "{s}");
        assert!(s.contains("95% 预测区间"), "{s}");
        assert!(!s.contains(". ") && s.ends_with('。'), "{s}");
    }
}
