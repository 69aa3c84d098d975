//! [`FileNetwork`]: a network read from a file, evaluated exactly (docs/network-format.md §7).
//!
//! The hidden layer reads the sparse input u = Σ_{i on} 1_{C_in(i)}, so a sample costs
//! (active input neurons) × (hidden width): weights are held column-major and only the active
//! columns are accumulated. A free network's output layer then reads the hidden neurons that
//! may be positive.
//!
//! - Integer layers: numerators accumulated in i64 (hidden) and i128 (a free network's output
//!   layer, over D₁·D₂; a depth2 network's `layer2`, over D₂); every decision is exact.
//! - Depth2: the hidden neurons are thresholded, b_s = 1[z_s ≥ ½], and `layer2` reads the 0/1
//!   vector b (its mass term is Σ_s b_s); the margin is over both stages' decisions.
//! - f32 layers: accumulated in f64, where each product of an f32 weight and an integer count
//!   is exact; for a sum of N terms the computed value is within γ_{N−1}·Σ|terms| of the exact
//!   one (γ_n = n·u/(1 − n·u), u = 2⁻⁵³; the bound used is γ_{2N+2}·Σ|terms|, see [`gamma`]),
//!   and a free network propagates the hidden bounds through |output.weight| (ReLU is
//!   1-Lipschitz); a depth2 network takes each hidden neuron's threshold as computed and, for
//!   one within its bound, adds |layer2.weight[r, s]| + |layer2.mass[r]| to row r's bound (b_s
//!   may be the other value). A decision whose computed distance to its threshold
//!   is within its bound is *uncertain*: [`FileNetwork::evaluate_exact`] lists the outputs it
//!   may flip and reports the smallest margin, and [`FileNetwork::sample_fails`] counts a sample
//!   with an uncertain output as failed.

use super::{Architecture, Decoder, Layer, NetworkFile, Numbers, bad};
use crate::base::code::{Csr, SubsetCode, gather_columns};
use crate::base::memory;
use crate::error::Result;
use crate::network::Network;
use crate::results::Resources;

/// Column-major weights of one layer, in the file's number type.
#[derive(Debug, Clone)]
enum Columns {
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
}

impl Columns {
    /// acc += c·(column q) of an integer layer with `rows` rows, in the accumulator's type
    /// (i64 for the hidden layer, i128 for a free network's output layer).
    fn add_column<A>(&self, q: usize, rows: usize, c: A, acc: &mut [A])
    where
        A: Copy + From<i64> + std::ops::AddAssign + std::ops::Mul<Output = A>,
    {
        let range = q * rows..(q + 1) * rows;
        match self {
            Columns::I32(w) => {
                for (a, &v) in acc.iter_mut().zip(&w[range]) {
                    *a += A::from(i64::from(v)) * c;
                }
            }
            Columns::I64(w) => {
                for (a, &v) in acc.iter_mut().zip(&w[range]) {
                    *a += A::from(v) * c;
                }
            }
            Columns::F32(_) => unreachable!("an integer layer"),
        }
    }
}

/// One layer ready for evaluation: column-major weights, bias and mass as f64 or integers.
#[derive(Debug, Clone)]
struct EvalLayer {
    rows: usize,
    weights: Columns,
    /// Biases: integer numerators (integer layers) or f32 values widened to f64.
    bias_int: Vec<i64>,
    bias: Vec<f64>,
    mass_int: Vec<i64>,
    mass: Vec<f64>,
    has_mass: bool,
    denominator: u64,
    max_abs: u64,
}

