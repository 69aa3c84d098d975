//! Schema of check `worst-case`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{FailureRate, LineFit, Resources};

/// Which way the attacked output was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attack {
    /// The target's pair is not active; its neurons were pushed over threshold.
    OffToOn,
    /// The target's pair is active; other inputs were chosen to pull its neurons down.
    OnToOff,
}

/// A verified adversarial input: the network's decoded outputs differ from the truth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The active inputs, sorted (at most k).
    pub active: Vec<u32>,
    /// The output the search attacked.
    pub target: u32,
    /// How it was attacked.
    pub attack: Attack,
    /// Every output the network gets wrong on `active`, sorted (the target need not be one:
    /// interference may flip a neighbour instead).
    pub wrong: Vec<u32>,
}

/// Sizes and adversary budget of check `worst-case` at one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorstCaseConfig {
    /// log₂ m′ measured.
    pub sizes: Vec<u32>,
    /// Instances (seeds) per size: the first ones of `and2-upper`'s.
    pub seeds: u64,
    /// Target outputs the adversary attacks per network.
    pub targets: usize,
    /// Greedy restarts of the off → on attack per target.
    pub restarts: usize,
    /// Random inputs added to each target's candidate set.
    pub extra_candidates: usize,
    /// Relative precision of the worst-case width search.
    pub precision: f64,
    /// Largest width the worst-case search tries (n² weights are built per probe); a size
    /// where the adversary still succeeds there is reported as censored, n*_worst > cap.
    pub max_width: usize,
}

impl Default for WorstCaseConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl WorstCaseConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let quick = Self {
            sizes: (8..=12).collect(),
            seeds: 3,
            targets: 32,
            restarts: 4,
            extra_candidates: 32,
            precision: 0.03,
            max_width: 6144,
        };
        match scale {
            Scale::Quick => quick,
            Scale::Standard => Self {
                sizes: (8..=14).collect(),
                seeds: 3,
                targets: 64,
                max_width: 12288,
                ..quick
            },
            Scale::Full => Self {
                sizes: (8..=16).collect(),
                seeds: 5,
                targets: 128,
                max_width: 24576,
                ..quick
            },
        }
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.len() < 2 || self.sizes.iter().any(|s| !(4..=22).contains(s)) {
            return Err(invalid(
                "worst-case sizes",
                format!("{:?}", self.sizes),
                "need at least two log₂ sizes, each in 4..=22",
            ));
        }
        if self.seeds == 0 {
            return Err(invalid("worst-case seeds", self.seeds, "must be at least 1"));
        }
        if self.targets == 0 || self.restarts == 0 {
            return Err(invalid(
                "worst-case budget",
                format!("{} targets × {} restarts", self.targets, self.restarts),
                "both must be at least 1",
            ));
        }
        if !(64..=1 << 16).contains(&self.max_width) {
            return Err(invalid("worst-case max width", self.max_width, "must be in 64..=65536"));
        }
        if !(self.precision > 0.0 && self.precision < 1.0) {
            return Err(invalid("worst-case precision", self.precision, "must be in (0, 1)"));
        }
        Ok(())
    }
}

/// One measurement of check `worst-case` (tagged `"measure"` inside `"kind": "worst_case"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum WorstCaseRecord {
    /// One adversarial search against the network at one width.
    Probe {
        /// m′.
        m_prime: u64,
        /// Seed of the network's codes.
        seed: u64,
        /// Hidden width n (= input width).
        width: usize,
        /// Targets attacked before the search stopped.
        targets_tried: usize,
        /// Candidate inputs evaluated exactly.
        evaluations: u64,
        /// The verified counterexample, if one was found.
        counterexample: Option<Counterexample>,
    },
    /// Adversary against random sampling at the average-case n* (the power criterion).
    Power {
        /// m′.
        m_prime: u64,
        /// Seed of the network's codes.
        seed: u64,
        /// n*_avg.
        width: usize,
        /// Random planted samples at n*_avg and how many failed.
        random: FailureRate,
        /// Whether the adversary found a counterexample at n*_avg.
        adversary_found: bool,
    },
    /// Both minimal widths of one instance.
    MinWidth {
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Seed of the network's codes.
        seed: u64,
        /// Average-case n* (failure ≤ δ on planted samples).
        n_avg: usize,
        /// Whether n_avg is `and2-upper`'s measurement (else searched by this check).
        n_avg_from_and2_upper: bool,
        /// Worst-case n*: smallest width at which the adversary found nothing; `None` when it
        /// still found a counterexample at the cap (censored: n*_worst > `max_width`).
        n_worst: Option<usize>,
        /// The search's cap.
        max_width: usize,
        /// Resources of the network at n_worst.
        resources: Option<Resources>,
        /// A counterexample at the widest width where the adversary still succeeded.
        last_counterexample: Option<Counterexample>,
        /// That width.
        last_failing_width: Option<usize>,
    },
}

