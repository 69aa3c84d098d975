//! Where to put a figure's legend so that it hides no data.
//!
//! The legend box is estimated in pixels from the real font metrics, converted to the
//! plot's unit square, and tried at the corners and edge midpoints; the first spot that
//! covers no data point and no line wins. If every spot covers something, the x axis is
//! stretched to the right so the legend gets an empty strip of its own; when the legend is
//! too wide for that (it would leave the data less than 40 % of the width), the y axis is
//! stretched upwards instead, so the legend gets an empty band along the top.

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
    /// Possibly heightened y range.
    pub y_range: (f64, f64),
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
            y_range: y,
        };
    }
    // No free spot: keep the data in the left part of a wider x axis or, for a wide legend,
    // in the lower part of a taller y axis.
    let keep = 1.0 - w - 2.0 * mx;
    let (x_range, y_range) = if keep > 0.4 {
        ((x.0, stretch(fig.x.scale, x, 1.0 / keep)), y)
    } else {
        (x, (y.0, stretch(fig.y.scale, y, 1.0 / (1.0 - h - 2.0 * my))))
    };
    Placement {
        position: SeriesLabelPosition::UpperRight,
        x_range,
        y_range,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Axis, Series, TickStyle};
    use plotters::style::RGBColor;

    /// A log-log figure whose dashed diagonal and dotted anti-diagonal leave no corner or edge
    /// midpoint free, with one label of `label_px` pixels (the width function below).
    fn crowded(label_px: f64) -> (Figure, impl Fn(&str) -> f64) {
        let grid: Vec<f64> = (0..=16).map(|i| 2f64.powi(8 + i)).collect();
        let line = |f: &dyn Fn(f64) -> f64| grid.iter().map(|&x| (x, f(x))).collect::<Vec<_>>();
        let fig = Figure {
            stem: "test",
            title: String::new(),
            x: Axis::log("x", TickStyle::PowersOfTwo),
            y: Axis::log("y", TickStyle::Decimal),
            series: vec![
                Series::new(Some("long".into()), RGBColor(0, 0, 0), Mark::Dashed, line(&|x| x)),
                Series::new(None, RGBColor(0, 0, 0), Mark::Dashed, line(&|x| 2f64.powi(32) / x)),
                Series::new(None, RGBColor(0, 0, 0), Mark::Dashed, line(&|_| 2f64.powi(16))),
                Series::new(
                    None,
                    RGBColor(0, 0, 0),
                    Mark::Dashed,
                    vec![(2f64.powi(16), 256.0), (2f64.powi(16), 2f64.powi(24))],
                ),
            ],
        };
        (fig, move |_: &str| label_px)
    }

    /// The legend box of `p` in the unit square of its ranges covers none of `fig`'s samples.
    fn free(fig: &Figure, p: &Placement, label_px: f64) -> bool {
        let w = (label_px + ICON) / AREA.0;
        let h = (ENTRY + MARGIN) / AREA.1;
        let (mx, my) = (MARGIN / AREA.0, MARGIN / AREA.1);
        let (left, bottom) = (1.0 - w - mx, 1.0 - h - my);
        samples(fig, p.x_range, p.y_range)
            .iter()
            .all(|&(px, py)| !(px >= left && py >= bottom))
    }

    /// A narrow legend with no free spot gets a wider x axis; a wide one (which would leave the
    /// data under 40 % of the width) a taller y axis; either way the box covers no data. Before
    /// the y fallback existed the wide legend was drawn over the data, which this test catches.
    #[test]
    fn a_legend_with_no_free_spot_gets_an_empty_strip() {
        let (x, y) = ((256.0, 2f64.powi(24)), (256.0, 2f64.powi(24)));
        for label_px in [100.0, 600.0] {
            let (fig, width) = crowded(label_px);
            let p = place(&fig, x, y, width);
            assert!(free(&fig, &p, label_px), "label {label_px} px: the legend covers data");
            if label_px < 300.0 {
                assert!(p.x_range.1 > x.1 && p.y_range == y, "narrow: x stretched");
            } else {
                assert!(p.y_range.1 > y.1 && p.x_range == x, "wide: y stretched");
            }
        }
    }
}
