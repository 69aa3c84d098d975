//! A small declarative figure description and its renderer to PNG and SVG.
//!
//! Each report figure is built as a [`Figure`] (pure data, easy to test and to skip when the
//! data are degenerate) and drawn by one generic function over any plotters backend, so the
//! PNG and the SVG of a figure are guaranteed to show the same thing.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::chart::SeriesAnno;
use plotters::coord::Shift;
use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::Error;
use crate::format;
use crate::legend;
pub(crate) use crate::spec::{Axis, Figure, Mark, Scale, Series, TickStyle};

/// A figure, or why it was not drawn.
pub(crate) type Built = Result<Figure, String>;

/// Pixel size of every figure.
pub(crate) const SIZE: (u32, u32) = (1000, 700);

/// The font family every text element uses; registered from the bundled DejaVu Sans.
const FAMILY: &str = "sans-serif";
/// Legend font size (plotters units).
const LEGEND_FONT: f64 = 16.0;

/// DejaVu Sans, bundled because CI machines have no system fonts and plotters' `ab_glyph`
/// path never looks for one.
static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Register the bundled font under [`FAMILY`] once per process.
fn ensure_font() -> Result<(), Error> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok { Ok(()) } else { Err(Error::Font) }
}

/// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
];
/// Colour of raw per-seed measurements.
pub(crate) const GREY: RGBColor = RGBColor(110, 110, 110);
/// Colour of the main measured summary (medians).
pub(crate) const INK: RGBColor = RGBColor(20, 20, 20);

/// Write `fig` as `<stem>.png` and `<stem>.svg` into `dir`; returns both paths.
pub(crate) fn save(fig: &Figure, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    ensure_font()?;
    let fig = &drawable(fig);
    let png = dir.join(format!("{}.png", fig.stem));
    let svg = dir.join(format!("{}.svg", fig.stem));
    let plot_err = |path: &Path, message: String| Error::Plot {
        path: path.to_path_buf(),
        message,
    };
    draw(BitMapBackend::new(&png, SIZE).into_drawing_area(), fig).map_err(|m| plot_err(&png, m))?;
    draw(SVGBackend::new(&svg, SIZE).into_drawing_area(), fig).map_err(|m| plot_err(&svg, m))?;
    Ok(vec![png, svg])
}

/// `fig` without the values its axes cannot show (non-finite anywhere, non-positive on a
/// log axis), which would otherwise map to pixel coordinates at infinity.
fn drawable(fig: &Figure) -> Figure {
    let ok = |axis: &Axis, v: f64| v.is_finite() && (axis.scale == Scale::Linear || v > 0.0);
    let mut out = fig.clone();
    for s in &mut out.series {
        s.points.retain(|&(x, y)| ok(&fig.x, x) && ok(&fig.y, y));
        s.error_bars
            .retain(|&(x, lo, hi)| ok(&fig.x, x) && ok(&fig.y, lo) && ok(&fig.y, hi));
    }
    out
}

/// Any drawing error, reduced to its message (backends have unrelated error types).
struct DrawError(String);

impl<E: std::error::Error> From<E> for DrawError {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

/// Draw on one backend and flush it to its file.
fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, fig: &Figure) -> Result<(), String> {
    let run = || -> Result<(), DrawError> {
        root.fill(&WHITE)?;
        let legend_font = (FAMILY, LEGEND_FONT).into_text_style(&root);
        let placement = legend::place(fig, range(fig, true), range(fig, false), |text| {
            root.estimate_text_size(text, &legend_font)
                .map_or(0.0, |(w, _)| f64::from(w))
        });
        let ((x0, x1), (y0, y1)) = (placement.x_range, placement.y_range);
        let legend = placement.position;
        match (fig.x.scale, fig.y.scale) {
            (Scale::Linear, Scale::Linear) => chart(&root, fig, legend.clone(), x0..x1, y0..y1)?,
            (Scale::Log, Scale::Linear) => chart(&root, fig, legend.clone(), log_axis(&fig.x, x0, x1), y0..y1)?,
            (Scale::Linear, Scale::Log) => chart(&root, fig, legend.clone(), x0..x1, log_axis(&fig.y, y0, y1))?,
            (Scale::Log, Scale::Log) => chart(
                &root,
                fig,
                legend.clone(),
                log_axis(&fig.x, x0, x1),
                log_axis(&fig.y, y0, y1),
            )?,
        }
        root.present()?;
        Ok(())
    };
    run().map_err(|e| e.0)
}

