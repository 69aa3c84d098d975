//! Check `permutation`: Neural Permutation and sparse linear maps in superposition (AS-PERM).
//!
//! SKELETON (issue 5): the configuration, record and check below are placeholders to be
//! replaced by the real check; the construction lives in [`crate::linear`].

use serde::{Deserialize, Serialize};

use super::{Runner, Scale};
use crate::error::Result;
use crate::results::{CheckResult, Status};

/// Sizes of check `permutation` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PermutationConfig {
    /// log₂ sizes measured.
    pub sizes: Vec<u32>,
}

impl Default for PermutationConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl PermutationConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let _ = scale;
        Self { sizes: vec![8] }
    }

    pub(super) fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// One measurement of check `permutation` (serialized inside [`crate::results::Record`], tagged
/// `"kind": "permutation"`; it must serialize as a JSON object and must not use a field named
/// `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationRecord {
    /// m′.
    pub m_prime: u64,
}

impl Runner<'_> {
    /// Check `permutation` (skeleton).
    pub(super) fn permutation(&mut self) -> Result<CheckResult> {
        Ok(CheckResult {
            id: "permutation".into(),
            status: Status::Fail,
            measured: "not implemented yet".into(),
            theory: "Neural Permutation and sparse linear maps in superposition (AS-PERM)".into(),
            detail: serde_json::Value::Null,
            seconds: 0.0,
        })
    }
}
