//! AS-PERM: Neural Permutation and sparse linear maps y = M·x computed in superposition.
//!
//! The construction folds decompression → compute → compression into one weight matrix
//! (SPEC §3, "AS-PERM / linear maps"):
//! 1. input code: input i ↦ C_in(i), a t_in-subset of the n_in input neurons;
//!    u = Σ_{i on} 1_{C_in(i)} (E_in, n_in × m, is the code's 0/1 incidence matrix);
//! 2. output code: output j ↦ C_out(j), a t_out-subset of the n hidden neurons (E_out, n × m′);
//! 3. folded weights W = E_out · M · E_inᵀ / t_in, i.e. A[r, q] = Σ_{j : r ∈ C_out(j)}
//!    Σ_i M[j, i]·[q ∈ C_in(i)] with W = A / t_in;
//! 4. centering (switchable): subtract from each row its expected share of the input mass,
//!    c_r·Σ_q u_q with c_r = (Σ_q W[r, q]) / n_in, as AS-2AND step 4 does (there
//!    Σ_q A[r, q] = |S_r|·t_in, so c_r = |S_r|/n_in); computed by one extra mass neuron;
//! 5. h_r = ReLU(pre_r) with pre_r = (W u)_r − c_r·Σ_q u_q: one input feeds each output, so
//!    the bias is 0 (AS-2AND's is −1 because two inputs feed each AND);
//! 6. readout: for a 0/1 map (the permutation), output j is on iff at least ⌈τ·t_out⌉ of its
//!    code neurons have h ≥ ½ (vote, as AS-2AND); for a real map, ŷ_j is the mean of h over
//!    C_out(j) (the ε-error readout), and the error is |ŷ_j − y_j|.
//!
//! For a 0/1 map every numerator A[r, q] is an integer, so the vote decision is exact in
//! integer arithmetic: with acc = A·u, mass = Σ_q u_q and R_r = Σ_q A[r, q],
//! h_r ≥ ½ ⟺ 2·(n_in·acc_r − R_r·mass) ≥ n_in·t_in. The folded matrix is built by a sparse
//! integer fold (used for the measurements) or by faer GEMMs ([`fold_gemm`]); in f32 the
//! GEMM is exact while every partial sum is an integer below 2^24, which the tests check
//! against the integer fold entry by entry.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rand::Rng as _;
use rand::seq::SliceRandom as _;

use crate::base::code::{Csr, SubsetCode};
use crate::base::memory;
use crate::constructions::coded::{CodedParams, DecoderKind, LayerCount, Limits, bits_for, gather_columns};
use crate::error::{Result, invalid};
use crate::network::{AdditiveRows, Network, Truth};
use crate::results::Resources;
use crate::rng::stream;

/// A sparse map y = M·x, M of shape m′ × m, stored by rows: output j lists its (input, M[j, i]).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearMap {
    inputs: usize,
    rows: Vec<Vec<(u32, f64)>>,
    binary: bool,
}

impl LinearMap {
    /// Neural Permutation on m features: y_{π(i)} = x_i for a seeded uniform permutation π.
    pub fn permutation(m: usize, seed: u64) -> Result<Self> {
        if m == 0 {
            return Err(invalid("m", m, "a permutation needs at least one feature"));
        }
        let mut pi: Vec<u32> = (0..m as u32).collect();
        pi.shuffle(&mut stream(seed, "permutation", 0));
        let mut rows = vec![Vec::new(); m];
        for (i, &j) in pi.iter().enumerate() {
            rows[j as usize].push((i as u32, 1.0));
        }
        Ok(Self {
            inputs: m,
            rows,
            binary: true,
        })
    }

    /// A random sparse real map: each of the m′ outputs reads `per_row` distinct inputs
    /// (uniform) with weights uniform in [½, 1]. Weights are non-negative because the hidden
    /// layer is a ReLU: a negative y could not be carried by non-negative activations.
    pub fn random_sparse(inputs: usize, outputs: usize, per_row: usize, seed: u64) -> Result<Self> {
        if per_row == 0 || per_row > inputs {
            return Err(invalid(
                "nonzeros per row",
                per_row,
                format!("must be in 1..={inputs} (the number of inputs)"),
            ));
        }
        let mut rng = stream(seed, "sparse-map", 0);
        let rows = (0..outputs)
            .map(|_| {
                let mut row: Vec<(u32, f64)> = Vec::with_capacity(per_row);
                while row.len() < per_row {
                    let i = rng.random_range(0..inputs as u32);
                    if !row.iter().any(|&(k, _)| k == i) {
                        row.push((i, rng.random_range(0.5..=1.0)));
                    }
                }
                row.sort_unstable_by_key(|&(i, _)| i);
                row
            })
            .collect();
        Ok(Self {
            inputs,
            rows,
            binary: false,
        })
    }

