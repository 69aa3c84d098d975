//! Depth-2 circuits in superposition: two AS-2AND layers composed (SPEC §3 step 6).
//!
//! **Circuit.** Layer 1 is a 2-AND instance: m′₁ pairs of the m inputs, output
//! y_j = x_{a_j} ∧ x_{b_j}. Layer 2 is a list of m′₂ *gates*, each an AND or an OR of two
//! distinct layer-1 outputs whose four inputs are distinct, so an AND gate is a 4-AND
//! x_a∧x_b∧x_c∧x_d and an OR gate is (x_a∧x_b)∨(x_c∧x_d).
//!
//! **Network.** Layer 1 is an [`And2Network`] (vote decoder): its hidden layer h ∈ R^{n₁} is
//! the superposed representation of the layer-1 outputs with code C_out₁ (t_out₁ neurons per
//! output). Layer 2 is AS-2AND-style with *input representation = layer 1's hidden layer* and
//! *input code = C_out₁* (so n_in₂ = n₁ and t_in₂ = t_out₁): gate g gets a t_out₂-subset
//! C₂(g) of the n₂ layer-2 neurons; neuron r hosts the gates whose code contains r; S₂_r is
//! the union of their two layer-1 outputs; decompression is folded into the weights,
//! W₂[r, q] = |{j ∈ S₂_r : q ∈ C_out₁(j)}| / t_in₂, and centering subtracts
//! |S₂_r|/n₁ · Σ_q x_q (the expected share of the input mass, as in layer 1).
//!
//! **AND and OR neurons.** The n₂ neurons are split into an AND pool (the first
//! `and_width`, bias 1) and an OR pool (the rest, bias 0); AND gates are coded in the AND
//! pool, OR gates in the OR pool, in proportion to their numbers. A neuron fires when
//! z_r = (W₂ x)_r − c_r − bias ≥ ½, and gate g is on when at least ⌈τ·t_out₂⌉ of C₂(g) fire.
//!
//! *Why these thresholds are right.* Take the interference-free case: x is the indicator
//! of the union of C_out₁(j) over the on layer-1 outputs j, and no off output shares a
//! neuron with them, and centering is off. Then Σ_q |{j ∈ S₂_r : q ∈ C_out₁(j)}|·x_q / t_in₂
//! = Σ_{j ∈ S₂_r} |C_out₁(j) ∩ on| / t_in₂ = #{j ∈ S₂_r : j on}, an integer N_r. An AND
//! neuron fires iff N_r − 1 ≥ ½ iff N_r ≥ 2; an OR neuron fires iff N_r ≥ ½ iff N_r ≥ 1.
//! For an AND gate g = (p, q) hosted on r: if p and q are on, N_r ≥ 2 on all t_out₂ code
//! neurons, so g gets every vote; if not, N_r ≥ 2 needs another on output in S₂_r (a
//! collision, the same event AS-2AND's votes already tolerate). For an OR gate: if p or q is
//! on, N_r ≥ 1 on all its code neurons, so it gets every vote; if both are off, a code
//! neuron fires only if another on output is in S₂_r. So with no collisions the AND neuron
//! computes "≥ 2 of S₂_r on" and the OR neuron "≥ 1 of S₂_r on", each with a margin of ½
//! against interference and centering error — the OR threshold is the AND threshold lowered
//! by exactly one (the `or_threshold_is_right_on_all_small_cases` test enumerates it). An OR
//! cannot share a neuron with an AND: an OR neuron fires on any one active member of S₂_r,
//! which would be a false vote for every AND gate hosted there; hence the two pools.
//!
//! *Where the proof stops.* With interference the OR neuron is the weaker one: it sums the
//! partial code overlaps |C_out₁(j) ∩ B|/t_in₂ of *both* its off outputs, and an off output
//! can have up to ⌈τ·t⌉ − 1 of its code neurons in B (shared with on outputs' codes, or fired
//! by a layer-1 collision) while still decoding off, so two such outputs can reach ½ together.
//! An OR neuron shared with any on OR gate also fires outright. Both were found by the
//! property test at m′ = 32 and are what check `depth-2` measures on the AND/OR circuit.
//!
//! **The intermediate stage.** [`Intermediate::Threshold`]: each layer-1 neuron is rounded to
//! b_q = 1[h_q ≥ ½] ∈ {0, 1} before layer 2, so layer 2 reads a Boolean superposed vector
//! exactly as a first layer reads u. [`Intermediate::Raw`]: layer 2 reads the ReLU
//! activations h_q themselves. The weights then need a scale s with s·h_q ≈ 1 on the code
//! neurons of an on output: for AS-2AND such a neuron has (W u)_q = 2 (both endpoints, one
//! unit each) minus bias 1, so h_q = 1 exactly when it has no interference, and the
//! scale is s = 1 — the same W₂, biases and centering (now with mass Σ_q h_q). What
//! changes is that interference is no longer rounded away: a neuron with one active
//! endpoint carries ReLU(noise) > 0, a neuron hosting two on pairs carries ≈ 2, and on-code
//! neurons carry 1 ± noise. [`Intermediate::Ideal`] feeds layer 2 the interference-free
//! vector (the indicator of ∪ C_out₁(j) over the *true* layer-1 outputs): layer 2 measured as
//! an independent first layer.
//!
//! **Exactness.** Layer-1 activations are integers in units of D₁ = 2·n_in₁·t_in₁ (as in
//! [`And2Network`]), layer-2 inputs integers in units D (1 after the threshold, D₁ raw), and
//! the layer-2 firing test is 2·(n₁·acc_r − |S₂_r|·t_in₂·mass) ≥ (2·bias + 1)·n₁·t_in₂·D with
//! acc = A₂·x, A₂ the integer numerators: no decision depends on float rounding.
//!
//! **Evaluation** is sparse: layer 1's hidden layer is computed from the input codes by
//! acc_r = Σ_{i ∈ S_r} |C_in(i) ∩ u| (only rows whose S_r meets an input overlapping u are
//! touched), and layer 2's by acc₂_r = Σ_{j ∈ S₂_r} v_j with v_j = Σ_{q ∈ C_out₁(j)} x_q.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::base::circuit::{Circuit, CircuitTruth, Gate, GateKind, sample_circuit_active};
use crate::base::code::{Csr, SubsetCode};
use crate::base::memory;
use crate::constructions::and2::{And2Network, DecoderKind};
use crate::constructions::coded::{LayerCount, bits_for, validate_tau, vote_threshold};
use crate::error::{Result, invalid};
use crate::network::Network;
use crate::results::Resources;
use crate::rng::derive_seed;

