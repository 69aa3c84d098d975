//! Exhaustive tiny cases: the counting lemma checked by enumerating every network.
//!
//! # The family
//! - Inputs x ∈ {0,1}^m, m ≤ 6, fed directly (the identity is the fixed input code).
//! - One hidden layer of width n: h_r = ReLU(w_r · x + c_r) with every w_{r,i} in a small
//!   integer set W (default {−1, 0, 1}) and c_r in an integer set B (default {−2, −1, 0, 1}).
//! - A **fixed readout** (instance-independent, part of the public decoder, 0 parameter bits):
//!   output j has a code D_j ⊂ \[n\] and is on iff every neuron of its code is on, h_r ≥ ½ —
//!   the SPEC's vote decoder at τ = 1; activations are integers, so h_r ≥ ½ ⟺ h_r ≥ 1.
//!   Two code orders are enumerated (see [`Readout`]): `dedicated` (singletons first: one
//!   neuron per output up to m′ = n) and `bloom2` (2-subsets first: the t = 2 Bloom code, which
//!   can host C(n, 2) > n outputs when neurons fire on the right unions — the superposed case).
//!   Vote at τ = 1 is chosen over average-then-threshold because a sum readout is monotone
//!   (the output reading {0, 1} fires wherever {0} does), which forbids superposition by
//!   construction; an intersection does not.
//! - A network **computes** a 2-AND instance of m′ distinct pairs when, on every input with at
//!   most k ones, output j equals x_{a_j} ∧ x_{b_j} for j < m′.
//!
//! # What is enumerated
//! With the vote readout a neuron matters only through its *fire set* F_r = {x : h_r(x) ≥ 1}
//! over the k-sparse domain, so the enumeration runs over distinct fire sets ("types"), each
//! with its multiplicity (how many (w, c) realise it); a depth-first search assigns types to
//! neurons and prunes as soon as an output whose code is fully assigned is not an AND. This
//! is exactly the set of instances every one of the |W|^{m·n}·|B|^n networks computes (tested
//! against literal enumeration of every network at small sizes).
//!
//! # The counting lemma
//! Distinct instances computed by width-n networks ≤ number of networks = 2^(n·(m·log₂|W| +
//! log₂|B|)) = 2^(parameter bits): a network computes at most one instance per m′.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::base::instance::And2Instance;
use crate::constructions::controls::DecoderHiding;
use crate::error::{Result, invalid};
use crate::network::Network as _;
pub use superposition_schema::checks::exhaustive::{ExhaustiveRow, Readout};

/// The enumerated family: sizes and weight sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    /// m, the inputs (2..=6).
    pub inputs: usize,
    /// k: correctness is required on every input with at most k ones.
    pub k: usize,
    /// W, the allowed weights.
    pub weights: Vec<i32>,
    /// B, the allowed biases.
    pub biases: Vec<i32>,
}

impl Family {
    fn validate(&self) -> Result<()> {
        if !(2..=6).contains(&self.inputs) {
            return Err(invalid(
                "exhaustive inputs",
                self.inputs,
                "must be in 2..=6 (the domain is a 64-bit set)",
            ));
        }
        if self.k < 2 {
            return Err(invalid("k", self.k, "2-AND needs inputs with two ones"));
        }
        if self.weights.is_empty() || self.biases.is_empty() {
            return Err(invalid(
                "weight set",
                format!("{:?}", self.weights),
                "weights and biases need a value each",
            ));
        }
        Ok(())
    }

    /// The k-sparse domain: every subset of \[m\] with at most k elements, as bitmasks.
    pub fn domain(&self) -> Vec<u32> {
        (0u32..(1 << self.inputs))
            .filter(|x| x.count_ones() as usize <= self.k)
            .collect()
    }

    /// Parameter bits of one neuron: m·log₂|W| + log₂|B|.
    pub fn neuron_bits(&self) -> f64 {
        self.inputs as f64 * (self.weights.len() as f64).log2() + (self.biases.len() as f64).log2()
    }

    /// Distinct fire sets over the domain (bit d set ⟺ the neuron fires on `domain[d]`), each with
    /// the number of (w, c) that realise it, by enumerating every (w, c).
    pub fn neuron_types(&self) -> BTreeMap<u64, u64> {
        let domain = self.domain();
        let m = self.inputs;
        let mut types = BTreeMap::new();
        let mut w = vec![0usize; m];
        loop {
            for &c in &self.biases {
                let mut mask = 0u64;
                for (d, &x) in domain.iter().enumerate() {
                    let pre: i32 = (0..m)
                        .filter(|&i| x >> i & 1 == 1)
                        .map(|i| self.weights[w[i]])
                        .sum::<i32>()
                        + c;
                    if pre >= 1 {
                        mask |= 1 << d;
                    }
                }
                *types.entry(mask).or_insert(0) += 1;
            }
            // Odometer over weight indices.
            let mut i = 0;
            while i < m && w[i] + 1 == self.weights.len() {
                w[i] = 0;
                i += 1;
            }
            if i == m {
                break;
            }
            w[i] += 1;
        }
        types
    }

