//! Check `influence`: input channel for high-influence inputs (SPEC §3 step 5).
//!
//! SKELETON (issue 5): the configuration, record and check below are placeholders to be
//! replaced by the real check; the construction lives in [`crate::channel`].

use serde::{Deserialize, Serialize};

use super::{Runner, Scale};
use crate::error::Result;
use crate::results::{CheckResult, Status};

/// Sizes of check `influence` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfluenceConfig {
    /// log₂ sizes measured.
    pub sizes: Vec<u32>,
}

impl Default for InfluenceConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl InfluenceConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let _ = scale;
        Self { sizes: vec![8] }
    }

    pub(super) fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// One measurement of check `influence` (serialized inside [`crate::results::Record`], tagged
/// `"kind": "influence"`; it must serialize as a JSON object and must not use a field named
/// `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfluenceRecord {
    /// m′.
    pub m_prime: u64,
}

impl Runner<'_> {
    /// Check `influence` (skeleton).
    pub(super) fn influence(&mut self) -> Result<CheckResult> {
        Ok(CheckResult {
            id: "influence".into(),
            status: Status::Fail,
            measured: "not implemented yet".into(),
            theory: "input channel for high-influence inputs (SPEC §3 step 5)".into(),
            detail: serde_json::Value::Null,
            seconds: 0.0,
        })
    }
}
