//! The exact worst-case certifier (issue 13): for every output j of a network with additive
//! rows ([`AdditiveRows`]) and every input with at most k active features, whether j is decoded
//! correctly — *certified*, a *counterexample* (verified by exact evaluation of the network), or
//! *undecided* within a node budget.
//!
//! Output j with pair (a, b) reads rows R_j (t of them) and is on iff at least v fire; row r
//! fires on the active set X iff Σ_{i ∈ X} e_r(i) ≥ T_r. Each half is one question for the
//! branch and bound of [`search`] over the pool P = [m] ∖ {a, b}, in a fixed order of the
//! inputs by how much they can add to R_j's rows (computed from the shares, so it works for any
//! [`AdditiveRows`], not only AS-2AND):
//! - **false positive** (off → on): is there an X with |X| ≤ k and {a, b} ⊄ X on which at least
//!   v rows fire? X is one of Y, {a} ∪ Y, {b} ∪ Y with Y ⊆ P: three searches of one table
//!   (bases 0, e(a), e(b); |Y| ≤ k, k − 1, k − 1).
//! - **false negative** (on → off): is there a Y ⊆ P, |Y| ≤ k − 2, with which fewer than v rows
//!   fire on {a, b} ∪ Y? With s = −e, T′_r = 1 − T_r and base −(e(a) + e(b)) that is: do at
//!   least t − v + 1 rows "fire" in the negated sense. The per-row sufficient condition of
//!   [`false_negatives`] is this search's root bound.
//!
//! A set either search finds is evaluated through [`Network::evaluate`]; it is reported only if
//! the network really gets j wrong on it (a disagreement means the rows are not the network's,
//! and is an error). Each half of each output has its own node budget; an exhausted search is
//! *undecided*. Outputs are independent and searched in parallel (rayon), each search
//! deterministic, so the results do not depend on the thread count.
//!
//! [`certify_file`] runs it on a network file (an integer `tied` network with the vote decoder
//! and a 2-AND instance: its rows are exactly additive, `network_check::FileRows`).

mod per_row;
mod search;

use std::time::Instant;

use rayon::prelude::*;

use crate::base::instance::And2Instance;
use crate::error::{Result, invalid};
use crate::evaluate::network_check::{Attackable, FileRows};
use crate::network::file::{NetworkFile, StoredInstance};
use crate::network::{AdditiveRows, Network, check_shape};
pub use per_row::{FalseNegatives, false_negatives};
use search::{Found, Problem, Table, search};
pub use superposition_schema::certify::*;

/// The certifier's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertifyConfig {
    /// k, the most active inputs an input may have (2 ≤ k ≤ m).
    pub k: usize,
    /// Search nodes allowed to each half of each output before it is called undecided.
    pub budget: u64,
}

impl CertifyConfig {
    /// Refuses k < 2 (a pair needs two active inputs), k > m (there are not that many inputs)
    /// and a budget of 0 (nothing could be decided).
    pub fn validate(&self, inputs: usize) -> Result<()> {
        if self.k < 2 {
            return Err(invalid(
                "k",
                self.k,
                "a 2-AND output needs 2 active inputs to be on: give k ≥ 2",
            ));
        }
        if self.k > inputs {
            return Err(invalid(
                "k",
                self.k,
                format!("the network has only m = {inputs} inputs: give k ≤ {inputs}"),
            ));
        }
        if self.budget == 0 {
            return Err(invalid(
                "budget",
                self.budget,
                "a search needs at least 1 node (the root) to decide anything",
            ));
        }
        Ok(())
    }
}

/// Both halves of one output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputCertificate {
    /// Off → on.
    pub false_positive: HalfVerdict,
    /// On → off.
    pub false_negative: HalfVerdict,
    /// Search nodes explored for this output (both halves).
    pub nodes: u64,
}

impl OutputCertificate {
    /// The verdict of `half`.
    pub fn half(&self, half: Half) -> &HalfVerdict {
        match half {
            Half::FalsePositive => &self.false_positive,
            Half::FalseNegative => &self.false_negative,
        }
    }

    /// Both halves certified.
    pub fn certified(&self) -> bool {
        self.false_positive == HalfVerdict::Certified && self.false_negative == HalfVerdict::Certified
    }

    /// Either half refuted.
    pub fn refuted(&self) -> bool {
        [&self.false_positive, &self.false_negative]
            .iter()
            .any(|v| matches!(v, HalfVerdict::Counterexample { .. }))
    }
}

/// Every output's verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// k.
    pub k: usize,
    /// The node budget of each half of each output.
    pub budget: u64,
    /// Per output, in order.
    pub outputs: Vec<OutputCertificate>,
}

/// The halves in report order.
const HALVES: [Half; 2] = [Half::FalsePositive, Half::FalseNegative];

