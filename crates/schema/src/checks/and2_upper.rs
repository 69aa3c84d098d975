//! Schema of check `and2-upper`: its typed detail.

/// The check's figures (fits, constants, criteria), as written under `detail`.
pub type Detail = serde_json::Value;
