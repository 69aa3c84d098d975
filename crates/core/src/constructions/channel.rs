//! AS-2AND with an input channel for high-influence inputs (SPEC §3 step 5).
//!
//! An input whose influence (the number of pairs it appears in, [`And2Instance::influence`])
//! exceeds θ (default √m′) is *heavy*. In plain AS-2AND a heavy input i sits in S_r for most
//! hidden neurons r (its pairs occupy influence·t_out of the n·… code slots), so whenever i is
//! on, nearly every row gets +1 and any other active input that also feeds the row pushes it
//! over threshold: one busy input floods the shared channel. The input channel gives each
//! heavy input a dedicated block of hidden neurons, gated by that input, hosting all of its
//! pairs; the other pairs go to the shared channel, an ordinary AS-2AND network on the
//! sub-instance of remaining pairs. Both channels read the same superposed input
//! u = Σ_{i on} 1_{C_in(i)} (input code C_in, width n_in, t_in neurons per input).
//!
//! **Pair assignment.** A pair with one heavy endpoint goes to that endpoint's block; a pair
//! with two heavy endpoints goes to the block of the endpoint of larger influence (ties: the
//! smaller index); every other pair goes to the shared channel. Each pair is hosted exactly
//! once.
//!
//! **A block.** Heavy input i with hosted partners P_i (one per hosted pair (i, b)) gets w_i
//! neurons; partner b gets a t-subset C_i(b) of the block (a random code, seeded). Block
//! neuron r hosts H_r = {b ∈ P_i : r ∈ C_i(b)} and listens to
//! U_r = (∪_{b ∈ H_r} C_in(b)) \ C_in(i), the partners' input columns minus the gate's own:
//!
//!   pre_r = G·g_r + p_r − G,   g_r = (1/t_in)·Σ_{q ∈ C_in(i)} u_q,   p_r = (1/t_in)·Σ_{q ∈ U_r} u_q,
//!
//! h_r = ReLU(pre_r − κ_r), and r *fires* when h_r ≥ ½. G ≥ 1 is the gate weight (default 1).
//!
//! **Centering** (switchable, `centering`, default on; as AS-2AND step 4). κ_r subtracts the
//! row's expected share of the total input mass M = Σ_q u_q = t_in·(active inputs). Row r
//! has weights W[r, q] = G/t_in on the gate's t_in columns and 1/t_in on the |U_r| columns of
//! U_r (disjoint sets), so Σ_q W[r, q] = (G·t_in + |U_r|)/t_in. An input x whose t_in columns
//! are a uniformly random t_in-subset of the n_in input neurons puts each column on with
//! probability t_in/n_in, so its expected contribution to the row is
//! Σ_q W[r, q]·t_in/n_in = (G·t_in + |U_r|)/n_in; it brings t_in units of mass, hence
//!
//!   κ_r = c_r·M,   c_r = (G·t_in + |U_r|)/(t_in·n_in)   (the row's weight sum over n_in,
//!   per unit of mass),
//!
//! computed from one mass neuron s = Σ_q u_q (shared with the shared channel's centering), as
//! in AS-2AND. Without centering κ_r = 0. Exact integer arithmetic: with
//! T_r = t_in·(pre_r − κ_r) = G·Σ_{C_in(i)} u + Σ_{U_r} u − G·t_in − (G·t_in + |U_r|)·M/n_in,
//! r fires iff 2·n_in·T_r ≥ n_in·t_in, all integers (n_in·T_r has denominator 1). Without
//! centering the test is 2·T_r ≥ t_in.
//!
//! Why: a block row listens to |U_r| ≈ t_in·|H_r| columns, so whenever i is on every other
//! active input adds about |U_r|/n_in to pre_r. Measured without centering (a diagnosis
//! outside the check, 2000 planted samples, k = 4) on a star at m′ = 2^14, N = 5327 (block of
//! 167 rows, mean |U_r| = 566): in samples with the hub on, 28 of the 167 rows fired falsely
//! (none missed) and 49 block outputs were false; with the hub off, 0.3 rows. Centered, the
//! same samples gave 0.04 false rows and 0.06 false block outputs with the hub on.
//!
//! **Gating, proved.** Assume distinct inputs have distinct input codes, so
//! o_b = |C_in(b) ∩ C_in(i)| ≤ t_in − 1 for b ≠ i. Write κ = (G·t_in + |U_r|)·M/n_in ≥ 0 for
//! the centering term of T_r (κ = 0 without centering).
//! - i alone on: Σ_{C_in(i)} u = t_in and Σ_{U_r} u = 0 (U_r excludes C_in(i)), so
//!   T_r = −κ ≤ 0 < t_in/2: no block neuron fires, with or without centering.
//! - one input b ≠ i alone on (a partner or any other input): Σ_{C_in(i)} u = o_b and
//!   Σ_{U_r} u ≤ |C_in(b) \ C_in(i)| = t_in − o_b, so
//!   T_r ≤ G·o_b + t_in − o_b − G·t_in − κ = (G − 1)·(o_b − t_in) − κ ≤ −κ ≤ 0 < t_in/2:
//!   no block neuron fires, with or without centering.
//! - i and a partner b ∈ H_r on (nothing else): Σ_{C_in(i)} u = t_in + o_b,
//!   Σ_{U_r} u = t_in − o_b (all of C_in(b) \ C_in(i) lies in U_r) and M = 2·t_in, so
//!   T_r = t_in + (G − 1)·o_b − 2·t_in·(G·t_in + |U_r|)/n_in. Without centering T_r ≥ t_in:
//!   every one of the t code neurons of pair (i, b) fires, always. With centering row r fires
//!   **iff n_in·(t_in + 2·(G − 1)·o_b) ≥ 4·t_in·(G·t_in + |U_r|)**; a sufficient condition is
//!   n_in ≥ 4·(G·t_in + |U_r|) (the row's weight sum at most n_in/(4·t_in)), which depends on
//!   the mass the row listens to: a block row too dense for its input width can miss its own
//!   pair. The tests assert exactly this equivalence.
//!
//! With more active inputs the block errs only through interference, like AS-2AND: centered,
//! a row with i and a hosted partner on has T_r = t_in − 2·t_in·c_r·t_in + (fluctuation of
//! the others about their mean), and a row with i on but no hosted partner has
//! T_r = −t_in·c_r·t_in + fluctuation; the partner weights are capped at 1 per column (U_r is
//! a set), so one active input adds at most t_in to Σ_{U_r} u however many hosted partners
//! share its columns. (Unlike an AS-2AND row, where each endpoint of S_r also gains its
//! expected overlap with the other members and the centered pair-on row sits at exactly 1,
//! the capped block row's pair-on mean is 1 − 2·c_r·t_in in units of pre_r.)
//!
//! **Decoding.** Output (i, b) is decoded from C_i(b) by the AS-2AND vote rule: on iff at
//! least ⌈τ·t⌉ of its t code neurons fire. Shared-channel outputs are decoded by the shared
//! AS-2AND network itself.
//!
//! **Width allocation** ([`allocate`]). For a total hidden budget N, block i gets
//! w_i = max(2t, ⌈N·d_i/m′⌉) neurons (d_i the pairs it hosts: a share in proportion to the
//! pairs hosted, with a floor of 2t), and the shared channel gets the rest,
//! N − Σ w_i, which must be at least t + 1. So at equal N the channel construction has the
//! same input width, the same total hidden width and the same neuron count as plain AS-2AND
//! (n_in + N + 1 mass neuron); "same total width" comparisons are fair.

