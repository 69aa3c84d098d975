//! The training loop, the trainer's own exact evaluation, and the trained network as a file.
//!
//! [`Trainer::new`] validates the configuration and refuses, before allocating, a network whose
//! weights, gradients, Adam moments, batch buffers and export would exceed the memory budget
//! ([`Trainer::estimate_bytes`]). The instance and the codes come from the seed as `export`
//! draws them (`CodedParams::defaults(m′, width, seed)`: t_in = t_out = ⌈log₂ m′⌉, n_in = n,
//! vote at τ = ½), so a trained network and AS-2AND at the same seed and width compute the same
//! instance through the same codes. [`Trainer::step`] draws batch t from (seed, "train-batch",
//! t), takes the gradient and one AdamW step.
//!
//! [`Trainer::evaluate`] decides every neuron exactly as the file's reader does (z in f64 from
//! the f32 weights, fires iff z ≥ ½; the reader also flags decisions within its rounding bound
//! as failures), and [`Trainer::exact_failure`] draws the samples of `evaluate::eval` (chunk c
//! from (seed, "samples", c)), the same ones `evaluate::network_check::measure` draws at that
//! seed. [`Trainer::to_file`] writes the network (`tied` or `free`, f32) through
//! [`NetworkFile::new`].

use crate::base::code::{Csr, SubsetCode};
use crate::base::instance::And2Instance;
use crate::base::memory;
use crate::base::sample::{InputDistribution, sample_active};
use crate::constructions::coded::{CodedParams, Limits, vote_threshold};
use crate::error::{Result, invalid};
use crate::evaluate::eval::{SampleSpec, count_failures};
use crate::network::file::{
    Architecture, CodeSpec, Decoder, FORMAT, Header, Layer, LayerSpecs, NetworkFile, Numbers, Provenance,
    StoredInstance, TrainingRecord,
};
use crate::results::FailureRate;

use super::data::{Sampler, TrainDistribution};
use super::model::{Model, Params, TrainArchitecture, Workspace};
use super::optimizer::{AdamState, AdamW};
use super::{Loss, LossConfig};

/// Everything a training run needs besides the instance and the width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// Tied or free (with n_h).
    pub architecture: TrainArchitecture,
    /// k, active inputs per training sample.
    pub k: usize,
    /// Optimizer steps.
    pub steps: u64,
    /// B, samples per step.
    pub batch: usize,
    /// AdamW's hyper-parameters.
    pub optimizer: AdamW,
    /// The loss.
    pub loss: LossConfig,
    /// Planted, uniform or mixed training inputs.
    pub distribution: TrainDistribution,
    /// Seed of the initial weights and the batches.
    pub seed: u64,
}

/// What a finished run reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainSummary {
    /// Steps taken.
    pub steps: u64,
    /// The last batch's loss.
    pub last_loss: f64,
    /// The mean batch loss over the last tenth of the steps (at least one).
    pub final_loss: f64,
}

/// A network being trained, with its instance, codes, optimizer state and loss history.
#[derive(Debug, Clone)]
pub struct Trainer {
    sampler: Sampler,
    coded: CodedParams,
    hosted: Csr,
    config: TrainConfig,
    model: Model,
    grad: Params,
    /// The step's activation buffers, kept between steps.
    workspace: Workspace,
    state: AdamState,
    losses: Vec<f64>,
}

impl Trainer {
    /// Bytes a run needs: per parameter 4 f32 copies (weights, gradient, two moments) and the
    /// export (a transposed copy, the file's bytes and safetensors' copy, then the reader's
    /// f64 columns: 4 + 4 + 4 + 8), the batch buffers (5 f32 per neuron and sample), the codes
    /// and the pair index.
    pub fn estimate_bytes(inputs: usize, outputs: usize, width: usize, config: &TrainConfig) -> u64 {
        let parameters = Model::parameter_count(config.architecture, width, width);
        let rows1 = match config.architecture {
            TrainArchitecture::Tied => width,
            TrainArchitecture::Free { hidden } => hidden,
        } as u64;
        let t = CodedParams::defaults(outputs, width, 0).t_in as u64;
        let batch = config.batch as u64 * (rows1 + width as u64) * 5 * 4;
        let codes = (inputs as u64 + outputs as u64) * t * 4 * 3 + outputs as u64 * 48;
        parameters
            .saturating_mul(36)
            .saturating_add(batch)
            .saturating_add(codes)
    }

