//! Declarative figure descriptions: what a plot shows (axes, series, marks), not how it is
//! drawn. [`crate::plot`] draws them and [`crate::legend`] places their legends.

use plotters::style::RGBColor;

/// Linear or logarithmic axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic; ticks chosen by [`TickStyle`].
    Log,
}

/// How ticks of a log axis are placed and labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TickStyle {
    /// Powers of two labelled `2ᵏ` (sizes m′).
    PowersOfTwo,
    /// 1–2–5 decades labelled as plain numbers (widths, parameters).
    Decimal,
}

/// One axis.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    /// Description with units.
    pub label: String,
    /// Linear or log.
    pub scale: Scale,
    /// Tick placement on a log axis.
    pub ticks: TickStyle,
    /// Fixed range; `None` means from the data with a margin.
    pub range: Option<(f64, f64)>,
}

impl Axis {
    /// A linear axis fitted to the data.
    pub fn linear(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Linear,
            ticks: TickStyle::Decimal,
            range: None,
        }
    }

    /// A log axis fitted to the data.
    pub fn log(label: impl Into<String>, ticks: TickStyle) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Log,
            ticks,
            range: None,
        }
    }

    /// The same axis with a fixed range.
    pub fn with_range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mark {
    /// Open circles (raw measurements).
    Dots,
    /// Filled circles, no line (measurements of another kind beside open circles).
    Filled,
    /// Filled circles joined by a line (summaries such as medians).
    LineDots,
    /// A solid line (fits).
    Line,
    /// A dashed line (theory shapes and thresholds).
    Dashed,
}

/// One series: points plus optional vertical error bars (x, lo, hi).
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Legend entry; `None` keeps the series out of the legend.
    pub label: Option<String>,
    /// Colour.
    pub color: RGBColor,
    /// Drawing style.
    pub mark: Mark,
    /// Data points (x, y).
    pub points: Vec<(f64, f64)>,
    /// Error bars (x, lo, hi) in data coordinates.
    pub error_bars: Vec<(f64, f64, f64)>,
}

impl Series {
    /// A series without error bars.
    pub fn new(label: Option<String>, color: RGBColor, mark: Mark, points: Vec<(f64, f64)>) -> Self {
        Self {
            label,
            color,
            mark,
            points,
            error_bars: Vec::new(),
        }
    }
}

/// A complete figure.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// File stem: `and2-width` gives `and2-width.png` and `and2-width.svg`.
    pub stem: &'static str,
    /// Title drawn above the plot.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Series: curves (`Line`, `Dashed`) are drawn first, then measurements, each group in
    /// order; the legend follows the drawing order.
    pub series: Vec<Series>,
}
