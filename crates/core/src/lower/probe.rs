//! The probe decoder: the counting lower bound's decoder, executed.
//!
//! The lower bound (T1) rests on one step: a network that computes an instance, read through
//! fixed public codes, *determines* the instance, because a decoder that sees only the network
//! can recover it by probing with 1- and 2-sparse inputs. [`decode_and2`] is that decoder for
//! AS-2AND networks. It reads nothing of the instance: only the weight numerators
//! A[r, q] ([`And2Network::weight`]), the public parameters (t_in, t_out, τ) and codes
//! (C_in, C_out, fixed by a seed and instance-independent), and the network's own forward
//! evaluation ([`And2Network::evaluate`]).
//!
//! # Design: ~m + m′ probes instead of C(m, 2)
//! Sweeping every 2-sparse probe {a, b} costs C(m, 2) ≈ 8·10⁶ forward passes at m = 2¹².
//! Instead:
//! 1. **1-sparse probes of the hidden layer** (m of them). Probe e_i: hidden row r's
//!    pre-activation before bias and centering is R[r, i] = Σ_{q ∈ C_in(i)} A[r, q] / t_in. Row r
//!    *responds* to i when R[r, i] ≥ 1, i.e. the input alone reaches the row's bias. Every
//!    endpoint i of a pair hosted on r responds: A[r, q] ≥ 1 for every q ∈ C_in(i), since
//!    i ∈ S_r puts C_in(i) into row r's counts.
//! 2. **Candidates from shared responses.** Output j is read from its public code rows C_out(j)
//!    by a vote of at least v = ⌈τ·t_out⌉. Input i is a candidate endpoint of j when at least v
//!    of j's code rows respond to it. Both true endpoints respond on all t_out ≥ v rows, so
//!    they are always candidates; a stranger needs v rows' Bloom filters to admit it, which is
//!    rare (the candidate lists hold ~2 inputs each at the widths the checks use).
//! 3. **2-sparse probes through the whole network**, one per distinct candidate pair (shared
//!    across outputs): evaluate the network on {a, b} and note every output that switches on.
//! 4. The decoded pair of output j is the unique probed pair that switched it on.
//!
//! A network far too narrow for its instance has rows that respond to most inputs, and the
//! candidate pairs approach the C(m, 2) sweep; the decoder then stops at a probe budget given
//! by the caller and reports that it gave up rather than sweep.
//!
//! Correctness: if the network is correct on every probe made, output j switches on at the
//! probe {a_j, b_j} (which step 2 guarantees is made) and at no other probe, so every output is
//! decoded exactly. If the network errs on a probe, the error shows as an output with no
//! witness or several, or a wrong witness, and is reported, never hidden.

use std::collections::HashMap;

use crate::base::instance::And2Instance;
use crate::constructions::and2::{And2Network, Scratch};

/// What the probe decoder recovered from a network, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeDecoding {
    /// Per output j: the unique probed pair (a < b) that switched j on, or None if no probe or
    /// several did.
    pub pairs: Vec<Option<(u32, u32)>>,
    /// 1-sparse probes of the hidden layer (one per input).
    pub one_sparse_probes: u64,
    /// Every pair probed through the whole network (a < b), in probe order.
    pub probed: Vec<(u32, u32)>,
    /// Outputs switched on by more than one probe.
    pub ambiguous: u64,
    /// Outputs no probe switched on.
    pub silent: u64,
    /// Whether the candidate pairs exceeded the probe budget (then nothing was probed and no
    /// output is decoded).
    pub over_budget: bool,
}

impl ProbeDecoding {
    /// 2-sparse probes made.
    pub fn two_sparse_probes(&self) -> u64 {
        self.probed.len() as u64
    }

    /// Outputs whose decoded pair differs from `instance`'s (undecoded outputs count).
    pub fn mismatches(&self, instance: &And2Instance) -> u64 {
        assert_eq!(
            self.pairs.len(),
            instance.outputs(),
            "decoding and instance have different m′"
        );
        self.pairs
            .iter()
            .zip(instance.pairs())
            .filter(|(got, want)| got.as_ref() != Some(want))
            .count() as u64
    }
}

/// Recovers the 2-AND instance a built AS-2AND network computes, from the network alone
/// (see the module documentation for the probe design and why it is exact), making at most
/// `max_probes` 2-sparse probes.
pub fn decode_and2(network: &And2Network, max_probes: u64) -> ProbeDecoding {
    let responders = one_sparse_responses(network);
    let Some(candidates) = candidate_pairs(network, &responders, max_probes) else {
        return ProbeDecoding {
            pairs: vec![None; network.outputs()],
            one_sparse_probes: network.inputs() as u64,
            probed: Vec::new(),
            ambiguous: 0,
            silent: network.outputs() as u64,
            over_budget: true,
        };
    };
    let mut witnesses: Vec<Vec<(u32, u32)>> = vec![Vec::new(); network.outputs()];
    let (mut scratch, mut on) = (Scratch::default(), Vec::new());
    for &(a, b) in &candidates {
        network.evaluate(&[a, b], &mut scratch, &mut on);
        for &j in &on {
            witnesses[j as usize].push((a, b));
        }
    }
    let (mut ambiguous, mut silent) = (0, 0);
    let pairs = witnesses
        .iter()
        .map(|w| match w.as_slice() {
            [single] => Some(*single),
            [] => {
                silent += 1;
                None
            }
            _ => {
                ambiguous += 1;
                None
            }
        })
        .collect();
    ProbeDecoding {
        pairs,
        one_sparse_probes: network.inputs() as u64,
        probed: candidates,
        ambiguous,
        silent,
        over_budget: false,
    }
}

