//! The result of `cargo xtask certify`: one network file's worst case, proven or refuted output
//! by output (`"format": "superposition-certify/1"`).
//!
//! Written by superposition-core (`evaluate::certify`); every counterexample listed was
//! verified by exact evaluation of the network before it was written.

use serde::{Deserialize, Serialize};

/// The format tag of a certify result.
pub const FORMAT: &str = "superposition-certify/1";

/// Which half of an output's correctness a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Half {
    /// Off → on: some input with at most k active features, not containing both of the
    /// output's pair, decodes the output on.
    FalsePositive,
    /// On → off: some input with at most k active features containing the output's pair
    /// decodes the output off.
    FalseNegative,
}

impl Half {
    /// `false positive` or `false negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Half::FalsePositive => "false positive",
            Half::FalseNegative => "false negative",
        }
    }
}

/// The verdict of one half of one output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum HalfVerdict {
    /// No input with at most k active features gets this half wrong (an exhaustive search,
    /// pruned only by sound bounds, found none).
    Certified,
    /// An input that gets it wrong, verified by exact evaluation of the network.
    Counterexample {
        /// The active inputs, sorted (at most k).
        active: Vec<u32>,
    },
    /// The search ran out of its node budget before deciding.
    Undecided,
}

/// Verdict counts of one half over every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VerdictCounts {
    /// Outputs certified.
    pub certified: u64,
    /// Outputs with a verified counterexample.
    pub counterexample: u64,
    /// Outputs left undecided within the budget.
    pub undecided: u64,
}

/// A verified counterexample of one output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifyCounterexample {
    /// The output j.
    pub output: u32,
    /// Which half it refutes.
    pub half: Half,
    /// The active inputs, sorted (at most k).
    pub active: Vec<u32>,
}

/// An output at least one half of which is undecided (and neither refuted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndecidedOutput {
    /// The output j.
    pub output: u32,
    /// The undecided halves.
    pub halves: Vec<Half>,
}

/// One network certified: counts per output and per half, every counterexample and every
/// undecided output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertifyResult {
    /// [`FORMAT`].
    pub format: String,
    /// The network file, as given on the command line.
    pub network: String,
    /// m, input features.
    pub inputs: u64,
    /// m′, output features.
    pub outputs: u64,
    /// k, the most active inputs considered.
    pub k: usize,
    /// The node budget of each half of each output.
    pub budget: u64,
    /// Per output: certified iff both halves are; a counterexample iff either half has one;
    /// undecided otherwise.
    pub outputs_verdicts: VerdictCounts,
    /// The false-positive half's verdicts.
    pub false_positive: VerdictCounts,
    /// The false-negative half's verdicts.
    pub false_negative: VerdictCounts,
    /// Search nodes explored over every output and half.
    pub nodes: u64,
    /// Wall time of the certifier, seconds (not of reading the file).
    pub seconds: f64,
    /// Every verified counterexample (up to one per output and half), by output.
    pub counterexamples: Vec<CertifyCounterexample>,
    /// Every output with an undecided half and no counterexample, by output.
    pub undecided: Vec<UndecidedOutput>,
}
