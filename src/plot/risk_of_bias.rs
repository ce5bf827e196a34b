//! Risk-of-bias figures in the style of robvis (McGuinness & Higgins 2021, Res Synth
//! Methods 12:55–61): the marks of a traffic-light plot (also usable as a small column
//! beside forest-plot rows), their legend, and the summary plot of 100%-stacked bars.
//!
//! As with the forest plot, text that belongs to the document (study names with their
//! citations, domain headers) is typeset by the template in a grid beside the SVG, in rows
//! of exactly the heights given here; only the marks, bar labels, axis and legend are SVG
//! text, set in [`FONT_FAMILY`]. Judgements are told apart by symbol and lightness as
//! well as hue, so figures survive colour-vision deficiency and greyscale printing.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::{FONT_FAMILY, UNITS_PER_PT, font_family, px};
use crate::text::{WidthEstimate, width_pt, wrap_points, wrap_points_breaking};

/// One judgement on a single severity scale shared by the Cochrane tools.
///
/// RoB 2 (randomised trials) maps low / some concerns / high to [`Low`](Self::Low) /
/// [`Moderate`](Self::Moderate) / [`High`](Self::High); ROBINS-I (non-randomised studies)
/// maps low / moderate / serious / critical / no information to `Low` / `Moderate` /
/// `High` / [`Critical`](Self::Critical) / [`NoInformation`](Self::NoInformation). One
/// scale lets one palette, one symbol set and one ordering serve both tools; the words
/// shown to readers come with the caller's legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Low risk of bias (both tools).
    Low,
    /// RoB 2 "some concerns", ROBINS-I "moderate".
    Moderate,
    /// RoB 2 "high", ROBINS-I "serious".
    High,
    /// ROBINS-I "critical".
    Critical,
    /// ROBINS-I "no information": assessed, but the reports did not allow a judgement.
    NoInformation,
}

impl Judgement {
    /// Every judgement, from least to most severe, then no information.
    pub const ALL: [Judgement; 5] = [
        Judgement::Low,
        Judgement::Moderate,
        Judgement::High,
        Judgement::Critical,
        Judgement::NoInformation,
    ];

    /// The fill colour of the judgement's mark, as `#RRGGBB`.
    ///
    /// This is robvis's `"colourblind"` palette (ColorBrewer YlOrBr, one hue from light
    /// yellow to dark brown) rather than its default green/yellow/red, which red–green
    /// colour-blind readers cannot separate. Because the ramp varies in lightness, it stays
    /// ordered in greyscale print (relative luminance about 0.73, 0.44, 0.23, 0.09 from
    /// low to critical); "no information" is white with an outline, lighter than all of
    /// them. Each fill keeps a WCAG contrast of at least 5.5:1 with its symbol's ink
    /// ([`ink`](Self::ink)), and the symbols tell every judgement apart without colour.
    pub fn fill(self) -> &'static str {
        match self {
            Judgement::Low => "#FED98E",
            Judgement::Moderate => "#FE9929",
            Judgement::High => "#D95F0E",
            Judgement::Critical => "#993404",
            Judgement::NoInformation => "#FFFFFF",
        }
    }

    /// The colour of the symbol on [`fill`](Self::fill): black on the light fills, white
    /// on the dark one, whichever contrasts more.
    pub fn ink(self) -> &'static str {
        match self {
            Judgement::Critical => "#FFFFFF",
            _ => "#000000",
        }
    }

    /// The symbol drawn in the mark, following robvis: "+" low, "−" (U+2212) moderate or
    /// some concerns, "×" high or serious, "!" critical, "?" no information. The symbol
    /// carries the judgement where colour cannot.
    pub fn symbol(self) -> &'static str {
        match self {
            Judgement::Low => "+",
            Judgement::Moderate => "\u{2212}",
            Judgement::High => "\u{00D7}",
            Judgement::Critical => "!",
            Judgement::NoInformation => "?",
        }
    }
}

