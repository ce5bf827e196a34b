//! The bubble plot of a meta-regression: each study's effect (y, analysis scale; ratios on
//! a log axis labelled naturally) against the covariate (x), as a circle whose area is
//! proportional to its weight in the model, 1/(vᵢ + τ²), with the fitted line β₀ + β₁x
//! (metafor `regplot`). Greyscale: open circles, a black line, a grey line of no effect.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::axis::{Axis, Scale};
use super::{UNITS_PER_PT, font_family, px};
use crate::format::fixed;

/// What a bubble plot shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bubbles {
    /// Log axis for ratios, linear for differences (the y axis).
    pub scale: Scale,
    /// `(x, effect, weight)` of each study.
    pub points: Vec<(f64, f64, f64)>,
    /// Intercept and slope of the fitted line (analysis scale).
    pub beta: [f64; 2],
}

/// Size of the figure in points.
pub const WIDTH_PT: f64 = 300.0;
/// Height of the figure in points.
pub const HEIGHT_PT: f64 = 190.0;
const LEFT_PT: f64 = 34.0;
const RIGHT_PT: f64 = 10.0;
const TOP_PT: f64 = 14.0;
const BOTTOM_PT: f64 = 32.0;
const FONT_PT: f64 = 7.0;

/// Round ticks covering `lo..hi` (four to eight of them), with their decimals.
fn x_ticks(lo: f64, hi: f64) -> (Vec<f64>, usize) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let raw = (hi - lo) / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let start = (lo / step).floor() * step;
    let n = ((hi - start) / step - 1e-9).ceil() as usize;
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    ((0..=n).map(|i| start + i as f64 * step).collect(), decimals)
}

/// Draws the bubble plot with `x_label` under the x axis and `y_label` above the y axis;
/// returns the SVG text.
pub fn render_bubbles(b: &Bubbles, x_label: &str, y_label: &str) -> String {
    let xs: Vec<f64> = b.points.iter().map(|p| p.0).collect();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // A margin so that no bubble sits on the frame.
    let pad = 0.04 * (hi - lo).max(1e-9);
    let (ticks, decimals) = x_ticks(lo - pad, hi + pad);
    let (x_min, x_max) = (ticks[0], *ticks.last().unwrap_or(&hi));
    let line = |x: f64| b.beta[0] + b.beta[1] * x;
    let core: Vec<f64> = b
        .points
        .iter()
        .map(|p| p.1)
        .chain([line(x_min), line(x_max)])
        .collect();
    let axis = Axis::choose(b.scale, &core, &[]);
    let plot_w = WIDTH_PT - LEFT_PT - RIGHT_PT;
    let plot_h = HEIGHT_PT - TOP_PT - BOTTOM_PT;
    let x_of = |x: f64| px(LEFT_PT + ((x - x_min) / (x_max - x_min)).clamp(0.0, 1.0) * plot_w);
    let y_of = |y: f64| px(TOP_PT + (1.0 - axis.fraction(y).clamp(0.0, 1.0)) * plot_h);
    let mut svg = String::new();
    {
        let size = (px(WIDTH_PT) as u32, px(HEIGHT_PT) as u32);
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let black = BLACK.stroke_width(px(0.6) as u32);
        let grey = RGBColor(130, 130, 130).stroke_width(px(0.5) as u32);
        let (x0, x1) = (px(LEFT_PT), px(LEFT_PT + plot_w));
        let (y0, y1) = (px(TOP_PT), px(TOP_PT + plot_h));
        let _ = root.draw(&PathElement::new(
            vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
            black,
        ));
        let yn = y_of(axis.null);
        let _ = root.draw(&PathElement::new(vec![(x0, yn), (x1, yn)], grey));
        // Bubbles: area proportional to weight, the heaviest 5 pt across.
        let heaviest = b.points.iter().map(|p| p.2).fold(0.0, f64::max);
        for &(x, y, w) in &b.points {
            let r = if heaviest > 0.0 {
                5.0 * (w / heaviest).sqrt()
            } else {
                2.0
            };
            let c = (x_of(x), y_of(y));
            let _ = root.draw(&Circle::new(
                c,
                px(r.max(1.0)),
                RGBColor(200, 200, 200).filled(),
            ));
            let _ = root.draw(&Circle::new(c, px(r.max(1.0)), black));
        }
        let _ = root.draw(&PathElement::new(
            vec![
                (x_of(x_min), y_of(line(x_min))),
                (x_of(x_max), y_of(line(x_max))),
            ],
            BLACK.stroke_width(px(0.9) as u32),
        ));
        let size = FONT_PT * UNITS_PER_PT * 1.24;
        let font = |t: &str| (font_family(t), size).into_font().color(&BLACK);
        for x in &ticks {
            let label = fixed(*x, decimals);
            let xp = x_of(*x);
            let _ = root.draw(&PathElement::new(vec![(xp, y1), (xp, y1 + px(2.5))], black));
            let _ = root.draw(&Text::new(
                label.clone(),
                (xp, y1 + px(3.5)),
                font(&label).pos(Pos::new(HPos::Center, VPos::Top)),
            ));
        }
        for (v, label) in &axis.ticks {
            let yp = y_of(*v);
            let _ = root.draw(&PathElement::new(vec![(x0 - px(2.5), yp), (x0, yp)], black));
            let _ = root.draw(&Text::new(
                label.clone(),
                (x0 - px(3.5), yp),
                font(label).pos(Pos::new(HPos::Right, VPos::Center)),
            ));
        }
        let _ = root.draw(&Text::new(
            x_label.to_owned(),
            (px(LEFT_PT + plot_w / 2.0), y1 + px(FONT_PT * 1.6 + 3.5)),
            font(x_label).pos(Pos::new(HPos::Center, VPos::Top)),
        ));
        let _ = root.draw(&Text::new(
            y_label.to_owned(),
            (x0, px(TOP_PT - 3.0)),
            font(y_label).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ));
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_get_round_ticks_without_zero() {
        let (t, d) = x_ticks(1995.0, 2006.0);
        assert_eq!(d, 0);
        assert!(t[0] <= 1995.0 && *t.last().unwrap() >= 2006.0);
        assert!(t.iter().all(|x| *x > 1900.0));
        let (t, d) = x_ticks(0.5, 2.0);
        assert_eq!((t[0], d), (0.5, 1));
    }

    #[test]
    fn one_circle_per_study_and_a_line() {
        let b = Bubbles {
            scale: Scale::Log,
            points: (0..10)
                .map(|i| {
                    (
                        1995.0 + f64::from(i),
                        0.1 * f64::from(i) - 0.4,
                        1.0 + f64::from(i),
                    )
                })
                .collect(),
            beta: [-200.0, 0.1],
        };
        let svg = render_bubbles(&b, "Publication year", "Risk ratio");
        assert_eq!(svg.matches("<circle").count(), 20);
        assert!(svg.contains("Publication year") && !svg.contains("NaN"));
    }
}
