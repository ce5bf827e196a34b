//! The graphical column of a forest plot: one SVG per panel, with one band per table row
//! (squares sized by weight, whiskers, diamonds, prediction intervals), the line of no
//! effect through all of them, and the axis with its "favours" labels underneath.
//!
//! The text columns beside it (study, arm data, weight, effect and CI) are typeset by the
//! template in rows of exactly the heights used here, so text is real text: searchable,
//! with citations and the document's fonts. Conventions follow metafor's `forest.rma` and
//! RevMan: square area proportional to weight, a diamond spanning the CI of a pooled
//! estimate, a bar for the prediction interval, arrows where a CI leaves the axis.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::axis::Axis;
use super::{UNITS_PER_PT, font_family, px};
use crate::text::{WidthEstimate, width_pt};

/// What a row of the forest draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mark {
    /// Nothing (headings, text rows, not-estimable studies).
    Blank,
    /// One study: square at the estimate, whisker over its CI.
    Study {
        /// Estimate (analysis scale).
        estimate: f64,
        /// Lower CI limit.
        lower: f64,
        /// Upper CI limit.
        upper: f64,
        /// Weight in percent; `None` draws a small fixed-size square (not pooled).
        weight: Option<f64>,
    },
    /// A pooled estimate: diamond over its CI.
    Diamond {
        /// Estimate (analysis scale).
        estimate: f64,
        /// Lower CI limit.
        lower: f64,
        /// Upper CI limit.
        upper: f64,
        /// How it is filled.
        style: DiamondStyle,
    },
    /// Many studies in one band (the summary layout of a large brief): a caterpillar plot,
    /// one thin line per study over its CI with a dot at its estimate, stacked from the
    /// smallest estimate at the top to the largest at the bottom.
    Band {
        /// `[estimate, lower, upper]` per study (analysis scale), sorted by estimate.
        intervals: Vec<[f64; 3]>,
    },
    /// A prediction interval: a bar with end ticks.
    Prediction {
        /// Lower limit (analysis scale).
        lower: f64,
        /// Upper limit.
        upper: f64,
    },
}

/// Fill of a diamond; shapes differ in fill and outline, never in colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiamondStyle {
    /// Overall result of the outcome's model: solid black.
    Overall,
    /// Subgroup total: mid grey with a black outline.
    Subtotal,
    /// Common-effect result beside a random-effects one: white with a black outline.
    Common,
}

/// One row of a panel: how many text lines tall it is and what it draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlotRow {
    /// Height in text lines.
    pub lines: u32,
    /// The mark.
    pub mark: Mark,
}

/// Sizes of a panel, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Geometry {
    /// Width of the graphical column.
    pub width: f64,
    /// Height of one text line of the table.
    pub line_height: f64,
    /// Height of the axis band (ticks, labels, favours labels).
    pub axis_height: f64,
    /// Font size of the axis labels.
    pub font_size: f64,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry {
            width: 130.0,
            line_height: 11.0,
            axis_height: 36.0,
            font_size: 7.0,
        }
    }
}

/// Labels under the axis, left and right of the line of no effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Favours {
    /// Text for the left side, one line per `\n` ("Favours\nUC-MSC").
    pub left: String,
    /// Text for the right side ("Favours\ncontrol").
    pub right: String,
}

/// Horizontal margin kept free at both ends of the axis so end labels are not cut.
const SIDE_PT: f64 = 8.0;
/// Largest and smallest square side, in points.
const MAX_SQUARE_PT: f64 = 6.5;
const MIN_SQUARE_PT: f64 = 2.2;