/// A log coordinate with explicit tick positions (plotters' own log ticks crowd or vanish
/// on ranges of a few octaves).
fn log_axis(axis: &Axis, lo: f64, hi: f64) -> WithKeyPoints<LogCoord<f64>> {
    (lo..hi).log_scale().with_key_points(log_ticks(lo, hi, axis.ticks))
}

/// Tick values inside [lo, hi] for a log axis: powers of two or 1–2–5 decades, thinned to
/// at most about ten; falls back to evenly spaced values on very short ranges.
pub(crate) fn log_ticks(lo: f64, hi: f64, style: TickStyle) -> Vec<f64> {
    let inside = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let mut ticks: Vec<f64> = match style {
        TickStyle::PowersOfTwo => {
            let (a, b) = (lo.log2().ceil() as i32, hi.log2().floor() as i32);
            (a..=b).map(|e| f64::from(e).exp2()).collect()
        }
        TickStyle::Decimal => {
            let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
            let decades: Vec<f64> = (a..=b).map(|e| 10f64.powi(e)).collect();
            let all: Vec<f64> = decades
                .iter()
                .flat_map(|d| [*d, 2.0 * d, 5.0 * d])
                .filter(inside)
                .collect();
            if all.len() > 10 {
                decades.into_iter().filter(inside).collect()
            } else {
                all
            }
        }
    };
    let step = ticks.len().div_ceil(10).max(1);
    if step > 1 {
        ticks = ticks.into_iter().step_by(step).collect();
    }
    if ticks.len() < 2 {
        // Very short range: five evenly spaced (in log) values, rounded to 2 significant digits.
        ticks = (0..5)
            .map(|i| {
                let v = (lo.ln() + (hi / lo).ln() * (f64::from(i) + 0.5) / 5.0).exp();
                let unit = 10f64.powf(v.log10().floor() - 1.0);
                (v / unit).round() * unit
            })
            .collect();
        ticks.dedup();
    }
    ticks
}

/// Data range of one axis with a margin (5 % of the span, or of the log span).
fn range(fig: &Figure, horizontal: bool) -> (f64, f64) {
    let axis = if horizontal { &fig.x } else { &fig.y };
    if let Some(r) = axis.range {
        return r;
    }
    let log = axis.scale == Scale::Log;
    let mut values: Vec<f64> = Vec::new();
    for s in &fig.series {
        for &(x, y) in &s.points {
            values.push(if horizontal { x } else { y });
        }
        for &(x, lo, hi) in &s.error_bars {
            if horizontal {
                values.push(x);
            } else {
                values.extend([lo, hi]);
            }
        }
    }
    values.retain(|v| v.is_finite() && (!log || *v > 0.0));
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match (log, lo.is_finite() && hi.is_finite()) {
        (_, false) => (if log { 1.0 } else { 0.0 }, if log { 10.0 } else { 1.0 }),
        (true, true) => {
            let pad = if hi > lo { (hi / lo).powf(0.05) } else { 2.0 };
            (lo / pad, hi * pad)
        }
        (false, true) => {
            let pad = if hi > lo {
                0.05 * (hi - lo)
            } else {
                0.5 * lo.abs().max(1.0)
            };
            (lo - pad, hi + pad)
        }
    }
}

/// Tick label of one axis.
fn label_of(axis: &Axis, v: f64) -> String {
    match (axis.scale, axis.ticks) {
        (Scale::Log, TickStyle::PowersOfTwo) => format::pow2(v),
        (Scale::Log, TickStyle::Decimal) => format::tick(v),
        (Scale::Linear, _) => format::num((v * 1e6).round() / 1e6),
    }
}

