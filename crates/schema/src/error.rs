//! The one error of this crate: a configuration value outside its range.

/// A parameter outside the range where a check or construction is defined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameter {name} = {value}: {reason}")]
pub struct InvalidParameter {
    /// Parameter name as the user knows it (e.g. `t_in`).
    pub name: &'static str,
    /// The value given, formatted.
    pub value: String,
    /// What range is allowed, or why this value cannot work.
    pub reason: String,
}

/// Shorthand for an [`InvalidParameter`].
pub fn invalid(name: &'static str, value: impl ToString, reason: impl Into<String>) -> InvalidParameter {
    InvalidParameter {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Result alias for configuration validation.
pub type Result<T, E = InvalidParameter> = std::result::Result<T, E>;