impl Certificate {
    /// Verdict counts of one half.
    pub fn counts(&self, half: Half) -> VerdictCounts {
        let mut c = VerdictCounts::default();
        for o in &self.outputs {
            match o.half(half) {
                HalfVerdict::Certified => c.certified += 1,
                HalfVerdict::Counterexample { .. } => c.counterexample += 1,
                HalfVerdict::Undecided => c.undecided += 1,
            }
        }
        c
    }

    /// Verdict counts per output: certified iff both halves are, a counterexample iff either
    /// half has one, else undecided.
    pub fn output_counts(&self) -> VerdictCounts {
        let mut c = VerdictCounts::default();
        for o in &self.outputs {
            if o.refuted() {
                c.counterexample += 1;
            } else if o.certified() {
                c.certified += 1;
            } else {
                c.undecided += 1;
            }
        }
        c
    }

    /// Nodes explored over every output.
    pub fn nodes(&self) -> u64 {
        self.outputs.iter().map(|o| o.nodes).sum()
    }

    /// The result file's record of this certificate (`network` as given by the user, m, and
    /// the certifier's wall time).
    pub fn result(&self, network: &str, inputs: usize, seconds: f64) -> CertifyResult {
        let mut counterexamples = Vec::new();
        let mut undecided = Vec::new();
        for (j, o) in self.outputs.iter().enumerate() {
            for half in HALVES {
                if let HalfVerdict::Counterexample { active } = o.half(half) {
                    counterexamples.push(CertifyCounterexample {
                        output: j as u32,
                        half,
                        active: active.clone(),
                    });
                }
            }
            if !o.refuted() && !o.certified() {
                undecided.push(UndecidedOutput {
                    output: j as u32,
                    halves: HALVES
                        .into_iter()
                        .filter(|&h| *o.half(h) == HalfVerdict::Undecided)
                        .collect(),
                });
            }
        }
        CertifyResult {
            format: FORMAT.into(),
            network: network.into(),
            inputs: inputs as u64,
            outputs: self.outputs.len() as u64,
            k: self.k,
            budget: self.budget,
            outputs_verdicts: self.output_counts(),
            false_positive: self.counts(Half::FalsePositive),
            false_negative: self.counts(Half::FalseNegative),
            nodes: self.nodes(),
            seconds,
            counterexamples,
            undecided,
        }
    }
}

/// `network`'s additive rows, after refusing a bad configuration, a network of another shape
/// than `instance` and one without additive rows.
fn checked_rows<'n, N: Network>(
    network: &'n N,
    instance: &And2Instance,
    config: &CertifyConfig,
) -> Result<&'n dyn AdditiveRows> {
    config.validate(instance.inputs())?;
    check_shape(network, instance)?;
    network.additive().ok_or_else(|| {
        invalid(
            "network",
            "no additive rows",
            "the certifier needs rows whose firing test is a sum of per-input shares (a vote decoder)",
        )
    })
}

/// Certifies every output of `network` (which computes `instance`) against every input with at
/// most k active features.
///
/// Refuses a network without additive rows, one of another shape than `instance`, and a bad
/// configuration ([`CertifyConfig::validate`]). An error too if a set the rows predict wrong is
/// not wrong on the network (the rows are then not the network's).
pub fn certify<N: Network>(network: &N, instance: &And2Instance, config: &CertifyConfig) -> Result<Certificate> {
    let rows = checked_rows(network, instance, config)?;
    let outputs = certify_outputs(network, rows, instance, config, 0..instance.outputs())?;
    Ok(Certificate {
        k: config.k,
        budget: config.budget,
        outputs,
    })
}

/// Certifies the outputs in `outputs` only (each independent of the others, so this is what
/// [`certify`] computes for them): for benchmarks and for splitting a large network's work.
/// Same refusals as [`certify`], and an output range beyond m′.
pub fn certify_range<N: Network>(
    network: &N,
    instance: &And2Instance,
    config: &CertifyConfig,
    outputs: std::ops::Range<usize>,
) -> Result<Vec<OutputCertificate>> {
    let rows = checked_rows(network, instance, config)?;
    if outputs.end > instance.outputs() {
        return Err(invalid(
            "outputs",
            format!("{outputs:?}"),
            format!("the network has m′ = {} outputs", instance.outputs()),
        ));
    }
    certify_outputs(network, rows, instance, config, outputs)
}

/// Outputs certified per parallel round of [`certify_all`], the first round; each next one is
/// twice as large, up to [`ROUND`]. A round is finished before the next starts, so where the
/// sweep stops does not depend on the thread count; small first rounds stop a refuted network
/// after a few outputs (the most crowded ones, where counterexamples are).
const FIRST_ROUND: usize = 8;

/// The largest round of [`certify_all`].
const ROUND: usize = 128;