/// Fill of a cell with no judgement (domain not assessed for this study): a light grey
/// circle with a dashed outline and no symbol, so it never reads as a judgement.
pub const NOT_ASSESSED_FILL: &str = "#E8E8E8";

/// Outline of marks and bar segments; dark grey so white "no information" marks show.
const OUTLINE: &str = "#333333";
/// Dashed outline of the not-assessed mark.
const NOT_ASSESSED_OUTLINE: &str = "#6E6E6E";
/// Largest mark diameter in points, and the share of its cell a mark may fill.
const MAX_MARK_PT: f64 = 11.0;
const MARK_SHARE: f64 = 0.8;
/// Symbol font size as a share of the mark's diameter.
const SYMBOL_SHARE: f64 = 0.9;

/// One row of a mark column: a band of exactly `height_pt` with one mark per column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkRow {
    /// Height of the band in points; the template gives its grid row the same height.
    pub height_pt: f64,
    /// One entry per column (`None`: not assessed); empty for a blank row (headings).
    pub marks: Vec<Option<Judgement>>,
}

/// Draws a column of risk-of-bias marks: rows are studies (or forest-plot rows, some
/// blank) and columns are domains, e.g. D1…D5 and Overall.
///
/// The SVG is `max(marks.len()) × cell_width_pt` wide and as tall as the sum of the row
/// heights, exactly (its size attributes are in [`UNITS_PER_PT`] units), so a Typst grid
/// of the same row heights lines up with it. Each mark is a circle of
/// `min(cell, row) × 0.8` (at most 11 pt) centred in its cell with its symbol in bold.
pub fn mark_column_svg(rows: &[MarkRow], cell_width_pt: f64) -> String {
    let cell = cell_width_pt.max(0.0);
    let columns = rows.iter().map(|r| r.marks.len()).max().unwrap_or(0);
    let width = columns as f64 * cell;
    let height: f64 = rows.iter().map(|r| r.height_pt.max(0.0)).sum();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, canvas(width, height)).into_drawing_area();
        let mut top = 0.0;
        for row in rows {
            let h = row.height_pt.max(0.0);
            let diameter = (cell.min(h) * MARK_SHARE).min(MAX_MARK_PT);
            for (i, mark) in row.marks.iter().enumerate() {
                let x = (i as f64 + 0.5) * cell;
                draw_mark(&root, x, top + h / 2.0, diameter, *mark);
            }
            top += h;
        }
        let _ = root.present();
    }
    exact_size(svg, width, height)
}

/// Draws one mark: a filled, outlined circle with the judgement's symbol, or the dashed
/// not-assessed circle. Coordinates in points.
fn draw_mark<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: f64,
    y: f64,
    diameter: f64,
    mark: Option<Judgement>,
) {
    if diameter <= 0.0 {
        return;
    }
    let centre = (px(x), px(y));
    let radius = px(diameter / 2.0).max(1) as u32;
    let stroke = px(0.5).max(1) as u32;
    match mark {
        Some(j) => {
            let _ = root.draw(&Circle::new(centre, radius, colour(j.fill()).filled()));
            let _ = root.draw(&Circle::new(
                centre,
                radius,
                colour(OUTLINE).stroke_width(stroke),
            ));
            draw_symbol(root, j, x, y, diameter * SYMBOL_SHARE);
        }
        None => {
            let _ = root.draw(&Circle::new(
                centre,
                radius,
                colour(NOT_ASSESSED_FILL).filled(),
            ));
            let r = f64::from(radius);
            let ring: Vec<(i32, i32)> = (0..=48)
                .map(|k| {
                    let a = f64::from(k) * std::f64::consts::TAU / 48.0;
                    (
                        centre.0 + (r * a.cos()).round() as i32,
                        centre.1 + (r * a.sin()).round() as i32,
                    )
                })
                .collect();
            let dash = (r * std::f64::consts::TAU / 16.0).max(2.0) as i32;
            let _ = root.draw(&DashedPathElement::new(
                ring,
                dash,
                dash,
                colour(NOT_ASSESSED_OUTLINE).stroke_width(stroke),
            ));
        }
    }
}