    /// A trainer for `instance` at output-code width n = `width` (input width n_in = n),
    /// codes and instance seeded by `config.seed`; refuses bad parameters and runs over the
    /// memory budget before allocating.
    pub fn new(instance: And2Instance, width: usize, config: TrainConfig) -> Result<Self> {
        validate(&instance, width, &config)?;
        let (m, m_out) = (instance.inputs(), instance.outputs());
        memory::check(
            || format!("training a {width}-wide network for {m_out} outputs"),
            Self::estimate_bytes(m, m_out, width, &config),
        )?;
        let coded = CodedParams::defaults(m_out, width, config.seed);
        coded.validate(&Limits {
            max_width: 1 << 24,
            width_reason: "widths above 2^24 are not supported",
            max_t_out: None,
            threshold_in_i32: false,
            fire_level: false,
        })?;
        let codes = coded.codes(m, m_out)?;
        let hosted = codes.1.inverted();
        let model = Model::init(config.architecture, width, width, config.k * coded.t_in, config.seed);
        let grad = model.params().zeros_like();
        let state = AdamState::new(model.params());
        Ok(Self {
            sampler: Sampler::new(instance, codes, config.k, config.distribution),
            coded,
            hosted,
            config,
            model,
            grad,
            workspace: Workspace::default(),
            state,
            losses: Vec::new(),
        })
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Warm start (issue 12 item 1, option): replaces the tied network's weights by AS-2AND's
    /// for the same instance, codes and width — W[r, q] = A[r, q] / t_in, the mass weight
    /// c_r = −|S_r| / n_in (centering), b_r = −1 — so that step 0 computes exactly what AS-2AND
    /// computes (in f32), and resets the Adam moments. Refuses the free architecture (AS-2AND
    /// has no free layer).
    pub fn warm_start_from_as2and(&mut self) -> Result<()> {
        if self.model.architecture() != TrainArchitecture::Tied {
            return Err(invalid(
                "warm start",
                "free",
                "only the tied architecture has AS-2AND's shape",
            ));
        }
        let network = crate::constructions::and2::And2Network::build(self.sampler.instance(), self.coded)?;
        assert!(
            network.input_code() == self.sampler.input_code() && network.output_code() == self.sampler.output_code(),
            "AS-2AND and the trainer draw their codes from the same parameters"
        );
        let (n, n_in) = (self.model.width(), self.model.input_width());
        let (t_in, centering) = (self.coded.t_in as f32, self.coded.centering);
        let p = self.model.params_mut();
        for q in 0..n_in {
            for r in 0..n {
                p.w1[q * n + r] = network.weight(r, q) as f32 / t_in;
            }
        }
        for r in 0..n {
            p.c1[r] = if centering {
                -(network.union_size(r) as f32) / n_in as f32
            } else {
                0.0
            };
            p.b1[r] = -1.0;
        }
        self.state = AdamState::new(self.model.params());
        Ok(())
    }

    /// The model, to change its weights after training (quantization, pruning).
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// The sampler (instance, codes, k, distribution).
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The batch losses so far, one per step.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// One step: batch t (t = steps taken so far), gradient, AdamW; returns the batch loss
    /// (before the update).
    pub fn step(&mut self) -> f64 {
        let t = self.losses.len() as u64;
        let batch = self.sampler.batch(self.config.seed, t, self.config.batch);
        let loss = self
            .model
            .loss_and_gradient_in(&batch, &self.config.loss, &mut self.grad, &mut self.workspace);
        self.config
            .optimizer
            .step(self.model.params_mut(), &self.grad, &mut self.state);
        self.losses.push(loss);
        loss
    }

    /// Runs the remaining steps of `config.steps`, calling `progress(step, loss)` after each.
    pub fn train(&mut self, mut progress: impl FnMut(u64, f64)) -> TrainSummary {
        while (self.losses.len() as u64) < self.config.steps {
            let loss = self.step();
            progress(self.losses.len() as u64, loss);
        }
        self.summary()
    }

    /// The summary of the steps taken so far.
    pub fn summary(&self) -> TrainSummary {
        let n = self.losses.len();
        let tail = &self.losses[n - (n / 10).max(1).min(n)..];
        TrainSummary {
            steps: n as u64,
            last_loss: self.losses.last().copied().unwrap_or(f64::NAN),
            final_loss: if tail.is_empty() {
                f64::NAN
            } else {
                tail.iter().sum::<f64>() / tail.len() as f64
            },
        }
    }

    /// The decoded on-outputs of `active` (distinct inputs), sorted, into `out`: neuron r fires
    /// iff its exact z_r ≥ ½ (f64 from the f32 weights), output j is on iff at least v of
    /// C_out(j) fire.
    pub fn evaluate(&self, active: &[u32], out: &mut Vec<u32>) {
        let example = self.sampler.example(active);
        let (mut hidden, mut z) = (Vec::new(), Vec::new());
        self.model
            .preactivations_f64(&example.columns, example.mass, &mut hidden, &mut z);
        let mut votes = std::collections::HashMap::<u32, usize>::new();
        for (r, &zr) in z.iter().enumerate() {
            if zr >= 0.5 {
                for &j in self.hosted.row(r) {
                    *votes.entry(j).or_default() += 1;
                }
            }
        }
        let v = self.coded.vote_threshold();
        out.clear();
        out.extend(votes.into_iter().filter(|&(_, c)| c >= v).map(|(j, _)| j));
        out.sort_unstable();
    }

    /// The exact failure of the current weights over `samples` fresh samples of `distribution`
    /// at the training k, from `seed`'s "samples" chunk streams (a sample fails if any output
    /// is wrong).
    pub fn exact_failure(&self, distribution: InputDistribution, samples: u64, seed: u64) -> FailureRate {
        self.exact_failure_against(
            self.sampler.instance(),
            self.sampler.pair_index(),
            distribution,
            samples,
            seed,
        )
    }

    /// [`Trainer::exact_failure`] judged against `instance` (with its pair index) instead of the
    /// instance trained on: samples drawn from `instance` and its true outputs as the reference
    /// (what a negative control trained on another instance is judged against).
    pub fn exact_failure_against(
        &self,
        instance: &And2Instance,
        index: &std::collections::HashMap<(u32, u32), u32>,
        distribution: InputDistribution,
        samples: u64,
        seed: u64,
    ) -> FailureRate {
        let spec = SampleSpec {
            k: self.config.k,
            distribution,
            samples,
            seed,
        };
        count_failures(&spec, None, |rng, state: &mut (Vec<u32>, Vec<u32>, Vec<u32>)| {
            let (active, got, expected) = state;
            sample_active(rng, instance, spec.k, distribution, active);
            self.evaluate(active, got);
            instance.true_outputs(index, active, expected);
            got != expected
        })
    }

    /// The trained network as a `superposition-network/1` file: `tied` (hidden = W, c, b) or
    /// `free` (hidden = W₁, c₁, b₁; output = W₂, b₂), f32, explicit codes (with the seed that
    /// regenerates them), the instance's pairs, the vote decoder at τ = ½, and the training
    /// record.
    pub fn to_file(&self, provenance: Provenance) -> Result<NetworkFile> {
        let model = &self.model;
        let p = model.params();
        let (n_in, n, rows1) = (model.input_width(), model.width(), model.rows1());
        let hidden = Layer {
            rows: rows1,
            cols: n_in,
            weight: Numbers::F32(row_major(&p.w1, rows1, n_in)),
            bias: Numbers::F32(p.b1.clone()),
            mass: Some(Numbers::F32(p.c1.clone())),
            denominator: None,
        };
        let (architecture, output, hidden_width) = match model.architecture() {
            TrainArchitecture::Tied => (Architecture::Tied, None, None),
            TrainArchitecture::Free { hidden } => {
                let layer = Layer {
                    rows: n,
                    cols: hidden,
                    weight: Numbers::F32(row_major(&p.w2, n, hidden)),
                    bias: Numbers::F32(p.b2.clone()),
                    mass: None,
                    denominator: None,
                };
                (Architecture::Free, Some(layer), Some(hidden))
            }
        };
        let (input_code, output_code) = (self.sampler.input_code(), self.sampler.output_code());
        let spec = |code: &SubsetCode| CodeSpec {
            width: code.width(),
            t: code.t(),
            seed: Some(self.coded.code_seed),
        };
        let c = &self.config;
        let summary = self.summary();
        let header = Header {
            format: FORMAT.into(),
            architecture,
            inputs: input_code.features(),
            outputs: output_code.features(),
            k: c.k,
            input_code: spec(input_code),
            output_code: spec(output_code),
            layers: LayerSpecs::default(),
            decoder: Some(Decoder::Vote {
                tau: self.coded.tau,
                votes: vote_threshold(self.coded.tau, self.coded.t_out),
            }),
            instance: None,
            construction: Some("trained".into()),
            provenance,
            training: Some(TrainingRecord {
                steps: summary.steps,
                batch: c.batch,
                learning_rate: f64::from(c.optimizer.learning_rate),
                weight_decay: f64::from(c.optimizer.weight_decay),
                loss: describe_loss(&c.loss.loss),
                positive_weight: f64::from(c.loss.positive_weight),
                distribution: c.distribution.as_str().into(),
                hidden: hidden_width,
                seed: c.seed,
                final_loss: Some(summary.final_loss).filter(|l| l.is_finite()),
            }),
        };
        NetworkFile::new(
            header,
            input_code.clone(),
            output_code.clone(),
            (Some(hidden), output),
            Some(StoredInstance::Pairs(self.sampler.instance().clone())),
        )
    }
}

/// `hinge(margin = γ)` or `logistic(scale = s)`.
pub fn describe_loss(loss: &Loss) -> String {
    match loss {
        Loss::Hinge { margin } => format!("hinge(margin = {margin})"),
        Loss::Logistic { scale } => format!("logistic(scale = {scale})"),
    }
}

/// The row-major copy of a column-major rows × cols matrix (the file stores rows).
fn row_major(columns: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; rows * cols];
    for q in 0..cols {
        for r in 0..rows {
            out[r * cols + q] = columns[q * rows + r];
        }
    }
    out
}