/// What [`certify_all`] found: every output certified, or the first one (in its order) that is
/// not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// The first output not certified, with its verdicts; `None`: all m′ are certified.
    pub first_failure: Option<(u32, OutputCertificate)>,
    /// Outputs certified or refuted before the sweep stopped (whole rounds).
    pub outputs: usize,
    /// Search nodes over those outputs.
    pub nodes: u64,
}

impl Sweep {
    /// Every output certified on every input with at most k active features.
    pub fn certified(&self) -> bool {
        self.first_failure.is_none()
    }
}

/// Whether *every* output of `network` is certified, stopping at the first round of outputs
/// ([`FIRST_ROUND`] doubling to [`ROUND`]) that holds one that is not (a counterexample, or undecided within the
/// budget): what a width search asks, at a fraction of [`certify`]'s cost on a network that
/// fails. Outputs are taken most crowded first (Σ_{r ∈ R_j} [`AdditiveRows::row_load`]
/// descending, then by index), where counterexamples are likeliest. Same refusals as
/// [`certify`]; deterministic whatever the thread count.
pub fn certify_all<N: Network>(network: &N, instance: &And2Instance, config: &CertifyConfig) -> Result<Sweep> {
    let rows = checked_rows(network, instance, config)?;
    let mut order: Vec<(usize, u32)> = (0..instance.outputs())
        .map(|j| {
            let load = rows.output_rows(j).iter().map(|&r| rows.row_load(r as usize)).sum();
            (load, j as u32)
        })
        .collect();
    order.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut sweep = Sweep {
        first_failure: None,
        outputs: 0,
        nodes: 0,
    };
    let mut at = 0;
    let mut size = FIRST_ROUND;
    while at < order.len() {
        let round = &order[at..(at + size).min(order.len())];
        at += round.len();
        size = (2 * size).min(ROUND);
        let verdicts: Vec<OutputCertificate> = round
            .par_iter()
            .map_init(
                || (N::Scratch::default(), Vec::new(), Buffers::default()),
                |(scratch, out, buffers), &(_, j)| {
                    certify_output(network, rows, instance, j as usize, config, (scratch, out, buffers))
                },
            )
            .collect::<Result<_>>()?;
        sweep.outputs += round.len();
        sweep.nodes += verdicts.iter().map(|v| v.nodes).sum::<u64>();
        if let Some((&(_, j), verdict)) = round.iter().zip(verdicts).find(|(_, v)| !v.certified()) {
            sweep.first_failure = Some((j, verdict));
            break;
        }
    }
    Ok(sweep)
}

/// Every output of the range, in parallel and in order.
fn certify_outputs<N: Network>(
    network: &N,
    rows: &dyn AdditiveRows,
    instance: &And2Instance,
    config: &CertifyConfig,
    outputs: std::ops::Range<usize>,
) -> Result<Vec<OutputCertificate>> {
    outputs
        .into_par_iter()
        .map_init(
            || (N::Scratch::default(), Vec::new(), Buffers::default()),
            |(scratch, out, buffers), j| certify_output(network, rows, instance, j, config, (scratch, out, buffers)),
        )
        .collect()
}

/// Certifies a network file: its 2-AND instance against its network, through the exact
/// additive rows of an integer `tied` network with the vote decoder. `path` names the file in
/// messages and in the result; the result's time is the certifier's alone.
pub fn certify_file(file: &NetworkFile, path: &str, config: &CertifyConfig) -> Result<CertifyResult> {
    let Some(StoredInstance::Pairs(instance)) = file.instance() else {
        return Err(invalid(
            "network",
            path,
            "the certifier proves 2-AND outputs, and this file stores no 2-AND pairs (instance.pairs)",
        ));
    };
    config.validate(instance.inputs())?;
    let rows = FileRows::new(file).map_err(|reason| {
        invalid(
            "network",
            path,
            format!("has no exact additive rows to certify ({reason})"),
        )
    })?;
    let network = file.network()?;
    if config.k > network.max_active() {
        return Err(invalid(
            "k",
            config.k,
            format!(
                "this file's integers allow exact evaluation of at most {} active inputs",
                network.max_active()
            ),
        ));
    }
    let attackable = Attackable::new(&network, rows);
    let start = Instant::now();
    let certificate = certify(&attackable, instance, config)?;
    Ok(certificate.result(path, instance.inputs(), start.elapsed().as_secs_f64()))
}

/// Per-thread buffers of [`certify_output`], reused from one output to the next.
#[derive(Default)]
struct Buffers {
    /// One row's shares over every input.
    column: Vec<i64>,
    /// shares[i·t + c] = e_{R_j[c]}(i) over every input i.
    shares: Vec<i64>,
    /// A half's pool and its shares (input-major, in pool order).
    pool: Vec<u32>,
    pooled: Vec<i64>,
}

