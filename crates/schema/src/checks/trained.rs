//! Schema of check `trained`: its configuration, records and typed detail.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{FailureRate, LineFit};

/// Sizes and training budget of check `trained` at one scale.
///
/// Steps per run grow with m′ so that every output is planted about as often at every size:
/// steps = max(`min_steps`, ⌈E·m′ / (⌊B/2⌋·⌊k/2⌋)⌉) with E = `exposures` (a mixed batch of B
/// plants ⌊k/2⌋ pairs in each of its ⌊B/2⌋ planted samples). Measured before this check existed
/// (tied, m′ = 2¹², width = AS-2AND's n*, B = 256, 200 steps, i.e. 12 exposures): 54 % of
/// planted samples failed; at m′ = 2¹⁰ (50 exposures) 4.7 %.
///
/// Tied batch and budget, measured (`cargo xtask train`, seed 1, positives weighted 4, 1000 fresh
/// samples, planted / uniform failure; 2-core machine): at equal samples a batch of 2048 at
/// lr 0.02 learns better than 256 at lr 0.01 and runs faster (the step's fixed costs, AdamW
/// over the whole matrix, are shared by more samples). 2¹², width 1301 (¾ n*), E = 50: B = 256
/// 5.7 % / 6.4 %, B = 2048 1.9 % / 3.2 %; width 1735: B = 2048, E = 25 26.3 % / 9.3 %, E = 50
/// 0.1 % / 0.3 %, E = 100 0.0 % / 0.1 %. 2¹⁴, width 2990 (1× n*), B = 2048: E = 50 6.9 % /
/// 1.2 % (lr 0.04: 6.4 % / 1.5 %), E = 100 2.2 % / 1.2 % (41 s); hence E = 100. Free learns at
/// lr 10⁻³ and B = 256 and collapsed (no neuron fires on a planted sample: 100 % failure) at
/// B = 2048 with lr 2·10⁻³ or 3·10⁻³ (2¹⁰, width 778), so it keeps its own batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainedConfig {
    /// log₂ m′ at which the tied architecture is trained.
    pub tied_sizes: Vec<u32>,
    /// log₂ m′ at which the free architecture is trained (n_h = n).
    pub free_sizes: Vec<u32>,
    /// Instances (seeds of `and2-upper`) per size below `top_from`, tied.
    pub seeds: u64,
    /// Instances per size, free (the free step costs 2–4× the tied one).
    pub free_seeds: u64,
    /// From this log₂ m′ on, `top_seeds` seeds and the `top_fractions` grid.
    pub top_from: u32,
    /// Seeds per size from `top_from` on.
    pub top_seeds: u64,
    /// Width grid, as fractions of AS-2AND's n* (sorted); the search starts at 1.
    pub fractions: Vec<f64>,
    /// The coarser grid from `top_from` on.
    pub top_fractions: Vec<f64>,
    /// E, planted exposures per output (tied).
    pub exposures: f64,
    /// E of the free architecture (it learns more slowly at its learning rate).
    pub free_exposures: f64,
    /// Fewest steps of a run (tied).
    pub min_steps: u64,
    /// Fewest steps of a free run.
    pub free_min_steps: u64,
    /// B, samples per step (tied).
    pub batch: usize,
    /// B of the free architecture.
    pub free_batch: usize,
    /// AdamW's learning rate, tied.
    pub tied_lr: f64,
    /// AdamW's learning rate, free.
    pub free_lr: f64,
    /// Weight of the hinge terms with target 1, tied. Chosen by measurement before the check's
    /// standard run was redone with it (xtask train, seed 1, mixed, 1000 fresh samples; the
    /// larger of the planted and uniform failures at ¾ of AS-2AND's n*, 2¹⁰ at 200 steps and
    /// 2¹² at 800): weight 1: 15.8 % and 46.7 %; 2: 3.1 % and 19.0 %; 4: 5.2 % and 6.4 %;
    /// 8: 14.3 % at 2¹⁰. Weight 1 trades planted failures (rare positives: ⌊k/2⌋·t_out of n
    /// neurons) for uniform ones: at 2¹² and 1× n* it failed 16 % planted, 0 % uniform;
    /// weight 4: 1.0 % and 2.5 %.
    pub positive_weight: f64,
    /// The same, free (not measured for free: 1, with which free met δ at ¾ n*).
    pub free_positive_weight: f64,
    /// Samples per distribution (planted, uniform) deciding whether a width meets δ.
    pub samples: u64,
    /// Samples per distribution of the fresh validation of each n* network and of its bits.
    pub fresh_samples: u64,
    /// Points of each run's loss curve kept in its record.
    pub curve_points: usize,
    /// Largest bits per weight tried by the quantization search.
    pub max_bits: u32,
    /// Magnitude-pruning fractions tried (sorted).
    pub prune_fractions: Vec<f64>,
}