/// Refuses parameters no run can use, naming the flag's meaning.
fn validate(instance: &And2Instance, width: usize, config: &TrainConfig) -> Result<()> {
    let m = instance.inputs();
    if config.k < 2 || config.k > m {
        return Err(invalid(
            "k",
            config.k,
            format!("must be in 2..={m} (a pair needs two active inputs; m = {m})"),
        ));
    }
    if width == 0 {
        return Err(invalid("width", width, "must be at least 1"));
    }
    if let TrainArchitecture::Free { hidden: 0 } = config.architecture {
        return Err(invalid("hidden", 0, "the free hidden width n_h must be at least 1"));
    }
    if config.batch == 0 {
        return Err(invalid("batch", 0, "must be at least 1"));
    }
    let o = &config.optimizer;
    if !(o.learning_rate.is_finite() && o.learning_rate > 0.0) {
        return Err(invalid("learning rate", o.learning_rate, "must be finite and positive"));
    }
    for (name, beta) in [("beta1", o.beta1), ("beta2", o.beta2)] {
        if !(0.0..1.0).contains(&beta) {
            return Err(invalid(name, beta, "must be in [0, 1)"));
        }
    }
    if !(o.epsilon.is_finite() && o.epsilon > 0.0) {
        return Err(invalid("epsilon", o.epsilon, "must be finite and positive"));
    }
    if !(o.weight_decay.is_finite() && o.weight_decay >= 0.0 && o.learning_rate * o.weight_decay < 1.0) {
        return Err(invalid(
            "weight decay",
            o.weight_decay,
            "must be finite, non-negative and below 1/learning rate",
        ));
    }
    let (name, value) = match config.loss.loss {
        Loss::Hinge { margin } => ("margin", margin),
        Loss::Logistic { scale } => ("scale", scale),
    };
    if !(value.is_finite() && value > 0.0) {
        return Err(invalid(name, value, "must be finite and positive"));
    }
    let w = config.loss.positive_weight;
    if !(w.is_finite() && w > 0.0) {
        return Err(invalid("positive weight", w, "must be finite and positive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::evaluate::network_check::measure;
    use crate::network::Network as _;

    fn config(architecture: TrainArchitecture, steps: u64, batch: usize) -> TrainConfig {
        TrainConfig {
            architecture,
            k: 4,
            steps,
            batch,
            optimizer: AdamW {
                learning_rate: 1e-2,
                ..AdamW::default()
            },
            loss: LossConfig::default(),
            distribution: TrainDistribution::Planted,
            seed: 3,
        }
    }

    fn instance(m: usize) -> And2Instance {
        And2Instance::random(m, m, PairDistribution::Uniform, 3).unwrap()
    }

    /// The file's network, read back from the bytes the writer produced.
    fn read_back(trainer: &Trainer) -> (NetworkFile, crate::network::file::FileNetwork) {
        let written = trainer.to_file(Provenance::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trained.safetensors");
        written.write(&path).unwrap();
        let file = NetworkFile::read(&path).unwrap();
        assert_eq!(file, written);
        let network = file.network().unwrap();
        (file, network)
    }

    #[test]
    fn same_seed_gives_bit_identical_weights_on_one_and_two_threads() {
        for architecture in [TrainArchitecture::Tied, TrainArchitecture::Free { hidden: 40 }] {
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| {
                    // B = 70 is not a multiple of the 32-sample blocks: the ragged block too.
                    let mut trainer = Trainer::new(instance(48), 36, config(architecture, 12, 70)).unwrap();
                    trainer.train(|_, _| {});
                    (trainer.model().params().clone(), trainer.losses().to_vec())
                })
            };
            let (one, two) = (run(1), run(2));
            assert!(one.1.iter().all(|l| l.is_finite()) && one.1[0] > 0.0);
            assert_eq!(one, two, "{architecture:?}");
        }
    }

    #[test]
    fn the_written_file_decides_every_sample_as_the_trainer() {
        for architecture in [TrainArchitecture::Tied, TrainArchitecture::Free { hidden: 64 }] {
            let mut trainer = Trainer::new(instance(64), 96, config(architecture, 60, 64)).unwrap();
            trainer.train(|_, _| {});
            let (file, network) = read_back(&trainer);
            let resources = network.resources();
            assert_eq!(resources.parameters, trainer.model().parameters_counted());
            assert_eq!(resources.neurons, trainer.model().neurons_counted());
            let header = file.header();
            let record = header.training.as_ref().unwrap();
            assert_eq!((record.steps, record.batch, record.seed), (60, 64, 3));
            assert_eq!(header.construction.as_deref(), Some("trained"));
            assert_eq!(network.decoder(), Decoder::Vote { tau: 0.5, votes: 3 });
            let Some(StoredInstance::Pairs(pairs)) = file.instance() else {
                panic!("the pairs are stored")
            };
            assert_eq!(pairs, trainer.sampler().instance());
            for distribution in [InputDistribution::Planted, InputDistribution::Uniform] {
                let own = trainer.exact_failure(distribution, 600, 8);
                let read = measure(&network, file.instance().unwrap(), 4, distribution, 600, 8).unwrap();
                assert_eq!(read.failure.failures, own.failures, "{architecture:?} {distribution:?}");
                assert_eq!(read.uncertain_samples, 0);
                // Not vacuous: some samples right and some wrong after 60 steps.
                assert!(own.failures > 0 || distribution == InputDistribution::Uniform);
            }
            let mut rng = crate::rng::stream(5, "t", 0);
            let (mut active, mut own, mut read) = (Vec::new(), Vec::new(), Vec::new());
            let mut scratch = crate::network::file::FileScratch::default();
            let mut on = 0;
            for _ in 0..300 {
                sample_active(
                    &mut rng,
                    trainer.sampler().instance(),
                    4,
                    InputDistribution::Planted,
                    &mut active,
                );
                trainer.evaluate(&active, &mut own);
                network.evaluate_exact(&active, &mut scratch, &mut read);
                assert_eq!(own, read, "{architecture:?} on {active:?}");
                on += own.len();
            }
            assert!(on > 0);
        }
    }

    /// Training m = m′ = 64 (t = 6, k = 4, planted) at width 192 drives the exact failure on
    /// fresh samples, read through the written file, from 1 to at most ½.
    ///
    /// Why these numbers are not copied from a run: at initialisation no neuron can fire (z has
    /// standard deviation 0.1·√(Σ u_q²/(k·t_in)) ≤ 0.15, so z ≥ ½ is a 3σ event on a neuron
    /// and an output needs v = 3 of them), and every planted sample has an output on, so the
    /// initial failure is 1 by construction; ½ is the criterion "well below": most fresh
    /// samples computed exactly, every one of the m′ outputs right. The width is three times
    /// m′ because the codes at m′ = 64 are crowded (AS-2AND itself fails most planted samples
    /// at that width; the failure of an untrained network is what the test compares with).
    #[test]
    fn training_drives_the_exact_failure_of_the_file_well_below_its_initial_value() {
        let mut trainer = Trainer::new(instance(64), 192, config(TrainArchitecture::Tied, 600, 64)).unwrap();
        let failure = |trainer: &Trainer| {
            let (file, network) = read_back(trainer);
            measure(
                &network,
                file.instance().unwrap(),
                4,
                InputDistribution::Planted,
                1000,
                21,
            )
            .unwrap()
            .failure
            .rate
        };
        let initial = failure(&trainer);
        assert!(initial >= 0.99, "{initial}");
        let summary = trainer.train(|_, _| {});
        let trained = failure(&trainer);
        assert!(
            trained <= 0.5,
            "failure {initial} → {trained}, loss {}",
            summary.final_loss
        );
    }

    /// Warm-started, the tied network decides every sample as AS-2AND at the same width and
    /// seed does (before any step), and the free architecture is refused.
    #[test]
    fn a_warm_start_computes_what_as_2and_computes() {
        use crate::constructions::and2::{And2Network, And2Params, Scratch};
        let mut trainer = Trainer::new(instance(64), 160, config(TrainArchitecture::Tied, 0, 8)).unwrap();
        trainer.warm_start_from_as2and().unwrap();
        let network = And2Network::build(trainer.sampler().instance(), And2Params::defaults(64, 160, 3)).unwrap();
        let mut rng = crate::rng::stream(9, "t", 0);
        let (mut active, mut own, mut reference, mut scratch) =
            (Vec::new(), Vec::new(), Vec::new(), Scratch::default());
        let mut on = 0;
        for s in 0..400 {
            let distribution = [InputDistribution::Planted, InputDistribution::Uniform][s % 2];
            sample_active(&mut rng, trainer.sampler().instance(), 4, distribution, &mut active);
            trainer.evaluate(&active, &mut own);
            network.evaluate(&active, &mut scratch, &mut reference);
            assert_eq!(own, reference, "on {active:?}");
            on += own.len();
        }
        assert!(on > 0);
        let mut free = Trainer::new(instance(64), 160, config(TrainArchitecture::Free { hidden: 32 }, 0, 8)).unwrap();
        assert!(free.warm_start_from_as2and().unwrap_err().to_string().contains("tied"));
    }

    #[test]
    fn bad_parameters_are_refused_with_their_name() {
        let refuse = |width: usize, change: &dyn Fn(&mut TrainConfig)| {
            let mut c = config(TrainArchitecture::Tied, 1, 8);
            change(&mut c);
            Trainer::new(instance(32), width, c).unwrap_err().to_string()
        };
        assert!(refuse(16, &|c| c.k = 1).contains("invalid parameter k = 1"));
        assert!(refuse(16, &|c| c.batch = 0).contains("batch = 0"));
        assert!(refuse(16, &|c| c.architecture = TrainArchitecture::Free { hidden: 0 }).contains("hidden = 0"));
        assert!(refuse(16, &|c| c.optimizer.learning_rate = f32::NAN).contains("learning rate"));
        assert!(refuse(16, &|c| c.loss.loss = Loss::Hinge { margin: -1.0 }).contains("margin"));
        assert!(refuse(3, &|_| {}).contains("t_in"));
        let err = refuse(1 << 23, &|_| {});
        assert!(err.contains("memory budget") && err.contains("training"), "{err}");
    }
}
