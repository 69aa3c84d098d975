//! superposition-core: the mathematics of computation in superposition, executable.
//!
//! Data flows one way through the modules:
//! instance + code → construction → network → evaluation → measurements → results.
//! - [`code`]: seeded superposed codes (t-subset Bloom codes, Gaussian codes);
//! - [`instance`]: 2-AND instances (uniform, Zipf, star, JSON) and their validation;
//! - [`sample`]: k-sparse input distributions;
//! - [`representation`]: construction R, representing k-sparse features (no computation);
//! - [`and2`]: construction AS-2AND, computing m′ pairwise ANDs exactly after threshold;
//! - [`eval`]: failure rates over many samples, in parallel, reproducible from a seed;
//! - [`search`]: minimal-width searches;
//! - [`theory`]: bound formulas and exact instance counts;
//! - [`probe`]: the lower bound's decoder — recovering an instance from a network by probes;
//! - [`exhaustive`]: every network of tiny width enumerated, for the counting lemma;
//! - [`chernoff`]: the failure-probability bound of AS-2AND's analysis;
//! - [`channel`]: AS-2AND with the input channel for high-influence inputs;
//! - [`adversary`]: worst-case k-sparse inputs against a built network;
//! - [`linear`]: Neural Permutation and sparse linear maps in superposition;
//! - [`uand`]: U-AND, all pairwise ANDs with an averaged ε-error readout;
//! - [`depth2`]: two AS-2AND layers composed (4-ANDs, AND/OR circuits);
//! - [`stats`]: Wilson intervals, fits, bootstrap;
//! - [`checks`]: the claims `verify-bounds` checks, each producing PASS/FAIL and records;
//! - [`results`]: the serializable result types reports are rendered from.

pub mod adversary;
mod anchor;
pub mod and2;
pub mod channel;
pub mod checks;
pub mod code;
pub mod dense;
pub mod depth2;
pub mod error;
pub mod eval;
pub mod exhaustive;
pub mod instance;
mod kern;
pub mod linear;
pub mod memory;
pub mod probe;
pub mod representation;
pub mod sample;
pub mod search;
pub mod uand;

pub use error::{Error, Result};
pub use superposition_schema::{chernoff, config, results, rng, stats, theory};