impl EvalLayer {
    fn new(layer: &Layer) -> Self {
        let (rows, cols) = (layer.rows, layer.cols);
        let weights = match &layer.weight {
            Numbers::I32(w) => Columns::I32(transpose(w, rows, cols)),
            Numbers::I64(w) => Columns::I64(transpose(w, rows, cols)),
            Numbers::F32(w) => Columns::F32(transpose(w, rows, cols)),
        };
        let integer = layer.weight.is_integer();
        let ints = |n: &Numbers| (0..n.len()).map(|x| n.integer(x)).collect::<Vec<_>>();
        let floats = |n: &Numbers| (0..n.len()).map(|x| n.get(x)).collect::<Vec<_>>();
        let zeros = vec![0; rows];
        let max_abs = if integer {
            (0..layer.weight.len())
                .map(|x| layer.weight.integer(x).unsigned_abs())
                .chain(
                    layer
                        .mass
                        .iter()
                        .flat_map(|m| (0..m.len()).map(|x| m.integer(x).unsigned_abs())),
                )
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        Self {
            rows,
            weights,
            bias_int: if integer { ints(&layer.bias) } else { zeros.clone() },
            bias: floats(&layer.bias),
            mass_int: layer.mass.as_ref().filter(|_| integer).map_or(zeros, ints),
            mass: layer.mass.as_ref().map_or(vec![0.0; rows], floats),
            has_mass: layer.mass.is_some(),
            denominator: layer.denominator.unwrap_or(1),
            max_abs,
        }
    }

    fn integer(&self) -> bool {
        !matches!(self.weights, Columns::F32(_))
    }
}

/// The column-major copy of a row-major rows × cols matrix.
fn transpose<T: Copy + Default>(w: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut out = vec![T::default(); rows * cols];
    for r in 0..rows {
        for q in 0..cols {
            out[q * rows + r] = w[r * cols + q];
        }
    }
    out
}

/// The exactness of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exactness {
    /// The smallest distance of a decision to its threshold, in units of the activation h
    /// (a neuron's pre-activation against ½ for the vote decoder, an output's mean against τ
    /// for the average decoder); +∞ when no decision was taken.
    pub margin: f64,
    /// Outputs whose decision is within the rounding bound (always 0 for integer layers).
    pub uncertain: usize,
}

/// Per-thread buffers of [`FileNetwork`].
#[derive(Debug, Default, Clone)]
pub struct FileScratch {
    columns: Vec<(u32, i32)>,
    acc: Vec<i64>,
    acc_f: Vec<f64>,
    abs_f: Vec<f64>,
    hidden_int: Vec<(u32, i64)>,
    hidden_f: Vec<(u32, f64, f64)>,
    wide: Vec<i128>,
    /// Output-representation neurons that may be nonzero: (neuron, value, bound) in units of
    /// h for f32 layers; for integer layers value is the exact numerator and bound 0.
    live: Vec<(u32, f64, f64)>,
    live_int: Vec<(u32, i128)>,
    votes: Vec<u32>,
    maybe: Vec<u32>,
    sums: Vec<f64>,
    bounds: Vec<f64>,
    sums_int: Vec<i128>,
    propagated: Vec<f64>,
    touched: Vec<u32>,
    uncertain: Vec<u32>,
    /// Depth2: the hidden neurons that fire (as computed), and those within their bound.
    fired: Vec<u32>,
    doubtful: Vec<u32>,
    /// Depth2: the smallest distance of a hidden neuron to ½ (+∞ for one-stage networks).
    layer1_margin: f64,
}

impl FileScratch {
    /// The uncertain outputs of the last evaluation, sorted.
    pub fn uncertain(&self) -> &[u32] {
        &self.uncertain
    }
}

/// A network read from a file, evaluable exactly (see the module documentation).
#[derive(Debug, Clone)]
pub struct FileNetwork {
    architecture: Architecture,
    inputs: usize,
    outputs: usize,
    input_code: SubsetCode,
    output_code: SubsetCode,
    hosted: Csr,
    hidden: EvalLayer,
    output: Option<EvalLayer>,
    decoder: Decoder,
    resources: Resources,
    max_active: usize,
}

impl FileNetwork {
    /// Estimated bytes of the evaluable network built from `file`: column-major weights at
    /// 8 bytes a number, the inverted output code, and the per-thread m′ vote counters.
    pub fn estimate_bytes(file: &NetworkFile) -> u64 {
        let layer = |l: Option<&Layer>| l.map_or(0, |l| 8 * (l.weight.len() as u64 + 4 * l.rows as u64));
        let codes = 8 * (file.input_code().flat().len() + 2 * file.output_code().flat().len()) as u64;
        layer(file.hidden()) + layer(file.output()) + codes + 32 * file.header().outputs as u64
    }

