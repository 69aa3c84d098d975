//! The scale of a run and the sizes of every check at it.

use serde::{Deserialize, Serialize};

use crate::checks::{depth2, influence, permutation, trained, u_and, worst_case};
use crate::error::{Result, invalid};

/// How much work a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// CI: under 2 minutes on 2 cores, m′ up to 2¹⁴.
    Quick,
    /// Default: under 10 minutes, m′ up to 2¹⁸.
    Standard,
    /// m′ up to 2²² (AS-2AND and representation).
    Full,
}

impl Scale {
    /// The scale's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Quick => "quick",
            Scale::Standard => "standard",
            Scale::Full => "full",
        }
    }
}

/// Everything a run's size depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleConfig {
    /// k, active inputs per sample.
    pub k: usize,
    /// δ, the target failure rate of minimal-width searches.
    pub delta: f64,
    /// Samples per AS-2AND failure measurement.
    pub samples: u64,
    /// Samples per representation failure measurement.
    pub representation_samples: u64,
    /// Instances (seeds) per size.
    pub seeds: u64,
    /// log₂ m′ for AS-2AND.
    pub and2_sizes: Vec<u32>,
    /// log₂ m for the representation check (must include `and2_sizes` for the gap check).
    pub representation_sizes: Vec<u32>,
    /// log₂ m′ at which failure-vs-width is swept (the phase-transition plot).
    pub sweep_sizes: Vec<u32>,
    /// Widths of the sweep, as multiples of the median n*.
    pub sweep_factors: Vec<f64>,
    /// Instances swept per size (the first ones of `seeds`).
    pub sweep_seeds: u64,
    /// log₂ m′ at which n* is also measured with centering off.
    pub uncentered_sizes: Vec<u32>,
    /// log₂ m′ where `and2-upper` also searches n* under uniform k-sparse inputs.
    #[serde(default)]
    pub uniform_sizes: Vec<u32>,
    /// log₂ m at which the Gaussian (JL) code's d* is measured beside the Bloom code's.
    #[serde(default)]
    pub gaussian_sizes: Vec<u32>,
    /// Relative precision of width searches.
    pub precision: f64,
    /// Bootstrap resamples for fitted exponents.
    pub bootstrap: usize,
    /// Sizes of the lower-bound checks (absent from results written before they existed).
    #[serde(default)]
    pub lower: LowerBoundConfig,
    /// Sizes of check `influence`.
    #[serde(default)]
    pub influence: influence::InfluenceConfig,
    /// Sizes of check `worst-case`.
    #[serde(default)]
    pub worst_case: worst_case::WorstCaseConfig,
    /// Sizes of check `permutation`.
    #[serde(default)]
    pub permutation: permutation::PermutationConfig,
    /// Sizes of check `u-and`.
    #[serde(default)]
    pub u_and: u_and::UAndConfig,
    /// Sizes of check `depth-2`.
    #[serde(default)]
    pub depth2: depth2::Depth2Config,
    /// Sizes of check `trained`.
    #[serde(default)]
    pub trained: trained::TrainedConfig,
}

/// Sizes of the lower-bound checks (`probe-decoder` … `description-length`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LowerBoundConfig {
    /// log₂ m′ at which the probe decoder runs (the seed-0 instance of `and2-upper`).
    pub probe_sizes: Vec<u32>,
    /// Widths tried by the probe decoder, as multiples of n*, until one decodes exactly.
    pub probe_factors: Vec<f64>,
    /// m values of the exhaustive enumeration (≤ 6).
    pub exhaustive_inputs: Vec<usize>,
    /// Largest hidden width enumerated (≤ 4).
    pub exhaustive_max_width: usize,
    /// Largest m′ enumerated.
    pub exhaustive_max_outputs: usize,
    /// Hidden widths n at which the capacity m′_max(n) is searched.
    pub capacity_widths: Vec<usize>,
    /// Instances (seeds) per capacity width.
    pub capacity_seeds: u64,
    /// log₂ m′ at which the Chernoff check measures its own width sweep.
    pub chernoff_sizes: Vec<u32>,
    /// Widths of that sweep, as multiples of n*.
    pub chernoff_factors: Vec<f64>,
    /// Samples per Chernoff sweep measurement.
    pub chernoff_samples: u64,
    /// log₂ m′ at which description lengths are measured (at the seed-0 n*).
    pub description_sizes: Vec<u32>,
}