    /// A map from explicit rows (output j ↦ its (input, weight) entries).
    pub fn from_rows(inputs: usize, rows: Vec<Vec<(u32, f64)>>) -> Result<Self> {
        for (j, row) in rows.iter().enumerate() {
            if row.iter().any(|&(i, w)| i as usize >= inputs || !w.is_finite()) {
                return Err(invalid(
                    "map",
                    format!("row {j}"),
                    format!("entries need inputs below {inputs} and finite weights"),
                ));
            }
        }
        let binary = rows.iter().flatten().all(|&(_, w)| w == 1.0);
        Ok(Self { inputs, rows, binary })
    }

    /// m.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// m′.
    pub fn outputs(&self) -> usize {
        self.rows.len()
    }

    /// Whether every nonzero of M is 1 (the permutation case: threshold readout, exact).
    pub fn is_binary(&self) -> bool {
        self.binary
    }

    /// Row j of M: (input, weight) pairs.
    pub fn row(&self, j: usize) -> &[(u32, f64)] {
        &self.rows[j]
    }

    /// Nonzeros of M.
    pub fn nonzeros(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// y = M·x for the 0/1 input whose ones are `active`; `out` gets m′ entries.
    pub fn apply(&self, active: &[u32], out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.rows.iter().map(|row| {
            row.iter()
                .filter(|&&(i, _)| active.contains(&i))
                .map(|&(_, w)| w)
                .sum::<f64>()
        }));
    }

    /// The on-outputs {j : (M·x)_j ≥ ½} of a 0/1 map for the input `active`, sorted
    /// (for a permutation: {π(i) : i active}).
    pub fn true_on(&self, active: &[u32], out: &mut Vec<u32>) {
        out.clear();
        out.extend((0..self.rows.len() as u32).filter(|&j| {
            self.rows[j as usize]
                .iter()
                .filter(|&&(i, _)| active.contains(&i))
                .map(|&(_, w)| w)
                .sum::<f64>()
                >= 0.5
        }));
    }

    /// The inverse index: input i ↦ the outputs j with M[j, i] ≠ 0.
    pub fn readers(&self) -> Csr {
        Csr::from_pairs(self.inputs, |push| {
            for (j, row) in self.rows.iter().enumerate() {
                for &(i, _) in row {
                    push(i as usize, j as u32);
                }
            }
        })
    }
}

/// Parameters of AS-PERM: a coded layer's, with AS-2AND's defaults ([`CodedParams::defaults`]:
/// n_in = n = `width`, t_in = t_out = ⌈log₂ m′⌉, τ = ½, centering on). The decoder must be the
/// vote (a real map is read by [`LinearNetwork::readout`]).
pub type LinearParams = CodedParams;

/// AS-PERM's checks of its parameters: [`Limits::LINEAR`] and the vote decoder.
fn validate(params: &LinearParams) -> Result<()> {
    params.validate(&Limits::LINEAR)?;
    if params.decoder != DecoderKind::Vote {
        return Err(invalid(
            "decoder",
            "average",
            "AS-PERM decodes a 0/1 map by vote; a real map's ε readout is LinearNetwork::readout",
        ));
    }
    Ok(())
}

/// The folded numerators A = E_out · M · E_inᵀ, column-major (column q holds n entries).
#[derive(Debug, Clone, PartialEq)]
enum Folded {
    /// A 0/1 map: integer numerators.
    Integer(Vec<i32>),
    /// A real map.
    Real(Vec<f64>),
}

/// A built AS-PERM network.
#[derive(Debug, Clone)]
pub struct LinearNetwork {
    params: LinearParams,
    inputs: usize,
    outputs: usize,
    input_code: SubsetCode,
    output_code: SubsetCode,
    hosted: Csr,
    weights: Folded,
    /// R_r = Σ_q A[r, q] (f64 for real maps; exact integers for 0/1 maps).
    row_sums: Vec<f64>,
    nonzero_weights: u64,
    weight_max: f64,
}

/// Reusable per-thread buffers for evaluation.
#[derive(Debug, Default, Clone)]
pub struct LinearScratch {
    columns: Vec<(u32, i32)>,
    acc_int: Vec<i64>,
    acc: Vec<f64>,
    votes: Vec<u16>,
    touched: Vec<u32>,
    fired: Vec<u32>,
}

impl LinearNetwork {
    /// Estimated peak bytes of a network of this shape (dense folded matrix, codes, tables).
    pub fn estimate_bytes(map: &LinearMap, params: &LinearParams) -> u64 {
        let entry = if map.is_binary() { 4 } else { 8 };
        entry * params.input_width as u64 * params.hidden_width as u64
            + SubsetCode::estimate_bytes(map.inputs(), params.t_in)
            + 2 * SubsetCode::estimate_bytes(map.outputs(), params.t_out)
            + 16 * params.hidden_width as u64
    }

