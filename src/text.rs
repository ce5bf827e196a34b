//! Text measuring and wrapping, for figures and the view model alike: the one place that
//! knows which characters are CJK (full-width), how wide a label is estimated to be, and
//! where a label may break (between words, and between CJK characters with Chinese
//! line-breaking rules).
//!
//! The estimates are deliberately generous: they keep labels inside a figure or a column
//! without measuring glyphs (the fonts are only known to Typst, later).

/// True when `text` holds a character that needs a CJK font (Han ideographs, kana,
/// Hangul, CJK punctuation and full-width forms).
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(is_cjk_char)
}

/// True when `c` needs a CJK font and is set full width (see [`has_cjk`]).
pub fn is_cjk_char(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3100..=0x31FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

/// How a text's width in ems is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidthEstimate {
    /// 0.55 em per Latin character, 1 em per CJK character: forest-plot labels.
    Generous,
    /// 0.5 em per character, 0.7 em per capital, 1 em per CJK character: the risk-of-bias
    /// figures' labels, which are mostly lower-case words.
    CapitalsWide,
}

/// An estimate of a text's width in ems (see [`WidthEstimate`]). Used only to keep
/// labels inside a figure.
pub fn width_em(text: &str, estimate: WidthEstimate) -> f64 {
    text.chars()
        .map(|c| match estimate {
            WidthEstimate::Generous if is_cjk_char(c) => 1.0,
            WidthEstimate::Generous => 0.55,
            WidthEstimate::CapitalsWide if c.is_uppercase() => 0.7,
            WidthEstimate::CapitalsWide if is_cjk_char(c) => 1.0,
            WidthEstimate::CapitalsWide => 0.5,
        })
        .sum()
}

/// An estimate of a text's width in points at `size` points (see [`width_em`]).
pub fn width_pt(text: &str, size: f64, estimate: WidthEstimate) -> f64 {
    width_em(text, estimate) * size
}

/// Display width in Latin-character units: a CJK (full-width) character counts two.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if is_cjk_char(c) { 2 } else { 1 })
        .sum()
}

/// Closing punctuation that must not start a line (Chinese line-breaking rules).
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '】'
            | '》'
            | '”'
            | '’'
            | ')'
            | ','
    )
}

/// Breaks `text` into lines of at most `width` character widths ([`display_width`]): at
/// spaces, and also between CJK characters (closing punctuation stays with the character
/// before it). A longer Latin word stands alone on its line.
pub fn wrap_columns(text: &str, width: usize) -> Vec<String> {
    // Pieces that may not be split, each marked with whether a space precedes it.
    let mut pieces: Vec<(bool, String)> = Vec::new();
    for word in text.split_whitespace() {
        let mut first = true;
        let mut piece = String::new();
        for c in word.chars() {
            let breaks_before = !piece.is_empty()
                && !no_line_start(c)
                && (is_cjk_char(c) || piece.chars().last().is_some_and(is_cjk_char));
            if breaks_before {
                pieces.push((first, std::mem::take(&mut piece)));
                first = false;
            }
            piece.push(c);
        }
        pieces.push((first, piece));
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (spaced, piece) in pieces {
        let gap = usize::from(spaced && !line.is_empty());
        if !line.is_empty() && display_width(&line) + gap + display_width(&piece) > width {
            lines.push(std::mem::take(&mut line));
        } else if gap == 1 {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Label lines joined back into one text: with a space between Latin words, without one
/// where a CJK line was broken between characters (the inverse of [`wrap_columns`]).
pub fn join_lines(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        let glued = out.chars().last().is_some_and(is_cjk_char)
            || line.chars().next().is_some_and(is_cjk_char);
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

/// Greedy word wrap to `max_width` points at `size` points ([`width_pt`]); `None` when a
/// single word is wider than `max_width`.
pub fn wrap_points(
    text: &str,
    size: f64,
    max_width: f64,
    estimate: WidthEstimate,
) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if width_pt(word, size, estimate) > max_width {
            return None;
        }
        match lines.last_mut() {
            Some(line) if width_pt(&format!("{line} {word}"), size, estimate) <= max_width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    Some(lines)
}

/// Like [`wrap_points`], but words too wide for `max_width` are split at character
/// boundaries instead of failing.
pub fn wrap_points_breaking(
    text: &str,
    size: f64,
    max_width: f64,
    estimate: WidthEstimate,
) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if width_pt(&piece, size, estimate) > max_width && piece.chars().count() > 1 {
                piece.pop();
                pieces.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        pieces.push(piece);
    }
    wrap_points(&pieces.join(" "), size, max_width, estimate).unwrap_or(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_detection_covers_han_and_full_width_punctuation() {
        assert!(has_cjk("脐带间充质干细胞"));
        assert!(has_cjk("a，b"));
        assert!(!has_cjk("HbA1c ≥ 7.0% — 95% CI · naïve"));
    }

    #[test]
    fn widths_count_chinese_full() {
        assert!((width_em("ab", WidthEstimate::Generous) - 1.1).abs() < 1e-9);
        assert!((width_em("对照", WidthEstimate::Generous) - 2.0).abs() < 1e-9);
        assert!((width_em("Ab", WidthEstimate::CapitalsWide) - 1.2).abs() < 1e-9);
        assert_eq!(display_width("a对"), 3);
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(wrap_columns("Zhao 2024", 30), ["Zhao 2024"]);
        assert_eq!(
            wrap_columns("A very long study label that needs two lines", 20),
            ["A very long study", "label that needs two", "lines"]
        );
        assert_eq!(wrap_columns("", 10), [""]);
    }

    #[test]
    fn chinese_wraps_between_characters_and_keeps_punctuation_attached() {
        // Each CJK character counts two: eight per line of 16.
        assert_eq!(
            wrap_columns("糖化血红蛋白低于百分之七，第 48 周", 16),
            ["糖化血红蛋白低于", "百分之七，第 48", "周"]
        );
        assert_eq!(
            join_lines(&wrap_columns("空腹血浆葡萄糖浓度变化", 8)),
            "空腹血浆葡萄糖浓度变化"
        );
        assert_eq!(join_lines(&["Zhao".into(), "2024".into()]), "Zhao 2024");
    }

    #[test]
    fn point_wrap_breaks_overlong_words_only_when_asked() {
        let e = WidthEstimate::CapitalsWide;
        assert_eq!(wrap_points("aaaa", 10.0, 10.0, e), None);
        assert_eq!(wrap_points_breaking("aaaa", 10.0, 10.0, e), ["aa", "aa"]);
        assert_eq!(
            wrap_points("ab cd", 10.0, 30.0, e),
            Some(vec!["ab cd".to_owned()])
        );
    }
}
