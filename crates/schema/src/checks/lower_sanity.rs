//! Schema of check `lower-sanity`: its typed detail.

use serde::{Deserialize, Serialize};

/// The tally of every network the run built, against the counting bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// Networks checked.
    pub networks: u64,
    /// Networks below the parameter-bit or the neuron bound.
    pub violations: u64,
    /// Smallest parameter bits − log₂ #instances over the networks (none without networks).
    pub min_margin_bits: Option<f64>,
    /// Smallest neurons / neuron bound over the networks (none without networks).
    pub min_neuron_ratio: Option<f64>,
}
