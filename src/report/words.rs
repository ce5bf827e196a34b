//! Effects and pooled results in sentences a clinician reads without a statistics course.
//!
//! The wording of heterogeneity follows the Cochrane Handbook (section 10.10.2: I² of
//! 0–40% "might not be important", 30–60% moderate, 50–90% substantial, 75–100%
//! considerable); the prediction interval is explained as where the effect in a new
//! setting would be expected to lie (Riley, Higgins & Deeks 2011, BMJ 342:d549).

use super::record::Verdict;
use crate::config::{Direction, PoolMethod, PoolTest};
use crate::format::fixed;
use crate::stats::Measure;
use crate::stats::pool::PoolResult;

/// The measure's name in words ("risk ratio").
pub fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::RR => "risk ratio",
        Measure::OR | Measure::PETO => "odds ratio",
        Measure::RD => "risk difference",
        Measure::MD => "mean difference",
        Measure::SMD => "standardised mean difference",
        Measure::PR | Measure::PLO | Measure::PFT => "proportion",
        Measure::MC => "mean change",
        Measure::SMCR => "standardised mean change",
    }
}

/// `s` with its first letter upper-case ("risk ratio" → "Risk ratio").
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// True for measures analysed on the log scale.
pub fn is_ratio(m: Measure) -> bool {
    matches!(m, Measure::RR | Measure::OR | Measure::PETO)
}

/// A value on the analysis scale shown on the natural scale, two decimals, true minus.
pub fn show(m: Measure, x: f64) -> String {
    if is_ratio(m) {
        fixed(x.exp(), 2)
    } else {
        fixed(x, 2)
    }
}

/// "2.15 (95% CI 1.16 to 4.00)".
pub fn estimate_ci(m: Measure, est: f64, lo: f64, hi: f64) -> String {
    format!(
        "{} (95% CI {} to {})",
        show(m, est),
        show(m, lo),
        show(m, hi)
    )
}

/// "2.15 [1.16, 4.00]", the compact form beside a forest plot row.
pub fn estimate_brackets(m: Measure, est: f64, lo: f64, hi: f64) -> String {
    format!("{} [{}, {}]", show(m, est), show(m, lo), show(m, hi))
}

/// The model in words: "random effects (REML, Hartung–Knapp)".
pub fn model_name(method: PoolMethod, test: PoolTest) -> String {
    let adj = match test {
        PoolTest::Knha => ", Hartung–Knapp",
        PoolTest::Z => "",
    };
    match method {
        PoolMethod::FE => "common effect (inverse variance)".into(),
        PoolMethod::DL => format!("random effects (DerSimonian–Laird{adj})"),
        PoolMethod::Reml => format!("random effects (REML{adj})"),
        PoolMethod::PM => format!("random effects (Paule–Mandel{adj})"),
        PoolMethod::MH => "common effect (Mantel–Haenszel)".into(),
        PoolMethod::Peto => "common effect (Peto)".into(),
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
) -> String {
    match super::record::verdict(lo, hi, est, better) {
        Verdict::NoClearDifference => "the confidence interval includes no difference".into(),
        Verdict::FavoursIntervention => format!("favouring {intervention}"),
        Verdict::FavoursControl => format!("favouring {control}"),
    }
}

/// Heterogeneity in words: "little heterogeneity (I² 12%, τ² 0.01)".
pub fn heterogeneity_phrase(p: &PoolResult) -> Option<String> {
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
        .map(|t| format!(", τ² {}", fixed(t, 3)))
        .unwrap_or_default();
    Some(format!(
        "{size} inconsistency between studies (I² {}%{tau2})",
        fixed(i2, 0)
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
) -> String {
    if p.single_study {
        return format!(
            "One study ({} participants): {} {}; a single study, not pooled.",
            participants,
            measure_name(m),
            estimate_ci(m, p.estimate, p.ci_lower, p.ci_upper)
        );
    }
    let mut s = format!(
        "Pooled over {} studies ({} participants), {}: {} {}, {}.",
        p.k,
        participants,
        model_name(method, test),
        measure_name(m),
        estimate_ci(m, p.estimate, p.ci_lower, p.ci_upper),
        direction_phrase(p.estimate, p.ci_lower, p.ci_upper, better, arms.0, arms.1)
    );
    if let Some(h) = heterogeneity_phrase(p) {
        s.push_str(&format!(" The studies show {h}."));
    }
    if show_prediction
        && p.k >= 3
        && let (Some(lo), Some(hi)) = (p.pi_lower, p.pi_upper)
    {
        s.push_str(&format!(
            " In a new setting the effect would be expected to lie between {} and {} (95% prediction interval).",
            show(m, lo),
            show(m, hi)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::pool::inverse_variance::pool_inverse_variance;
    use crate::stats::{Method, Test};

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
        );
        assert!(!no_pi.contains("prediction"));
    }

    #[test]
    fn direction_respects_which_way_is_better() {
        assert_eq!(
            direction_phrase(0.5, 0.1, 0.9, Direction::Higher, "A", "B"),
            "favouring A"
        );
        assert_eq!(
            direction_phrase(0.5, 0.1, 0.9, Direction::Lower, "A", "B"),
            "favouring B"
        );
        assert_eq!(
            direction_phrase(0.5, -0.1, 0.9, Direction::Lower, "A", "B"),
            "the confidence interval includes no difference"
        );
    }

    #[test]
    fn ratios_are_shown_on_the_natural_scale() {
        assert_eq!(
            estimate_ci(Measure::RR, 2.15f64.ln(), 1.16f64.ln(), 4.0f64.ln()),
            "2.15 (95% CI 1.16 to 4.00)"
        );
        assert_eq!(
            estimate_brackets(Measure::MD, -0.5, -1.25, 0.25),
            "\u{2212}0.50 [\u{2212}1.25, 0.25]"
        );
    }
}
