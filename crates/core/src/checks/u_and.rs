//! Check `u-and`: U-AND (Hänni et al.): all pairwise ANDs with an averaged ε-error readout.
//!
//! SKELETON (issue 5): the configuration, record and check below are placeholders to be
//! replaced by the real check; the construction lives in [`crate::uand`].

use serde::{Deserialize, Serialize};

use super::{Runner, Scale};
use crate::error::Result;
use crate::results::{CheckResult, Status};

/// Sizes of check `u-and` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UAndConfig {
    /// log₂ sizes measured.
    pub sizes: Vec<u32>,
}

impl Default for UAndConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl UAndConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let _ = scale;
        Self { sizes: vec![8] }
    }

    pub(super) fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// One measurement of check `u-and` (serialized inside [`crate::results::Record`], tagged
/// `"kind": "u_and"`; it must serialize as a JSON object and must not use a field named
/// `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UAndRecord {
    /// m′.
    pub m_prime: u64,
}

impl Runner<'_> {
    /// Check `u-and` (skeleton).
    pub(super) fn u_and(&mut self) -> Result<CheckResult> {
        Ok(CheckResult {
            id: "u-and".into(),
            status: Status::Fail,
            measured: "not implemented yet".into(),
            theory: "U-AND (Hänni et al.): all pairwise ANDs with an averaged ε-error readout".into(),
            detail: serde_json::Value::Null,
            seconds: 0.0,
        })
    }
}
