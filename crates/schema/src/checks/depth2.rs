//! Schema of check `depth2`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{FailureRate, Resources};

/// Sizes of check `depth-2` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Depth2Config {
    /// log₂ m′ measured (m′₁ = m′₂ = m′).
    pub sizes: Vec<u32>,
    /// Samples per grid point.
    pub samples: u64,
    /// Layer-1 widths, as multiples of n*(m′).
    pub layer1_factors: Vec<f64>,
    /// Layer-2 widths, as multiples of n*(m′).
    pub layer2_factors: Vec<f64>,
    /// Share of OR gates in the AND/OR circuit.
    pub or_fraction: f64,
    /// The criterion's factor: per-layer widths up to this multiple of n* may be used.
    pub max_factor: f64,
}

impl Default for Depth2Config {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl Depth2Config {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let quick = Self {
            sizes: vec![8, 10],
            samples: 400,
            layer1_factors: vec![1.0, 2.0],
            layer2_factors: vec![0.5, 0.75, 1.0, 1.5, 2.0],
            or_fraction: 0.5,
            max_factor: 2.0,
        };
        match scale {
            Scale::Quick => quick,
            Scale::Standard => Self {
                sizes: vec![10, 12, 14],
                samples: 1000,
                layer1_factors: vec![1.0, 1.5, 2.0],
                ..quick
            },
            Scale::Full => Self {
                sizes: vec![10, 12, 14, 16],
                samples: 2000,
                layer1_factors: vec![1.0, 1.5, 2.0],
                ..quick
            },
        }
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.is_empty() || self.sizes.iter().any(|s| !(6..=18).contains(s)) {
            return Err(invalid(
                "depth-2 sizes",
                format!("{:?}", self.sizes),
                "need at least one log₂ m′, each in 6..=18",
            ));
        }
        if self.samples < 50 {
            return Err(invalid("depth-2 samples", self.samples, "need at least 50 per point"));
        }
        let bad = |f: &[f64]| f.is_empty() || f.iter().any(|&x| !(x > 0.0 && x <= 16.0));
        if bad(&self.layer1_factors) || bad(&self.layer2_factors) {
            return Err(invalid(
                "depth-2 width factors",
                format!("{:?} / {:?}", self.layer1_factors, self.layer2_factors),
                "need at least one factor per layer, each in (0, 16]",
            ));
        }
        if !(self.or_fraction > 0.0 && self.or_fraction <= 1.0) {
            return Err(invalid("depth-2 or_fraction", self.or_fraction, "must be in (0, 1]"));
        }
        let min = |f: &[f64]| f.iter().cloned().fold(f64::INFINITY, f64::min);
        if min(&self.layer1_factors) > self.max_factor || min(&self.layer2_factors) > self.max_factor {
            return Err(invalid(
                "depth-2 max_factor",
                self.max_factor,
                "the grid has no point within the criterion's factor",
            ));
        }
        Ok(())
    }
}

/// The two circuits measured.
pub const CIRCUITS: [&str; 2] = ["4-and", "and-or"];

/// One measurement of check `depth-2` (inside [`crate::results::Record::Depth2`], tagged `"measure"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum Depth2Record {
    /// One grid point (n₁, n₂) of one circuit (boxed: the record is large).
    Grid(Box<Depth2Grid>),
    /// A grid point measured again on the fresh samples (the judged point, or the smallest
    /// passing one).
    Fresh {
        /// The circuit.
        circuit: String,
        /// m′.
        m_prime: u64,
        /// n₁.
        layer1_width: usize,
        /// n₂.
        layer2_width: usize,
        /// Its factors and failures on both sample sets.
        point: Validated,
    },
    /// Minimal layer-2 width at which layer 2 adds failure ≤ δ (threshold, layer 1 at n*).
    MinWidth {
        /// The circuit.
        circuit: String,
        /// m′.
        m_prime: u64,
        /// n*(m′).
        n_star: usize,
        /// n₁ used (= n*).
        layer1_width: usize,
        /// n₂*.
        layer2_width: usize,
        /// Layer 1 right but some gate wrong, at n₂*.
        failure: FailureRate,
        /// Depth-2 failure at n₂* (with the threshold).
        total: FailureRate,
    },
}

