//! The network abstraction: what evaluation, the searches and the adversary need of a
//! network, whoever built it.
//!
//! - [`Network`] is implemented by every network the project evaluates — AS-2AND
//!   (`constructions::and2::And2Network`), the input channel (`ChannelNetwork`), AS-PERM
//!   (`LinearNetwork`) and depth-2 (`Depth2Network`) — and is what an imported or trained
//!   network implements to be measured the same way: its shape (m inputs, m′ outputs, its codes
//!   when it reads or writes superposed codes), its resources counted as SPEC §2 says, and exact
//!   evaluation of a k-sparse input to its decoded on-outputs, with per-thread scratch so the
//!   sample loop does not allocate.
//! - [`Truth`] is the other side: which outputs should be on for a set of active inputs,
//!   implemented by the instance types (a 2-AND instance here, a 0/1 linear map, a depth-2
//!   circuit), so a network that comes with an instance file plugs in. The network does not own
//!   its instance: the caller holds both, and [`check_shape`] says whether they fit.
//! - [`AdditiveRows`] is structure a network may expose ([`Network::additive`]): outputs that
//!   are votes over rows whose exact firing test is a sum of per-input shares. The worst-case
//!   adversary (`evaluate::adversary`) searches over it.
//!
//! Sample → evaluate → truth → compare is written once over the pair, in
//! `evaluate::eval::{Verifier, network_failure}`.
//!
//! - [`mod@file`] is the network file format (`superposition-network/1`, docs/network-format.md):
//!   [`file::NetworkFile`] reads and writes it, [`file::FileNetwork`] is its [`Network`].
//!
//! This layer sits between the base layer and the constructions: it imports only the base
//! layer and the schema.

pub mod file;

use std::collections::HashMap;

use crate::base::circuit::{Circuit, CircuitTruth};
use crate::base::code::SubsetCode;
use crate::base::instance::And2Instance;
use crate::error::{Result, invalid};
use crate::results::Resources;

/// A network with Boolean outputs evaluated exactly on k-sparse inputs.
///
/// Contract: [`Network::evaluate`] is deterministic, takes distinct active inputs below
/// [`Network::inputs`] in any order, and writes the decoded on-outputs, sorted and distinct,
/// each below [`Network::outputs`].
pub trait Network: Sync {
    /// Per-thread buffers of [`Network::evaluate`], reused from sample to sample.
    type Scratch: Default + Send;

    /// m, the number of input features.
    fn inputs(&self) -> usize;

    /// m′, the number of output features.
    fn outputs(&self) -> usize;

    /// The input code C_in (input feature ↦ t_in of the n_in input neurons), when the network
    /// reads a superposed code; its `width()` and `t()` are n_in and t_in.
    fn input_code(&self) -> Option<&SubsetCode> {
        None
    }

    /// The output code C_out (output feature ↦ t_out of the neurons it is decoded from), when
    /// one code decodes every output.
    fn output_code(&self) -> Option<&SubsetCode> {
        None
    }

    /// Neurons, parameters, nonzero parameters, bits and integer range, as SPEC §2 counts them.
    fn resources(&self) -> Resources;

    /// Evaluates the network on `active` and writes the decoded on-outputs, sorted, into `out`.
    fn evaluate(&self, active: &[u32], scratch: &mut Self::Scratch, out: &mut Vec<u32>);

    /// The per-row additive structure of the firing test, when the network has it.
    fn additive(&self) -> Option<&dyn AdditiveRows> {
        None
    }
}

/// What the outputs should be: the reference a network is compared with.
pub trait Truth: Sync {
    /// Tables built once per measurement and shared by every thread (e.g. a pair index).
    type Tables: Sync;
    /// Per-thread buffers of [`Truth::true_outputs`].
    type Scratch: Default + Send;

    /// m, the number of input features.
    fn inputs(&self) -> usize;

    /// m′, the number of output features.
    fn outputs(&self) -> usize;

    /// Builds the shared tables.
    fn tables(&self) -> Self::Tables;

    /// Writes the outputs that are on for `active` (distinct inputs), sorted, into `out`.
    fn true_outputs(&self, tables: &Self::Tables, active: &[u32], scratch: &mut Self::Scratch, out: &mut Vec<u32>);
}

/// Outputs that are votes over rows with an additive exact firing test.
///
/// For every set X of distinct active inputs, row r fires iff
/// Σ_{i ∈ X} share(r, i) ≥ threshold(r) (exact integers), and output j is decoded on iff at
/// least [`AdditiveRows::votes_needed`] of its rows [`AdditiveRows::output_rows`] fire. AS-2AND's
/// vote decoder has this form (the derivation is in `evaluate::adversary`), and so has AS-PERM's
/// on a 0/1 map: centering subtracts a multiple of the mass Σ_q u_q = |X|·t_in, itself a sum
/// over inputs.
pub trait AdditiveRows: Sync {
    /// R_j, the rows output j is decoded from.
    fn output_rows(&self, output: usize) -> &[u32];

    /// The outputs decoded from row r (those j with r ∈ R_j).
    fn row_outputs(&self, row: usize) -> &[u32];