    /// Builds the network for `map` by the sparse fold (cost m′·t_out·nnz/row·t_in).
    pub fn build(map: &LinearMap, params: LinearParams) -> Result<Self> {
        validate(&params)?;
        let output_code = params.output_code(map.outputs())?;
        Self::build_with_output_code(map, params, output_code)
    }

    /// Builds the network for `map` by the sparse fold with a given output code (t_out-subsets
    /// of the n hidden neurons) instead of the seeded random one: for hand-made codes, such as
    /// the negative control's one neuron per output.
    pub fn build_with_output_code(map: &LinearMap, params: LinearParams, output_code: SubsetCode) -> Result<Self> {
        validate(&params)?;
        let (n, n_in) = (params.hidden_width, params.input_width);
        if output_code.width() != n || output_code.t() != params.t_out || output_code.features() != map.outputs() {
            return Err(invalid(
                "output code",
                format!(
                    "{} sets of {} in {}",
                    output_code.features(),
                    output_code.t(),
                    output_code.width()
                ),
                format!("need {} sets of t_out = {} in n = {n}", map.outputs(), params.t_out),
            ));
        }
        memory::check(
            || format!("an AS-PERM network with {} outputs at width {n}", map.outputs()),
            Self::estimate_bytes(map, &params),
        )?;
        let input_code = params.input_code(map.inputs())?;
        let hosted = output_code.inverted();
        let weights = if map.is_binary() {
            let mut a = vec![0i32; n * n_in];
            for j in 0..map.outputs() {
                for &r in output_code.set(j) {
                    for &(i, _) in map.row(j) {
                        for &q in input_code.set(i as usize) {
                            a[q as usize * n + r as usize] += 1;
                        }
                    }
                }
            }
            Folded::Integer(a)
        } else {
            let mut a = vec![0f64; n * n_in];
            for j in 0..map.outputs() {
                for &r in output_code.set(j) {
                    for &(i, w) in map.row(j) {
                        for &q in input_code.set(i as usize) {
                            a[q as usize * n + r as usize] += w;
                        }
                    }
                }
            }
            Folded::Real(a)
        };
        Ok(Self::assemble(map, params, input_code, output_code, hosted, weights))
    }

    /// Builds the network with the folded matrix from faer GEMMs ([`fold_gemm`], f64): the same
    /// network as [`LinearNetwork::build`] (equal numerators for 0/1 maps, equal up to
    /// rounding for real ones), at dense cost 2·n·m′·(m + n_in).
    pub fn build_gemm(map: &LinearMap, params: LinearParams) -> Result<Self> {
        validate(&params)?;
        let (n, n_in) = (params.hidden_width, params.input_width);
        memory::check(
            || {
                format!(
                    "the dense GEMM fold of an AS-PERM network with {} outputs at width {n}",
                    map.outputs()
                )
            },
            Self::estimate_bytes(map, &params)
                + 8 * (n as u64 * map.outputs() as u64
                    + map.outputs() as u64 * (map.inputs() + n_in) as u64
                    + n_in as u64 * map.inputs() as u64),
        )?;
        let (input_code, output_code) = params.codes(map.inputs(), map.outputs())?;
        let hosted = output_code.inverted();
        let a = fold_gemm(map, &input_code, &output_code, |w| w);
        let weights = if map.is_binary() {
            // Integer sums of 0/1 products are exact in f64 far beyond these sizes.
            Folded::Integer(
                (0..n_in)
                    .flat_map(|q| (0..n).map(move |r| (q, r)))
                    .map(|(q, r)| a[(r, q)] as i32)
                    .collect(),
            )
        } else {
            Folded::Real(
                (0..n_in)
                    .flat_map(|q| (0..n).map(move |r| (q, r)))
                    .map(|(q, r)| a[(r, q)])
                    .collect(),
            )
        };
        Ok(Self::assemble(map, params, input_code, output_code, hosted, weights))
    }

    fn assemble(
        map: &LinearMap,
        params: LinearParams,
        input_code: SubsetCode,
        output_code: SubsetCode,
        hosted: Csr,
        weights: Folded,
    ) -> Self {
        let n = params.hidden_width;
        let mut row_sums = vec![0f64; n];
        let (mut nonzero, mut max) = (0u64, 0f64);
        let mut visit = |index: usize, v: f64| {
            row_sums[index % n] += v;
            if v != 0.0 {
                nonzero += 1;
                max = max.max(v.abs());
            }
        };
        match &weights {
            Folded::Integer(a) => a.iter().enumerate().for_each(|(x, &v)| visit(x, f64::from(v))),
            Folded::Real(a) => a.iter().enumerate().for_each(|(x, &v)| visit(x, v)),
        }
        Self {
            params,
            inputs: map.inputs(),
            outputs: map.outputs(),
            input_code,
            output_code,
            hosted,
            weights,
            row_sums,
            nonzero_weights: nonzero,
            weight_max: max,
        }
    }