    /// AND masks: for pair p = (a, b) (lexicographic id), the domain inputs containing both.
    fn pair_masks(&self) -> HashMap<u64, u8> {
        let domain = self.domain();
        let mut masks = HashMap::new();
        let mut id = 0u8;
        for a in 0..self.inputs {
            for b in a + 1..self.inputs {
                let both = (1u32 << a) | (1 << b);
                let mask = domain
                    .iter()
                    .enumerate()
                    .filter(|&(_, &x)| x & both == both)
                    .fold(0u64, |acc, (d, _)| acc | 1 << d);
                masks.insert(mask, id);
                id += 1;
            }
        }
        masks
    }
}

/// Enumerates the family at widths 1..=`max_width` and m′ = 1..=`max_outputs` for one
/// readout; returns one row per (n, m′) in that order.
pub fn enumerate(
    family: &Family,
    readout: Readout,
    max_width: usize,
    max_outputs: usize,
) -> Result<Vec<ExhaustiveRow>> {
    family.validate()?;
    if readout == Readout::PerInstance {
        return Err(invalid(
            "readout",
            readout.name(),
            "has no fixed codes to enumerate: see decoder_hiding_rows",
        ));
    }
    if max_width == 0 || max_width > 4 || max_outputs == 0 || max_outputs > 8 {
        return Err(invalid(
            "exhaustive sizes",
            format!("width {max_width}, m′ {max_outputs}"),
            "need width in 1..=4 and m′ in 1..=8",
        ));
    }
    let types: Vec<(u64, u64)> = family.neuron_types().into_iter().collect();
    let pair_masks = family.pair_masks();
    let pairs = family.inputs * (family.inputs - 1) / 2;
    let per_neuron = (family.weights.len() as f64).powi(family.inputs as i32) * family.biases.len() as f64;
    let mut rows = Vec::new();
    for m_prime in 1..=max_outputs {
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        for width in 1..=max_width {
            let codes = readout.codes(width);
            let mut search = Search {
                types: &types,
                pair_masks: &pair_masks,
                codes: &codes[..m_prime.min(codes.len())],
                assigned: Vec::new(),
                found: HashSet::new(),
                networks: 0.0,
            };
            if codes.len() >= m_prime {
                search.dfs(1.0);
            }
            let used = codes.iter().take(m_prime).flatten().map(|&r| r + 1).max().unwrap_or(0);
            let networks = search.networks * per_neuron.powi((width - used.min(width)) as i32);
            let fresh = search.found.iter().filter(|i| !seen.contains(*i)).count() as u64;
            seen.extend(search.found.iter().cloned());
            rows.push(ExhaustiveRow {
                readout,
                inputs: family.inputs,
                width,
                m_prime,
                instances_computed: search.found.len() as u64,
                instances_total: binomial(pairs as u64, m_prime as u64),
                minimal_width_here: fresh,
                parameter_bits: width as f64 * family.neuron_bits(),
                networks_computing: networks,
            });
        }
    }
    Ok(rows)
}

/// The negative control's rows, m′ = 1..=`max_outputs`: the [`DecoderHiding`] network of
/// `family.inputs` inputs (the identity hidden layer, n = m, the same for every instance) with
/// each instance's pairs in its decoder.
///
/// Every instance is checked exactly, output by output, on the whole ≤k-sparse domain, so
/// `instances_computed` counts what the pair actually computes (all of them). The family is one
/// network, so its parameter bits — log₂ of the number of networks, as the counting lemma
/// counts them — are 0, and any cell with two or more instances exceeds 2^bits: a correct
/// counting check reports a violation.
pub fn decoder_hiding_rows(family: &Family, max_outputs: usize) -> Result<Vec<ExhaustiveRow>> {
    family.validate()?;
    let m = family.inputs;
    let domain: Vec<Vec<u32>> = family
        .domain()
        .into_iter()
        .map(|x| (0..m as u32).filter(|&i| x >> i & 1 == 1).collect())
        .collect();
    let pairs: Vec<(u32, u32)> = (0..m as u32)
        .flat_map(|a| (a + 1..m as u32).map(move |b| (a, b)))
        .collect();
    let mut rows = Vec::new();
    for m_prime in 1..=max_outputs.min(pairs.len()) {
        let mut computed = 0u64;
        let mut chosen: Vec<usize> = (0..m_prime).collect();
        loop {
            let instance = And2Instance::new(m, chosen.iter().map(|&p| pairs[p]).collect())?;
            computed += u64::from(computes(&DecoderHiding::new(&instance), &instance, &domain));
            if !next_combination(&mut chosen, pairs.len()) {
                break;
            }
        }
        rows.push(ExhaustiveRow {
            readout: Readout::PerInstance,
            inputs: m,
            width: m,
            m_prime,
            instances_computed: computed,
            instances_total: binomial(pairs.len() as u64, m_prime as u64),
            minimal_width_here: computed,
            parameter_bits: 0.0,
            networks_computing: 1.0,
        });
    }
    Ok(rows)
}

