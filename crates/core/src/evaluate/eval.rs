//! Failure rates over many random samples, in parallel and reproducible from a seed.
//!
//! Sample → evaluate → truth → compare is written once, over any [`Network`] and any [`Truth`]:
//! [`Verifier::fails`] is the per-sample step and [`network_failure`] the sample loop; AS-2AND,
//! the input channel, AS-PERM, depth-2 and imported networks are measured by the same code.
//!
//! Samples are drawn in chunks of [`CHUNK`]; chunk c draws from the stream
//! (seed, "samples", c), so the same seed gives the same samples whatever the thread count,
//! and the same samples at every width (common random numbers make width searches
//! monotone in practice). Work proceeds in rounds of [`ROUND`] chunks; an optional early
//! stop is checked only between rounds, so it too is deterministic.

use rayon::prelude::*;

use crate::base::instance::And2Instance;
use crate::base::sample::{InputDistribution, sample_active, sample_uniform_fill};
use crate::constructions::representation::Representation;
use crate::network::{Network, Truth, check_shape};
use crate::results::FailureRate;
use crate::rng::{Rng, stream};
use crate::stats::failure_rate;
use superposition_schema::measure::ConditionalErrors;

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

/// A network and the truth it is compared with, with the truth's shared tables built once.
pub struct Verifier<'a, N: Network, T: Truth> {
    network: &'a N,
    truth: &'a T,
    tables: T::Tables,
}

/// Per-thread buffers of a [`Verifier`]: the network's and the truth's scratch and both
/// output lists, reused from sample to sample.
pub struct VerifyScratch<N: Network, T: Truth> {
    network: N::Scratch,
    truth: T::Scratch,
    got: Vec<u32>,
    expected: Vec<u32>,
}

impl<N: Network, T: Truth> Default for VerifyScratch<N, T> {
    fn default() -> Self {
        Self {
            network: N::Scratch::default(),
            truth: T::Scratch::default(),
            got: Vec::new(),
            expected: Vec::new(),
        }
    }
}

impl<'a, N: Network, T: Truth> Verifier<'a, N, T> {
    /// Pairs `network` with `truth`, refusing different shapes ([`check_shape`]).
    pub fn new(network: &'a N, truth: &'a T) -> crate::Result<Self> {
        check_shape(network, truth)?;
        Ok(Self {
            network,
            truth,
            tables: truth.tables(),
        })
    }

    /// Whether the network gets some output of `active` (distinct inputs) wrong: evaluate, ask
    /// the truth, compare.
    pub fn fails(&self, active: &[u32], scratch: &mut VerifyScratch<N, T>) -> bool {
        self.network.evaluate(active, &mut scratch.network, &mut scratch.got);
        self.truth
            .true_outputs(&self.tables, active, &mut scratch.truth, &mut scratch.expected);
        scratch.got != scratch.expected
    }

    /// Every output the network gets wrong on `active`, sorted, or None when it gets all right.
    pub fn wrong_outputs(&self, active: &[u32], scratch: &mut VerifyScratch<N, T>) -> Option<Vec<u32>> {
        if !self.fails(active, scratch) {
            return None;
        }
        let (got, expected) = (&scratch.got, &scratch.expected);
        let mut wrong: Vec<u32> = got
            .iter()
            .filter(|j| expected.binary_search(j).is_err())
            .chain(expected.iter().filter(|j| got.binary_search(j).is_err()))
            .copied()
            .collect();
        wrong.sort_unstable();
        Some(wrong)
    }
}

/// The failure rate of `network` against `truth` over `spec.samples` samples: a sample fails if
/// any output is wrong. `sample(rng, active)` draws one sample's distinct active inputs into
/// the emptied `active`, from the chunk's stream (see [`count_failures`] for the streams and
/// `stop_above`).
///
/// # Panics
/// If the network and the truth have different shapes (check a network read from a file
/// with [`check_shape`] first).
pub fn network_failure<N: Network, T: Truth>(
    network: &N,
    truth: &T,
    spec: &SampleSpec,
    stop_above: Option<u64>,
    sample: impl Fn(&mut Rng, &mut Vec<u32>) + Sync,
) -> FailureRate {
    let verifier = Verifier::new(network, truth).unwrap_or_else(|e| panic!("{e}"));
    count_failures(spec, stop_above, |rng, state: &mut (Vec<u32>, VerifyScratch<N, T>)| {
        state.0.clear();
        sample(rng, &mut state.0);
        verifier.fails(&state.0, &mut state.1)
    })
}

