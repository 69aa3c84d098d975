//! Schema of check `permutation`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{ConditionalErrors, FailureRate, LineFit, Resources};

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
        /// The network at n* on fresh uniform samples (as many as the search's, other seeds),
        /// every sample evaluated; absent from results written before it was measured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fresh: Option<FailureRate>,
        /// Errors per output on those fresh samples: false negatives among outputs whose
        /// source input is on (`pair_on`), false positives among those whose source is off
        /// (`no_endpoint`; a permutation output has no one-endpoint class).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        errors: Option<ConditionalErrors>,
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

/// The check's figures (fit, per-size widths, criteria), as written under `detail`. Fields
/// are in alphabetical order, the order the results file has always had them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// Criterion (b): every network at n* carries at least log₂ m′! bits and the neuron bound.
    pub counting_bound_respected: bool,
    /// δ, the searches' target failure rate.
    pub delta: f64,
    /// The ε-error readout of a real sparse M, one row per width factor.
    pub epsilon: Vec<EpsilonRow>,
    /// Criterion (c): the exponent's 95 % interval lies within `exponent_range`.
    pub exponent_in_range: bool,
    /// [`EXPONENT_LO`], [`EXPONENT_HI`].
    pub exponent_range: [f64; 2],
    /// Fit of ln n* against ln m′ (bootstrap interval over seeds).
    pub fit: LineFit,
    /// k, the inputs' sparsity.
    pub k: usize,
    /// Whether the fitted exponent is below ½ (a finite-size exponent, see the criterion).
    pub local_exponent_below_half: bool,
    /// Criterion (a): n* > d* at every size.
    pub n_above_d: bool,
    /// One row per size m′, sizes in configured order.
    pub sizes: Vec<SizeRow>,
    /// n* = c·√m′·(log₂ m′)^a, the power law with a size-and-seed bootstrap, local exponents
    /// per octave and by parity of t (absent from results written before they were measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<crate::shape::ShapeAnalysis>,
}

/// The minimal widths at one size m′ = m.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeRow {
    /// n*/√(m′·log₂ m′).
    pub c_lower: f64,
    /// n*/(√m′·log₂ m′).
    pub c_upper: f64,
    /// d*, the width that represents m′ features (R1).
    pub d_star: f64,
    /// Whether d* is check `representation`'s median (else measured here on one seed).
    pub d_star_from_representation: bool,
    /// log₂ m′!, the bits the counting bound asks for.
    pub log2_instances: f64,
    /// m′.
    pub m_prime: u64,
    /// Smallest neurons / neuron bound over seeds.
    pub min_neuron_margin: f64,
    /// Largest n* over seeds.
    pub n_max: f64,
    /// Smallest n* over seeds.
    pub n_min: f64,
    /// Median n* over seeds.
    pub n_star: f64,
    /// Failure at n* on fresh uniform samples, pooled over seeds (absent from older results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fresh: Option<FailureRate>,
    /// Errors per output at n* on those fresh samples, summed over seeds (see
    /// [`PermutationRecord::MinWidth`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<ConditionalErrors>,
}

/// The ε-error readout of a real sparse M at one width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpsilonRow {
    /// Hidden width n (= n_in).
    pub hidden_width: usize,
    /// m = m′.
    pub m_prime: u64,
    /// Largest |ŷ_j − y_j| seen.
    pub max_error: f64,
    /// Mean |ŷ_j − y_j| over all outputs and samples.
    pub mean_error: f64,
    /// Mean |ŷ_j − y_j| over the outputs with y_j ≠ 0.
    pub mean_error_on: f64,
    /// Nonzeros per row of M.
    pub nonzeros_per_row: usize,
    /// Whether the width's reference is the measured n* (else 4·√(m′·log₂ m′)).
    pub reference_from_search: bool,
    /// Samples.
    pub samples: u64,
    /// Width / reference.
    pub width_factor: f64,
}
