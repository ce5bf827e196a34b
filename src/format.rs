//! Number formatting for display, in one place: the template never rounds.

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
