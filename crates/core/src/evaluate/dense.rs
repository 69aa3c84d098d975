//! Dense batched evaluation with faer: one GEMM per batch of inputs, then bias and ReLU.
//!
//! - [`DenseLayer`] is the general path, for any network given as dense matrices (trained or
//!   imported): H = ReLU(W·X + b·1ᵀ) for a batch X of inputs (one input per column).
//! - [`dense_from_and2`] converts an AS-2AND network into that form (the "naive dense path"
//!   the sublinear verification of [`crate::constructions::and2`] is measured against), and
//!   [`dense_and2_failure`] verifies it on a [`SampleSet`] with the same per-sample verdicts
//!   as [`crate::evaluate::eval::and2_failure`] gives on the same samples.
//!
//! Exactness. AS-2AND's dense weights are W[r, q] = A[r, q]/t_in − |S_r|/n_in (the centering
//! folded into every entry of the row), bias −1. Scaled by L = lcm(t_in, n_in) every weight
//! and the bias become integers, and so is every input u (counts of code neurons). f32 holds
//! every integer of magnitude ≤ 2^24 exactly, and a sum of exact products stays exact while
//! every partial sum does. Any partial sum of row r, in any order, is bounded by
//! max|L·W|·Σ_q u_q, so when max|L·W|·Σu + L < 2^24 the GEMM computes the scaled
//! pre-activations exactly whatever its blocking or thread count, and the vote threshold
//! h ≥ ½ ⟺ 2·(L·h) ≥ L decides exactly as the integer path does. The bound is checked for
//! every sample; a sample beyond it is refused, never rounded.
//!
//! Parallelism: one [`Par`] setting drives the GEMM, the bias/ReLU pass and the decoding.

use std::collections::HashMap;
use std::time::Instant;

use faer::linalg::matmul::matmul;
use faer::prelude::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

use crate::base::code::SubsetCode;
use crate::base::instance::And2Instance;
use crate::base::memory;
use crate::base::sample::sample_active;
use crate::constructions::and2::{And2Network, And2Params, DecoderKind};
use crate::error::{Result, invalid};
use crate::evaluate::eval::{CHUNK, SampleSpec, Verifier, VerifyScratch};
use crate::network::{Network, Truth};
use crate::results::FailureRate;
use crate::rng::stream;
use crate::stats::failure_rate;

pub use crate::base::kern::F32_EXACT_LIMIT;

/// A dense ReLU layer h = ReLU(W·x + b), evaluated a batch at a time.
#[derive(Debug, Clone)]
pub struct DenseLayer {
    /// W, rows × cols: row r holds the weights into output neuron r.
    pub weights: Mat<f32>,
    /// b, one entry per row of W.
    pub bias: Vec<f32>,
}

impl DenseLayer {
    /// A layer from its weights and bias; refuses a bias whose length is not W's row count.
    pub fn new(weights: Mat<f32>, bias: Vec<f32>) -> Result<Self> {
        if bias.len() != weights.nrows() {
            return Err(invalid(
                "bias",
                format!("{} entries", bias.len()),
                format!(
                    "needs one entry per row of the weight matrix ({} rows)",
                    weights.nrows()
                ),
            ));
        }
        Ok(Self { weights, bias })
    }

    /// Output neurons (rows of W).
    pub fn rows(&self) -> usize {
        self.weights.nrows()
    }

    /// Input neurons (columns of W).
    pub fn cols(&self) -> usize {
        self.weights.ncols()
    }

    /// FLOPs of the GEMM of one forward pass over `batch` inputs: 2·rows·cols·batch.
    pub fn gemm_flops(&self, batch: usize) -> f64 {
        2.0 * self.rows() as f64 * self.cols() as f64 * batch as f64
    }