use serde::{Deserialize, Serialize};

use crate::base::code::{Csr, SubsetCode};
use crate::base::instance::And2Instance;
use crate::base::memory;
use crate::constructions::and2::{And2Network, And2Params, DecoderKind, Scratch};
use crate::constructions::coded::{Limits, bits_for, gather_columns, vote_threshold};
use crate::error::{Result, invalid};
use crate::network::Network;
use crate::results::Resources;
use crate::rng::derive_seed;

/// Parameters of the input-channel construction; every constant is here.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChannelParams {
    /// n_in, width of the superposed input representation (shared by both channels).
    pub input_width: usize,
    /// N, the total hidden width: shared channel plus every block.
    pub total_hidden: usize,
    /// t: t_in of the input code and t_out of the shared channel and of every block code.
    pub t: usize,
    /// θ: inputs of influence strictly above θ get a block.
    pub theta: f64,
    /// G, the gate weight (numerator over t_in per gate column; bias −G).
    pub gate_weight: u32,
    /// τ, the vote threshold (fraction of t) of both channels.
    pub tau: f64,
    /// Whether block rows are centered (subtract c_r·Σ_q u_q, see the module documentation).
    /// The shared channel, like plain AS-2AND at its defaults, is always centered.
    pub centering: bool,
    /// Seed of every code (instance-independent).
    pub code_seed: u64,
}

impl ChannelParams {
    /// The defaults for m′ outputs at width `width` (input width = total hidden width, as
    /// plain AS-2AND's defaults): t = ⌈log₂ m′⌉, θ = √m′, G = 1, τ = ½, block rows centered.
    ///
    /// G = 1 gives an uncentered block row the margins of an AS-2AND row: with the gate on it
    /// fires falsely only if interference reaches ½, with the gate off only if a hosted partner is
    /// on and interference reaches ½. G = 2 widens the gate-off margin to 1½ but each extra
    /// input overlapping the gate's columns then adds 2/t_in instead of 1/t_in; tried first, it
    /// made a false output at a generous width (m′ = 120 star, width 3000: one gate overlap
    /// plus two lit columns of a partner's code), which G = 1 does not.
    pub fn defaults(outputs: usize, width: usize, code_seed: u64) -> Self {
        let plain = And2Params::defaults(outputs, width, code_seed);
        Self {
            input_width: width,
            total_hidden: width,
            t: plain.t_in,
            theta: (outputs as f64).sqrt(),
            gate_weight: 1,
            tau: plain.tau,
            centering: true,
            code_seed,
        }
    }

    /// The AS-2AND parameters of the shared channel at hidden width `hidden` (and of plain
    /// AS-2AND at the same input code when `hidden` = N).
    pub fn shared_params(&self, hidden: usize) -> And2Params {
        And2Params {
            input_width: self.input_width,
            hidden_width: hidden,
            t_in: self.t,
            t_out: self.t,
            tau: self.tau,
            decoder: DecoderKind::Vote,
            centering: true,
            fire: 0.5,
            code_seed: self.code_seed,
        }
    }

    /// Refuses θ and G outside their ranges, then checks t, τ and the widths as the coded layer
    /// of the same shape (input width n_in, hidden width N, t_in = t_out = t).
    fn validate(&self) -> Result<()> {
        if !(self.theta.is_finite() && self.theta >= 0.0) {
            return Err(invalid("theta", self.theta, "must be finite and ≥ 0"));
        }
        if self.gate_weight == 0 || self.gate_weight > 1 << 16 {
            return Err(invalid("gate_weight", self.gate_weight, "must be in 1..=65536"));
        }
        self.shared_params(self.total_hidden).validate(&Limits::CHANNEL)
    }

    /// The vote threshold ⌈τ·t⌉ (at least 1).
    fn vote_threshold(&self) -> usize {
        vote_threshold(self.tau, self.t)
    }
}

/// Which channel hosts each pair: independent of widths and codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelPlan {
    /// Heavy inputs with the pairs (output indices j) their block hosts, heaviest first.
    pub blocks: Vec<(u32, Vec<u32>)>,
    /// Pairs of the shared channel (output indices j), increasing.
    pub shared: Vec<u32>,
    /// The influence threshold θ used.
    pub theta: f64,
}

