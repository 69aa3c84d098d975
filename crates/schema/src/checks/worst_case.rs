//! Schema of check `worst-case`: its configuration and records.

use serde::{Deserialize, Serialize};

use crate::config::Scale;
use crate::error::{Result, invalid};
use crate::measure::{FailureRate, LineFit, Resources};
use crate::shape::SqrtLogFit;

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
    /// The certified search (issue 13): log₂ m′ measured at the run's k.
    pub cert_sizes: Vec<u32>,
    /// log₂ m′ at which every k of `cert_ks` is measured.
    pub cert_k_sizes: Vec<u32>,
    /// The k measured at `cert_k_sizes` (the run's k is always measured).
    pub cert_ks: Vec<usize>,
    /// Instances (seeds) per size and k: the first ones of `and2-upper`'s.
    pub cert_seeds: u64,
    /// The search's cap on total neurons n_in + n, in units of √m′·log₂ m′; a (size, k, seed)
    /// with no certified width below it is censored.
    pub cert_cap_units: f64,
    /// Search nodes per half of each output before it is undecided (then not certified).
    pub cert_budget: u64,
    /// Relative precision of the certified width search.
    pub cert_precision: f64,
    /// The parameter points of the certified search ([`CertPoint::all`] or some of them).
    pub cert_points: Vec<CertPoint>,
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
            cert_sizes: vec![8, 10],
            cert_k_sizes: vec![8],
            cert_ks: vec![2, 4],
            cert_seeds: 1,
            cert_cap_units: 48.0,
            cert_budget: 200_000,
            cert_precision: 0.08,
            cert_points: CertPoint::all()
                .into_iter()
                .filter(|p| p.name != "tau1-fire1-long-wide")
                .collect(),
        };
        match scale {
            Scale::Quick => quick,
            Scale::Standard => Self {
                sizes: (8..=14).collect(),
                seeds: 3,
                targets: 64,
                max_width: 12288,
                cert_sizes: vec![8, 9, 10, 11, 12],
                cert_k_sizes: vec![8],
                cert_ks: vec![2, 3, 4, 6],
                cert_seeds: 2,
                ..quick
            },
            Scale::Full => Self {
                sizes: (8..=16).collect(),
                seeds: 5,
                targets: 128,
                max_width: 24576,
                cert_sizes: vec![8, 9, 10, 11, 12, 13, 14],
                cert_k_sizes: vec![8, 10, 12],
                cert_ks: vec![2, 3, 4, 6],
                cert_seeds: 3,
                cert_points: CertPoint::all(),
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
        if self.cert_sizes.len() < 2
            || self
                .cert_sizes
                .iter()
                .chain(&self.cert_k_sizes)
                .any(|s| !(4..=20).contains(s))
        {
            return Err(invalid(
                "worst-case certified sizes",
                format!("{:?} and {:?}", self.cert_sizes, self.cert_k_sizes),
                "need at least two log₂ sizes at the run's k, each size in 4..=20",
            ));
        }
        if self.cert_ks.iter().any(|&k| !(2..=16).contains(&k)) {
            return Err(invalid(
                "worst-case certified k",
                format!("{:?}", self.cert_ks),
                "each k must be in 2..=16",
            ));
        }
        if self.cert_seeds == 0 || self.cert_budget == 0 {
            return Err(invalid(
                "worst-case certified seeds and budget",
                format!("{} seeds, {} nodes", self.cert_seeds, self.cert_budget),
                "both must be at least 1",
            ));
        }
        if !(self.cert_cap_units >= 1.0 && self.cert_cap_units <= 1024.0) {
            return Err(invalid(
                "worst-case certified cap",
                self.cert_cap_units,
                "must be in [1, 1024] units of √m′·log₂ m′",
            ));
        }
        if !self.cert_points.iter().any(|p| p.searched) {
            return Err(invalid(
                "worst-case certified points",
                self.cert_points.len(),
                "need at least one searched parameter point",
            ));
        }
        if !(self.cert_precision > 0.0 && self.cert_precision < 1.0) {
            return Err(invalid(
                "worst-case certified precision",
                self.cert_precision,
                "must be in (0, 1)",
            ));
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
    /// The certified search of one parameter point (issue 13): the smallest hidden width at
    /// which the exact certifier proves every output right on every input with at most k active
    /// features.
    Certified {
        /// m′.
        m_prime: u64,
        /// k.
        k: usize,
        /// Seed (instance and codes, `and2-upper`'s).
        seed: u64,
        /// The parameter point's name ([`CertPoint::name`]).
        point: String,
        /// Hidden width n found; None when none up to the cap is certified (censored).
        hidden: Option<usize>,
        /// n_in + n at `hidden`.
        total: Option<usize>,
        /// The cap on n_in + n.
        cap_total: usize,
        /// (hidden width, every output certified) for every probe, in probe order.
        probes: Vec<(usize, bool)>,
        /// Certifier search nodes over the probes.
        nodes: u64,
    },
    /// One network certified at the average-case budget: AS-2AND at the total neurons of the
    /// defaults at n*_avg (2·n*_avg), with a parameter point's constants.
    AtAverage {
        /// m′.
        m_prime: u64,
        /// Seed.
        seed: u64,
        /// The parameter point.
        point: String,
        /// Hidden width n.
        hidden: usize,
        /// Input width n_in.
        input_width: usize,
        /// Every output certified.
        certified: bool,
        /// The first output not certified (most crowded first), its half and its
        /// counterexample (None: undecided within the budget).
        failure: Option<CertFailure>,
        /// Outputs decided before the sweep stopped.
        outputs_examined: usize,
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
    /// The certified search (issue 13); absent in results written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certified: Option<Box<CertifiedDetail>>,
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

/// One point of the certified search: AS-2AND's constants other than its widths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertPoint {
    /// Short name (records and tables).
    pub name: String,
    /// τ, the vote threshold as a fraction of t_out.
    pub tau: f64,
    /// t_in = t_out = round(t_factor·log₂ m′).
    pub t_factor: f64,
    /// n_in / n.
    pub input_ratio: f64,
    /// Whether rows are centered.
    pub centering: bool,
    /// θ, the hidden firing level.
    pub fire: f64,
    /// Whether the width is searched; a reference point (false) is certified at the cap
    /// first and searched only if certified there.
    pub searched: bool,
}

impl CertPoint {
    /// Every point the certified search knows, in report order. Why these: a lone endpoint a of
    /// j = (a, b) puts W u ≈ 1 on every row of j, so at θ = ½ the other active inputs need add
    /// only ½ (one more member of S_r, or half a code of input-code overlap), and at τ = ½ on half
    /// of j's rows only. τ = 1 asks for every row; θ = 1 fires only at W u ≥ 2; without centering
    /// no share is negative (no false negatives); a wider input layer thins the overlaps.
    pub fn all() -> Vec<CertPoint> {
        let point = |name: &str, tau, t_factor, input_ratio, centering, fire, searched| CertPoint {
            name: name.into(),
            tau,
            t_factor,
            input_ratio,
            centering,
            fire,
            searched,
        };
        vec![
            // The average case's constants (a reference: certified at the cap first).
            point("defaults", 0.5, 1.0, 1.0, true, 0.5, false),
            // The experiment: every row, a wider input layer (a reference too).
            point("tau1-wide", 1.0, 1.0, 2.0, true, 0.5, false),
            // Every row, fire at both endpoints, no negative shares.
            point("tau1-fire1", 1.0, 1.0, 1.0, false, 1.0, true),
            point("tau1-fire1-wide", 1.0, 1.0, 2.0, false, 1.0, true),
            // Longer codes: each row is one more chance for the adversary to miss.
            point("tau1-fire1-long-wide", 1.0, 1.5, 2.0, false, 1.0, true),
        ]
    }
}

/// An output the certifier did not certify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFailure {
    /// The output j.
    pub output: u32,
    /// `false_positive` or `false_negative`.
    pub half: String,
    /// The verified counterexample; None when the half was undecided within the budget.
    pub active: Option<Vec<u32>>,
}

/// One (m′, k) of the certified search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertifiedRow {
    /// m′.
    pub m_prime: u64,
    /// k.
    pub k: usize,
    /// The cap on n_in + n.
    pub cap_total: usize,
    /// n*_cert (total neurons, the best point) per seed; None where censored.
    pub seeds: Vec<Option<f64>>,
    /// The best point per seed.
    pub best_points: Vec<Option<String>>,
    /// Median n*_cert over seeds (a censored seed ranks above all); None when censored.
    pub median: Option<f64>,
    /// Median of 2·n*_avg (the defaults' total at `and2-upper`'s n*; the run's k only).
    pub avg_total: Option<f64>,
    /// median / avg_total.
    pub ratio: Option<f64>,
    /// median / (√m′·log₂ m′).
    pub c_upper: Option<f64>,
    /// Per point, its total per seed (None: censored).
    pub per_point: Vec<(String, Vec<Option<f64>>)>,
}

/// The fit of ln n*_cert against ln k at one m′.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KFit {
    /// m′.
    pub m_prime: u64,
    /// Slope b of n*_cert ∝ k^b, censored seeds at the cap (then a lower estimate); None with
    /// fewer than two k.
    pub fit: Option<LineFit>,
}

