//! Schema of check `influence`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{ConditionalErrors, FailureRate, InputDistribution, Resources};

/// Sizes and constants of check `influence` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfluenceConfig {
    /// log₂ m′ measured (m = m′ inputs).
    pub sizes: Vec<u32>,
    /// Exponent of the Zipf-skewed instance's endpoint distribution.
    pub zipf_exponent: f64,
    /// The star's hub is in `star_degree_factor`·√m′ pairs.
    pub star_degree_factor: f64,
    /// θ = `theta_factor`·√m′: inputs of influence above θ get a block.
    pub theta_factor: f64,
    /// G, the blocks' gate weight (see `superposition_core::channel`).
    pub gate_weight: u32,
    /// Whether block rows are centered (`ChannelParams::centering` in superposition-core; the shared channel and
    /// plain AS-2AND always are).
    pub block_centering: bool,
    /// Widths of the failure-vs-width sweep, as multiples of n_ref.
    pub sweep_factors: Vec<f64>,
    /// Searches stop at `max_width_factor`·n_ref; a construction not reaching δ there has
    /// n* above the cap.
    pub max_width_factor: f64,
    /// Criterion (b): on uniform instances channel n* ≤ this × plain n*.
    pub uniform_cost_factor: f64,
}

impl Default for InfluenceConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl InfluenceConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let quick = Self {
            sizes: vec![10],
            zipf_exponent: 1.0,
            star_degree_factor: 4.0,
            theta_factor: 1.0,
            gate_weight: 1,
            block_centering: true,
            sweep_factors: vec![0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0],
            max_width_factor: 4.0,
            uniform_cost_factor: 1.1,
        };
        match scale {
            Scale::Quick => quick,
            Scale::Standard => Self {
                sizes: vec![10, 12, 14],
                ..quick
            },
            Scale::Full => Self {
                sizes: vec![10, 12, 14, 16],
                ..quick
            },
        }
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.is_empty() || self.sizes.iter().any(|&s| !(6..=20).contains(&s)) {
            return Err(invalid(
                "influence sizes",
                format!("{:?}", self.sizes),
                "need at least one log₂ m′, each in 6..=20",
            ));
        }
        if !(self.zipf_exponent.is_finite() && self.zipf_exponent >= 0.0) {
            return Err(invalid("zipf exponent", self.zipf_exponent, "must be finite and ≥ 0"));
        }
        if !(self.star_degree_factor >= 1.0 && self.star_degree_factor <= 16.0) {
            return Err(invalid(
                "star degree factor",
                self.star_degree_factor,
                "must be in [1, 16] (the hub is in factor·√m′ pairs, at least √m′ to be adversarial)",
            ));
        }
        if !(self.theta_factor > 0.0 && self.theta_factor.is_finite()) {
            return Err(invalid("theta factor", self.theta_factor, "must be positive"));
        }
        if self.gate_weight == 0 || self.gate_weight > 64 {
            return Err(invalid("gate weight", self.gate_weight, "must be in 1..=64"));
        }
        if self.sweep_factors.iter().any(|&f| !(f > 0.0 && f <= 16.0))
            || self.max_width_factor.is_nan()
            || self.max_width_factor < 1.0
        {
            return Err(invalid(
                "influence width factors",
                format!("{:?}, cap {}", self.sweep_factors, self.max_width_factor),
                "sweep factors must be in (0, 16] and the cap factor at least 1",
            ));
        }
        if self.uniform_cost_factor.is_nan() || self.uniform_cost_factor < 1.0 {
            return Err(invalid("uniform cost factor", self.uniform_cost_factor, "must be ≥ 1"));
        }
        Ok(())
    }
}

/// Which construction a measurement is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Construction {
    /// Plain AS-2AND (every pair in the shared channel) at hidden width N.
    Plain,
    /// AS-2AND with the input channel, total hidden width N.
    Channel,
}