impl ChannelPlan {
    /// Assigns the pairs of `instance`: a pair goes to the block of its heavier heavy endpoint
    /// (influence > θ; ties to the smaller index), else to the shared channel.
    pub fn new(instance: &And2Instance, theta: f64) -> Self {
        let influence = instance.influence();
        let heavy = |i: u32| f64::from(influence[i as usize]) > theta;
        let mut heavy_inputs: Vec<u32> = (0..instance.inputs() as u32).filter(|&i| heavy(i)).collect();
        heavy_inputs.sort_by_key(|&i| (std::cmp::Reverse(influence[i as usize]), i));
        let rank: std::collections::HashMap<u32, usize> =
            heavy_inputs.iter().enumerate().map(|(r, &i)| (i, r)).collect();
        let mut blocks: Vec<(u32, Vec<u32>)> = heavy_inputs.iter().map(|&i| (i, Vec::new())).collect();
        let mut shared = Vec::new();
        for (j, &(a, b)) in instance.pairs().iter().enumerate() {
            let owner = match (rank.get(&a), rank.get(&b)) {
                (Some(&ra), Some(&rb)) => Some(ra.min(rb)),
                (Some(&r), None) | (None, Some(&r)) => Some(r),
                (None, None) => None,
            };
            match owner {
                Some(r) => blocks[r].1.push(j as u32),
                None => shared.push(j as u32),
            }
        }
        Self { blocks, shared, theta }
    }

    /// Pairs hosted by blocks.
    pub fn block_pairs(&self) -> usize {
        self.blocks.iter().map(|(_, pairs)| pairs.len()).sum()
    }

    /// The smallest total hidden width N at which [`allocate`] succeeds for m′ = `outputs`
    /// (searched upward from every block at its floor 2t plus a shared channel of t + 1).
    pub fn min_total_width(&self, outputs: usize, t: usize) -> usize {
        let mut total = 2 * t * self.blocks.len() + if self.shared.is_empty() { 0 } else { t + 1 };
        while allocate(self, outputs, total, t).is_err() {
            total += 1;
        }
        total
    }
}

/// Splits a total hidden budget N: block i gets max(2t, ⌈N·d_i/m′⌉), the shared channel the
/// rest (at least t + 1 when it hosts pairs; when it hosts none, the rest goes to the largest
/// block). Returns (shared width, block widths).
pub fn allocate(plan: &ChannelPlan, outputs: usize, total: usize, t: usize) -> Result<(usize, Vec<usize>)> {
    let mut blocks: Vec<usize> = plan
        .blocks
        .iter()
        .map(|(_, pairs)| (2 * t).max((total as u128 * pairs.len() as u128).div_ceil(outputs as u128) as usize))
        .collect();
    let used: usize = blocks.iter().sum();
    let too_narrow = || {
        invalid(
            "total hidden width",
            total,
            format!(
                "too narrow for {} blocks (floor 2t = {} each, in proportion to pairs hosted) plus a shared \
                 channel of at least t + 1 = {}",
                plan.blocks.len(),
                2 * t,
                t + 1
            ),
        )
    };
    if plan.shared.is_empty() {
        let rest = total.checked_sub(used).ok_or_else(too_narrow)?;
        if let Some(first) = blocks.first_mut() {
            *first += rest;
        }
        return Ok((0, blocks));
    }
    match total.checked_sub(used) {
        Some(shared) if shared > t => Ok((shared, blocks)),
        _ => Err(too_narrow()),
    }
}

/// One dedicated block: the hidden neurons of one heavy input.
#[derive(Debug, Clone)]
struct Block {
    /// i, the gate input.
    gate: u32,
    /// First row of the block in the stacked block layer.
    offset: usize,
    /// w_i, the block's width.
    width: usize,
    /// Global output index j of each block-local output (one per hosted pair).
    outputs: Vec<u32>,
    /// The block code: block-local output ↦ t rows of the block.
    code: SubsetCode,
    /// Inverted block code: block row ↦ block-local outputs hosted there.
    hosted: Csr,
}

/// A built input-channel network: the shared AS-2AND channel plus one gated block per heavy
/// input, over one input code.
#[derive(Debug, Clone)]
pub struct ChannelNetwork {
    params: ChannelParams,
    inputs: usize,
    outputs: usize,
    input_code: SubsetCode,
    /// The shared channel (None when every pair is in a block).
    shared: Option<And2Network>,
    /// Global output index of each shared-channel output.
    shared_outputs: Vec<u32>,
    blocks: Vec<Block>,
    /// Partner weights of the stacked block layer: input column q ↦ block rows r with q ∈ U_r.
    partner_index: Csr,
    /// Σ_r |U_r|, the nonzero partner weights.
    partner_weights: u64,
    /// |U_r| of every stacked block row (the centering coefficient is (G·t_in + |U_r|)/n_in).
    union_size: Vec<u32>,
}

/// Reusable per-thread buffers of [`ChannelNetwork::evaluate`].
#[derive(Debug, Default, Clone)]
pub struct ChannelScratch {
    shared: Scratch,
    shared_out: Vec<u32>,
    columns: Vec<(u32, i32)>,
    acc: Vec<i32>,
    votes: Vec<u8>,
    touched: Vec<u32>,
}

