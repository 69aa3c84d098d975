//! The trained architectures, their parameters and their forward and backward passes.
//!
//! Layouts: every matrix is column-major (column q contiguous), so the first layer's sparse
//! product W·u adds the k·t_in columns of the active input neurons, and its gradient touches
//! only those columns: ∂L/∂W[:, q] = Σ_s u_q(s)·δ(s), summed over the samples s that activate q,
//! in sample order. Both are `superposition_kernels::accumulate_columns_f32` (SIMD where the CPU
//! has it, bit-identical to its scalar loop: product, then sum, no FMA). Batched activations
//! are column-major too (sample s is column s).
//!
//! - *Tied*: z = W·u + c·Σ_q u_q + b, rows = n (the output code's neurons).
//! - *Free*: a = W₁·u + c₁·Σ_q u_q + b₁ (rows = n_h), g = ReLU(a), z = W₂·g + b₂ (n rows).
//!   The product W₂·G is a faer GEMM split into fixed blocks of [`BLOCK`] columns computed
//!   sequentially, so no reduction depends on the thread count. The backward products δ·Gᵀ
//!   and W₂ᵀ·δ read δ sparsely (the hinge's δ is zero beyond the margin, ~99 % of entries).
//!
//! Backward (with δ = ∂L/∂z already divided by the batch size B): tied δ₁ = δ; free
//! ∂L/∂W₂ = δ·Gᵀ, ∂L/∂b₂ = Σ_s δ(s), δ₁ = (W₂ᵀ·δ) ⊙ 1[a > 0]; then ∂L/∂b₁ = Σ_s δ₁(s),
//! ∂L/∂c₁ = Σ_s (Σ_q u_q(s))·δ₁(s) and the sparse column sums above. (At a = 0 the ReLU's
//! derivative is taken as 0.)

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;
use superposition_kernels::accumulate_columns_f32;

use super::LossConfig;
use super::data::Batch;
use crate::base::code::rand_distr_gauss::standard_normal;
use crate::rng::stream;

/// Columns per block of the free layer's GEMMs (and samples per block of the batch): the unit
/// of parallel work whose boundaries do not move with the thread count.
pub const BLOCK: usize = 32;

/// Which network is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainArchitecture {
    /// One hidden layer that is the output representation (AS-2AND's shape).
    Tied,
    /// A free hidden ReLU layer of width n_h, then a linear layer into the output code.
    Free {
        /// n_h, the free hidden width.
        hidden: usize,
    },
}

/// The parameters (and, with the same shapes, their gradients and Adam moments).
///
/// Tied: `w1` (n × n_in), `c1`, `b1` (n); `w2`, `b2` empty. Free: `w1` (n_h × n_in), `c1`,
/// `b1` (n_h), `w2` (n × n_h), `b2` (n). Matrices column-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// W (tied) or W₁ (free), column-major.
    pub w1: Vec<f32>,
    /// c (tied) or c₁ (free): the mass neuron's weights, the coefficient of Σ_q u_q.
    pub c1: Vec<f32>,
    /// b (tied) or b₁ (free).
    pub b1: Vec<f32>,
    /// W₂ (free only), column-major n × n_h.
    pub w2: Vec<f32>,
    /// b₂ (free only).
    pub b2: Vec<f32>,
}

impl Params {
    /// Whether AdamW decays each tensor of [`Params::tensors`]: the weight matrices only
    /// (decaying biases and the mass coefficient would pull the firing threshold).
    pub const DECAYED: [bool; 5] = [true, false, false, true, false];

    /// Zeros of the same shapes.
    pub fn zeros_like(&self) -> Self {
        let zeros = |v: &Vec<f32>| vec![0.0; v.len()];
        Self {
            w1: zeros(&self.w1),
            c1: zeros(&self.c1),
            b1: zeros(&self.b1),
            w2: zeros(&self.w2),
            b2: zeros(&self.b2),
        }
    }