    /// out = ReLU(W·inputs + b·1ᵀ): one GEMM, then bias and ReLU in a single sweep over `out`
    /// (faer's GEMM has no epilogue hook; the sweep costs rows·batch against the GEMM's
    /// 2·rows·cols·batch). `inputs` is cols × batch, `out` rows × batch.
    ///
    /// # Panics
    /// If the shapes do not match (a caller's bug, not a data error).
    pub fn forward_batch(&self, inputs: MatRef<'_, f32>, mut out: MatMut<'_, f32>, par: Par) {
        assert_eq!(
            self.bias.len(),
            self.rows(),
            "DenseLayer: the bias has {} entries for {} rows",
            self.bias.len(),
            self.rows()
        );
        assert_eq!(
            inputs.nrows(),
            self.cols(),
            "DenseLayer: inputs have {} rows, the layer {} columns",
            inputs.nrows(),
            self.cols()
        );
        assert_eq!(
            (out.nrows(), out.ncols()),
            (self.rows(), inputs.ncols()),
            "DenseLayer: the output must be rows × batch"
        );
        matmul(out.rb_mut(), Accum::Replace, self.weights.as_ref(), inputs, 1.0f32, par);
        bias_relu(out, &self.bias, par);
    }
}

/// out[:, j] = max(out[:, j] + bias, 0) for every column, split into `par.degree()` column
/// blocks. Each entry depends only on itself, so the result does not depend on the split.
fn bias_relu(out: MatMut<'_, f32>, bias: &[f32], par: Par) {
    let apply = |mut block: MatMut<'_, f32>| {
        for j in 0..block.ncols() {
            for (value, &b) in block.rb_mut().col_mut(j).iter_mut().zip(bias) {
                *value = (*value + b).max(0.0);
            }
        }
    };
    let parts = par.degree().min(out.ncols());
    if parts <= 1 {
        apply(out);
    } else {
        out.par_col_partition_mut(parts).for_each(apply);
    }
}

/// AS-2AND as one dense layer with integer-valued f32 weights, plus what decoding needs.
///
/// The layer computes L·h with L = [`Self::scale`]: weights L·(A[r, q]/t_in − |S_r|/n_in),
/// bias −L (see the module documentation for why this is exact).
#[derive(Debug, Clone)]
pub struct DenseAnd2 {
    layer: DenseLayer,
    scale: u64,
    max_abs_weight: u64,
    inputs: usize,
    input_code: SubsetCode,
    output_code: SubsetCode,
    decoder: DecoderKind,
    vote_threshold: u32,
    average_threshold: i64,
    /// 2·n_in·t_in / L: converts L·h to the integer path's ReLU units (2·n_in·t_in per unit).
    relu_factor: i64,
}

impl DenseAnd2 {
    /// Bytes of the dense weight matrix of an n × n_in network (4 per entry).
    pub fn estimate_bytes(hidden_width: usize, input_width: usize) -> u64 {
        4 * hidden_width as u64 * input_width as u64
    }

    /// The dense layer (weights and bias scaled by [`Self::scale`]).
    pub fn layer(&self) -> &DenseLayer {
        &self.layer
    }

    /// L = lcm(t_in, n_in) (t_in without centering): the factor making every weight an integer.
    pub fn scale(&self) -> u64 {
        self.scale
    }

    /// max |L·W[r, q]|, the largest scaled weight magnitude.
    pub fn max_abs_weight(&self) -> u64 {
        self.max_abs_weight
    }

    /// The largest input mass Σ_q u_q (= active inputs · t_in) the f32 path evaluates
    /// exactly: max|L·W|·mass + L must stay below 2^24.
    pub fn exact_mass_limit(&self) -> u64 {
        let room = F32_EXACT_LIMIT - 1 - self.scale;
        room.checked_div(self.max_abs_weight).unwrap_or(u64::MAX)
    }

    /// m, the number of inputs.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// m′, the number of outputs.
    pub fn outputs(&self) -> usize {
        self.output_code.features()
    }
}

/// The decoding thresholds of a network with these parameters, by the formulas of
/// [`And2Network`]: the vote count ⌈τ·t_out⌉ (at least 1), and the average threshold
/// ⌈τ·t_out·2·n_in·t_in⌉ in the integer path's ReLU units (2·n_in·t_in per unit of h).
pub fn decoder_thresholds(params: &And2Params) -> (u32, i64) {
    let vote = params.vote_threshold() as u32;
    let average = (params.tau * params.t_out as f64 * 2.0 * (params.input_width * params.t_in) as f64).ceil() as i64;
    (vote, average)
}