/// One measurement of check `influence` (serialized inside [`crate::results::Record`], tagged
/// `"kind": "influence"`, and by `"measure"` here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum InfluenceRecord {
    /// An instance measured and how the channel splits it.
    Instance {
        /// `uniform`, `zipf` or `star`.
        distribution: String,
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Seed of the instance.
        seed: u64,
        /// θ, the influence threshold.
        theta: f64,
        /// Largest influence of any input.
        max_influence: u64,
        /// Inputs with influence above θ (blocks).
        heavy_inputs: u64,
        /// Pairs hosted by blocks.
        block_pairs: u64,
        /// n_ref: the width the searches start from and the sweep is a multiple of.
        reference_width: u64,
        /// Whether n_ref was measured by `and2-upper` (else the fallback 8·√(m′ log₂ m′)).
        reference_measured: bool,
    },
    /// One network measured at one total hidden width.
    Probe {
        /// `uniform`, `zipf` or `star`.
        distribution: String,
        /// m′.
        m_prime: u64,
        /// Which construction.
        construction: Construction,
        /// `search` (may stop early), `sweep` or `cross` (plain at the channel's n*).
        purpose: String,
        /// N, the total hidden width (= input width).
        width: u64,
        /// Hidden width of the shared channel (N for plain).
        shared_width: u64,
        /// Σ block widths (0 for plain).
        block_width: u64,
        /// Resources of the network.
        resources: Resources,
        /// Failure over the samples of `inputs`.
        failure: FailureRate,
        /// The input distribution of the samples (absent: planted, as every record before
        /// uniform inputs were measured).
        #[serde(default, skip_serializing_if = "InputDistribution::is_planted")]
        inputs: InputDistribution,
    },
    /// Minimal total width of one construction on one instance.
    MinWidth {
        /// `uniform`, `zipf` or `star`.
        distribution: String,
        /// m′.
        m_prime: u64,
        /// Which construction.
        construction: Construction,
        /// n*, or None when no width up to `cap` met δ.
        width: Option<u64>,
        /// The search's largest width.
        cap: u64,
        /// The input distribution the search measured on (absent: planted).
        #[serde(default, skip_serializing_if = "InputDistribution::is_planted")]
        inputs: InputDistribution,
    },
    /// One construction at the channel's n* of `inputs`, on fresh samples of `inputs` (all
    /// evaluated), with its errors per output.
    Errors {
        /// `uniform`, `zipf` or `star`.
        distribution: String,
        /// m′.
        m_prime: u64,
        /// Which construction.
        construction: Construction,
        /// The input distribution.
        inputs: InputDistribution,
        /// N, the total hidden width: the channel's n* under `inputs`.
        width: u64,
        /// Failure over the fresh samples.
        failure: FailureRate,
        /// Errors per output over the same samples.
        errors: ConditionalErrors,
    },
}

/// The instance types, in report order.
pub const TYPES: [&str; 3] = ["uniform", "zipf", "star"];

/// The check's figures, as written under `detail`. Fields are in alphabetical order, the
/// order the results file has always had them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// The check's configuration at the run's scale.
    pub config: InfluenceConfig,
    /// δ, the target failure rate of the searches.
    pub delta: f64,
    /// One row per (size, instance type), sizes in configured order, types in [`TYPES`] order.
    pub rows: Vec<InfluenceRow>,
}

/// One instance's outcome: both minimal widths and the criterion at that instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfluenceRow {
    /// `uniform`, `zipf` or `star`.
    pub distribution: String,
    /// Each construction at the channel's n*, on fresh samples, per input distribution (absent
    /// from results written before they were measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorsAt>,
    /// Inputs with influence above θ (blocks of the channel construction).
    pub heavy_inputs: usize,
    /// m′.
    pub m_prime: u64,
    /// n* of the channel construction, None when no width up to the cap met δ.
    pub n_channel: Option<usize>,
    /// n* of plain AS-2AND, None when no width up to the cap met δ.
    pub n_plain: Option<usize>,
    /// Whether the instance meets its criterion ((a) for Zipf and star, (b) for uniform).
    pub ok: bool,
    /// Plain AS-2AND's failure at the channel's n* (None when the channel has no n*), planted
    /// inputs.
    pub plain_at_channel: Option<FailureRate>,
    /// The same measurements under uniform k-sparse inputs; reported beside the planted ones,
    /// not judged (absent from results written before they were measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform_inputs: Option<UniformInputs>,
}

/// An instance's minimal widths under uniform k-sparse inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UniformInputs {
    /// n* of the channel construction under uniform inputs (None: not within the cap).
    pub n_channel: Option<usize>,
    /// n* of plain AS-2AND under uniform inputs.
    pub n_plain: Option<usize>,
    /// Plain AS-2AND's failure at the channel's uniform-input n*, on the search's samples.
    pub plain_at_channel: Option<FailureRate>,
}

/// One construction at the channel's n* of one input distribution, on fresh samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorsAt {
    /// Which construction.
    pub construction: Construction,
    /// Errors per output.
    pub errors: ConditionalErrors,
    /// Failure over the fresh samples.
    pub failure: FailureRate,
    /// The input distribution.
    pub inputs: InputDistribution,
    /// N, the total hidden width.
    pub width: usize,
}
