//! Adversarial k-sparse inputs against a network computing a 2-AND instance (SPEC §2, worst
//! case): AS-2AND, or any [`Network`] that exposes [`AdditiveRows`].
//!
//! The random-sample failure rate of [`crate::evaluate::eval`] is the *average* case. The worst case
//! asks whether **some** k-sparse input makes some output wrong. This module searches for one
//! by greedy interference at one output's code neurons, with restarts.
//!
//! # Why the search is cheap: pre-activations are additive over inputs
//! The network's rows fire iff the active inputs' shares sum to a threshold,
//! Σ_{i ∈ X} e_r(i) ≥ T_r ([`AdditiveRows`]), and an output is on iff at least v of its rows
//! R_j fire. For AS-2AND's vote decoder (derived at its `AdditiveRows` implementation in
//! [`crate::constructions::and2`]) e_r(i) = 2·n_in·Σ_{q ∈ C_in(i)} A[r, q] − 2·t_in²·|S_r|
//! (the last term only with centering) and T = 3·n_in·t_in: in units of h, e_r(i)/(2·n_in·t_in)
//! is input i's share of W u on row r, about 1 for an input of S_r, about 0 (noise after
//! centering) for the others.
//!
//! # The attacks on a target output j (code neurons R_j = C_out(j), vote threshold v)
//! - **off → on** (a false positive): choose X, |X| ≤ k, not containing both endpoints of j,
//!   so that at least v neurons of R_j fire. Candidates are the inputs of ∪_{r ∈ R_j} S_r, the
//!   endpoints of the pairs decoded from R_j's rows (the only inputs with a large positive
//!   share on R_j; j's own endpoints are among them) plus a few random inputs. Greedy: add the candidate that most increases the number of
//!   R_j neurons firing, ties broken by the summed margin Σ_r min(Σ_X e_r, T). Restart 0
//!   starts from the empty set, restart ρ ≥ 1 from a random candidate.
//! - **on → off** (a false negative): start from j's pair and add k − 2 inputs chosen
//!   greedily to pull R_j's neurons below threshold (centering subtracts |S_r|·t_in/n_in per
//!   active input, and inputs missing row r's heavy columns add little back).
//!
//! Targets are the outputs whose code neurons host the most inputs (Σ_{r ∈ R_j} |S_r|, the
//! largest interference, [`AdditiveRows::row_load`]) for half the budget, and uniformly random
//! outputs for the rest. Every candidate set the guide predicts to flip its target, and every
//! set a greedy run ends with, is evaluated exactly ([`Network::evaluate`] against the
//! instance's truth, by [`Verifier`]); only a verified disagreement is reported, so the
//! adversary is sound by construction. It is a heuristic: finding nothing is a lower
//! estimate of the worst case, not a proof of worst-case correctness.
//!
//! The search is deterministic from its seed whatever the rayon thread count: targets are
//! attacked in rounds, each with its own random stream, and the first counterexample in
//! target order is reported.

use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::base::instance::And2Instance;
use crate::error::{Result, invalid};
use crate::evaluate::eval::{Verifier, VerifyScratch};
use crate::network::{AdditiveRows, Network};
use crate::rng::{Rng, stream};
pub use superposition_schema::checks::worst_case::{Attack, Counterexample};

/// Budget and shape of one adversarial search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdversaryConfig {
    /// k, the most active inputs an adversarial input may have.
    pub k: usize,
    /// Target outputs attacked (half the most crowded, half random).
    pub targets: usize,
    /// Greedy runs of the off → on attack per target (the on → off attack runs once).
    pub restarts: usize,
    /// Random inputs added to each target's candidate set.
    pub extra_candidates: usize,
    /// Seed of the target choice and the restarts.
    pub seed: u64,
}