    /// The parameters the network was built with.
    pub fn params(&self) -> &LinearParams {
        &self.params
    }

    /// m.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// m′.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The input code C_in.
    pub fn input_code(&self) -> &SubsetCode {
        &self.input_code
    }

    /// The output code C_out.
    pub fn output_code(&self) -> &SubsetCode {
        &self.output_code
    }

    /// Whether the map was 0/1 (integer numerators, vote readout).
    pub fn is_binary(&self) -> bool {
        matches!(self.weights, Folded::Integer(_))
    }

    /// Folded numerator A[r, q] (W[r, q] = A[r, q]/t_in before centering).
    pub fn numerator(&self, row: usize, column: usize) -> f64 {
        let index = column * self.params.hidden_width + row;
        match &self.weights {
            Folded::Integer(a) => f64::from(a[index]),
            Folded::Real(a) => a[index],
        }
    }

    /// R_r = Σ_q A[r, q].
    pub fn row_sum(&self, row: usize) -> f64 {
        self.row_sums[row]
    }

    /// Resources counted as SPEC §2 says: neurons n_in + n (+ the mass neuron with
    /// centering); parameters = nonzero weights + n biases (+ n centering coefficients and
    /// n_in mass weights). Bits: a 0/1 map's numerators are integers over t_in and stored at
    /// their range; a real map's weights are counted at 32 bits (f32), and `weight_max` is
    /// then the largest |A| rounded up.
    pub fn resources(&self) -> Resources {
        let p = &self.params;
        let binary = self.is_binary();
        let max_sum = self.row_sums.iter().copied().fold(0.0, f64::max).ceil() as u64;
        LayerCount {
            input_width: p.input_width,
            hidden_width: p.hidden_width,
            centering: p.centering,
            nonzero_weights: self.nonzero_weights,
            weight_bits: if binary { bits_for(self.weight_max as u64) } else { 32 },
            coefficient_bits: if binary { bits_for(max_sum) } else { 32 },
            weight_max: self.weight_max.ceil() as u64,
            weight_denominator: p.t_in as u64,
        }
        .resources()
    }

    /// Gathers the input neurons u of the active inputs as merged (column, count) pairs into
    /// `scratch.columns`; returns the mass.
    fn columns(&self, active: &[u32], scratch: &mut LinearScratch) -> i64 {
        gather_columns(&self.input_code, active, &mut scratch.columns)
    }

    /// The hidden neurons with h_r ≥ ½ on a 0/1 input, decided exactly in integers, sorted,
    /// into `scratch.fired` (0/1 maps only).
    fn fire(&self, active: &[u32], scratch: &mut LinearScratch) {
        let Folded::Integer(a) = &self.weights else {
            panic!("the vote readout needs a 0/1 map");
        };
        let p = &self.params;
        let n = p.hidden_width;
        let mass = self.columns(active, scratch);
        scratch.acc_int.clear();
        scratch.acc_int.resize(n, 0);
        for &(q, c) in &scratch.columns {
            let column = &a[q as usize * n..(q as usize + 1) * n];
            for (acc, &v) in scratch.acc_int.iter_mut().zip(column) {
                *acc += i64::from(v) * i64::from(c);
            }
        }
        let (n_in, t_in) = (p.input_width as i64, p.t_in as i64);
        let mass = if p.centering { mass } else { 0 };
        scratch.fired.clear();
        for (r, &acc) in scratch.acc_int.iter().enumerate() {
            // pre_r·t_in·n_in = n_in·acc_r − R_r·mass; h_r ≥ ½ ⟺ 2·that ≥ n_in·t_in.
            if 2 * (n_in * acc - self.row_sums[r] as i64 * mass) >= n_in * t_in {
                scratch.fired.push(r as u32);
            }
        }
    }

