//! Schema of check `chernoff`: its typed detail.

use serde::{Deserialize, Serialize};

/// Measured failure rates against the analytic bound, and where the bound reaches δ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// Measured rates compared with their bound.
    pub comparisons: usize,
    /// Rates whose 95 % Wilson lower end exceeds the bound (capped at 1).
    pub above: u64,
    /// Those rates.
    pub above_points: Vec<AbovePoint>,
    /// Comparisons whose bound is below 1.
    pub non_vacuous: u64,
    /// Largest rate/bound over the non-vacuous comparisons with failures (0 if none; none if
    /// a bound of 0 met a failure).
    pub max_rate_over_bound: Option<f64>,
    /// Per AS-2AND size: where the bound first reaches δ, beside n*.
    pub bound_widths: Vec<BoundWidth>,
}

/// A measured rate above its bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AbovePoint {
    /// m′.
    pub m_prime: u64,
    /// Hidden width.
    pub width: usize,
    /// Measured failure rate.
    pub rate: f64,
    /// Its 95 % Wilson lower end.
    pub wilson_lo: f64,
    /// The per-sample bound.
    pub bound: f64,
}

/// The smallest width n_δ at which the bound reaches δ at one size, beside n*.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundWidth {
    /// m′ (= m), written as a float.
    pub m_prime: f64,
    /// Median n* of `and2-upper`.
    pub n_star: f64,
    /// n_δ: the smallest width at which the bound is ≤ δ.
    pub n_bound: usize,
    /// n_δ / n*.
    pub bound_over_measured: f64,
    /// The bound at n*.
    pub bound_at_n_star: f64,
}
