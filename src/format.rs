//! Number formatting for display, in one place: the template never rounds. Also the
//! language-neutral names and natural-scale display of effect measures, which the view
//! and the edition record (`analysis.json`) share.

use crate::stats::Measure;

/// Formats `x` with `decimals` places, a true minus sign (U+2212) and no "-0".
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let zero = s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    match s.strip_prefix('-') {
        Some(rest) if !zero => format!("\u{2212}{rest}"),
        Some(rest) => rest.to_owned(),
        None => s,
    }
}

/// The literal text of a number as it stands in the source file, minus sign made typographic.
pub fn literal(text: &str) -> String {
    text.trim().replace('-', "\u{2212}")
}

/// The measure's name in words ("risk ratio").
pub fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::RR => "risk ratio",
        Measure::OR | Measure::PETO => "odds ratio",
        Measure::RD => "risk difference",
        Measure::MD => "mean difference",
        Measure::SMD => "standardised mean difference",
        Measure::PR | Measure::PLO | Measure::PFT | Measure::PAS => "proportion",
        Measure::MC => "mean change",
        Measure::SMCR => "standardised mean change",
        Measure::GEN => "effect",
        Measure::HR => "hazard ratio",
    }
}

/// True for measures analysed on the log scale.
pub fn is_ratio(m: Measure) -> bool {
    matches!(m, Measure::RR | Measure::OR | Measure::PETO | Measure::HR)
}

/// A value on the analysis scale shown on the natural scale, two decimals, true minus.
pub fn show(m: Measure, x: f64) -> String {
    if is_ratio(m) {
        fixed(x.exp(), 2)
    } else {
        fixed(x, 2)
    }
}

/// "2.15 [1.16, 4.00]", the compact form beside a forest plot row.
pub fn estimate_brackets(m: Measure, est: f64, lo: f64, hi: f64) -> String {
    format!("{} [{}, {}]", show(m, est), show(m, lo), show(m, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_sign_and_negative_zero() {
        assert_eq!(fixed(-0.7145, 2), "\u{2212}0.71");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(0.7, 2), "0.70");
        assert_eq!(literal("-1.50"), "\u{2212}1.50");
    }
}