    /// Evaluates a 0/1 map's network on a 0/1 input (active inputs, distinct) and writes
    /// the decoded on-outputs, sorted, into `out`: output j is on iff at least ⌈τ·t_out⌉ of
    /// its code neurons fired. Only outputs hosted on fired neurons are looked at.
    ///
    /// # Panics
    /// On a real map (use [`LinearNetwork::readout`]).
    pub fn evaluate(&self, active: &[u32], scratch: &mut LinearScratch, out: &mut Vec<u32>) {
        self.fire(active, scratch);
        if scratch.votes.len() != self.outputs {
            scratch.votes = vec![0; self.outputs];
        }
        scratch.touched.clear();
        for &r in &scratch.fired {
            for &j in self.hosted.row(r as usize) {
                if scratch.votes[j as usize] == 0 {
                    scratch.touched.push(j);
                }
                scratch.votes[j as usize] += 1;
            }
        }
        let need = self.vote_threshold();
        out.clear();
        for &j in &scratch.touched {
            if u32::from(scratch.votes[j as usize]) >= need {
                out.push(j);
            }
            scratch.votes[j as usize] = 0;
        }
        out.sort_unstable();
    }

    /// ⌈τ·t_out⌉, at least 1.
    fn vote_threshold(&self) -> u32 {
        self.params.vote_threshold() as u32
    }

    /// The hidden activations h (f64, exact up to rounding) on a 0/1 input, into `scratch.acc`.
    fn hidden(&self, active: &[u32], scratch: &mut LinearScratch) {
        let p = &self.params;
        let n = p.hidden_width;
        let mass = self.columns(active, scratch) as f64;
        scratch.acc.clear();
        scratch.acc.resize(n, 0.0);
        for &(q, c) in &scratch.columns {
            for (r, acc) in scratch.acc.iter_mut().enumerate() {
                *acc += self.numerator(r, q as usize) * f64::from(c);
            }
        }
        let (n_in, t_in) = (p.input_width as f64, p.t_in as f64);
        for (r, acc) in scratch.acc.iter_mut().enumerate() {
            let centering = if p.centering {
                self.row_sums[r] * mass / n_in
            } else {
                0.0
            };
            *acc = ((*acc - centering) / t_in).max(0.0);
        }
    }

    /// The ε-error readout: ŷ_j = (1/t_out)·Σ_{r ∈ C_out(j)} h_r for every output j, into `out`
    /// (m′ entries). Works for any map; for a 0/1 map it is the average decoder before its
    /// threshold.
    pub fn readout(&self, active: &[u32], scratch: &mut LinearScratch, out: &mut Vec<f64>) {
        self.hidden(active, scratch);
        let t_out = self.params.t_out as f64;
        out.clear();
        out.extend((0..self.outputs).map(|j| {
            self.output_code
                .set(j)
                .iter()
                .map(|&r| scratch.acc[r as usize])
                .sum::<f64>()
                / t_out
        }));
    }

    /// The pre-activations scaled by t_in·n_in, n_in·acc_r − R_r·mass, computed in f32 by
    /// one faer matrix–vector product on the centered integer matrix n_in·A − R·1ᵀ (0/1 maps,
    /// for the exactness tests). Returns None when some entry or partial sum could reach 2^24,
    /// where f32 stops being exact.
    pub fn scaled_pre_f32(&self, active: &[u32]) -> Option<Vec<f32>> {
        let Folded::Integer(a) = &self.weights else {
            return None;
        };
        let p = &self.params;
        let (n, n_in) = (p.hidden_width, p.input_width);
        let per_mass = if p.centering { 1.0 } else { 0.0 };
        let mut u = Mat::<f32>::zeros(n_in, 1);
        let mut mass = 0f64;
        for &i in active {
            for &q in self.input_code.set(i as usize) {
                u[(q as usize, 0)] += 1.0;
                mass += 1.0;
            }
        }
        let w = Mat::<f32>::from_fn(n, n_in, |r, q| {
            (n_in as f64 * f64::from(a[q * n + r]) - per_mass * self.row_sums[r]) as f32
        });
        let max_abs = (0..n)
            .flat_map(|r| (0..n_in).map(move |q| (r, q)))
            .map(|(r, q)| f64::from(w[(r, q)].abs()))
            .fold(0.0, f64::max);
        if max_abs * mass >= crate::base::kern::F32_EXACT_LIMIT as f64 {
            return None;
        }
        let mut out = Mat::<f32>::zeros(n, 1);
        matmul(out.as_mut(), Accum::Replace, w.as_ref(), u.as_ref(), 1.0f32, Par::Seq);
        Some((0..n).map(|r| out[(r, 0)]).collect())
    }

    /// The fired set computed from [`LinearNetwork::scaled_pre_f32`] (None where f32 is not
    /// exact), for comparison with the integer path.
    pub fn fired_f32(&self, active: &[u32]) -> Option<Vec<u32>> {
        let pre = self.scaled_pre_f32(active)?;
        let unit = (self.params.input_width * self.params.t_in) as f32;
        Some(
            pre.iter()
                .enumerate()
                .filter(|&(_, &v)| 2.0 * v >= unit)
                .map(|(r, _)| r as u32)
                .collect(),
        )
    }