/// Draws one panel. `max_weight` is the largest weight in the whole figure, so squares
/// keep one scale across panels. Returns the SVG text.
pub fn render_panel(
    axis: &Axis,
    rows: &[PlotRow],
    favours: Option<&Favours>,
    max_weight: f64,
    g: &Geometry,
) -> String {
    let rows_height: f64 = rows
        .iter()
        .map(|r| f64::from(r.lines) * g.line_height)
        .sum();
    let height = rows_height + g.axis_height;
    let size = (px(g.width) as u32, px(height).max(1) as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let x_of = |v: f64| {
            let f = axis.fraction(v).clamp(0.0, 1.0);
            px(SIDE_PT + f * (g.width - 2.0 * SIDE_PT))
        };
        let inside = |v: f64| (0.0..=1.0).contains(&axis.fraction(v));
        let black = BLACK.stroke_width(px(0.6) as u32);
        let grey = RGBColor(110, 110, 110);

        // Line of no effect, through every row.
        let xn = x_of(axis.null);
        let _ = root.draw(&PathElement::new(
            vec![(xn, 0), (xn, px(rows_height))],
            grey.stroke_width(px(0.5) as u32),
        ));

        let mut top = 0.0;
        for row in rows {
            let h = f64::from(row.lines) * g.line_height;
            let mid = px(top + h / 2.0);
            match row.mark {
                Mark::Blank => {}
                Mark::Band { ref intervals } => {
                    draw_band(&root, intervals, top, h, &x_of);
                }
                Mark::Study {
                    estimate,
                    lower,
                    upper,
                    weight,
                } => {
                    let (x0, x1) = (x_of(lower), x_of(upper));
                    let _ = root.draw(&PathElement::new(vec![(x0, mid), (x1, mid)], black));
                    if !inside(lower) {
                        arrow(&root, x0, mid, -1);
                    }
                    if !inside(upper) {
                        arrow(&root, x1, mid, 1);
                    }
                    if inside(estimate) {
                        let side = match weight {
                            Some(w) if max_weight > 0.0 => {
                                MIN_SQUARE_PT
                                    + (MAX_SQUARE_PT - MIN_SQUARE_PT)
                                        * (w.max(0.0) / max_weight).sqrt()
                            }
                            _ => MIN_SQUARE_PT + 1.0,
                        };
                        let half = px(side / 2.0);
                        let x = x_of(estimate);
                        let _ = root.draw(&Rectangle::new(
                            [(x - half, mid - half), (x + half, mid + half)],
                            BLACK.filled(),
                        ));
                    }
                }
                Mark::Diamond {
                    estimate,
                    lower,
                    upper,
                    style,
                } => {
                    let half = px((h / 2.0 - 2.0).clamp(2.0, 4.0));
                    let pts = vec![
                        (x_of(lower), mid),
                        (x_of(estimate), mid - half),
                        (x_of(upper), mid),
                        (x_of(estimate), mid + half),
                    ];
                    let fill = match style {
                        DiamondStyle::Overall => BLACK.filled(),
                        DiamondStyle::Subtotal => RGBColor(150, 150, 150).filled(),
                        DiamondStyle::Common => WHITE.filled(),
                    };
                    let _ = root.draw(&Polygon::new(pts.clone(), fill));
                    let mut outline = pts;
                    outline.push(outline[0]);
                    let _ = root.draw(&PathElement::new(outline, black));
                    if !inside(lower) {
                        arrow(&root, x_of(lower), mid, -1);
                    }
                    if !inside(upper) {
                        arrow(&root, x_of(upper), mid, 1);
                    }
                }
                Mark::Prediction { lower, upper } => {
                    let (x0, x1) = (x_of(lower), x_of(upper));
                    let bar = px(1.6);
                    let _ = root.draw(&Rectangle::new(
                        [(x0, mid - bar / 2), (x1, mid + bar / 2)],
                        BLACK.filled(),
                    ));
                    for (x, v, dir) in [(x0, lower, -1), (x1, upper, 1)] {
                        if inside(v) {
                            let tick = px(2.5);
                            let _ = root.draw(&PathElement::new(
                                vec![(x, mid - tick), (x, mid + tick)],
                                black,
                            ));
                        } else {
                            arrow(&root, x, mid, dir);
                        }
                    }
                }
            }
            top += h;
        }

        // The axis.
        let y = px(rows_height) + px(1.0);
        let _ = root.draw(&PathElement::new(
            vec![(x_of(axis.min), y), (x_of(axis.max), y)],
            black,
        ));
        let size = g.font_size * UNITS_PER_PT * 1.24;
        let font = |text: &str| (font_family(text), size).into_font().color(&BLACK);
        for (v, label) in &axis.ticks {
            let x = x_of(*v);
            let _ = root.draw(&PathElement::new(vec![(x, y), (x, y + px(2.5))], black));
            let _ = root.draw(&Text::new(
                label.clone(),
                (x, y + px(3.5)),
                font(label).pos(Pos::new(HPos::Center, VPos::Top)),
            ));
        }
        if let Some(f) = favours {
            // Usually two lines each ("Favours" / the arm), beside the line of no effect when
            // there is room, else held inside the plot's edges.
            let fy = y + px(3.5 + g.font_size * 1.3);
            let line = px(g.font_size * 1.15);
            let gap = px(2.5);
            let right_edge = px(g.width);
            for (text, left_side) in [(&f.left, true), (&f.right, false)] {
                let lines = favours_lines(text);
                let width = lines
                    .iter()
                    .map(|l| width_pt(l, g.font_size, WidthEstimate::Generous))
                    .fold(0.0, f64::max);
                let w = px(width);
                let (x, anchor) = if left_side {
                    if xn - gap - w >= 0 {
                        (xn - gap, HPos::Right)
                    } else {
                        (0, HPos::Left)
                    }
                } else if xn + gap + w <= right_edge {
                    (xn + gap, HPos::Left)
                } else {
                    (right_edge, HPos::Right)
                };
                for (i, l) in lines.iter().enumerate() {
                    let _ = root.draw(&Text::new(
                        l.clone(),
                        (x, fy + i as i32 * line),
                        font(l).pos(Pos::new(anchor, VPos::Top)),
                    ));
                }
            }
        }
        let _ = root.present();
    }
    svg
}