/// The smallest width ≥ `approx` that is a multiple of lcm(64, t_in): with n_in a multiple
/// of t_in, L = lcm(t_in, n_in) = n_in, the smallest scale that makes the centered weights
/// integers, which keeps them far below 2^24 (a width coprime with t_in makes L = t_in·n_in);
/// the factor 64 keeps columns aligned to whole bitset words and SIMD vectors.
pub fn dense_friendly_width(approx: usize, t_in: usize) -> usize {
    let t = t_in.max(1) as u64;
    let step = (64 / gcd(64, t) * t) as usize;
    approx.max(1).div_ceil(step) * step
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Converts an AS-2AND network to a dense layer: W = A/t_in − c_r·1ᵀ (c_r = |S_r|/n_in, the
/// centering folded densely, no mass neuron) and bias −1, all scaled by L so that every
/// entry is an integer; keeps the codes for building inputs and voting.
///
/// Refuses (before allocating) a matrix over the memory budget, and a network whose scaled
/// weights are not exact in f32.
pub fn dense_from_and2(network: &And2Network) -> Result<DenseAnd2> {
    let p = *network.params();
    let (n, n_in, t_in) = (p.hidden_width, p.input_width, p.t_in as u64);
    if p.fire != 0.5 {
        return Err(invalid(
            "fire",
            p.fire,
            "the dense path decodes at the firing level ½ only; evaluate this network with the sparse path",
        ));
    }
    memory::check(
        || format!("the dense f32 weight matrix of an AS-2AND network ({n} × {n_in})"),
        DenseAnd2::estimate_bytes(n, n_in),
    )?;
    let scale = if p.centering {
        t_in / gcd(t_in, n_in as u64) * n_in as u64
    } else {
        t_in
    };
    if scale >= F32_EXACT_LIMIT {
        return Err(invalid(
            "input_width",
            n_in,
            format!(
                "the common denominator lcm(t_in = {t_in}, n_in = {n_in}) = {scale} is too large for exact f32 \
                 evaluation; choose an input width that is a multiple of t_in"
            ),
        ));
    }
    let per_weight = (scale / t_in) as i64;
    let per_mass = if p.centering { (scale / n_in as u64) as i64 } else { 0 };
    let mut weights = Mat::<f32>::zeros(n, n_in);
    let max_abs = weights
        .as_mut()
        .par_col_iter_mut()
        .enumerate()
        .map(|(q, column)| {
            let column = column
                .try_as_col_major_mut()
                .expect("faer::Mat columns are contiguous")
                .as_slice_mut();
            let mut max = 0u64;
            for (r, entry) in column.iter_mut().enumerate() {
                let w = i64::from(network.weight(r, q)) * per_weight - network.union_size(r) as i64 * per_mass;
                *entry = w as f32;
                max = max.max(w.unsigned_abs());
            }
            max
        })
        .max()
        .unwrap_or(0);
    if max_abs + scale >= F32_EXACT_LIMIT {
        return Err(invalid(
            "input_width",
            n_in,
            format!(
                "the scaled weights reach {max_abs}, beyond exact f32 integers (2^24); the dense path cannot be exact"
            ),
        ));
    }
    let (vote_threshold, average_threshold) = decoder_thresholds(&p);
    let layer = DenseLayer::new(weights, vec![-(scale as f32); n])?;
    Ok(DenseAnd2 {
        layer,
        scale,
        max_abs_weight: max_abs,
        inputs: network.inputs(),
        input_code: network.input_code().clone(),
        output_code: network.output_code().clone(),
        decoder: p.decoder,
        vote_threshold,
        average_threshold,
        relu_factor: (2 * n_in as u64 * t_in / scale) as i64,
    })
}

/// A fixed list of samples (sets of active inputs), stored flat: sample s is
/// `active[offsets[s]..offsets[s + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSet {
    offsets: Vec<usize>,
    active: Vec<u32>,
}

impl SampleSet {
    /// Draws `spec.samples` samples exactly as [`crate::evaluate::eval::and2_failure`] does: chunk c of
    /// [`CHUNK`] samples from the stream (seed, "samples", c), in order. The same spec gives
    /// the same samples, so verdicts can be compared sample by sample.
    pub fn draw(instance: &And2Instance, spec: &SampleSpec) -> Self {
        let chunks = spec.samples.div_ceil(CHUNK);
        let parts: Vec<Vec<Vec<u32>>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut rng = stream(spec.seed, "samples", c);
                let size = CHUNK.min(spec.samples - c * CHUNK);
                (0..size)
                    .map(|_| {
                        let mut active = Vec::with_capacity(spec.k);
                        sample_active(&mut rng, instance, spec.k, spec.distribution, &mut active);
                        active
                    })
                    .collect()
            })
            .collect();
        let mut offsets = vec![0];
        let mut active = Vec::new();
        for sample in parts.iter().flatten() {
            active.extend_from_slice(sample);
            offsets.push(active.len());
        }
        Self { offsets, active }
    }

    /// A sample set from its flat parts (as read from a file), validated: offsets start at 0,
    /// never decrease and end at `active.len()`; every index is below `inputs`; no sample
    /// repeats an input.
    pub fn from_parts(offsets: Vec<usize>, active: Vec<u32>, inputs: usize) -> Result<Self> {
        if offsets.first() != Some(&0) || offsets.last() != Some(&active.len()) {
            return Err(invalid(
                "sample offsets",
                format!("{} offsets", offsets.len()),
                format!(
                    "must start at 0 and end at the number of active entries ({})",
                    active.len()
                ),
            ));
        }
        if let Some(s) = offsets.windows(2).position(|w| w[0] > w[1]) {
            return Err(invalid(
                "sample offsets",
                s,
                "offsets must not decrease (sample index given)",
            ));
        }
        let set = Self { offsets, active };
        for s in 0..set.len() {
            let sample = set.sample(s);
            if let Some(&i) = sample.iter().find(|&&i| i as usize >= inputs) {
                return Err(invalid(
                    "sample",
                    s,
                    format!("input {i} is out of range for {inputs} inputs"),
                ));
            }
            let mut sorted = sample.to_vec();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return Err(invalid("sample", s, "repeats an active input"));
            }
        }
        Ok(set)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The active inputs of sample s.
    pub fn sample(&self, s: usize) -> &[u32] {
        &self.active[self.offsets[s]..self.offsets[s + 1]]
    }

    /// Offsets into [`Self::active`], one more than the number of samples.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// Every sample's active inputs, concatenated.
    pub fn active(&self) -> &[u32] {
        &self.active
    }

    /// The first `len` samples (all of them if there are fewer).
    pub fn prefix(&self, len: usize) -> Self {
        let len = len.min(self.len());
        Self {
            offsets: self.offsets[..=len].to_vec(),
            active: self.active[..self.offsets[len]].to_vec(),
        }
    }
}

