//! k-sparse input sampling.
//!
//! With m ≈ m′ random pairs, a uniformly random k-sparse input rarely switches any output on,
//! so a network that outputs all zeros would look almost perfect. The default `Planted`
//! distribution therefore switches on ⌊k/2⌋ random pairs of the instance and fills the rest
//! uniformly: every sample tests true positives as well as false ones.

use rand::Rng as _;

use crate::base::instance::And2Instance;
use crate::rng::Rng;

/// Samples per chunk (one random stream each).
pub const CHUNK: u64 = 32;
/// Chunks per round (the early-stop granularity).
pub const ROUND: u64 = 8;

pub use superposition_schema::measure::InputDistribution;

/// Draws k distinct active inputs (fewer only if m < k), sorted, into `out`.
pub fn sample_active(
    rng: &mut Rng,
    instance: &And2Instance,
    k: usize,
    distribution: InputDistribution,
    out: &mut Vec<u32>,
) {
    out.clear();
    let m = instance.inputs();
    let k = k.min(m);
    if distribution == InputDistribution::Planted {
        let pairs = instance.pairs();
        for _ in 0..k / 2 {
            let (a, b) = pairs[rng.random_range(0..pairs.len())];
            for endpoint in [a, b] {
                if out.len() < k && !out.contains(&endpoint) {
                    out.push(endpoint);
                }
            }
        }
    }
    sample_uniform_fill(rng, m, k, out);
    out.sort_unstable();
}

/// Adds distinct uniform draws from [0, m) to `out` until it holds k entries.
pub fn sample_uniform_fill(rng: &mut Rng, m: usize, k: usize, out: &mut Vec<u32>) {
    while out.len() < k {
        let i = rng.random_range(0..m as u32);
        if !out.contains(&i) {
            out.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::rng::stream;

    #[test]
    fn samples_are_k_distinct_and_planted_ones_hit_pairs() {
        let instance = And2Instance::random(1000, 1000, PairDistribution::Uniform, 0).unwrap();
        let index = instance.pair_index();
        let mut rng = stream(1, "s", 0);
        let mut active = Vec::new();
        let mut truth = Vec::new();
        let mut with_pair = 0;
        for _ in 0..200 {
            sample_active(&mut rng, &instance, 4, InputDistribution::Planted, &mut active);
            assert_eq!(active.len(), 4);
            assert!(active.windows(2).all(|w| w[0] < w[1]));
            instance.true_outputs(&index, &active, &mut truth);
            with_pair += usize::from(!truth.is_empty());
        }
        assert_eq!(with_pair, 200);
        let mut uniform_hits = 0;
        for _ in 0..200 {
            sample_active(&mut rng, &instance, 4, InputDistribution::Uniform, &mut active);
            assert_eq!(active.len(), 4);
            instance.true_outputs(&index, &active, &mut truth);
            uniform_hits += usize::from(!truth.is_empty());
        }
        // P(a uniform 4-set contains one of 1000 pairs over 1000 inputs) ≈ 1.2 %.
        assert!(uniform_hits < 20, "{uniform_hits}");
    }

    #[test]
    fn k_larger_than_m_is_capped() {
        let instance = And2Instance::new(3, vec![(0, 1)]).unwrap();
        let mut active = Vec::new();
        sample_active(
            &mut stream(0, "s", 0),
            &instance,
            8,
            InputDistribution::Planted,
            &mut active,
        );
        assert_eq!(active, vec![0, 1, 2]);
    }
}
