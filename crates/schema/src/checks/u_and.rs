//! Schema of check `u-and`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::LineFit;

/// The band around −½ the error-vs-d slopes are reported against (the old criterion; p ∝ d^−½
/// fixes the slope, so it is no test of the claim).
pub const SLOPE_BAND: (f64, f64) = (-0.6, -0.4);

/// Hänni et al.'s exponent: ε-accurate U-AND with Õ(m^{2/3}) neurons.
pub const CLAIMED_EXPONENT: f64 = 2.0 / 3.0;

/// The neurons-until-ε search's budget D: a search that reaches D without ε-accuracy is
/// censored (ε not reached within the budget).
pub const WIDTH_CAP: usize = 1 << 17;

/// The criterion's upper limit on the exponent of d_ε in m fitted over m ∈ [lo, hi]:
/// 2/3 + ln(ln hi / ln lo)/ln(hi/lo), i.e. m^{2/3} times one factor log m (whose secant
/// exponent over [lo, hi] the second term is).
pub fn exponent_limit(lo: f64, hi: f64) -> f64 {
    CLAIMED_EXPONENT + (hi.ln() / lo.ln()).ln() / (hi / lo).ln()
}

/// Sizes of check `u-and` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UAndConfig {
    /// log₂ m measured (m′ = C(m,2)).
    pub sizes: Vec<u32>,
    /// log₂ d of the error-vs-d grid.
    pub widths: Vec<u32>,
    /// Networks (seeds) per (m, d).
    pub seeds: u64,
    /// Random k-sparse inputs per measurement.
    pub samples: u64,
    /// Both-off pairs sampled per input.
    pub off_pairs: usize,
    /// ε of the neurons-until-ε search (½: thresholding would then be exact).
    pub epsilon: f64,
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
        // Every octave of m, so that the exponent of d_ε in m rests on more than three sizes.
        let quick = Self {
            sizes: (6..=10).collect(),
            widths: (8..=13).collect(),
            seeds: 3,
            samples: 100,
            off_pairs: 64,
            epsilon: 0.5,
        };
        match scale {
            Scale::Quick => quick,
            Scale::Standard => Self {
                sizes: (6..=12).collect(),
                widths: (8..=14).collect(),
                samples: 200,
                ..quick
            },
            Scale::Full => Self {
                sizes: vec![6, 8, 10, 12, 14],
                widths: (8..=16).collect(),
                seeds: 5,
                samples: 400,
                ..quick
            },
        }
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.is_empty() || self.sizes.iter().any(|&s| !(2..=16).contains(&s)) {
            return Err(invalid(
                "u-and sizes",
                format!("{:?}", self.sizes),
                "need at least one log₂ m in 2..=16",
            ));
        }
        if self.widths.len() < 2 || self.widths.iter().any(|&w| !(2..=20).contains(&w)) {
            return Err(invalid(
                "u-and widths",
                format!("{:?}", self.widths),
                "need at least two log₂ d in 2..=20 for the slope",
            ));
        }
        if self.seeds == 0 || self.samples == 0 {
            return Err(invalid(
                "u-and seeds/samples",
                format!("{} / {}", self.seeds, self.samples),
                "must be positive",
            ));
        }
        if !(self.epsilon > 0.0 && self.epsilon < 1.0) {
            return Err(invalid("u-and epsilon", self.epsilon, "must be in (0, 1)"));
        }
        Ok(())
    }
}