/// Per-sample verdicts of the exact path ([`Network::evaluate`], for AS-2AND the sublinear
/// one) on a fixed sample set: entry s is true when sample s fails (some output wrong).
///
/// # Panics
/// If the network and the truth have different shapes.
pub fn exact_verdicts<N: Network, T: Truth>(network: &N, truth: &T, samples: &SampleSet) -> Vec<bool> {
    let verifier = Verifier::new(network, truth).unwrap_or_else(|e| panic!("{e}"));
    (0..samples.len())
        .into_par_iter()
        .map_init(VerifyScratch::default, |scratch, s| {
            verifier.fails(samples.sample(s), scratch)
        })
        .collect()
}

/// The outcome of a dense batched verification.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseVerification {
    /// Entry s is true when sample s fails (some output wrong).
    pub verdicts: Vec<bool>,
    /// Failures over the samples, with the Wilson interval.
    pub rate: FailureRate,
    /// Seconds spent in the forward passes (GEMM + bias/ReLU).
    pub forward_seconds: f64,
    /// FLOPs of those GEMMs: 2·n·n_in per sample.
    pub gemm_flops: f64,
    /// Seconds in all: building inputs, forward passes, decoding every output, comparing.
    pub seconds: f64,
}

/// Per-thread buffers of the decoding.
#[derive(Default)]
struct DecodeScratch {
    bits: Vec<u64>,
    got: Vec<u32>,
    truth: Vec<u32>,
}