/// The PASS criteria of the certified search, each met or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertifiedCriteria {
    /// Every (size, seed) at the run's k certified below the cap.
    pub certified_below_cap: bool,
    /// The shape fit n*_cert = c·√m′·(log₂ m′)^a has a_hi ≤ 1.
    pub shape_bounded: bool,
}

/// The certified part of `worst-case`'s detail (issue 13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertifiedDetail {
    /// The parameter points searched.
    pub points: Vec<CertPoint>,
    /// The run's k (the sizes of the shape fit are measured at it).
    pub k: usize,
    /// Search nodes per half per output.
    pub budget: u64,
    /// Cap on total neurons in units of √m′·log₂ m′.
    pub cap_units: f64,
    /// Relative precision of the width search.
    pub precision: f64,
    /// One row per (m′, k), sizes then k in order.
    pub rows: Vec<CertifiedRow>,
    /// n*_cert = c·√m′·(log₂ m′)^a at the run's k (censored seeds at the cap, a lower end).
    pub shape: Option<SqrtLogFit>,
    /// ln n*_cert against ln m′ at the run's k.
    pub power_fit: Option<LineFit>,
    /// ln(n*_cert / 2·n*_avg) against ln log₂ m′ at the run's k: slope ½ is an extra √log m′.
    pub ratio_fit: Option<LineFit>,
    /// The k dependence at each k-size.
    pub k_fits: Vec<KFit>,
    /// (size, k, seed) without a certified width below the cap.
    pub censored: usize,
    /// Networks certified at the average case's total neurons.
    pub at_average: Vec<AtAverageRow>,
    /// The criteria.
    pub criteria: CertifiedCriteria,
    /// Certifier nodes over every probe of the search.
    pub nodes: u64,
}

/// One network certified at the average-case budget (see [`WorstCaseRecord::AtAverage`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtAverageRow {
    /// m′.
    pub m_prime: u64,
    /// The point.
    pub point: String,
    /// Hidden width n.
    pub hidden: usize,
    /// Input width n_in.
    pub input_width: usize,
    /// Every output certified.
    pub certified: bool,
    /// The first failure, if any.
    pub failure: Option<CertFailure>,
}
