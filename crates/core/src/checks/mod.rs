//! The claims `verify-bounds` checks (SPEC §4), each producing a PASS/FAIL verdict with the
//! measured figure beside the theory, plus one [`Record`] per measurement.
//!
//! Checks run in order: `representation` (R1), `and2-upper` (T3), `lower-sanity` (T1/T2 on
//! every network built), `gap` (representing vs computing). Each criterion is stated in the
//! check's `theory` string and fixed before any run: a check is never tuned until it passes.

mod and2_upper;
mod gap;
mod lower_sanity;
mod representation;

use std::collections::BTreeMap;
use std::time::Instant;

pub use and2_upper::and2_search;

use serde::{Deserialize, Serialize};

use crate::error::{Result, invalid};
use crate::eval::SampleSpec;
use crate::results::{LineFit, Record, RunConfig, RunResults, Status};
use crate::rng::stream;
use crate::sample::InputDistribution;
use crate::stats::bootstrap_line;

/// How much work a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// CI: under 2 minutes on 2 cores, m′ up to 2¹⁴.
    Quick,
    /// Default: under 10 minutes, m′ up to 2¹⁸.
    Standard,
    /// m′ up to 2²⁰ and beyond.
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
    /// log₂ m at which the Gaussian (JL) code's d* is measured beside the Bloom code's.
    #[serde(default)]
    pub gaussian_sizes: Vec<u32>,
    /// Relative precision of width searches.
    pub precision: f64,
    /// Bootstrap resamples for fitted exponents.
    pub bootstrap: usize,
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
            gaussian_sizes: vec![8, 10, 12],
            precision: 0.02,
            bootstrap: 1000,
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
                ..base
            },
            Scale::Full => Self {
                samples: 1000,
                representation_samples: 2000,
                seeds: 5,
                and2_sizes: range(8, 20),
                representation_sizes: range(8, 24),
                sweep_sizes: vec![8, 12, 16, 20],
                uncentered_sizes: vec![8, 10, 12, 14],
                ..base
            },
        }
    }

    fn validate(&self) -> Result<()> {
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

/// Receives records as they are made (to stream them to disk) and progress.
pub trait Observer {
    /// A measurement was made.
    fn record(&mut self, record: &Record);
    /// `done` of `total` units of the current check are finished.
    fn progress(&mut self, check: &str, done: u64, total: u64, message: &str);
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn record(&mut self, _: &Record) {}
    fn progress(&mut self, _: &str, _: u64, _: u64, _: &str) {}
}

/// Lower-bound sanity of every network built (check `lower-sanity`).
#[derive(Debug, Clone, Copy, Default)]
struct SanityTally {
    networks: u64,
    violations: u64,
    min_margin_bits: f64,
    min_neuron_ratio: f64,
}

/// Runs checks at one scale.
pub struct Runner<'a> {
    config: ScaleConfig,
    seed: u64,
    observer: &'a mut dyn Observer,
    records: Vec<Record>,
    tally: SanityTally,
    /// Median d*(m) per log₂ m.
    representation_medians: BTreeMap<u32, f64>,
    /// n*(m′) per seed, per log₂ m′ (centering on).
    and2_widths: BTreeMap<u32, Vec<f64>>,
}

/// The ids of the checks, in run order.
pub const CHECK_IDS: [&str; 4] = ["representation", "and2-upper", "lower-sanity", "gap"];

impl<'a> Runner<'a> {
    /// A runner for `config` under master `seed`.
    pub fn new(config: ScaleConfig, seed: u64, observer: &'a mut dyn Observer) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            config,
            seed,
            observer,
            records: Vec::new(),
            tally: SanityTally {
                min_margin_bits: f64::INFINITY,
                min_neuron_ratio: f64::INFINITY,
                ..Default::default()
            },
            representation_medians: BTreeMap::new(),
            and2_widths: BTreeMap::new(),
        })
    }

    /// Runs every check and returns the whole results file.
    pub fn run(mut self, scale: Scale, git: String) -> Result<RunResults> {
        let started = Instant::now();
        let mut checks = Vec::new();
        for id in CHECK_IDS {
            let t0 = Instant::now();
            let mut check = match id {
                "representation" => self.representation()?,
                "and2-upper" => self.and2_upper()?,
                "lower-sanity" => self.lower_sanity(),
                _ => self.gap(),
            };
            check.seconds = t0.elapsed().as_secs_f64();
            checks.push(check);
        }
        let c = &self.config;
        Ok(RunResults {
            scale: scale.name().into(),
            seed: self.seed,
            git,
            version: env!("CARGO_PKG_VERSION").into(),
            config: RunConfig {
                k: c.k,
                delta: c.delta,
                samples: c.samples,
                seeds: c.seeds,
                and2_log2_sizes: c.and2_sizes.clone(),
                representation_log2_sizes: c.representation_sizes.clone(),
                extra: serde_json::to_value(c).expect("config serializes"),
            },
            checks,
            records: self.records,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn emit(&mut self, record: Record) {
        self.observer.record(&record);
        self.records.push(record);
    }

    fn spec(&self, samples: u64, seed: u64, distribution: InputDistribution) -> SampleSpec {
        SampleSpec {
            k: self.config.k,
            distribution,
            samples,
            seed,
        }
    }

    fn fit(&self, groups: &[(f64, Vec<f64>)], domain: &str) -> Result<LineFit> {
        let mut rng = stream(self.seed, "bootstrap", u64::from(domain.len() as u32));
        bootstrap_line(groups, self.config.bootstrap, &mut rng).ok_or_else(|| {
            invalid(
                "sizes",
                groups.len(),
                format!("the {domain} fit needs at least two distinct sizes"),
            )
        })
    }
}

fn status(pass: bool) -> Status {
    if pass { Status::Pass } else { Status::Fail }
}
