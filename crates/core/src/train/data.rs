//! Mini-batches of k-sparse inputs and their targets.
//!
//! A batch at training step t is drawn from the stream (seed, "train-batch", t) by
//! `base::sample::sample_active` (planted: ⌊k/2⌋ instance pairs on, the rest uniform; or
//! uniform; or mixed, [`TrainDistribution::Mixed`]), one sample after another, so it depends
//! on (seed, t) only. The measurements of
//! `evaluate::eval` draw from the domain "samples", so evaluation samples are fresh.
//!
//! An example holds what both passes need: the sparse input representation
//! u = Σ_{i on} 1_{C_in(i)} as (input neuron q, u_q) entries (k·t_in at most), its mass
//! Σ_q u_q, and the code neurons whose target is 1: y_r = 1 iff some output j with r ∈ C_out(j)
//! is on (the OR of the outputs hosted on r).

use std::collections::HashMap;

use crate::base::code::{SubsetCode, gather_columns};
use crate::base::instance::And2Instance;
use crate::base::sample::{InputDistribution, sample_active};
use crate::rng::stream;

/// The inputs a network is trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainDistribution {
    /// Every sample planted (⌊k/2⌋ instance pairs on, the rest uniform). At k = 4 every active
    /// input then has its partner on: the network never sees a lone endpoint of a pair.
    Planted,
    /// Every sample uniform k-sparse (almost never a pair on).
    Uniform,
    /// Even samples of a batch planted, odd ones uniform: true positives and lone endpoints.
    Mixed,
}

impl TrainDistribution {
    /// The distribution of the sample at `index` in its batch.
    pub fn of_sample(self, index: usize) -> InputDistribution {
        match self {
            Self::Planted => InputDistribution::Planted,
            Self::Uniform => InputDistribution::Uniform,
            Self::Mixed if index.is_multiple_of(2) => InputDistribution::Planted,
            Self::Mixed => InputDistribution::Uniform,
        }
    }

    /// `planted`, `uniform` or `mixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planted => "planted",
            Self::Uniform => "uniform",
            Self::Mixed => "mixed",
        }
    }
}

/// One training sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The active inputs, sorted.
    pub active: Vec<u32>,
    /// u as (input neuron q, u_q), sorted by q, u_q ≥ 1.
    pub columns: Vec<(u32, f32)>,
    /// Σ_q u_q (= k·t_in for k distinct inputs).
    pub mass: f32,
    /// The code neurons with target 1, sorted and distinct.
    pub positives: Vec<u32>,
}

/// A mini-batch: examples in draw order (the order every reduction follows).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// The examples.
    pub examples: Vec<Example>,
}

impl Batch {
    /// B, the number of examples.
    pub fn len(&self) -> usize {
        self.examples.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }
}

/// Draws examples of one instance under fixed codes (it owns both, and the pair index).
#[derive(Debug, Clone)]
pub struct Sampler {
    instance: And2Instance,
    input_code: SubsetCode,
    output_code: SubsetCode,
    index: HashMap<(u32, u32), u32>,
    k: usize,
    distribution: TrainDistribution,
}

impl Sampler {
    /// A sampler of k-sparse inputs of `distribution` for `instance` under the codes
    /// (C_in, C_out).
    pub fn new(
        instance: And2Instance,
        codes: (SubsetCode, SubsetCode),
        k: usize,
        distribution: TrainDistribution,
    ) -> Self {
        Self {
            index: instance.pair_index(),
            instance,
            input_code: codes.0,
            output_code: codes.1,
            k,
            distribution,
        }
    }

    /// The instance.
    pub fn instance(&self) -> &And2Instance {
        &self.instance
    }

    /// The instance's pair index ((a, b) ↦ j).
    pub fn pair_index(&self) -> &HashMap<(u32, u32), u32> {
        &self.index
    }

    /// C_in.
    pub fn input_code(&self) -> &SubsetCode {
        &self.input_code
    }

    /// C_out.
    pub fn output_code(&self) -> &SubsetCode {
        &self.output_code
    }

    /// k, active inputs per sample.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The input distribution.
    pub fn distribution(&self) -> TrainDistribution {
        self.distribution
    }

    /// The example of the given active inputs (distinct, below m).
    pub fn example(&self, active: &[u32]) -> Example {
        let mut active = active.to_vec();
        active.sort_unstable();
        let mut merged = Vec::new();
        let mass = gather_columns(&self.input_code, &active, &mut merged);
        let mut on = Vec::new();
        self.instance.true_outputs(&self.index, &active, &mut on);
        let mut positives: Vec<u32> = on
            .iter()
            .flat_map(|&j| self.output_code.set(j as usize).iter().copied())
            .collect();
        positives.sort_unstable();
        positives.dedup();
        Example {
            active,
            columns: merged.iter().map(|&(q, c)| (q, c as f32)).collect(),
            mass: mass as f32,
            positives,
        }
    }

    /// The batch of training step `step`: `size` examples from (seed, "train-batch", step).
    pub fn batch(&self, seed: u64, step: u64, size: usize) -> Batch {
        let mut rng = stream(seed, "train-batch", step);
        let mut active = Vec::with_capacity(self.k);
        let examples = (0..size)
            .map(|s| {
                let distribution = self.distribution.of_sample(s);
                sample_active(&mut rng, &self.instance, self.k, distribution, &mut active);
                self.example(&active)
            })
            .collect();
        Batch { examples }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::constructions::coded::CodedParams;

    #[test]
    fn examples_hold_u_and_the_or_of_hosted_outputs() {
        let instance = And2Instance::new(6, vec![(0, 1), (2, 3), (1, 4)]).unwrap();
        let input = SubsetCode::from_sets(
            5,
            2,
            &[vec![0, 1], vec![1, 2], vec![3, 4], vec![0, 4], vec![2, 3], vec![0, 2]],
        )
        .unwrap();
        let output = SubsetCode::from_sets(4, 2, &[vec![0, 1], vec![1, 2], vec![2, 3]]).unwrap();
        let sampler = Sampler::new(instance, (input, output), 3, TrainDistribution::Planted);
        let example = sampler.example(&[4, 1, 0]);
        assert_eq!(example.active, vec![0, 1, 4]);
        // u = 1_{0,1} + 1_{1,2} + 1_{2,3}.
        assert_eq!(example.columns, vec![(0, 1.0), (1, 2.0), (2, 2.0), (3, 1.0)]);
        assert_eq!(example.mass, 6.0);
        // Outputs 0 = (0, 1) and 2 = (1, 4) are on: neurons {0, 1} ∪ {2, 3}.
        assert_eq!(example.positives, vec![0, 1, 2, 3]);
        assert!(sampler.example(&[0, 2, 5]).positives.is_empty());
    }

    #[test]
    fn batches_depend_on_seed_and_step_only() {
        let instance = And2Instance::random(64, 64, PairDistribution::Uniform, 3).unwrap();
        let (input, output) = CodedParams::defaults(64, 40, 3).codes(64, 64).unwrap();
        let sampler = Sampler::new(instance, (input, output), 4, TrainDistribution::Planted);
        let a = sampler.batch(5, 2, 16);
        assert_eq!(a, sampler.batch(5, 2, 16));
        assert_ne!(a, sampler.batch(5, 3, 16));
        assert!(
            a.examples
                .iter()
                .all(|e| e.active.len() == 4 && !e.positives.is_empty())
        );
    }
}