impl Default for LowerBoundConfig {
    /// The quick scale's sizes.
    fn default() -> Self {
        Self::new(Scale::Quick)
    }
}

impl LowerBoundConfig {
    /// The sizes of a scale.
    pub fn new(scale: Scale) -> Self {
        let range = |a: u32, b: u32| (a..=b).collect::<Vec<_>>();
        let quick = Self {
            probe_sizes: vec![8, 10, 12],
            probe_factors: vec![1.0, 1.5, 2.0, 3.0, 4.0],
            exhaustive_inputs: vec![4, 5, 6],
            exhaustive_max_width: 3,
            exhaustive_max_outputs: 4,
            capacity_widths: vec![256, 512, 1024, 2048],
            capacity_seeds: 2,
            chernoff_sizes: vec![8, 10],
            chernoff_factors: vec![1.0, 1.5, 2.0, 3.0, 4.0],
            chernoff_samples: 1000,
            description_sizes: range(8, 14),
        };
        match scale {
            Scale::Quick => quick,
            Scale::Standard => Self {
                capacity_widths: vec![256, 512, 1024, 2048, 4096],
                capacity_seeds: 2,
                chernoff_sizes: vec![8, 10, 12],
                chernoff_samples: 2000,
                description_sizes: range(8, 18),
                ..quick
            },
            Scale::Full => Self {
                probe_sizes: vec![8, 10, 12, 14],
                capacity_widths: (8..=14).map(|e| 1usize << e).collect(),
                capacity_seeds: 3,
                chernoff_sizes: vec![8, 10, 12, 14],
                chernoff_samples: 5000,
                description_sizes: range(8, 20),
                ..quick
            },
        }
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.exhaustive_inputs.iter().any(|m| !(2..=6).contains(m)) {
            return Err(invalid(
                "exhaustive inputs",
                format!("{:?}", self.exhaustive_inputs),
                "each m must be in 2..=6",
            ));
        }
        if !(1..=4).contains(&self.exhaustive_max_width) || !(1..=8).contains(&self.exhaustive_max_outputs) {
            return Err(invalid(
                "exhaustive sizes",
                format!(
                    "width {}, m′ {}",
                    self.exhaustive_max_width, self.exhaustive_max_outputs
                ),
                "need width in 1..=4 and m′ in 1..=8",
            ));
        }
        if self.capacity_widths.iter().any(|&n| !(16..=1 << 16).contains(&n)) {
            return Err(invalid(
                "capacity widths",
                format!("{:?}", self.capacity_widths),
                "each width must be in 16..=65536",
            ));
        }
        if self
            .probe_sizes
            .iter()
            .chain(&self.chernoff_sizes)
            .chain(&self.description_sizes)
            .any(|&s| !(4..=24).contains(&s))
        {
            return Err(invalid(
                "lower-bound sizes",
                format!("{:?}", self.probe_sizes),
                "log₂ sizes must be in 4..=24",
            ));
        }
        if self.probe_factors.is_empty()
            || self
                .chernoff_factors
                .iter()
                .chain(&self.probe_factors)
                .any(|&f| f.is_nan() || f <= 0.0)
        {
            return Err(invalid(
                "width factors",
                format!("{:?}", self.probe_factors),
                "need at least one positive factor",
            ));
        }
        Ok(())
    }
}