    /// The fired set of the integer path (for comparison with [`LinearNetwork::fired_f32`]).
    pub fn fired(&self, active: &[u32], scratch: &mut LinearScratch) -> Vec<u32> {
        self.fire(active, scratch);
        scratch.fired.clone()
    }
}

/// A map's truth for 0/1 inputs: output j is on iff (M·x)_j ≥ ½ ([`LinearMap::true_on`]; for a
/// permutation, {π(i) : i active}).
impl Truth for LinearMap {
    type Tables = ();
    type Scratch = ();

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.rows.len()
    }

    fn tables(&self) {}

    fn true_outputs(&self, _: &(), active: &[u32], _: &mut (), out: &mut Vec<u32>) {
        self.true_on(active, out);
    }
}

/// AS-PERM as a [`Network`]: a 0/1 map's vote decoder.
///
/// # Panics
/// [`Network::evaluate`] panics on a real map, whose outputs are real (read them with
/// [`LinearNetwork::readout`]).
impl Network for LinearNetwork {
    type Scratch = LinearScratch;

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
        LinearNetwork::resources(self)
    }

    fn evaluate(&self, active: &[u32], scratch: &mut LinearScratch, out: &mut Vec<u32>) {
        LinearNetwork::evaluate(self, active, scratch, out);
    }

    /// A 0/1 map's rows (None for a real map).
    fn additive(&self) -> Option<&dyn AdditiveRows> {
        self.is_binary().then_some(self as &dyn AdditiveRows)
    }
}

/// A 0/1 map's firing test, additive over inputs: with mass = Σ_q u_q = |X|·t_in for distinct
/// active inputs X, row r fires iff 2·(n_in·acc_r − R_r·mass) ≥ n_in·t_in, i.e. iff
/// Σ_{i ∈ X} e_r(i) ≥ n_in·t_in with e_r(i) = 2·n_in·Σ_{q ∈ C_in(i)} A[r, q] − 2·R_r·t_in (the
/// last term only with centering).
impl AdditiveRows for LinearNetwork {
    fn output_rows(&self, output: usize) -> &[u32] {
        self.output_code.set(output)
    }

    fn row_outputs(&self, row: usize) -> &[u32] {
        self.hosted.row(row)
    }

    /// R_r / t_in: the nonzeros of M over the outputs hosted on r (for a permutation, the
    /// inputs feeding r).
    fn row_load(&self, row: usize) -> usize {
        (self.row_sums[row] / self.params.t_in as f64).round() as usize
    }

    fn share(&self, row: usize, input: usize) -> i64 {
        let p = &self.params;
        let acc: i64 = self
            .input_code
            .set(input)
            .iter()
            .map(|&q| self.numerator(row, q as usize) as i64)
            .sum();
        let centering = if p.centering {
            2 * self.row_sums[row] as i64 * p.t_in as i64
        } else {
            0
        };
        2 * p.input_width as i64 * acc - centering
    }

    fn threshold(&self, _row: usize) -> i64 {
        (self.params.input_width * self.params.t_in) as i64
    }

    fn votes_needed(&self) -> usize {
        self.params.vote_threshold()
    }
}

/// The 0/1 incidence matrix of a code: rows = neurons, columns = features.
fn incidence<T: faer::traits::ComplexField + Copy>(code: &SubsetCode, one: T) -> Mat<T> {
    let mut e = Mat::<T>::zeros(code.width(), code.features());
    for i in 0..code.features() {
        for &q in code.set(i) {
            e[(q as usize, i)] = one;
        }
    }
    e
}

