//! Schema of check `description-length`: its typed detail.

use serde::{Deserialize, Serialize};

/// Description sizes at n* against log₂ #instances, and the explicit bounds at large sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// One point per size whose n* was measured.
    pub points: Vec<DescriptionPoint>,
    /// Sizes at which either description is below log₂ #instances.
    pub below_minimum: u64,
    /// Slope of the parameters × bits factor against log₂ m′ (none with fewer than two sizes).
    pub slope_factor_parameter_bits: Option<f64>,
    /// Slope of the entropy-coded factor against log₂ m′ (none with fewer than two sizes).
    pub slope_factor_entropy: Option<f64>,
    /// The lower bounds at m′ = m = 2¹⁰, 2¹⁶, 2²⁰.
    pub explicit_bounds: Vec<ExplicitBound>,
}

/// The descriptions of the seed-0 network at n* of one size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DescriptionPoint {
    /// m′.
    pub m_prime: usize,
    /// Hidden width (n*).
    pub hidden_width: usize,
    /// Parameters.
    pub parameters: u64,
    /// Parameters × bits.
    pub parameter_bits: u64,
    /// Entropy-coded size, bits.
    pub entropy_bits: f64,
    /// Empirical entropy per weight numerator, bits.
    pub weight_entropy: f64,
    /// log₂ C(C(m,2), m′).
    pub log2_instances: f64,
    /// Parameters × bits over log₂ #instances.
    pub factor_parameter_bits: f64,
    /// Entropy-coded bits over log₂ #instances.
    pub factor_entropy: f64,
    /// Parameter bits per parameter.
    pub bits_per_parameter: f64,
}

/// The counting bounds at one size m′ = m.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplicitBound {
    /// m′.
    pub m_prime: u64,
    /// m.
    pub m: u64,
    /// log₂ C(C(m,2), m′).
    pub log2_instances: f64,
    /// log₂ m′!, the number of permutation instances.
    pub log2_permutations: f64,
    /// The parameter and neuron bounds at 1, 4 and 8 bits per parameter.
    pub bounds: Vec<BitsBound>,
    /// m·log₂ m.
    pub shape_m_log_m: f64,
    /// √(m′·log₂ m′), T2's lower-bound shape.
    pub shape_sqrt_m_log_m: f64,
}

/// The lower bounds at one number of bits per parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BitsBound {
    /// Bits per parameter.
    pub bits_per_parameter: f64,
    /// Parameters at least needed.
    pub parameters: f64,
    /// Neurons at least needed.
    pub neurons: f64,
}
