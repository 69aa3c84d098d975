//! Any network file held against the bounds: what `cargo xtask check` measures.
//!
//! - [`measure`]: failure over random k-sparse samples of one input distribution (the chunk
//!   streams of [`crate::evaluate::eval`], so a network exported from a construction fails the
//!   same samples here as in verify-bounds at the same seed), with the errors per output by how
//!   many of its inputs are active, samples with an uncertain decision counted as failures
//!   (f32 weights) and the smallest margin; a depth-2 circuit's planted samples are
//!   `sample_circuit_active`'s (half plant a gate, half ⌊k/2⌋ layer-1 pairs), and a gate's
//!   "inputs" are its two layer-1 outputs ([`Classes`]);
//! - [`measure_samples`]: the same on given samples (a samples file), listing every failed row;
//! - [`adversary`]: the worst-case adversary of [`crate::evaluate::adversary`] on an integer
//!   `tied` network with the vote decoder, whose rows are additive over inputs exactly
//!   ([`FileRows`]);
//! - [`check`]: all of it, with the resources and the bounds at the network's m′, as a
//!   [`NetworkCheck`].

use std::time::Instant;

use rayon::prelude::*;

use crate::base::circuit::{GateKind, sample_circuit_active};
use crate::base::code::SubsetCode;
use crate::base::sample::{InputDistribution, sample_active, sample_uniform_fill};
use crate::error::{Result, invalid};
use crate::evaluate::adversary::{AdversaryConfig, attack};
use crate::evaluate::eval::CHUNK;
use crate::network::file::{
    Architecture, Decoder, FileNetwork, FileScratch, Layer, NetworkFile, Numbers, StoredInstance,
};
use crate::network::{AdditiveRows, Network, Truth};
use crate::rng::{Rng, stream};
use crate::stats::failure_rate;
use crate::theory;
use superposition_schema::measure::ConditionalErrors;
pub use superposition_schema::network_check::*;

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// k, active inputs per sample.
    pub k: usize,
    /// Random samples per distribution.
    pub samples: u64,
    /// The input distributions measured (planted needs a 2-AND instance).
    pub distributions: Vec<InputDistribution>,
    /// Seed of the sample streams and the adversary.
    pub seed: u64,
    /// δ.
    pub delta: f64,
    /// Adversary targets (0: do not run it).
    pub targets: usize,
    /// Adversary restarts per target.
    pub restarts: usize,
}

/// A construction's reference figures from a verify-bounds run: (m′, median n*) by increasing
/// m′.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reference {
    /// The results file read.
    pub path: Option<String>,
    /// `AS-2AND` or `AS-PERM`.
    pub construction: Option<String>,
    /// AS-2AND's median n* per size.
    pub widths: Vec<(u64, f64)>,
}

/// How many of output j's inputs are active (2: all, a pair on or a source on), and the classes
/// of a sample: (outputs with one input active, with none), given the number on.
///
/// For a circuit, a gate's inputs are its two layer-1 outputs (true layer-1 ANDs): the class is
/// 2 when the gate is on ("pair on" = gate true, AND or OR), else how many of its layer-1
/// outputs are on (1 only for an AND gate: an OR gate with one on is on).
struct Classes<'a> {
    instance: &'a StoredInstance,
    influence: Option<Vec<u32>>,
}

impl<'a> Classes<'a> {
    fn new(instance: &'a StoredInstance) -> Self {
        let influence = match instance {
            StoredInstance::Pairs(i) => Some(i.influence()),
            _ => None,
        };
        Self { instance, influence }
    }

    /// (one endpoint active, none active) among the m′ outputs of a sample with `on` true;
    /// `layer1` is a circuit's true layer-1 outputs (sorted).
    fn split(&self, active: &[u32], layer1: &[u32], on: u64) -> (u64, u64) {
        let outputs = Truth::outputs(self.instance) as u64;
        match (&self.influence, self.instance) {
            (Some(influence), _) => {
                let touching: u64 = active.iter().map(|&a| u64::from(influence[a as usize])).sum();
                let one = touching - 2 * on;
                (one, outputs - on - one)
            }
            (None, StoredInstance::Circuit(c)) => {
                let half_on = |&g: &u32| {
                    let gate = c.gates()[g as usize];
                    let both = layer1.binary_search(&gate.left).is_ok() && layer1.binary_search(&gate.right).is_ok();
                    gate.kind == GateKind::And && !both
                };
                let one = layer1
                    .iter()
                    .map(|&j| c.readers(j as usize).iter().filter(|g| half_on(g)).count() as u64)
                    .sum::<u64>();
                (one, outputs - on - one)
            }
            (None, _) => (0, outputs - on),
        }
    }

    /// 2 when output j is on (pair on, a source on, a gate on), else its active endpoints (0 or
    /// 1; a gate's endpoints are its layer-1 outputs, on in `layer1`).
    fn endpoints(&self, j: u32, active: &[u32], layer1: &[u32], expected: &[u32]) -> u8 {
        match self.instance {
            StoredInstance::Pairs(i) => {
                let (a, b) = i.pairs()[j as usize];
                u8::from(active.contains(&a)) + u8::from(active.contains(&b))
            }
            StoredInstance::Circuit(c) if expected.binary_search(&j).is_err() => {
                let gate = c.gates()[j as usize];
                u8::from(layer1.binary_search(&gate.left).is_ok()) + u8::from(layer1.binary_search(&gate.right).is_ok())
            }
            _ => 2 * u8::from(expected.binary_search(&j).is_ok()),
        }
    }
}