/// Room left free above and below a band's first and last study, in points.
const BAND_PAD_PT: f64 = 2.0;

/// Draws a band's studies between `top` and `top + height` (points): each CI a hairline,
/// each estimate a short black tick, so the estimates read as one curve however many
/// studies there are. Lines of studies closer than a grid unit share a row.
fn draw_band<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    intervals: &[[f64; 3]],
    top: f64,
    height: f64,
    x_of: &dyn Fn(f64) -> i32,
) {
    let n = intervals.len();
    if n == 0 {
        return;
    }
    let inner = (height - 2.0 * BAND_PAD_PT).max(0.0);
    let step = inner / n as f64;
    let line = RGBColor(120, 120, 120).stroke_width(1);
    // A tick at least half a point tall, at most as tall as a study's share of the band.
    let half_tick = px((step / 2.0).clamp(0.25, 1.5)).max(1);
    let half_width = px(0.6).max(1);
    for (i, [estimate, lower, upper]) in intervals.iter().enumerate() {
        let y = px(top + BAND_PAD_PT + (i as f64 + 0.5) * step);
        let _ = root.draw(&PathElement::new(
            vec![(x_of(*lower), y), (x_of(*upper), y)],
            line,
        ));
        let x = x_of(*estimate);
        let _ = root.draw(&Rectangle::new(
            [
                (x - half_width, y - half_tick),
                (x + half_width, y + half_tick),
            ],
            BLACK.filled(),
        ));
    }
}

/// A favours label's lines: "Favours\nUC-MSC" is "Favours" over "UC-MSC".
fn favours_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

/// An arrowhead at `(x, y)` pointing left (`dir` = −1) or right (+1).
fn arrow<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    x: i32,
    y: i32,
    dir: i32,
) {
    let (len, half) = (px(3.0), px(1.8));
    let _ = root.draw(&Polygon::new(
        vec![(x, y), (x - dir * len, y - half), (x - dir * len, y + half)],
        BLACK.filled(),
    ));
}

/// The largest weight among the rows, for one square scale across panels.
pub fn max_weight<'a>(rows: impl IntoIterator<Item = &'a PlotRow>) -> f64 {
    rows.into_iter()
        .filter_map(|r| match r.mark {
            Mark::Study {
                weight: Some(w), ..
            } => Some(w),
            _ => None,
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::super::axis::Scale;
    use super::*;

    fn study(e: f64, l: f64, u: f64, w: f64) -> PlotRow {
        PlotRow {
            lines: 1,
            mark: Mark::Study {
                estimate: e,
                lower: l,
                upper: u,
                weight: Some(w),
            },
        }
    }

    #[test]
    fn panel_height_follows_rows_and_axis() {
        let axis = Axis::choose(Scale::Linear, &[-1.0, 1.0], &[]);
        let rows = vec![
            study(0.2, -0.5, 0.9, 60.0),
            PlotRow {
                lines: 2,
                mark: Mark::Blank,
            },
        ];
        let g = Geometry::default();
        let svg = render_panel(&axis, &rows, None, 60.0, &g);
        let h = px(3.0 * g.line_height + g.axis_height);
        assert!(svg.contains(&format!("height=\"{h}\"")), "{svg}");
        assert!(svg.contains(&format!("font-family=\"{}\"", super::super::FONT_FAMILY)));
    }

    #[test]
    fn clipped_intervals_get_arrows() {
        let axis = Axis::choose(Scale::Linear, &[-1.0, 1.0], &[]);
        let g = Geometry::default();
        let count = |svg: &str| svg.matches("<polygon").count();
        let inside = render_panel(&axis, &[study(0.0, -0.5, 0.5, 50.0)], None, 50.0, &g);
        let clipped = render_panel(&axis, &[study(0.0, -90.0, 90.0, 50.0)], None, 50.0, &g);
        assert_eq!(count(&clipped), count(&inside) + 2);
    }

    #[test]
    fn heavier_studies_get_bigger_squares() {
        let axis = Axis::choose(Scale::Linear, &[-1.0, 1.0], &[]);
        let g = Geometry::default();
        let side = |w: f64| {
            let svg = render_panel(&axis, &[study(0.0, -0.5, 0.5, w)], None, 80.0, &g);
            let rect = svg
                .split("<rect")
                .filter(|r| r.contains("fill=\"#000000\""))
                .last()
                .unwrap()
                .to_owned();
            let width: String = rect
                .split("width=\"")
                .nth(1)
                .unwrap()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            width.parse::<i32>().unwrap()
        };
        assert!(side(80.0) > side(20.0));
        assert!(side(20.0) > side(1.0));
    }
}