impl ChannelNetwork {
    /// Builds the network for `instance` at `params` with the pair assignment `plan` (which
    /// must come from [`ChannelPlan::new`] on the same instance).
    pub fn build(instance: &And2Instance, plan: &ChannelPlan, params: ChannelParams) -> Result<Self> {
        params.validate()?;
        let (inputs, outputs) = (instance.inputs(), instance.outputs());
        let (shared_width, widths) = allocate(plan, outputs, params.total_hidden, params.t)?;
        let shared_params = params.shared_params(shared_width.max(params.t));
        let block_rows: usize = widths.iter().sum();
        memory::check(
            || {
                format!(
                    "an input-channel network with {outputs} outputs, input width {} and total hidden width {}",
                    params.input_width, params.total_hidden
                )
            },
            And2Network::estimate_bytes(inputs, plan.shared.len(), &shared_params)
                + SubsetCode::estimate_bytes(inputs, params.t)
                // U_r has at most t_in·|H_r| columns; Σ_r |H_r| = t·(block pairs).
                + 8 * (params.t * params.t * plan.block_pairs()) as u64
                + 16 * block_rows as u64,
        )?;
        // The same code as And2Network::build draws: both channels read the same u.
        let input_code = params.shared_params(params.total_hidden).input_code(inputs)?;
        let (shared, shared_outputs) = if plan.shared.is_empty() {
            (None, Vec::new())
        } else {
            let pairs = plan.shared.iter().map(|&j| instance.pairs()[j as usize]).collect();
            let sub = And2Instance::new(inputs, pairs)?;
            let network = And2Network::build(&sub, params.shared_params(shared_width))?;
            assert_eq!(
                network.input_code(),
                &input_code,
                "the shared channel must read the same input code"
            );
            (Some(network), plan.shared.clone())
        };
        let mut blocks = Vec::with_capacity(plan.blocks.len());
        let mut offset = 0;
        for ((gate, pairs), &width) in plan.blocks.iter().zip(&widths) {
            let code = SubsetCode::random(
                pairs.len(),
                width,
                params.t,
                derive_seed(params.code_seed, "block-code", u64::from(*gate)),
                "code",
            )?;
            let hosted = code.inverted();
            blocks.push(Block {
                gate: *gate,
                offset,
                width,
                outputs: pairs.clone(),
                code,
                hosted,
            });
            offset += width;
        }
        let union_rows = block_unions(instance, &blocks, &input_code);
        let partner_weights = union_rows.iter().map(|u| u.len() as u64).sum();
        let union_size = union_rows.iter().map(|u| u.len() as u32).collect();
        let partner_index = Csr::from_pairs(params.input_width, |push| {
            for (r, union) in union_rows.iter().enumerate() {
                for &q in union {
                    push(q as usize, r as u32);
                }
            }
        });
        Ok(Self {
            params,
            inputs,
            outputs,
            input_code,
            shared,
            shared_outputs,
            blocks,
            partner_index,
            partner_weights,
            union_size,
        })
    }

    /// The parameters the network was built with.
    pub fn params(&self) -> &ChannelParams {
        &self.params
    }

    /// m, the number of inputs.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// m′.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The input code C_in both channels read.
    pub fn input_code(&self) -> &SubsetCode {
        &self.input_code
    }

    /// The shared channel, if it hosts any pair.
    pub fn shared(&self) -> Option<&And2Network> {
        self.shared.as_ref()
    }

    /// Hidden width of the shared channel (0 without one).
    pub fn shared_width(&self) -> usize {
        self.shared.as_ref().map_or(0, |s| s.params().hidden_width)
    }

    /// Global output index j of each shared-channel output (in the shared network's order).
    pub fn shared_outputs(&self) -> &[u32] {
        &self.shared_outputs
    }

    /// Global output index j of each output of block `index` (in its block code's order).
    pub fn block_outputs(&self, index: usize) -> &[u32] {
        &self.blocks[index].outputs
    }

    /// (gate input i, |U_r|) of every stacked block row, blocks in [`Self::block_shapes`]
    /// order: what a row's gate and centering coefficient need.
    pub fn block_rows(&self) -> Vec<(u32, u32)> {
        self.blocks
            .iter()
            .flat_map(|b| (b.offset..b.offset + b.width).map(|r| (b.gate, self.union_size[r])))
            .collect()
    }

    /// The stacked block rows r whose partner columns U_r contain input column q.
    pub fn partner_rows(&self, column: usize) -> &[u32] {
        self.partner_index.row(column)
    }

    /// (gate input i, block width w_i, pairs hosted d_i) of every block.
    pub fn block_shapes(&self) -> Vec<(u32, usize, usize)> {
        self.blocks.iter().map(|b| (b.gate, b.width, b.outputs.len())).collect()
    }

    /// The block code of block `index` (in [`Self::block_shapes`] order): the t rows
    /// C_i(b) of each hosted pair, pairs in the order the plan lists them.
    pub fn block_code(&self, index: usize) -> &SubsetCode {
        &self.blocks[index].code
    }

    /// Resources as SPEC §2 counts them: neurons = n_in + shared width + Σ w_i (+1 mass
    /// neuron s = Σ_q u_q, the shared channel's centering, which centered blocks share; when
    /// every pair is in a block and blocks are centered, the blocks' own); parameters = the
    /// shared channel's plus, per block row, t_in gate weights, |U_r| partner weights, one
    /// bias and (centered) one centering coefficient, plus the n_in mass weights when the
    /// mass neuron is the blocks' own; bits at each group's integer range (gate numerator G,
    /// partner numerator 1, bias G, coefficient numerator G·t_in + |U_r| over n_in, mass
    /// weight 1).
    pub fn resources(&self) -> Resources {
        let p = &self.params;
        let rows: usize = self.blocks.iter().map(|b| b.width).sum();
        let gate_bits = bits_for(u64::from(p.gate_weight));
        let mut block_parameters = (rows * p.t) as u64 + self.partner_weights + rows as u64;
        let mut block_bits = (rows * p.t) as u64 * gate_bits + self.partner_weights + rows as u64 * gate_bits;
        let (shared_parameters, shared_bits, weight_max, mut extra) = match &self.shared {
            Some(s) => {
                let r = s.resources();
                (r.parameters, r.parameter_bits, r.weight_max, r.extra_neurons)
            }
            None => (0, 0, 0, 0),
        };
        if p.centering && rows > 0 {
            let max_union = self.union_size.iter().copied().max().unwrap_or(0);
            let coefficient_max = u64::from(p.gate_weight) * p.t as u64 + u64::from(max_union);
            block_parameters += rows as u64;
            block_bits += rows as u64 * bits_for(coefficient_max);
            if extra == 0 {
                extra = 1;
                block_parameters += p.input_width as u64;
                block_bits += p.input_width as u64;
            }
        }
        let hidden = self.shared_width() + rows;
        Resources {
            input_width: p.input_width,
            hidden_width: hidden,
            extra_neurons: extra,
            neurons: p.input_width + hidden + extra,
            parameters: shared_parameters + block_parameters,
            parameter_bits: shared_bits + block_bits,
            weight_max: weight_max.max(u64::from(p.gate_weight)),
            weight_denominator: p.t as u64,
        }
    }

