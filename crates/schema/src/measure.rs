//! The measurement types every check's records share: a failure rate, a network's resources,
//! a fitted line. They import nothing, so results and every check's schema can use them.

use serde::{Deserialize, Serialize};

/// A straight-line least-squares fit y = intercept + slope·x with a bootstrap interval on
/// the slope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LineFit {
    /// Fitted slope.
    pub slope: f64,
    /// Fitted intercept.
    pub intercept: f64,
    /// Coefficient of determination of the fit on the point estimates.
    pub r2: f64,
    /// Lower end of the 95 % bootstrap interval of the slope (equals `slope` if no bootstrap).
    pub slope_lo: f64,
    /// Upper end of the 95 % bootstrap interval of the slope.
    pub slope_hi: f64,
}

/// Resources of one built network, counted as SPEC §2 says.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Width of the superposed input representation (n_in).
    pub input_width: usize,
    /// Hidden width (n); for AS-2AND the hidden layer is also the output representation.
    pub hidden_width: usize,
    /// Extra helper neurons (the centering mass neuron), 0 or 1.
    pub extra_neurons: usize,
    /// All neurons: input + hidden + extra.
    pub neurons: usize,
    /// Nonzero weights plus biases.
    pub parameters: u64,
    /// Bits to store every parameter exactly at its group's integer range.
    pub parameter_bits: u64,
    /// Largest integer weight numerator (weights are numerator / `weight_denominator`).
    pub weight_max: u64,
    /// Common denominator of the folded weights (t_in).
    pub weight_denominator: u64,
}

/// A measured failure rate over random samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FailureRate {
    /// Samples evaluated.
    pub samples: u64,
    /// Samples with at least one wrong output.
    pub failures: u64,
    /// failures / samples.
    pub rate: f64,
    /// Lower end of the 95 % Wilson interval.
    pub wilson_lo: f64,
    /// Upper end of the 95 % Wilson interval.
    pub wilson_hi: f64,
}

/// Errors per output by how many of its pair's endpoints are active: false negatives among
/// outputs whose pair is on, false positives among outputs with one endpoint on and among those
/// with none. Counts are summed over samples (an output-sample is one opportunity).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ConditionalErrors {
    /// Samples evaluated.
    pub samples: u64,
    /// Outputs read 0 whose pair was on.
    pub false_negatives: u64,
    /// Output-samples with the pair on.
    pub pair_on: u64,
    /// Outputs read 1 with exactly one endpoint on.
    pub false_positives_one: u64,
    /// Output-samples with exactly one endpoint on.
    pub one_endpoint: u64,
    /// Outputs read 1 with neither endpoint on.
    pub false_positives_none: u64,
    /// Output-samples with neither endpoint on.
    pub no_endpoint: u64,
}

impl std::ops::Add for ConditionalErrors {
    type Output = Self;

    /// The sum of two tallies.
    fn add(self, o: Self) -> Self {
        Self {
            samples: self.samples + o.samples,
            false_negatives: self.false_negatives + o.false_negatives,
            pair_on: self.pair_on + o.pair_on,
            false_positives_one: self.false_positives_one + o.false_positives_one,
            one_endpoint: self.one_endpoint + o.one_endpoint,
            false_positives_none: self.false_positives_none + o.false_positives_none,
            no_endpoint: self.no_endpoint + o.no_endpoint,
        }
    }
}

impl ConditionalErrors {
    /// P(read 0 | pair on), or None without such an output-sample.
    pub fn false_negative_rate(&self) -> Option<f64> {
        ratio(self.false_negatives, self.pair_on)
    }

    /// P(read 1 | exactly one endpoint on).
    pub fn false_positive_rate_one(&self) -> Option<f64> {
        ratio(self.false_positives_one, self.one_endpoint)
    }

    /// P(read 1 | no endpoint on).
    pub fn false_positive_rate_none(&self) -> Option<f64> {
        ratio(self.false_positives_none, self.no_endpoint)
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// How active inputs are drawn. The default is planted: the distribution of records written
/// before inputs were named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputDistribution {
    /// k distinct inputs uniformly at random.
    Uniform,
    #[default]
    /// ⌊k/2⌋ random pairs of the instance switched on, the rest uniform (k distinct in all).
    Planted,
}

impl InputDistribution {
    /// Whether this is [`InputDistribution::Planted`] (records omit the field then, as they did
    /// before inputs were named).
    pub fn is_planted(&self) -> bool {
        *self == Self::Planted
    }

    /// `uniform` or `planted`, as serialized.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Uniform => "uniform",
            Self::Planted => "planted",
        }
    }
}
