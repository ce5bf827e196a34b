//! Figures as SVG, drawn with plotters from analysis values; nothing here recomputes a
//! statistic or reads a file.
//!
//! Text inside the SVGs names one concrete font family ([`FONT_FAMILY`]) so that Typst,
//! which resolves SVG text against the document's fonts, never falls back to tofu.

pub mod axis;
pub mod forest;
pub mod risk_of_bias;

/// The font family written into SVG text: the brief's embedded body font.
pub const FONT_FAMILY: &str = "Libertinus Serif";

/// SVG user units per typographic point: drawing at 4× keeps plotters' integer pixel
/// coordinates at a quarter-point resolution; the template scales the image back.
pub const UNITS_PER_PT: f64 = 4.0;

/// Converts points to SVG units (rounded, as plotters draws on an integer grid).
pub(crate) fn px(pt: f64) -> i32 {
    (pt * UNITS_PER_PT).round() as i32
}