impl AdversaryConfig {
    /// Refuses a budget that cannot search anything.
    pub fn validate(&self) -> Result<()> {
        if self.k < 2 {
            return Err(invalid("k", self.k, "a 2-AND adversary needs at least 2 active inputs"));
        }
        if self.targets == 0 {
            return Err(invalid("adversary targets", self.targets, "must be at least 1"));
        }
        if self.restarts == 0 {
            return Err(invalid("adversary restarts", self.restarts, "must be at least 1"));
        }
        Ok(())
    }
}

/// What one search did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdversaryOutcome {
    /// The first verified counterexample in target order, if any.
    pub counterexample: Option<Counterexample>,
    /// Targets attacked before stopping (the search stops after the round of targets in
    /// which it found one).
    pub targets_tried: usize,
    /// Candidate inputs evaluated exactly.
    pub evaluations: u64,
}

/// Targets attacked in parallel per round (the early-stop granularity).
const ROUND: usize = 16;

/// Searches for a k-sparse input on which `network` gets some output of `instance` wrong.
///
/// Refuses a network without additive vote rows ([`Network::additive`]: AS-2AND's average
/// decoder has none, the guide reproduces a vote decoder's firing test) and a network not built
/// for `instance`'s shape.
pub fn attack<N: Network>(network: &N, instance: &And2Instance, config: &AdversaryConfig) -> Result<AdversaryOutcome> {
    config.validate()?;
    let Some(rows) = network.additive() else {
        return Err(invalid(
            "decoder",
            "no additive vote rows",
            "the adversary targets the vote decoder (a network exposing AdditiveRows)",
        ));
    };
    let verifier = Verifier::new(network, instance)?;
    let targets = choose_targets(rows, instance, config);
    let mut evaluations = 0u64;
    for (round, chunk) in targets.chunks(ROUND).enumerate() {
        let results: Vec<(Option<Counterexample>, u64)> = chunk
            .par_iter()
            .enumerate()
            .map_init(VerifyScratch::default, |scratch, (offset, &target)| {
                let position = (round * ROUND + offset) as u64;
                let mut rng = stream(config.seed, "adversary-target", position);
                attack_target(rows, instance, &verifier, config, target, &mut rng, scratch)
            })
            .collect();
        let mut found = None;
        for (counterexample, evaluated) in results {
            evaluations += evaluated;
            if found.is_none() {
                found = counterexample;
            }
        }
        if found.is_some() {
            return Ok(AdversaryOutcome {
                counterexample: found,
                targets_tried: (round * ROUND + chunk.len()).min(targets.len()),
                evaluations,
            });
        }
    }
    Ok(AdversaryOutcome {
        counterexample: None,
        targets_tried: targets.len(),
        evaluations,
    })
}

/// The outputs to attack, in attack order: the most crowded (largest Σ_{r ∈ R_j} |S_r|)
/// interleaved with uniformly random ones, distinct, at most m′.
fn choose_targets(rows: &dyn AdditiveRows, instance: &And2Instance, config: &AdversaryConfig) -> Vec<u32> {
    let outputs = instance.outputs();
    let budget = config.targets.min(outputs);
    let load = |j: usize| -> usize { rows.output_rows(j).iter().map(|&r| rows.row_load(r as usize)).sum() };
    let mut by_load: Vec<(usize, u32)> = (0..outputs).map(|j| (load(j), j as u32)).collect();
    // Most crowded first; ties by output id, so the order is deterministic.
    by_load.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rng = stream(config.seed, "adversary-targets", 0);
    let mut chosen = Vec::with_capacity(budget);
    let mut taken = vec![false; outputs];
    let mut crowded = by_load.iter().map(|&(_, j)| j);
    while chosen.len() < budget {
        let pick = if chosen.len() % 2 == 0 {
            crowded.next()
        } else {
            // A random output not yet chosen (rejection; budget ≤ m′ keeps it finite).
            let mut j = rng.random_range(0..outputs as u32);
            while taken[j as usize] {
                j = rng.random_range(0..outputs as u32);
            }
            Some(j)
        };
        let Some(j) = pick else { break };
        if !taken[j as usize] {
            taken[j as usize] = true;
            chosen.push(j);
        }
    }
    chosen
}