/// One chunk's tally.
#[derive(Debug, Clone, Copy)]
struct Tally {
    failures: u64,
    uncertain: u64,
    errors: ConditionalErrors,
    margin: f64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            failures: 0,
            uncertain: 0,
            errors: ConditionalErrors::default(),
            margin: f64::INFINITY,
        }
    }
}

impl Tally {
    fn merge(self, o: Self) -> Self {
        Self {
            failures: self.failures + o.failures,
            uncertain: self.uncertain + o.uncertain,
            errors: self.errors + o.errors,
            margin: self.margin.min(o.margin),
        }
    }
}

/// Per-thread buffers.
#[derive(Default)]
struct State {
    active: Vec<u32>,
    got: Vec<u32>,
    expected: Vec<u32>,
    scratch: FileScratch,
    /// A circuit's true layer-1 outputs.
    truth: Vec<u32>,
}

/// Evaluates one sample (in `state.active`) and adds it to `tally`; returns whether it failed.
fn judge(
    network: &FileNetwork,
    instance: &StoredInstance,
    tables: &<StoredInstance as Truth>::Tables,
    classes: &Classes<'_>,
    state: &mut State,
    tally: &mut Tally,
) -> bool {
    let exactness = network.evaluate_exact(&state.active, &mut state.scratch, &mut state.got);
    instance.true_outputs(tables, &state.active, &mut state.truth, &mut state.expected);
    let on = state.expected.len() as u64;
    let (one, none) = classes.split(&state.active, &state.truth, on);
    let e = &mut tally.errors;
    e.samples += 1;
    e.pair_on += on;
    e.one_endpoint += one;
    e.no_endpoint += none;
    tally.margin = tally.margin.min(exactness.margin);
    let wrong = state.got != state.expected;
    if wrong {
        let (got, expected) = (&state.got, &state.expected);
        let flipped = got
            .iter()
            .filter(|j| expected.binary_search(j).is_err())
            .chain(expected.iter().filter(|j| got.binary_search(j).is_err()));
        for &j in flipped {
            match classes.endpoints(j, &state.active, &state.truth, expected) {
                2 => e.false_negatives += 1,
                1 => e.false_positives_one += 1,
                _ => e.false_positives_none += 1,
            }
        }
    }
    let uncertain = exactness.uncertain > 0;
    tally.uncertain += u64::from(uncertain && !wrong);
    let failed = wrong || uncertain;
    tally.failures += u64::from(failed);
    failed
}

/// Refuses samples the network cannot evaluate exactly, and planted inputs without pairs.
fn validate(network: &FileNetwork, instance: &StoredInstance, k: usize, inputs: InputDistribution) -> Result<()> {
    crate::network::check_shape(network, instance)?;
    if k == 0 || k > network.inputs() {
        return Err(invalid(
            "k",
            k,
            format!("must be in 1..={} (the network's inputs)", network.inputs()),
        ));
    }
    if k > network.max_active() {
        return Err(invalid(
            "k",
            k,
            format!(
                "at most {} active inputs fit exact 64-bit accumulation of this network",
                network.max_active()
            ),
        ));
    }
    if inputs == InputDistribution::Planted
        && !matches!(instance, StoredInstance::Pairs(_) | StoredInstance::Circuit(_))
    {
        return Err(invalid(
            "distribution",
            "planted",
            "planted inputs switch on instance pairs: a permutation or linear map has only uniform inputs",
        ));
    }
    Ok(())
}

/// The network's failure over `samples` random samples of `inputs` at k, from `seed`'s chunk
/// streams (every sample evaluated).
pub fn measure(
    network: &FileNetwork,
    instance: &StoredInstance,
    k: usize,
    inputs: InputDistribution,
    samples: u64,
    seed: u64,
) -> Result<DistributionCheck> {
    validate(network, instance, k, inputs)?;
    let tables = instance.tables();
    let classes = Classes::new(instance);
    let m = network.inputs();
    let draw = |rng: &mut Rng, active: &mut Vec<u32>| match instance {
        StoredInstance::Pairs(pairs) => sample_active(rng, pairs, k, inputs, active),
        StoredInstance::Circuit(c) if inputs == InputDistribution::Planted => sample_circuit_active(rng, c, k, active),
        _ => {
            active.clear();
            sample_uniform_fill(rng, m, k, active);
            active.sort_unstable();
        }
    };
    let tally = (0..samples.div_ceil(CHUNK))
        .into_par_iter()
        .map_init(State::default, |state, c| {
            let mut rng = stream(seed, "samples", c);
            let mut tally = Tally::default();
            for _ in 0..CHUNK.min(samples - c * CHUNK) {
                draw(&mut rng, &mut state.active);
                judge(network, instance, &tables, &classes, state, &mut tally);
            }
            tally
        })
        .reduce(Tally::default, Tally::merge);
    Ok(DistributionCheck {
        inputs,
        seed,
        failure: failure_rate(tally.failures, samples),
        errors: tally.errors,
        uncertain_samples: tally.uncertain,
        min_margin: tally.margin,
    })
}