/// Verifies AS-2AND through the dense path, `batch` samples per GEMM: builds U (n_in × batch)
/// from the input code, H = ReLU(L·W·U − L), decodes every one of the m′ outputs from its
/// code neurons (m′·t_out per sample: the naive all-outputs check) and compares with the true
/// ANDs. Verdicts equal [`exact_verdicts`] sample for sample; thread count does not matter.
///
/// Refuses an instance of another shape than the network's, `batch` = 0, and a sample whose
/// input mass exceeds [`DenseAnd2::exact_mass_limit`].
pub fn dense_and2_failure(
    dense: &DenseAnd2,
    instance: &And2Instance,
    samples: &SampleSet,
    batch: usize,
    par: Par,
) -> Result<DenseVerification> {
    if instance.inputs() != dense.inputs || instance.outputs() != dense.outputs() {
        return Err(invalid(
            "instance",
            format!("{} inputs, {} outputs", instance.inputs(), instance.outputs()),
            format!(
                "the dense network was built for {} inputs and {} outputs",
                dense.inputs,
                dense.outputs()
            ),
        ));
    }
    if batch == 0 {
        return Err(invalid("batch", batch, "must be at least 1"));
    }
    let start_time = Instant::now();
    let (n, n_in) = (dense.layer.rows(), dense.layer.cols());
    let batch = batch.min(samples.len()).max(1);
    memory::check(
        || format!("dense batch buffers ({batch} samples of {n_in} + {n} neurons)"),
        4 * batch as u64 * (n + n_in) as u64,
    )?;
    let index = instance.pair_index();
    let limit = dense.exact_mass_limit();
    let (mut u, mut h) = (vec![0f32; n_in * batch], vec![0f32; n * batch]);
    let mut verdicts = Vec::with_capacity(samples.len());
    let (mut forward_seconds, mut gemm_flops) = (0.0, 0.0);
    for first in (0..samples.len()).step_by(batch) {
        let size = batch.min(samples.len() - first);
        fill_inputs(dense, samples, first, size, limit, &mut u[..n_in * size])?;
        let clock = Instant::now();
        dense.layer.forward_batch(
            MatRef::from_column_major_slice(&u[..n_in * size], n_in, size),
            MatMut::from_column_major_slice_mut(&mut h[..n * size], n, size),
            par,
        );
        forward_seconds += clock.elapsed().as_secs_f64();
        gemm_flops += dense.layer.gemm_flops(size);
        let hidden = &h[..n * size];
        let decode = |scratch: &mut DecodeScratch, b: usize| {
            let column = &hidden[b * n..(b + 1) * n];
            sample_fails(dense, instance, &index, samples.sample(first + b), column, scratch)
        };
        if par.degree() <= 1 {
            let mut scratch = DecodeScratch::default();
            verdicts.extend((0..size).map(|b| decode(&mut scratch, b)));
        } else {
            let per_task = size.div_ceil(par.degree());
            let mut part = Vec::with_capacity(size);
            (0..size)
                .into_par_iter()
                .with_min_len(per_task)
                .map_init(DecodeScratch::default, decode)
                .collect_into_vec(&mut part);
            verdicts.extend(part);
        }
    }
    let failures = verdicts.iter().filter(|&&v| v).count() as u64;
    Ok(DenseVerification {
        rate: failure_rate(failures, verdicts.len() as u64),
        verdicts,
        forward_seconds,
        gemm_flops,
        seconds: start_time.elapsed().as_secs_f64(),
    })
}

