//! Evaluation over many samples and the searches built on it: failure rates in parallel and
//! reproducible from a seed, the naive dense GEMM path, minimal-width searches, the worst-case
//! adversary and the exact certifier. Imports constructions and the base layer, never checks.

pub mod adversary;
pub mod certify;
pub mod dense;
pub mod eval;
pub mod network_check;
pub mod search;
