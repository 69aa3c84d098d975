//! Schema of check `representation`: its typed detail.

use serde::{Deserialize, Serialize};

use crate::measure::LineFit;

/// The fit of d* against log₂ m and the flatness of d*/log₂ m.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// d* = intercept + slope·log₂ m, with its bootstrap interval (none with one size).
    pub fit: Option<LineFit>,
    /// Smallest d*/log₂ m over the sizes.
    pub ratio_min: f64,
    /// Largest d*/log₂ m over the sizes.
    pub ratio_max: f64,
    /// d*/log₂ m at the first size.
    pub ratio_first: f64,
    /// d*/log₂ m at the last size.
    pub ratio_last: f64,
    /// δ of the searches.
    pub delta: f64,
    /// k, active features per sample.
    pub k: usize,
    /// The Gaussian (JL) code's d* beside the Bloom code's, per size measured.
    pub gaussian: Vec<GaussianRow>,
}

/// The dense-code comparison at one size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaussianRow {
    /// m.
    pub m: u64,
    /// d* of the Gaussian code.
    pub d_star_gaussian: usize,
    /// Median d* of the Bloom code at the same m, if measured.
    pub d_star_bloom: Option<f64>,
    /// Gaussian d* / Bloom d*.
    pub ratio: Option<f64>,
}
