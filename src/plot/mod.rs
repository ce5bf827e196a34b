//! Figures as SVG, drawn with plotters from analysis values; nothing here recomputes a
//! statistic or reads a file.
//!
//! Text inside the SVGs names one concrete font family ([`FONT_FAMILY`]) so that Typst,
//! which resolves SVG text against the document's fonts, never falls back to tofu.

pub mod axis;
pub mod bubble;
pub mod forest;
pub mod funnel;
pub mod risk_of_bias;

/// The font family written into SVG text: the brief's embedded body font.
pub const FONT_FAMILY: &str = "Libertinus Serif";

/// The family written into SVG text that holds Chinese. It is a placeholder: which CJK
/// font is loaded is known only when rendering, so the renderer replaces it with the first
/// loaded CJK family (`render::world::cjk_families`). A concrete family is needed because
/// Typst's SVG text otherwise falls back to any font with the glyph, even a Japanese one.
pub const CJK_FAMILY_SLOT: &str = "evbrief-cjk-family";

/// The family for one SVG text: [`CJK_FAMILY_SLOT`] when it holds CJK characters, else
/// [`FONT_FAMILY`].
pub fn font_family(text: &str) -> &'static str {
    if crate::text::has_cjk(text) {
        CJK_FAMILY_SLOT
    } else {
        FONT_FAMILY
    }
}

/// SVG user units per typographic point: drawing at 4× keeps plotters' integer pixel
/// coordinates at a quarter-point resolution; the template scales the image back.
pub const UNITS_PER_PT: f64 = 4.0;

/// Converts points to SVG units (rounded, as plotters draws on an integer grid).
pub(crate) fn px(pt: f64) -> i32 {
    (pt * UNITS_PER_PT).round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_gets_the_cjk_slot() {
        assert_eq!(font_family("Favours control"), FONT_FAMILY);
        assert_eq!(font_family("有利于对照组"), CJK_FAMILY_SLOT);
    }
}