/// Draws a judgement's symbol centred on `(x, y)` (points) in bold at `size` points.
fn draw_symbol<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    j: Judgement,
    x: f64,
    y: f64,
    size: f64,
) {
    // "+", "−" and "×" sit on the maths axis, which the SVG's 0.5ex offset centres;
    // "!" and "?" are cap-height glyphs and need a nudge down to look centred. "×" is
    // drawn larger: at the same size it looks smaller than "+".
    let (size, nudge) = match j {
        Judgement::High => (size * 1.2, 0.0),
        Judgement::Critical | Judgement::NoInformation => (size, 0.08 * size),
        _ => (size, 0.0),
    };
    let font = (FONT_FAMILY, size * UNITS_PER_PT * 1.24)
        .into_font()
        .style(FontStyle::Bold)
        .color(&colour(j.ink()));
    let _ = root.draw(&Text::new(
        j.symbol(),
        (px(x), px(y + nudge)),
        font.pos(Pos::new(HPos::Center, VPos::Center)),
    ));
}

/// Legend font size, mark diameter, line height and gaps, in points.
const LEGEND_FONT_PT: f64 = 7.5;
const LEGEND_MARK_PT: f64 = 8.0;
const LEGEND_LINE_PT: f64 = 11.0;
const LEGEND_LABEL_GAP_PT: f64 = 2.5;
const LEGEND_ITEM_GAP_PT: f64 = 9.0;

/// Draws a legend of marks and labels ("Low", "Some concerns", "High" for RoB 2; "Low",
/// "Moderate", "Serious", "Critical", "No information" for ROBINS-I), centred in
/// `width_pt`, on as many lines as needed to fit. Returns the SVG and its height in
/// points; with no items the height is 0 and the template should leave the image out.
pub fn legend_svg(items: &[(Judgement, String)], width_pt: f64) -> (String, f64) {
    let width = width_pt.max(0.0);
    let lines = legend_lines(items, width);
    let height = lines.len() as f64 * LEGEND_LINE_PT;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, canvas(width, height)).into_drawing_area();
        draw_legend(&root, items, &lines, width, 0.0);
        let _ = root.present();
    }
    (exact_size(svg, width, height), exact_pt(height))
}

/// Width of one legend item (mark, gap, label) in points.
fn legend_item_width(label: &str) -> f64 {
    LEGEND_MARK_PT + LEGEND_LABEL_GAP_PT + text_width_pt(label, LEGEND_FONT_PT)
}

/// Splits legend items into lines that fit `width` (an item wider than it gets a line
/// of its own); each line lists item indices.
fn legend_lines(items: &[(Judgement, String)], width: f64) -> Vec<Vec<usize>> {
    let mut lines: Vec<Vec<usize>> = Vec::new();
    let mut used = 0.0;
    for (i, (_, label)) in items.iter().enumerate() {
        let w = legend_item_width(label);
        match lines.last_mut() {
            Some(line) if used + LEGEND_ITEM_GAP_PT + w <= width => {
                line.push(i);
                used += LEGEND_ITEM_GAP_PT + w;
            }
            _ => {
                lines.push(vec![i]);
                used = w;
            }
        }
    }
    lines
}