/// The network on given samples (each a list of distinct active inputs below m): the failure
/// and every failed row, in order.
pub fn measure_samples(
    network: &FileNetwork,
    instance: &StoredInstance,
    samples: &[Vec<u32>],
    path: &str,
) -> Result<SamplesFileCheck> {
    let k = samples.iter().map(Vec::len).max().unwrap_or(0);
    validate(network, instance, k.max(1), InputDistribution::Uniform)?;
    let tables = instance.tables();
    let classes = Classes::new(instance);
    let verdicts: Vec<(bool, Tally)> = samples
        .par_iter()
        .map_init(State::default, |state, sample| {
            state.active.clear();
            state.active.extend_from_slice(sample);
            state.active.sort_unstable();
            let mut tally = Tally::default();
            let failed = judge(network, instance, &tables, &classes, state, &mut tally);
            (failed, tally)
        })
        .collect();
    let tally = verdicts.iter().fold(Tally::default(), |a, v| a.merge(v.1));
    Ok(SamplesFileCheck {
        path: path.to_string(),
        failure: failure_rate(tally.failures, samples.len() as u64),
        failed: verdicts
            .iter()
            .enumerate()
            .filter(|(_, v)| v.0)
            .map(|(i, _)| i as u64)
            .collect(),
        uncertain_samples: tally.uncertain,
        min_margin: tally.margin,
    })
}

/// An integer entry of a layer's numbers (None for f32).
fn integer(numbers: &Numbers, index: usize) -> Option<i64> {
    match numbers {
        Numbers::I32(v) => Some(i64::from(v[index])),
        Numbers::I64(v) => Some(v[index]),
        Numbers::F32(_) => None,
    }
}

/// The exact additive rows of an integer `tied` network with the vote decoder.
///
/// Row r's pre-activation numerator is z_r = b_r + Σ_q W[r, q]·u_q + c_r·Σ_q u_q over D, and
/// u = Σ_{i on} 1_{C_in(i)}, so z_r = b_r + Σ_{i on} e_r(i) with the integer share
/// e_r(i) = Σ_{q ∈ C_in(i)} W[r, q] + c_r·t_in. The neuron fires iff ReLU(z_r/D) ≥ ½ ⟺
/// 2·z_r ≥ D ⟺ Σ e_r(i) ≥ T_r = ⌈(D − 2·b_r)/2⌉. An input loads a row when its share is at
/// least T_r/2 (half of what the row needs to fire; AS-2AND's members of S_r bring about two
/// thirds of it, the others about nothing after centering): the adversary attacks the outputs
/// of the most loaded rows first.
pub struct FileRows<'a> {
    layer: &'a Layer,
    input_code: &'a SubsetCode,
    output_code: &'a SubsetCode,
    hosted: crate::base::code::Csr,
    thresholds: Vec<i64>,
    loads: Vec<usize>,
    votes: usize,
}

/// The largest m·n·t_in for which [`FileRows::new`] counts the rows' loads (every share once).
pub const ADVERSARY_WORK_LIMIT: u64 = 1 << 31;

impl<'a> FileRows<'a> {
    /// The rows of `file`, or why the adversary cannot attack it.
    pub fn new(file: &'a NetworkFile) -> std::result::Result<Self, String> {
        let header = file.header();
        let votes = match header.decoder {
            Some(Decoder::Vote { votes, .. }) => votes,
            _ => return Err("the adversary targets the vote decoder; this network averages".into()),
        };
        if header.architecture != Architecture::Tied {
            return Err(format!(
                "the adversary needs a tied network (rows additive over inputs); this one is {:?}",
                header.architecture
            ));
        }
        let Some(layer) = file.hidden() else {
            return Err("the file holds no weights".into());
        };
        let Some(d) = layer.denominator else {
            return Err("the adversary needs exact integer shares; this network's weights are f32".into());
        };
        let (m, n, t) = (header.inputs as u64, layer.rows as u64, header.input_code.t as u64);
        if m * n * t > ADVERSARY_WORK_LIMIT {
            return Err(format!(
                "m·n·t_in = {} exceeds the adversary's work limit 2^31 (every share is computed once)",
                m * n * t
            ));
        }
        let d = d as i64;
        let thresholds: Vec<i64> = (0..layer.rows)
            .map(|r| (d - 2 * integer(&layer.bias, r).unwrap_or(0) + 1).div_euclid(2))
            .collect();
        let mut rows = Self {
            layer,
            input_code: file.input_code(),
            output_code: file.output_code(),
            hosted: file.output_code().inverted(),
            thresholds,
            loads: Vec::new(),
            votes,
        };
        let loads = (0..layer.rows)
            .into_par_iter()
            .map(|r| {
                let need = rows.thresholds[r];
                (0..header.inputs).filter(|&i| 2 * rows.share(r, i) >= need).count()
            })
            .collect();
        rows.loads = loads;
        Ok(rows)
    }
}