    /// Evaluates on k-sparse active inputs (any order, no repeats); writes the decoded
    /// on-outputs (global indices j), sorted, into `out`. Exact integer arithmetic.
    pub fn evaluate(&self, active: &[u32], scratch: &mut ChannelScratch, out: &mut Vec<u32>) {
        out.clear();
        if let Some(shared) = &self.shared {
            shared.evaluate(active, &mut scratch.shared, &mut scratch.shared_out);
            out.extend(scratch.shared_out.iter().map(|&j| self.shared_outputs[j as usize]));
        }
        if !self.blocks.is_empty() {
            let mass = self.forward_blocks(active, scratch);
            let need = self.params.vote_threshold() as u8;
            for block in &self.blocks {
                let gate_sum = gate_sum(&scratch.columns, self.input_code.set(block.gate as usize));
                if scratch.votes.len() < block.outputs.len() {
                    scratch.votes.resize(block.outputs.len(), 0);
                }
                scratch.touched.clear();
                for local in 0..block.width {
                    let row = block.offset + local;
                    if self.fires(row, gate_sum, i64::from(scratch.acc[row]), mass) {
                        for &o in block.hosted.row(local) {
                            if scratch.votes[o as usize] == 0 {
                                scratch.touched.push(o);
                            }
                            scratch.votes[o as usize] += 1;
                        }
                    }
                }
                for &o in &scratch.touched {
                    if scratch.votes[o as usize] >= need {
                        out.push(block.outputs[o as usize]);
                    }
                    scratch.votes[o as usize] = 0;
                }
            }
        }
        out.sort_unstable();
    }

    /// Whether stacked block row `row` fires, given Σ_{q ∈ C_in(i)} u_q of its gate i,
    /// Σ_{q ∈ U_r} u_q and the mass M = Σ_q u_q. Exact: with
    /// T = G·(gate_sum − t_in) + partner_sum, centered rows fire iff
    /// 2·(n_in·T − (G·t_in + |U_r|)·M) ≥ n_in·t_in, uncentered rows iff 2·T ≥ t_in.
    fn fires(&self, row: usize, gate_sum: i64, partner_sum: i64, mass: i64) -> bool {
        let p = &self.params;
        let (t, g) = (p.t as i64, i64::from(p.gate_weight));
        let scaled = g * (gate_sum - t) + partner_sum;
        if p.centering {
            let n_in = p.input_width as i64;
            let coefficient = g * t + i64::from(self.union_size[row]);
            2 * (n_in * scaled - coefficient * mass) >= n_in * t
        } else {
            2 * scaled >= t
        }
    }

    /// Merges the active inputs' columns into (q, u_q), accumulates the partner term
    /// t_in·p_r = Σ_{q ∈ U_r} u_q of every block row into `scratch.acc`, and returns the mass
    /// M = Σ_q u_q.
    fn forward_blocks(&self, active: &[u32], scratch: &mut ChannelScratch) -> i64 {
        let mass = gather_columns(&self.input_code, active, &mut scratch.columns);
        let rows: usize = self.blocks.iter().map(|b| b.width).sum();
        scratch.acc.clear();
        scratch.acc.resize(rows, 0);
        for &(q, count) in &scratch.columns {
            for &r in self.partner_index.row(q as usize) {
                scratch.acc[r as usize] += count;
            }
        }
        mass
    }
}

/// The input channel as a [`Network`]. It has one input code but no single output code (shared
/// outputs are decoded from the shared channel's code, block outputs from their block's), and
/// it exposes no [`crate::network::AdditiveRows`]: its rows are additive too, but in two index
/// spaces with per-row thresholds, and nothing attacks it yet.
impl Network for ChannelNetwork {
    type Scratch = ChannelScratch;

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn input_code(&self) -> Option<&SubsetCode> {
        Some(&self.input_code)
    }

    fn resources(&self) -> Resources {
        ChannelNetwork::resources(self)
    }

    fn evaluate(&self, active: &[u32], scratch: &mut ChannelScratch, out: &mut Vec<u32>) {
        ChannelNetwork::evaluate(self, active, scratch, out);
    }
}

/// Σ_{q ∈ gate} u_q, with u given as sorted merged (q, u_q) columns.
fn gate_sum(columns: &[(u32, i32)], gate: &[u32]) -> i64 {
    gate.iter()
        .filter_map(|&q| columns.binary_search_by_key(&q, |&(c, _)| c).ok())
        .map(|index| i64::from(columns[index].1))
        .sum()
}

