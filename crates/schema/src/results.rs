//! Serializable result types: what `verify-bounds` writes and what reports read.
//!
//! A results file is one [`RunResults`]: the run's configuration, one [`CheckResult`] per
//! claim checked, and every measurement as a [`Record`]. Reports are rendered from this file
//! alone, so every figure a report shows must be derivable from it.

use serde::{Deserialize, Serialize};

use crate::checks::exhaustive::ExhaustiveRow;
pub use crate::checks::representation::RepresentationCode;
use crate::checks::{CheckDetail, CheckId};
use crate::chernoff::FailureBound;
pub use crate::measure::{FailureRate, LineFit, Resources};

/// Verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The measured figure agrees with the claim under the check's stated criterion.
    Pass,
    /// It does not; the report says why.
    Fail,
}

/// One claim checked: the printed PASS/FAIL line plus its typed detail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    /// Which check (`id` in JSON) and its figures (`detail`): fits, constants, criteria.
    #[serde(flatten)]
    pub detail: CheckDetail,
    /// Verdict.
    pub status: Status,
    /// The measured figure, human-readable (e.g. `exponent 0.55 [0.51, 0.60]`).
    pub measured: String,
    /// What theory says, human-readable (e.g. `n* = O(√m′·log m′): exponent ≤ 0.65`).
    pub theory: String,
    /// Wall time of the check, seconds.
    pub seconds: f64,
}

/// One measurement. Tagged by `kind` in JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// Failure rate of the representation construction R at one width.
    RepresentationProbe {
        /// m, the number of features represented.
        m: u64,
        /// Seed of the code and samples.
        seed: u64,
        /// d, the representation width.
        width: usize,
        /// t, code neurons per feature.
        t: usize,
        /// Measured failure.
        failure: FailureRate,
        /// The code measured: the Bloom code, or the negative control's folded one-hot code
        /// (absent in results written before controls: the Bloom code).
        #[serde(default)]
        code: RepresentationCode,
    },
    /// Minimal representation width d*(m) found by search, for one seed.
    RepresentationMinWidth {
        /// m.
        m: u64,
        /// Seed.
        seed: u64,
        /// d*.
        width: usize,
        /// t used at d*.
        t: usize,
        /// Failure at d*.
        failure: FailureRate,
        /// The code measured (absent in results written before controls: the Bloom code).
        #[serde(default)]
        code: RepresentationCode,
    },
    /// Minimal width of the Gaussian (JL) representation, the dense-code comparison for R1.
    GaussianRepresentationMinWidth {
        /// m.
        m: u64,
        /// Seed.
        seed: u64,
        /// d* of the Gaussian code.
        width: usize,
        /// Failure at d*.
        failure: FailureRate,
    },
    /// Failure rate of AS-2AND at one width.
    And2Probe {
        /// Which measurement this probe served: `search` or `sweep`.
        purpose: String,
        /// m′, the number of pairs computed.
        m_prime: u64,
        /// m, the number of input features.
        m: u64,
        /// Seed of instance, codes and samples.
        seed: u64,
        /// Input code neurons per feature.
        t_in: usize,
        /// Output code neurons per output.
        t_out: usize,
        /// Whether centering (SPEC §3 step 4) was on.
        centering: bool,
        /// Resources of the network probed.
        resources: Resources,
        /// Measured failure.
        failure: FailureRate,
    },
    /// Minimal hidden width n*(m′) of AS-2AND found by search, for one seed.
    And2MinWidth {
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Seed.
        seed: u64,
        /// Whether centering was on.
        centering: bool,
        /// Resources of the network at n*.
        resources: Resources,
        /// Failure at n*, on the samples that selected n*.
        failure: FailureRate,
        /// Failure at n* on fresh samples, all of them evaluated (absent from results written
        /// before it was measured).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        validation: Option<FailureRate>,
    },
    /// A minimal AS-2AND width under uniformly random k-sparse inputs (no planted pairs), on
    /// the same instance and codes as the planted search of the same seed (`and2-upper`).
    And2UniformWidth {
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Code seed.
        seed: u64,
        /// Resources of the network at n*_uniform.
        resources: Resources,
        /// Failure at n*_uniform on the samples that selected it.
        failure: FailureRate,
        /// Failure at n*_uniform on fresh uniform samples.
        validation: FailureRate,
    },
    /// Lower-bound sanity of one built network (check `lower-sanity`).
    LowerSanity {
        /// Which construction (e.g. `as-2and`).
        network: String,
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Seed.
        seed: u64,
        /// Parameter bits of the network.
        parameter_bits: u64,
        /// log₂ of the number of instances of its class.
        log2_instances: f64,
        /// Neurons of the network.
        neurons: usize,
        /// Fewest neurons any one-hidden-layer network at the same bits per weight could
        /// have and still carry log₂(#instances) bits.
        neuron_bound: f64,
    },
    /// One probe-decoder run on one built network (check `probe-decoder`; its wall time is in
    /// the check's detail, since records must not depend on the machine).
    ProbeDecoder {
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Seed of the network's codes.
        seed: u64,
        /// Hidden width n of the decoded network.
        hidden_width: usize,
        /// n / n*(m′) for this instance.
        width_factor: f64,
        /// 1-sparse probes of the hidden layer (m).
        one_sparse_probes: u64,
        /// 2-sparse probes through the whole network.
        two_sparse_probes: u64,
        /// What sweeping every pair would cost, C(m, 2).
        naive_probes: u64,
        /// Probes the network answered wrongly (judged against the instance, by the check).
        wrong_probes: u64,
        /// Outputs whose decoded pair differs from the instance's.
        mismatches: u64,
        /// Outputs switched on by several probes.
        ambiguous: u64,
        /// Outputs no probe switched on.
        silent: u64,
        /// Whether the candidate pairs exceeded the probe budget (64 per output), so nothing
        /// was probed.
        over_budget: bool,
    },
    /// Exhaustive enumeration of tiny networks at one (readout, m, n, m′) (check `exhaustive`).
    Exhaustive {
        /// The row (see `exhaustive::ExhaustiveRow`).
        row: ExhaustiveRow,
        /// k: exactness is required on every input with at most k ones.
        k: usize,
        /// Distinct fire sets one neuron realises over that domain.
        neuron_types: usize,
    },
    /// The largest m′ AS-2AND computes at failure ≤ δ at one hidden width (check `capacity`).
    Capacity {
        /// n, hidden width (input width equal).
        hidden_width: usize,
        /// Seed of the run at this width.
        seed: u64,
        /// Largest m′ found to pass (0 if none did).
        m_prime_max: u64,
        /// Smallest m′ found to fail above it.
        m_prime_failing: u64,
        /// Resources of the network at `m_prime_max`.
        resources: Option<Resources>,
        /// Failure at `m_prime_max`.
        failure: Option<FailureRate>,
        /// log₂ C(C(m′,2), m′) at `m_prime_max` (m = m′).
        log2_instances: f64,
        /// Counting capacity of the network's own parameter bits (theory::and2_capacity).
        counting_capacity: u64,
    },
    /// A measured AS-2AND failure rate beside the analytic bound (check `chernoff`).
    Chernoff {
        /// Where the rate was measured: `search`, `sweep`, `capacity` or `chernoff`.
        source: String,
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Hidden width n.
        hidden_width: usize,
        /// Input width n_in.
        input_width: usize,
        /// t_in.
        t_in: usize,
        /// t_out.
        t_out: usize,
        /// Measured failure.
        failure: FailureRate,
        /// The bound and its terms.
        bound: FailureBound,
    },
    /// Description size of one network at n* against log₂(#instances) (check
    /// `description-length`).
    DescriptionLength {
        /// m′.
        m_prime: u64,
        /// m.
        m: u64,
        /// Seed of the network's codes.
        seed: u64,
        /// Hidden width (n*).
        hidden_width: usize,
        /// Parameters (nonzero weights + biases + centering).
        parameters: u64,
        /// Parameters × their bits (`Resources::parameter_bits`).
        parameter_bits: u64,
        /// Entropy-coded size: empirical entropy of the dense weight numerators and of the
        /// centering numerators, plus their histograms and a header.
        entropy_bits: f64,
        /// Empirical entropy of one weight numerator, bits.
        weight_entropy: f64,
        /// log₂ C(C(m,2), m′).
        log2_instances: f64,
    },
    /// A measurement of check `influence` (the input channel).
    Influence(crate::checks::influence::InfluenceRecord),
    /// A measurement of check `worst-case` (adversarial inputs).
    WorstCase(crate::checks::worst_case::WorstCaseRecord),
    /// A measurement of check `permutation` (linear maps).
    Permutation(crate::checks::permutation::PermutationRecord),
    /// A measurement of check `u-and` (Hänni et al.'s ε-error construction).
    UAnd(crate::checks::u_and::UAndRecord),
    /// A measurement of check `depth-2` (two layers composed).
    Depth2(crate::checks::depth2::Depth2Record),
    /// A measurement of check `trained` (trained networks).
    Trained(crate::checks::trained::TrainedRecord),
}