impl AdditiveRows for FileRows<'_> {
    fn output_rows(&self, output: usize) -> &[u32] {
        self.output_code.set(output)
    }

    fn row_outputs(&self, row: usize) -> &[u32] {
        self.hosted.row(row)
    }

    fn row_load(&self, row: usize) -> usize {
        self.loads[row]
    }

    fn share(&self, row: usize, input: usize) -> i64 {
        let cols = self.layer.cols;
        let weights: i64 = self
            .input_code
            .set(input)
            .iter()
            .map(|&q| integer(&self.layer.weight, row * cols + q as usize).unwrap_or(0))
            .sum();
        let mass = self.layer.mass.as_ref().and_then(|m| integer(m, row)).unwrap_or(0);
        weights + mass * self.input_code.t() as i64
    }

    fn threshold(&self, row: usize) -> i64 {
        self.thresholds[row]
    }

    fn votes_needed(&self) -> usize {
        self.votes
    }
}

/// A [`FileNetwork`] with its additive rows: what the adversary attacks and the certifier
/// certifies.
pub(crate) struct Attackable<'a> {
    network: &'a FileNetwork,
    rows: FileRows<'a>,
}

impl<'a> Attackable<'a> {
    /// The network with its rows (the caller built both from one file).
    pub(crate) fn new(network: &'a FileNetwork, rows: FileRows<'a>) -> Self {
        Self { network, rows }
    }
}

impl Network for Attackable<'_> {
    type Scratch = FileScratch;

    fn inputs(&self) -> usize {
        self.network.inputs()
    }

    fn outputs(&self) -> usize {
        self.network.outputs()
    }

    fn resources(&self) -> crate::results::Resources {
        self.network.resources()
    }

    fn evaluate(&self, active: &[u32], scratch: &mut FileScratch, out: &mut Vec<u32>) {
        self.network.evaluate(active, scratch, out);
    }

    fn additive(&self) -> Option<&dyn AdditiveRows> {
        Some(&self.rows)
    }
}

/// The adversary on `file`'s network, or why it did not run.
pub fn adversary(file: &NetworkFile, network: &FileNetwork, options: &CheckOptions) -> Result<AdversaryCheck> {
    let skipped = |reason: String| AdversaryCheck {
        ran: false,
        reason: Some(reason),
        targets: options.targets,
        restarts: options.restarts,
        counterexample: None,
    };
    if options.targets == 0 {
        return Ok(skipped("not asked for (--targets 0)".into()));
    }
    if file.header().architecture == Architecture::Depth2 {
        return Ok(skipped(
            "the adversary attacks one layer additive over inputs; a depth2 network's layer 2 reads thresholded \
             hidden neurons, which are not"
                .into(),
        ));
    }
    let Some(StoredInstance::Pairs(instance)) = file.instance() else {
        return Ok(skipped(
            "the adversary attacks 2-AND instances; this file's instance is not one".into(),
        ));
    };
    let rows = match FileRows::new(file) {
        Ok(rows) => rows,
        Err(reason) => return Ok(skipped(reason)),
    };
    let attackable = Attackable { network, rows };
    let outcome = attack(
        &attackable,
        instance,
        &AdversaryConfig {
            k: options.k,
            targets: options.targets.min(network.outputs()),
            restarts: options.restarts,
            extra_candidates: 16,
            seed: options.seed,
        },
    )?;
    Ok(AdversaryCheck {
        ran: true,
        reason: None,
        targets: outcome.targets_tried,
        restarts: options.restarts,
        counterexample: outcome.counterexample,
    })
}

/// The smallest lossless integer form of f32 numbers: numerators over the smallest power of two
/// that makes every value an integer, and the bits (with sign) of the largest numerator.
pub fn lossless_integer(values: impl Iterator<Item = f32> + Clone, count: u64) -> Option<LosslessInteger> {
    // A finite nonzero f32 is mantissa·2^e with an odd mantissa; the denominator must cancel
    // the most negative e.
    let exponent = |v: f32| -> Option<i32> {
        if v == 0.0 || !v.is_finite() {
            return None;
        }
        let bits = v.to_bits();
        let raw = ((bits >> 23) & 0xff) as i32;
        let mut mantissa = bits & 0x7f_ffff;
        let mut e = if raw == 0 { -149 } else { raw - 150 };
        if raw != 0 {
            mantissa |= 0x80_0000;
        }
        let zeros = mantissa.trailing_zeros() as i32;
        e += zeros;
        Some(e)
    };
    let lowest = values.clone().filter_map(exponent).min()?;
    let shift = (-lowest).max(0);
    let largest = values
        .map(|v| (f64::from(v) * 2f64.powi(shift)).abs())
        .fold(0.0, f64::max);
    let bits = (largest + 1.0).log2().ceil() as u32 + 1;
    Some(LosslessInteger {
        log2_denominator: shift,
        bits_per_parameter: bits,
        bits: u64::from(bits) * count,
    })
}

