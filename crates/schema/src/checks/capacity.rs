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
    /// Whether log₂ #instances ≤ parameter bits (C1's criterion).
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