/// What layer 2 reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intermediate {
    /// Layer-1 neurons thresholded to {0, 1} (h ≥ ½).
    Threshold,
    /// Layer-1 ReLU activations as they are (weight scale 1, see the module doc).
    Raw,
    /// The interference-free vector: the union of C_out₁ over the true layer-1 outputs.
    Ideal,
}

/// Parameters of layer 2 (layer 1's are an [`crate::constructions::and2::And2Params`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Layer2Params {
    /// n₂, layer-2 width (AND pool + OR pool).
    pub hidden_width: usize,
    /// t_out₂, layer-2 code neurons per gate.
    pub t_out: usize,
    /// τ, the vote threshold as a fraction of t_out₂.
    pub tau: f64,
    /// Whether to subtract each row's expected share of the input mass.
    pub centering: bool,
    /// Seed of the layer-2 codes.
    pub code_seed: u64,
}

impl Layer2Params {
    /// Defaults for m′₂ gates at width n₂: t_out₂ = ⌈log₂ m′₂⌉, τ = ½, centering on (as
    /// AS-2AND's defaults).
    pub fn defaults(gates: usize, width: usize, code_seed: u64) -> Self {
        Self {
            hidden_width: width,
            t_out: (gates.max(2) as f64).log2().ceil() as usize,
            tau: 0.5,
            centering: true,
            code_seed,
        }
    }

    fn vote_threshold(&self) -> usize {
        vote_threshold(self.tau, self.t_out)
    }
}

/// A built two-layer network for a [`Circuit`].
#[derive(Debug, Clone)]
pub struct Depth2Network {
    /// Layer 1, shared by the networks built over it at several layer-2 widths.
    layer1: Arc<And2Network>,
    /// Layer 1: input i ↦ hidden rows r with i ∈ S_r.
    rows_of_input: Csr,
    /// Layer 1: input neuron q ↦ inputs i with q ∈ C_in(i).
    input_inverted: Csr,
    /// Layer 1: |S_r|.
    union1: Vec<i64>,
    params2: Layer2Params,
    /// Neurons [0, and_width) are AND neurons (bias 1), the rest OR neurons (bias 0).
    and_width: usize,
    /// C₂(g) per gate.
    code2: SubsetCode,
    /// Layer-1 neuron q ↦ layer-1 outputs j with q ∈ C_out₁(j).
    code1_inverted: Csr,
    /// Layer-2 neuron r ↦ gates hosted on r.
    hosted2: Csr,
    /// Layer-1 output j ↦ layer-2 rows r with j ∈ S₂_r.
    rows_of_output: Csr,
    /// |S₂_r|.
    union2: Vec<i64>,
    weight2_max: u64,
    nonzero2: u64,
    gates: usize,
}

/// Per-thread buffers of [`Depth2Network`] evaluation.
#[derive(Debug, Default, Clone)]
pub struct Depth2Scratch {
    u: Vec<i64>,
    touched_q: Vec<u32>,
    overlap: Vec<i64>,
    touched_i: Vec<u32>,
    acc1: Vec<i64>,
    touched_r1: Vec<u32>,
    /// Layer-1 neurons with h > 0: (q, h·D₁).
    raw: Vec<(u32, i64)>,
    /// Layer-1 neurons with h ≥ ½.
    fired1: Vec<u32>,
    votes1: Vec<u16>,
    touched_j: Vec<u32>,
    v: Vec<i64>,
    acc2: Vec<i64>,
    touched_r2: Vec<u32>,
    votes2: Vec<u16>,
    touched_g: Vec<u32>,
    input: Vec<(u32, i64)>,
    mark: Vec<bool>,
    /// Layer-1 outputs of [`Network::evaluate`].
    layer1_out: Vec<u32>,
}