/// Per-sample failure of a network computing a 2-AND instance (AS-2AND, the input channel, or
/// any other [`Network`] of its shape) on samples drawn by [`sample_active`] at `spec.k` and
/// `spec.distribution`: a sample fails if any of the m′ outputs is wrong.
///
/// # Panics
/// If the network was not built for the instance's shape.
pub fn and2_failure<N: Network>(
    network: &N,
    instance: &And2Instance,
    spec: &SampleSpec,
    stop_above: Option<u64>,
) -> FailureRate {
    network_failure(network, instance, spec, stop_above, |rng, active| {
        sample_active(rng, instance, spec.k, spec.distribution, active);
    })
}

/// [`and2_failure`] without early stop, and the errors per output by how many endpoints of its
/// pair are active ([`ConditionalErrors`]). Same samples as [`and2_failure`] on the same spec.
///
/// # Panics
/// If the network was not built for the instance's shape.
pub fn and2_conditional<N: Network>(
    network: &N,
    instance: &And2Instance,
    spec: &SampleSpec,
) -> (FailureRate, ConditionalErrors) {
    let influence = instance.influence();
    let pairs = instance.pairs();
    let outputs = instance.outputs() as u64;
    conditional_failure(
        network,
        instance,
        spec,
        |rng, active| sample_active(rng, instance, spec.k, spec.distribution, active),
        |active, on| {
            // Σ influence over the active inputs counts each pair-on output twice and each
            // one-endpoint output once.
            let touching: u64 = active.iter().map(|&a| u64::from(influence[a as usize])).sum();
            let one = touching - 2 * on;
            (one, outputs - on - one)
        },
        |j, active| {
            let (a, b) = pairs[j as usize];
            u8::from(active.contains(&a)) + u8::from(active.contains(&b))
        },
    )
}

