//! Where to put a figure's legend so that it hides no data.
//!
//! The legend box is estimated in pixels from the real font metrics, converted to the
//! plot's unit square, and tried at the corners and edge midpoints; the first spot that
//! covers no data point and no line wins. If every spot covers something, the x axis is
//! stretched to the right so the legend gets an empty strip of its own.

use plotters::prelude::SeriesLabelPosition;

use crate::spec::{Figure, Mark, Scale};

/// Estimated plotting-area size in pixels (figure minus margins, label areas and caption).
const AREA: (f64, f64) = (880.0, 565.0);
/// Gap between the legend and the plot border, pixels (plotters' legend margin).
const MARGIN: f64 = 12.0;
/// Height of one legend entry, pixels (measured on the 16 px legend font).
const ENTRY: f64 = 22.5;
/// Room for the sample icon and padding left and right of the labels, pixels.
const ICON: f64 = 50.0;

/// The chosen legend position, and the x range to use (stretched if needed).
pub(crate) struct Placement {
    /// Position handed to plotters.
    pub position: SeriesLabelPosition,
    /// Possibly widened x range.
    pub x_range: (f64, f64),
}

/// Candidate spots, in order of preference, with the box's (x, y) anchor in the unit
/// square: 0 = left/bottom, ½ = middle, 1 = right/top.
const SPOTS: [(SeriesLabelPosition, f64, f64); 8] = [
    (SeriesLabelPosition::UpperLeft, 0.0, 1.0),
    (SeriesLabelPosition::UpperRight, 1.0, 1.0),
    (SeriesLabelPosition::LowerRight, 1.0, 0.0),
    (SeriesLabelPosition::LowerLeft, 0.0, 0.0),
    (SeriesLabelPosition::UpperMiddle, 0.5, 1.0),
    (SeriesLabelPosition::MiddleRight, 1.0, 0.5),
    (SeriesLabelPosition::MiddleLeft, 0.0, 0.5),
    (SeriesLabelPosition::LowerMiddle, 0.5, 0.0),
];

/// Choose the legend spot for `fig` drawn on ranges `x` × `y`; `text_width` measures a
/// label in pixels.
pub(crate) fn place(fig: &Figure, x: (f64, f64), y: (f64, f64), text_width: impl Fn(&str) -> f64) -> Placement {
    let labels: Vec<&str> = fig.series.iter().filter_map(|s| s.label.as_deref()).collect();
    let widest = labels.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let w = (widest + ICON) / AREA.0;
    let h = (labels.len() as f64 * ENTRY + MARGIN) / AREA.1;
    let (mx, my) = (MARGIN / AREA.0, MARGIN / AREA.1);
    let samples = samples(fig, x, y);
    let covered = |ax: f64, ay: f64| {
        let left = mx + ax * (1.0 - w - 2.0 * mx);
        let bottom = my + ay * (1.0 - h - 2.0 * my);
        samples
            .iter()
            .any(|&(px, py)| px >= left && px <= left + w && py >= bottom && py <= bottom + h)
    };
    if let Some((position, _, _)) = SPOTS.iter().find(|(_, ax, ay)| !covered(*ax, *ay)) {
        return Placement {
            position: position.clone(),
            x_range: x,
        };
    }
    // No free spot: keep the data in the left part of a wider x axis.
    let keep = 1.0 - w - 2.0 * mx;
    let x_range = if keep > 0.4 {
        (x.0, stretch(fig.x.scale, x, 1.0 / keep))
    } else {
        x
    };
    Placement {
        position: SeriesLabelPosition::UpperRight,
        x_range,
    }
}

/// The upper end that makes the span of `x` `factor` times longer (in log for log axes).
fn stretch(scale: Scale, x: (f64, f64), factor: f64) -> f64 {
    match scale {
        Scale::Linear => x.0 + (x.1 - x.0) * factor,
        Scale::Log => x.0 * (x.1 / x.0).powf(factor),
    }
}

/// Position of `v` in [0, 1] along an axis.
fn unit(scale: Scale, range: (f64, f64), v: f64) -> f64 {
    match scale {
        Scale::Linear => (v - range.0) / (range.1 - range.0),
        Scale::Log => (v / range.0).ln() / (range.1 / range.0).ln(),
    }
}

/// Every data point, error-bar end and (densely sampled) line of `fig`, in the unit square.
fn samples(fig: &Figure, x: (f64, f64), y: (f64, f64)) -> Vec<(f64, f64)> {
    let to_unit = |p: (f64, f64)| (unit(fig.x.scale, x, p.0), unit(fig.y.scale, y, p.1));
    let mut out = Vec::new();
    for s in &fig.series {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|&p| to_unit(p)).collect();
        out.extend(&pts);
        for &(bx, lo, hi) in &s.error_bars {
            for i in 0..=8 {
                out.push(to_unit((bx, lo + (hi - lo) * f64::from(i) / 8.0)));
            }
        }
        if !matches!(s.mark, Mark::Dots | Mark::Filled) {
            for seg in pts.windows(2) {
                for i in 1..40 {
                    let t = f64::from(i) / 40.0;
                    out.push((
                        seg[0].0 + t * (seg[1].0 - seg[0].0),
                        seg[0].1 + t * (seg[1].1 - seg[0].1),
                    ));
                }
            }
        }
    }
    out.retain(|p| p.0.is_finite() && p.1.is_finite());
    out
}