/// One grid point of check `depth-2`: failures of both variants and resources per layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Depth2Grid {
    /// `4-and` or `and-or`.
    pub circuit: String,
    /// m′ (= m′₁ = m′₂ = m).
    pub m_prime: u64,
    /// OR gates in the circuit.
    pub or_gates: u64,
    /// n*(m′) the widths are multiples of.
    pub n_star: usize,
    /// Whether n* was measured by `and2-upper` (else the 8·√(m′·log₂ m′) fallback).
    pub n_star_measured: bool,
    /// n₁ / n*.
    pub layer1_factor: f64,
    /// n₂ / n*.
    pub layer2_factor: f64,
    /// n₁ (= layer-1 input width).
    pub layer1_width: usize,
    /// n₂.
    pub layer2_width: usize,
    /// f₁: some layer-1 output wrong.
    pub layer1: FailureRate,
    /// f₂: layer 2 alone, on the interference-free input.
    pub ideal: FailureRate,
    /// Depth-2 failure with the intermediate threshold.
    pub threshold: FailureRate,
    /// Depth-2 failure without it (raw ReLU activations).
    pub raw: FailureRate,
    /// Layer 1 right but some gate wrong, with the threshold.
    pub threshold_layer2: FailureRate,
    /// Layer 1 right but some gate wrong, without it.
    pub raw_layer2: FailureRate,
    /// Independent layers' prediction 1 − (1 − f₁)(1 − f₂).
    pub predicted: f64,
    /// Mean number of on gates per sample (the measurement is not vacuous).
    pub mean_gates_on: f64,
    /// Resources of layer 1.
    pub layer1_resources: Resources,
    /// Resources of layer 2 (input width = n₁).
    pub layer2_resources: Resources,
    /// Neurons of the whole circuit (layer 1 + n₂ + layer 2's mass neuron).
    pub total_neurons: usize,
}

/// The check's figures (the grid's rates, layer 2's minimal widths), as written under
/// `detail`. Fields are in alphabetical order, the order the results file has always had them
/// in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// δ, the target failure rate.
    pub delta: f64,
    /// One point per (size, circuit, f₁, f₂), in run order.
    pub grid: Vec<GridPoint>,
    /// The criterion's largest per-layer width factor.
    pub max_factor: f64,
    /// Layer 2's minimal width per (size, circuit), in run order.
    pub min_widths: Vec<MinWidthRow>,
    /// Samples per grid point.
    pub samples: u64,
}

/// Failure rates of one grid point (the full figures are in the [`Depth2Grid`] record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridPoint {
    /// One of [`CIRCUITS`].
    pub circuit: String,
    /// f₁ = n₁/n*.
    pub f1: f64,
    /// f₂ = n₂/n*.
    pub f2: f64,
    /// Failure with the ideal intermediate (the true layer-1 outputs).
    pub ideal: f64,
    /// Layer 1's failure.
    pub layer1: f64,
    /// m′.
    pub m_prime: u64,
    /// 1 − (1 − layer1)·(1 − ideal): the failure if the layers' errors were independent.
    pub predicted: f64,
    /// Failure with raw ReLU activations between the layers.
    pub raw: f64,
    /// Failure with the threshold between the layers.
    pub threshold: f64,
}

/// Layer 2's minimal width for one circuit at one size, and the best passing grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinWidthRow {
    /// The passing grid point with the smallest f₁·f₂ (both ≤ `max_factor`, failures
    /// ≤ ⌊δ·samples⌋ on the selection samples), if any.
    pub best_passing: Option<BestPassing>,
    /// That point's depth-2 failure (threshold) on the fresh samples (reported, not judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_passing_fresh: Option<FailureRate>,
    /// One of [`CIRCUITS`].
    pub circuit: String,
    /// The point the verdict judges: within `max_factor`, the fewest selection failures; its
    /// fresh failure's Wilson upper bound must be ≤ δ. None in results written before the
    /// criterion judged fresh samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<Validated>,
    /// n₂*: layer 1 at n*, the threshold, layer 2 adding failure ≤ δ; None when the search
    /// did not reach δ.
    pub layer2_min_width: Option<usize>,
    /// m′.
    pub m_prime: u64,
    /// n*, `and2-upper`'s width (or its fallback).
    pub n_star: usize,
    /// Whether n* was measured by `and2-upper`.
    pub n_star_measured: bool,
    /// n₂*/n*.
    pub ratio: Option<f64>,
}

/// A grid point meeting the criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestPassing {
    /// f₁ = n₁/n*.
    pub f1: f64,
    /// f₂ = n₂/n*.
    pub f2: f64,
    /// Its failure with the threshold.
    pub rate: f64,
}

/// A grid point chosen on the selection samples and measured again on fresh ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Validated {
    /// f₁ = n₁/n*.
    pub f1: f64,
    /// f₂ = n₂/n*.
    pub f2: f64,
    /// Depth-2 failure (threshold) on the fresh samples, with its Wilson interval.
    pub fresh: FailureRate,
    /// Depth-2 failure (threshold) on the selection samples that chose it.
    pub selection: FailureRate,
}
