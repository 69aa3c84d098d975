//! Schema of check `and2-upper`: its typed detail.

use serde::{Deserialize, Serialize};

use crate::measure::{ConditionalErrors, FailureRate, LineFit};
use crate::shape::ShapeAnalysis;

/// The fits of n* and p* against m′, the constants per size, and centering's effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// ln n* against ln m′ (none with fewer than two sizes).
    pub fit: Option<LineFit>,
    /// ln p* against ln m′.
    pub param_fit: Option<LineFit>,
    /// δ of the searches.
    pub delta: f64,
    /// One row per size.
    pub constants: Vec<And2Constant>,
    /// n* with centering off, at the sizes where it was measured.
    pub uncentered: Vec<Uncentered>,
    /// Whether the fitted exponent is below ½ (a finite-size effect the report discusses).
    pub local_exponent_below_half: bool,
    /// n* = c·√m′·(log₂ m′)^a, the power law with a size-and-seed bootstrap, local exponents
    /// per octave and by parity of t (absent from results written before they were measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<ShapeAnalysis>,
    /// Per size: n* under planted and under uniform inputs, each validated on fresh samples
    /// (empty in results written before they were measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation: Vec<Validation>,
}

/// n* at one size under both input distributions, with the failure at n* on fresh samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// m′.
    pub m_prime: u64,
    /// Median n* under planted inputs (⌊k/2⌋ instance pairs on).
    pub n_star_planted: f64,
    /// Median n* under uniformly random k-sparse inputs.
    pub n_star_uniform: Option<f64>,
    /// Fresh planted samples at each seed's n*, pooled over seeds.
    pub planted: FailureRate,
    /// Fresh uniform samples at each seed's n*_uniform, pooled over seeds.
    pub uniform: Option<FailureRate>,
    /// Seeds whose fresh planted failure has a Wilson lower end above δ (n* not confirmed).
    pub planted_unconfirmed: u64,
    /// Errors per output on the fresh planted samples, by active endpoints, pooled over seeds.
    pub planted_errors: ConditionalErrors,
    /// The same on the fresh uniform samples.
    pub uniform_errors: Option<ConditionalErrors>,
    /// Seeds at this size.
    pub seeds: u64,
}

/// n* and p* at one size, over its seeds, and their constants against the theory's shapes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct And2Constant {
    /// m′.
    pub m_prime: u64,
    /// Median n* over seeds.
    pub n_star: f64,
    /// Smallest n* over seeds.
    pub n_min: f64,
    /// Largest n* over seeds.
    pub n_max: f64,
    /// n*/(√m′·log₂ m′).
    pub c_upper: f64,
    /// n*/√(m′·log₂ m′).
    pub c_lower: f64,
    /// Median parameters at n*.
    pub p_star: f64,
    /// p*/(m′·log₂² m′).
    pub c_params: f64,
}

/// Centering's effect at one size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Uncentered {
    /// m′.
    pub m_prime: u64,
    /// Median n* with centering off.
    pub n_star_uncentered: f64,
    /// Median n* with centering on, if measured at this size.
    pub n_star_centered: Option<f64>,
    /// Uncentered over centered n*.
    pub ratio: Option<f64>,
}