/// Writes u (counts of code neurons) for samples first..first+size into the column-major
/// buffer `u`, refusing a sample whose mass breaks exactness.
fn fill_inputs(
    dense: &DenseAnd2,
    samples: &SampleSet,
    first: usize,
    size: usize,
    limit: u64,
    u: &mut [f32],
) -> Result<()> {
    let n_in = dense.layer.cols();
    u.fill(0.0);
    for b in 0..size {
        let column = &mut u[b * n_in..(b + 1) * n_in];
        let active = samples.sample(first + b);
        let mut mass = 0u64;
        for &i in active {
            if i as usize >= dense.inputs {
                return Err(invalid(
                    "sample",
                    first + b,
                    format!("input {i} is out of range for {} inputs", dense.inputs),
                ));
            }
            for &q in dense.input_code.set(i as usize) {
                column[q as usize] += 1.0;
                mass += 1;
            }
        }
        if mass > limit {
            return Err(invalid(
                "sample",
                first + b,
                format!(
                    "its input mass {mass} ({} active inputs) exceeds {limit}, the largest the dense f32 path \
                     evaluates exactly (max scaled weight {}, scale {}); use fewer active inputs or the exact \
                     integer path (And2Network::evaluate)",
                    active.len(),
                    dense.max_abs_weight,
                    dense.scale
                ),
            ));
        }
    }
    Ok(())
}