/// Whether `network` computes `instance` on every input of `domain` (active lists).
fn computes(network: &DecoderHiding, instance: &And2Instance, domain: &[Vec<u32>]) -> bool {
    let index = instance.pair_index();
    let (mut got, mut truth) = (Vec::new(), Vec::new());
    domain.iter().all(|active| {
        network.evaluate(active, &mut (), &mut got);
        instance.true_outputs(&index, active, &mut truth);
        got == truth
    })
}

/// Advances `chosen` (strictly increasing indices below `n`) to the next combination in
/// lexicographic order; false after the last.
fn next_combination(chosen: &mut [usize], n: usize) -> bool {
    let k = chosen.len();
    let Some(i) = (0..k).rev().find(|&i| chosen[i] < n - k + i) else {
        return false;
    };
    chosen[i] += 1;
    for j in i + 1..k {
        chosen[j] = chosen[j - 1] + 1;
    }
    true
}

/// C(n, k) in u64 (small arguments only).
fn binomial(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    (0..k).fold(1u64, |acc, i| acc * (n - i) / (i + 1))
}

struct Search<'a> {
    types: &'a [(u64, u64)],
    pair_masks: &'a HashMap<u64, u8>,
    codes: &'a [Vec<usize>],
    /// Fire set of each neuron assigned so far (neurons 0..assigned.len()).
    assigned: Vec<u64>,
    /// Instances found, as sorted pair ids.
    found: HashSet<Vec<u8>>,
    /// Networks (counted with multiplicity over the neurons the codes use) that compute one.
    networks: f64,
}