/// Draw the chart on coordinates `x` × `y`.
fn chart<DB, X, Y>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    legend: SeriesLabelPosition,
    x: X,
    y: Y,
) -> Result<(), DrawError>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(&fig.title, (FAMILY, 26))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)?;
    let x_fmt = |v: &f64| label_of(&fig.x, *v);
    let y_fmt = |v: &f64| label_of(&fig.y, *v);
    chart
        .configure_mesh()
        .x_desc(fig.x.label.as_str())
        .y_desc(fig.y.label.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(10)
        .y_labels(10)
        .label_style((FAMILY, 17))
        .axis_desc_style((FAMILY, 20))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;

    // Curves (fits, theory shapes, thresholds) first, so measurements stay visible on top.
    let is_curve = |s: &&Series| matches!(s.mark, Mark::Line | Mark::Dashed);
    for s in fig
        .series
        .iter()
        .filter(is_curve)
        .chain(fig.series.iter().filter(|s| !is_curve(s)))
    {
        draw_series(&mut chart, s)?;
    }
    let labelled = fig.series.iter().any(|s| s.label.is_some());
    if labelled {
        chart
            .configure_series_labels()
            .position(legend)
            .margin(12)
            .label_font((FAMILY, LEGEND_FONT))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(160, 160, 160))
            .draw()?;
    }
    Ok(())
}

/// Draw one series (and its error bars) and register its legend entry.
fn draw_series<'a, DB, X, Y>(chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>, s: &Series) -> Result<(), DrawError>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let color = s.color;
    let bar = color.mix(0.8).stroke_width(2);
    for &(x, lo, hi) in &s.error_bars {
        chart.draw_series(std::iter::once(PathElement::new(vec![(x, lo), (x, hi)], bar)))?;
        for end in [lo, hi] {
            let cap = EmptyElement::at((x, end)) + PathElement::new(vec![(-5, 0), (5, 0)], bar);
            chart.draw_series(std::iter::once(cap))?;
        }
    }
    let pts = s.points.clone();
    let anno = match s.mark {
        Mark::Dots => chart.draw_series(pts.into_iter().map(move |p| Circle::new(p, 4, color.stroke_width(2))))?,
        Mark::Filled => chart.draw_series(pts.into_iter().map(move |p| Circle::new(p, 4, color.mix(0.8).filled())))?,
        Mark::LineDots => {
            chart.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))?;
            chart.draw_series(pts.into_iter().map(move |p| Circle::new(p, 5, color.filled())))?
        }
        Mark::Line => chart.draw_series(LineSeries::new(pts, color.stroke_width(3)))?,
        Mark::Dashed => chart.draw_series(DashedLineSeries::new(pts, 10, 7, color.stroke_width(3)))?,
    };
    if let Some(label) = &s.label {
        legend_icon(anno.label(label.as_str()), s.mark, color);
    }
    Ok(())
}

/// Register the small sample drawn next to a legend entry ((0, 0) is the sample's left
/// end; each arm returns its own element type, hence the separate `legend` calls).
fn legend_icon<'a, DB: DrawingBackend + 'a>(anno: &mut SeriesAnno<'a, DB>, mark: Mark, color: RGBColor) {
    let line = move |w: u32, from: i32, to: i32| PathElement::new(vec![(from, 0), (to, 0)], color.stroke_width(w));
    match mark {
        Mark::Dots => anno.legend(move |p| EmptyElement::at(p) + Circle::new((10, 0), 4, color.stroke_width(2))),
        Mark::Filled => anno.legend(move |p| EmptyElement::at(p) + Circle::new((10, 0), 4, color.filled())),
        Mark::LineDots => {
            anno.legend(move |p| EmptyElement::at(p) + line(2, 0, 20) + Circle::new((10, 0), 5, color.filled()))
        }
        Mark::Line => anno.legend(move |p| EmptyElement::at(p) + line(3, 0, 20)),
        Mark::Dashed => anno.legend(move |p| EmptyElement::at(p) + line(3, 0, 7) + line(3, 13, 20)),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_short_and_long_ranges() {
        let t = log_ticks(200.0, 70_000.0, TickStyle::PowersOfTwo);
        assert_eq!(t.first().copied(), Some(256.0));
        assert_eq!(t.last().copied(), Some(65_536.0));
        let t = log_ticks(100.0, 130.0, TickStyle::Decimal);
        assert!(t.len() >= 2 && t.iter().all(|v| (100.0..=130.0).contains(v)), "{t:?}");
        let t = log_ticks(10.0, 1e9, TickStyle::Decimal);
        assert!(t.len() <= 10, "{t:?}");
    }
}