    /// Builds the network of `file` (refusing the codes architecture, and tables over the
    /// memory budget before allocating them).
    pub fn new(file: &NetworkFile) -> Result<Self> {
        let header = file.header();
        let (Some(hidden), Some(decoder)) = (file.hidden(), header.decoder) else {
            return Err(bad(
                "the file holds codes only (architecture `codes`): there is no network to evaluate",
            ));
        };
        memory::check(
            || {
                format!(
                    "the network of the file ({} outputs, hidden {} × {})",
                    header.outputs, hidden.rows, hidden.cols
                )
            },
            Self::estimate_bytes(file),
        )?;
        let hidden_layer = EvalLayer::new(hidden);
        let output = file.output().map(EvalLayer::new);
        // A depth2 `layer2` sums at most n₁ numerators of 0/1 inputs (and their count times the
        // mass), within i128 for any i64 numerators: only the hidden layer limits k.
        let free_output = output.as_ref().filter(|_| header.architecture == Architecture::Free);
        let max_active = max_active(&hidden_layer, free_output, header.input_code.t as u128);
        Ok(Self {
            architecture: header.architecture,
            inputs: header.inputs,
            outputs: header.outputs,
            input_code: file.input_code().clone(),
            output_code: file.output_code().clone(),
            hosted: file.output_code().inverted(),
            hidden: hidden_layer,
            output,
            decoder,
            resources: resources(file),
            max_active,
        })
    }

    /// The most active inputs a sample may have for exact i64 accumulation (unbounded for f32
    /// layers); [`Network::evaluate`] panics beyond it, so a caller checks k against it first.
    pub fn max_active(&self) -> usize {
        self.max_active
    }

    /// The architecture.
    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// The decoder.
    pub fn decoder(&self) -> Decoder {
        self.decoder
    }

    /// Whether every layer holds integer numerators (every decision exact).
    pub fn is_integer(&self) -> bool {
        self.hidden.integer()
    }

    /// Evaluates on `active` (distinct inputs), writes the decoded on-outputs, sorted, into
    /// `out` (uncertain decisions taken as computed), lists the uncertain outputs in `scratch`
    /// ([`FileScratch::uncertain`]) and returns the margin and the uncertain count.
    ///
    /// # Panics
    /// With more than [`Self::max_active`] active inputs, or an input out of range.
    pub fn evaluate_exact(&self, active: &[u32], scratch: &mut FileScratch, out: &mut Vec<u32>) -> Exactness {
        assert!(
            active.len() <= self.max_active,
            "{} active inputs are too many for exact 64-bit accumulation (at most {})",
            active.len(),
            self.max_active
        );
        let mass = gather_columns(&self.input_code, active, &mut scratch.columns);
        scratch.layer1_margin = f64::INFINITY;
        let depth2 = self.architecture == Architecture::Depth2;
        let mut exactness = if self.hidden.integer() {
            match depth2 {
                true => self.forward_depth2_int(mass, scratch),
                false => self.forward_int(mass, scratch),
            }
            self.decode_int(scratch, out)
        } else {
            match depth2 {
                true => self.forward_depth2_f64(mass, scratch),
                false => self.forward_f64(mass, scratch),
            }
            self.decode_f64(scratch, out)
        };
        exactness.margin = exactness.margin.min(scratch.layer1_margin);
        exactness
    }

    /// Whether the network fails on `active` against the true outputs `expected` (sorted): some
    /// output is wrong, or some output's decision is uncertain. Returns the margin too.
    pub fn sample_fails(&self, active: &[u32], expected: &[u32], scratch: &mut FileScratch) -> (bool, f64) {
        let mut got = Vec::new();
        let exactness = self.evaluate_exact(active, scratch, &mut got);
        (got != expected || exactness.uncertain > 0, exactness.margin)
    }

    /// Integer layers: `scratch.live_int` gets (neuron, numerator of z over the total
    /// denominator) for the output-representation neurons with z > 0 or, for the vote, all
    /// candidates that may fire.
    fn forward_int(&self, mass: i64, scratch: &mut FileScratch) {
        let layer = &self.hidden;
        accumulate_int(layer, mass, &scratch.columns, &mut scratch.acc);
        scratch.live_int.clear();
        match &self.output {
            None => {
                scratch.wide.clear();
                scratch.wide.extend(scratch.acc.iter().map(|&z| i128::from(z)));
            }
            Some(out_layer) => {
                positive(&scratch.acc, &mut scratch.hidden_int);
                let d1 = i128::from(layer.denominator as i64);
                scratch.wide.clear();
                scratch
                    .wide
                    .extend(out_layer.bias_int.iter().map(|&b| i128::from(b) * d1));
                for &(s, g) in &scratch.hidden_int {
                    out_layer
                        .weights
                        .add_column(s as usize, out_layer.rows, i128::from(g), &mut scratch.wide);
                }
            }
        }
        positive(&scratch.wide, &mut scratch.live_int);
    }

