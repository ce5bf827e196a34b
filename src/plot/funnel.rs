//! The contour-enhanced funnel plot: each study's effect (x, analysis scale, ratios on a
//! log axis labelled naturally) against its standard error (y, 0 at the top), over shaded
//! regions where a study's own two-sided p would lie between 0.10 and 0.05 and between 0.05
//! and 0.01 (Peters et al. 2008, J Clin Epidemiol 61:991–996; metafor
//! `funnel(res, level = c(90, 95, 99), shade = …, refline = 0)`). The pooled estimate is a
//! vertical line with its pseudo 95% confidence limits (estimate ± 1.96 SE) as a funnel;
//! studies imputed by trim-and-fill are open circles. Greyscale only: shapes and shades,
//! never colour, carry the meaning, as in the forest plots.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::axis::{Axis, Scale};
use super::{UNITS_PER_PT, font_family, px};
use crate::format::fixed;

/// Normal quantiles of the contours: two-sided p = 0.10, 0.05 and 0.01.
const Z_10: f64 = 1.644_853_626_951_472;
const Z_05: f64 = 1.959_963_984_540_054;
const Z_01: f64 = 2.575_829_303_548_901;

/// Shade of the region 0.10 > p > 0.05.
const SHADE_10: RGBColor = RGBColor(150, 150, 150);
/// Shade of the region 0.05 > p > 0.01.
const SHADE_05: RGBColor = RGBColor(205, 205, 205);

/// What a funnel plot shows, on the analysis scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    /// Log axis for ratios, linear for differences.
    pub scale: Scale,
    /// `(effect, standard error)` of each study.
    pub studies: Vec<(f64, f64)>,
    /// `(effect, standard error)` of each study imputed by trim-and-fill.
    pub filled: Vec<(f64, f64)>,
    /// The pooled estimate the funnel is centred on.
    pub estimate: f64,
}

/// Words drawn inside the figure, in the brief's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelText {
    /// Under the x axis ("Risk ratio (log scale)").
    pub x_label: String,
    /// Above the y axis ("Standard error").
    pub y_label: String,
    /// Legend of the two shades: p between 0.10 and 0.05, between 0.05 and 0.01.
    pub legend: [String; 2],
    /// Legend entry of the open circles (studies imputed by trim-and-fill).
    pub filled: String,
}

/// Size of the figure in points.
pub const WIDTH_PT: f64 = 300.0;
/// Height of the figure in points.
pub const HEIGHT_PT: f64 = 210.0;
const LEFT_PT: f64 = 30.0;
const RIGHT_PT: f64 = 10.0;
const TOP_PT: f64 = 14.0;
const BOTTOM_PT: f64 = 46.0;
const FONT_PT: f64 = 7.0;

/// The axis of standard errors: 0 to a round value above the largest, with its ticks.
fn se_ticks(max_se: f64) -> (f64, Vec<f64>) {
    let max_se = if max_se > 0.0 { max_se } else { 1.0 };
    let raw = max_se / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let top = (max_se / step).ceil() * step;
    let n = (top / step).round() as usize;
    (top, (0..=n).map(|i| i as f64 * step).collect())
}

/// Decimals a tick step needs ("0.25" → 2).
fn step_decimals(ticks: &[f64]) -> usize {
    let step = ticks.get(1).copied().unwrap_or(1.0);
    (0..=4)
        .find(|d| {
            ((step * 10f64.powi(*d as i32)).round() - step * 10f64.powi(*d as i32)).abs() < 1e-9
        })
        .unwrap_or(4)
}