impl Buffers {
    /// Every input's shares of output j's rows `code`.
    fn fill(&mut self, rows: &dyn AdditiveRows, code: &[u32], inputs: usize) {
        let t = code.len();
        self.column.resize(inputs, 0);
        self.shares.resize(inputs * t, 0);
        for (c, &r) in code.iter().enumerate() {
            rows.row_shares(r as usize, &mut self.column);
            for (i, &share) in self.column.iter().enumerate() {
                self.shares[i * t + c] = share;
            }
        }
    }

    /// The pool of a half: the inputs other than a and b some of whose shares (negated when
    /// `negate`) are positive, with those shares. Exact: an input whose shares are all ≤ 0
    /// only lowers every sum, so a set that reaches `need` with it reaches it without it (and
    /// is no larger), and the search looks for sets of *at most* ℓ inputs.
    fn pool(&mut self, t: usize, (a, b): (u32, u32), negate: bool) {
        self.pool.clear();
        self.pooled.clear();
        for (i, shares) in self.shares.chunks_exact(t).enumerate() {
            let i = i as u32;
            if i == a || i == b {
                continue;
            }
            let helps = if negate {
                shares.iter().any(|&s| s < 0)
            } else {
                shares.iter().any(|&s| s > 0)
            };
            if helps {
                self.pool.push(i);
                self.pooled.extend(shares.iter().map(|&s| if negate { -s } else { s }));
            }
        }
    }
}

/// Both halves of output j.
fn certify_output<N: Network>(
    network: &N,
    rows: &dyn AdditiveRows,
    instance: &And2Instance,
    j: usize,
    config: &CertifyConfig,
    (scratch, out, buffers): (&mut N::Scratch, &mut Vec<u32>, &mut Buffers),
) -> Result<OutputCertificate> {
    let (a, b) = instance.pairs()[j];
    let code = rows.output_rows(j);
    let t = code.len();
    let v = rows.votes_needed();
    let k = config.k;
    buffers.fill(rows, code, instance.inputs());
    let of = |x: u32| -> Vec<i64> { buffers.shares[x as usize * t..(x as usize + 1) * t].to_vec() };
    let (ea, eb) = (of(a), of(b));
    let thresholds: Vec<i64> = code.iter().map(|&r| rows.threshold(r as usize)).collect();
    let mut nodes = 0u64;

    // Off → on: Y, {a} ∪ Y, {b} ∪ Y.
    buffers.pool(t, (a, b), false);
    let table = Table::new(
        &buffers.pool,
        &buffers.pooled,
        t,
        k,
        thresholds.iter().map(|&x| x.max(1)).collect(),
    );
    let zeros = vec![0i64; t];
    let cases: [(&[i64], Option<u32>, usize); 3] = [(&zeros, None, k), (&ea, Some(a), k - 1), (&eb, Some(b), k - 1)];
    let mut used = 0u64;
    let mut false_positive = HalfVerdict::Certified;
    for (base, with, ell) in cases {
        let problem = Problem {
            base,
            thresholds: &thresholds,
            need: v,
            ell,
        };
        match search(&table, &problem, config.budget, &mut used) {
            Found::Set(mut active) => {
                active.extend(with);
                false_positive = verified(network, instance, j, Half::FalsePositive, active, scratch, out)?;
                break;
            }
            Found::Exhausted => false_positive = HalfVerdict::Undecided,
            Found::None => {}
        }
    }
    nodes += used;

    // On → off: {a, b} ∪ Y, in the negated sense.
    buffers.pool(t, (a, b), true);
    let base: Vec<i64> = ea.iter().zip(&eb).map(|(&x, &y)| -(x + y)).collect();
    let flipped: Vec<i64> = thresholds.iter().map(|&x| 1 - x).collect();
    let norm = flipped.iter().zip(&base).map(|(&x, &s)| (x - s).max(1)).collect();
    let table = Table::new(&buffers.pool, &buffers.pooled, t, k - 2, norm);
    let problem = Problem {
        base: &base,
        thresholds: &flipped,
        need: (t + 1).saturating_sub(v),
        ell: k - 2,
    };
    let mut used = 0u64;
    let false_negative = match search(&table, &problem, config.budget, &mut used) {
        Found::Set(mut active) => {
            active.extend([a, b]);
            verified(network, instance, j, Half::FalseNegative, active, scratch, out)?
        }
        Found::Exhausted => HalfVerdict::Undecided,
        Found::None => HalfVerdict::Certified,
    };
    nodes += used;
    Ok(OutputCertificate {
        false_positive,
        false_negative,
        nodes,
    })
}