/// Step 1: for each hidden row r, the inputs i whose 1-sparse probe reaches the row's bias,
/// Σ_{q ∈ C_in(i)} A[r, q] ≥ t_in.
fn one_sparse_responses(network: &And2Network) -> Vec<Vec<u32>> {
    let p = network.params();
    let (n, t_in) = (p.hidden_width, p.t_in as u32);
    let mut responders = vec![Vec::new(); n];
    let mut response = vec![0u32; n];
    for i in 0..network.inputs() {
        response.fill(0);
        for &q in network.input_code().set(i) {
            for (r, value) in response.iter_mut().enumerate() {
                *value += network.weight(r, q as usize);
            }
        }
        for (r, &value) in response.iter().enumerate() {
            if value >= t_in {
                responders[r].push(i as u32);
            }
        }
    }
    responders
}

/// Steps 2–3: the distinct pairs of candidate endpoints over all outputs, sorted, or None if
/// they exceed `max_probes`.
fn candidate_pairs(network: &And2Network, responders: &[Vec<u32>], max_probes: u64) -> Option<Vec<(u32, u32)>> {
    let votes_needed = network.params().vote_threshold() as u32;
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let mut pairs = Vec::new();
    let mut endpoints = Vec::new();
    for j in 0..network.outputs() {
        counts.clear();
        for &r in network.output_code().set(j) {
            for &i in &responders[r as usize] {
                *counts.entry(i).or_insert(0) += 1;
            }
        }
        endpoints.clear();
        endpoints.extend(counts.iter().filter(|&(_, &c)| c >= votes_needed).map(|(&i, _)| i));
        endpoints.sort_unstable();
        for (s, &a) in endpoints.iter().enumerate() {
            for &b in &endpoints[s + 1..] {
                pairs.push((a, b));
            }
        }
        if pairs.len() as u64 > 2 * max_probes {
            pairs.sort_unstable();
            pairs.dedup();
        }
        if pairs.len() as u64 > 2 * max_probes {
            return None;
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    (pairs.len() as u64 <= max_probes).then_some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::constructions::and2::And2Params;
    use proptest::prelude::*;

    fn network(outputs: usize, width: usize, seed: u64) -> (And2Instance, And2Network) {
        let instance = And2Instance::random(outputs, outputs, PairDistribution::Uniform, seed).unwrap();
        let net = And2Network::build(&instance, And2Params::defaults(outputs, width, seed ^ 7)).unwrap();
        (instance, net)
    }

    /// Whether the network answers every probe the decoder made exactly as the instance says.
    fn correct_on_probes(instance: &And2Instance, net: &And2Network, decoding: &ProbeDecoding) -> bool {
        let index = instance.pair_index();
        let (mut scratch, mut got, mut truth) = (Scratch::default(), Vec::new(), Vec::new());
        decoding.probed.iter().all(|&(a, b)| {
            net.evaluate(&[a, b], &mut scratch, &mut got);
            instance.true_outputs(&index, &[a, b], &mut truth);
            got == truth
        })
    }

    #[test]
    fn recovers_a_generous_network_with_few_probes() {
        // At width 600 this instance's network already errs on 16 of its 532 probes (10
        // outputs ambiguous); at 1000 it answers every probe correctly.
        let (instance, net) = network(512, 1000, 3);
        let decoding = decode_and2(&net, 1 << 20);
        assert_eq!(decoding.mismatches(&instance), 0);
        assert_eq!((decoding.ambiguous, decoding.silent), (0, 0));
        assert_eq!(decoding.one_sparse_probes, 512);
        // A sweep would take C(512, 2) = 130816 probes; candidates stay near one per output.
        assert!(
            decoding.two_sparse_probes() < 2 * 512,
            "{}",
            decoding.two_sparse_probes()
        );
    }

    #[test]
    fn a_tight_budget_gives_up_instead_of_sweeping() {
        let (instance, net) = network(512, 1000, 3);
        let decoding = decode_and2(&net, 100);
        assert!(decoding.over_budget && decoding.probed.is_empty());
        assert_eq!(decoding.mismatches(&instance), 512);
    }

    #[test]
    fn a_different_instance_is_reported_as_mismatches() {
        let (_, net) = network(256, 400, 4);
        let other = And2Instance::random(256, 256, PairDistribution::Uniform, 99).unwrap();
        let decoding = decode_and2(&net, 1 << 20);
        assert!(decoding.mismatches(&other) > 250, "{}", decoding.mismatches(&other));
    }

    #[test]
    fn a_starved_network_errs_and_the_errors_show() {
        // Width 40 for 512 pairs is far below n*: probes are answered wrongly.
        let (instance, net) = network(512, 40, 5);
        let decoding = decode_and2(&net, 1 << 20);
        assert!(!correct_on_probes(&instance, &net, &decoding));
        assert!(decoding.mismatches(&instance) > 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Exact whenever the network is correct on the probes made; the true pair of every
        /// output is always among the probes.
        #[test]
        fn exact_when_correct_on_probes(seed in any::<u64>(), outputs in 8usize..120, width in 12usize..200) {
            let (instance, net) = network(outputs, width, seed);
            let decoding = decode_and2(&net, 1 << 20);
            for pair in instance.pairs() {
                prop_assert!(decoding.probed.binary_search(pair).is_ok(), "{pair:?} not probed");
            }
            if correct_on_probes(&instance, &net, &decoding) {
                prop_assert_eq!(decoding.mismatches(&instance), 0);
            }
        }
    }
}