impl ScaleConfig {
    /// The configuration of a scale at sparsity k.
    pub fn new(scale: Scale, k: usize) -> Self {
        let range = |a: u32, b: u32| (a..=b).collect::<Vec<_>>();
        let base = Self {
            k,
            delta: 0.05,
            samples: 200,
            representation_samples: 500,
            seeds: 3,
            and2_sizes: range(8, 14),
            representation_sizes: range(8, 18),
            sweep_sizes: vec![8, 10, 12, 14],
            sweep_factors: vec![0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5],
            sweep_seeds: 2,
            uncentered_sizes: vec![8, 10],
            uniform_sizes: vec![10, 12],
            gaussian_sizes: vec![8, 10, 12],
            precision: 0.02,
            bootstrap: 1000,
            lower: LowerBoundConfig::new(scale),
            influence: influence::InfluenceConfig::new(scale),
            worst_case: worst_case::WorstCaseConfig::new(scale),
            permutation: permutation::PermutationConfig::new(scale),
            u_and: u_and::UAndConfig::new(scale),
            depth2: depth2::Depth2Config::new(scale),
            trained: trained::TrainedConfig::new(scale),
        };
        match scale {
            Scale::Quick => base,
            Scale::Standard => Self {
                samples: 400,
                representation_samples: 1000,
                seeds: 5,
                and2_sizes: range(8, 18),
                representation_sizes: range(8, 20),
                sweep_sizes: vec![8, 10, 12, 14, 16, 18],
                uncentered_sizes: vec![8, 10, 12],
                uniform_sizes: vec![10, 12, 14, 16],
                ..base
            },
            Scale::Full => Self {
                samples: 1000,
                representation_samples: 2000,
                seeds: 5,
                and2_sizes: range(8, 22),
                // SPEC §4.1 asks for m = 2⁸…2²⁰; the gap check needs every AS-2AND size.
                representation_sizes: range(8, 22),
                sweep_sizes: vec![8, 12, 16, 20],
                uncentered_sizes: vec![8, 10, 12, 14],
                uniform_sizes: vec![10, 12, 14, 16, 18, 20],
                ..base
            },
        }
    }