/// The check's figures (fits, per-size widths, criteria), as written under `detail`. Fields
/// are in alphabetical order, the order the results file has always had them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// Fit of ln n*_avg against ln m′ (bootstrap interval over seeds).
    pub avg_fit: LineFit,
    /// The adversary's budget per network and the search's settings.
    pub budget: Budget,
    /// Sizes m′ whose median n*_worst is censored (the adversary still wins at the cap).
    pub censored_m_prime: Vec<u64>,
    /// The four criteria, each met or not.
    pub criteria: Criteria,
    /// δ, the average case's target failure rate.
    pub delta: f64,
    /// log₂ m′ of the seeds whose n*_avg this check searched itself (`and2-upper` had not
    /// measured them), one entry per such size.
    pub n_avg_searched_here_at_log2_sizes: Vec<u32>,
    /// The negative control's tally (None in an ordinary run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planted: Option<PlantedHits>,
    /// Seeds where random sampling found a failing sample at n*_avg.
    pub power_cases: u64,
    /// Of those, the seeds where the adversary found no counterexample.
    pub power_misses: u64,
    /// Fit of ln(n*_worst/n*_avg) against ln log₂ m′ (slope ½ = the extra √log m′ factor);
    /// None with fewer than two uncensored sizes.
    pub ratio_fit: Option<LineFit>,
    /// One row per size, sizes in configured order.
    pub rows: Vec<WorstCaseRow>,
    /// Counterexamples the dense oracle did not confirm.
    pub unsound: u64,
    /// Fit of ln n*_worst against ln m′ over the uncensored sizes; None with fewer than two.
    pub worst_fit: Option<LineFit>,
}

/// What the adversary found on the negative control's planted networks (AS-2AND plus one
/// output j′ whose code rows are those of j, so that j or j′ is wrong at every width).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedHits {
    /// Probes whose counterexample makes j or j′ wrong: the planted collision found.
    pub found: u64,
    /// Adversary probes of planted networks.
    pub probes: u64,
}

/// The adversary's budget and the width search's settings, as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Random candidate inputs tried per target.
    pub extra_candidates: usize,
    /// k, the inputs' sparsity.
    pub k: usize,
    /// The configured width cap (each size's cap is at most 16·m′ + 1024).
    pub max_width: usize,
    /// Relative precision of the width search.
    pub precision: f64,
    /// Restarts per target.
    pub restarts: usize,
    /// Outputs attacked per network.
    pub targets: usize,
}

/// The PASS criteria of the module documentation, each met or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criteria {
    /// 4: n*_worst found below the cap at every size, exponent interval ≤ 0.65.
    pub exponent_bounded: bool,
    /// 2: the adversary finds errors at n*_avg whenever sampling does.
    pub power: bool,
    /// 1: every counterexample confirmed by the dense oracle.
    pub sound: bool,
    /// 3: median n*_worst ≥ median n*_avg at every size.
    pub worst_at_least_avg: bool,
}

/// Medians over seeds at one size m′. A censored seed enters the medians as +∞; a value
/// that is then infinite is None.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstCaseRow {
    /// n*_avg/√(m′·log₂ m′).
    pub c_avg_lower: f64,
    /// n*_avg/(√m′·log₂ m′).
    pub c_avg_upper: f64,
    /// n*_worst/√(m′·log₂ m′).
    pub c_worst_lower: Option<f64>,
    /// n*_worst/(√m′·log₂ m′).
    pub c_worst_upper: Option<f64>,
    /// Seeds whose n*_worst is above the cap.
    pub censored_seeds: usize,
    /// m′.
    pub m_prime: u64,
    /// The size's width cap, min(`max_width`, 16·m′ + 1024).
    pub max_width: usize,
    /// Median n*_avg.
    pub n_avg: f64,
    /// n*_avg per seed.
    pub n_avg_seeds: Vec<f64>,
    /// Median n*_worst.
    pub n_worst: Option<f64>,
    /// n*_worst per seed, None where censored.
    pub n_worst_seeds: Vec<Option<f64>>,
    /// Median of n*_worst/n*_avg over seeds.
    pub ratio: Option<f64>,
    /// That ratio / √(log₂ m′).
    pub ratio_over_sqrt_log: Option<f64>,
    /// √(log₂ m′).
    pub sqrt_log2_m: f64,
}
