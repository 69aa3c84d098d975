//! Schema of check `permutation`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{FailureRate, Resources};

/// Lower end of the exponent criterion (see the module documentation).
pub const EXPONENT_LO: f64 = 0.30;
/// Upper end of the exponent criterion.
pub const EXPONENT_HI: f64 = 0.65;

/// Sizes of check `permutation` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PermutationConfig {
    /// log₂ m′ measured (m = m′).
    pub sizes: Vec<u32>,
    /// Permutations (seeds) per size.
    pub seeds: u64,
    /// Samples per failure measurement.
    pub samples: u64,
    /// log₂ m′ of the ε-error measurement with a real sparse M.
    pub real_size: u32,
    /// Nonzeros per row of the real M.
    pub real_nonzeros: usize,
    /// Widths of the ε-error measurement, as multiples of the permutation's median n* at
    /// that size (or of 4·√(m′ log₂ m′) when that size was not searched).
    pub real_factors: Vec<f64>,
    /// Samples of the ε-error measurement.
    pub real_samples: u64,
}

impl Default for PermutationConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl PermutationConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let quick = Self {
            sizes: (8..=12).collect(),
            seeds: 3,
            samples: 200,
            real_size: 10,
            real_nonzeros: 3,
            real_factors: vec![1.0, 2.0, 4.0],
            real_samples: 50,
        };
        match scale {
            Scale::Quick => quick,
            // 2¹⁶ took 169 s of wall time (n* ≈ 7700: a 240 MB dense fold per probe) on the shared
            // machine, over the 45 s budget; the full scale goes to 2¹⁸.
            Scale::Standard => Self {
                sizes: (8..=15).collect(),
                seeds: 5,
                samples: 400,
                real_samples: 100,
                ..quick
            },
            Scale::Full => Self {
                sizes: (8..=18).collect(),
                seeds: 5,
                samples: 1000,
                real_samples: 200,
                ..quick
            },
        }
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.len() < 2 || self.sizes.iter().any(|&s| !(4..=20).contains(&s)) {
            return Err(invalid(
                "permutation sizes",
                format!("{:?}", self.sizes),
                "need at least two log₂ sizes, each in 4..=20",
            ));
        }
        if self.seeds == 0 || self.samples == 0 || self.real_samples == 0 {
            return Err(invalid(
                "permutation seeds/samples",
                format!("{} / {} / {}", self.seeds, self.samples, self.real_samples),
                "must be positive",
            ));
        }
        if !(4..=14).contains(&self.real_size)
            || self.real_nonzeros == 0
            || self.real_factors.is_empty()
            || self.real_factors.iter().any(|f| !(f.is_finite() && *f > 0.0))
        {
            return Err(invalid(
                "permutation real map",
                format!(
                    "2^{}, {} nonzeros, factors {:?}",
                    self.real_size, self.real_nonzeros, self.real_factors
                ),
                "need log₂ m′ in 4..=14, at least one nonzero per row and positive width factors",
            ));
        }
        Ok(())
    }
}

/// One measurement of check `permutation` (tagged `"measure"` inside the record's `"kind"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum PermutationRecord {
    /// Failure of AS-PERM on a permutation at one width (a probe of the search).
    Probe {
        /// m′ = m.
        m_prime: u64,
        /// Seed of the permutation.
        seed: u64,
        /// Hidden width n (= input width n_in).
        hidden_width: usize,
        /// Measured per-sample failure.
        failure: FailureRate,
    },
    /// Minimal width n*(m′) for one permutation, with the counting bound beside it.
    MinWidth {
        /// m′ = m.
        m_prime: u64,
        /// Seed of the permutation.
        seed: u64,
        /// t_in = t_out.
        t: usize,
        /// Resources of the network at n*.
        resources: Resources,
        /// Failure at n*.
        failure: FailureRate,
        /// log₂ m′!, the bits any network computing every permutation must carry.
        log2_instances: f64,
        /// The neuron bound at the network's bits per parameter.
        neuron_bound: f64,
    },
    /// d*(m′), the representation width beside n* (from `representation`, or measured here).
    Representation {
        /// m′.
        m_prime: u64,
        /// Median d*.
        d_star: f64,
        /// Whether it came from check `representation` (else measured here, one seed).
        from_representation_check: bool,
    },
    /// The ε-error readout of a real sparse M at one width.
    Epsilon {
        /// m = m′.
        m_prime: u64,
        /// Nonzeros per row of M.
        nonzeros_per_row: usize,
        /// Hidden width n (= n_in).
        hidden_width: usize,
        /// Width / reference n*.
        width_factor: f64,
        /// Samples.
        samples: u64,
        /// Mean |ŷ_j − y_j| over all outputs and samples.
        mean_error: f64,
        /// Mean |ŷ_j − y_j| over the outputs with y_j ≠ 0.
        mean_error_on: f64,
        /// Largest |ŷ_j − y_j| seen.
        max_error: f64,
        /// Resources of the network.
        resources: Resources,
    },
}

/// The check's figures (fits, constants, criteria), as written under `detail`.
pub type Detail = serde_json::Value;