/// Draws legend `lines` with their tops at `top` (points), each line centred in `width`.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    items: &[(Judgement, String)],
    lines: &[Vec<usize>],
    width: f64,
    top: f64,
) {
    for (n, line) in lines.iter().enumerate() {
        let line_width: f64 = line
            .iter()
            .map(|&i| legend_item_width(&items[i].1))
            .sum::<f64>()
            + LEGEND_ITEM_GAP_PT * (line.len().saturating_sub(1)) as f64;
        let mut x = ((width - line_width) / 2.0).max(0.0);
        let y = top + (n as f64 + 0.5) * LEGEND_LINE_PT;
        for &i in line {
            let (j, label) = &items[i];
            draw_mark(root, x + LEGEND_MARK_PT / 2.0, y, LEGEND_MARK_PT, Some(*j));
            let _ = root.draw(&Text::new(
                label.clone(),
                (px(x + LEGEND_MARK_PT + LEGEND_LABEL_GAP_PT), px(y)),
                text_font(LEGEND_FONT_PT, label).pos(Pos::new(HPos::Left, VPos::Center)),
            ));
            x += legend_item_width(label) + LEGEND_ITEM_GAP_PT;
        }
    }
}

/// The data of a summary plot: for each domain, how many studies got each judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryChart {
    /// Domain names, top to bottom (e.g. the five RoB 2 domains, then "Overall").
    pub domains: Vec<String>,
    /// Per domain (same order), the number of studies at each judgement; zero counts
    /// draw nothing, and a domain with no studies (or no entry) draws an empty bar.
    pub bars: Vec<Vec<(Judgement, usize)>>,
    /// Legend under the axis (see [`legend_svg`]); empty for none.
    pub legend: Vec<(Judgement, String)>,
    /// Width of the whole figure in points.
    pub width_pt: f64,
    /// Title under the 0–100% axis ("Proportion of studies"), in the brief's language.
    pub axis_title: String,
}

/// Label font sizes (largest first choice, smallest after shrinking) and line factor.
const LABEL_FONT_PT: f64 = 7.5;
const MIN_LABEL_FONT_PT: f64 = 6.0;
const LABEL_LINE: f64 = 1.2;
/// Most lines a label wraps to before the font shrinks instead.
const MAX_LABEL_LINES: usize = 3;
/// Share of the width the labels may take, and the gap between labels and bars.
const LABEL_SHARE: f64 = 0.45;
const LABEL_GAP_PT: f64 = 5.0;
/// Bar height, smallest row pitch, and the margin right of the bars (for "100%").
const BAR_PT: f64 = 9.0;
const ROW_MIN_PT: f64 = 13.0;
const RIGHT_PT: f64 = 9.0;
const TOP_PT: f64 = 2.0;
/// Axis label font size.
const AXIS_FONT_PT: f64 = 7.0;

