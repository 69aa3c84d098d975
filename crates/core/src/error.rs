//! The crate's error type: every message says what was wrong and what to do about it.

use std::path::PathBuf;

/// Errors of superposition-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is outside the range where the construction or check is defined.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name as the user knows it (e.g. `t_in`).
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// What range is allowed, or why this value cannot work.
        reason: String,
    },
    /// An instance failed validation.
    #[error("invalid instance: {0}")]
    InvalidInstance(String),
    /// A network or table would not fit in the memory budget; nothing was allocated.
    #[error(
        "{what} would need about {needed_mib} MiB, over the memory budget of {budget_mib} MiB; \
         use smaller sizes or raise the budget (SUPERPOSITION_MEMORY_BUDGET_MIB)"
    )]
    TooLarge {
        /// What was about to be allocated.
        what: String,
        /// Estimated need, MiB.
        needed_mib: u64,
        /// Budget, MiB.
        budget_mib: u64,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not valid JSON of the expected shape.
    #[error("{path}: malformed JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// serde's error, with line and column.
        source: serde_json::Error,
    },
    /// A network file (`network::file`) is malformed or inconsistent; nothing was built from it.
    #[error("bad network file: {0}")]
    NetworkFile(String),
    /// A search did not reach its target within the allowed range.
    #[error("{0}")]
    SearchFailed(String),
    /// A cell this run may not compute (another shard's, or any in a replay-only merge) and
    /// does not hold: the check that needs it stops without a verdict.
    #[error("cell {0} is neither held nor computed by this run")]
    Deferred(String),
    /// A sharded or replay-only run ended with checks that had to stop for cells it does not
    /// hold: the cells it lacks and the checks without a verdict.
    #[error(
        "{} cells are neither held nor computed by this run, so {} checks have no verdict ({}); \
         the first cells missing: {}",
        cells.len(),
        checks.len(),
        checks.join(", "),
        cells.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
    )]
    Incomplete {
        /// The checks without a verdict, in run order.
        checks: Vec<String>,
        /// The cells needed and not held, in the order they were needed.
        cells: Vec<String>,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for an [`Error::InvalidParameter`].
pub(crate) fn invalid(name: &'static str, value: impl ToString, reason: impl Into<String>) -> Error {
    Error::InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

impl From<superposition_schema::InvalidParameter> for Error {
    fn from(e: superposition_schema::InvalidParameter) -> Self {
        Error::InvalidParameter {
            name: e.name,
            value: e.value,
            reason: e.reason,
        }
    }
}