impl Default for TrainedConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl TrainedConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let quick = Self {
            tied_sizes: vec![8, 9, 10],
            free_sizes: vec![8],
            seeds: 2,
            free_seeds: 1,
            top_from: 10,
            top_seeds: 1,
            fractions: vec![0.25, 0.5, 1.0, 2.0],
            top_fractions: vec![0.25, 0.5, 1.0, 2.0],
            exposures: 100.0,
            free_exposures: 150.0,
            min_steps: 100,
            free_min_steps: 300,
            batch: 2048,
            free_batch: 256,
            tied_lr: 2e-2,
            free_lr: 1e-3,
            positive_weight: 4.0,
            free_positive_weight: 1.0,
            samples: 200,
            fresh_samples: 400,
            curve_points: 25,
            max_bits: 12,
            prune_fractions: vec![0.25, 0.5, 0.75, 0.875, 0.9375],
        };
        match scale {
            Scale::Quick => quick,
            // A tied run at 2¹⁴ and AS-2AND's n* is 800 steps of B = 2048 (E = 100), 41 s on
            // 2 cores. Free (B = 256, one GEMM-sized product per step) stops at 2¹⁰ here: with
            // 2¹¹ (two seeds) the check took 378 s of a standard run, 2¹¹'s four free runs about
            // 90 s of it; 2¹¹ and 2¹² are in full.
            Scale::Standard => Self {
                tied_sizes: (8..=14).collect(),
                free_sizes: vec![8, 9, 10],
                seeds: 2,
                free_seeds: 2,
                top_from: 13,
                top_seeds: 2,
                // 0.625: at every size below 2¹³ the first standard run with these budgets
                // found 0.75 met δ and 0.5 did not.
                fractions: vec![0.25, 0.375, 0.5, 0.625, 0.75, 1.0, 1.5, 2.0],
                top_fractions: vec![0.5, 0.625, 0.75, 1.0, 1.5, 2.0],
                samples: 400,
                fresh_samples: 1000,
                ..quick
            },
            Scale::Full => Self {
                tied_sizes: (8..=16).collect(),
                free_sizes: vec![8, 9, 10, 11, 12],
                seeds: 3,
                free_seeds: 3,
                top_from: 15,
                top_seeds: 1,
                fractions: vec![0.25, 0.375, 0.5, 0.625, 0.75, 1.0, 1.5, 2.0],
                top_fractions: vec![0.5, 0.625, 0.75, 1.0, 1.5, 2.0],
                samples: 400,
                fresh_samples: 1000,
                ..quick
            },
        }
    }

    /// Seeds trained at 2^`log_m`.
    pub fn seeds_at(&self, log_m: u32, free: bool) -> u64 {
        let seeds = if free { self.free_seeds } else { self.seeds };
        if log_m >= self.top_from {
            self.top_seeds.min(seeds)
        } else {
            seeds
        }
    }

    /// The width grid at 2^`log_m`.
    pub fn fractions_at(&self, log_m: u32) -> &[f64] {
        if log_m >= self.top_from {
            &self.top_fractions
        } else {
            &self.fractions
        }
    }

    /// B of the tied (`free` false) or free architecture.
    pub fn batch_of(&self, free: bool) -> usize {
        if free { self.free_batch } else { self.batch }
    }

    /// Steps of a run at m′ for `architecture` ("tied" or "free"), k active inputs.
    pub fn steps(&self, free: bool, outputs: usize, k: usize) -> u64 {
        let (exposures, min) = if free {
            (self.free_exposures, self.free_min_steps)
        } else {
            (self.exposures, self.min_steps)
        };
        let per_step = ((self.batch_of(free) / 2) * (k / 2)).max(1) as f64;
        ((exposures * outputs as f64 / per_step).ceil() as u64).max(min)
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        let sizes = self.tied_sizes.iter().chain(&self.free_sizes);
        if self.tied_sizes.is_empty() || sizes.clone().any(|s| !(6..=18).contains(s)) {
            return Err(invalid(
                "trained sizes",
                format!("{:?} / {:?}", self.tied_sizes, self.free_sizes),
                "need at least one tied log₂ m′, each in 6..=18",
            ));
        }
        let grid_ok = |g: &[f64]| {
            !g.is_empty()
                && g.iter().all(|&f| f > 0.0 && f <= 8.0)
                && g.windows(2).all(|w| w[0] < w[1])
                && g.contains(&1.0)
        };
        if !grid_ok(&self.fractions) || !grid_ok(&self.top_fractions) {
            return Err(invalid(
                "trained fractions",
                format!("{:?} / {:?}", self.fractions, self.top_fractions),
                "each grid must be increasing, in (0, 8], and contain 1 (where the search starts)",
            ));
        }
        if self.seeds == 0
            || self.free_seeds == 0
            || self.top_seeds == 0
            || self.batch < 2
            || self.free_batch < 2
            || self.samples < 50
            || self.fresh_samples < 50
        {
            return Err(invalid(
                "trained budget",
                format!(
                    "seeds {}, top seeds {}, batch {} / {}, samples {}, fresh {}",
                    self.seeds, self.top_seeds, self.batch, self.free_batch, self.samples, self.fresh_samples
                ),
                "need seeds ≥ 1, batch ≥ 2 and at least 50 samples",
            ));
        }
        if !(2..=16).contains(&self.max_bits)
            || self.prune_fractions.iter().any(|&p| !(p > 0.0 && p < 1.0))
            || !(self.tied_lr > 0.0 && self.free_lr > 0.0 && self.exposures > 0.0 && self.free_exposures > 0.0)
            || !(self.positive_weight > 0.0 && self.free_positive_weight > 0.0)
        {
            return Err(invalid(
                "trained quantization",
                format!("max bits {}, prune {:?}", self.max_bits, self.prune_fractions),
                "need max bits in 2..=16, pruning fractions in (0, 1), positive rates, exposures and weights",
            ));
        }
        Ok(())
    }
}