    /// How many inputs feed row r with a large share (|S_r| for AS-2AND): the adversary attacks
    /// the outputs whose rows are most crowded first.
    fn row_load(&self, row: usize) -> usize;

    /// e_r(i), input i's exact integer share of row r's firing test.
    fn share(&self, row: usize, input: usize) -> i64;

    /// e_r(i) for every input i into `out[i]` (`out` holds one entry per input): what the
    /// certifier reads, one row at a time. The default asks [`AdditiveRows::share`] for each
    /// input; a network whose rows are sparse computes it from the few inputs that touch the
    /// row, and must equal the default.
    fn row_shares(&self, row: usize, out: &mut [i64]) {
        for (input, share) in out.iter_mut().enumerate() {
            *share = self.share(row, input);
        }
    }

    /// T_r: row r fires iff the active inputs' shares sum to at least T_r.
    fn threshold(&self, row: usize) -> i64;

    /// v, the firing rows an output needs to be decoded on.
    fn votes_needed(&self) -> usize;
}

/// Refuses a network and a truth of different shapes (inputs m, outputs m′): a network read from
/// a file must be checked against its instance before it is measured.
pub fn check_shape<N: Network + ?Sized, T: Truth + ?Sized>(network: &N, truth: &T) -> Result<()> {
    if network.inputs() != truth.inputs() || network.outputs() != truth.outputs() {
        return Err(invalid(
            "network",
            format!("{} inputs, {} outputs", network.inputs(), network.outputs()),
            format!(
                "does not fit its instance ({} inputs, {} outputs)",
                truth.inputs(),
                truth.outputs()
            ),
        ));
    }
    Ok(())
}

/// A 2-AND instance's truth: output j is on iff both endpoints of pair j are active.
impl Truth for And2Instance {
    type Tables = HashMap<(u32, u32), u32>;
    type Scratch = ();

    fn inputs(&self) -> usize {
        And2Instance::inputs(self)
    }

    fn outputs(&self) -> usize {
        And2Instance::outputs(self)
    }

    fn tables(&self) -> Self::Tables {
        self.pair_index()
    }

    fn true_outputs(&self, tables: &Self::Tables, active: &[u32], _: &mut (), out: &mut Vec<u32>) {
        And2Instance::true_outputs(self, tables, active, out);
    }
}

/// A circuit's truth: the true layer-1 ANDs, then the gates over them.
impl Truth for Circuit {
    type Tables = CircuitTruth;
    /// The true layer-1 outputs.
    type Scratch = Vec<u32>;

    fn inputs(&self) -> usize {
        self.layer1().inputs()
    }

    fn outputs(&self) -> usize {
        Circuit::outputs(self)
    }

    fn tables(&self) -> CircuitTruth {
        CircuitTruth::new(self)
    }

    fn true_outputs(&self, tables: &CircuitTruth, active: &[u32], layer1: &mut Vec<u32>, out: &mut Vec<u32>) {
        tables.evaluate(self, active, layer1, out);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;

    /// The outputs the additive structure predicts on `active`, from its definition: output j
    /// is on iff at least v of its rows have Σ_{i ∈ active} share(r, i) ≥ T_r.
    pub(crate) fn predicted_outputs(rows: &dyn AdditiveRows, outputs: usize, active: &[u32]) -> Vec<u32> {
        (0..outputs as u32)
            .filter(|&j| {
                let fired = rows
                    .output_rows(j as usize)
                    .iter()
                    .filter(|&&r| {
                        let sum: i64 = active.iter().map(|&i| rows.share(r as usize, i as usize)).sum();
                        sum >= rows.threshold(r as usize)
                    })
                    .count();
                fired >= rows.votes_needed()
            })
            .collect()
    }

    /// A toy network for the shape check: no outputs on, ever.
    struct Silent(usize, usize);

    impl Network for Silent {
        type Scratch = ();
        fn inputs(&self) -> usize {
            self.0
        }
        fn outputs(&self) -> usize {
            self.1
        }
        fn resources(&self) -> Resources {
            Resources {
                input_width: 0,
                hidden_width: 0,
                extra_neurons: 0,
                neurons: 0,
                parameters: 0,
                parameter_bits: 0,
                weight_max: 0,
                weight_denominator: 1,
            }
        }
        fn evaluate(&self, _: &[u32], _: &mut (), out: &mut Vec<u32>) {
            out.clear();
        }
    }

    #[test]
    fn shapes_must_match_and_the_instance_truth_is_its_pairs() {
        let instance = And2Instance::new(5, vec![(0, 1), (1, 2), (3, 4)]).unwrap();
        assert!(check_shape(&Silent(5, 3), &instance).is_ok());
        let err = check_shape(&Silent(5, 4), &instance).unwrap_err().to_string();
        assert!(err.contains("does not fit"), "{err}");
        assert!(check_shape(&Silent(6, 3), &instance).is_err());
        let tables = Truth::tables(&instance);
        let mut out = Vec::new();
        Truth::true_outputs(&instance, &tables, &[4, 1, 3, 0], &mut (), &mut out);
        assert_eq!(out, vec![0, 2]);
        let random = And2Instance::random(50, 40, PairDistribution::Uniform, 1).unwrap();
        assert_eq!(Truth::outputs(&random), 40);
    }
}
