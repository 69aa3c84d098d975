//! Failure rates over many random samples, in parallel and reproducible from a seed.
//!
//! Samples are drawn in chunks of [`CHUNK`]; chunk c draws from the stream
//! (seed, "samples", c), so the same seed gives the same samples whatever the thread count,
//! and the same samples at every width (common random numbers make width searches
//! monotone in practice). Work proceeds in rounds of [`ROUND`] chunks; an optional early
//! stop is checked only between rounds, so it too is deterministic.

use rayon::prelude::*;

use crate::and2::{And2Network, Scratch};
use crate::instance::And2Instance;
use crate::representation::Representation;
use crate::results::FailureRate;
use crate::rng::{Rng, stream};
use crate::sample::{InputDistribution, sample_active, sample_uniform_fill};
use crate::stats::failure_rate;

/// Samples per chunk (one random stream each).
pub const CHUNK: u64 = 32;
/// Chunks per round (the early-stop granularity).
pub const ROUND: u64 = 8;

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
                let failed = (0..size).filter(|_| fails(&mut rng, state)).count() as u64;
                (failed, size)
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

/// Per-sample failure of a representation over k distinct uniform features.
pub fn representation_failure(rep: &Representation, spec: &SampleSpec, stop_above: Option<u64>) -> FailureRate {
    let m = rep.features();
    count_failures(spec, stop_above, |rng, state: &mut (Vec<u32>, Vec<u64>)| {
        state.0.clear();
        sample_uniform_fill(rng, m, spec.k.min(m), &mut state.0);
        !rep.is_exact(&state.0, &mut state.1)
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
    fn early_stop_happens_between_rounds() {
        let always = |_: &mut Rng, _: &mut ()| true;
        let rate = count_failures(&spec(10_000), Some(5), always);
        assert_eq!(rate.samples, CHUNK * ROUND);
        assert_eq!(rate.failures, CHUNK * ROUND);
        let never = |_: &mut Rng, _: &mut ()| false;
        assert_eq!(count_failures(&spec(777), Some(5), never).samples, 777);
    }
}