    /// The tensors in a fixed order: w1, c1, b1, w2, b2.
    pub fn tensors(&self) -> [&[f32]; 5] {
        [&self.w1, &self.c1, &self.b1, &self.w2, &self.b2]
    }

    /// The tensors, mutable, in the order of [`Params::tensors`].
    pub fn tensors_mut(&mut self) -> [&mut [f32]; 5] {
        [&mut self.w1, &mut self.c1, &mut self.b1, &mut self.w2, &mut self.b2]
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A trained network: architecture, widths and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    architecture: TrainArchitecture,
    input_width: usize,
    width: usize,
    params: Params,
}

/// The batch's activations after a forward pass (column-major, sample s is column s). Kept
/// from step to step by [`Workspace`]: each pass overwrites every entry it reads.
#[derive(Debug, Clone, Default)]
struct Forward {
    /// First-layer pre-activations (rows1 × B); the tied network's z.
    a: Vec<f32>,
    /// ReLU(a) (free only, n_h × B).
    g: Vec<f32>,
    /// z of the free network (n × B); empty for tied, whose z is `a`.
    z: Vec<f32>,
}

impl Model {
    /// The number of parameters of an architecture with input width n_in and output-code
    /// width n: tied n·n_in + 2n; free n_h·n_in + 2·n_h + n·n_h + n.
    pub fn parameter_count(architecture: TrainArchitecture, input_width: usize, width: usize) -> u64 {
        let (n_in, n) = (input_width as u64, width as u64);
        match architecture {
            TrainArchitecture::Tied => n * n_in + 2 * n,
            TrainArchitecture::Free { hidden } => {
                let h = hidden as u64;
                h * n_in + 2 * h + n * h + n
            }
        }
    }

    /// Neurons as the harness counts a file's network (SPEC §2, `check`): n_in + n (+ n_h) + the
    /// mass neuron.
    pub fn neurons_counted(&self) -> usize {
        let hidden = match self.architecture {
            TrainArchitecture::Tied => 0,
            TrainArchitecture::Free { hidden } => hidden,
        };
        self.input_width + self.width + hidden + 1
    }

    /// Parameters as the harness counts a file's network (`check`): nonzero weights, every bias
    /// and mass weight, and the mass neuron's n_in unit weights.
    pub fn parameters_counted(&self) -> u64 {
        let p = &self.params;
        let nonzero = p.w1.iter().chain(&p.w2).filter(|&&w| w != 0.0).count();
        (nonzero + p.c1.len() + p.b1.len() + p.b2.len() + self.input_width) as u64
    }

    /// A seeded initial network, from the stream (seed, "train-init", 0). `active_neurons` is
    /// k·t_in, the number of input neurons a sample switches on (at most).
    ///
    /// Tied: W ~ N(0, (0.1)²/(k·t_in)), so z starts near 0 (no neuron fires: every target-0
    /// neuron is already right). Free: W₁ ~ N(0, 1/(k·t_in)) (a ~ N(0, 1), about half the
    /// hidden units active), W₂ ~ N(0, (0.1)²·2/n_h); biases and mass weights 0.
    pub fn init(
        architecture: TrainArchitecture,
        input_width: usize,
        width: usize,
        active_neurons: usize,
        seed: u64,
    ) -> Self {
        let mut rng = stream(seed, "train-init", 0);
        let mut normals = |len: usize, sigma: f64| -> Vec<f32> {
            (0..len).map(|_| (standard_normal(&mut rng) * sigma) as f32).collect()
        };
        let fan = (active_neurons.max(1) as f64).sqrt();
        let params = match architecture {
            TrainArchitecture::Tied => Params {
                w1: normals(width * input_width, 0.1 / fan),
                c1: vec![0.0; width],
                b1: vec![0.0; width],
                w2: Vec::new(),
                b2: Vec::new(),
            },
            TrainArchitecture::Free { hidden } => Params {
                w1: normals(hidden * input_width, 1.0 / fan),
                c1: vec![0.0; hidden],
                b1: vec![0.0; hidden],
                w2: normals(width * hidden, 0.1 * (2.0 / hidden.max(1) as f64).sqrt()),
                b2: vec![0.0; width],
            },
        };
        Self {
            architecture,
            input_width,
            width,
            params,
        }
    }

