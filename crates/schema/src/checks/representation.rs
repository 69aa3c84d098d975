//! Schema of check `representation`: its typed detail.

use serde::{Deserialize, Serialize};

use crate::measure::LineFit;

/// The code a representation search builds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepresentationCode {
    /// Construction R: random t-subsets at the optimal t, decoded as a Bloom filter.
    #[default]
    Bloom,
    /// The negative control: feature i ↦ neuron i mod d (t = 1), one-hot codes folded modulo
    /// the width, whose d* grows like m.
    FoldedOneHot,
}

/// d* against the Bloom estimate per size, and the fit of d* against log₂ m.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// Median d* over the seeds against the Bloom estimate 1.44·k·log₂(m/δ), per size: the
    /// criterion's figures (absent in results written before the Bloom criterion).
    #[serde(default)]
    pub bloom: Vec<BloomPoint>,
    /// [lo, hi]: the band d*/Bloom must stay within at every size (absent in results written
    /// before the Bloom criterion).
    #[serde(default)]
    pub bloom_band: Option<[f64; 2]>,
    /// The code searched: the Bloom code, or the control's folded one-hot code (absent in
    /// results written before controls: the Bloom code).
    #[serde(default)]
    pub code: RepresentationCode,
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

/// d* against the Bloom estimate at one size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BloomPoint {
    /// m.
    pub m: u64,
    /// Median d* over the seeds.
    pub d_star: f64,
    /// The Bloom estimate k·log₂(m/δ)/ln 2 ≈ 1.44·k·log₂(m/δ).
    pub bloom: f64,
    /// d*/Bloom.
    pub ratio: f64,
}