    /// Depth2, integer layers: the hidden numerators z over D₁ in `acc`, the neurons that fire
    /// (2·z ≥ D₁) in `fired`, then `layer2` on that 0/1 vector: `wide` gets its numerators over
    /// D₂ and `live_int` the positive ones.
    fn forward_depth2_int(&self, mass: i64, scratch: &mut FileScratch) {
        let layer2 = self.output.as_ref().expect("a depth2 network has layer2");
        accumulate_int(&self.hidden, mass, &scratch.columns, &mut scratch.acc);
        let d1 = i128::from(self.hidden.denominator as i64);
        scratch.fired.clear();
        let mut closest = i128::MAX;
        for (s, &z) in scratch.acc.iter().enumerate() {
            let distance = 2 * i128::from(z) - d1;
            closest = closest.min(distance.abs());
            if distance >= 0 {
                scratch.fired.push(s as u32);
            }
        }
        scratch.layer1_margin = closest as f64 / (2 * d1) as f64;
        let count = scratch.fired.len() as i128;
        scratch.wide.clear();
        scratch
            .wide
            .extend((0..layer2.rows).map(|r| i128::from(layer2.bias_int[r]) + i128::from(layer2.mass_int[r]) * count));
        for &s in &scratch.fired {
            layer2.weights.add_column(s as usize, layer2.rows, 1, &mut scratch.wide);
        }
        positive(&scratch.wide, &mut scratch.live_int);
    }

    /// Depth2, f32 layers: each hidden neuron thresholded as computed (ẑ ≥ ½), those within
    /// their rounding bound listed as doubtful; then `layer2` on that vector in f64, each row's
    /// bound widened by |W₂[r, s]| + |mass₂[r]| per doubtful neuron s (its b_s may be the other
    /// value). `acc_f` ends with layer 2's ẑ and `live` with its rows that may be positive.
    fn forward_depth2_f64(&self, mass: i64, scratch: &mut FileScratch) {
        let (layer, layer2) = (&self.hidden, self.output.as_ref().expect("a depth2 network has layer2"));
        accumulate_f64(
            layer,
            mass as f64,
            &scratch.columns,
            &mut scratch.acc_f,
            &mut scratch.abs_f,
        );
        let hidden_gamma = gamma(scratch.columns.len() + 1 + usize::from(layer.has_mass));
        scratch.fired.clear();
        scratch.doubtful.clear();
        let mut margin = f64::INFINITY;
        for (s, (&z, &abs)) in scratch.acc_f.iter().zip(&scratch.abs_f).enumerate() {
            let distance = z - 0.5;
            margin = margin.min(distance.abs());
            if distance >= 0.0 {
                scratch.fired.push(s as u32);
            }
            if distance.abs() <= hidden_gamma * abs {
                scratch.doubtful.push(s as u32);
            }
        }
        scratch.layer1_margin = margin;
        let rows = layer2.rows;
        let Columns::F32(w) = &layer2.weights else {
            unreachable!("f32 layer")
        };
        // The count is an integer and the mass an f32: the product is exact in f64.
        let count = scratch.fired.len() as f64;
        scratch.acc_f.clear();
        scratch
            .acc_f
            .extend((0..rows).map(|r| layer2.bias[r] + layer2.mass[r] * count));
        scratch.abs_f.clear();
        scratch
            .abs_f
            .extend((0..rows).map(|r| layer2.bias[r].abs() + (layer2.mass[r] * count).abs()));
        for &s in &scratch.fired {
            for (r, &v) in w[s as usize * rows..(s as usize + 1) * rows].iter().enumerate() {
                scratch.acc_f[r] += f64::from(v);
                scratch.abs_f[r] += f64::from(v).abs();
            }
        }
        scratch.propagated.clear();
        scratch.propagated.resize(rows, 0.0);
        for &s in &scratch.doubtful {
            for (r, &v) in w[s as usize * rows..(s as usize + 1) * rows].iter().enumerate() {
                scratch.propagated[r] += f64::from(v).abs() + layer2.mass[r].abs();
            }
        }
        let output_gamma = gamma(scratch.fired.len() + 2);
        scratch.live.clear();
        let parts = scratch.acc_f.iter().zip(&scratch.abs_f).zip(&scratch.propagated);
        for (r, ((&z, &abs), &propagated)) in parts.enumerate() {
            let bound = output_gamma * abs + propagated * (1.0 + output_gamma);
            if z + bound > 0.0 {
                scratch.live.push((r as u32, z, bound));
            }
        }
    }