impl Depth2Network {
    /// Builds layer 2 over a built layer 1 (`layer1` must be the AS-2AND network of
    /// `circuit.layer1()`, vote-decoded).
    pub fn build(circuit: &Circuit, layer1: Arc<And2Network>, params: Layer2Params) -> Result<Self> {
        let p1 = *layer1.params();
        if p1.decoder != DecoderKind::Vote {
            return Err(invalid("decoder", "average", "depth-2 composes vote-decoded layers"));
        }
        if layer1.outputs() != circuit.layer1().outputs() || layer1.inputs() != circuit.layer1().inputs() {
            return Err(invalid(
                "layer1",
                layer1.outputs(),
                "the layer-1 network was built for another instance",
            ));
        }
        let (n1, n2, t2) = (p1.hidden_width, params.hidden_width, params.t_out);
        validate_tau(params.tau)?;
        if t2 == 0 || t2 > u16::MAX as usize {
            return Err(invalid("t_out₂", t2, "must be in 1..=65535"));
        }
        let gates = circuit.gates();
        let ors = circuit.or_gates();
        let ands = gates.len() - ors;
        // Pools in proportion to the gate counts, each at least t_out₂ when it has gates.
        let mut and_width = ((n2 as f64) * ands as f64 / gates.len() as f64).round() as usize;
        if ands > 0 {
            and_width = and_width.max(t2);
        }
        if ors > 0 {
            and_width = and_width.min(n2.saturating_sub(t2));
        }
        // and_width > n₂ when the AND pool alone is wider than the layer (n₂ < t_out₂).
        if and_width > n2 || (ands > 0 && and_width < t2) || (ors > 0 && n2 - and_width < t2) || n2 > 1 << 24 {
            return Err(invalid(
                "layer-2 width",
                n2,
                format!(
                    "{ands} AND and {ors} OR gates need pools of at least t_out₂ = {t2} neurons each \
                     (and at most 2^24 in all)"
                ),
            ));
        }
        let m1 = layer1.outputs();
        memory::check(
            || format!("layer 2 of a depth-2 network with {} gates and width {n2}", gates.len()),
            (gates.len() as u64 * t2 as u64) * 16 + (n1 + n2) as u64 * 64 + m1 as u64 * p1.t_out as u64 * 8,
        )?;
        // Codes: AND gates in [0, and_width), OR gates in [and_width, n2).
        let and_code = SubsetCode::random(
            ands,
            and_width.max(t2),
            t2,
            derive_seed(params.code_seed, "layer2-and-code", 0),
            "code",
        )?;
        let or_code = SubsetCode::random(
            ors,
            (n2 - and_width).max(t2),
            t2,
            derive_seed(params.code_seed, "layer2-or-code", 0),
            "code",
        )?;
        let (mut next_and, mut next_or) = (0, 0);
        let sets: Vec<Vec<u32>> = gates
            .iter()
            .map(|g| match g.kind {
                GateKind::And => {
                    next_and += 1;
                    and_code.set(next_and - 1).to_vec()
                }
                GateKind::Or => {
                    next_or += 1;
                    or_code.set(next_or - 1).iter().map(|&r| r + and_width as u32).collect()
                }
            })
            .collect();
        let code2 = SubsetCode::from_sets(n2, t2, &sets)?;
        let hosted2 = code2.inverted();
        // S₂_r, sorted and deduplicated, and its integer weight row statistics.
        let mut unions: Vec<Vec<u32>> = Vec::with_capacity(n2);
        let (mut weight2_max, mut nonzero2) = (0u64, 0u64);
        let mut counts = vec![0u32; n1];
        let mut touched = Vec::new();
        let output_code = layer1.output_code();
        for r in 0..n2 {
            let mut union: Vec<u32> = Vec::new();
            for &g in hosted2.row(r) {
                let gate = gates[g as usize];
                union.extend([gate.left, gate.right]);
            }
            union.sort_unstable();
            union.dedup();
            touched.clear();
            for &j in &union {
                for &q in output_code.set(j as usize) {
                    if counts[q as usize] == 0 {
                        touched.push(q);
                    }
                    counts[q as usize] += 1;
                }
            }
            nonzero2 += touched.len() as u64;
            for &q in &touched {
                weight2_max = weight2_max.max(u64::from(counts[q as usize]));
                counts[q as usize] = 0;
            }
            unions.push(union);
        }
        let union2 = unions.iter().map(|u| u.len() as i64).collect();
        let rows_of_output = Csr::from_pairs(m1, |push| {
            for (r, union) in unions.iter().enumerate() {
                for &j in union {
                    push(j as usize, r as u32);
                }
            }
        });
        // Layer-1 tables for the sparse forward pass.
        let pairs = circuit.layer1().pairs();
        let rows_of_input = Csr::from_pairs(layer1.inputs(), |push| {
            let mut union = Vec::new();
            for r in 0..n1 {
                union.clear();
                for &j in layer1.hosted(r) {
                    let (a, b) = pairs[j as usize];
                    union.extend([a, b]);
                }
                union.sort_unstable();
                union.dedup();
                for &i in &union {
                    push(i as usize, r as u32);
                }
            }
        });
        let union1 = (0..n1).map(|r| layer1.union_size(r) as i64).collect();
        Ok(Self {
            rows_of_input,
            input_inverted: layer1.input_code().inverted(),
            union1,
            code1_inverted: output_code.inverted(),
            layer1,
            params2: params,
            and_width,
            code2,
            hosted2,
            rows_of_output,
            union2,
            weight2_max,
            nonzero2,
            gates: gates.len(),
        })
    }

    /// The layer-1 network.
    pub fn layer1(&self) -> &And2Network {
        &self.layer1
    }

    /// Layer 2's parameters.
    pub fn layer2_params(&self) -> &Layer2Params {
        &self.params2
    }

    /// Width of the AND pool (neurons [0, and_width) have bias 1, the rest bias 0).
    pub fn and_width(&self) -> usize {
        self.and_width
    }

    /// C₂(g), the layer-2 code of gate g.
    pub fn layer2_code(&self) -> &SubsetCode {
        &self.code2
    }

    /// Layer-2 weight numerator A₂[r, q] = |{j ∈ S₂_r : q ∈ C_out₁(j)}| (W₂ = A₂ / t_in₂
    /// before centering); computed on demand from the tables.
    pub fn layer2_weight(&self, row: usize, column: usize) -> u64 {
        self.code1_inverted
            .row(column)
            .iter()
            .filter(|&&j| self.rows_of_output.row(j as usize).contains(&(row as u32)))
            .count() as u64
    }

    /// |S₂_r|, the number of layer-1 outputs feeding layer-2 neuron r.
    pub fn layer2_union_size(&self, row: usize) -> usize {
        self.union2[row] as usize
    }

