//! The measurement types every check's records share: a failure rate, a network's resources,
//! a fitted line. They import nothing, so results and every check's schema can use them.

use serde::{Deserialize, Serialize};

/// A straight-line least-squares fit y = intercept + slope·x with a bootstrap interval on
/// the slope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LineFit {
    /// Fitted slope.
    pub slope: f64,
    /// Fitted intercept.
    pub intercept: f64,
    /// Coefficient of determination of the fit on the point estimates.
    pub r2: f64,
    /// Lower end of the 95 % bootstrap interval of the slope (equals `slope` if no bootstrap).
    pub slope_lo: f64,
    /// Upper end of the 95 % bootstrap interval of the slope.
    pub slope_hi: f64,
}

/// Resources of one built network, counted as SPEC §2 says.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Width of the superposed input representation (n_in).
    pub input_width: usize,
    /// Hidden width (n); for AS-2AND the hidden layer is also the output representation.
    pub hidden_width: usize,
    /// Extra helper neurons (the centering mass neuron), 0 or 1.
    pub extra_neurons: usize,
    /// All neurons: input + hidden + extra.
    pub neurons: usize,
    /// Nonzero weights plus biases.
    pub parameters: u64,
    /// Bits to store every parameter exactly at its group's integer range.
    pub parameter_bits: u64,
    /// Largest integer weight numerator (weights are numerator / `weight_denominator`).
    pub weight_max: u64,
    /// Common denominator of the folded weights (t_in).
    pub weight_denominator: u64,
}

/// A measured failure rate over random samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FailureRate {
    /// Samples evaluated.
    pub samples: u64,
    /// Samples with at least one wrong output.
    pub failures: u64,
    /// failures / samples.
    pub rate: f64,
    /// Lower end of the 95 % Wilson interval.
    pub wilson_lo: f64,
    /// Upper end of the 95 % Wilson interval.
    pub wilson_hi: f64,
}
