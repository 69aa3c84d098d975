//! Schema of check `gap`: its typed detail.

use serde::{Deserialize, Serialize};

use crate::measure::LineFit;

/// Representing against computing, per size, and the fit of ln(n*/d*) against ln m′.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// The fit with its bootstrap interval (none with fewer than two sizes).
    pub fit: Option<LineFit>,
    /// One point per size both checks measured.
    pub points: Vec<GapPoint>,
}

/// n* and d* at one size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GapPoint {
    /// m′ (= m).
    pub m_prime: u64,
    /// Median n*(m′) of `and2-upper`.
    pub n_star: f64,
    /// Median d*(m) of `representation`.
    pub d_star: f64,
    /// n*/d*.
    pub ratio: f64,
}