    /// Resources of layer 2 alone, counted as AS-2AND's (SPEC §2): its input representation
    /// is layer 1's hidden layer (n₁, counted in `input_width` and `neurons` here but not
    /// again in [`Self::total_neurons`]); parameters = nonzero A₂ + n₂ biases (+ n₂ centering
    /// coefficients and n₁ mass weights when centering is on). The raw variant uses the same
    /// parameters (weight scale 1).
    pub fn layer2_resources(&self) -> Resources {
        let p = &self.params2;
        let max_union = self.union2.iter().copied().max().unwrap_or(0) as u64;
        LayerCount {
            input_width: self.layer1.params().hidden_width,
            hidden_width: p.hidden_width,
            centering: p.centering,
            nonzero_weights: self.nonzero2,
            weight_bits: bits_for(self.weight2_max),
            coefficient_bits: bits_for(max_union),
            weight_max: self.weight2_max,
            weight_denominator: self.layer1.params().t_out as u64,
        }
        .resources()
    }

    /// Neurons of the whole circuit: layer 1's (input + hidden + mass) + n₂ (+ layer 2's mass
    /// neuron).
    pub fn total_neurons(&self) -> usize {
        let r = self.layer2_resources();
        self.layer1.resources().neurons + r.hidden_width + r.extra_neurons
    }

    /// Runs layer 1 on active inputs: afterwards `scratch` holds the neurons with h > 0
    /// (scaled by D₁ = 2·n_in·t_in) and those with h ≥ ½, and `out` the decoded layer-1
    /// outputs, sorted (the same as [`And2Network::evaluate`], tested).
    pub fn layer1_forward(&self, active: &[u32], scratch: &mut Depth2Scratch, out: &mut Vec<u32>) {
        let p = self.layer1.params();
        let (n_in, n1, t_in) = (p.input_width, p.hidden_width, p.t_in as i64);
        let s = scratch;
        if s.u.len() != n_in {
            s.u = vec![0; n_in];
        }
        if s.overlap.len() != self.layer1.inputs() {
            s.overlap = vec![0; self.layer1.inputs()];
        }
        if s.acc1.len() != n1 {
            s.acc1 = vec![0; n1];
            s.votes1 = vec![0; self.layer1.outputs()];
        }
        s.touched_q.clear();
        let mut mass = 0i64;
        for &i in active {
            let code = self.layer1.input_code().set(i as usize);
            scatter_add(&mut s.u, &mut s.touched_q, code, 1);
            mass += code.len() as i64;
        }
        s.touched_i.clear();
        for &q in &s.touched_q {
            let u_q = s.u[q as usize];
            scatter_add(
                &mut s.overlap,
                &mut s.touched_i,
                self.input_inverted.row(q as usize),
                u_q,
            );
        }
        s.touched_r1.clear();
        for &i in &s.touched_i {
            let o = s.overlap[i as usize];
            scatter_add(&mut s.acc1, &mut s.touched_r1, self.rows_of_input.row(i as usize), o);
            s.overlap[i as usize] = 0;
        }
        for &q in &s.touched_q {
            s.u[q as usize] = 0;
        }
        // h·D₁ = 2·n_in·acc − 2·t_in·mass·|S_r| − 2·n_in·t_in (centering on), D₁ = 2·n_in·t_in.
        let (n_in, scale) = (n_in as i64, if p.centering { 2 * t_in * mass } else { 0 });
        s.raw.clear();
        s.fired1.clear();
        for &r in &s.touched_r1 {
            let h = 2 * n_in * s.acc1[r as usize] - scale * self.union1[r as usize] - 2 * n_in * t_in;
            s.acc1[r as usize] = 0;
            if h > 0 {
                s.raw.push((r, h));
                if h >= n_in * t_in {
                    s.fired1.push(r);
                }
            }
        }
        s.raw.sort_unstable();
        s.fired1.sort_unstable();
        // Vote decoding of layer 1 from the fired neurons.
        let threshold = p.vote_threshold() as u16;
        s.touched_j.clear();
        for &r in &s.fired1 {
            scatter_add(&mut s.votes1, &mut s.touched_j, self.layer1.hosted(r as usize), 1);
        }
        out.clear();
        for &j in &s.touched_j {
            if s.votes1[j as usize] >= threshold {
                out.push(j);
            }
            s.votes1[j as usize] = 0;
        }
        out.sort_unstable();
    }

    /// Runs layer 2 after [`Self::layer1_forward`] on the input `mode` selects and writes the
    /// decoded on-gates, sorted, into `out`. `true_layer1` (the true layer-1 outputs) is read
    /// only by [`Intermediate::Ideal`].
    pub fn layer2_forward(
        &self,
        mode: Intermediate,
        true_layer1: &[u32],
        scratch: &mut Depth2Scratch,
        out: &mut Vec<u32>,
    ) {
        let p1 = self.layer1.params();
        let mut input = std::mem::take(&mut scratch.input);
        input.clear();
        let unit = match mode {
            Intermediate::Threshold => {
                input.extend(scratch.fired1.iter().map(|&q| (q, 1)));
                1
            }
            Intermediate::Raw => {
                input.extend_from_slice(&scratch.raw);
                2 * (p1.input_width * p1.t_in) as i64
            }
            Intermediate::Ideal => {
                if scratch.mark.len() != p1.hidden_width {
                    scratch.mark = vec![false; p1.hidden_width];
                }
                for &j in true_layer1 {
                    for &q in self.layer1.output_code().set(j as usize) {
                        if !scratch.mark[q as usize] {
                            scratch.mark[q as usize] = true;
                            input.push((q, 1));
                        }
                    }
                }
                for &(q, _) in &input {
                    scratch.mark[q as usize] = false;
                }
                1
            }
        };
        self.layer2_on(&input, unit, scratch, out);
        scratch.input = input;
    }