/// One measurement of check `u-and` (tagged `"measure"` inside the record's `"kind"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum UAndRecord {
    /// Readout errors of one network.
    Error {
        /// m, inputs.
        m: u64,
        /// m′ = C(m,2), ANDs computed.
        m_prime: u64,
        /// d, neurons.
        width: usize,
        /// p.
        p: f64,
        /// Seed of the network.
        seed: u64,
        /// Inputs sampled.
        samples: u64,
        /// Both-off pairs sampled per input.
        off_pairs: usize,
        /// Mean |error| over pairs touching an active input (exact per input).
        mean_active: f64,
        /// Mean |error| over all C(m,2) pairs (stratified estimate).
        mean_all: f64,
        /// Mean |error| over sampled both-off pairs.
        mean_off: f64,
        /// Largest |error| seen.
        max: f64,
        /// Samples whose largest error reached ½.
        failures: u64,
    },
    /// Fewest neurons d_ε with max error < ε on all but δ of the samples, for one seed.
    MinWidth {
        /// m.
        m: u64,
        /// m′ = C(m,2).
        m_prime: u64,
        /// Seed.
        seed: u64,
        /// d_ε.
        width: usize,
        /// p at d_ε.
        p: f64,
        /// Samples.
        samples: u64,
        /// Samples with an error ≥ ε at d_ε.
        failures: u64,
        /// Largest error at d_ε.
        max: f64,
    },
    /// A neurons-until-ε search that reached [`WIDTH_CAP`] without ε-accuracy, for one seed.
    Censored {
        /// m.
        m: u64,
        /// m′ = C(m,2).
        m_prime: u64,
        /// Seed.
        seed: u64,
        /// The budget reached, D.
        width_cap: usize,
        /// p at D.
        p: f64,
    },
    /// AS-2AND's exact n* used for the comparison.
    And2Reference {
        /// m′.
        m_prime: u64,
        /// Median n* (hidden width).
        n_star: f64,
        /// Whether measured by `and2-upper` in this run (else the fallback 8·√(m′ log₂ m′)).
        measured: bool,
    },
}

/// The check's figures (fits per m, neurons until ε, AS-2AND beside it), as written under
/// `detail`. Fields are in alphabetical order, the order the results file has always had them
/// in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// AS-2AND's exact n* per m′, the comparison of the second figure.
    pub and2: Vec<And2Row>,
    /// δ: the neurons-until-ε search allows failures ≤ δ·samples.
    pub delta: f64,
    /// ε of the neurons-until-ε search.
    pub epsilon: f64,
    /// The error-vs-d fits, one row per m.
    pub fits: Vec<FitRow>,
    /// k, the inputs' sparsity.
    pub k: usize,
    /// Neurons until the max error stays below ε, one row per m.
    pub minimal: Vec<MinimalRow>,
    /// Both-off pairs sampled per input.
    pub off_pairs: usize,
    /// Random k-sparse inputs per measurement.
    pub samples: u64,
    /// [`SLOPE_BAND`] as a pair.
    pub slope_band: [f64; 2],
    /// ln d_ε against ln m over the sizes where some seed reached ε (the criterion's fit; none
    /// in results written before it, or with fewer than two such sizes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_fit: Option<LineFit>,
    /// The criterion's upper limit on that exponent ([`exponent_limit`]; none in results
    /// written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponent_limit: Option<f64>,
    /// Searches (over sizes and seeds) censored at [`Detail::width_cap`] (none in results
    /// written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censored: Option<u64>,
    /// The search's budget D (none in results written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_cap: Option<usize>,
    /// Whether p was held fixed instead of shrinking with d (the negative control; written
    /// only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub p_fixed: bool,
}

/// AS-2AND's n* at one m′ (as [`UAndRecord::And2Reference`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct And2Row {
    /// m′.
    pub m_prime: u64,
    /// Whether measured by `and2-upper` in this run (else the fallback 8·√(m′ log₂ m′)).
    pub measured: bool,
    /// Median n* (hidden width).
    pub n_star: f64,
}

/// The log-log fits of error against d at one m.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRow {
    /// Mean error over the pairs touching an active input (the criterion's fit).
    pub fit: LineFit,
    /// Mean error over all pairs.
    pub fit_all: LineFit,
    /// Max error.
    pub fit_max: LineFit,
    /// m, the inputs.
    pub m: u64,
    /// m′ = C(m, 2).
    pub m_prime: u64,
    /// Whether the fit's slope interval lies within [`SLOPE_BAND`] (the old criterion's verdict
    /// for this m; reported).
    pub pass: bool,
}

/// Neurons until the max error stays below ε at one m (median over seeds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinimalRow {
    /// d_ε, hidden neurons.
    pub d_epsilon: f64,
    /// m, the inputs.
    pub m: u64,
    /// m′ = C(m, 2).
    pub m_prime: u64,
    /// The connection probability at d_ε.
    pub p: f64,
    /// d_ε + m, hidden and input neurons.
    pub total_neurons: f64,
    /// Seeds whose search was censored at the budget (d_ε is the median of the others, or the
    /// budget itself when every seed was censored; none in results written before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub censored: Option<u64>,
}