    /// The architecture.
    pub fn architecture(&self) -> TrainArchitecture {
        self.architecture
    }

    /// n_in, the input code's width.
    pub fn input_width(&self) -> usize {
        self.input_width
    }

    /// n, the output code's width.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Rows of the first layer: n (tied) or n_h (free).
    pub fn rows1(&self) -> usize {
        match self.architecture {
            TrainArchitecture::Tied => self.width,
            TrainArchitecture::Free { hidden } => hidden,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The parameters, mutable (the optimizer's view).
    pub fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }

    /// The batch loss: mean over samples of Σ_r term(z_r, y_r).
    pub fn loss(&self, batch: &Batch, loss: &LossConfig) -> f64 {
        let mut forward = Forward::default();
        self.forward(batch, &mut forward);
        self.loss_terms(&forward, batch, loss).0
    }

    /// The batch loss and its gradient, written into `grad` (shapes of [`Model::params`]).
    pub fn loss_and_gradient(&self, batch: &Batch, loss: &LossConfig, grad: &mut Params) -> f64 {
        self.loss_and_gradient_in(batch, loss, grad, &mut Workspace::default())
    }

    /// [`Model::loss_and_gradient`] with the batch's activations in `workspace`, whose buffers
    /// a training loop keeps from step to step (allocating them afresh each step costs a page
    /// fault per 4 KiB of a rows × B matrix).
    pub fn loss_and_gradient_in(
        &self,
        batch: &Batch,
        loss: &LossConfig,
        grad: &mut Params,
        workspace: &mut Workspace,
    ) -> f64 {
        let Workspace { forward, w2t, delta1 } = workspace;
        self.forward(batch, forward);
        let (total, delta) = self.loss_terms(forward, batch, loss);
        let columns = ColumnSamples::new(batch, self.input_width);
        match self.architecture {
            TrainArchitecture::Tied => self.backward_input_sparse(batch, &columns, &delta, grad),
            TrainArchitecture::Free { hidden } => {
                self.backward_output(forward, &delta, hidden, grad, w2t, delta1);
                self.backward_input(batch, &columns, delta1, grad);
            }
        }
        total
    }

    fn forward(&self, batch: &Batch, forward: &mut Forward) {
        let rows = self.rows1();
        let b = batch.len();
        let p = &self.params;
        // Every entry is written below (bias, then the columns), so old contents may stay.
        forward.a.resize(rows * b, 0.0);
        forward
            .a
            .par_chunks_mut(rows.max(1))
            .zip(batch.examples.par_iter())
            .with_min_len(4)
            .for_each(|(out, example)| {
                for ((o, &b), &c) in out.iter_mut().zip(&p.b1).zip(&p.c1) {
                    *o = b + c * example.mass;
                }
                accumulate_columns_f32(&p.w1, rows, &example.columns, out);
            });
        let TrainArchitecture::Free { hidden } = self.architecture else {
            forward.g.clear();
            forward.z.clear();
            return;
        };
        let Forward { a, g, z } = forward;
        g.clear();
        g.extend(a.iter().map(|&x| x.max(0.0)));
        let n = self.width;
        // Replaced whole by the products below.
        z.resize(n * b, 0.0);
        let w2 = MatRef::from_column_major_slice(&p.w2, n, hidden);
        z.par_chunks_mut(n * BLOCK)
            .zip(g.par_chunks(hidden * BLOCK))
            .for_each(|(zb, gb)| {
                let cols = gb.len() / hidden;
                let mut out = MatMut::from_column_major_slice_mut(zb, n, cols);
                let input = MatRef::from_column_major_slice(gb, hidden, cols);
                matmul(out.as_mut(), Accum::Replace, w2, input, 1.0f32, Par::Seq);
                for column in zb.chunks_mut(n) {
                    for (o, &bias) in column.iter_mut().zip(&p.b2) {
                        *o += bias;
                    }
                }
            });
    }

    /// (mean loss, δ = ∂(mean loss)/∂z as f32, sample by sample, its zeros left out).
    fn loss_terms(&self, forward: &Forward, batch: &Batch, loss: &LossConfig) -> (f64, SparseDelta) {
        let n = self.width;
        let z = match self.architecture {
            TrainArchitecture::Tied => &forward.a,
            TrainArchitecture::Free { .. } => &forward.z,
        };
        let scale = 1.0 / batch.len().max(1) as f64;
        let per_sample: Vec<(f64, Vec<(u32, f32)>)> = z
            .par_chunks(n.max(1))
            .zip(batch.examples.par_iter())
            .with_min_len(4)
            .map(|(zs, example)| {
                let mut positives = example.positives.iter().peekable();
                let mut sum = 0.0;
                let mut nonzero = Vec::new();
                for (r, &zr) in zs.iter().enumerate() {
                    let positive = positives.next_if(|&&p| p as usize == r).is_some();
                    if loss.is_zero(zr, positive) {
                        continue;
                    }
                    let (l, g) = loss.term(zr, positive);
                    sum += l;
                    let d = (g * scale) as f32;
                    if d != 0.0 {
                        nonzero.push((r as u32, d));
                    }
                }
                (sum, nonzero)
            })
            .collect();
        let mut delta = SparseDelta {
            offsets: Vec::with_capacity(per_sample.len() + 1),
            entries: Vec::new(),
        };
        delta.offsets.push(0);
        let mut total = 0.0;
        for (sum, nonzero) in per_sample {
            total += sum;
            delta.entries.extend(nonzero);
            delta.offsets.push(delta.entries.len());
        }
        (total * scale, delta)
    }

    /// The free output layer's gradients (∂L/∂W₂, ∂L/∂b₂ into `grad`), and δ₁ = (W₂ᵀ·δ) ⊙ 1[a > 0],
    /// all from the sparse δ (about 1 % of its entries are nonzero): every sum runs over δ's
    /// nonzero entries, sample by sample in order (rows increasing within a sample), so none
    /// depends on the thread count or the CPU. `w2t` and `delta1` are the workspace's buffers,
    /// overwritten whole; δ₁ is left in `delta1`.
    fn backward_output(
        &self,
        forward: &Forward,
        delta: &SparseDelta,
        hidden: usize,
        grad: &mut Params,
        w2t: &mut Vec<f32>,
        delta1: &mut Vec<f32>,
    ) {
        let n = self.width;
        let b = delta.samples();
        let g = &forward.g;
        // ∂L/∂W₂[:, j] = Σ_s g_j(s)·δ(s), skipping the samples where g_j(s) = 0.
        grad.w2
            .par_chunks_mut(n.max(1))
            .enumerate()
            .with_min_len(8)
            .for_each(|(j, column)| {
                column.fill(0.0);
                for s in 0..b {
                    let gj = g[s * hidden + j];
                    if gj != 0.0 {
                        for &(r, d) in delta.sample(s) {
                            column[r as usize] += gj * d;
                        }
                    }
                }
            });
        grad.b2.fill(0.0);
        for s in 0..b {
            for &(r, d) in delta.sample(s) {
                grad.b2[r as usize] += d;
            }
        }
        // W₂ᵀ (n_h × n, column-major): its column r is W₂'s row r, so δ₁(s) adds a few columns.
        w2t.resize(hidden * n, 0.0);
        w2t.par_chunks_mut(hidden.max(1))
            .enumerate()
            .with_min_len(64)
            .for_each(|(r, column)| {
                for (j, x) in column.iter_mut().enumerate() {
                    *x = self.params.w2[j * n + r];
                }
            });
        delta1.resize(hidden * b, 0.0);
        delta1
            .par_chunks_mut(hidden.max(1))
            .zip(forward.a.par_chunks(hidden.max(1)))
            .enumerate()
            .with_min_len(4)
            .for_each(|(s, (out, a))| {
                out.fill(0.0);
                accumulate_columns_f32(w2t, hidden, delta.sample(s), out);
                for (d, &x) in out.iter_mut().zip(a) {
                    if x <= 0.0 {
                        *d = 0.0;
                    }
                }
            });
    }

    /// The first layer's gradients from a dense δ₁ (rows1 × B): b₁, c₁ and the active columns
    /// of W₁.
    fn backward_input(&self, batch: &Batch, columns: &ColumnSamples, delta: &[f32], grad: &mut Params) {
        let rows = self.rows1();
        let masses: Vec<f32> = batch.examples.iter().map(|e| e.mass).collect();
        column_sums(delta, rows, None, &mut grad.b1);
        column_sums(delta, rows, Some(&masses), &mut grad.c1);
        grad.w1
            .par_chunks_mut(rows.max(1))
            .enumerate()
            .with_min_len(8)
            .for_each(|(q, column)| {
                column.fill(0.0);
                accumulate_columns_f32(delta, rows, columns.of(q), column);
            });
    }

    /// The same from the sparse δ of the tied network: each sum runs over the samples in order
    /// and skips δ's zeros, which leaves every sum bit-identical to the dense one (adding u·0 to
    /// a sum that starts at +0 changes nothing) at about 1 % of its cost (the hinge's δ is zero
    /// on every neuron beyond its margin).
    fn backward_input_sparse(&self, batch: &Batch, columns: &ColumnSamples, delta: &SparseDelta, grad: &mut Params) {
        grad.b1.fill(0.0);
        grad.c1.fill(0.0);
        for (s, example) in batch.examples.iter().enumerate() {
            for &(r, d) in delta.sample(s) {
                grad.b1[r as usize] += d;
                grad.c1[r as usize] += example.mass * d;
            }
        }
        grad.w1
            .par_chunks_mut(self.rows1().max(1))
            .enumerate()
            .with_min_len(8)
            .for_each(|(q, column)| {
                column.fill(0.0);
                for &(s, u) in columns.of(q) {
                    for &(r, d) in delta.sample(s as usize) {
                        column[r as usize] += u * d;
                    }
                }
            });
    }

    /// The exact pre-activations z of one input, in f64 from the f32 weights, with the hidden
    /// activations of a free network in `hidden`: what the trainer's own evaluation decides on
    /// (z_r ≥ ½). Products of f32 weights and small integer counts are exact in f64; the sums
    /// are rounded in f64 only.
    pub fn preactivations_f64(&self, columns: &[(u32, f32)], mass: f32, hidden: &mut Vec<f64>, z: &mut Vec<f64>) {
        let rows = self.rows1();
        let p = &self.params;
        let first = match self.architecture {
            TrainArchitecture::Tied => &mut *z,
            TrainArchitecture::Free { .. } => &mut *hidden,
        };
        first.clear();
        first.extend((0..rows).map(|r| f64::from(p.b1[r]) + f64::from(p.c1[r]) * f64::from(mass)));
        for &(q, u) in columns {
            let column = &p.w1[q as usize * rows..(q as usize + 1) * rows];
            for (o, &w) in first.iter_mut().zip(column) {
                *o += f64::from(u) * f64::from(w);
            }
        }
        if let TrainArchitecture::Free { .. } = self.architecture {
            let n = self.width;
            z.clear();
            z.extend(p.b2.iter().map(|&b| f64::from(b)));
            for (j, &a) in hidden.iter().enumerate() {
                if a > 0.0 {
                    for (o, &w) in z.iter_mut().zip(&p.w2[j * n..(j + 1) * n]) {
                        *o += a * f64::from(w);
                    }
                }
            }
        }
    }
}

/// The buffers of a training step, reused from step to step: the activations, and the free
/// network's W₂ᵀ and δ₁.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    forward: Forward,
    w2t: Vec<f32>,
    delta1: Vec<f32>,
}

/// δ of a batch, sample by sample: the nonzero (row, value) pairs of each sample's column,
/// rows increasing (entries `offsets[s]..offsets[s + 1]` are sample s's).
struct SparseDelta {
    offsets: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl SparseDelta {
    /// Sample s's nonzero entries.
    fn sample(&self, s: usize) -> &[(u32, f32)] {
        &self.entries[self.offsets[s]..self.offsets[s + 1]]
    }

    /// B, the number of samples.
    fn samples(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The dense rows × B matrix (column-major).
    #[cfg(test)]
    fn dense(&self, rows: usize) -> Vec<f32> {
        let samples = self.samples();
        let mut out = vec![0.0f32; rows * samples];
        for (s, column) in out.chunks_mut(rows.max(1)).enumerate().take(samples) {
            for &(r, d) in self.sample(s) {
                column[r as usize] = d;
            }
        }
        out
    }
}

/// For each input neuron q, the (sample, u_q) pairs of the samples that switch it on, in
/// sample order.
struct ColumnSamples {
    offsets: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl ColumnSamples {
    fn new(batch: &Batch, input_width: usize) -> Self {
        let mut offsets = vec![0usize; input_width + 1];
        for example in &batch.examples {
            for &(q, _) in &example.columns {
                offsets[q as usize + 1] += 1;
            }
        }
        for q in 0..input_width {
            offsets[q + 1] += offsets[q];
        }
        let mut cursor = offsets.clone();
        let mut entries = vec![(0u32, 0.0f32); offsets[input_width]];
        for (s, example) in batch.examples.iter().enumerate() {
            for &(q, u) in &example.columns {
                entries[cursor[q as usize]] = (s as u32, u);
                cursor[q as usize] += 1;
            }
        }
        Self { offsets, entries }
    }

    /// Input neuron q's (sample, u_q) pairs.
    fn of(&self, q: usize) -> &[(u32, f32)] {
        &self.entries[self.offsets[q]..self.offsets[q + 1]]
    }
}

/// out[r] = Σ_s weight_s·m[r, s] over the columns s of the column-major rows × B matrix `m`,
/// in column order (weight 1 without `weights`); parallel over fixed blocks of rows.
fn column_sums(m: &[f32], rows: usize, weights: Option<&[f32]>, out: &mut [f32]) {
    const ROWS: usize = 256;
    out.par_chunks_mut(ROWS).enumerate().for_each(|(block, o)| {
        let (r0, len) = (block * ROWS, o.len());
        o.fill(0.0);
        for (s, column) in m.chunks(rows.max(1)).enumerate() {
            let w = weights.map_or(1.0, |w| w[s]);
            for (x, &v) in o.iter_mut().zip(&column[r0..r0 + len]) {
                *x += w * v;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::{And2Instance, PairDistribution};
    use crate::constructions::coded::CodedParams;
    use crate::train::data::Sampler;
    use crate::train::{Loss, LossConfig, TrainDistribution};

    /// A tiny model with every parameter redrawn from N(0, 0.3²) (so that many hinge terms
    /// and ReLUs are active), and a planted batch of 8.
    fn tiny(architecture: TrainArchitecture) -> (Model, Batch) {
        let (m, width) = (12, 10);
        let instance = And2Instance::random(m, m, PairDistribution::Uniform, 4).unwrap();
        let codes = CodedParams::defaults(m, width, 4).codes(m, m).unwrap();
        let sampler = Sampler::new(instance, codes, 4, TrainDistribution::Planted);
        let mut model = Model::init(architecture, width, width, 16, 9);
        let mut rng = stream(11, "test-params", 0);
        for tensor in model.params_mut().tensors_mut() {
            for x in tensor.iter_mut() {
                *x = (standard_normal(&mut rng) * 0.3) as f32;
            }
        }
        (model, sampler.batch(2, 0, 8))
    }

    /// Compares the analytic gradient with central differences, parameter by parameter.
    ///
    /// Piecewise-linear case (hinge; the ReLU of free): away from a kink the loss is linear
    /// along one parameter (z is linear in each W, c, b entry within a ReLU pattern), so the
    /// central difference at h = 10⁻² is exact up to the f32 rounding of z (≈ 10⁻⁶ in the
    /// loss, 10⁻⁴ after dividing by h). A parameter whose two one-sided differences disagree by
    /// more than 5·10⁻³ has a kink within h and is skipped; a hinge kink changes the slope by
    /// u/B ≥ 1/8, so it is always seen, and an unseen ReLU kink moves the central difference
    /// by less than 2.5·10⁻³. At most a fifth of the parameters may be skipped.
    /// Smooth case (logistic on tied, which has no ReLU): nothing is skipped; h = 10⁻³ keeps
    /// the central difference's h²·L‴/6 below 10⁻⁴ and its rounding near 3·10⁻⁴.
    /// Every tensor must have a nonzero gradient, so a wrong backward pass cannot hide.
    fn check_gradient(architecture: TrainArchitecture, loss: LossConfig, smooth: bool) {
        let (model, batch) = tiny(architecture);
        let mut grad = model.params().zeros_like();
        let base = model.loss_and_gradient(&batch, &loss, &mut grad);
        assert_eq!(base, model.loss(&batch, &loss));
        let h = if smooth { 1e-3f32 } else { 1e-2 };
        let (mut checked, mut skipped) = (0, 0);
        for t in 0..5 {
            let len = model.params().tensors()[t].len();
            assert!(
                len == 0 || grad.tensors()[t].iter().any(|&g| g != 0.0),
                "tensor {t}: zero gradient"
            );
            for i in 0..len {
                let at = |delta: f32| {
                    let mut moved = model.clone();
                    moved.params_mut().tensors_mut()[t][i] += delta;
                    moved.loss(&batch, &loss)
                };
                let (plus, minus) = (at(h), at(-h));
                let h = f64::from(h);
                let (forward, backward) = ((plus - base) / h, (base - minus) / h);
                if !smooth && (forward - backward).abs() > 5e-3 {
                    skipped += 1;
                    continue;
                }
                let central = (plus - minus) / (2.0 * h);
                let analytic = f64::from(grad.tensors()[t][i]);
                assert!(
                    (central - analytic).abs() <= 5e-3 + 1e-2 * analytic.abs(),
                    "tensor {t} entry {i}: finite difference {central}, backward {analytic}"
                );
                checked += 1;
            }
        }
        assert!(
            skipped * 5 <= checked + skipped,
            "{skipped} of {} at a kink",
            checked + skipped
        );
    }

    #[test]
    fn tied_backward_equals_finite_differences() {
        check_gradient(TrainArchitecture::Tied, LossConfig::default(), false);
        check_gradient(
            TrainArchitecture::Tied,
            LossConfig {
                loss: Loss::Logistic { scale: 4.0 },
                positive_weight: 3.0,
            },
            true,
        );
    }

    #[test]
    fn free_backward_equals_finite_differences() {
        check_gradient(TrainArchitecture::Free { hidden: 7 }, LossConfig::default(), false);
        check_gradient(
            TrainArchitecture::Free { hidden: 7 },
            LossConfig {
                loss: Loss::Hinge { margin: 0.1 },
                positive_weight: 2.0,
            },
            false,
        );
    }

    #[test]
    fn exact_preactivations_equal_the_training_forward_pass() {
        for architecture in [TrainArchitecture::Tied, TrainArchitecture::Free { hidden: 7 }] {
            let (model, batch) = tiny(architecture);
            let mut forward = Forward::default();
            model.forward(&batch, &mut forward);
            let z = match architecture {
                TrainArchitecture::Tied => &forward.a,
                TrainArchitecture::Free { .. } => &forward.z,
            };
            let (mut hidden, mut exact) = (Vec::new(), Vec::new());
            for (s, example) in batch.examples.iter().enumerate() {
                model.preactivations_f64(&example.columns, example.mass, &mut hidden, &mut exact);
                for (r, &e) in exact.iter().enumerate() {
                    let f = f64::from(z[s * model.width() + r]);
                    assert!((e - f).abs() < 1e-5, "sample {s} neuron {r}: {e} vs {f}");
                }
            }
        }
    }

    /// A tied model on a larger instance whose δ has both zero and nonzero entries: the sparse
    /// first-layer gradient must equal the dense one bit for bit, and a workspace used for other
    /// batches first (larger and smaller) must give what fresh buffers give.
    #[test]
    fn sparse_tied_gradient_and_reused_workspace_equal_the_dense_fresh_ones() {
        let (m, width) = (64, 40);
        let instance = And2Instance::random(m, m, PairDistribution::Uniform, 5).unwrap();
        let codes = CodedParams::defaults(m, width, 4).codes(m, m).unwrap();
        let sampler = Sampler::new(instance, codes, 4, TrainDistribution::Mixed);
        let mut model = Model::init(TrainArchitecture::Tied, width, width, 24, 3);
        let mut rng = stream(12, "test-params", 0);
        for x in model.params_mut().w1.iter_mut() {
            *x = (standard_normal(&mut rng) * 0.2) as f32;
        }
        let loss = LossConfig {
            loss: Loss::Hinge { margin: 0.25 },
            positive_weight: 4.0,
        };
        let batch = sampler.batch(3, 0, 24);
        let mut forward = Forward::default();
        model.forward(&batch, &mut forward);
        let (total, delta) = model.loss_terms(&forward, &batch, &loss);
        let dense = delta.dense(width);
        let zeros = dense.iter().filter(|&&d| d == 0.0).count();
        assert!(zeros > 0 && zeros < dense.len(), "{zeros} zeros of {}", dense.len());
        let columns = ColumnSamples::new(&batch, width);
        let mut sparse_grad = model.params().zeros_like();
        model.backward_input_sparse(&batch, &columns, &delta, &mut sparse_grad);
        let mut dense_grad = model.params().zeros_like();
        model.backward_input(&batch, &columns, &dense, &mut dense_grad);
        let bits =
            |p: &Params| -> Vec<u32> { p.tensors().iter().flat_map(|t| t.iter().map(|x| x.to_bits())).collect() };
        assert_eq!(bits(&sparse_grad), bits(&dense_grad));
        assert!(sparse_grad.w1.iter().any(|&g| g != 0.0));

        let mut fresh = model.params().zeros_like();
        let expected = model.loss_and_gradient(&batch, &loss, &mut fresh);
        assert_eq!(expected, total);
        for architecture in [TrainArchitecture::Tied, TrainArchitecture::Free { hidden: 30 }] {
            let mut model = Model::init(architecture, width, width, 24, 4);
            for x in model.params_mut().w1.iter_mut() {
                *x *= 4.0;
            }
            let mut workspace = Workspace::default();
            let mut reused = model.params().zeros_like();
            for size in [40, 8] {
                model.loss_and_gradient_in(&sampler.batch(4, 1, size), &loss, &mut reused, &mut workspace);
            }
            let mut fresh = model.params().zeros_like();
            let a = model.loss_and_gradient_in(&batch, &loss, &mut reused, &mut workspace);
            let b = model.loss_and_gradient(&batch, &loss, &mut fresh);
            assert_eq!(a.to_bits(), b.to_bits());
            assert_eq!(bits(&reused), bits(&fresh));
        }
    }
}