/// U_r of every stacked block row: the hosted partners' input columns minus the gate's, sorted.
fn block_unions(instance: &And2Instance, blocks: &[Block], input_code: &SubsetCode) -> Vec<Vec<u32>> {
    let mut unions = Vec::new();
    for block in blocks {
        let gate = input_code.set(block.gate as usize);
        for local in 0..block.width {
            let mut union: Vec<u32> = block
                .hosted
                .row(local)
                .iter()
                .flat_map(|&o| {
                    let (a, b) = instance.pairs()[block.outputs[o as usize] as usize];
                    let partner = if a == block.gate { b } else { a };
                    input_code.set(partner as usize).iter().copied()
                })
                .filter(|q| !gate.contains(q))
                .collect();
            union.sort_unstable();
            union.dedup();
            unions.push(union);
        }
    }
    unions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::base::sample::{InputDistribution, sample_active};
    use crate::rng::stream;
    use proptest::prelude::*;

    /// U_r of block row `r` of `block`, rebuilt from the instance and the block code: the
    /// input columns of the partners hosted at r, minus the gate's columns.
    fn reference_union(
        instance: &And2Instance,
        net: &ChannelNetwork,
        block: &Block,
        r: usize,
    ) -> std::collections::BTreeSet<u32> {
        let gate_code = net.input_code().set(block.gate as usize);
        let mut columns = std::collections::BTreeSet::new();
        for (o, &j) in block.outputs.iter().enumerate() {
            if !block.code.set(o).contains(&(r as u32)) {
                continue;
            }
            let (a, b) = instance.pairs()[j as usize];
            assert!(
                a == block.gate || b == block.gate,
                "a block hosts only its gate's pairs"
            );
            let partner = if a == block.gate { b } else { a };
            columns.extend(net.input_code().set(partner as usize).iter().copied());
        }
        columns.retain(|q| !gate_code.contains(q));
        columns
    }

    /// Block neurons that fire, computed from the construction's definition with exact
    /// rationals (scaled by n_in·t_in), independently of the stacked index: U_r rebuilt from
    /// the instance and the block code, pre_r = G·g_r + p_r − G − c_r·Σ_q u_q with
    /// c_r = (G·t_in + |U_r|)/(t_in·n_in) when centered (0 otherwise), fires iff pre_r ≥ ½.
    fn reference_block_fired(instance: &And2Instance, net: &ChannelNetwork, active: &[u32]) -> Vec<usize> {
        let p = net.params();
        let mut u = vec![0i128; p.input_width];
        for &i in active {
            for &q in net.input_code().set(i as usize) {
                u[q as usize] += 1;
            }
        }
        let mass: i128 = u.iter().sum();
        let (t, g, n_in) = (p.t as i128, i128::from(p.gate_weight), p.input_width as i128);
        let mut fired = Vec::new();
        for block in &net.blocks {
            let gate_code = net.input_code().set(block.gate as usize);
            for r in 0..block.width {
                let columns = reference_union(instance, net, block, r);
                // t_in·W[r, q] = G·[q ∈ C_in(i)] + [q ∈ U_r]; t_in·bias = −G·t_in.
                let mut pre = -g * t;
                for (q, &u_q) in u.iter().enumerate() {
                    let weight = if gate_code.contains(&(q as u32)) {
                        g
                    } else {
                        i128::from(columns.contains(&(q as u32)))
                    };
                    pre += weight * u_q;
                }
                // n_in·t_in·(pre_r − c_r·M) = n_in·(t_in·pre_r) − (G·t_in + |U_r|)·M.
                let centering = if p.centering {
                    (g * t + columns.len() as i128) * mass
                } else {
                    0
                };
                if 2 * (n_in * pre - centering) >= n_in * t {
                    fired.push(block.offset + r);
                }
            }
        }
        fired
    }

    /// The on-outputs from the reference block layer and the shared channel (itself tested
    /// against its own rational reference in and2.rs).
    fn reference_outputs(instance: &And2Instance, net: &ChannelNetwork, active: &[u32]) -> Vec<u32> {
        let fired = reference_block_fired(instance, net, active);
        let need = net.params().vote_threshold();
        let mut out = Vec::new();
        if let Some(shared) = net.shared() {
            let mut sub = Vec::new();
            shared.evaluate_dense(active, &mut Scratch::default(), &mut sub);
            out.extend(sub.iter().map(|&j| net.shared_outputs[j as usize]));
        }
        for block in &net.blocks {
            for (o, &j) in block.outputs.iter().enumerate() {
                let votes = block
                    .code
                    .set(o)
                    .iter()
                    .filter(|&&r| fired.contains(&(block.offset + r as usize)))
                    .count();
                if votes >= need {
                    out.push(j);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// A Zipf or star instance and its channel network (gate weight `gate`, block rows centered
    /// or not) at the first feasible total width from `extra` neurons above the narrowest one.
    fn skewed_case(
        seed: u64,
        outputs: usize,
        extra: usize,
        star: bool,
        gate: u32,
        centering: bool,
    ) -> (And2Instance, ChannelPlan, ChannelNetwork) {
        let inputs = outputs.max(12);
        let distribution = if star {
            PairDistribution::Star {
                degree: (outputs / 2).min(inputs - 1),
            }
        } else {
            PairDistribution::Zipf { exponent: 1.0 }
        };
        let instance = And2Instance::random(inputs, outputs, distribution, seed).unwrap();
        let mut params = ChannelParams::defaults(outputs, 1, seed ^ 7);
        (params.gate_weight, params.centering) = (gate, centering);
        let plan = ChannelPlan::new(&instance, params.theta);
        // Rounding every block's share up can make a budget above the narrowest infeasible:
        // take the first feasible one from `extra` above it.
        let mut width = plan.min_total_width(outputs, params.t) + extra;
        while allocate(&plan, outputs, width, params.t).is_err() {
            width += 1;
        }
        (params.input_width, params.total_hidden) = (width, width);
        let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
        (instance, plan, net)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn integer_path_equals_rational_reference(
            seed in any::<u64>(), outputs in 8usize..48, extra in 0usize..40, star in any::<bool>(),
            gate in 1u32..4, centering in any::<bool>(),
        ) {
            let (instance, plan, net) = skewed_case(seed, outputs, extra, star, gate, centering);
            prop_assert!(!star || !plan.blocks.is_empty());
            let mut rng = stream(seed, "inputs", 0);
            let (mut scratch, mut active, mut got) = (ChannelScratch::default(), Vec::new(), Vec::new());
            for _ in 0..8 {
                sample_active(&mut rng, &instance, 4, InputDistribution::Planted, &mut active);
                net.evaluate(&active, &mut scratch, &mut got);
                prop_assert_eq!(got.clone(), reference_outputs(&instance, &net, &active));
            }
        }

        #[test]
        fn gating_single_inputs_never_fire_and_hosted_pairs_fire_as_proved(
            seed in any::<u64>(), outputs in 8usize..40, extra in 0usize..60, star in any::<bool>(),
            gate in 1u32..4, centering in any::<bool>(),
        ) {
            let (instance, _, net) = skewed_case(seed, outputs, extra, star, gate, centering);
            // The proof assumes distinct input codes.
            let codes: std::collections::HashSet<&[u32]> =
                (0..instance.inputs()).map(|i| net.input_code().set(i)).collect();
            prop_assume!(codes.len() == instance.inputs());
            for i in 0..instance.inputs() as u32 {
                prop_assert!(reference_block_fired(&instance, &net, &[i]).is_empty(), "input {} alone fired a block neuron", i);
            }
            let p = *net.params();
            let (t, g, n_in) = (p.t as i64, i64::from(gate), p.input_width as i64);
            for block in &net.blocks {
                let gate_code = net.input_code().set(block.gate as usize);
                for (o, &j) in block.outputs.iter().enumerate() {
                    let (a, b) = instance.pairs()[j as usize];
                    let partner = if a == block.gate { b } else { a };
                    let o_b = net.input_code().set(partner as usize).iter().filter(|q| gate_code.contains(q)).count() as i64;
                    let fired = reference_block_fired(&instance, &net, &[a, b]);
                    for &r in block.code.set(o) {
                        let union = reference_union(&instance, &net, block, r as usize).len() as i64;
                        // Uncentered: always. Centered: iff n_in·(t_in + 2(G−1)·o_b) ≥ 4·t_in·(G·t_in + |U_r|).
                        let proved = !centering || n_in * (t + 2 * (g - 1) * o_b) >= 4 * t * (g * t + union);
                        prop_assert_eq!(fired.contains(&(block.offset + r as usize)), proved, "pair {} row {}", j, r);
                        // The sufficient condition n_in ≥ 4·(G·t_in + |U_r|) implies firing.
                        prop_assert!(n_in < 4 * (g * t + union) || proved);
                    }
                }
            }
        }

        #[test]
        fn allocation_spends_exactly_the_budget(
            seed in any::<u64>(), outputs in 16usize..200, slack in 0usize..400,
        ) {
            let instance = And2Instance::random(outputs, outputs, PairDistribution::Zipf { exponent: 1.2 }, seed).unwrap();
            let plan = ChannelPlan::new(&instance, (outputs as f64).sqrt());
            let t = 5;
            let narrowest = plan.min_total_width(outputs, t);
            prop_assert!(allocate(&plan, outputs, narrowest - 1, t).is_err());
            prop_assert!(allocate(&plan, outputs, narrowest, t).is_ok());
            // Rounding up every block's share can make a slightly wider budget infeasible, so
            // only feasible budgets are checked.
            let total = narrowest + slack;
            if let Ok((shared, blocks)) = allocate(&plan, outputs, total, t) {
                prop_assert_eq!(shared + blocks.iter().sum::<usize>(), total);
                prop_assert!(blocks.iter().all(|&w| w >= 2 * t));
                prop_assert!(plan.shared.is_empty() || shared > t);
                // Shares in proportion to pairs hosted, above the floor.
                for (&w, (_, pairs)) in blocks.iter().zip(&plan.blocks) {
                    prop_assert_eq!(w, (2 * t).max((total * pairs.len()).div_ceil(outputs)));
                }
            }
            // Every pair is hosted exactly once.
            let mut hosts = vec![0; outputs];
            for &j in plan.shared.iter().chain(plan.blocks.iter().flat_map(|b| b.1.iter())) {
                hosts[j as usize] += 1;
            }
            prop_assert!(hosts.iter().all(|&h| h == 1));
        }
    }

    #[test]
    fn single_input_gating_holds_with_the_integer_path() {
        // The fast path too: one active input never fires a block neuron, centered or not.
        for centering in [false, true] {
            let (instance, plan, net) = skewed_case(3, 40, 20, true, 1, centering);
            assert_eq!(plan.blocks.len(), 1);
            let mut scratch = ChannelScratch::default();
            for i in 0..instance.inputs() as u32 {
                let mass = net.forward_blocks(&[i], &mut scratch);
                assert_eq!(mass, net.params().t as i64);
                let gate = gate_sum(&scratch.columns, net.input_code().set(net.blocks[0].gate as usize));
                assert!(
                    (0..net.blocks[0].width).all(|r| !net.fires(r, gate, i64::from(scratch.acc[r]), mass)),
                    "input {i}, centering {centering}"
                );
            }
        }
    }

    #[test]
    fn a_dense_centered_row_can_miss_its_own_pair_and_a_sparse_one_cannot() {
        // The centered guarantee depends on the row's mass: at the narrowest allocation of a
        // star (a block of 2t rows hosting 20 partners) some hosted pair's row has
        // 4·(t_in + |U_r|) > n_in and misses; uncentered it fires. At a wide input width
        // every hosted pair fires all its rows.
        let instance = And2Instance::random(60, 40, PairDistribution::Star { degree: 20 }, 1).unwrap();
        let missed = |width: usize, centering: bool| {
            let mut params = ChannelParams::defaults(40, width, 3);
            params.centering = centering;
            let plan = ChannelPlan::new(&instance, params.theta);
            let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
            let block = &net.blocks[0];
            let mut missed = 0;
            for (o, &j) in block.outputs.iter().enumerate() {
                let (a, b) = instance.pairs()[j as usize];
                let fired = reference_block_fired(&instance, &net, &[a, b]);
                missed += block
                    .code
                    .set(o)
                    .iter()
                    .filter(|&&r| !fired.contains(&(block.offset + r as usize)))
                    .count();
            }
            missed
        };
        let plan = ChannelPlan::new(&instance, ChannelParams::defaults(40, 1, 3).theta);
        let narrow = plan.min_total_width(40, 6);
        assert!(missed(narrow, true) > 0, "no row missed at width {narrow}");
        assert_eq!(missed(narrow, false), 0);
        assert_eq!(missed(4000, true), 0);
    }

    #[test]
    fn without_heavy_inputs_it_is_plain_as_2and() {
        let instance = And2Instance::random(256, 256, PairDistribution::Uniform, 4).unwrap();
        let params = ChannelParams::defaults(256, 300, 11);
        let plan = ChannelPlan::new(&instance, params.theta);
        assert!(plan.blocks.is_empty());
        let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
        let plain = And2Network::build(&instance, params.shared_params(300)).unwrap();
        assert_eq!(net.resources(), plain.resources());
        let mut rng = stream(4, "inputs", 0);
        let (mut cs, mut ps, mut active, mut a, mut b) = (
            ChannelScratch::default(),
            Scratch::default(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for _ in 0..200 {
            sample_active(&mut rng, &instance, 4, InputDistribution::Planted, &mut active);
            net.evaluate(&active, &mut cs, &mut a);
            plain.evaluate(&active, &mut ps, &mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn generous_width_is_exact_on_a_star() {
        // Hub 0 in 60 of 120 pairs: the channel computes every AND on 300 planted samples.
        let instance = And2Instance::random(200, 120, PairDistribution::Star { degree: 60 }, 2).unwrap();
        let params = ChannelParams::defaults(120, 3000, 5);
        let plan = ChannelPlan::new(&instance, params.theta);
        assert_eq!(plan.blocks.len(), 1);
        assert_eq!(plan.blocks[0].1.len(), 60);
        let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
        let index = instance.pair_index();
        let mut rng = stream(2, "inputs", 0);
        let (mut scratch, mut active, mut got, mut truth) =
            (ChannelScratch::default(), Vec::new(), Vec::new(), Vec::new());
        let mut hub_on = 0;
        for _ in 0..300 {
            sample_active(&mut rng, &instance, 4, InputDistribution::Planted, &mut active);
            hub_on += usize::from(active.contains(&0));
            net.evaluate(&active, &mut scratch, &mut got);
            instance.true_outputs(&index, &active, &mut truth);
            assert_eq!(got, truth, "active {active:?}");
        }
        assert!(hub_on > 50, "the hub was on in {hub_on} samples");
    }

    #[test]
    fn resources_count_every_part() {
        for centering in [false, true] {
            let (_, plan, net) = skewed_case(8, 40, 30, false, 2, centering);
            let r = net.resources();
            let total = net.params().total_hidden;
            let shared = net
                .shared()
                .expect("Zipf leaves pairs to the shared channel")
                .resources();
            let rows: usize = net.block_shapes().iter().map(|s| s.1).sum();
            assert_eq!(r.hidden_width, total);
            assert_eq!(net.shared_width() + rows, total);
            // The shared channel's mass neuron serves the centered blocks too.
            assert_eq!(r.neurons, 2 * total + 1);
            let t = net.params().t;
            let coefficients = if centering { rows as u64 } else { 0 };
            assert_eq!(
                r.parameters,
                shared.parameters + (rows * t) as u64 + net.partner_weights + rows as u64 + coefficients
            );
            let max_union = u64::from(*net.union_size.iter().max().unwrap());
            let coefficient_bits = if centering {
                rows as u64 * bits_for(2 * t as u64 + max_union)
            } else {
                0
            };
            // Gate numerator 2 and bias 2 take 2 bits; partner weights 1 bit.
            assert_eq!(
                r.parameter_bits,
                shared.parameter_bits
                    + (rows * t) as u64 * 2
                    + net.partner_weights
                    + rows as u64 * 2
                    + coefficient_bits
            );
            let pairs: usize = net.block_shapes().iter().map(|s| s.2).sum();
            assert_eq!(pairs, plan.block_pairs());
        }
        // Every pair in the hub's block: centered blocks bring their own mass neuron and its
        // n_in weights.
        let instance = And2Instance::random(60, 40, PairDistribution::Star { degree: 40 }, 2).unwrap();
        for centering in [false, true] {
            let mut params = ChannelParams::defaults(40, 200, 1);
            params.centering = centering;
            let plan = ChannelPlan::new(&instance, params.theta);
            let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
            assert!(net.shared().is_none());
            let r = net.resources();
            let extra = usize::from(centering);
            assert_eq!((r.extra_neurons, r.neurons), (extra, 200 + 200 + extra));
            let base = (200 * params.t) as u64 + net.partner_weights + 200;
            assert_eq!(r.parameters, base + if centering { 200 + 200 } else { 0 });
        }
    }

    #[test]
    fn bad_parameters_and_narrow_widths_are_refused() {
        let instance = And2Instance::random(100, 100, PairDistribution::Star { degree: 50 }, 1).unwrap();
        let mut params = ChannelParams::defaults(100, 200, 0);
        let plan = ChannelPlan::new(&instance, params.theta);
        params.gate_weight = 0;
        assert!(
            ChannelNetwork::build(&instance, &plan, params)
                .unwrap_err()
                .to_string()
                .contains("gate_weight")
        );
        params = ChannelParams::defaults(100, 200, 0);
        params.theta = f64::NAN;
        assert!(ChannelNetwork::build(&instance, &plan, params).is_err());
        params = ChannelParams::defaults(100, plan.min_total_width(100, 7) - 1, 0);
        let err = ChannelNetwork::build(&instance, &plan, params).unwrap_err().to_string();
        assert!(err.contains("too narrow"), "{err}");
        params = ChannelParams::defaults(100, plan.min_total_width(100, 7), 0);
        assert!(ChannelNetwork::build(&instance, &plan, params).is_ok());
    }
}