    /// The fewest inputs m that a check selected by `selected` (given its id) draws k-sparse
    /// samples from, and that check's id (the exhaustive enumeration, which takes every input
    /// set of at most k, samples nothing).
    pub fn fewest_sampled_inputs(&self, selected: impl Fn(&str) -> bool) -> (u64, &'static str) {
        let lists: [(&[u32], &'static str); 12] = [
            (&self.representation_sizes, "representation"),
            (&self.and2_sizes, "and2-upper"),
            (&self.lower.probe_sizes, "probe-decoder"),
            (&self.lower.chernoff_sizes, "chernoff"),
            (&self.lower.description_sizes, "description-length"),
            (&self.influence.sizes, "influence"),
            (&self.worst_case.sizes, "worst-case"),
            (&self.permutation.sizes, "permutation"),
            (&self.u_and.sizes, "u-and"),
            (&self.depth2.sizes, "depth-2"),
            (&self.trained.tied_sizes, "trained"),
            (&self.trained.free_sizes, "trained"),
        ];
        lists
            .iter()
            .filter(|(_, id)| selected(id))
            .flat_map(|(sizes, id)| sizes.iter().map(move |&s| (1u64 << s.min(63), *id)))
            .min_by_key(|&(m, _)| m)
            .unwrap_or((u64::MAX, "none"))
    }

    /// Refuses a k that a selected check could never draw: a sample has k distinct active
    /// inputs, so k above the fewest inputs a selected check samples from would make its
    /// sampler wait forever.
    pub fn validate_k(&self, selected: impl Fn(&str) -> bool) -> Result<()> {
        let (fewest, check) = self.fewest_sampled_inputs(selected);
        if self.k as u64 > fewest {
            return Err(invalid(
                "k",
                self.k,
                format!(
                    "a sample has k distinct active inputs, and check {check} samples from m = {fewest} \
                     inputs at this scale: give k ≤ {fewest}"
                ),
            ));
        }
        Ok(())
    }

    /// Refuses values outside the ranges where the check is defined, naming the field.
    pub fn validate(&self) -> Result<()> {
        self.lower.validate()?;
        self.influence.validate()?;
        self.worst_case.validate()?;
        self.permutation.validate()?;
        self.u_and.validate()?;
        self.depth2.validate()?;
        self.trained.validate()?;
        if self.k < 2 {
            return Err(invalid("k", self.k, "2-AND needs at least 2 active inputs per sample"));
        }
        if !(self.delta > 0.0 && self.delta < 1.0) {
            return Err(invalid("delta", self.delta, "must be in (0, 1)"));
        }
        if let Some(missing) = self.and2_sizes.iter().find(|s| !self.representation_sizes.contains(s)) {
            return Err(invalid(
                "representation sizes",
                missing,
                "must include every AS-2AND size (gap check)",
            ));
        }
        if self
            .and2_sizes
            .iter()
            .chain(&self.representation_sizes)
            .any(|&s| !(4..=30).contains(&s))
        {
            return Err(invalid(
                "sizes",
                format!("{:?}", self.and2_sizes),
                "log₂ sizes must be in 4..=30",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_written_before_the_lower_bound_checks_still_load() {
        let config = ScaleConfig::new(Scale::Standard, 4);
        let mut value = serde_json::to_value(&config).unwrap();
        value.as_object_mut().unwrap().remove("lower");
        let loaded: ScaleConfig = serde_json::from_value(value).unwrap();
        assert_eq!(loaded.lower, LowerBoundConfig::default());
        assert_eq!(loaded.lower, LowerBoundConfig::new(Scale::Quick));
        assert_eq!(loaded.and2_sizes, config.and2_sizes);
        // Partial lower-bound sections fill the rest from the defaults.
        let partial: LowerBoundConfig = serde_json::from_str(r#"{"probe_sizes": [9]}"#).unwrap();
        assert_eq!(partial.probe_sizes, vec![9]);
        assert_eq!(partial.capacity_widths, LowerBoundConfig::default().capacity_widths);
    }

    #[test]
    fn bad_lower_bound_sizes_are_refused() {
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.lower.exhaustive_inputs = vec![7];
        assert!(config.validate().unwrap_err().to_string().contains("2..=6"));
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.lower.capacity_widths = vec![8];
        assert!(config.validate().is_err());
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.lower.probe_factors = vec![];
        assert!(config.validate().is_err());
        assert!(ScaleConfig::new(Scale::Full, 4).validate().is_ok());
    }

    /// `--k 100000` used to hang a sampler waiting for 100000 distinct inputs among 256.
    #[test]
    fn k_above_the_fewest_sampled_inputs_is_refused_naming_the_check() {
        let all = |_: &str| true;
        let config = ScaleConfig::new(Scale::Quick, 4);
        let (fewest, check) = config.fewest_sampled_inputs(all);
        assert_eq!(
            (fewest, check),
            (64, "u-and"),
            "quick's smallest sampled m is U-AND's 2⁶"
        );
        assert!(ScaleConfig::new(Scale::Quick, 64).validate_k(all).is_ok());
        let err = ScaleConfig::new(Scale::Quick, 65)
            .validate_k(all)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("k = 65") && err.contains("u-and") && err.contains("k ≤ 64"),
            "{err}"
        );
        // Only the selected checks count: representation alone samples from 2⁸ inputs up.
        let only = |id: &str| id == "representation";
        assert!(ScaleConfig::new(Scale::Quick, 200).validate_k(only).is_ok());
        let err = ScaleConfig::new(Scale::Quick, 100_000)
            .validate_k(only)
            .unwrap_err()
            .to_string();
        assert!(err.contains("representation") && err.contains("k ≤ 256"), "{err}");
        // The exhaustive enumeration samples nothing.
        assert!(
            ScaleConfig::new(Scale::Quick, 100_000)
                .validate_k(|id| id == "exhaustive")
                .is_ok()
        );
    }
}
