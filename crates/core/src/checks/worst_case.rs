//! Check `worst-case`: adversarial k-sparse inputs against a built AS-2AND network.
//!
//! SKELETON (issue 5): the configuration, record and check below are placeholders to be
//! replaced by the real check; the construction lives in [`crate::adversary`].

use serde::{Deserialize, Serialize};

use super::{Runner, Scale};
use crate::error::Result;
use crate::results::{CheckResult, Status};

/// Sizes of check `worst-case` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorstCaseConfig {
    /// log₂ sizes measured.
    pub sizes: Vec<u32>,
}

impl Default for WorstCaseConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl WorstCaseConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let _ = scale;
        Self { sizes: vec![8] }
    }

    pub(super) fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// One measurement of check `worst-case` (serialized inside [`crate::results::Record`], tagged
/// `"kind": "worst_case"`; it must serialize as a JSON object and must not use a field named
/// `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstCaseRecord {
    /// m′.
    pub m_prime: u64,
}

impl Runner<'_> {
    /// Check `worst-case` (skeleton).
    pub(super) fn worst_case(&mut self) -> Result<CheckResult> {
        Ok(CheckResult {
            id: "worst-case".into(),
            status: Status::Fail,
            measured: "not implemented yet".into(),
            theory: "adversarial k-sparse inputs against a built AS-2AND network".into(),
            detail: serde_json::Value::Null,
            seconds: 0.0,
        })
    }
}
