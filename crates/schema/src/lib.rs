//! superposition-schema: the result schema of superposition-bounds and the pure mathematics
//! that both sides of it share.
//!
//! This crate sits below everything that computes a network: it imports no construction, no
//! kernel, no faer and no thread pool, so the report (which renders results files) depends on
//! it alone, and the library that runs the checks (superposition-core) writes exactly these
//! types.
//! - [`measure`]: the measurement types every record shares (failure rate, resources, fit);
//! - [`network_check`]: the result of `cargo xtask check` on one network file;
//! - [`certify`](mod@certify): the result of `cargo xtask certify` on one network file;
//! - [`results`]: a results file ([`results::RunResults`]), its check verdicts and records;
//! - [`bench`](mod@bench): the results file of `bench-compare` ([`bench::Comparison`]): timings of the
//!   Rust, dense and NumPy paths per size, and the machine they ran on;
//! - [`checks`]: per check, its configuration, records and typed detail;
//! - [`config`]: the scale of a run and every check's sizes;
//! - [`theory`]: the bounds' formulas and exact instance counts (log-gamma);
//! - [`chernoff`]: the analytic failure bound of AS-2AND's analysis;
//! - [`stats`]: Wilson intervals, medians, least squares and the bootstrap;
//! - [`rng`]: seeded, named random streams (the determinism every layer relies on);
//! - [`error`]: the one error of this crate, a configuration value out of range.

#![warn(missing_docs)]

pub mod bench;
pub mod certify;
pub mod checks;
pub mod chernoff;
pub mod config;
pub mod error;
pub mod measure;
pub mod network_check;
pub mod results;
pub mod rng;
pub mod shape;
pub mod stats;
pub mod theory;

pub use error::{InvalidParameter, invalid};
