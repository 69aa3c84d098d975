//! Check `depth-2`: two AS-2AND layers composed, with and without a threshold between them.
//!
//! SKELETON (issue 5): the configuration, record and check below are placeholders to be
//! replaced by the real check; the construction lives in [`crate::depth2`].

use serde::{Deserialize, Serialize};

use super::{Runner, Scale};
use crate::error::Result;
use crate::results::{CheckResult, Status};

/// Sizes of check `depth-2` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Depth2Config {
    /// log₂ sizes measured.
    pub sizes: Vec<u32>,
}

impl Default for Depth2Config {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl Depth2Config {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let _ = scale;
        Self { sizes: vec![8] }
    }

    pub(super) fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// One measurement of check `depth-2` (serialized inside [`crate::results::Record`], tagged
/// `"kind": "depth2"`; it must serialize as a JSON object and must not use a field named
/// `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Depth2Record {
    /// m′.
    pub m_prime: u64,
}

impl Runner<'_> {
    /// Check `depth-2` (skeleton).
    pub(super) fn depth2(&mut self) -> Result<CheckResult> {
        Ok(CheckResult {
            id: "depth-2".into(),
            status: Status::Fail,
            measured: "not implemented yet".into(),
            theory: "two AS-2AND layers composed, with and without a threshold between them".into(),
            detail: serde_json::Value::Null,
            seconds: 0.0,
        })
    }
}