/// The f32 parameters of a file (weights, biases, masses), or None for integer layers.
fn f32_parameters(file: &NetworkFile) -> Option<Vec<f32>> {
    let mut out = Vec::new();
    for layer in [file.hidden(), file.output()].into_iter().flatten() {
        for numbers in [Some(&layer.weight), Some(&layer.bias), layer.mass.as_ref()]
            .into_iter()
            .flatten()
        {
            let Numbers::F32(v) = numbers else { return None };
            out.extend(v.iter().copied().filter(|&x| x != 0.0));
        }
    }
    Some(out)
}

/// log₂ #instances of the file's instance kind at its shape.
fn log2_instances(file: &NetworkFile) -> f64 {
    let h = file.header();
    match file.instance() {
        Some(StoredInstance::Permutation(_)) => theory::log2_permutation_instances(h.outputs as u64),
        _ => theory::log2_and2_instances(h.inputs as u64, h.outputs as u64),
    }
}

/// Everything `cargo xtask check` reports on `file` (`path` as given), with AS-2AND's figures
/// from `reference`.
pub fn check(file: &NetworkFile, path: &str, options: &CheckOptions, reference: &Reference) -> Result<NetworkCheck> {
    let start = Instant::now();
    let network = file.network()?;
    let Some(instance) = file.instance() else {
        return Err(crate::Error::NetworkFile(
            "the file holds no instance, and check compares the network with its instance (docs/network-format.md §6)"
                .into(),
        ));
    };
    let mut distributions = Vec::new();
    for &inputs in &options.distributions {
        distributions.push(measure(
            &network,
            instance,
            options.k,
            inputs,
            options.samples,
            options.seed,
        )?);
    }
    let adversary = adversary(file, &network, options)?;
    let resources = network.resources();
    // Bits as stored are the file network's count: 32 per f32 parameter (or the integer
    // range's bits), plus one per weight of the mass neuron's inputs. The lossless integer form
    // re-prices the f32 parameters only: p₃₂ of them, from bits = 32·p₃₂ + (parameters − p₃₂).
    let stored_bits = resources.parameter_bits;
    let lossless = f32_parameters(file).and_then(|v| {
        let p32 = (resources.parameter_bits - resources.parameters) / 31;
        let mut q = lossless_integer(v.iter().copied(), p32)?;
        q.bits += resources.parameters - p32;
        Some(q)
    });
    let header = file.header();
    let m_prime = header.outputs as f64;
    let log2 = log2_instances(file);
    let bits_per_parameter = stored_bits as f64 / resources.parameters.max(1) as f64;
    let neuron_bound = theory::neuron_lower_bound(log2, bits_per_parameter);
    let fitted = |shape: fn(f64) -> f64| {
        let logs: Vec<f64> = reference
            .widths
            .iter()
            .map(|&(m, n)| n.ln() - shape(m as f64).ln())
            .collect();
        (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
    };
    let fitted_constants = fitted(theory::lower_shape)
        .zip(fitted(theory::upper_shape))
        .map(|(a, b)| [a, b]);
    let meets_delta = distributions.iter().all(|d| d.failure.rate <= options.delta);
    Ok(NetworkCheck {
        format: FORMAT.into(),
        network: path.into(),
        architecture: match header.architecture {
            Architecture::Tied => "tied",
            Architecture::Free => "free",
            Architecture::Codes => "codes",
            Architecture::Depth2 => "depth2",
        }
        .into(),
        construction: header.construction.clone(),
        inputs: header.inputs as u64,
        outputs: header.outputs as u64,
        instance: match instance {
            StoredInstance::Pairs(_) => "pairs",
            StoredInstance::Permutation(_) => "permutation",
            StoredInstance::Linear { .. } => "linear",
            StoredInstance::Circuit(_) => "circuit",
        }
        .into(),
        k: options.k,
        delta: options.delta,
        seed: options.seed,
        exact: network.is_integer(),
        distributions,
        samples_file: None,
        adversary,
        resources,
        stored_bits,
        lossless_integer: lossless,
        bounds: Bounds {
            log2_instances: log2,
            bits_over_instances: stored_bits as f64 / log2,
            neuron_bound,
            neurons_over_bound: resources.neurons as f64 / neuron_bound,
            lower_shape: theory::lower_shape(m_prime),
            upper_shape: theory::upper_shape(m_prime),
            reference: reference.path.clone(),
            reference_construction: reference.construction.clone(),
            reference_n_star: reference
                .widths
                .iter()
                .find(|w| w.0 == header.outputs as u64)
                .map(|w| w.1),
            fitted_constants,
            reference_widths: reference.widths.clone(),
        },
        meets_delta,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Reads a samples file: a safetensors file with tensor `samples.active`, integer (I32, I64 or
/// U32) of shape [S, k], each row k distinct inputs below `inputs`. Refuses anything else with
/// a message naming the row, and a file larger than the memory budget before reading it.
pub fn read_samples(path: &std::path::Path, inputs: usize) -> Result<Vec<Vec<u32>>> {
    use safetensors::{Dtype, SafeTensors};
    let bad = |reason: String| crate::Error::NetworkFile(format!("samples file {}: {reason}", path.display()));
    let length = std::fs::metadata(path)
        .map_err(|e| bad(format!("cannot read it: {e}")))?
        .len();
    crate::base::memory::check(|| format!("the samples file {}", path.display()), 4 * length)?;
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let tensors = SafeTensors::deserialize(&bytes).map_err(|e| bad(format!("not a safetensors file: {e}")))?;
    let view = tensors
        .tensor("samples.active")
        .map_err(|_| bad("no tensor `samples.active` (I32 [samples, k])".into()))?;
    let shape = view.shape();
    let [rows, k] = shape[..] else {
        return Err(bad(format!("`samples.active` has shape {shape:?}, not [samples, k]")));
    };
    let data = view.data();
    let values: Vec<i64> = match view.dtype() {
        Dtype::I32 => data
            .chunks_exact(4)
            .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Dtype::U32 => data
            .chunks_exact(4)
            .map(|c| i64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Dtype::I64 => data
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        other => {
            return Err(bad(format!(
                "`samples.active` has dtype {other:?}; use I32, U32 or I64"
            )));
        }
    };
    if rows == 0 || k == 0 {
        return Err(bad(format!("`samples.active` is empty (shape [{rows}, {k}])")));
    }
    let mut samples = Vec::with_capacity(rows);
    for (row, chunk) in values.chunks_exact(k).enumerate() {
        let mut sample = Vec::with_capacity(k);
        for &v in chunk {
            if v < 0 || v as u64 >= inputs as u64 {
                return Err(bad(format!(
                    "row {row}: input {v} out of range (the network has {inputs} inputs)"
                )));
            }
            if sample.contains(&(v as u32)) {
                return Err(bad(format!(
                    "row {row}: input {v} twice (the inputs of a sample are distinct)"
                )));
            }
            sample.push(v as u32);
        }
        samples.push(sample);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::{And2Instance, PairDistribution};
    use crate::constructions::and2::{And2Network, And2Params};
    use crate::constructions::export::{ExportInfo, from_and2, from_linear};
    use crate::constructions::linear::{LinearMap, LinearNetwork, LinearParams};
    use crate::evaluate::eval::{SampleSpec, and2_conditional, network_failure};

    fn info() -> ExportInfo {
        ExportInfo {
            k: 4,
            ..ExportInfo::default()
        }
    }

    /// AS-2AND at 2¹⁰ and a width where some planted samples fail, written and read back.
    fn as2and(width: usize) -> (And2Network, And2Instance, NetworkFile) {
        let instance = And2Instance::random(1024, 1024, PairDistribution::Uniform, 5).unwrap();
        let net = And2Network::build(&instance, And2Params::defaults(1024, width, 6)).unwrap();
        let bytes = from_and2(&net, &instance, &info()).unwrap().to_bytes().unwrap();
        (net, instance, NetworkFile::from_bytes(&bytes).unwrap())
    }

    /// 100 planted samples at k = 4, and the adversary with `targets` and `restarts`.
    fn adversary_options(targets: usize, restarts: usize) -> CheckOptions {
        CheckOptions {
            k: 4,
            samples: 100,
            distributions: vec![InputDistribution::Planted],
            seed: 1,
            delta: 0.05,
            targets,
            restarts,
        }
    }

    #[test]
    fn an_exported_as2and_fails_the_samples_verify_bounds_fails() {
        let (net, instance, file) = as2and(500);
        let network = file.network().unwrap();
        let stored = file.instance().unwrap();
        for inputs in [InputDistribution::Planted, InputDistribution::Uniform] {
            let spec = SampleSpec {
                k: 4,
                distribution: inputs,
                samples: 600,
                seed: 9,
            };
            let here = measure(&network, stored, 4, inputs, 600, 9).unwrap();
            let (failure, errors) = and2_conditional(&net, &instance, &spec);
            assert_eq!(here.failure, failure, "{inputs:?}");
            assert_eq!(here.errors, errors, "{inputs:?}");
            assert_eq!(here.uncertain_samples, 0);
            if inputs == InputDistribution::Planted {
                assert!(
                    0 < failure.failures && failure.failures < 600,
                    "not vacuous: {failure:?}"
                );
            }
        }
    }

    #[test]
    fn an_exported_input_channel_fails_the_samples_influence_fails() {
        use crate::constructions::channel::{ChannelNetwork, ChannelParams, ChannelPlan};
        use crate::constructions::export::from_channel;
        let instance = And2Instance::random(512, 512, PairDistribution::Star { degree: 90 }, 2).unwrap();
        let params = ChannelParams::defaults(512, 700, 3);
        let plan = ChannelPlan::new(&instance, params.theta);
        let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
        let bytes = from_channel(&net, &instance, &info()).unwrap().to_bytes().unwrap();
        let file = NetworkFile::from_bytes(&bytes).unwrap();
        let spec = SampleSpec {
            k: 4,
            distribution: InputDistribution::Planted,
            samples: 500,
            seed: 4,
        };
        let here = measure(
            &file.network().unwrap(),
            file.instance().unwrap(),
            4,
            spec.distribution,
            500,
            4,
        )
        .unwrap();
        let (failure, errors) = and2_conditional(&net, &instance, &spec);
        assert_eq!((here.failure, here.errors), (failure, errors));
        assert!(
            0 < failure.failures && failure.failures < 500,
            "not vacuous: {failure:?}"
        );
    }

    #[test]
    fn an_exported_permutation_fails_the_samples_its_check_fails() {
        let map = LinearMap::permutation(256, 3).unwrap();
        let net = LinearNetwork::build(&map, LinearParams::defaults(256, 700, 4)).unwrap();
        let file = NetworkFile::from_bytes(&from_linear(&net, &map, &info()).unwrap().to_bytes().unwrap()).unwrap();
        let here = measure(
            &file.network().unwrap(),
            file.instance().unwrap(),
            4,
            InputDistribution::Uniform,
            500,
            2,
        )
        .unwrap();
        let spec = SampleSpec {
            k: 4,
            distribution: InputDistribution::Uniform,
            samples: 500,
            seed: 2,
        };
        let there = network_failure(&net, &map, &spec, None, |rng, active| {
            sample_uniform_fill(rng, 256, 4, active);
            active.sort_unstable();
        });
        assert_eq!(here.failure, there);
        assert!(0 < there.failures && there.failures < 500, "not vacuous: {there:?}");
        // A permutation output has one source: no one-endpoint class, and errors split by it.
        assert_eq!(here.errors.one_endpoint, 0);
        assert_eq!(here.errors.pair_on, 500 * 4);
        let planted = measure(
            &file.network().unwrap(),
            file.instance().unwrap(),
            4,
            InputDistribution::Planted,
            10,
            2,
        );
        assert!(planted.unwrap_err().to_string().contains("planted"));
    }

    #[test]
    fn an_exported_depth_2_network_fails_the_samples_depth2network_fails() {
        use crate::constructions::depth2::{Circuit, Depth2Network, Intermediate, Layer2Params};
        use crate::constructions::export::from_depth2;
        let instance = And2Instance::random(256, 256, PairDistribution::Uniform, 3).unwrap();
        let circuit = Circuit::random(instance.clone(), 256, 0.0, 4).unwrap();
        let layer1 = std::sync::Arc::new(And2Network::build(&instance, And2Params::defaults(256, 260, 5)).unwrap());
        let net = Depth2Network::build(&circuit, layer1, Layer2Params::defaults(256, 260, 6)).unwrap();
        let file = from_depth2(&net, &circuit, Intermediate::Threshold, &info()).unwrap();
        let file = NetworkFile::from_bytes(&file.to_bytes().unwrap()).unwrap();
        let (network, stored) = (file.network().unwrap(), file.instance().unwrap());
        let uniform = |rng: &mut Rng, active: &mut Vec<u32>| {
            sample_uniform_fill(rng, 256, 4, active);
            active.sort_unstable();
        };
        let planted = |rng: &mut Rng, active: &mut Vec<u32>| sample_circuit_active(rng, &circuit, 4, active);
        for inputs in [InputDistribution::Planted, InputDistribution::Uniform] {
            let here = measure(&network, stored, 4, inputs, 700, 9).unwrap();
            let spec = SampleSpec {
                k: 4,
                distribution: inputs,
                samples: 700,
                seed: 9,
            };
            let there = match inputs {
                InputDistribution::Planted => network_failure(&net, &circuit, &spec, None, planted),
                _ => network_failure(&net, &circuit, &spec, None, uniform),
            };
            assert_eq!(here.failure, there, "{inputs:?}");
            let e = here.errors;
            let flipped = e.false_negatives + e.false_positives_one + e.false_positives_none;
            assert!(flipped >= here.failure.failures, "{e:?}");
            assert_eq!(e.pair_on + e.one_endpoint + e.no_endpoint, 700 * 256, "{e:?}");
            if inputs == InputDistribution::Planted {
                assert!(0 < there.failures && there.failures < 700, "not vacuous: {there:?}");
                // Half the samples plant a gate (on), the other half pairs (4-AND gates half on).
                assert!(e.pair_on >= 300 && e.one_endpoint > 300, "{e:?}");
            }
        }
        // Sample by sample: the same rows fail.
        let mut rng = stream(2, "rows", 0);
        let samples: Vec<Vec<u32>> = (0..300)
            .map(|_| {
                let mut active = Vec::new();
                sample_circuit_active(&mut rng, &circuit, 4, &mut active);
                active
            })
            .collect();
        let rows = measure_samples(&network, stored, &samples, "rows").unwrap().failed;
        let (mut scratch, mut got, mut truth) = (Default::default(), Vec::new(), Vec::new());
        let tables = Truth::tables(&circuit);
        let expected: Vec<u64> = (0..300u64)
            .filter(|&s| {
                let active = &samples[s as usize];
                net.evaluate(active, &mut scratch, &mut got);
                circuit.true_outputs(&tables, active, &mut Vec::new(), &mut truth);
                got != truth
            })
            .collect();
        assert_eq!(rows, expected);
        assert!(!rows.is_empty() && rows.len() < 300, "{} rows fail", rows.len());
        // The adversary is refused with its reason; the check runs and names the shapes.
        let result = check(&file, "depth2", &adversary_options(8, 1), &Reference::default()).unwrap();
        assert!(!result.adversary.ran);
        assert!(
            result
                .adversary
                .reason
                .as_deref()
                .unwrap()
                .contains("depth2 network's layer 2")
        );
        assert_eq!(
            (result.architecture.as_str(), result.instance.as_str()),
            ("depth2", "circuit")
        );
    }

    #[test]
    fn the_file_rows_are_as2ands_additive_rows() {
        let (net, _, file) = as2and(300);
        let rows = FileRows::new(&file).unwrap();
        let theirs = net.additive().expect("AS-2AND's vote decoder is additive");
        assert_eq!(rows.votes_needed(), theirs.votes_needed());
        for r in (0..300).step_by(7) {
            assert_eq!(rows.threshold(r), theirs.threshold(r), "row {r}");
            assert_eq!(rows.row_outputs(r), theirs.row_outputs(r), "row {r}");
            for i in (0..1024).step_by(13) {
                assert_eq!(rows.share(r, i), theirs.share(r, i), "row {r}, input {i}");
            }
        }
        // The loads (inputs bringing at least half a firing threshold) follow |S_r|: the rows
        // AS-2AND loads most are loaded most here (a network at a width near n*).
        let (net, _, file) = as2and(900);
        let rows = FileRows::new(&file).unwrap();
        let theirs = net.additive().unwrap();
        let mut order: Vec<usize> = (0..900).collect();
        order.sort_by_key(|&r| theirs.row_load(r));
        let mean = |rs: &[usize]| rs.iter().map(|&r| rows.row_load(r) as f64).sum::<f64>() / rs.len() as f64;
        let (light, heavy) = (mean(&order[..100]), mean(&order[800..]));
        assert!(
            heavy > 1.3 * light,
            "loads of the 100 heaviest rows {heavy} vs the 100 lightest {light}"
        );
    }

    #[test]
    fn the_adversary_breaks_a_narrow_file_network_and_is_refused_where_rows_are_not_exact() {
        let (_, _, file) = as2and(300);
        let network = file.network().unwrap();
        let options = adversary_options(16, 2);
        let found = adversary(&file, &network, &options).unwrap();
        assert!(found.ran);
        let counterexample = found.counterexample.expect("width 300 at 2^10 is far below n*");
        // Verified: the network gets those outputs wrong on that input.
        let mut out = Vec::new();
        network.evaluate(&counterexample.active, &mut FileScratch::default(), &mut out);
        let StoredInstance::Pairs(instance) = file.instance().unwrap() else {
            unreachable!()
        };
        let mut truth = Vec::new();
        instance.true_outputs(&instance.pair_index(), &counterexample.active, &mut truth);
        assert_ne!(out, truth);
        let off = CheckOptions { targets: 0, ..options };
        assert!(!adversary(&file, &network, &off).unwrap().ran);
    }

    #[test]
    fn lossless_integer_forms_find_the_smallest_power_of_two() {
        let q = lossless_integer([0.5f32, 0.25, -3.0].into_iter(), 3).unwrap();
        // Over 2²: numerators 2, 1, −12; 12 needs 4 bits and a sign.
        assert_eq!((q.log2_denominator, q.bits_per_parameter, q.bits), (2, 5, 15));
        let q = lossless_integer([6.0f32, -2.0].into_iter(), 2).unwrap();
        assert_eq!((q.log2_denominator, q.bits_per_parameter), (0, 4));
        let third = lossless_integer([1.0f32 / 3.0].into_iter(), 1).unwrap();
        assert_eq!(
            third.log2_denominator, 25,
            "1/3 rounds to an odd 24-bit mantissa over 2^25"
        );
        assert!(lossless_integer([0.0f32].into_iter(), 1).is_none());
    }

    #[test]
    fn bad_samples_files_are_refused_naming_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, values: &[i32], shape: Vec<usize>| {
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            let view = safetensors::tensor::TensorView::new(safetensors::Dtype::I32, shape, &bytes).unwrap();
            let path = dir.path().join(name);
            safetensors::serialize_to_file([("samples.active", view)], None, &path).unwrap();
            path
        };
        let good = write("good.safetensors", &[0, 1, 2, 3, 4, 5], vec![2, 3]);
        assert_eq!(read_samples(&good, 10).unwrap(), vec![vec![0, 1, 2], vec![3, 4, 5]]);
        let range = read_samples(&write("range.safetensors", &[0, 1, 2, 3, 4, 10], vec![2, 3]), 10).unwrap_err();
        assert!(range.to_string().contains("row 1: input 10 out of range"), "{range}");
        let twice = read_samples(&write("twice.safetensors", &[0, 0, 2], vec![1, 3]), 10).unwrap_err();
        assert!(twice.to_string().contains("row 0: input 0 twice"), "{twice}");
        let flat = read_samples(&write("flat.safetensors", &[0, 1, 2], vec![3]), 10).unwrap_err();
        assert!(flat.to_string().contains("not [samples, k]"), "{flat}");
        let junk = dir.path().join("junk");
        std::fs::write(&junk, b"not a safetensors file at all").unwrap();
        assert!(
            read_samples(&junk, 10)
                .unwrap_err()
                .to_string()
                .contains("not a safetensors file")
        );
    }
}