/// Configuration of a run, recorded so a results file says how it was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunConfig {
    /// Sparsity k: active inputs per sample.
    pub k: usize,
    /// Target failure δ for minimal-width searches.
    pub delta: f64,
    /// Samples per failure-rate measurement.
    pub samples: u64,
    /// Seeds (instances) per size.
    pub seeds: u64,
    /// Sizes m′ (log₂) for AS-2AND.
    pub and2_log2_sizes: Vec<u32>,
    /// Sizes m (log₂) for the representation check.
    pub representation_log2_sizes: Vec<u32>,
    /// Everything else, by name.
    pub extra: serde_json::Value,
}

/// A whole results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResults {
    /// `quick`, `standard` or `full`.
    pub scale: String,
    /// Master seed.
    pub seed: u64,
    /// `git describe` of the code that ran, or `unknown`.
    pub git: String,
    /// Crate version of superposition-core.
    pub version: String,
    /// Configuration.
    pub config: RunConfig,
    /// One per check, in the order run.
    pub checks: Vec<CheckResult>,
    /// Every measurement.
    pub records: Vec<Record>,
    /// Total wall time, seconds.
    pub seconds: f64,
    /// Whether this is a negative-control run (`verify-bounds --negative-controls`): every
    /// check ran on its deliberately wrong input ([`CheckId::control`]) and must FAIL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negative_controls: bool,
}

impl CheckResult {
    /// The check this verdict is of.
    pub fn id(&self) -> CheckId {
        self.detail.id()
    }
}

impl RunResults {
    /// (passed, run) over the checks of `kind`: claims and invariants are counted apart, since
    /// an invariant holding is no evidence for the paper.
    pub fn tally(&self, kind: crate::checks::Kind) -> (usize, usize) {
        let of_kind = self.checks.iter().filter(|c| c.id().kind() == kind);
        let passed = of_kind.clone().filter(|c| c.status == Status::Pass).count();
        (passed, of_kind.count())
    }

    /// The verdict of check `id`, if it ran.
    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id() == id)
    }
}