    /// The total denominator of the output representation: D (tied), D₁·D₂ (free), or D₂
    /// (depth2: layer 2 reads 0/1 values).
    fn total_denominator(&self) -> i128 {
        let d = i128::from(self.hidden.denominator as i64);
        match (&self.output, self.architecture) {
            (None, _) => d,
            (Some(o), Architecture::Depth2) => i128::from(o.denominator as i64),
            (Some(o), _) => d * i128::from(o.denominator as i64),
        }
    }

    fn decode_int(&self, scratch: &mut FileScratch, out: &mut Vec<u32>) -> Exactness {
        let d = self.total_denominator();
        let mut margin = f64::INFINITY;
        out.clear();
        scratch.uncertain.clear();
        match self.decoder {
            Decoder::Vote { votes, .. } => {
                // A neuron fires iff h ≥ ½ ⟺ 2·z ≥ D; the margin is over every neuron's test.
                let closest = scratch.wide.iter().map(|&z| (2 * z - d).abs()).min();
                margin = closest.map_or(margin, |c| c as f64 / (2 * d) as f64);
                fired_votes(self, scratch, votes, |z| 2 * z >= d, out);
            }
            Decoder::Average { tau } => {
                let t = self.output_code.t();
                let threshold = (tau * t as f64 * d as f64).ceil() as i128;
                let votes = &mut scratch.sums_int;
                votes.resize(self.outputs, 0);
                scratch.touched.clear();
                for &(r, z) in &scratch.live_int {
                    for &j in self.hosted.row(r as usize) {
                        if votes[j as usize] == 0 {
                            scratch.touched.push(j);
                        }
                        votes[j as usize] += z;
                    }
                }
                if scratch.touched.len() < self.outputs {
                    // An output no positive neuron touches has mean 0, τ below its threshold.
                    margin = tau;
                }
                for &j in &scratch.touched {
                    let sum = votes[j as usize];
                    margin = margin.min(((sum - threshold) as f64 / d as f64 / t as f64).abs());
                    if sum >= threshold {
                        out.push(j);
                    }
                    votes[j as usize] = 0;
                }
                out.sort_unstable();
            }
        }
        Exactness { margin, uncertain: 0 }
    }

    /// f32 layers: `scratch.live` gets (neuron, ẑ, bound) for every output-representation
    /// neuron that may be positive (ẑ + bound > 0).
    fn forward_f64(&self, mass: i64, scratch: &mut FileScratch) {
        let layer = &self.hidden;
        let terms = scratch.columns.len() + 1 + usize::from(layer.has_mass);
        let mass = mass as f64;
        accumulate_f64(layer, mass, &scratch.columns, &mut scratch.acc_f, &mut scratch.abs_f);
        let hidden_gamma = gamma(terms);
        scratch.live.clear();
        let hidden: &mut Vec<(u32, f64, f64)> = match &self.output {
            None => &mut scratch.live,
            Some(_) => &mut scratch.hidden_f,
        };
        hidden.clear();
        for (r, (&z, &abs)) in scratch.acc_f.iter().zip(&scratch.abs_f).enumerate() {
            let bound = hidden_gamma * abs;
            if z + bound > 0.0 {
                hidden.push((r as u32, z, bound));
            }
        }
        let Some(out_layer) = &self.output else { return };
        // z₂ = Σ_s W₂[r, s]·ĝ_s + b₂ with ĝ_s = max(ẑ_s, 0) and |ĝ_s − g_s| ≤ e_s; neurons
        // left out have ẑ_s + e_s ≤ 0, so g_s = ĝ_s = 0 exactly.
        let rows = out_layer.rows;
        let Columns::F32(w) = &out_layer.weights else {
            unreachable!("f32 layer")
        };
        scratch.acc_f.clear();
        scratch.acc_f.extend_from_slice(&out_layer.bias);
        scratch.abs_f.clear();
        scratch.abs_f.extend(out_layer.bias.iter().map(|b| b.abs()));
        scratch.propagated.clear();
        scratch.propagated.resize(rows, 0.0);
        for &(s, z, e) in &scratch.hidden_f {
            let g = z.max(0.0);
            for (r, &v) in w[s as usize * rows..(s as usize + 1) * rows].iter().enumerate() {
                let v = f64::from(v);
                scratch.acc_f[r] += v * g;
                scratch.abs_f[r] += (v * g).abs();
                scratch.propagated[r] += v.abs() * e;
            }
        }
        let output_gamma = gamma(scratch.hidden_f.len() + 1);
        // The propagated sum is itself computed in f64: inflate it by the same factor.
        let parts = scratch.acc_f.iter().zip(&scratch.abs_f).zip(&scratch.propagated);
        for (r, ((&z, &abs), &propagated)) in parts.enumerate() {
            let bound = output_gamma * abs + propagated * (1.0 + output_gamma);
            if z + bound > 0.0 {
                scratch.live.push((r as u32, z, bound));
            }
        }
    }