    /// Layer 2 on an explicit input x (entries (q, x_q·D), distinct q) in units D.
    pub fn layer2_on(&self, input: &[(u32, i64)], unit: i64, scratch: &mut Depth2Scratch, out: &mut Vec<u32>) {
        let (n1, p2) = (self.layer1.params().hidden_width, &self.params2);
        let s = scratch;
        if s.v.len() != self.layer1.outputs() {
            s.v = vec![0; self.layer1.outputs()];
        }
        if s.acc2.len() != p2.hidden_width {
            s.acc2 = vec![0; p2.hidden_width];
        }
        if s.votes2.len() != self.gates {
            s.votes2 = vec![0; self.gates];
        }
        let mass: i64 = input.iter().map(|&(_, x)| x).sum();
        assert!(
            (mass as i128) * i128::from(self.weight2_max.max(1)) * (n1 as i128) < i128::from(i64::MAX),
            "layer-2 input mass {mass} too large for exact 64-bit accumulation"
        );
        s.touched_j.clear();
        for &(q, x) in input {
            scatter_add(&mut s.v, &mut s.touched_j, self.code1_inverted.row(q as usize), x);
        }
        s.touched_r2.clear();
        for &j in &s.touched_j {
            let v = s.v[j as usize];
            scatter_add(&mut s.acc2, &mut s.touched_r2, self.rows_of_output.row(j as usize), v);
            s.v[j as usize] = 0;
        }
        // Fire iff 2·(n₁·acc − |S₂_r|·t_in₂·mass) ≥ (2·bias + 1)·n₁·t_in₂·D.
        let (n1, t_in) = (n1 as i128, self.layer1.params().t_out as i128);
        let centering = if p2.centering { t_in * mass as i128 } else { 0 };
        let unit = n1 * t_in * unit as i128;
        let threshold = p2.vote_threshold() as u16;
        s.touched_g.clear();
        for &r in &s.touched_r2 {
            let z = 2 * (n1 * s.acc2[r as usize] as i128 - centering * self.union2[r as usize] as i128);
            s.acc2[r as usize] = 0;
            let bias = if (r as usize) < self.and_width { 1 } else { 0 };
            if z >= (2 * bias + 1) * unit {
                for &g in self.hosted2.row(r as usize) {
                    if s.votes2[g as usize] == 0 {
                        s.touched_g.push(g);
                    }
                    s.votes2[g as usize] += 1;
                }
            }
        }
        out.clear();
        for &g in &s.touched_g {
            if s.votes2[g as usize] >= threshold {
                out.push(g);
            }
            s.votes2[g as usize] = 0;
        }
        out.sort_unstable();
    }
}

/// The two-layer network as a [`Network`], with the thresholded intermediate stage
/// ([`Intermediate::Threshold`]: the composition SPEC §3 step 6 analyses, and the variant the
/// check's width search measures). Input code: layer 1's; output code: C₂. No additive rows:
/// layer 2 reads layer 1's thresholded neurons, not a sum over inputs.
impl Network for Depth2Network {
    type Scratch = Depth2Scratch;

    fn inputs(&self) -> usize {
        self.layer1.inputs()
    }

    fn outputs(&self) -> usize {
        self.gates
    }

    fn input_code(&self) -> Option<&SubsetCode> {
        Some(self.layer1.input_code())
    }

    fn output_code(&self) -> Option<&SubsetCode> {
        Some(&self.code2)
    }

    /// Both layers: neurons as [`Depth2Network::total_neurons`] (layer 1's hidden layer is
    /// layer 2's input and counted once), parameters and bits summed, one mass neuron per
    /// centered layer; the weights over the common denominator lcm(t_in₁, t_out₁), so
    /// `weight_max` is the larger numerator over it.
    fn resources(&self) -> Resources {
        let (one, two) = (self.layer1.resources(), self.layer2_resources());
        let common = lcm(one.weight_denominator, two.weight_denominator);
        Resources {
            input_width: one.input_width,
            hidden_width: one.hidden_width + two.hidden_width,
            extra_neurons: one.extra_neurons + two.extra_neurons,
            neurons: self.total_neurons(),
            parameters: one.parameters + two.parameters,
            parameter_bits: one.parameter_bits + two.parameter_bits,
            weight_max: (one.weight_max * (common / one.weight_denominator))
                .max(two.weight_max * (common / two.weight_denominator)),
            weight_denominator: common,
        }
    }

    fn evaluate(&self, active: &[u32], scratch: &mut Depth2Scratch, out: &mut Vec<u32>) {
        let mut layer1 = std::mem::take(&mut scratch.layer1_out);
        self.layer1_forward(active, scratch, &mut layer1);
        // The threshold stage does not read the true layer-1 outputs.
        self.layer2_forward(Intermediate::Threshold, &[], scratch, out);
        scratch.layer1_out = layer1;
    }
}

/// Least common multiple (of positive denominators).
fn lcm(a: u64, b: u64) -> u64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x * b
}

