//! Per-check schema: each check's configuration, records and typed detail, one module per check.

pub mod depth2;
pub mod exhaustive;
pub mod influence;
pub mod permutation;
pub mod u_and;
pub mod worst_case;
