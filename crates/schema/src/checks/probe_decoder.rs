//! Schema of check `probe-decoder`: its typed detail.

use serde::{Deserialize, Serialize};

/// Every decoding tried, and the check's two criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// One point per (size, width) decoded, in run order.
    pub points: Vec<ProbePoint>,
    /// Whether no network that answered all of its probes correctly was mis-decoded.
    pub decoder_sound: bool,
    /// Whether every size decoded the instance exactly at some width tried.
    pub decoded_every_size: bool,
    /// The multiples of n* tried, in order.
    pub factors: Vec<f64>,
}

/// One decoding: the seed-0 network of one size at one width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbePoint {
    /// m′.
    pub m_prime: usize,
    /// n* of seed 0 (from `and2-upper`, else a default guess).
    pub n_star: usize,
    /// Whether n* was measured by `and2-upper` (rather than guessed).
    pub n_star_measured: bool,
    /// Hidden width decoded.
    pub width: usize,
    /// The multiple of n* this width was built at.
    pub factor: f64,
    /// 1-sparse probes spent.
    pub one_sparse_probes: u64,
    /// 2-sparse probes spent.
    pub two_sparse_probes: u64,
    /// C(m, 2): the probes of a sweep over all pairs.
    pub naive_probes: u64,
    /// Probes the network answered differently from the instance.
    pub wrong_probes: u64,
    /// Outputs decoded to a pair other than the instance's.
    pub mismatches: u64,
    /// Whether the decoder gave up at its probe budget.
    pub over_budget: bool,
    /// Decoding wall time, seconds (machine-dependent).
    pub seconds: f64,
}