/// One measurement of check `trained` (inside [`crate::results::Record::Trained`], tagged
/// `"measure"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum TrainedRecord {
    /// One training run at one width, decided on the selection samples.
    Run(Box<TrainedRun>),
    /// The minimal trained width of one (architecture, size, seed), its bits, and the bounds.
    MinWidth(Box<TrainedPoint>),
}

/// One training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedRun {
    /// `tied` or `free`.
    pub architecture: String,
    /// m′.
    pub m_prime: u64,
    /// Seed index s (the `and2-upper` instance).
    pub seed: u64,
    /// Width as a fraction of AS-2AND's n*.
    pub fraction: f64,
    /// n, the output-code width (and n_in; n_h = n for free).
    pub width: usize,
    /// Steps trained.
    pub steps: u64,
    /// Weight of the hinge terms with target 1.
    pub positive_weight: f64,
    /// Failure on the selection samples, planted inputs.
    pub planted: FailureRate,
    /// Failure on the selection samples, uniform inputs.
    pub uniform: FailureRate,
    /// Both at most ⌊δ·samples⌋.
    pub meets_delta: bool,
    /// Mean loss over the last tenth of the steps.
    pub final_loss: f64,
    /// (step, batch loss) at `curve_points` evenly spaced steps.
    pub curve: Vec<(u64, f64)>,
}

/// The minimal trained width of one (architecture, size, seed) and what its network takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedPoint {
    /// `tied` or `free`.
    pub architecture: String,
    /// m′ (= m).
    pub m_prime: u64,
    /// Seed index s.
    pub seed: u64,
    /// AS-2AND's n* for this instance (from `and2-upper`, or its fallback).
    pub as2and_n_star: usize,
    /// Whether `and2-upper` measured it.
    pub as2and_measured: bool,
    /// The smallest grid width that met δ (none if no width on the grid did).
    pub width: Option<usize>,
    /// Its fraction of AS-2AND's n*.
    pub fraction: Option<f64>,
    /// Which distribution failed at the next smaller grid width: `planted`, `uniform`,
    /// `both`, or `none` (n* at the bottom of the grid, or no n*).
    pub decided_by: String,
    /// Neurons as the harness counts them: n_in + n (tied), n_in + n_h + n (free), + the
    /// mass neuron.
    pub neurons: Option<usize>,
    /// Parameters (weights + biases + mass weights) at f32.
    pub parameters: Option<u64>,
    /// Fresh validation at n*, planted and uniform.
    pub fresh_planted: Option<FailureRate>,
    /// Fresh validation at n*, uniform.
    pub fresh_uniform: Option<FailureRate>,
    /// Bits of the quantized, pruned network at n* (none without n*).
    pub bits: Option<BitsMeasure>,
    /// log₂ C(C(m,2), m′).
    pub log2_instances: f64,
    /// The explicit neuron bound at the network's bits per parameter (32 without `bits`).
    pub neuron_bound: f64,
    /// √(m′·log₂ m′).
    pub shape_lower: f64,
    /// √m′·log₂ m′.
    pub shape_upper: f64,
}