/// Decodes every output of one sample from its hidden column (L·h) and compares with the truth.
fn sample_fails(
    dense: &DenseAnd2,
    instance: &And2Instance,
    index: &HashMap<(u32, u32), u32>,
    active: &[u32],
    hidden: &[f32],
    scratch: &mut DecodeScratch,
) -> bool {
    let DecodeScratch { bits, got, truth } = scratch;
    instance.true_outputs(index, active, truth);
    got.clear();
    let code = &dense.output_code;
    match dense.decoder {
        DecoderKind::Vote => {
            // h ≥ ½ ⟺ 2·(L·h) ≥ L, exact on integer-valued f32.
            let half = dense.scale as f32;
            bits.clear();
            bits.resize(hidden.len().div_ceil(64), 0);
            for (r, &value) in hidden.iter().enumerate() {
                if 2.0 * value >= half {
                    bits[r / 64] |= 1 << (r % 64);
                }
            }
            for j in 0..code.features() {
                let mut votes = 0u32;
                for &r in code.set(j) {
                    votes += (bits[r as usize / 64] >> (r % 64)) as u32 & 1;
                }
                if votes >= dense.vote_threshold {
                    got.push(j as u32);
                }
            }
        }
        DecoderKind::Average => {
            for j in 0..code.features() {
                let sum: i64 = code.set(j).iter().map(|&r| hidden[r as usize] as i64).sum();
                if sum * dense.relu_factor >= dense.average_threshold {
                    got.push(j as u32);
                }
            }
        }
    }
    got != truth
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::base::sample::InputDistribution;
    use crate::evaluate::eval::and2_failure;
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;
    use rand::Rng as _;

    use crate::constructions::and2::tests::small_case as network;

    fn spec(samples: u64, seed: u64) -> SampleSpec {
        SampleSpec {
            k: 4,
            distribution: InputDistribution::Planted,
            samples,
            seed,
        }
    }

    /// Reference forward pass in f64 loops.
    fn naive_forward(layer: &DenseLayer, inputs: &Mat<f32>) -> Vec<f64> {
        let mut out = Vec::new();
        for b in 0..inputs.ncols() {
            for r in 0..layer.rows() {
                let dot: f64 = (0..layer.cols())
                    .map(|q| f64::from(layer.weights[(r, q)]) * f64::from(inputs[(q, b)]))
                    .sum();
                out.push((dot + f64::from(layer.bias[r])).max(0.0));
            }
        }
        out
    }

    fn random_layer(rows: usize, cols: usize, batch: usize, seed: u64, integer: bool) -> (DenseLayer, Mat<f32>) {
        let mut rng = stream(seed, "dense-test", 0);
        let mut draw = move || {
            let x: f32 = rng.random_range(-4.0..4.0);
            if integer { x.round() } else { x }
        };
        let weights = Mat::from_fn(rows, cols, |_, _| draw());
        let inputs = Mat::from_fn(cols, batch, |_, _| draw());
        let bias = (0..rows).map(|_| draw()).collect();
        (DenseLayer::new(weights, bias).unwrap(), inputs)
    }

    fn forward(layer: &DenseLayer, inputs: &Mat<f32>, par: Par) -> Mat<f32> {
        let mut out = Mat::<f32>::zeros(layer.rows(), inputs.ncols());
        layer.forward_batch(inputs.as_ref(), out.as_mut(), par);
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 32,
            rng_seed: RngSeed::Fixed(0x5eed_0de5),
            ..ProptestConfig::default()
        })]

        /// The dense f32 path gives the exact path's verdict on every sample, and the same
        /// failure count as eval::and2_failure on the same spec.
        #[test]
        fn dense_verdicts_equal_exact_verdicts(
            seed in any::<u64>(), outputs in 4usize..48, width in 8usize..48,
            vote in any::<bool>(), centering in any::<bool>(), batch in 1usize..12, threads in 1usize..3,
        ) {
            let decoder = if vote { DecoderKind::Vote } else { DecoderKind::Average };
            let (instance, net) = network(seed, outputs, width, decoder, centering);
            let spec = spec(70, seed ^ 7);
            let samples = SampleSet::draw(&instance, &spec);
            let dense = dense_from_and2(&net).unwrap();
            let par = if threads == 1 { Par::Seq } else { Par::rayon(threads) };
            let run = dense_and2_failure(&dense, &instance, &samples, batch, par).unwrap();
            let exact = exact_verdicts(&net, &instance, &samples);
            prop_assert_eq!(&run.verdicts, &exact);
            prop_assert_eq!(run.rate.failures, and2_failure(&net, &instance, &spec, None).failures);
        }
    }

    #[test]
    fn verdicts_agree_where_failures_are_frequent_and_rare() {
        // Narrow: most samples fail; wide: few do. Both kinds of verdict must match.
        for (width, seed) in [(40, 3), (400, 4)] {
            let (instance, net) = network(seed, 128, width, DecoderKind::Vote, true);
            let spec = spec(300, seed);
            let samples = SampleSet::draw(&instance, &spec);
            let dense = dense_from_and2(&net).unwrap();
            let run = dense_and2_failure(&dense, &instance, &samples, 64, Par::rayon(2)).unwrap();
            assert_eq!(run.verdicts, exact_verdicts(&net, &instance, &samples));
            let failures = run.rate.failures;
            if width == 40 {
                assert!(failures > 0, "the narrow network should fail");
            } else {
                assert!(failures < 300, "the wide network should pass some samples: {failures}");
            }
            assert_eq!(run.gemm_flops, 2.0 * 300.0 * (width * width) as f64);
        }
    }

    #[test]
    fn forward_matches_reference_and_ignores_thread_count() {
        for integer in [true, false] {
            let (layer, inputs) = random_layer(37, 53, 19, 9, integer);
            let reference = naive_forward(&layer, &inputs);
            let seq = forward(&layer, &inputs, Par::Seq);
            for b in 0..inputs.ncols() {
                for r in 0..layer.rows() {
                    let expected = reference[b * layer.rows() + r];
                    let got = f64::from(seq[(r, b)]);
                    if integer {
                        assert_eq!(got, expected);
                    } else {
                        assert!((got - expected).abs() < 1e-3, "{got} vs {expected}");
                    }
                }
            }
            for threads in [2, 3] {
                assert_eq!(forward(&layer, &inputs, Par::rayon(threads)), seq, "threads {threads}");
            }
        }
    }

    #[test]
    fn large_gemm_is_bitwise_thread_independent() {
        // Big enough for faer to split the work between threads.
        let (layer, inputs) = random_layer(600, 1200, 256, 2, false);
        let seq = forward(&layer, &inputs, Par::Seq);
        assert_eq!(forward(&layer, &inputs, Par::rayon(2)), seq);
    }

    #[test]
    fn dense_weights_are_the_scaled_centered_weights() {
        let (_, net) = network(5, 30, 24, DecoderKind::Vote, true);
        let dense = dense_from_and2(&net).unwrap();
        let p = net.params();
        let scale = dense.scale();
        assert_eq!(scale % p.t_in as u64, 0);
        assert_eq!(scale % p.input_width as u64, 0);
        for r in 0..p.hidden_width {
            for q in 0..p.input_width {
                // L·(A/t_in − |S_r|/n_in) computed in rationals.
                let expected = (f64::from(net.weight(r, q)) / p.t_in as f64
                    - net.union_size(r) as f64 / p.input_width as f64)
                    * scale as f64;
                assert_eq!(f64::from(dense.layer().weights[(r, q)]), expected.round());
                assert!((f64::from(dense.layer().weights[(r, q)]) - expected).abs() < 1e-9);
            }
            assert_eq!(dense.layer().bias[r], -(scale as f32));
        }
    }

    #[test]
    fn refuses_inputs_beyond_exactness_and_mismatched_instances() {
        // Input width coprime with t_in makes L = t_in·n_in large, so few inputs break the bound.
        let instance = And2Instance::random(4000, 64, PairDistribution::Uniform, 1).unwrap();
        let params = And2Params::defaults(64, 4099, 2);
        let net = And2Network::build(&instance, params).unwrap();
        let dense = dense_from_and2(&net).unwrap();
        let limit = dense.exact_mass_limit();
        let inputs_needed = limit as usize / params.t_in + 1;
        assert!(inputs_needed < 4000, "limit {limit}");
        let many = SampleSet::from_parts(vec![0, inputs_needed], (0..inputs_needed as u32).collect(), 4000).unwrap();
        let message = dense_and2_failure(&dense, &instance, &many, 4, Par::Seq)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("exactly") && message.contains("fewer active inputs"),
            "{message}"
        );
        let few = SampleSet::from_parts(vec![0, 4], vec![0, 1, 2, 3], 4000).unwrap();
        assert!(dense_and2_failure(&dense, &instance, &few, 4, Par::Seq).is_ok());
        let other = And2Instance::random(4000, 65, PairDistribution::Uniform, 1).unwrap();
        assert!(dense_and2_failure(&dense, &other, &few, 4, Par::Seq).is_err());
        assert!(dense_and2_failure(&dense, &instance, &few, 0, Par::Seq).is_err());
    }

    #[test]
    fn friendly_widths_make_the_scale_the_input_width() {
        assert_eq!(dense_friendly_width(5120, 16), 5120);
        assert_eq!(dense_friendly_width(22_897, 20), 23_040);
        assert_eq!(dense_friendly_width(1109, 12), 1152);
        assert_eq!(dense_friendly_width(0, 7), 448);
        let (_, net) = network(1, 40, dense_friendly_width(30, 6), DecoderKind::Vote, true);
        let dense = dense_from_and2(&net).unwrap();
        assert_eq!(dense.scale(), net.params().input_width as u64);
    }

    #[test]
    fn sample_sets_validate_and_take_prefixes() {
        let instance = And2Instance::random(50, 60, PairDistribution::Uniform, 2).unwrap();
        let set = SampleSet::draw(&instance, &spec(100, 3));
        assert_eq!(set.len(), 100);
        let rebuilt = SampleSet::from_parts(set.offsets().to_vec(), set.active().to_vec(), 50).unwrap();
        assert_eq!(rebuilt, set);
        let prefix = set.prefix(33);
        assert_eq!(prefix.len(), 33);
        assert_eq!(prefix.sample(32), set.sample(32));
        assert!(SampleSet::from_parts(vec![0, 2], vec![1, 1], 50).is_err());
        assert!(SampleSet::from_parts(vec![0, 2], vec![1, 50], 50).is_err());
        assert!(SampleSet::from_parts(vec![1, 2], vec![1, 2], 50).is_err());
        assert!(SampleSet::from_parts(vec![0, 2, 1, 2], vec![1, 2], 50).is_err());
        assert!(DenseLayer::new(Mat::zeros(3, 2), vec![0.0; 2]).is_err());
    }
}