/// A = E_out · M · E_inᵀ by two faer GEMMs (n × n_in). In f32 with a 0/1 map every entry and
/// partial sum is an integer, exact while below 2^24. `convert` maps M's f64 weights to T.
pub fn fold_gemm<T>(
    map: &LinearMap,
    input_code: &SubsetCode,
    output_code: &SubsetCode,
    convert: impl Fn(f64) -> T,
) -> Mat<T>
where
    T: faer::traits::ComplexField + Copy,
{
    let one = convert(1.0);
    let e_in = incidence::<T>(input_code, one);
    let e_out = incidence::<T>(output_code, one);
    let mut m = Mat::<T>::zeros(map.outputs(), map.inputs());
    for j in 0..map.outputs() {
        for &(i, w) in map.row(j) {
            m[(j, i as usize)] = convert(w);
        }
    }
    // M·E_inᵀ: m′ × n_in.
    let mut inner = Mat::<T>::zeros(map.outputs(), input_code.width());
    matmul(
        inner.as_mut(),
        Accum::Replace,
        m.as_ref(),
        e_in.transpose(),
        one,
        crate::base::par(),
    );
    let mut a = Mat::<T>::zeros(output_code.width(), input_code.width());
    matmul(
        a.as_mut(),
        Accum::Replace,
        e_out.as_ref(),
        inner.as_ref(),
        one,
        crate::base::par(),
    );
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::sample::sample_uniform_fill;
    use proptest::prelude::*;

    fn random_active(seed: u64, m: usize, k: usize) -> Vec<u32> {
        let mut active = Vec::new();
        sample_uniform_fill(&mut stream(seed, "t", 0), m, k.min(m), &mut active);
        active.sort_unstable();
        active
    }

    /// A[r, q] from the definition, by explicit sums over j and i.
    fn naive_numerator(map: &LinearMap, net: &LinearNetwork, r: usize, q: usize) -> f64 {
        let mut sum = 0.0;
        for j in 0..map.outputs() {
            let e_out = f64::from(u8::from(net.output_code().set(j).contains(&(r as u32))));
            for i in 0..map.inputs() {
                let m_ji = map.row(j).iter().find(|&&(k, _)| k as usize == i).map_or(0.0, |e| e.1);
                let e_in = f64::from(u8::from(net.input_code().set(i).contains(&(q as u32))));
                sum += e_out * m_ji * e_in;
            }
        }
        sum
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        #[test]
        fn folded_matrix_equals_the_definition(seed in any::<u64>(), m in 2usize..24, width in 5usize..20, real in any::<bool>()) {
            let map = if real {
                LinearMap::random_sparse(m, m, 2.min(m), seed).unwrap()
            } else {
                LinearMap::permutation(m, seed).unwrap()
            };
            let mut params = LinearParams::defaults(m, width, seed ^ 7);
            params.t_in = params.t_in.min(width);
            params.t_out = params.t_out.min(width);
            let net = LinearNetwork::build(&map, params).unwrap();
            let gemm = LinearNetwork::build_gemm(&map, params).unwrap();
            let a32 = fold_gemm(&map, net.input_code(), net.output_code(), |w| w as f32);
            for r in 0..width {
                for q in 0..width {
                    let naive = naive_numerator(&map, &net, r, q);
                    prop_assert!((net.numerator(r, q) - naive).abs() < 1e-9);
                    prop_assert!((gemm.numerator(r, q) - naive).abs() < 1e-9);
                    if !real {
                        // Exact: integer sums in f32 far below 2^24.
                        prop_assert_eq!(f64::from(a32[(r, q)]), naive);
                    }
                }
                let row: f64 = (0..width).map(|q| net.numerator(r, q)).sum();
                prop_assert!((net.row_sum(r) - row).abs() < 1e-9);
            }
        }

        #[test]
        fn integer_and_f32_paths_agree_exactly(seed in any::<u64>(), m in 4usize..64, width in 8usize..48, centering in any::<bool>()) {
            let map = LinearMap::permutation(m, seed).unwrap();
            let mut params = LinearParams::defaults(m, width, seed ^ 3);
            params.centering = centering;
            let net = LinearNetwork::build(&map, params).unwrap();
            let mut scratch = LinearScratch::default();
            for s in 0..6 {
                let active = random_active(seed ^ s, m, 4);
                let fired = net.fired(&active, &mut scratch);
                prop_assert_eq!(Some(fired.clone()), net.fired_f32(&active));
                // The vote decoder from the definition: count fired code neurons of every output.
                let mut out = Vec::new();
                net.evaluate(&active, &mut scratch, &mut out);
                let need = (params.tau * params.t_out as f64).ceil().max(1.0) as usize;
                let plain: Vec<u32> = (0..m as u32)
                    .filter(|&j| net.output_code().set(j as usize).iter().filter(|r| fired.contains(r)).count() >= need)
                    .collect();
                prop_assert_eq!(out, plain);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        #[test]
        fn additive_shares_reproduce_the_vote_decoder(
            seed in any::<u64>(), m in 4usize..64, width in 8usize..48, centering in any::<bool>(),
        ) {
            let map = LinearMap::permutation(m, seed).unwrap();
            let mut params = LinearParams::defaults(m, width, seed ^ 5);
            params.centering = centering;
            let net = LinearNetwork::build(&map, params).unwrap();
            let rows = Network::additive(&net).expect("a 0/1 map has additive rows");
            let (mut scratch, mut out) = (LinearScratch::default(), Vec::new());
            for s in 0..6 {
                let active = random_active(seed ^ (s + 11), m, 4);
                net.evaluate(&active, &mut scratch, &mut out);
                prop_assert_eq!(crate::network::tests::predicted_outputs(rows, m, &active), out.clone());
            }
        }
    }

    #[test]
    fn real_maps_have_no_additive_rows_and_the_average_decoder_is_refused() {
        let real = LinearMap::random_sparse(32, 32, 2, 1).unwrap();
        let net = LinearNetwork::build(&real, LinearParams::defaults(32, 64, 2)).unwrap();
        assert!(Network::additive(&net).is_none());
        let map = LinearMap::permutation(32, 1).unwrap();
        let params = LinearParams {
            decoder: DecoderKind::Average,
            ..LinearParams::defaults(32, 64, 2)
        };
        let err = LinearNetwork::build(&map, params).unwrap_err().to_string();
        assert!(err.contains("vote"), "{err}");
    }

    #[test]
    fn generous_width_computes_the_permutation_exactly() {
        let m = 64;
        let map = LinearMap::permutation(m, 5).unwrap();
        let net = LinearNetwork::build(&map, LinearParams::defaults(m, 1500, 9)).unwrap();
        let (mut scratch, mut got, mut truth) = (LinearScratch::default(), Vec::new(), Vec::new());
        for s in 0..300 {
            let active = random_active(s, m, 4);
            net.evaluate(&active, &mut scratch, &mut got);
            map.true_on(&active, &mut truth);
            assert_eq!(got, truth, "active {active:?}");
            assert_eq!(truth.len(), 4);
        }
    }

    #[test]
    fn narrow_width_fails_and_real_readout_is_close_when_wide() {
        let m = 256;
        let map = LinearMap::permutation(m, 1).unwrap();
        let net = LinearNetwork::build(&map, LinearParams::defaults(m, 24, 2)).unwrap();
        let (mut scratch, mut got, mut truth) = (LinearScratch::default(), Vec::new(), Vec::new());
        let wrong = (0..100)
            .filter(|&s| {
                let active = random_active(s, m, 4);
                net.evaluate(&active, &mut scratch, &mut got);
                map.true_on(&active, &mut truth);
                got != truth
            })
            .count();
        assert!(wrong > 50, "{wrong}");
        // The ε readout of a real map: equal to the definition, and close to y when wide
        // (its error is the other on-outputs sharing a code neuron, ≈ y′/t_out each).
        let real = LinearMap::random_sparse(64, 64, 3, 4).unwrap();
        let wide = LinearNetwork::build(&real, LinearParams::defaults(64, 2000, 5)).unwrap();
        let p = *wide.params();
        let (mut y, mut y_hat, mut total) = (Vec::new(), Vec::new(), 0.0);
        for s in 0..20 {
            let active = random_active(100 + s, 64, 4);
            real.apply(&active, &mut y);
            wide.readout(&active, &mut scratch, &mut y_hat);
            let mut u = vec![0.0; p.input_width];
            for &i in &active {
                for &q in wide.input_code().set(i as usize) {
                    u[q as usize] += 1.0;
                }
            }
            let mass: f64 = u.iter().sum();
            for (j, &got) in y_hat.iter().enumerate() {
                let plain: f64 = wide
                    .output_code()
                    .set(j)
                    .iter()
                    .map(|&r| {
                        let r = r as usize;
                        let pre: f64 = (0..p.input_width)
                            .map(|q| wide.numerator(r, q) / p.t_in as f64 * u[q])
                            .sum::<f64>()
                            - wide.row_sum(r) / (p.t_in * p.input_width) as f64 * mass;
                        pre.max(0.0)
                    })
                    .sum::<f64>()
                    / p.t_out as f64;
                assert!((plain - got).abs() < 1e-9);
            }
            total += y.iter().zip(&y_hat).map(|(a, b)| (a - b).abs()).sum::<f64>() / 64.0;
        }
        // Estimate: P(an output shares a code neuron with one of ~12 on-outputs) ≈ 12·t²/n ≈ 0.2,
        // each adding ≈ y′/t_out ≈ 0.25: a mean error of a few hundredths.
        assert!(total / 20.0 < 0.1, "mean error {}", total / 20.0);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(LinearMap::permutation(0, 0).is_err());
        assert!(LinearMap::random_sparse(4, 4, 5, 0).is_err());
        assert!(LinearMap::from_rows(2, vec![vec![(2, 1.0)]]).is_err());
        let map = LinearMap::permutation(16, 0).unwrap();
        let err = LinearNetwork::build(&map, LinearParams::defaults(16, 3, 0)).unwrap_err();
        assert!(err.to_string().contains("t_in"), "{err}");
        let mut params = LinearParams::defaults(16, 32, 0);
        params.tau = 0.0;
        assert!(LinearNetwork::build(&map, params).is_err());
        let permutation = LinearMap::permutation(8, 3).unwrap();
        let mut seen: Vec<u32> = (0..8).map(|j| permutation.row(j)[0].0).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..8).collect::<Vec<_>>());
        assert!(permutation.is_binary() && permutation.readers().len() == 8);
    }
}