impl Search<'_> {
    fn neurons_needed(&self) -> usize {
        self.codes.iter().flatten().map(|&r| r + 1).max().unwrap_or(0)
    }

    /// The pair computed by output j, if its code is assigned and its mask is an AND.
    fn output_pair(&self, j: usize) -> Option<u8> {
        let mask = self.codes[j].iter().fold(u64::MAX, |acc, &r| acc & self.assigned[r]);
        self.pair_masks.get(&mask).copied()
    }

    fn dfs(&mut self, multiplicity: f64) {
        let depth = self.assigned.len();
        if depth == self.neurons_needed() {
            let mut pairs: Vec<u8> = (0..self.codes.len())
                .map(|j| self.output_pair(j).expect("checked when its last neuron was assigned"))
                .collect();
            pairs.sort_unstable();
            if pairs.windows(2).all(|w| w[0] != w[1]) {
                self.found.insert(pairs);
                self.networks += multiplicity;
            }
            return;
        }
        for &(mask, count) in self.types {
            self.assigned.push(mask);
            let valid = (0..self.codes.len())
                .filter(|&j| self.codes[j].iter().max() == Some(&depth))
                .all(|j| self.output_pair(j).is_some());
            if valid {
                self.dfs(multiplicity * count as f64);
            }
            self.assigned.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(inputs: usize, k: usize) -> Family {
        Family {
            inputs,
            k,
            weights: vec![-1, 0, 1],
            biases: vec![-2, -1, 0, 1],
        }
    }

    /// Literal enumeration of every network (every weight and bias of every neuron), the
    /// obviously-correct reference: distinct instances computed at width n and m′ outputs.
    fn brute_force(f: &Family, readout: Readout, width: usize, m_prime: usize) -> HashSet<Vec<u8>> {
        let domain = f.domain();
        let masks = f.pair_masks();
        let codes = readout.codes(width);
        let per_neuron = f.weights.len().pow(f.inputs as u32) * f.biases.len();
        let mut found = HashSet::new();
        if codes.len() < m_prime {
            return found;
        }
        for index in 0..per_neuron.pow(width as u32) {
            let mut rest = index;
            let fire: Vec<Vec<bool>> = (0..width)
                .map(|_| {
                    let mut code = rest % per_neuron;
                    rest /= per_neuron;
                    let c = f.biases[code % f.biases.len()];
                    code /= f.biases.len();
                    let w: Vec<i32> = (0..f.inputs)
                        .map(|_| {
                            let v = f.weights[code % f.weights.len()];
                            code /= f.weights.len();
                            v
                        })
                        .collect();
                    domain
                        .iter()
                        .map(|&x| (0..f.inputs).filter(|&i| x >> i & 1 == 1).map(|i| w[i]).sum::<i32>() + c >= 1)
                        .collect()
                })
                .collect();
            let mut pairs = Vec::new();
            for code in &codes[..m_prime] {
                let mask = (0..domain.len())
                    .filter(|&d| code.iter().all(|&r| fire[r][d]))
                    .fold(0u64, |acc, d| acc | 1 << d);
                match masks.get(&mask) {
                    Some(&p) => pairs.push(p),
                    None => break,
                }
            }
            pairs.sort_unstable();
            if pairs.len() == m_prime && pairs.windows(2).all(|w| w[0] != w[1]) {
                found.insert(pairs);
            }
        }
        found
    }

    #[test]
    fn pruned_search_equals_literal_enumeration_of_every_network() {
        for (inputs, k) in [(3, 2), (4, 2), (4, 3)] {
            let f = family(inputs, k);
            for readout in [Readout::Dedicated, Readout::Bloom2] {
                let rows = enumerate(&f, readout, 2, 3).unwrap();
                for row in &rows {
                    let reference = brute_force(&f, readout, row.width, row.m_prime);
                    assert_eq!(row.instances_computed, reference.len() as u64, "{row:?}");
                }
            }
        }
    }

    #[test]
    fn readout_codes_by_hand() {
        assert_eq!(
            Readout::Dedicated.codes(3)[..4],
            [vec![0], vec![1], vec![2], vec![0, 1]]
        );
        assert_eq!(
            Readout::Bloom2.codes(3)[..4],
            [vec![0, 1], vec![0, 2], vec![1, 2], vec![0]]
        );
        assert_eq!(Readout::Bloom2.codes(1), vec![vec![0]]);
        assert_eq!(Readout::Dedicated.codes(3).len(), 7);
    }

    #[test]
    fn dedicated_neurons_compute_every_instance_at_width_m_prime() {
        // h = ReLU(x_a + x_b − 1) fires exactly on inputs holding both: every instance of
        // m′ ≤ n pairs is computable with one neuron per output.
        let f = family(5, 4);
        let rows = enumerate(&f, Readout::Dedicated, 3, 3).unwrap();
        for row in &rows {
            if row.m_prime <= row.width {
                assert_eq!(row.instances_computed, row.instances_total, "{row:?}");
            }
            assert!(row.parameter_bits >= (row.instances_computed as f64).log2());
        }
        // A single neuron: 10 pairs of 5 inputs, all computable, first at width 1.
        assert_eq!(rows[0].instances_computed, 10);
        assert_eq!(rows[0].minimal_width_here, 10);
    }

    #[test]
    fn bloom2_superposes_a_triangle() {
        // Neurons x_a, x_b, x_c (bias 0, one weight 1) with codes {0,1}, {0,2}, {1,2} compute
        // the triangle {ab, ac, bc}: three ANDs from three neurons through intersections.
        let f = family(4, 2);
        let rows = enumerate(&f, Readout::Bloom2, 3, 3).unwrap();
        let row = rows.iter().find(|r| r.width == 3 && r.m_prime == 3).unwrap();
        assert!(row.instances_computed >= 4, "{row:?}"); // at least the 4 triangles of K4
    }

    #[test]
    fn combinations_are_enumerated_in_order_and_counted_by_the_binomial() {
        let mut chosen = vec![0, 1];
        let mut all = vec![chosen.clone()];
        while next_combination(&mut chosen, 4) {
            all.push(chosen.clone());
        }
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    }

    #[test]
    fn the_decoder_hiding_family_computes_every_instance_with_no_counted_bits() {
        let rows = decoder_hiding_rows(&family(5, 3), 3).unwrap();
        assert_eq!(rows.len(), 3);
        for row in &rows {
            assert_eq!(row.instances_computed, row.instances_total, "{row:?}");
            assert_eq!(row.parameter_bits, 0.0);
        }
        assert!(enumerate(&family(5, 3), Readout::PerInstance, 2, 2).is_err());
    }

    #[test]
    fn bad_sizes_are_refused() {
        assert!(enumerate(&family(7, 2), Readout::Dedicated, 2, 2).is_err());
        assert!(enumerate(&family(4, 1), Readout::Dedicated, 2, 2).is_err());
        assert!(enumerate(&family(4, 2), Readout::Dedicated, 5, 2).is_err());
    }
}
