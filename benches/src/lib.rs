//! superposition-benches: performance measurement of superposition-bounds.
//!
//! Two things live in this package. Its criterion benches (`benches/kernels.rs`: every kernel,
//! scalar reference against dispatched SIMD; `benches/and2.rs`: end-to-end verification of
//! AS-2AND beside the dense path and faer's large GEMM) are run with `cargo bench`. Its
//! library is the harness behind `cargo xtask bench-compare`, which times the sublinear Rust
//! verification of AS-2AND, the naive dense faer path and a NumPy/SciPy implementation side by
//! side on the same instance, codes, weights and samples, with their failure counts checked
//! equal:
//! - [`compare`] plans the sizes, builds each network, times the Rust and dense paths and
//!   drives the other modules; [`compare::run`] returns the results file's value, a
//!   [`superposition_schema::bench::Comparison`];
//! - [`machine`] measures the machine's practical peaks (large GEMM, read bandwidth) and reads
//!   its theoretical peak and load from /proc;
//! - [`numpy`] finds (or pip-installs) numpy and scipy and times `baselines/and2_numpy.py`;
//! - [`bundle`] writes the files that script reads (format `superposition-and2-bundle/1`);
//! - [`Error`] says why a comparison stopped (a path that disagrees stops it).
//!
//! Writing `results/bench-compare.json` and rendering `reports/performance.md` from it is left
//! to the caller (xtask) and superposition-report. Threads: every parallel path runs on the
//! global rayon pool, which the caller sizes once; faer is given all of it
//! (`superposition_core::base::par`, the workspace's one source of faer's `Par`).

#![warn(missing_docs)]

pub mod bundle;
pub mod compare;
mod error;
pub mod machine;
pub mod numpy;

pub use error::Error;