/// The sample loop of the conditional error rates, over any network and truth: every sample
/// evaluated (no early stop), each wrong output counted by how many of its inputs are active.
///
/// - `sample(rng, active)` draws one sample into the emptied `active` (chunk streams as
///   [`network_failure`], so the same seed gives the same samples and failures);
/// - `classes(active, on)` returns, for a sample with `on` true outputs, how many outputs have
///   exactly one input active and how many have none;
/// - `endpoints(j, active)` is how many of output j's inputs are active: 2 for "on" (a 2-AND's
///   pair, a permutation's single source), 1 or 0 otherwise. A wrong output with 2 is a false
///   negative, else a false positive of its class.
///
/// # Panics
/// If the network and the truth have different shapes.
pub fn conditional_failure<N: Network, T: Truth>(
    network: &N,
    truth: &T,
    spec: &SampleSpec,
    sample: impl Fn(&mut Rng, &mut Vec<u32>) + Sync,
    classes: impl Fn(&[u32], u64) -> (u64, u64) + Sync,
    endpoints: impl Fn(u32, &[u32]) -> u8 + Sync,
) -> (FailureRate, ConditionalErrors) {
    let verifier = Verifier::new(network, truth).unwrap_or_else(|e| panic!("{e}"));
    let chunks = spec.samples.div_ceil(CHUNK);
    let (failures, tally) = (0..chunks)
        .into_par_iter()
        .map_init(
            || (Vec::new(), VerifyScratch::<N, T>::default()),
            |(active, scratch), c| {
                let mut rng = stream(spec.seed, "samples", c);
                let (mut failures, mut tally) = (0u64, ConditionalErrors::default());
                for _ in 0..CHUNK.min(spec.samples - c * CHUNK) {
                    active.clear();
                    sample(&mut rng, active);
                    let wrong = verifier.wrong_outputs(active, scratch);
                    // `expected` now holds the true outputs of this sample.
                    let on = scratch.expected.len() as u64;
                    let (one, none) = classes(active, on);
                    tally.samples += 1;
                    tally.pair_on += on;
                    tally.one_endpoint += one;
                    tally.no_endpoint += none;
                    if let Some(wrong) = wrong {
                        failures += 1;
                        for j in wrong {
                            match endpoints(j, active) {
                                2 => tally.false_negatives += 1,
                                1 => tally.false_positives_one += 1,
                                _ => tally.false_positives_none += 1,
                            }
                        }
                    }
                }
                (failures, tally)
            },
        )
        .reduce(|| (0, ConditionalErrors::default()), |a, b| (a.0 + b.0, a.1 + b.1));
    (failure_rate(failures, spec.samples), tally)
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
    use crate::base::instance::PairDistribution;
    use crate::constructions::and2::{And2Network, And2Params, DecoderKind, Scratch};
    use crate::constructions::channel::{ChannelNetwork, ChannelParams, ChannelPlan, ChannelScratch};
    use crate::constructions::depth2::{
        Circuit, CircuitTruth, Depth2Network, Depth2Scratch, Intermediate, Layer2Params, sample_circuit_active,
    };
    use crate::constructions::linear::{LinearMap, LinearNetwork, LinearParams, LinearScratch};
    use rand::Rng as _;
    use std::sync::Arc;

    /// The sample loop as `and2_failure` and check `influence` wrote it for AS-2AND and the
    /// channel before the network abstraction: the reference the generic loop must equal.
    fn and2_loop_before<S: Default + Send>(
        instance: &And2Instance,
        spec: &SampleSpec,
        stop: Option<u64>,
        evaluate: impl Fn(&[u32], &mut S, &mut Vec<u32>) + Sync,
    ) -> FailureRate {
        let index = instance.pair_index();
        count_failures(spec, stop, |rng, state: &mut (S, Vec<u32>, Vec<u32>, Vec<u32>)| {
            sample_active(rng, instance, spec.k, spec.distribution, &mut state.1);
            evaluate(&state.1, &mut state.0, &mut state.2);
            instance.true_outputs(&index, &state.1, &mut state.3);
            state.2 != state.3
        })
    }

    /// A width where about half the samples fail, and another where few do, for each network:
    /// equal counts there say the same samples met the same verdicts.
    #[test]
    fn conditional_errors_classify_every_wrong_output_by_its_active_endpoints() {
        let instance = And2Instance::random(512, 512, PairDistribution::Uniform, 4).unwrap();
        let index = instance.pair_index();
        for (width, distribution) in [(120, InputDistribution::Planted), (400, InputDistribution::Uniform)] {
            let network = And2Network::build(&instance, And2Params::defaults(512, width, 9)).unwrap();
            let spec = SampleSpec {
                k: 4,
                distribution,
                samples: 300,
                seed: 2,
            };
            let (failure, tally) = and2_conditional(&network, &instance, &spec);
            assert_eq!(failure, and2_failure(&network, &instance, &spec, None));
            assert_eq!(tally.samples, 300);
            assert_eq!(tally.pair_on + tally.one_endpoint + tally.no_endpoint, 300 * 512);
            // Recount by brute force over every output of every sample.
            let mut brute = ConditionalErrors::default();
            let (mut scratch, mut got, mut active, mut truth) =
                (Scratch::default(), Vec::new(), Vec::new(), Vec::new());
            for c in 0..spec.samples.div_ceil(CHUNK) {
                let mut rng = stream(spec.seed, "samples", c);
                for _ in 0..CHUNK.min(spec.samples - c * CHUNK) {
                    sample_active(&mut rng, &instance, 4, distribution, &mut active);
                    network.evaluate(&active, &mut scratch, &mut got);
                    instance.true_outputs(&index, &active, &mut truth);
                    brute.samples += 1;
                    for (j, &(a, b)) in instance.pairs().iter().enumerate() {
                        let on = u8::from(active.contains(&a)) + u8::from(active.contains(&b));
                        let read = got.contains(&(j as u32));
                        assert_eq!(truth.contains(&(j as u32)), on == 2);
                        match on {
                            2 => (brute.pair_on += 1, brute.false_negatives += u64::from(!read)),
                            1 => (brute.one_endpoint += 1, brute.false_positives_one += u64::from(read)),
                            _ => (brute.no_endpoint += 1, brute.false_positives_none += u64::from(read)),
                        };
                    }
                }
            }
            assert_eq!(tally, brute);
            if width == 120 {
                assert!(
                    failure.failures > 0,
                    "a width this narrow errs: the test is not vacuous"
                );
            }
            assert!(tally.false_negatives + tally.false_positives_one + tally.false_positives_none >= failure.failures);
        }
    }

    #[test]
    fn generic_loop_equals_the_loops_it_replaced() {
        let spec = SampleSpec {
            samples: 1500,
            ..spec(0)
        };
        let instance = And2Instance::random(300, 300, PairDistribution::Zipf { exponent: 1.0 }, 4).unwrap();
        let mut informative = 0;
        for width in [150, 400] {
            let and2 = And2Network::build(&instance, And2Params::defaults(300, width, 5)).unwrap();
            for stop in [None, Some(40)] {
                let before = and2_loop_before(&instance, &spec, stop, |a, s: &mut Scratch, o| and2.evaluate(a, s, o));
                assert_eq!(
                    and2_failure(&and2, &instance, &spec, stop),
                    before,
                    "AS-2AND at {width}"
                );
                informative += usize::from(before.failures > 0 && before.failures < before.samples);
            }
            let params = ChannelParams {
                input_width: width,
                total_hidden: width,
                ..ChannelParams::defaults(300, width, 6)
            };
            let plan = ChannelPlan::new(&instance, params.theta);
            assert!(!plan.blocks.is_empty());
            let channel = ChannelNetwork::build(&instance, &plan, params).unwrap();
            let before = and2_loop_before(&instance, &spec, None, |a, s: &mut ChannelScratch, o| {
                channel.evaluate(a, s, o)
            });
            assert_eq!(
                and2_failure(&channel, &instance, &spec, None),
                before,
                "channel at {width}"
            );
            informative += usize::from(before.failures > 0 && before.failures < before.samples);
        }

        // AS-PERM, as check `permutation` drew and compared.
        let map = LinearMap::permutation(256, 2).unwrap();
        let uniform = SampleSpec {
            distribution: InputDistribution::Uniform,
            ..spec
        };
        for width in [60, 200] {
            let net = LinearNetwork::build(&map, LinearParams::defaults(256, width, 3)).unwrap();
            let before = count_failures(
                &uniform,
                None,
                |rng, state: &mut (LinearScratch, Vec<u32>, Vec<u32>, Vec<u32>)| {
                    let (scratch, active, got, truth) = state;
                    active.clear();
                    sample_uniform_fill(rng, 256, 4, active);
                    active.sort_unstable();
                    net.evaluate(active, scratch, got);
                    map.true_on(active, truth);
                    got != truth
                },
            );
            let generic = network_failure(&net, &map, &uniform, None, |rng, active| {
                sample_uniform_fill(rng, 256, 4, active);
                active.sort_unstable();
            });
            assert_eq!(generic, before, "AS-PERM at {width}");
            informative += usize::from(before.failures > 0 && before.failures < before.samples);
        }

        // Depth-2 with the threshold stage, as check `depth-2` draws and compares.
        let layer1_instance = And2Instance::random(128, 128, PairDistribution::Uniform, 8).unwrap();
        let circuit = Circuit::random(layer1_instance.clone(), 128, 0.5, 9).unwrap();
        let layer1 = Arc::new(And2Network::build(&layer1_instance, And2Params::defaults(128, 400, 10)).unwrap());
        for width2 in [40, 300] {
            let net = Depth2Network::build(&circuit, layer1.clone(), Layer2Params::defaults(128, width2, 11)).unwrap();
            let truth = CircuitTruth::new(&circuit);
            type State = (Depth2Scratch, Vec<u32>, Vec<u32>, Vec<u32>, Vec<u32>, Vec<u32>);
            let before = count_failures(&spec, None, |rng, state: &mut State| {
                let (scratch, active, l1, t1, tg, got) = state;
                sample_circuit_active(rng, &circuit, spec.k, active);
                truth.evaluate(&circuit, active, t1, tg);
                net.layer1_forward(active, scratch, l1);
                net.layer2_forward(Intermediate::Threshold, t1, scratch, got);
                got != tg
            });
            let generic = network_failure(&net, &circuit, &spec, None, |rng, active| {
                sample_circuit_active(rng, &circuit, spec.k, active)
            });
            assert_eq!(generic, before, "depth-2 at n₂ = {width2}");
            informative += usize::from(before.failures > 0 && before.failures < before.samples);
        }
        assert!(
            informative >= 5,
            "only {informative} comparisons had both passing and failing samples"
        );
    }

    #[test]
    fn verifier_lists_exactly_the_wrong_outputs_and_refuses_other_shapes() {
        let instance = And2Instance::random(64, 64, PairDistribution::Uniform, 1).unwrap();
        let net = And2Network::build(&instance, And2Params::defaults(64, 30, 2)).unwrap();
        let verifier = Verifier::new(&net, &instance).unwrap();
        let index = instance.pair_index();
        let (mut scratch, mut rng) = (VerifyScratch::default(), stream(1, "verifier", 0));
        let (mut active, mut got, mut truth, mut own) = (Vec::new(), Vec::new(), Vec::new(), Scratch::default());
        let mut wrong_samples = 0;
        for _ in 0..200 {
            sample_active(&mut rng, &instance, 4, InputDistribution::Planted, &mut active);
            net.evaluate(&active, &mut own, &mut got);
            instance.true_outputs(&index, &active, &mut truth);
            let expected: Vec<u32> = (0..64u32).filter(|j| got.contains(j) != truth.contains(j)).collect();
            let listed = verifier.wrong_outputs(&active, &mut scratch);
            assert_eq!(listed.clone().unwrap_or_default(), expected);
            assert_eq!(listed.is_some(), verifier.fails(&active, &mut scratch));
            wrong_samples += usize::from(listed.is_some());
        }
        assert!(wrong_samples > 0, "width 30 at m′ = 64 should err");
        let other = And2Instance::random(64, 65, PairDistribution::Uniform, 1).unwrap();
        assert!(Verifier::new(&net, &other).is_err());
        let average = And2Network::build(
            &instance,
            And2Params {
                decoder: DecoderKind::Average,
                ..And2Params::defaults(64, 30, 2)
            },
        )
        .unwrap();
        assert!(Network::additive(&average).is_none() && Network::additive(&net).is_some());
    }

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