/// The greedy guide of one target: candidates and their shares on the target's neurons.
struct Guide {
    /// Candidate inputs.
    candidates: Vec<u32>,
    /// shares[c·t + ρ] = e_{R_j[ρ]}(candidates[c]).
    shares: Vec<i64>,
    /// t_out.
    t: usize,
    /// thresholds[ρ] = T_{R_j[ρ]}, the firing threshold of each of the target's rows.
    thresholds: Vec<i64>,
}

impl Guide {
    fn new(network: &dyn AdditiveRows, target: usize, candidates: Vec<u32>) -> Self {
        let rows = network.output_rows(target);
        let t = rows.len();
        let mut shares = Vec::with_capacity(candidates.len() * t);
        for &i in &candidates {
            for &r in rows {
                shares.push(network.share(r as usize, i as usize));
            }
        }
        Self {
            candidates,
            shares,
            t,
            thresholds: rows.iter().map(|&r| network.threshold(r as usize)).collect(),
        }
    }

    fn share(&self, c: usize) -> &[i64] {
        &self.shares[c * self.t..(c + 1) * self.t]
    }

    /// (firing count, clipped margin) of the sums after adding candidate c.
    fn score_up(&self, sums: &[i64], c: usize) -> (usize, i64) {
        let mut fired = 0;
        let mut margin = 0;
        for ((&s, &e), &threshold) in sums.iter().zip(self.share(c)).zip(&self.thresholds) {
            let total = s + e;
            fired += usize::from(total >= threshold);
            margin += total.min(threshold);
        }
        (fired, margin)
    }

    /// (firing count, clipped excess) after adding candidate c: lower is better.
    fn score_down(&self, sums: &[i64], c: usize) -> (usize, i64) {
        let mut fired = 0;
        let mut excess = 0;
        for ((&s, &e), &threshold) in sums.iter().zip(self.share(c)).zip(&self.thresholds) {
            let total = s + e;
            fired += usize::from(total >= threshold);
            excess += total.max(threshold - 1);
        }
        (fired, excess)
    }

    fn add(&self, sums: &mut [i64], c: usize) {
        for (s, &e) in sums.iter_mut().zip(self.share(c)) {
            *s += e;
        }
    }

    fn fired(&self, sums: &[i64]) -> usize {
        sums.iter().zip(&self.thresholds).filter(|&(&s, &t)| s >= t).count()
    }
}

