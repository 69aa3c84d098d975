//! Schema of check `exhaustive`: the readout orders and one row of counts.

use serde::{Deserialize, Serialize};

/// The order in which outputs are given readout codes (nonempty subsets of the n neurons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readout {
    /// Singletons {0}, {1}, …, then 2-subsets, then larger (lexicographic within a size).
    Dedicated,
    /// 2-subsets first, then singletons, then larger (lexicographic within a size).
    Bloom2,
    /// The negative control: no fixed codes — each instance's decoder reads its own pairs off
    /// the identity hidden layer (the instance stored in the decoder, not in the weights).
    PerInstance,
}

impl Readout {
    /// Name as records spell it.
    pub fn name(self) -> &'static str {
        match self {
            Readout::Dedicated => "dedicated",
            Readout::Bloom2 => "bloom2",
            Readout::PerInstance => "per_instance",
        }
    }

    /// The codes D_0, D_1, … of a width-n readout, in output order (none for
    /// [`Readout::PerInstance`], whose codes depend on the instance).
    pub fn codes(self, width: usize) -> Vec<Vec<usize>> {
        if self == Readout::PerInstance {
            return Vec::new();
        }
        let mut subsets: Vec<Vec<usize>> = (1u32..(1 << width))
            .map(|mask| (0..width).filter(|&r| mask >> r & 1 == 1).collect())
            .collect();
        let rank = |size: usize| match (self, size) {
            (Readout::Bloom2, 2) => 0,
            (Readout::Bloom2, 1) => 1,
            _ => size,
        };
        subsets.sort_by(|a, b| rank(a.len()).cmp(&rank(b.len())).then(a.cmp(b)));
        subsets
    }
}

/// Counts for one (readout, m, n, m′).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExhaustiveRow {
    /// The readout's code order.
    pub readout: Readout,
    /// m.
    pub inputs: usize,
    /// n, the hidden width.
    pub width: usize,
    /// m′, the pairs computed.
    pub m_prime: usize,
    /// Distinct instances (sets of m′ distinct pairs) computed by some width-n network.
    pub instances_computed: u64,
    /// All instances of the class, C(C(m,2), m′).
    pub instances_total: u64,
    /// Instances first computable at this width (their minimal width is n).
    pub minimal_width_here: u64,
    /// log₂ of the number of width-n networks: the parameter bits n·(m·log₂|W| + log₂|B|).
    pub parameter_bits: f64,
    /// Number of width-n networks (weights and biases) that compute some instance.
    pub networks_computing: f64,
}

/// Every cell counted, the minimal widths per class, and the counting-lemma criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// One row per (readout, m, n, m′), in enumeration order.
    pub rows: Vec<ExhaustiveRow>,
    /// One row per (readout, m, m′): the minimal widths.
    pub minimal_width: Vec<MinimalWidth>,
    /// Weights of the enumerated family.
    pub weights: Vec<i32>,
    /// Biases of the enumerated family.
    pub biases: Vec<i32>,
    /// k, active inputs at most (the family's k is min(k, m)).
    pub k: usize,
    /// Cells with more instances computed than 2^(parameter bits) or than the class holds.
    pub violations: u64,
    /// Largest log₂(instances computed) − parameter bits over cells computing some instance
    /// (none if no cell does).
    pub max_log2_computed_over_networks: Option<f64>,
}

/// Minimal widths of one class (readout, m, m′).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinimalWidth {
    /// The readout's code order.
    pub readout: Readout,
    /// m.
    pub inputs: usize,
    /// m′.
    pub m_prime: usize,
    /// C(C(m,2), m′).
    pub instances_total: u64,
    /// Smallest width computing some instance (none up to the widest enumerated).
    pub min_width: Option<usize>,
    /// Smallest width computing every instance (none up to the widest enumerated).
    pub width_computing_all: Option<usize>,
    /// Instances per minimal width, widths ascending.
    pub minimal_width_histogram: Vec<WidthCount>,
    /// Instances computed by the widest width enumerated.
    pub computed_at_max_width: u64,
    /// Instances no enumerated width computes.
    pub not_computable: u64,
}

/// Instances whose minimal width is `width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidthCount {
    /// Hidden width n.
    pub width: usize,
    /// Instances first computable at n.
    pub instances: u64,
}
