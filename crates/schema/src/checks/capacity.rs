//! Schema of check `capacity`: its typed detail.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::measure::LineFit;

/// m′_max per width and seed, and the fits of m′_max against n.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// One point per (width, seed), in run order.
    pub points: Vec<CapacityPoint>,
    /// Least-squares c of median m′_max ≈ c·n²/log₂ n (none without a width passing).
    pub c_upper_shape: Option<f64>,
    /// RMS of the log-residuals of that fit.
    pub rms_upper_shape: Option<f64>,
    /// Least-squares c of median m′_max ≈ c·n²/log₂² n (none without a width passing).
    pub c_lower_shape: Option<f64>,
    /// RMS of the log-residuals of that fit.
    pub rms_lower_shape: Option<f64>,
    /// ln m′_max against ln n (none with fewer than two widths passing).
    pub fit: Option<LineFit>,
    /// δ of the searches.
    pub delta: f64,
    /// The shape with the smaller RMS log-residual.
    pub better_shape: CapacityShape,
    /// Widths (over seeds) at which no m′ passed.
    pub widths_without_capacity: u64,
    /// The criterion's band for the fitted exponent (see [`exponent_band`]); none in results
    /// written before the criterion judged the shape, or without two widths passing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponent_band: Option<[f64; 2]>,
    /// Whether the fitted exponent's 95 % interval lies within [`Detail::exponent_band`]
    /// (the verdict); none in results written before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponent_in_band: Option<bool>,
    /// Local exponents of median m′_max between consecutive widths, reported beside the fit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_exponents: Vec<LocalExponent>,
    /// Widths (over seeds) whose class at m′_max exceeds the network's own parameter bits
    /// (C1's counting capacity): an invariant, reported; 0 in a correct run, none in results
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counting_violations: Option<u64>,
}

/// The finite-size margin allowed on either side of the shapes' secant exponents.
pub const EXPONENT_MARGIN: f64 = 0.2;

/// The criterion's band for the exponent of m′_max in n fitted over widths [lo, hi]:
/// [e₂ − 0.2, e₁ + 0.2], e_a the secant exponent of n²/log^a n over [lo, hi]
/// ([`crate::theory::capacity_shape_exponent`]): T3's shape n²/log² n and C1's n²/log n,
/// each with a finite-size margin of [`EXPONENT_MARGIN`].
pub fn exponent_band(lo: f64, hi: f64) -> [f64; 2] {
    [
        crate::theory::capacity_shape_exponent(2.0, lo, hi) - EXPONENT_MARGIN,
        crate::theory::capacity_shape_exponent(1.0, lo, hi) + EXPONENT_MARGIN,
    ]
}

/// The exponent of median m′_max between two consecutive widths.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocalExponent {
    /// The smaller width.
    pub from_width: usize,
    /// The larger width.
    pub to_width: usize,
    /// ln(m′_max(to)/m′_max(from)) / ln(to/from), over the medians across seeds.
    pub exponent: f64,
}

/// One capacity search: one width, one seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CapacityPoint {
    /// Hidden width n (= input width).
    pub hidden_width: usize,
    /// Seed index.
    pub seed: u64,
    /// Largest m′ passing at failure ≤ δ (0 if none did).
    pub m_prime_max: u64,
    /// Smallest m′ found to fail above it (0 if none measured).
    pub m_prime_failing: u64,
    /// log₂ C(C(m′,2), m′) at m′_max (0 below m′ = 3).
    pub log2_instances: f64,
    /// Parameter bits of the network at m′_max (none if no m′ passed).
    pub parameter_bits: Option<u64>,
    /// Counting capacity of those parameter bits (0 if no m′ passed).
    pub counting_capacity: u64,
    /// Whether log₂ #instances ≤ parameter bits (C1's counting capacity respected; an
    /// invariant, reported).
    pub fits: bool,
    /// m′_max/(n²/log₂² n).
    pub c_lower_shape: f64,
    /// m′_max/(n²/log₂ n).
    pub c_upper_shape: f64,
}

/// A capacity shape, as the detail names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CapacityShape {
    /// n²/log₂² n: the shape T3's construction achieves.
    #[serde(rename = "n^2/log2^2 n")]
    LowerShape,
    /// n²/log₂ n: C1's upper-bound shape.
    #[serde(rename = "n^2/log2 n")]
    UpperShape,
}

impl CapacityShape {
    /// The shape as the detail spells it (`n^2/log2^2 n`).
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityShape::LowerShape => "n^2/log2^2 n",
            CapacityShape::UpperShape => "n^2/log2 n",
        }
    }
}

impl fmt::Display for CapacityShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