/// Draws the robvis summary plot: one horizontal 100%-stacked bar per domain, segments
/// proportional to the number of studies at each judgement (low on the left, in
/// severity order), each segment wide enough carrying its symbol; domain names on the
/// left (wrapped, and shrunk down to 6 pt if a word is too long, within 45% of the
/// width); an axis "Proportion of studies" from 0 to 100%; the legend underneath.
/// Returns the SVG and its height in points. A domain with no studies draws an empty
/// bar in the not-assessed look (light grey, dashed outline); a chart with no domains
/// draws just the axis and legend.
pub fn summary_bars_svg(chart: &SummaryChart) -> (String, f64) {
    let width = chart.width_pt.max(0.0);
    let (font_pt, labels) = fit_labels(&chart.domains, width * LABEL_SHARE);
    let label_width = labels
        .iter()
        .flatten()
        .map(|l| text_width_pt(l, font_pt))
        .fold(0.0, f64::max)
        .min(width * LABEL_SHARE);
    let x0 = if chart.domains.is_empty() {
        RIGHT_PT
    } else {
        label_width + LABEL_GAP_PT
    };
    let x1 = (width - RIGHT_PT).max(x0);
    let line_pt = font_pt * LABEL_LINE;
    let pitches: Vec<f64> = labels
        .iter()
        .map(|l| (l.len() as f64 * line_pt + 4.0).max(ROW_MIN_PT))
        .collect();
    let rows_bottom = TOP_PT + pitches.iter().sum::<f64>();
    let axis_y = rows_bottom + 2.0;
    let tick_label_y = axis_y + 3.5;
    let title_y = tick_label_y + AXIS_FONT_PT * 1.3;
    let legend_top = title_y + AXIS_FONT_PT * 1.3 + 4.0;
    let legend = legend_lines(&chart.legend, width);
    let height = legend_top + legend.len() as f64 * LEGEND_LINE_PT + 1.0;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, canvas(width, height)).into_drawing_area();
        let mut top = TOP_PT;
        for (d, (lines, pitch)) in labels.iter().zip(&pitches).enumerate() {
            let mid = top + pitch / 2.0;
            let first = mid - (lines.len() as f64 - 1.0) * line_pt / 2.0;
            for (k, line) in lines.iter().enumerate() {
                let _ = root.draw(&Text::new(
                    line.clone(),
                    (px(label_width), px(first + k as f64 * line_pt)),
                    text_font(font_pt, line).pos(Pos::new(HPos::Right, VPos::Center)),
                ));
            }
            let (bar_top, bar_bottom) = (px(mid - BAR_PT / 2.0), px(mid + BAR_PT / 2.0));
            let mut counts: Vec<(Judgement, usize)> = chart
                .bars
                .get(d)
                .map(|b| b.iter().copied().filter(|&(_, n)| n > 0).collect())
                .unwrap_or_default();
            counts.sort_by_key(|&(j, _)| j);
            let total: usize = counts.iter().map(|&(_, n)| n).sum();
            let (bx0, bx1) = (px(x0), px(x1));
            if total == 0 {
                boxed(&root, (bx0, bar_top), (bx1, bar_bottom), None);
            }
            let mut before = 0;
            for (j, n) in counts {
                let at =
                    |k: usize| bx0 + ((bx1 - bx0) as f64 * k as f64 / total as f64).round() as i32;
                let (xa, xb) = (at(before), at(before + n));
                before += n;
                boxed(&root, (xa, bar_top), (xb, bar_bottom), Some(j));
                let segment_pt = f64::from(xb - xa) / UNITS_PER_PT;
                if segment_pt >= BAR_PT {
                    let centre = f64::from(xa + xb) / 2.0 / UNITS_PER_PT;
                    draw_symbol(&root, j, centre, mid, BAR_PT);
                }
            }
            top += pitch;
        }

        // The axis: 0–100% under the bars.
        let black = BLACK.stroke_width(px(0.6) as u32);
        let (ax0, ax1, ay) = (px(x0), px(x1), px(axis_y));
        let _ = root.draw(&PathElement::new(vec![(ax0, ay), (ax1, ay)], black));
        for k in 0..=4 {
            let x = ax0 + ((ax1 - ax0) as f64 * f64::from(k) / 4.0).round() as i32;
            let _ = root.draw(&PathElement::new(vec![(x, ay), (x, ay + px(2.5))], black));
            let _ = root.draw(&Text::new(
                format!("{}%", k * 25),
                (x, px(tick_label_y)),
                text_font(AXIS_FONT_PT, "%").pos(Pos::new(HPos::Center, VPos::Top)),
            ));
        }
        let _ = root.draw(&Text::new(
            chart.axis_title.clone(),
            (px((x0 + x1) / 2.0), px(title_y)),
            text_font(AXIS_FONT_PT, &chart.axis_title).pos(Pos::new(HPos::Center, VPos::Top)),
        ));
        draw_legend(&root, &chart.legend, &legend, width, legend_top);
        let _ = root.present();
    }
    (exact_size(svg, width, height), exact_pt(height))
}