    fn decode_f64(&self, scratch: &mut FileScratch, out: &mut Vec<u32>) -> Exactness {
        let mut margin = f64::INFINITY;
        out.clear();
        scratch.uncertain.clear();
        match self.decoder {
            Decoder::Vote { votes, .. } => {
                // `acc_f` holds every output-representation neuron's ẑ.
                margin = scratch.acc_f.iter().map(|z| (z - 0.5).abs()).fold(margin, f64::min);
                scratch.votes.resize(self.outputs, 0);
                scratch.maybe.resize(self.outputs, 0);
                scratch.touched.clear();
                for &(r, z, bound) in &scratch.live {
                    let distance = z - 0.5;
                    let (fires, maybe) = (distance > bound, distance.abs() <= bound);
                    if !(fires || maybe) {
                        continue;
                    }
                    for &j in self.hosted.row(r as usize) {
                        let j = j as usize;
                        if scratch.votes[j] == 0 && scratch.maybe[j] == 0 {
                            scratch.touched.push(j as u32);
                        }
                        scratch.votes[j] += u32::from(fires);
                        scratch.maybe[j] += u32::from(maybe);
                    }
                }
                for &j in &scratch.touched {
                    let (sure, maybe) = (scratch.votes[j as usize] as usize, scratch.maybe[j as usize] as usize);
                    // Taken as computed: a neuron within its bound counts by its computed side.
                    if sure >= votes {
                        out.push(j);
                    } else if sure + maybe >= votes {
                        scratch.uncertain.push(j);
                    }
                    scratch.votes[j as usize] = 0;
                    scratch.maybe[j as usize] = 0;
                }
                self.settle_uncertain_votes(scratch, votes, out);
            }
            Decoder::Average { tau } => {
                let t = self.output_code.t() as f64;
                scratch.sums.resize(self.outputs, 0.0);
                scratch.bounds.resize(self.outputs, 0.0);
                scratch.touched.clear();
                for &(r, z, bound) in &scratch.live {
                    for &j in self.hosted.row(r as usize) {
                        let j = j as usize;
                        if scratch.sums[j] == 0.0 && scratch.bounds[j] == 0.0 {
                            scratch.touched.push(j as u32);
                        }
                        scratch.sums[j] += z.max(0.0);
                        scratch.bounds[j] += bound;
                    }
                }
                let slack = gamma(self.output_code.t() + 1);
                if scratch.touched.len() < self.outputs {
                    margin = tau;
                }
                for &j in &scratch.touched {
                    let (sum, bound) = (scratch.sums[j as usize], scratch.bounds[j as usize]);
                    let distance = sum - tau * t;
                    margin = margin.min(distance.abs() / t);
                    if distance.abs() <= bound * (1.0 + slack) + slack * sum.abs() {
                        scratch.uncertain.push(j);
                    }
                    if distance >= 0.0 {
                        out.push(j);
                    }
                    scratch.sums[j as usize] = 0.0;
                    scratch.bounds[j as usize] = 0.0;
                }
                out.sort_unstable();
            }
        }
        scratch.uncertain.sort_unstable();
        Exactness {
            margin,
            uncertain: scratch.uncertain.len(),
        }
    }

    /// Adds to `out` the uncertain outputs whose computed votes (uncertain neurons counted by
    /// their computed side) reach v, so `out` is the decision as computed; sorts `out`.
    fn settle_uncertain_votes(&self, scratch: &mut FileScratch, votes: usize, out: &mut Vec<u32>) {
        for &j in &scratch.uncertain {
            let computed = self
                .output_code
                .set(j as usize)
                .iter()
                .filter(|&&r| scratch_value(scratch, r).is_some_and(|z| z >= 0.5))
                .count();
            if computed >= votes {
                out.push(j);
            }
        }
        out.sort_unstable();
    }
}