/// Both attacks on one target; returns the first verified counterexample and the number of
/// exact evaluations made.
fn attack_target<N: Network>(
    network: &dyn AdditiveRows,
    instance: &And2Instance,
    verifier: &Verifier<'_, N, And2Instance>,
    config: &AdversaryConfig,
    target: u32,
    rng: &mut Rng,
    scratch: &mut VerifyScratch<N, And2Instance>,
) -> (Option<Counterexample>, u64) {
    let (a, b) = instance.pairs()[target as usize];
    let v = network.votes_needed();
    let k = config.k.min(instance.inputs());
    let mut evaluations = 0u64;
    let mut verify = |active: &[u32], attack: Attack, evaluations: &mut u64| -> Option<Counterexample> {
        let mut sorted = active.to_vec();
        sorted.sort_unstable();
        *evaluations += 1;
        verifier.wrong_outputs(&sorted, scratch).map(|wrong| Counterexample {
            active: sorted,
            target,
            attack,
            wrong,
        })
    };

    // Off → on: candidates are ∪_{r ∈ R_j} S_r plus random inputs.
    let mut candidates: Vec<u32> = Vec::new();
    for &r in network.output_rows(target as usize) {
        for &j in network.row_outputs(r as usize) {
            let (x, y) = instance.pairs()[j as usize];
            candidates.extend([x, y]);
        }
    }
    for _ in 0..config.extra_candidates {
        candidates.push(rng.random_range(0..instance.inputs() as u32));
    }
    candidates.sort_unstable();
    candidates.dedup();
    let guide = Guide::new(network, target as usize, candidates);
    let n = guide.candidates.len();
    let (mut sums, mut chosen) = (vec![0i64; guide.t], Vec::<usize>::with_capacity(k));
    for restart in 0..config.restarts {
        sums.iter_mut().for_each(|s| *s = 0);
        chosen.clear();
        if restart > 0 && n > 0 {
            let c = rng.random_range(0..n);
            chosen.push(c);
            guide.add(&mut sums, c);
        }
        while chosen.len() < k {
            let has = |x: u32| chosen.iter().any(|&c| guide.candidates[c] == x);
            let mut best: Option<((usize, i64), usize)> = None;
            for c in 0..n {
                let x = guide.candidates[c];
                // Completing j's pair would switch j on for real.
                if chosen.contains(&c) || (x == a && has(b)) || (x == b && has(a)) {
                    continue;
                }
                let score = guide.score_up(&sums, c);
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, c));
                }
            }
            let Some((_, c)) = best else { break };
            chosen.push(c);
            guide.add(&mut sums, c);
            if guide.fired(&sums) >= v {
                let active: Vec<u32> = chosen.iter().map(|&c| guide.candidates[c]).collect();
                if let Some(found) = verify(&active, Attack::OffToOn, &mut evaluations) {
                    return (Some(found), evaluations);
                }
            }
        }
        // The full set may flip a neighbour even when the target held.
        let active: Vec<u32> = chosen.iter().map(|&c| guide.candidates[c]).collect();
        if !active.is_empty()
            && let Some(found) = verify(&active, Attack::OffToOn, &mut evaluations)
        {
            return (Some(found), evaluations);
        }
    }

    // On → off: j's pair plus k − 2 inputs pulling its neurons down, from random candidates.
    let mut pool: Vec<u32> = (0..config.extra_candidates.max(4 * k))
        .map(|_| rng.random_range(0..instance.inputs() as u32))
        .filter(|&x| x != a && x != b)
        .collect();
    pool.sort_unstable();
    pool.dedup();
    let mut all = vec![a, b];
    all.extend(pool);
    let guide = Guide::new(network, target as usize, all);
    sums.iter_mut().for_each(|s| *s = 0);
    guide.add(&mut sums, 0);
    guide.add(&mut sums, 1);
    let mut chosen = vec![0usize, 1];
    while chosen.len() < k {
        let mut best: Option<((usize, i64), usize)> = None;
        for c in 2..guide.candidates.len() {
            if chosen.contains(&c) {
                continue;
            }
            let score = guide.score_down(&sums, c);
            if best.is_none_or(|(s, _)| score < s) {
                best = Some((score, c));
            }
        }
        let Some((_, c)) = best else { break };
        chosen.push(c);
        guide.add(&mut sums, c);
    }
    let active: Vec<u32> = chosen.iter().map(|&c| guide.candidates[c]).collect();
    let found = verify(&active, Attack::OnToOff, &mut evaluations);
    (found, evaluations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::sample::{InputDistribution, sample_active};
    use crate::constructions::and2::tests::small_case;
    use crate::constructions::and2::{And2Network, DecoderKind, Scratch};
    use crate::constructions::planted::plant_collision;
    use crate::network::tests::predicted_outputs;
    use crate::rng::stream;
    use proptest::prelude::*;

    fn config(seed: u64, k: usize) -> AdversaryConfig {
        AdversaryConfig {
            k,
            targets: 8,
            restarts: 3,
            extra_candidates: 16,
            seed,
        }
    }

    /// Every subset of at most k inputs (in lexicographic order) on which the network errs.
    fn exhaustive_errors(network: &And2Network, instance: &And2Instance, k: usize) -> Vec<Vec<u32>> {
        let verifier = Verifier::new(network, instance).unwrap();
        let mut scratch = VerifyScratch::default();
        let m = instance.inputs() as u32;
        let mut errors = Vec::new();
        let mut set: Vec<u32> = Vec::new();
        fn walk(next: u32, m: u32, k: usize, set: &mut Vec<u32>, visit: &mut dyn FnMut(&[u32])) {
            if !set.is_empty() {
                visit(set);
            }
            if set.len() == k {
                return;
            }
            for x in next..m {
                set.push(x);
                walk(x + 1, m, k, set, visit);
                set.pop();
            }
        }
        walk(0, m, k, &mut set, &mut |active| {
            if verifier.wrong_outputs(active, &mut scratch).is_some() {
                errors.push(active.to_vec());
            }
        });
        errors
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn additive_shares_reproduce_the_network(
            seed in any::<u64>(), outputs in 4usize..40, width in 8usize..40, centering in any::<bool>(),
        ) {
            let (instance, net) = small_case(seed, outputs, width, DecoderKind::Vote, centering);
            let mut rng = stream(seed, "adversary-test", 0);
            let (mut scratch, mut active, mut got) = (Scratch::default(), Vec::new(), Vec::new());
            for _ in 0..6 {
                sample_active(&mut rng, &instance, 4, InputDistribution::Planted, &mut active);
                net.evaluate_dense(&active, &mut scratch, &mut got);
                let rows = Network::additive(&net).expect("the vote decoder has additive rows");
                prop_assert_eq!(predicted_outputs(rows, instance.outputs(), &active), got.clone());
            }
        }

        #[test]
        fn every_counterexample_is_wrong_under_the_dense_oracle(
            seed in any::<u64>(), outputs in 4usize..48, width in 8usize..60, k in 2usize..5,
        ) {
            let (instance, net) = small_case(seed, outputs, width, DecoderKind::Vote, true);
            let outcome = attack(&net, &instance, &config(seed, k)).unwrap();
            if let Some(ce) = outcome.counterexample {
                prop_assert!(!ce.active.is_empty() && ce.active.len() <= k);
                prop_assert!(ce.active.windows(2).all(|w| w[0] < w[1]));
                let index = instance.pair_index();
                let (mut scratch, mut dense, mut truth) = (Scratch::default(), Vec::new(), Vec::new());
                net.evaluate_dense(&ce.active, &mut scratch, &mut dense);
                instance.true_outputs(&index, &ce.active, &mut truth);
                prop_assert_ne!(&dense, &truth);
                for &j in &ce.wrong {
                    prop_assert_ne!(dense.binary_search(&j).is_ok(), truth.binary_search(&j).is_ok());
                }
                if ce.attack == Attack::OffToOn {
                    let (a, b) = instance.pairs()[ce.target as usize];
                    prop_assert!(!(ce.active.contains(&a) && ce.active.contains(&b)));
                }
            }
        }

        #[test]
        fn never_claims_an_error_enumeration_lacks(
            seed in any::<u64>(), outputs in 4usize..16, width in 8usize..30, k in 2usize..4,
        ) {
            let (instance, net) = small_case(seed, outputs, width, DecoderKind::Vote, true);
            let errors = exhaustive_errors(&net, &instance, k);
            let outcome = attack(&net, &instance, &config(seed, k)).unwrap();
            if let Some(ce) = outcome.counterexample {
                prop_assert!(errors.contains(&ce.active), "{:?} not among {} enumerated errors", ce.active, errors.len());
            }
        }
    }

    #[test]
    fn same_seed_same_outcome_whatever_the_threads() {
        let (instance, net) = small_case(3, 200, 60, DecoderKind::Vote, true);
        let budget = AdversaryConfig {
            targets: 40,
            ..config(3, 4)
        };
        let a = attack(&net, &instance, &budget).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| attack(&net, &instance, &budget).unwrap());
        assert_eq!(a, b);
        assert!(a.counterexample.is_some(), "width 60 at m′ = 200 is far too narrow");
    }

    #[test]
    fn power_against_exhaustive_enumeration() {
        // How often the greedy finds an error when enumeration shows one exists. Reported,
        // not asserted: the greedy is a heuristic and no floor is a property of it.
        let (mut exist, mut found) = (0, 0);
        for seed in 0..40u64 {
            let (instance, net) = small_case(seed, 12, 10 + 10 * (seed as usize % 20), DecoderKind::Vote, true);
            let k = 2 + seed as usize % 2;
            let errors = exhaustive_errors(&net, &instance, k);
            let outcome = attack(&net, &instance, &config(seed, k)).unwrap();
            if let Some(ce) = &outcome.counterexample {
                assert!(errors.contains(&ce.active));
            }
            exist += usize::from(!errors.is_empty());
            found += usize::from(outcome.counterexample.is_some());
        }
        eprintln!("adversary found an error in {found} of {exist} tiny networks that have one (40 networks)");
        assert!(found <= exist);
    }

    #[test]
    fn finds_nothing_where_enumeration_finds_nothing() {
        // m′ = 64 at width 4000 with k = 2: no input of at most 2 active is wrong (checked by
        // enumerating all 2080 of them), and the adversary claims none.
        let (instance, net) = small_case(5, 64, 4000, DecoderKind::Vote, true);
        assert!(exhaustive_errors(&net, &instance, 2).is_empty());
        let outcome = attack(&net, &instance, &config(5, 2)).unwrap();
        assert_eq!(outcome.counterexample, None);
        assert_eq!(outcome.targets_tried, 8);
        assert!(outcome.evaluations >= 8, "{outcome:?}");
    }

    #[test]
    fn finds_a_planted_collision_where_the_network_has_no_other_error() {
        // m′ = 64 at width 4000 with k = 2: enumeration shows the network errs on no input of
        // at most 2 active. Planting an output on exactly the code rows of another
        // (constructions::planted) makes some inputs wrong, each of them by one of the two;
        // the adversary must find one of those.
        let (instance, net) = small_case(5, 64, 4000, DecoderKind::Vote, true);
        assert!(exhaustive_errors(&net, &instance, 2).is_empty());
        let p = plant_collision(&instance, *net.params()).unwrap();
        let twins = [p.output, p.twin];
        let errors = exhaustive_errors(&p.network, &p.instance, 2);
        assert!(!errors.is_empty());
        let verifier = Verifier::new(&p.network, &p.instance).unwrap();
        let mut scratch = VerifyScratch::default();
        for active in &errors {
            let wrong = verifier.wrong_outputs(active, &mut scratch).unwrap();
            assert!(wrong.iter().all(|w| twins.contains(w)), "{active:?} → {wrong:?}");
        }
        let outcome = attack(&p.network, &p.instance, &config(5, 2)).unwrap();
        let ce = outcome.counterexample.as_ref().expect("the planted collision");
        assert!(errors.contains(&ce.active), "{ce:?}");
        // j is the most crowded output: the first target, found in the first round.
        assert!(outcome.targets_tried <= ROUND, "{outcome:?}");
    }

    #[test]
    fn bad_budgets_and_decoders_are_refused() {
        let (instance, net) = small_case(1, 16, 30, DecoderKind::Vote, true);
        for bad in [
            AdversaryConfig { k: 1, ..config(0, 4) },
            AdversaryConfig {
                targets: 0,
                ..config(0, 4)
            },
            AdversaryConfig {
                restarts: 0,
                ..config(0, 4)
            },
        ] {
            assert!(attack(&net, &instance, &bad).is_err());
        }
        let (instance2, average) = small_case(1, 16, 30, DecoderKind::Average, true);
        assert!(
            attack(&average, &instance2, &config(0, 4))
                .unwrap_err()
                .to_string()
                .contains("vote")
        );
        let (other, _) = small_case(2, 20, 30, DecoderKind::Vote, true);
        assert!(attack(&net, &other, &config(0, 4)).is_err());
    }
}
