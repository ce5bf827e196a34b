//! The horizontal effect axis of a forest plot: its scale, range and tick labels.
//!
//! Ratio measures are drawn on a log axis labelled on the natural scale (0.1 0.5 1 2 10),
//! as metafor's `forest(..., atransf = exp)` and RevMan do; differences on a linear axis.
//! The range covers the point estimates, the pooled intervals and the line of no effect;
//! confidence limits far outside that are clipped and drawn with arrows instead of
//! squeezing every other row into a sliver.

use serde::Serialize;

use crate::format::fixed;

/// How effect values map onto the axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scale {
    /// Values are logs of ratios; ticks are labelled with `exp(value)`.
    Log,
    /// Values are differences, labelled as they are.
    Linear,
}

/// A chosen axis: range and ticks on the analysis scale (log for ratios).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// The scale.
    pub scale: Scale,
    /// Left end (analysis scale).
    pub min: f64,
    /// Right end (analysis scale).
    pub max: f64,
    /// Position of no effect (0 on the analysis scale for both kinds).
    pub null: f64,
    /// Tick positions (analysis scale) with their labels (natural scale, true minus sign).
    pub ticks: Vec<(f64, String)>,
}

/// Natural-scale ratio ticks a reader knows: 1-2-5 steps from 0.001 to 1000.
const RATIO_TICKS: [f64; 19] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
    200.0, 500.0, 1000.0,
];

impl Axis {
    /// Chooses the axis for a figure.
    ///
    /// `core` are the values that must be visible (point estimates, pooled intervals);
    /// `extent` are values that should be visible when they are not far out (study
    /// confidence limits). Far means beyond the core's width on either side.
    pub fn choose(scale: Scale, core: &[f64], extent: &[f64]) -> Axis {
        let finite = |v: &[f64]| {
            v.iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect::<Vec<_>>()
        };
        let core = finite(core);
        let extent = finite(extent);
        let mut lo = core.iter().copied().fold(0.0_f64, f64::min);
        let mut hi = core.iter().copied().fold(0.0_f64, f64::max);
        let min_width = match scale {
            Scale::Log => 2.0_f64.ln(),
            Scale::Linear => 1e-9,
        };
        let width = (hi - lo).max(min_width);
        // Room on both sides of no effect, so both "favours" sides are visible.
        lo = lo.min(-0.2 * width);
        hi = hi.max(0.2 * width);
        let (far_lo, far_hi) = (lo - width, hi + width);
        for x in extent {
            lo = lo.min(x.max(far_lo));
            hi = hi.max(x.min(far_hi));
        }
        if hi - lo < min_width {
            lo -= min_width / 2.0;
            hi += min_width / 2.0;
        }
        match scale {
            Scale::Log => Self::log_axis(lo, hi),
            Scale::Linear => Self::linear_axis(lo, hi),
        }
    }

    fn log_axis(lo: f64, hi: f64) -> Axis {
        // 1-2-5 ticks when at most seven fit, else powers of ten only.
        let dense: Vec<f64> = RATIO_TICKS.to_vec();
        let decades: Vec<f64> = RATIO_TICKS
            .iter()
            .copied()
            .filter(|t| (t.log10().round() - t.log10()).abs() < 1e-9)
            .collect();
        let span = |set: &[f64]| {
            let eps = 1e-9;
            let first = set.iter().rposition(|t| t.ln() <= lo + eps).unwrap_or(0);
            let last = set
                .iter()
                .position(|t| t.ln() >= hi - eps)
                .unwrap_or(set.len() - 1);
            set[first..=last].to_vec()
        };
        let mut ticks = span(&dense);
        if ticks.len() > 7 {
            ticks = span(&decades);
        }
        Axis {
            scale: Scale::Log,
            min: ticks[0].ln(),
            max: ticks[ticks.len() - 1].ln(),
            null: 0.0,
            ticks: ticks.iter().map(|t| (t.ln(), ratio_label(*t))).collect(),
        }
    }

    fn linear_axis(lo: f64, hi: f64) -> Axis {
        let raw = (hi - lo) / 4.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| (hi - lo) / s <= 5.0)
            .unwrap_or(10.0 * magnitude);
        let start = (lo / step).floor() * step;
        let end = (hi / step).ceil() * step;
        let decimals =
            (-step.log10().floor()).max(0.0) as usize + usize::from(step / magnitude == 2.5);
        let n = ((end - start) / step).round() as i64;
        let ticks = (0..=n)
            .map(|i| {
                let v = start + i as f64 * step;
                (v, fixed(v, decimals))
            })
            .collect();
        Axis {
            scale: Scale::Linear,
            min: start,
            max: end,
            null: 0.0,
            ticks,
        }
    }

    /// Where `x` (analysis scale) falls between the ends, 0 at `min` and 1 at `max`;
    /// values outside the range give fractions outside 0..1.
    pub fn fraction(&self, x: f64) -> f64 {
        (x - self.min) / (self.max - self.min)
    }
}

/// A natural-scale ratio tick label: "0.1", "0.5", "1", "10".
fn ratio_label(x: f64) -> String {
    if x >= 1.0 {
        format!("{x:.0}")
    } else {
        let decimals = (-x.log10()).ceil() as usize;
        fixed(x, decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(a: &Axis) -> Vec<&str> {
        a.ticks.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn ratio_axis_is_labelled_on_the_natural_scale() {
        let a = Axis::choose(Scale::Log, &[2.15f64.ln()], &[1.16f64.ln(), 4.0f64.ln()]);
        // Room is kept left of no effect so both "favours" labels fit.
        assert_eq!(labels(&a), ["0.5", "1", "2", "5"]);
        assert_eq!(a.null, 0.0);
        let wide = Axis::choose(
            Scale::Log,
            &[0.3f64.ln(), 3.0f64.ln()],
            &[0.08f64.ln(), 9.0f64.ln()],
        );
        assert_eq!(labels(&wide), ["0.01", "0.1", "1", "10"]);
        let very_wide = Axis::choose(Scale::Log, &[0.02f64.ln(), 30.0f64.ln()], &[]);
        assert_eq!(labels(&very_wide), ["0.01", "0.1", "1", "10", "100"]);
    }

    #[test]
    fn far_confidence_limits_are_clipped_not_squeezed() {
        let a = Axis::choose(
            Scale::Log,
            &[0.5f64.ln(), 2.0f64.ln()],
            &[1e-6f64.ln(), 1e6f64.ln()],
        );
        assert!(a.min > 0.001f64.ln() - 1e-9 && a.max < 1000f64.ln() + 1e-9);
        assert!(a.fraction(1e-6f64.ln()) < 0.0 && a.fraction(1e6f64.ln()) > 1.0);
    }

    #[test]
    fn linear_axis_has_round_ticks_and_includes_zero() {
        let a = Axis::choose(Scale::Linear, &[-1.3, -0.4], &[-2.6, 0.7]);
        assert!(a.min <= -2.6 && a.max >= 0.7);
        assert!(labels(&a).contains(&"0"));
        assert_eq!(labels(&a)[0], "\u{2212}3");
        let b = Axis::choose(Scale::Linear, &[12.0, 30.0], &[5.0, 41.0]);
        assert_eq!(
            labels(&b),
            ["\u{2212}10", "0", "10", "20", "30", "40", "50"]
        );
    }
}