/// Draws the funnel plot; returns the SVG text (drawn at [`UNITS_PER_PT`] units per point).
pub fn render_funnel(f: &Funnel, text: &FunnelText) -> String {
    let max_se = f
        .studies
        .iter()
        .chain(&f.filled)
        .map(|(_, s)| *s)
        .fold(0.0, f64::max);
    let (se_top, se_ticks) = se_ticks(max_se);
    let core: Vec<f64> = f
        .studies
        .iter()
        .chain(&f.filled)
        .map(|(y, _)| *y)
        .chain([f.estimate])
        .collect();
    let extent = [
        f.estimate - Z_05 * se_top,
        f.estimate + Z_05 * se_top,
        -Z_01 * se_top,
        Z_01 * se_top,
    ];
    let axis = Axis::choose(f.scale, &core, &extent);
    let size = (px(WIDTH_PT) as u32, px(HEIGHT_PT) as u32);
    let plot_w = WIDTH_PT - LEFT_PT - RIGHT_PT;
    let plot_h = HEIGHT_PT - TOP_PT - BOTTOM_PT;
    let x_of = |v: f64| px(LEFT_PT + axis.fraction(v).clamp(0.0, 1.0) * plot_w);
    let y_of = |se: f64| px(TOP_PT + (se / se_top).clamp(0.0, 1.0) * plot_h);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let thin = BLACK.stroke_width(px(0.5) as u32);
        let black = BLACK.stroke_width(px(0.6) as u32);
        // Contours centred on no effect: the outer shade first, then the inner regions
        // over it, each clipped to the plot area.
        let region = |z: f64| -> Vec<(i32, i32)> {
            let mut ses: Vec<f64> = (0..=40).map(|i| se_top * f64::from(i) / 40.0).collect();
            for edge in [axis.min, axis.max] {
                let s = edge.abs() / z;
                if s < se_top {
                    ses.push(s);
                }
            }
            ses.sort_by(f64::total_cmp);
            let right = ses.iter().map(|s| (x_of((z * s).min(axis.max)), y_of(*s)));
            let left: Vec<(i32, i32)> = ses
                .iter()
                .rev()
                .map(|s| (x_of((-z * s).max(axis.min)), y_of(*s)))
                .collect();
            right.chain(left).collect()
        };
        let _ = root.draw(&Polygon::new(region(Z_01), SHADE_05.filled()));
        let _ = root.draw(&Polygon::new(region(Z_05), SHADE_10.filled()));
        let _ = root.draw(&Polygon::new(region(Z_10), WHITE.filled()));
        // Frame.
        let (x0, x1) = (px(LEFT_PT), px(LEFT_PT + plot_w));
        let (y0, y1) = (px(TOP_PT), px(TOP_PT + plot_h));
        let _ = root.draw(&PathElement::new(
            vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
            black,
        ));
        // The pooled estimate and its pseudo-confidence funnel.
        let xe = x_of(f.estimate);
        let _ = root.draw(&PathElement::new(vec![(xe, y0), (xe, y1)], black));
        for side in [-1.0, 1.0] {
            let pts: Vec<(i32, i32)> = (0..=40)
                .map(|i| se_top * f64::from(i) / 40.0)
                .filter(|s| {
                    let x = f.estimate + side * Z_05 * s;
                    (axis.min..=axis.max).contains(&x)
                })
                .map(|s| (x_of(f.estimate + side * Z_05 * s), y_of(s)))
                .collect();
            let _ = root.draw(&PathElement::new(pts, thin));
        }
        // Studies: filled circles; imputed ones open.
        let r = px(1.9);
        for &(y, se) in &f.studies {
            let _ = root.draw(&Circle::new((x_of(y), y_of(se)), r, BLACK.filled()));
        }
        for &(y, se) in &f.filled {
            let c = (x_of(y), y_of(se));
            let _ = root.draw(&Circle::new(c, r, WHITE.filled()));
            let _ = root.draw(&Circle::new(c, r, black));
        }
        // Axes.
        let size = FONT_PT * UNITS_PER_PT * 1.24;
        let font = |t: &str| (font_family(t), size).into_font().color(&BLACK);
        for (v, label) in &axis.ticks {
            let x = x_of(*v);
            let _ = root.draw(&PathElement::new(vec![(x, y1), (x, y1 + px(2.5))], black));
            let _ = root.draw(&Text::new(
                label.clone(),
                (x, y1 + px(3.5)),
                font(label).pos(Pos::new(HPos::Center, VPos::Top)),
            ));
        }
        let decimals = step_decimals(&se_ticks);
        for s in &se_ticks {
            let y = y_of(*s);
            let label = fixed(*s, decimals);
            let _ = root.draw(&PathElement::new(vec![(x0 - px(2.5), y), (x0, y)], black));
            let _ = root.draw(&Text::new(
                label.clone(),
                (x0 - px(3.5), y),
                font(&label).pos(Pos::new(HPos::Right, VPos::Center)),
            ));
        }
        let _ = root.draw(&Text::new(
            text.x_label.clone(),
            (px(LEFT_PT + plot_w / 2.0), y1 + px(FONT_PT * 1.6 + 3.5)),
            font(&text.x_label).pos(Pos::new(HPos::Center, VPos::Top)),
        ));
        let _ = root.draw(&Text::new(
            text.y_label.clone(),
            (x0, px(TOP_PT - 3.0)),
            font(&text.y_label).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ));
        // Legend: two shade swatches and, with imputed studies, an open circle.
        let ly = y1 + px(FONT_PT * 3.4 + 4.0);
        let mut lx = x0;
        let swatch = px(FONT_PT);
        let mut entries: Vec<(&str, Option<RGBColor>)> = vec![
            (&text.legend[0], Some(SHADE_10)),
            (&text.legend[1], Some(SHADE_05)),
        ];
        if !f.filled.is_empty() {
            entries.push((&text.filled, None));
        }
        for (label, shade) in entries {
            match shade {
                Some(c) => {
                    let _ = root.draw(&Rectangle::new(
                        [(lx, ly), (lx + swatch, ly + swatch)],
                        c.filled(),
                    ));
                    let _ = root.draw(&Rectangle::new(
                        [(lx, ly), (lx + swatch, ly + swatch)],
                        thin,
                    ));
                }
                None => {
                    let c = (lx + swatch / 2, ly + swatch / 2);
                    let _ = root.draw(&Circle::new(c, r, black));
                }
            }
            let _ = root.draw(&Text::new(
                label.to_owned(),
                (lx + swatch + px(3.0), ly + swatch / 2),
                font(label).pos(Pos::new(HPos::Left, VPos::Center)),
            ));
            let w = crate::text::width_pt(label, FONT_PT, crate::text::WidthEstimate::Generous);
            lx += swatch + px(3.0 + w + 10.0);
        }
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> FunnelText {
        FunnelText {
            x_label: "Risk ratio (log scale)".into(),
            y_label: "Standard error".into(),
            legend: ["0.10 > p > 0.05".into(), "0.05 > p > 0.01".into()],
            filled: "imputed study".into(),
        }
    }

    #[test]
    fn standard_error_ticks_are_round_and_cover_the_largest() {
        assert_eq!(se_ticks(0.93).1, [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(step_decimals(&se_ticks(0.93).1), 2);
        let (top, ticks) = se_ticks(3.1);
        assert!(top >= 3.1 && ticks.len() <= 6);
    }

    #[test]
    fn draws_one_filled_circle_per_study_and_open_circles_for_imputed_ones() {
        let f = Funnel {
            scale: Scale::Log,
            studies: (1..=10)
                .map(|i| (0.1 * f64::from(i) - 0.3, 0.05 * f64::from(i)))
                .collect(),
            filled: vec![(-0.6, 0.4), (-0.7, 0.45)],
            estimate: 0.1,
        };
        let svg = render_funnel(&f, &text());
        assert_eq!(svg.matches("<circle").count(), 10 + 2 * 2 + 1, "{svg}");
        assert!(svg.contains("Standard error") && svg.contains("imputed study"));
        assert!(!svg.contains("NaN"));
        // Same input, same bytes.
        assert_eq!(svg, render_funnel(&f, &text()));
    }
}