/// acc[x] += w for every x in `items`, listing in `touched` each x whose entry was 0 before
/// (w > 0, so an entry is 0 exactly until its first touch): the sparse accumulate every stage
/// of the two-layer forward pass uses, so only touched entries are read and reset.
fn scatter_add<T>(acc: &mut [T], touched: &mut Vec<u32>, items: &[u32], w: T)
where
    T: Copy + Default + PartialEq + std::ops::AddAssign,
{
    for &x in items {
        let slot = &mut acc[x as usize];
        if *slot == T::default() {
            touched.push(x);
        }
        *slot += w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::{And2Instance, PairDistribution};
    use crate::constructions::and2::{And2Params, Scratch};
    use crate::rng::stream;
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// A random circuit with m′₁ = m′₂ = `outputs` over `outputs` inputs, and its network.
    fn small(seed: u64, outputs: usize, width1: usize, width2: usize, or_fraction: f64) -> (Circuit, Depth2Network) {
        let instance = And2Instance::random(outputs, outputs, PairDistribution::Uniform, seed).unwrap();
        let circuit = Circuit::random(instance.clone(), outputs, or_fraction, seed ^ 7).unwrap();
        let layer1 = Arc::new(And2Network::build(&instance, And2Params::defaults(outputs, width1, seed ^ 1)).unwrap());
        let net = Depth2Network::build(&circuit, layer1, Layer2Params::defaults(outputs, width2, seed ^ 2)).unwrap();
        (circuit, net)
    }

    /// Layer 1's h·n_in·t_in (exact) from the SPEC's definition, independently of the tables.
    fn reference_h1(circuit: &Circuit, net: &Depth2Network, active: &[u32]) -> Vec<i128> {
        let l1 = net.layer1();
        let p = l1.params();
        let (n_in, t_in) = (p.input_width as i128, p.t_in as i128);
        let mut u = vec![0i128; p.input_width];
        for &i in active {
            for &q in l1.input_code().set(i as usize) {
                u[q as usize] += 1;
            }
        }
        (0..p.hidden_width)
            .map(|r| {
                let mut s_r: Vec<u32> = Vec::new();
                for (j, &(a, b)) in circuit.layer1().pairs().iter().enumerate() {
                    if l1.output_code().set(j).contains(&(r as u32)) {
                        s_r.extend([a, b]);
                    }
                }
                s_r.sort_unstable();
                s_r.dedup();
                let mut pre = 0i128;
                for (q, &u_q) in u.iter().enumerate() {
                    let count = s_r
                        .iter()
                        .filter(|&&i| l1.input_code().set(i as usize).contains(&(q as u32)))
                        .count() as i128;
                    pre += (count * n_in - s_r.len() as i128 * t_in) * u_q;
                }
                (pre - n_in * t_in).max(0)
            })
            .collect()
    }

    /// Layer 2 from the definition, on x_q = `x[q] / denominator` (exact rationals).
    fn reference_layer2(circuit: &Circuit, net: &Depth2Network, x: &[i128], denominator: i128) -> Vec<u32> {
        let n1 = x.len() as i128;
        let t_in = net.layer1().params().t_out as i128;
        let p2 = net.layer2_params();
        let mass: i128 = x.iter().sum();
        let fired: Vec<bool> = (0..p2.hidden_width)
            .map(|r| {
                let mut s_r: Vec<u32> = Vec::new();
                for (g, gate) in circuit.gates().iter().enumerate() {
                    if net.layer2_code().set(g).contains(&(r as u32)) {
                        s_r.extend([gate.left, gate.right]);
                    }
                }
                s_r.sort_unstable();
                s_r.dedup();
                // (W₂ x − c)·n₁·t_in·denominator
                let mut pre = -(s_r.len() as i128) * t_in * mass;
                for (q, &x_q) in x.iter().enumerate() {
                    let count = s_r
                        .iter()
                        .filter(|&&j| net.layer1().output_code().set(j as usize).contains(&(q as u32)))
                        .count() as i128;
                    pre += count * n1 * x_q;
                }
                let bias = i128::from(r < net.and_width());
                2 * pre >= (2 * bias + 1) * n1 * t_in * denominator
            })
            .collect();
        let need = ((p2.tau * p2.t_out as f64).ceil() as usize).max(1);
        (0..circuit.outputs() as u32)
            .filter(|&g| {
                net.layer2_code()
                    .set(g as usize)
                    .iter()
                    .filter(|&&r| fired[r as usize])
                    .count()
                    >= need
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20, ..ProptestConfig::default() })]

        /// The sparse integer path equals the exact rational reference, on all three inputs,
        /// and layer 1 equals the AS-2AND network's own evaluation.
        #[test]
        fn integer_path_equals_rational_reference(
            seed in any::<u64>(), outputs in 8usize..40, width1 in 12usize..60, width2 in 14usize..60,
            ors in 0usize..3,
        ) {
            let (circuit, net) = small(seed, outputs, width1, width2, [0.0, 0.5, 1.0][ors]);
            let truth = CircuitTruth::new(&circuit);
            let mut rng = stream(seed, "inputs", 0);
            let mut scratch = Depth2Scratch::default();
            let (mut s1, mut active, mut l1, mut l1_net, mut t1, mut tg, mut got) =
                (Scratch::default(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let p1 = *net.layer1().params();
            let d1 = (p1.input_width * p1.t_in) as i128;
            for _ in 0..6 {
                sample_circuit_active(&mut rng, &circuit, 4, &mut active);
                net.layer1_forward(&active, &mut scratch, &mut l1);
                net.layer1().evaluate(&active, &mut s1, &mut l1_net);
                prop_assert_eq!(&l1, &l1_net);
                truth.evaluate(&circuit, &active, &mut t1, &mut tg);
                let h = reference_h1(&circuit, &net, &active);
                // Threshold: b = 1[h ≥ ½].
                let b: Vec<i128> = h.iter().map(|&v| i128::from(2 * v >= d1)).collect();
                net.layer2_forward(Intermediate::Threshold, &t1, &mut scratch, &mut got);
                prop_assert_eq!(&got, &reference_layer2(&circuit, &net, &b, 1));
                // Raw: x = h (denominator n_in·t_in).
                net.layer2_forward(Intermediate::Raw, &t1, &mut scratch, &mut got);
                prop_assert_eq!(&got, &reference_layer2(&circuit, &net, &h, d1));
                // Ideal: the union of the true outputs' codes.
                let mut ideal = vec![0i128; p1.hidden_width];
                for &j in &t1 {
                    for &q in net.layer1().output_code().set(j as usize) { ideal[q as usize] = 1; }
                }
                net.layer2_forward(Intermediate::Ideal, &t1, &mut scratch, &mut got);
                prop_assert_eq!(&got, &reference_layer2(&circuit, &net, &ideal, 1));
            }
        }

        /// At generous widths, whenever layer 1 is right and interference-free — its
        /// thresholded hidden layer B is exactly ∪ C_out₁(j) over the true layer-1 outputs, and
        /// no off output's code meets B (the case the module doc proves) — the two-layer network
        /// with the threshold equals the circuit evaluated directly on x.
        ///
        /// Decoded layer-1 outputs being right is weaker, and not enough: an off output may
        /// have a few of its code neurons in B (shared with on outputs' codes, or fired by a
        /// layer-1 collision) without being decoded on, and an OR neuron sums the partial
        /// overlaps of its two outputs (found by this test at m′ = 32 before the condition
        /// was added). The check measures how often that costs a gate.
        #[test]
        fn equals_plain_circuit_when_layer1_is_right(seed in any::<u64>(), ors in 0usize..3) {
            let (circuit, net) = small(seed, 32, 2000, 6000, [0.0, 0.5, 1.0][ors]);
            let mut rng = stream(seed, "inputs", 1);
            let mut scratch = Depth2Scratch::default();
            let (mut active, mut l1, mut got, mut t1) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let index = circuit.layer1().pair_index();
            let code1 = net.layer1().output_code();
            let (mut checked, mut on) = (0, 0);
            // 400 samples: with 100, a few seeds left fewer than 8 clean samples (found by CI
            // with a random proptest seed: 6 checked, no gate on).
            for _ in 0..400 {
                sample_circuit_active(&mut rng, &circuit, 4, &mut active);
                net.layer1_forward(&active, &mut scratch, &mut l1);
                circuit.layer1().true_outputs(&index, &active, &mut t1);
                let mut code: Vec<u32> = t1.iter().flat_map(|&j| code1.set(j as usize).to_vec()).collect();
                code.sort_unstable();
                code.dedup();
                let clean = (0..circuit.layer1().outputs() as u32)
                    .filter(|j| t1.binary_search(j).is_err())
                    .all(|j| code1.set(j as usize).iter().all(|q| code.binary_search(q).is_err()));
                if l1 != t1 || scratch.fired1 != code || !clean { continue; }
                net.layer2_forward(Intermediate::Threshold, &t1, &mut scratch, &mut got);
                let plain = circuit.evaluate_plain(&active);
                prop_assert_eq!(&got, &plain, "active {:?}", active);
                checked += 1;
                on += plain.len();
            }
            prop_assert!(checked >= 8 && on >= 4, "checked {checked}, gates on {on}");
        }

        /// The table-driven gate truth equals the plain circuit on x.
        #[test]
        fn gate_truth_equals_plain_circuit(seed in any::<u64>(), k in 2usize..7) {
            let instance = And2Instance::random(24, 40, PairDistribution::Uniform, seed).unwrap();
            let circuit = Circuit::random(instance, 60, 0.5, seed).unwrap();
            let truth = CircuitTruth::new(&circuit);
            let mut rng = stream(seed, "inputs", 2);
            let (mut active, mut t1, mut tg) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..20 {
                sample_circuit_active(&mut rng, &circuit, k, &mut active);
                truth.evaluate(&circuit, &active, &mut t1, &mut tg);
                prop_assert_eq!(&tg, &circuit.evaluate_plain(&active));
            }
        }
    }

    /// With disjoint codes (no interference) and centering off, an AND neuron fires iff both
    /// of its gate's layer-1 outputs are on and an OR neuron iff at least one is: every
    /// combination of (p, q) on/off, for both gate kinds, over all small code sizes.
    #[test]
    fn or_threshold_is_right_on_all_small_cases() {
        for t in 1..=4usize {
            // Layer 1: 4 outputs over 8 inputs, pairs (0,1), (2,3), (4,5), (6,7); disjoint codes.
            let instance = And2Instance::new(8, vec![(0, 1), (2, 3), (4, 5), (6, 7)]).unwrap();
            for kinds in [[GateKind::And, GateKind::Or], [GateKind::Or, GateKind::And]] {
                let gates = vec![
                    Gate {
                        left: 0,
                        right: 1,
                        kind: kinds[0],
                    },
                    Gate {
                        left: 2,
                        right: 3,
                        kind: kinds[1],
                    },
                ];
                let circuit = Circuit::new(instance.clone(), gates).unwrap();
                // The first code seed whose four layer-1 output codes are disjoint (the
                // interference-free case the doc comment proves).
                let layer1 = (0..100u64)
                    .map(|seed| {
                        let mut p1 = And2Params::defaults(4, 16 * t, seed);
                        (p1.t_in, p1.t_out) = (t, t);
                        Arc::new(And2Network::build(&instance, p1).unwrap())
                    })
                    .find(|l1| {
                        let mut all: Vec<u32> = (0..4).flat_map(|j| l1.output_code().set(j).to_vec()).collect();
                        all.sort_unstable();
                        all.dedup();
                        all.len() == 4 * t
                    })
                    .expect("some seed gives disjoint codes");
                let mut p2 = Layer2Params::defaults(2, 4 * t, 5);
                p2.t_out = t;
                p2.centering = false;
                let net = Depth2Network::build(&circuit, layer1, p2).unwrap();
                let mut scratch = Depth2Scratch::default();
                let mut got = Vec::new();
                // Ideal inputs: every subset of layer-1 outputs on.
                for mask in 0u32..16 {
                    let on: Vec<u32> = (0..4).filter(|j| mask >> j & 1 == 1).collect();
                    let mut x = Vec::new();
                    let mut seen = HashSet::new();
                    for &j in &on {
                        for &q in net.layer1().output_code().set(j as usize) {
                            if seen.insert(q) {
                                x.push((q, 1));
                            }
                        }
                    }
                    // Each layer-2 code neuron hosts one gate (one gate per pool).
                    assert!((0..2usize).all(|g| {
                        net.layer2_code()
                            .set(g)
                            .iter()
                            .all(|&r| net.layer2_union_size(r as usize) == 2)
                    }));
                    net.layer2_on(&x, 1, &mut scratch, &mut got);
                    let expected: Vec<u32> = circuit
                        .gates()
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| {
                            let (p, q) = (on.contains(&g.left), on.contains(&g.right));
                            match g.kind {
                                GateKind::And => p && q,
                                GateKind::Or => p || q,
                            }
                        })
                        .map(|(g, _)| g as u32)
                        .collect();
                    assert_eq!(got, expected, "t {t}, kinds {kinds:?}, on {on:?}");
                }
            }
        }
    }

    #[test]
    fn invalid_circuits_and_widths_are_refused() {
        let instance = And2Instance::new(8, vec![(0, 1), (2, 3), (4, 5)]).unwrap();
        let gate = |left, right| Gate {
            left,
            right,
            kind: GateKind::And,
        };
        assert!(Circuit::new(instance.clone(), vec![gate(0, 0)]).is_err());
        assert!(Circuit::new(instance.clone(), vec![gate(0, 3)]).is_err());
        assert!(Circuit::new(instance.clone(), vec![gate(0, 1), gate(1, 0)]).is_err());
        assert!(Circuit::new(instance.clone(), vec![]).is_err());
        assert!(Circuit::random(instance.clone(), 1, 1.5, 0).is_err());
        let circuit = Circuit::new(
            instance.clone(),
            vec![
                gate(0, 1),
                Gate {
                    left: 1,
                    right: 2,
                    kind: GateKind::Or,
                },
            ],
        )
        .unwrap();
        let layer1 = Arc::new(And2Network::build(&instance, And2Params::defaults(3, 16, 0)).unwrap());
        // Two pools of t_out₂ = 4 need width ≥ 8.
        let mut p2 = Layer2Params::defaults(2, 6, 0);
        p2.t_out = 4;
        let err = Depth2Network::build(&circuit, layer1.clone(), p2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pools"), "{err}");
        p2.hidden_width = 8;
        assert!(Depth2Network::build(&circuit, layer1.clone(), p2).is_ok());
        // AND gates only: one pool of t_out₂ = 4 does not fit in width 3 (was an underflow).
        let ands = Circuit::new(instance.clone(), vec![gate(0, 1), gate(1, 2)]).unwrap();
        p2.hidden_width = 3;
        let err = Depth2Network::build(&ands, layer1.clone(), p2).unwrap_err().to_string();
        assert!(err.contains("pools"), "{err}");
        let mut average = And2Params::defaults(3, 16, 0);
        average.decoder = DecoderKind::Average;
        let layer1 = Arc::new(And2Network::build(&instance, average).unwrap());
        assert!(Depth2Network::build(&circuit, layer1, p2).is_err());
    }

    #[test]
    fn network_resources_count_both_layers_over_a_common_denominator() {
        let (_, net) = small(3, 64, 300, 200, 0.5);
        let (r, one, two) = (
            Network::resources(&net),
            net.layer1().resources(),
            net.layer2_resources(),
        );
        assert_eq!(r.neurons, net.total_neurons());
        assert_eq!(r.neurons, one.neurons + two.hidden_width + two.extra_neurons);
        assert_eq!(r.hidden_width, 300 + 200);
        assert_eq!(
            (r.parameters, r.parameter_bits),
            (one.parameters + two.parameters, one.parameter_bits + two.parameter_bits)
        );
        // t_in₁ = t_out₁ = 6: one denominator already.
        assert_eq!(r.weight_denominator, 6);
        assert_eq!(r.weight_max, one.weight_max.max(two.weight_max));
        // t_in₁ = 4, t_out₁ = 6: numerators over lcm = 12.
        let instance = And2Instance::random(64, 64, PairDistribution::Uniform, 3).unwrap();
        let circuit = Circuit::random(instance, 64, 0.5, 4).unwrap();
        let params = And2Params {
            t_in: 4,
            ..And2Params::defaults(64, 300, 5)
        };
        let layer1 = Arc::new(And2Network::build(circuit.layer1(), params).unwrap());
        let net = Depth2Network::build(&circuit, layer1, Layer2Params::defaults(64, 200, 6)).unwrap();
        let (r, one, two) = (
            Network::resources(&net),
            net.layer1().resources(),
            net.layer2_resources(),
        );
        assert_eq!(
            (one.weight_denominator, two.weight_denominator, r.weight_denominator),
            (4, 6, 12)
        );
        assert_eq!(r.weight_max, (3 * one.weight_max).max(2 * two.weight_max));
    }

    #[test]
    fn resources_count_layer2_weights() {
        let (circuit, net) = small(3, 24, 40, 48, 0.5);
        let r = net.layer2_resources();
        let n1 = net.layer1().params().hidden_width;
        let mut nonzero = 0;
        let mut max = 0;
        for row in 0..48 {
            for q in 0..n1 {
                let w = net.layer2_weight(row, q);
                nonzero += u64::from(w != 0);
                max = max.max(w);
            }
            // Σ_q A₂[r, q] = |S₂_r|·t_in₂.
            let sum: u64 = (0..n1).map(|q| net.layer2_weight(row, q)).sum();
            assert_eq!(sum, (net.layer2_union_size(row) * net.layer1().params().t_out) as u64);
        }
        assert_eq!(r.parameters, nonzero + 2 * 48 + n1 as u64);
        assert_eq!(r.weight_max, max);
        assert_eq!(net.total_neurons(), net.layer1().resources().neurons + 48 + 1);
        assert_eq!(circuit.outputs(), 24);
    }
}
