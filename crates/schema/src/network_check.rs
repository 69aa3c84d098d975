//! The result of `cargo xtask check`: one network file held against the bounds
//! (`"format": "superposition-check/1"`).
//!
//! Written by superposition-core (`evaluate::network_check`) and rendered by the report crate
//! (`render_network_check`), from this file alone.

use serde::{Deserialize, Serialize};

use crate::checks::worst_case::Counterexample;
use crate::measure::{ConditionalErrors, FailureRate, InputDistribution, Resources};

/// The format tag of a check result.
pub const FORMAT: &str = "superposition-check/1";

/// One network checked: its shape, failures, adversary, resources and the bounds at its m′.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkCheck {
    /// [`FORMAT`].
    pub format: String,
    /// The network file, as given on the command line.
    pub network: String,
    /// `tied` or `free`.
    pub architecture: String,
    /// What built the network, as the file says (`as-2and`, `trained`, …), if it says.
    pub construction: Option<String>,
    /// m, input features.
    pub inputs: u64,
    /// m′, output features.
    pub outputs: u64,
    /// `pairs`, `permutation` or `linear`: the instance the network is compared with.
    pub instance: String,
    /// k, active inputs per sample.
    pub k: usize,
    /// δ, the target per-sample failure rate.
    pub delta: f64,
    /// Seed of the sample streams (and of the adversary).
    pub seed: u64,
    /// Whether every layer holds integer numerators (every decision exact); else f32 weights
    /// evaluated in f64 with decisions within the rounding bound counted as failures.
    pub exact: bool,
    /// One entry per input distribution measured, in order planted, uniform.
    pub distributions: Vec<DistributionCheck>,
    /// The samples of `--samples-file`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_file: Option<SamplesFileCheck>,
    /// The worst-case adversary's result, or why it did not run.
    pub adversary: AdversaryCheck,
    /// Neurons, parameters and bits as the harness counts them (SPEC §2).
    pub resources: Resources,
    /// Bits of the parameters as stored (`resources.parameter_bits`): 32 per f32 parameter,
    /// the integer range's bits per integer numerator, one per input weight of the mass neuron.
    pub stored_bits: u64,
    /// The smallest lossless integer form of f32 weights (numerators over one power of two),
    /// when the file's weights are f32; None for integer files (already integers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lossless_integer: Option<LosslessInteger>,
    /// The bounds at this m′ and where the network sits.
    pub bounds: Bounds,
    /// Whether every measured distribution's failure rate is at most δ (the width searches'
    /// pass rule: the point estimate); the exit code is 0 iff true.
    pub meets_delta: bool,
    /// Wall-clock seconds of the check.
    pub seconds: f64,
}

/// The network on random samples of one input distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DistributionCheck {
    /// How active inputs were drawn.
    pub inputs: InputDistribution,
    /// Seed of the streams (the same seed and distribution give the same samples as
    /// verify-bounds' measurements at that seed).
    pub seed: u64,
    /// Failure over the samples, with its 95 % Wilson interval.
    pub failure: FailureRate,
    /// Errors per output by how many of its inputs are active.
    pub errors: ConditionalErrors,
    /// Samples failed because some decision lay within the rounding bound (0 when exact).
    pub uncertain_samples: u64,
    /// Smallest distance of any decision to its threshold, in units of the activation.
    pub min_margin: f64,
}

/// The network on the samples of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplesFileCheck {
    /// The samples file, as given.
    pub path: String,
    /// Failure over its samples.
    pub failure: FailureRate,
    /// Indices (rows of the file) of the failed samples, in order; every one is listed.
    pub failed: Vec<u64>,
    /// Samples failed because some decision lay within the rounding bound.
    pub uncertain_samples: u64,
    /// Smallest distance of any decision to its threshold.
    pub min_margin: f64,
}

/// The adversary's outcome on the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdversaryCheck {
    /// Whether it ran (it needs exact additive rows: an integer `tied` network, vote decoder,
    /// a 2-AND instance).
    pub ran: bool,
    /// Why it did not run, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Targets attacked.
    pub targets: usize,
    /// Greedy restarts per target.
    pub restarts: usize,
    /// The verified counterexample found, if any (none found proves nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

/// f32 weights as integer numerators over the smallest common power of two that makes every
/// one an integer (always lossless for finite floats).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LosslessInteger {
    /// log₂ of the common denominator.
    pub log2_denominator: i32,
    /// Bits per parameter of the largest numerator (with sign).
    pub bits_per_parameter: u32,
    /// Total bits at that precision.
    pub bits: u64,
}

/// The bounds at the network's m′ (and m) and where it sits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// log₂ of the number of instances of this kind (C(C(m,2), m′) for 2-AND, m′! for a
    /// permutation): the bits any family computing every instance must be able to store.
    pub log2_instances: f64,
    /// The network's parameter bits (as stored) over `log2_instances`.
    pub bits_over_instances: f64,
    /// The explicit neuron bound 2(√(1 + log₂#instances/b) − 1) at the network's b bits per
    /// parameter (T1/T2).
    pub neuron_bound: f64,
    /// The network's neurons over `neuron_bound`.
    pub neurons_over_bound: f64,
    /// √(m′·log₂ m′), the lower-bound shape.
    pub lower_shape: f64,
    /// √m′·log₂ m′, the upper-bound shape.
    pub upper_shape: f64,
    /// The reference run the construction's figures came from, when one was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The project's construction for this kind of instance, whose measured n* is the
    /// reference: `AS-2AND` (2-AND pairs, and a circuit's first layer) or `AS-PERM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_construction: Option<String>,
    /// That construction's median n* at this m′ in the reference run, when it measured it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_n_star: Option<f64>,
    /// The reference run's fitted constants c in n* ≈ c·√(m′ log₂ m′) and c·√m′·log₂ m′
    /// (least squares on its medians), when it has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_constants: Option<[f64; 2]>,
    /// The construction's median n* per m′ in the reference run, (m′, n*) by increasing m′:
    /// the chart's reference curve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_widths: Vec<(u64, f64)>,
}
