//! superposition-core: the mathematics of computation in superposition, executable.
//!
//! The modules are layers; data flows one way through them and no module imports from a
//! layer above its own:
//!
//! 1. [`superposition_schema`] (re-exported here as [`results`], [`config`], [`theory`],
//!    [`chernoff`], [`stats`], [`rng`]): result and record types, the bounds' formulas,
//!    statistics and seeded streams — the vocabulary both this crate and the report use;
//! 2. [`base`]: codes ([`code`]), instances ([`instance`]), k-sparse samples ([`sample`]),
//!    memory estimates ([`memory`]) and the bridge to the SIMD kernels;
//! 3. [`network`]: the abstraction every evaluated network implements ([`network::Network`]:
//!    shape, codes, resources, exact evaluation, optional additive rows) and the truth it is
//!    compared with ([`network::Truth`], implemented by the instance types), so imported and
//!    trained networks are measured like the constructions; [`network::file`] reads and writes
//!    networks as files (`superposition-network/1`, docs/network-format.md);
//! 4. [`constructions`]: the networks — representation R ([`representation`]), AS-2AND
//!    ([`and2`]), the input channel ([`channel`]), AS-PERM and linear maps ([`linear`]),
//!    U-AND ([`uand`]), two layers composed ([`depth2`]), sharing one coded layer
//!    ([`constructions::coded`]); [`export`] writes them as network files;
//! 5. [`evaluate`]: failure rates over many samples, written once over [`network::Network`]
//!    ([`eval`]), the dense GEMM path ([`dense`]), minimal-width searches ([`search`]), the
//!    worst-case adversary ([`adversary`]) and the exact worst-case certifier ([`certify`]);
//! 6. [`lower`]: the lower bound executed — the probe decoder ([`probe`]) and the exhaustive
//!    enumeration of tiny networks ([`exhaustive`]);
//! 7. [`checks`]: the claims `verify-bounds` checks, each producing a verdict and records.
//! 8. [`train`]: trained networks with the constructions' fixed codes (tied and free), their
//!    hand-written forward and backward passes, AdamW and the loop; measured with [`eval`]'s
//!    streams and written as network files.
//!
//! The flat re-exports below (`superposition_core::and2`, …) are the public paths other
//! crates use; inside this crate every import names its layer.
//!
//! Threading: every parallel loop runs on rayon's global pool, which the caller sizes once
//! (`cargo xtask … --threads N`); faer is given [`base::par`], the same pool. Results never
//! depend on the thread count: parallel work draws per-task streams from (seed, task index).

#![warn(missing_docs)]

pub mod base;
pub mod checks;
pub mod constructions;
pub mod error;
pub mod evaluate;
pub mod lower;
pub mod network;
pub mod train;

pub use base::{code, instance, memory, sample};
pub use constructions::{and2, channel, depth2, export, linear, representation, uand};
pub use error::{Error, Result};
pub use evaluate::{adversary, certify, dense, eval, search};
pub use lower::{exhaustive, probe};
pub use superposition_schema::{chernoff, config, results, rng, shape, stats, theory};