/// The (index, value) of the positive entries of `values`, in order, into the emptied `out`.
fn positive<T: Copy + Default + PartialOrd>(values: &[T], out: &mut Vec<(u32, T)>) {
    out.clear();
    let zero = T::default();
    out.extend(
        values
            .iter()
            .enumerate()
            .filter(|(_, z)| **z > zero)
            .map(|(r, &z)| (r as u32, z)),
    );
}

/// ẑ of output-representation neuron r if it is live (`live` is sorted by neuron).
fn scratch_value(scratch: &FileScratch, r: u32) -> Option<f64> {
    let index = scratch.live.binary_search_by_key(&r, |&(q, _, _)| q).ok()?;
    Some(scratch.live[index].1)
}

/// The vote decoder over integer activations: output j is on iff at least v of its neurons pass
/// `fires` (called once per live neuron). Only outputs hosted on a firing neuron are looked at.
fn fired_votes(
    network: &FileNetwork,
    scratch: &mut FileScratch,
    votes: usize,
    mut fires: impl FnMut(i128) -> bool,
    out: &mut Vec<u32>,
) {
    scratch.votes.resize(network.outputs, 0);
    scratch.touched.clear();
    for &(r, z) in &scratch.live_int {
        if !fires(z) {
            continue;
        }
        for &j in network.hosted.row(r as usize) {
            if scratch.votes[j as usize] == 0 {
                scratch.touched.push(j);
            }
            scratch.votes[j as usize] += 1;
        }
    }
    for &j in &scratch.touched {
        if scratch.votes[j as usize] as usize >= votes {
            out.push(j);
        }
        scratch.votes[j as usize] = 0;
    }
    out.sort_unstable();
}

/// z = W·u + mass·M + b of an integer layer, numerators in i64, into `acc`.
fn accumulate_int(layer: &EvalLayer, mass: i64, columns: &[(u32, i32)], acc: &mut Vec<i64>) {
    acc.clear();
    acc.extend((0..layer.rows).map(|r| layer.bias_int[r] + layer.mass_int[r] * mass));
    for &(q, c) in columns {
        layer.weights.add_column(q as usize, layer.rows, i64::from(c), acc);
    }
}

/// ẑ = W·u + mass·M + b in f64 into `acc`, and Σ|terms| into `abs`.
fn accumulate_f64(layer: &EvalLayer, mass: f64, columns: &[(u32, i32)], acc: &mut Vec<f64>, abs: &mut Vec<f64>) {
    let rows = layer.rows;
    acc.clear();
    abs.clear();
    acc.extend((0..rows).map(|r| layer.bias[r] + layer.mass[r] * mass));
    abs.extend((0..rows).map(|r| layer.bias[r].abs() + (layer.mass[r] * mass).abs()));
    let Columns::F32(w) = &layer.weights else {
        unreachable!("f32 layer")
    };
    for &(q, c) in columns {
        let c = f64::from(c);
        for (r, &v) in w[q as usize * rows..(q as usize + 1) * rows].iter().enumerate() {
            let term = f64::from(v) * c;
            acc[r] += term;
            abs[r] += term.abs();
        }
    }
}

/// The rounding factor of a sum of N terms: γ_{2N+2}, γ_n = n·u/(1 − n·u) with u = 2⁻⁵³. The
/// error of an f64 sum of N terms is at most γ_{N−1}·Σ|terms|; the doubled index also covers
/// the rounding of Σ|terms| itself (computed in f64 too, off by at most a factor 1 + γ_N) and
/// of products that are not exact (a free network's output layer).
fn gamma(terms: usize) -> f64 {
    let nu = (2 * terms + 2) as f64 * f64::EPSILON / 2.0;
    nu / (1.0 - nu)
}