/// The counterexample `active` for output j, after exact evaluation confirms the network gets j
/// wrong on it in the way `half` says.
fn verified<N: Network>(
    network: &N,
    instance: &And2Instance,
    j: usize,
    half: Half,
    mut active: Vec<u32>,
    scratch: &mut N::Scratch,
    out: &mut Vec<u32>,
) -> Result<HalfVerdict> {
    active.sort_unstable();
    let (a, b) = instance.pairs()[j];
    let truth = active.binary_search(&a).is_ok() && active.binary_search(&b).is_ok();
    network.evaluate(&active, scratch, out);
    let on = out.binary_search(&(j as u32)).is_ok();
    let expected = match half {
        Half::FalsePositive => on && !truth,
        Half::FalseNegative => !on && truth,
    };
    if !expected {
        return Err(invalid(
            "network",
            "additive rows",
            format!(
                "the rows predict a {} of output {j} on inputs {active:?}, but the network's exact evaluation \
                 has it {}: the rows are not the network's",
                half.as_str(),
                if on { "on" } else { "off" }
            ),
        ));
    }
    Ok(HalfVerdict::Counterexample { active })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::constructions::and2::{And2Network, And2Params};
    use crate::constructions::export::{ExportInfo, from_and2};
    use crate::results::Resources;

    /// Per output and half, what enumeration of every set of at most k active inputs finds:
    /// how many sets get that half wrong, and the first of them (lexicographic order).
    #[derive(Debug, Default, Clone)]
    struct Truths {
        wrong: [usize; 2],
        first: [Option<Vec<u32>>; 2],
    }

    fn enumerate<N: Network>(network: &N, instance: &And2Instance, k: usize) -> Vec<Truths> {
        let mut truths = vec![Truths::default(); instance.outputs()];
        let mut scratch = N::Scratch::default();
        let mut out = Vec::new();
        let mut set = Vec::new();
        fn walk(next: u32, m: u32, k: usize, set: &mut Vec<u32>, visit: &mut dyn FnMut(&[u32])) {
            visit(set);
            if set.len() == k {
                return;
            }
            for x in next..m {
                set.push(x);
                walk(x + 1, m, k, set, visit);
                set.pop();
            }
        }
        walk(0, instance.inputs() as u32, k, &mut set, &mut |active| {
            network.evaluate(active, &mut scratch, &mut out);
            for (j, &(a, b)) in instance.pairs().iter().enumerate() {
                let truth = active.contains(&a) && active.contains(&b);
                let on = out.binary_search(&(j as u32)).is_ok();
                if on != truth {
                    let half = usize::from(truth);
                    let t = &mut truths[j];
                    t.wrong[half] += 1;
                    t.first[half].get_or_insert_with(|| active.to_vec());
                }
            }
        });
        truths
    }

    /// Whether `active` really gets output j wrong in `half`, by the network's evaluation.
    fn really_wrong<N: Network>(network: &N, instance: &And2Instance, j: usize, half: Half, active: &[u32]) -> bool {
        let mut out = Vec::new();
        network.evaluate(active, &mut N::Scratch::default(), &mut out);
        let (a, b) = instance.pairs()[j];
        let truth = active.contains(&a) && active.contains(&b);
        let on = out.binary_search(&(j as u32)).is_ok();
        active.len() <= 4 && on != truth && (half == Half::FalseNegative) == truth
    }

    /// Certificate and enumeration agree output by output and half by half, with no output
    /// undecided; returns the refuted halves.
    fn assert_agrees<N: Network>(network: &N, instance: &And2Instance, k: usize, label: &str) -> usize {
        let config = CertifyConfig { k, budget: 50_000_000 };
        let certificate = certify(network, instance, &config).unwrap();
        let truths = enumerate(network, instance, k);
        let mut refuted = 0;
        for (j, (o, t)) in certificate.outputs.iter().zip(&truths).enumerate() {
            for (x, half) in HALVES.into_iter().enumerate() {
                match o.half(half) {
                    HalfVerdict::Certified => assert_eq!(
                        t.wrong[x],
                        0,
                        "{label}: output {j} {} certified, but {:?} gets it wrong",
                        half.as_str(),
                        t.first[x]
                    ),
                    HalfVerdict::Counterexample { active } => {
                        assert!(
                            t.wrong[x] > 0,
                            "{label}: output {j} refuted by {active:?}, enumeration finds none"
                        );
                        assert!(active.len() <= k && active.windows(2).all(|w| w[0] < w[1]));
                        assert!(
                            really_wrong(network, instance, j, half, active),
                            "{label}: {j} {active:?}"
                        );
                        refuted += 1;
                    }
                    HalfVerdict::Undecided => panic!("{label}: output {j} {} undecided", half.as_str()),
                }
            }
        }
        refuted
    }

    /// Every verdict equals exhaustive enumeration's on AS-2AND at m = m′ = 24…48, k = 3 and 4,
    /// narrow widths (real errors of both halves) and wide ones (few or none), and m < m′. Fails
    /// if the search prunes a set it must not (certified with an enumerated error: e.g. the
    /// per-row bound without its ℓ-th term, or the fractional bound without max(1, N/d)), if it
    /// reports a set that is not wrong, or if a bound is so loose that the budget runs out.
    #[test]
    fn verdicts_equal_exhaustive_enumeration_on_as_2and() {
        let mut refuted = [0usize; 2];
        for (m, m_prime, k, widths, seed) in [
            (48, 48, 4, &[24usize, 40, 160][..], 3u64),
            (36, 36, 3, &[20, 60, 200][..], 5),
            (24, 40, 4, &[30, 300][..], 7),
        ] {
            let instance = And2Instance::random(m, m_prime, PairDistribution::Uniform, seed).unwrap();
            for (x, &width) in widths.iter().enumerate() {
                let net = And2Network::build(&instance, And2Params::defaults(m_prime, width, seed + x as u64)).unwrap();
                let n = assert_agrees(
                    &net,
                    &instance,
                    k,
                    &format!("m = {m}, m′ = {m_prime}, k = {k}, n = {width}"),
                );
                refuted[usize::from(x + 1 == widths.len())] += n;
            }
        }
        assert!(refuted[0] > 0, "the narrow networks have errors: the test can fail");
        eprintln!("refuted halves: narrow {}, wide {}", refuted[0], refuted[1]);
    }

    /// At the worst-case check's constants too (θ = 1 or ¾ or 15/16, τ = 1 or ½, centering off or
    /// on, n_in = 2n): every verdict equals enumeration's, so the sparse `row_shares` and the
    /// pools that leave out inputs that cannot help are exact; and [`certify_all`] says
    /// "certified" exactly when every output is, stopping at the first output (most crowded
    /// first) that is not.
    #[test]
    fn verdicts_equal_enumeration_at_other_firing_levels_and_the_sweep_agrees() {
        let mut refuted = 0;
        let mut certified_networks = 0;
        for (fire, tau, centering, ratio, k) in [
            (1.0, 1.0, false, 2, 4),
            (0.75, 1.0, true, 1, 3),
            (0.9375, 0.5, true, 1, 4),
            (0.0625, 0.5, false, 1, 3),
        ] {
            let instance = And2Instance::random(36, 36, PairDistribution::Uniform, 11).unwrap();
            for width in [24usize, 60, 400] {
                let params = And2Params {
                    input_width: ratio * width,
                    tau,
                    centering,
                    fire,
                    ..And2Params::defaults(36, width, 5)
                };
                let net = And2Network::build(&instance, params).unwrap();
                let label = format!("θ = {fire}, τ = {tau}, centering {centering}, n = {width}, k = {k}");
                refuted += assert_agrees(&net, &instance, k, &label);
                let config = CertifyConfig { k, budget: 50_000_000 };
                let full = certify(&net, &instance, &config).unwrap();
                let sweep = certify_all(&net, &instance, &config).unwrap();
                let rows = net.additive().unwrap();
                let load = |j: usize| -> usize { rows.output_rows(j).iter().map(|&r| rows.row_load(r as usize)).sum() };
                let first = (0..36)
                    .filter(|&j| !full.outputs[j].certified())
                    .min_by_key(|&j| (std::cmp::Reverse(load(j)), j));
                assert_eq!(sweep.first_failure.as_ref().map(|f| f.0 as usize), first, "{label}");
                if let Some((j, verdict)) = &sweep.first_failure {
                    assert_eq!(verdict, &full.outputs[*j as usize], "{label}");
                } else {
                    certified_networks += 1;
                    assert_eq!(sweep.outputs, 36, "{label}");
                }
            }
        }
        assert!(
            refuted > 0 && certified_networks > 0,
            "both outcomes occur: {refuted} refuted halves, {certified_networks} certified networks"
        );
    }

    /// A hand-built network with additive rows whose exact evaluation is its rows' definition:
    /// output j reads its own rows and is on iff `votes` of them reach their thresholds.
    struct Toy {
        inputs: usize,
        /// shares[r][i].
        shares: Vec<Vec<i64>>,
        thresholds: Vec<i64>,
        output_rows: Vec<Vec<u32>>,
        row_outputs: Vec<Vec<u32>>,
        votes: usize,
    }

    impl Toy {
        /// Output j = pair (2j, 2j + 1) on two rows of its own where each endpoint shares 30 and
        /// the threshold is 60, v = 2: correct on every input. Output 0 has two more rows,
        /// which its endpoints do not feed.
        fn correct(outputs: usize) -> Self {
            let inputs = 2 * outputs;
            let mut toy = Toy {
                inputs,
                shares: Vec::new(),
                thresholds: Vec::new(),
                output_rows: vec![Vec::new(); outputs],
                row_outputs: Vec::new(),
                votes: 2,
            };
            for j in 0..outputs {
                for _ in 0..2 + 2 * usize::from(j == 0) {
                    let r = toy.shares.len();
                    let mut row = vec![0i64; inputs];
                    if toy.output_rows[j].len() < 2 {
                        row[2 * j] = 30;
                        row[2 * j + 1] = 30;
                    }
                    toy.shares.push(row);
                    toy.thresholds.push(60);
                    toy.output_rows[j].push(r as u32);
                    toy.row_outputs.push(vec![j as u32]);
                }
            }
            toy
        }

        fn instance(&self) -> And2Instance {
            let pairs = (0..self.output_rows.len() as u32).map(|j| (2 * j, 2 * j + 1)).collect();
            And2Instance::new(self.inputs, pairs).unwrap()
        }
    }

    impl AdditiveRows for Toy {
        fn output_rows(&self, output: usize) -> &[u32] {
            &self.output_rows[output]
        }
        fn row_outputs(&self, row: usize) -> &[u32] {
            &self.row_outputs[row]
        }
        fn row_load(&self, row: usize) -> usize {
            self.shares[row].iter().filter(|&&s| s > 0).count()
        }
        fn share(&self, row: usize, input: usize) -> i64 {
            self.shares[row][input]
        }
        fn threshold(&self, row: usize) -> i64 {
            self.thresholds[row]
        }
        fn votes_needed(&self) -> usize {
            self.votes
        }
    }

    impl Network for Toy {
        type Scratch = ();
        fn inputs(&self) -> usize {
            self.inputs
        }
        fn outputs(&self) -> usize {
            self.output_rows.len()
        }
        fn resources(&self) -> Resources {
            Resources {
                input_width: self.inputs,
                hidden_width: self.shares.len(),
                extra_neurons: 0,
                neurons: self.inputs + self.shares.len(),
                parameters: 0,
                parameter_bits: 0,
                weight_max: 0,
                weight_denominator: 1,
            }
        }
        fn evaluate(&self, active: &[u32], _: &mut (), out: &mut Vec<u32>) {
            out.clear();
            for (j, rows) in self.output_rows.iter().enumerate() {
                let fired = rows
                    .iter()
                    .filter(|&&r| {
                        let sum: i64 = active.iter().map(|&i| self.shares[r as usize][i as usize]).sum();
                        sum >= self.thresholds[r as usize]
                    })
                    .count();
                if fired >= self.votes {
                    out.push(j as u32);
                }
            }
        }
        fn additive(&self) -> Option<&dyn AdditiveRows> {
            Some(self)
        }
    }

    /// Crafted networks with exactly one bad input among every 4-sparse one (checked by
    /// enumeration): a false positive (four inputs of other pairs sharing 15 on output 0's two
    /// spare rows: only all four reach 60 on both) and a false negative (two inputs sharing −2
    /// on output 3's rows, where its endpoints reach 61 of 60: only with both does it drop
    /// below). The certifier must find exactly that set and certify every other half; a search
    /// that stops at three inputs, or a bound that drops the fourth input's share, misses it.
    #[test]
    fn finds_the_one_bad_input_of_crafted_networks() {
        let mut toy = Toy::correct(12);
        let instance = toy.instance();
        let certificate = certify(
            &toy,
            &instance,
            &CertifyConfig {
                k: 4,
                budget: 1_000_000,
            },
        )
        .unwrap();
        assert_eq!(
            certificate.output_counts().certified,
            12,
            "the uncrafted toy is correct"
        );
        let bad_fp = [4u32, 9, 14, 19];
        for &c in &bad_fp {
            toy.shares[2][c as usize] = 15;
            toy.shares[3][c as usize] = 15;
        }
        let bad_fn = [6u32, 7, 16, 21];
        let rows3 = toy.output_rows[3].clone();
        for r in rows3 {
            toy.shares[r as usize][6] = 31;
            toy.shares[r as usize][7] = 31;
            toy.shares[r as usize][16] = -2;
            toy.shares[r as usize][21] = -1;
        }
        let truths = enumerate(&toy, &instance, 4);
        let wrong: Vec<(usize, [usize; 2])> = truths
            .iter()
            .enumerate()
            .filter(|(_, t)| t.wrong != [0, 0])
            .map(|(j, t)| (j, t.wrong))
            .collect();
        assert_eq!(wrong, vec![(0, [1, 0]), (3, [0, 1])], "one bad input per crafted half");
        let certificate = certify(
            &toy,
            &instance,
            &CertifyConfig {
                k: 4,
                budget: 1_000_000,
            },
        )
        .unwrap();
        for (j, o) in certificate.outputs.iter().enumerate() {
            let expected = match j {
                0 => (
                    HalfVerdict::Counterexample {
                        active: bad_fp.to_vec(),
                    },
                    HalfVerdict::Certified,
                ),
                3 => (
                    HalfVerdict::Certified,
                    HalfVerdict::Counterexample {
                        active: bad_fn.to_vec(),
                    },
                ),
                _ => (HalfVerdict::Certified, HalfVerdict::Certified),
            };
            assert_eq!(
                (o.false_positive.clone(), o.false_negative.clone()),
                expected,
                "output {j}"
            );
        }
        let result = certificate.result("toy", 24, 0.0);
        assert_eq!(result.counterexamples.len(), 2);
        assert_eq!(
            (
                result.outputs_verdicts.certified,
                result.outputs_verdicts.counterexample
            ),
            (10, 2)
        );
        // At k = 3 neither crafted set fits: everything is certified.
        let k3 = certify(
            &toy,
            &instance,
            &CertifyConfig {
                k: 3,
                budget: 1_000_000,
            },
        )
        .unwrap();
        assert_eq!(k3.output_counts().certified, 12);
    }

    /// With a tiny budget some halves are undecided, never wrongly certified or refuted; and
    /// the verdicts do not depend on the thread count.
    #[test]
    fn a_small_budget_leaves_outputs_undecided_never_wrong() {
        let instance = And2Instance::random(40, 40, PairDistribution::Uniform, 11).unwrap();
        let net = And2Network::build(&instance, And2Params::defaults(40, 60, 11)).unwrap();
        let truths = enumerate(&net, &instance, 4);
        let small = certify(&net, &instance, &CertifyConfig { k: 4, budget: 3 }).unwrap();
        assert!(
            small.counts(Half::FalsePositive).undecided > 0,
            "{:?}",
            small.counts(Half::FalsePositive)
        );
        for (o, t) in small.outputs.iter().zip(&truths) {
            for (x, half) in HALVES.into_iter().enumerate() {
                match o.half(half) {
                    HalfVerdict::Certified => assert_eq!(t.wrong[x], 0),
                    HalfVerdict::Counterexample { .. } => assert!(t.wrong[x] > 0),
                    HalfVerdict::Undecided => {}
                }
            }
            assert!(o.nodes <= 6, "{}", o.nodes);
        }
        let config = CertifyConfig { k: 4, budget: 100_000 };
        let many = certify(&net, &instance, &config).unwrap();
        let part = certify_range(&net, &instance, &config, 10..20).unwrap();
        assert_eq!(part, many.outputs[10..20]);
        assert!(certify_range(&net, &instance, &config, 30..41).is_err());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let one = pool.install(|| certify(&net, &instance, &config).unwrap());
        assert_eq!(many, one);
    }

    /// The exported file's rows certify exactly as the construction's own rows do.
    #[test]
    fn a_file_certifies_as_its_construction() {
        let instance = And2Instance::random(48, 48, PairDistribution::Uniform, 3).unwrap();
        // The defaults, and θ = 1, τ = 1, uncentered, n_in = 2n: the export's bias carries θ.
        let other = And2Params {
            input_width: 80,
            tau: 1.0,
            centering: false,
            fire: 1.0,
            ..And2Params::defaults(48, 40, 4)
        };
        for params in [And2Params::defaults(48, 40, 4), other] {
            let net = And2Network::build(&instance, params).unwrap();
            let file = from_and2(&net, &instance, &ExportInfo::default()).unwrap();
            let config = CertifyConfig {
                k: 4,
                budget: 1_000_000,
            };
            let direct = certify(&net, &instance, &config).unwrap().result("net", 48, 0.0);
            let mut read = certify_file(&file, "net", &config).unwrap();
            read.seconds = 0.0;
            assert_eq!(read.outputs_verdicts, direct.outputs_verdicts, "{params:?}");
            assert_eq!(read.false_positive, direct.false_positive);
            assert_eq!(read.false_negative, direct.false_negative);
            assert_eq!(read.undecided, direct.undecided);
            assert!(read.false_positive.counterexample + read.false_negative.counterexample > 0);
        }
    }

    #[test]
    fn bad_configurations_are_refused_by_name() {
        let instance = And2Instance::random(20, 20, PairDistribution::Uniform, 1).unwrap();
        let net = And2Network::build(&instance, And2Params::defaults(20, 40, 1)).unwrap();
        for (config, says) in [
            (CertifyConfig { k: 1, budget: 10 }, "k ≥ 2"),
            (CertifyConfig { k: 21, budget: 10 }, "k ≤ 20"),
            (CertifyConfig { k: 4, budget: 0 }, "at least 1 node"),
        ] {
            let err = certify(&net, &instance, &config).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
        let other = And2Instance::random(20, 21, PairDistribution::Uniform, 1).unwrap();
        assert!(certify(&net, &other, &CertifyConfig { k: 4, budget: 10 }).is_err());
    }
}
