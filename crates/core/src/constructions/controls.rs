//! Deliberately wrong constructions: the negative controls of `verify-bounds` (SPEC §4).
//!
//! Each is built so that a correct check FAILs on it, and each is honest about what it is:
//! - [`folded_one_hot`]: a representation whose width grows like m (feature i ↦ neuron
//!   i mod d), the control of `representation` and `gap`;
//! - [`DecoderHiding`]: a network that computes its 2-AND instance exactly but keeps the
//!   instance in the decoder, not in its counted weights — the control of `lower-sanity`,
//!   `exhaustive` and `description-length`, whose bounds count the weights only.

use std::collections::HashMap;

use crate::base::code::SubsetCode;
use crate::base::instance::And2Instance;
use crate::constructions::coded::{LayerCount, bits_for};
use crate::constructions::representation::Representation;
use crate::error::{Result, invalid};
use crate::network::Network;
use crate::results::Resources;

/// One-hot codes folded modulo the width: feature i ↦ {i mod d} (t = 1).
///
/// Exact while d ≥ m; below m, every neuron hosting two features makes an active feature light
/// an inactive one, so failure ≤ δ needs almost every feature alone on its neuron: d* ≈ m, far
/// above the Bloom estimate's O(log m).
pub fn folded_one_hot(features: usize, width: usize) -> Result<Representation> {
    if width == 0 {
        return Err(invalid("width", width, "a folded one-hot code needs a neuron"));
    }
    let sets: Vec<Vec<u32>> = (0..features).map(|i| vec![(i % width) as u32]).collect();
    Representation::from_code(&SubsetCode::from_sets(width, 1, &sets)?)
}

/// A 2-AND network that hides its instance in the decoder.
///
/// Hidden layer: the identity on the inputs, h_i = ReLU(x_i) (m neurons, weight 1, bias 0),
/// the same for every instance. Decoder: output j reads its pair (a_j, b_j) from a table and
/// is on iff h_{a_j} ≥ ½ and h_{b_j} ≥ ½. It computes the instance exactly on every input, yet
/// its counted parameters (m weights, m biases, 1 bit each) say nothing about the instance:
/// everything that distinguishes one instance from another is in the uncounted table. A
/// counting bound applied to its weights must therefore report a violation.
#[derive(Debug, Clone)]
pub struct DecoderHiding {
    inputs: usize,
    /// The instance, held by the decoder: output j is on iff both of `pairs[j]` are.
    pairs: Vec<(u32, u32)>,
    /// Outputs per pair, for evaluation in O(k²) per input.
    index: HashMap<(u32, u32), u32>,
}

impl DecoderHiding {
    /// The network for `instance`: the instance goes into the decoder's table.
    pub fn new(instance: &And2Instance) -> Self {
        Self {
            inputs: instance.inputs(),
            pairs: instance.pairs().to_vec(),
            index: instance.pair_index(),
        }
    }

    /// The decoder's table: the pair output j reads (the hidden instance).
    pub fn pairs(&self) -> &[(u32, u32)] {
        &self.pairs
    }

    /// The hidden layer's weight numerators (all 1) and biases (all 0), the only parameters
    /// the network's counts see.
    pub fn weights(&self) -> impl Iterator<Item = u64> + '_ {
        std::iter::repeat_n(1, self.inputs)
    }
}

impl Network for DecoderHiding {
    type Scratch = ();

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.pairs.len()
    }

    /// m hidden neurons fed directly by the inputs (no superposed input code): m weights and
    /// m biases at 1 bit each.
    fn resources(&self) -> Resources {
        LayerCount {
            input_width: 0,
            hidden_width: self.inputs,
            centering: false,
            nonzero_weights: self.inputs as u64,
            weight_bits: bits_for(1),
            coefficient_bits: 0,
            weight_max: 1,
            weight_denominator: 1,
        }
        .resources()
    }

    fn evaluate(&self, active: &[u32], _: &mut (), out: &mut Vec<u32>) {
        // h_i = ReLU(x_i) is 1 exactly on the active inputs; the table does the rest.
        out.clear();
        for (s, &a) in active.iter().enumerate() {
            for &b in &active[s + 1..] {
                if let Some(&j) = self.index.get(&(a.min(b), a.max(b))) {
                    out.push(j);
                }
            }
        }
        out.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::base::sample::sample_uniform_fill;
    use crate::rng::stream;

    #[test]
    fn decoder_hiding_computes_its_instance_exactly_on_random_sparse_inputs() {
        let instance = And2Instance::random(64, 64, PairDistribution::Uniform, 7).unwrap();
        let network = DecoderHiding::new(&instance);
        let index = instance.pair_index();
        let mut rng = stream(11, "test", 0);
        let (mut active, mut got, mut truth) = (Vec::new(), Vec::new(), Vec::new());
        for k in [2, 4, 8] {
            for _ in 0..500 {
                active.clear();
                sample_uniform_fill(&mut rng, 64, k, &mut active);
                network.evaluate(&active, &mut (), &mut got);
                instance.true_outputs(&index, &active, &mut truth);
                assert_eq!(got, truth, "active {active:?}");
            }
        }
        // Every output on for its own pair: the check above is not vacuous.
        for (j, &(a, b)) in instance.pairs().iter().enumerate() {
            network.evaluate(&[b, a], &mut (), &mut got);
            assert!(got.contains(&(j as u32)));
        }
    }

    #[test]
    fn decoder_hiding_counts_the_same_weights_for_every_instance() {
        let a = And2Instance::random(32, 32, PairDistribution::Uniform, 1).unwrap();
        let b = And2Instance::random(32, 32, PairDistribution::Uniform, 2).unwrap();
        assert_ne!(a.pairs(), b.pairs());
        let (ra, rb) = (DecoderHiding::new(&a).resources(), DecoderHiding::new(&b).resources());
        assert_eq!(ra, rb);
        assert_eq!((ra.neurons, ra.parameters, ra.parameter_bits), (32, 64, 64));
    }

    #[test]
    fn folded_one_hot_is_exact_at_width_m_and_fails_below() {
        let exact = folded_one_hot(100, 100).unwrap();
        let folded = folded_one_hot(100, 60).unwrap();
        let mut lit = Vec::new();
        assert!(exact.is_exact(&[3, 50, 99], &mut lit));
        // 3 and 63 share neuron 3: feature 63 lights up with 3.
        assert!(!folded.is_exact(&[3], &mut lit));
        // 50 is alone on neuron 50 (features 0..100 fold onto 60 neurons: 40..60 hold one).
        assert!(folded.is_exact(&[50], &mut lit));
    }
}