/// The most active inputs whose integer accumulation cannot overflow. With M the largest weight
/// or mass numerator and B the largest bias, a hidden pre-activation has
/// |z| ≤ 2·M·a·t_in + B for a active inputs (mass a·t_in); it must stay within i64::MAX/2, and
/// for a free network n_h·M₂·|z| + B₂·D₁ within i128::MAX/2 (the output layer's accumulator).
fn max_active(hidden: &EvalLayer, output: Option<&EvalLayer>, t_in: u128) -> usize {
    if !hidden.integer() {
        return usize::MAX;
    }
    let largest_bias = |l: &EvalLayer| {
        l.bias_int
            .iter()
            .map(|b| u128::from(b.unsigned_abs()))
            .max()
            .unwrap_or(0)
    };
    let mut z_limit = i64::MAX as u128 / 2;
    if let Some(o) = output {
        let room =
            (i128::MAX as u128 / 2).saturating_sub(largest_bias(o).saturating_mul(u128::from(hidden.denominator)));
        z_limit = z_limit.min(room / (hidden.rows as u128).saturating_mul(u128::from(o.max_abs.max(1))));
    }
    let per_input = 2 * u128::from(hidden.max_abs.max(1)) * t_in;
    (z_limit.saturating_sub(largest_bias(hidden)) / per_input).min(usize::MAX as u128) as usize
}

/// Bits per number of a tensor at its stored precision: 32 for f32; for integers the bits of
/// the largest magnitude, plus a sign bit if any is negative.
fn stored_bits(numbers: &Numbers) -> u64 {
    if !numbers.is_integer() {
        return 32;
    }
    let max = (0..numbers.len())
        .map(|x| numbers.integer(x).unsigned_abs())
        .max()
        .unwrap_or(0);
    let signed = (0..numbers.len()).any(|x| numbers.integer(x) < 0);
    u64::from(64 - max.leading_zeros()).max(1) + u64::from(signed)
}

/// Resources of a file's network (SPEC §2): neurons n_in + hidden widths (the hidden layer, and
/// a depth2 network's `layer2`; a free network's output layer counts as extra) + 1 mass neuron
/// per layer with a mass term, parameters = nonzero weights + biases (+ mass weights, and each
/// mass neuron's unit weights, one per column of its layer), bits at the stored precision: 32
/// per f32 number, and for integers the bits of each tensor's largest magnitude (plus a sign
/// bit if any is negative). A depth2 file counts as `Depth2Network::resources` does.
fn resources(file: &NetworkFile) -> Resources {
    let n_in = file.header().input_code.width;
    let mut layers = vec![file.hidden().expect("a network has a hidden layer")];
    layers.extend(file.output());
    let (mut parameters, mut parameter_bits, mut weight_max) = (0u64, 0u64, 0u64);
    let mut mass_neurons = 0;
    for layer in &layers {
        // Weights count where nonzero; biases and mass weights every one.
        let nonzero = (0..layer.weight.len()).filter(|&x| layer.weight.get(x) != 0.0).count() as u64;
        let groups = [
            (nonzero, Some(&layer.weight)),
            (layer.rows as u64, Some(&layer.bias)),
            (layer.rows as u64, layer.mass.as_ref()),
        ];
        for (count, numbers) in groups {
            let Some(numbers) = numbers else { continue };
            parameters += count;
            parameter_bits += count * stored_bits(numbers);
        }
        let max = (0..layer.weight.len())
            .map(|x| layer.weight.get(x).abs())
            .fold(0.0, f64::max);
        weight_max = weight_max.max(max.ceil() as u64);
        if layer.mass.is_some() {
            mass_neurons += 1;
            parameters += layer.cols as u64;
            parameter_bits += layer.cols as u64;
        }
    }
    let second = file.output().map_or(0, |l| l.rows);
    let (hidden_width, extra) = match file.header().architecture {
        Architecture::Depth2 => (file.hidden().map_or(0, |l| l.rows) + second, mass_neurons),
        _ => (file.hidden().map_or(0, |l| l.rows), second + mass_neurons),
    };
    Resources {
        input_width: n_in,
        hidden_width,
        extra_neurons: extra,
        neurons: n_in + hidden_width + extra,
        parameters,
        parameter_bits,
        weight_max,
        weight_denominator: file.hidden().and_then(|l| l.denominator).unwrap_or(1),
    }
}

impl Network for FileNetwork {
    type Scratch = FileScratch;

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn input_code(&self) -> Option<&SubsetCode> {
        Some(&self.input_code)
    }

    fn output_code(&self) -> Option<&SubsetCode> {
        Some(&self.output_code)
    }

    fn resources(&self) -> Resources {
        self.resources
    }

    /// The decisions as computed; uncertain ones (f32 layers) are not flagged here: use
    /// [`FileNetwork::evaluate_exact`] or [`FileNetwork::sample_fails`] to count them.
    fn evaluate(&self, active: &[u32], scratch: &mut FileScratch, out: &mut Vec<u32>) {
        self.evaluate_exact(active, scratch, out);
    }
}
