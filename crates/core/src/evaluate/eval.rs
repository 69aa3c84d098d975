//! Failure rates over many random samples, in parallel and reproducible from a seed.
//!
//! Samples are drawn in chunks of [`CHUNK`]; chunk c draws from the stream
//! (seed, "samples", c), so the same seed gives the same samples whatever the thread count,
//! and the same samples at every width (common random numbers make width searches
//! monotone in practice). Work proceeds in rounds of [`ROUND`] chunks; an optional early
//! stop is checked only between rounds, so it too is deterministic.

use rayon::prelude::*;

use crate::base::instance::And2Instance;
use crate::base::sample::{InputDistribution, sample_active, sample_uniform_fill};
use crate::constructions::and2::{And2Network, Scratch};
use crate::constructions::representation::Representation;
use crate::results::FailureRate;
use crate::rng::{Rng, stream};
use crate::stats::failure_rate;

pub use crate::base::sample::{CHUNK, ROUND};

/// What to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSpec {
    /// k, active inputs per sample.
    pub k: usize,
    /// How active inputs are drawn.
    pub distribution: InputDistribution,
    /// Number of samples.
    pub samples: u64,
    /// Seed of the sample streams.
    pub seed: u64,
}

/// Counts samples for which `fails` returns true. If `stop_above` is given, stops after the
/// first round whose running failure count exceeds it (the returned rate then covers the
/// samples evaluated so far).
pub fn count_failures<S: Default + Send>(
    spec: &SampleSpec,
    stop_above: Option<u64>,
    fails: impl Fn(&mut Rng, &mut S) -> bool + Sync,
) -> FailureRate {
    count_chunk_failures(spec, stop_above, |rng, size, state| {
        (0..size).filter(|_| fails(rng, state)).count() as u64
    })
}

/// [`count_failures`] for evaluators that handle a whole chunk at once: `fails_in_chunk(rng,
/// size, state)` draws `size` samples from `rng` in order and returns how many fail. Drawing
/// a chunk's samples first and evaluating them together gives the same samples, so the same
/// counts, as drawing and evaluating them one by one.
pub fn count_chunk_failures<S: Default + Send>(
    spec: &SampleSpec,
    stop_above: Option<u64>,
    fails_in_chunk: impl Fn(&mut Rng, u64, &mut S) -> u64 + Sync,
) -> FailureRate {
    let chunks = spec.samples.div_ceil(CHUNK);
    let (mut failures, mut evaluated) = (0u64, 0u64);
    let mut start = 0;
    while start < chunks {
        let end = (start + ROUND).min(chunks);
        let (f, e) = (start..end)
            .into_par_iter()
            .map_init(S::default, |state, c| {
                let mut rng = stream(spec.seed, "samples", c);
                let size = CHUNK.min(spec.samples - c * CHUNK);
                (fails_in_chunk(&mut rng, size, state), size)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        failures += f;
        evaluated += e;
        if stop_above.is_some_and(|limit| failures > limit) {
            break;
        }
        start = end;
    }
    failure_rate(failures, evaluated)
}

#[derive(Default)]
struct And2State {
    scratch: Scratch,
    active: Vec<u32>,
    got: Vec<u32>,
    truth: Vec<u32>,
}

/// Per-sample failure of an AS-2AND network: a sample fails if any of the m′ outputs is wrong.
pub fn and2_failure(
    network: &And2Network,
    instance: &And2Instance,
    spec: &SampleSpec,
    stop_above: Option<u64>,
) -> FailureRate {
    let index = instance.pair_index();
    count_failures(spec, stop_above, |rng, state: &mut And2State| {
        sample_active(rng, instance, spec.k, spec.distribution, &mut state.active);
        network.evaluate(&state.active, &mut state.scratch, &mut state.got);
        instance.true_outputs(&index, &state.active, &mut state.truth);
        state.got != state.truth
    })
}

#[derive(Default)]
struct RepresentationState {
    active: Vec<u32>,
    lit: Vec<u64>,
    lits: Vec<u64>,
    actives: Vec<usize>,
    counts: Vec<usize>,
}

/// Per-sample failure of a representation over k distinct uniform features: a sample fails
/// iff the number of features decoded on differs from the number active (active features
/// are always decoded, so the difference is a false positive).
///
/// A chunk's samples are decoded together ([`Representation::decoded_counts`]), one pass over
/// the code per chunk instead of per sample; the verdicts are those of
/// [`Representation::is_exact`] on each sample (tested).
pub fn representation_failure(rep: &Representation, spec: &SampleSpec, stop_above: Option<u64>) -> FailureRate {
    let m = rep.features();
    count_chunk_failures(spec, stop_above, |rng, size, state: &mut RepresentationState| {
        state.lits.clear();
        state.actives.clear();
        for _ in 0..size {
            state.active.clear();
            sample_uniform_fill(rng, m, spec.k.min(m), &mut state.active);
            rep.encode(&state.active, &mut state.lit);
            state.lits.extend_from_slice(&state.lit);
            state.actives.push(state.active.len());
        }
        state.counts.resize(state.actives.len(), 0);
        rep.decoded_counts(&state.lits, &mut state.counts);
        state.counts.iter().zip(&state.actives).filter(|(c, a)| c != a).count() as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    fn spec(samples: u64) -> SampleSpec {
        SampleSpec {
            k: 4,
            distribution: InputDistribution::Planted,
            samples,
            seed: 11,
        }
    }

    #[test]
    fn counts_are_reproducible_and_cover_every_sample() {
        let coin = |rng: &mut Rng, _: &mut ()| rng.random::<f64>() < 0.3;
        let a = count_failures(&spec(1000), None, coin);
        let b = count_failures(&spec(1000), None, coin);
        assert_eq!(a, b);
        assert_eq!(a.samples, 1000);
        assert!((200..400).contains(&a.failures), "{a:?}");
        // Thread count does not change the result.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let c = pool.install(|| count_failures(&spec(1000), None, coin));
        assert_eq!(a, c);
    }

    #[test]
    fn batched_representation_failure_equals_sample_by_sample() {
        let spec = SampleSpec {
            samples: 1000,
            ..spec(0)
        };
        for width in [24, 40, 70] {
            let rep = Representation::build(5000, width, Representation::optimal_t(width, 4), 3).unwrap();
            let one_by_one = count_failures(&spec, None, |rng, state: &mut (Vec<u32>, Vec<u64>)| {
                state.0.clear();
                sample_uniform_fill(rng, 5000, spec.k, &mut state.0);
                !rep.is_exact(&state.0, &mut state.1)
            });
            assert_eq!(representation_failure(&rep, &spec, None), one_by_one, "d = {width}");
            assert_eq!(
                representation_failure(&rep, &spec, Some(3)),
                count_failures(&spec, Some(3), |rng, state: &mut (Vec<u32>, Vec<u64>)| {
                    state.0.clear();
                    sample_uniform_fill(rng, 5000, spec.k, &mut state.0);
                    !rep.is_exact(&state.0, &mut state.1)
                })
            );
        }
    }

    #[test]
    fn early_stop_happens_between_rounds() {
        let always = |_: &mut Rng, _: &mut ()| true;
        let rate = count_failures(&spec(10_000), Some(5), always);
        assert_eq!(rate.samples, CHUNK * ROUND);
        assert_eq!(rate.failures, CHUNK * ROUND);
        let never = |_: &mut Rng, _: &mut ()| false;
        assert_eq!(count_failures(&spec(777), Some(5), never).samples, 777);
    }
}