/// A rectangle between two corners (SVG units) filled with `fill` and outlined; `None`
/// draws the not-assessed look instead (light grey, dashed outline), as for a bar with
/// no studies.
fn boxed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    fill: Option<Judgement>,
) {
    let outline = vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
    let stroke = px(0.5).max(1) as u32;
    match fill {
        Some(j) => {
            let _ = root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour(j.fill()).filled(),
            ));
            let _ = root.draw(&PathElement::new(
                outline,
                colour(OUTLINE).stroke_width(stroke),
            ));
        }
        None => {
            let _ = root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour(NOT_ASSESSED_FILL).filled(),
            ));
            let _ = root.draw(&DashedPathElement::new(
                outline,
                px(2.0),
                px(1.5),
                colour(NOT_ASSESSED_OUTLINE).stroke_width(stroke),
            ));
        }
    }
}

/// Chooses a font size and wraps `labels` into lines no wider than `max_width` points:
/// the largest size at which every word fits and no label needs more than
/// [`MAX_LABEL_LINES`] lines, else the smallest size with over-long words broken.
fn fit_labels(labels: &[String], max_width: f64) -> (f64, Vec<Vec<String>>) {
    let mut size = LABEL_FONT_PT;
    loop {
        let wrapped: Option<Vec<Vec<String>>> =
            labels.iter().map(|l| wrap(l, size, max_width)).collect();
        if let Some(w) = wrapped
            && w.iter().all(|l| l.len() <= MAX_LABEL_LINES)
        {
            return (size, w);
        }
        if size <= MIN_LABEL_FONT_PT {
            let broken = labels
                .iter()
                .map(|l| wrap_breaking(l, size, max_width))
                .collect();
            return (size, broken);
        }
        size -= 0.5;
    }
}

/// A conservative estimate of a text's width in points (see
/// [`WidthEstimate::CapitalsWide`]). Used only to keep labels inside the figure.
fn text_width_pt(text: &str, size: f64) -> f64 {
    width_pt(text, size, WidthEstimate::CapitalsWide)
}

/// Greedy word wrap; `None` when a single word is wider than `max_width`.
fn wrap(text: &str, size: f64, max_width: f64) -> Option<Vec<String>> {
    wrap_points(text, size, max_width, WidthEstimate::CapitalsWide)
}

/// Word wrap that splits words too wide for `max_width` at character boundaries.
fn wrap_breaking(text: &str, size: f64, max_width: f64) -> Vec<String> {
    wrap_points_breaking(text, size, max_width, WidthEstimate::CapitalsWide)
}

/// Regular black text at `size` points in the family that can set `text`
/// ([`FONT_FAMILY`], or the CJK family for Chinese).
fn text_font(size: f64, text: &str) -> TextStyle<'static> {
    (font_family(text), size * UNITS_PER_PT * 1.24)
        .into_font()
        .color(&BLACK)
}

/// Parses `#RRGGBB` (black on anything else; all colours here are constants).
fn colour(hex: &str) -> RGBColor {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(byte(1), byte(3), byte(5))
}

/// The plotters canvas for a figure of `width` × `height` points (whole units, ≥ 1).
fn canvas(width: f64, height: f64) -> (u32, u32) {
    let units = |pt: f64| (pt * UNITS_PER_PT).ceil().max(1.0) as u32;
    (units(width), units(height))
}

/// Replaces plotters' integer `<svg>` size with the exact size in units (to 1/1000), so
/// the image's aspect ratio, and hence every row height in the template, is exact.
fn exact_size(svg: String, width: f64, height: f64) -> String {
    let (w, h) = (units(width), units(height));
    match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => format!(
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             xmlns=\"http://www.w3.org/2000/svg\"{}",
            &svg[end..]
        ),
        _ => svg,
    }
}

/// Points to SVG units, rounded to 1/1000 of a unit (as written in the `<svg>` size).
fn units(pt: f64) -> f64 {
    (pt.max(0.0) * UNITS_PER_PT * 1000.0).round() / 1000.0
}

/// A length in points as the `<svg>` size states it (see [`units`]).
fn exact_pt(pt: f64) -> f64 {
    units(pt) / UNITS_PER_PT
}

#[cfg(test)]
#[path = "risk_of_bias_tests.rs"]
mod tests;