/// The fewest bits of a trained network that still meets δ on fresh samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BitsMeasure {
    /// The largest pruning fraction of the grid (smallest-magnitude weights of each weight
    /// matrix set to 0) that meets δ; 0 if none does.
    pub prune_fraction: f64,
    /// The fewest bits per weight (uniform symmetric quantization, per-tensor scale
    /// max|w| / (2^(b−1) − 1)) that meets δ, with the pruning applied.
    pub bits_per_weight: u32,
    /// The same without pruning.
    pub bits_unpruned: u32,
    /// Weights kept (nonzero after pruning).
    pub kept_weights: u64,
    /// All weights (of the weight matrices).
    pub weights: u64,
    /// Other parameters (biases, mass weights), stored at 32 bits, plus 32 bits per scale.
    pub other_bits: u64,
    /// Total: kept·b + log₂ C(weights, kept) (which ones are kept) + other.
    pub total_bits: f64,
    /// total_bits / log₂ #instances.
    pub factor: f64,
    /// Fresh failure of the final network, planted.
    pub planted: FailureRate,
    /// Fresh failure of the final network, uniform.
    pub uniform: FailureRate,
}

/// Typed detail of check `trained`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    /// δ.
    pub delta: f64,
    /// Every (architecture, size, seed), in run order.
    pub points: Vec<TrainedPoint>,
    /// Fit of ln total bits against ln(m′·log₂ m′), tied networks, with a case-resampling
    /// bootstrap interval (none with fewer than three sizes with bits).
    pub bits_fit: Option<LineFit>,
    /// The same for free networks.
    pub free_bits_fit: Option<LineFit>,
    /// Networks whose neurons are below the explicit bound or whose bits are below
    /// log₂ #instances (invariants: a correct implementation has none).
    pub invariant_violations: u64,
    /// (architecture, size, seed) with no grid width meeting δ.
    pub without_n_star: u64,
    /// Median n*_trained / AS-2AND n* over tied points with an n*.
    pub tied_ratio: Option<f64>,
    /// Median over free points.
    pub free_ratio: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each architecture's steps count exposures at its own batch: tied ⌈E·m′/(⌊B/2⌋·⌊k/2⌋)⌉
    /// with B = 2048, free with B = 256, each at least its minimum.
    #[test]
    fn steps_count_exposures_at_each_architectures_batch() {
        let c = TrainedConfig::new(Scale::Standard);
        assert_eq!((c.batch, c.free_batch), (2048, 256));
        // 100·2¹⁴ / (1024·2) = 800; 100·2¹² / 2048 = 200; 100·2⁸ / 2048 = 12.5 → the minimum 100.
        assert_eq!(c.steps(false, 1 << 14, 4), 800);
        assert_eq!(c.steps(false, 1 << 12, 4), 200);
        assert_eq!(c.steps(false, 1 << 8, 4), 100);
        // 150·2¹⁰ / (128·2) = 600; 150·2⁸ / 256 = 150 → the minimum 300.
        assert_eq!(c.steps(true, 1 << 10, 4), 600);
        assert_eq!(c.steps(true, 1 << 8, 4), 300);
        let bad = TrainedConfig { free_batch: 1, ..c };
        assert!(bad.validate().is_err());
    }

    /// A configuration written before `free_batch` existed (free trained at the one batch, 256,
    /// of those runs) reads back with free's batch 256, whatever the tied batch.
    #[test]
    fn a_configuration_without_free_batch_reads_free_batch_256() {
        let old: TrainedConfig = serde_json::from_str(r#"{"batch": 256, "exposures": 50.0}"#).unwrap();
        assert_eq!((old.batch, old.free_batch, old.exposures), (256, 256, 50.0));
    }
}
