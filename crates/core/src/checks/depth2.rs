//! Check `depth-2`: two AS-2AND layers composed (SPEC §3 step 6; issue 5 item 5), with and
//! without a threshold between them; the construction is [`crate::constructions::depth2`].
//!
//! At each size m′ (= m′₁ layer-1 pairs = m′₂ layer-2 gates, m = m′ inputs; layer 1 is the
//! seed-0 instance of `and2-upper`, so its n* applies) two circuits are measured: **4-AND**
//! (every gate an AND of two layer-1 pairs) and **AND/OR** (each gate an OR with probability
//! `or_fraction`). Samples: k-sparse inputs from [`crate::constructions::depth2::sample_circuit_active`]
//! (half plant a whole gate, half plant ⌊k/2⌋ layer-1 pairs). On a grid of layer-1 widths
//! n₁ = f₁·n* and layer-2 widths n₂ = f₂·n*, every sample is evaluated once through layer 1
//! and three ways through layer 2, with common random numbers across the grid:
//! - f₁: some layer-1 output wrong;
//! - f₂ (*ideal*): layer 2 fed the interference-free vector of the true layer-1 outputs,
//!   i.e. layer 2 measured as an independent first layer;
//! - f (*threshold*): some gate wrong when layer 2 reads 1[h₁ ≥ ½];
//! - f (*raw*): some gate wrong when layer 2 reads the ReLU activations h₁;
//! - and, for both, the samples where layer 1 is right but a gate is wrong.
//!
//! Compounding is read against independent layers, 1 − (1 − f₁)(1 − f₂). The minimal layer-2
//! width n₂* at which layer 2 adds failure ≤ δ (with the threshold, layer 1 at n*, 4-AND) is
//! searched and set against n*.
//!
//! **Criterion** (stated before any run of it; issue 10 item 3): the grid is measured on the
//! *selection* samples (stream "depth2-samples"). At every size and for both circuits, the
//! grid point with n₁ ≤ `max_factor`·n* and n₂ ≤ `max_factor`·n* (default 2) that has the
//! fewest depth-2 failures with the intermediate threshold on the selection samples (ties to
//! the smaller n₁·n₂) is *judged* on fresh samples (stream "depth2-fresh", as many): PASS iff at
//! every size and for both circuits the upper end of the fresh failure's 95 % Wilson interval
//! is ≤ δ. Why the upper bound and not the point estimate: the claim is that *some* point within
//! the factor is exact at failure ≤ δ, and a PASS should mean that the fresh samples show it
//! (at 95 %), not that an estimate happened to land below δ; the selection picks the point
//! likeliest to show it, and because it is picked on other samples its fresh failure is not
//! biased by the choice. (The previous criterion passed if any of the grid points had failures
//! ≤ ⌊δ·samples⌋ on the very samples that chose it.)
//!
//! Reported, not judged: the smallest passing point (fewest n₁·n₂ with selection failures
//! ≤ ⌊δ·samples⌋, the economy figure) with its fresh failure too, and the variant without the
//! threshold.
//!
//! **Negative control** (`--negative-controls`): layer 2 wired to the wrong layer-1 outputs —
//! built for the circuit whose every gate reads layer-1 outputs (left + 1, right + 1) mod m′
//! ([`miswired`]), judged against the true circuit. A correct check FAILs: the gates read
//! unrelated pairs.

use std::sync::Arc;

use rayon::prelude::*;

use super::{And2Widths, Runner, deferrable, status};
use crate::constructions::and2::{And2Network, And2Params};
use crate::constructions::depth2::{
    Circuit, CircuitTruth, Depth2Network, Depth2Scratch, Gate, Intermediate, Layer2Params, sample_circuit_active,
};
use crate::error::Result;
use crate::evaluate::eval::{CHUNK, ROUND};
use crate::evaluate::search::min_width;
use crate::results::{CheckResult, FailureRate, Record};
use crate::rng::{derive_seed, stream};
use crate::stats::failure_rate;
use superposition_schema::checks::CheckDetail;

pub use superposition_schema::checks::depth2::*;

/// Failure counts of one grid point.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    samples: u64,
    layer1: u64,
    ideal: u64,
    threshold: u64,
    raw: u64,
    threshold_layer2: u64,
    raw_layer2: u64,
    gates_on: u64,
}

impl Counts {
    fn add(self, o: Self) -> Self {
        Self {
            samples: self.samples + o.samples,
            layer1: self.layer1 + o.layer1,
            ideal: self.ideal + o.ideal,
            threshold: self.threshold + o.threshold,
            raw: self.raw + o.raw,
            threshold_layer2: self.threshold_layer2 + o.threshold_layer2,
            raw_layer2: self.raw_layer2 + o.raw_layer2,
            gates_on: self.gates_on + o.gates_on,
        }
    }
}

#[derive(Default)]
struct State {
    scratch: Depth2Scratch,
    active: Vec<u32>,
    l1: Vec<u32>,
    t1: Vec<u32>,
    tg: Vec<u32>,
    got: Vec<u32>,
}

/// Evaluates `samples` samples (chunks of [`CHUNK`] from streams (seed, "samples", c), so the
/// result does not depend on the thread count). `all` = false evaluates only the threshold
/// variant (for the search).
fn measure(
    net: &Depth2Network,
    circuit: &Circuit,
    truth: &CircuitTruth,
    k: usize,
    samples: u64,
    seed: u64,
    all: bool,
) -> Counts {
    let chunks = samples.div_ceil(CHUNK);
    let _ = ROUND;
    (0..chunks)
        .into_par_iter()
        .map_init(State::default, |s, c| {
            let mut rng = stream(seed, "samples", c);
            let mut counts = Counts::default();
            for _ in 0..CHUNK.min(samples - c * CHUNK) {
                sample_circuit_active(&mut rng, circuit, k, &mut s.active);
                truth.evaluate(circuit, &s.active, &mut s.t1, &mut s.tg);
                net.layer1_forward(&s.active, &mut s.scratch, &mut s.l1);
                let l1_ok = s.l1 == s.t1;
                counts.samples += 1;
                counts.gates_on += s.tg.len() as u64;
                counts.layer1 += u64::from(!l1_ok);
                net.layer2_forward(Intermediate::Threshold, &s.t1, &mut s.scratch, &mut s.got);
                let wrong = s.got != s.tg;
                counts.threshold += u64::from(wrong);
                counts.threshold_layer2 += u64::from(wrong && l1_ok);
                if all {
                    net.layer2_forward(Intermediate::Raw, &s.t1, &mut s.scratch, &mut s.got);
                    let wrong = s.got != s.tg;
                    counts.raw += u64::from(wrong);
                    counts.raw_layer2 += u64::from(wrong && l1_ok);
                    net.layer2_forward(Intermediate::Ideal, &s.t1, &mut s.scratch, &mut s.got);
                    counts.ideal += u64::from(s.got != s.tg);
                }
            }
            counts
        })
        .reduce(Counts::default, Counts::add)
}

/// The negative control's wiring: `circuit` with every gate reading layer-1 outputs
/// (left + 1, right + 1) mod m′₁ instead of (left, right), gates in the same order. A layer 2
/// built for it and judged against `circuit` reads the wrong layer-1 outputs. The shift is a
/// bijection on pairs, so the gates stay distinct.
pub fn miswired(circuit: &Circuit) -> Result<Circuit> {
    let m1 = circuit.layer1().outputs() as u32;
    let gates = circuit
        .gates()
        .iter()
        .map(|g| Gate {
            left: (g.left + 1) % m1,
            right: (g.right + 1) % m1,
            kind: g.kind,
        })
        .collect();
    Circuit::new(circuit.layer1().clone(), gates)
}

/// One grid point as the selection saw it.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    f1: f64,
    f2: f64,
    n1: usize,
    n2: usize,
    selection: FailureRate,
}

/// The point judged on fresh samples: within `max_factor` on both layers, the fewest
/// selection failures, ties to the smaller f₁·f₂ (then the earlier point).
fn judged_point(points: &[Candidate], max_factor: f64) -> Option<Candidate> {
    let mut best: Option<Candidate> = None;
    for &p in points.iter().filter(|p| p.f1 <= max_factor && p.f2 <= max_factor) {
        let key = |c: &Candidate| (c.selection.failures, c.f1 * c.f2);
        if best.is_none_or(|b| key(&p) < key(&b)) {
            best = Some(p);
        }
    }
    best
}

/// The economy figure: within `max_factor`, the smallest f₁·f₂ with selection failures
/// ≤ `allowed` (then the earlier point).
fn smallest_passing(points: &[Candidate], max_factor: f64, allowed: u64) -> Option<Candidate> {
    let mut best: Option<Candidate> = None;
    for &p in points.iter().filter(|p| p.f1 <= max_factor && p.f2 <= max_factor) {
        if p.selection.failures <= allowed && best.is_none_or(|b| p.f1 * p.f2 < b.f1 * b.f2) {
            best = Some(p);
        }
    }
    best
}

/// The pass rule at one (size, circuit): the judged point's fresh Wilson upper bound ≤ δ.
fn judged_passes(fresh: Option<FailureRate>, delta: f64) -> bool {
    fresh.is_some_and(|f| f.wilson_hi <= delta)
}

impl Runner<'_> {
    /// Check `depth-2`: see the module documentation for what is measured and the criterion.
    pub(super) fn depth2(&mut self, and2: &And2Widths) -> Result<CheckResult> {
        let c = self.config.depth2.clone();
        let delta = self.config.delta;
        let total = (c.sizes.len() * CIRCUITS.len() * c.layer1_factors.len()) as u64;
        let mut done = 0;
        let (mut pass, mut rows, mut min_widths) = (true, Vec::new(), Vec::new());
        for &log_m in &c.sizes {
            let (n_star, n_star_measured) = and2.n_star(log_m, 0);
            for (ci, &name) in CIRCUITS.iter().enumerate() {
                // One cell per (size, circuit): its grid, fresh validations and n₂* search.
                let key = format!("circuit/m=2^{log_m}/{name}/n*={n_star}");
                let outcome = self.cell(key, |runner| {
                    runner.depth2_circuit(log_m, ci, name, (n_star, n_star_measured))
                });
                done += c.layer1_factors.len() as u64;
                let Some(outcome) = deferrable(outcome)? else {
                    continue;
                };
                rows.extend(outcome.rows);
                min_widths.extend(outcome.min_widths);
                pass &= outcome.pass;
                self.observer
                    .progress("depth-2", done, total, &format!("m′ = 2^{log_m} {name}"));
            }
        }
        self.stop_if_deferred()?;
        let measured = summary(&rows, &min_widths, &c);
        Ok(CheckResult {
            status: status(pass),
            measured,
            theory: format!(
                "SPEC §3 step 6: with a threshold between stages, layers compose — the depth-2 circuit \
                 (4-AND and AND/OR) is exact at failure ≤ δ with per-layer widths ≤ {}·n*(m′) at every \
                 size: the grid point with the fewest failures on the selection samples has, on fresh \
                 samples, a 95 % Wilson upper bound ≤ δ = {delta}; without the threshold: reported, not judged",
                c.max_factor
            ),
            detail: CheckDetail::Depth2(Detail {
                delta,
                samples: c.samples,
                max_factor: c.max_factor,
                grid: rows,
                min_widths,
            }),
            seconds: 0.0,
        })
    }
}

/// One (size, circuit) of `depth-2`: a cell's value.
#[derive(serde::Serialize, serde::Deserialize)]
struct CircuitOutcome {
    rows: Vec<GridPoint>,
    min_widths: Vec<MinWidthRow>,
    pass: bool,
}

impl Runner<'_> {
    /// The grid, its fresh validations and the n₂* search of circuit `ci` at 2^`log_m` (see
    /// [`Runner::depth2`]), from `and2-upper`'s seed-0 n*.
    fn depth2_circuit(
        &mut self,
        log_m: u32,
        ci: usize,
        name: &str,
        (n_star, n_star_measured): (usize, bool),
    ) -> Result<CircuitOutcome> {
        let c = self.config.depth2.clone();
        let (k, delta) = (self.config.k, self.config.delta);
        let allowed = (delta * c.samples as f64).floor() as u64;
        let outputs = 1usize << log_m;
        let (instance, (code_seed, _)) = self.and2_instance(log_m, 0)?;
        let (mut pass, mut rows, mut min_widths) = (true, Vec::new(), Vec::new());
        let or_fraction = if ci == 0 { 0.0 } else { c.or_fraction };
        let circuit = Circuit::random(
            instance.clone(),
            outputs,
            or_fraction,
            derive_seed(self.seed, "depth2-circuit", u64::from(log_m) << 8 | ci as u64),
        )?;
        let truth = CircuitTruth::new(&circuit);
        // What layer 2 is built for: the circuit, or under the control its miswiring.
        let wiring = if self.control {
            miswired(&circuit)?
        } else {
            circuit.clone()
        };
        let key = u64::from(log_m) << 8 | ci as u64;
        let sample_seed = derive_seed(self.seed, "depth2-samples", key);
        let fresh_seed = derive_seed(self.seed, "depth2-fresh", key);
        let layer2_seed = derive_seed(self.seed, "depth2-layer2", key);
        let t2 = Layer2Params::defaults(outputs, 1, 0).t_out;
        let mut candidates = Vec::new();
        for &f1 in &c.layer1_factors {
            let n1 = ((n_star as f64 * f1).round() as usize).max(t2 + 1);
            let layer1 = Arc::new(And2Network::build(
                &instance,
                And2Params::defaults(outputs, n1, code_seed),
            )?);
            self.tally_sanity(&instance, &layer1.resources());
            for &f2 in &c.layer2_factors {
                let n2 = ((n_star as f64 * f2).round() as usize).max(2 * t2 + 2);
                let net = Depth2Network::build(
                    &wiring,
                    layer1.clone(),
                    Layer2Params::defaults(outputs, n2, layer2_seed),
                )?;
                let counts = measure(&net, &circuit, &truth, k, c.samples, sample_seed, true);
                let rate = |x| failure_rate(x, counts.samples);
                let (l1, ideal, thr) = (rate(counts.layer1), rate(counts.ideal), rate(counts.threshold));
                let predicted = 1.0 - (1.0 - l1.rate) * (1.0 - ideal.rate);
                candidates.push(Candidate {
                    f1,
                    f2,
                    n1,
                    n2,
                    selection: thr,
                });
                rows.push(GridPoint {
                    circuit: name.into(),
                    m_prime: outputs as u64,
                    f1,
                    f2,
                    layer1: l1.rate,
                    ideal: ideal.rate,
                    threshold: thr.rate,
                    raw: rate(counts.raw).rate,
                    predicted,
                });
                self.emit(Record::Depth2(Depth2Record::Grid(Box::new(Depth2Grid {
                    circuit: name.into(),
                    m_prime: outputs as u64,
                    or_gates: circuit.or_gates() as u64,
                    n_star,
                    n_star_measured,
                    layer1_factor: f1,
                    layer2_factor: f2,
                    layer1_width: n1,
                    layer2_width: n2,
                    layer1: l1,
                    ideal,
                    threshold: thr,
                    raw: rate(counts.raw),
                    threshold_layer2: rate(counts.threshold_layer2),
                    raw_layer2: rate(counts.raw_layer2),
                    predicted,
                    mean_gates_on: counts.gates_on as f64 / counts.samples as f64,
                    layer1_resources: layer1.resources(),
                    layer2_resources: net.layer2_resources(),
                    total_neurons: net.total_neurons(),
                }))));
            }
        }
        // The judged point and the economy point, measured again on fresh samples.
        let judged = judged_point(&candidates, c.max_factor);
        let best = smallest_passing(&candidates, c.max_factor, allowed);
        let mut fresh = |p: Candidate| -> Result<Validated> {
            let layer1 = Arc::new(And2Network::build(
                &instance,
                And2Params::defaults(outputs, p.n1, code_seed),
            )?);
            let net = Depth2Network::build(&wiring, layer1, Layer2Params::defaults(outputs, p.n2, layer2_seed))?;
            let counts = measure(&net, &circuit, &truth, k, c.samples, fresh_seed, false);
            let validated = Validated {
                f1: p.f1,
                f2: p.f2,
                selection: p.selection,
                fresh: failure_rate(counts.threshold, counts.samples),
            };
            self.emit(Record::Depth2(Depth2Record::Fresh {
                circuit: name.into(),
                m_prime: outputs as u64,
                layer1_width: p.n1,
                layer2_width: p.n2,
                point: validated,
            }));
            Ok(validated)
        };
        let judged = judged.map(&mut fresh).transpose()?;
        let best_fresh = match best {
            Some(b) if judged.is_some_and(|j| (j.f1, j.f2) == (b.f1, b.f2)) => judged.map(|j| j.fresh),
            Some(b) => Some(fresh(b)?.fresh),
            None => None,
        };
        pass &= judged_passes(judged.map(|j| j.fresh), delta);
        // n₂*: layer 1 at n*, the threshold, layer 2 adding failure ≤ δ.
        let layer1 = Arc::new(And2Network::build(
            &instance,
            And2Params::defaults(outputs, n_star.max(t2 + 1), code_seed),
        )?);
        let mut found = std::collections::BTreeMap::new();
        let search = min_width(n_star, 2 * t2 + 2, 16 * n_star + 64, self.config.precision, |n2| {
            let net = Depth2Network::build(
                &wiring,
                layer1.clone(),
                Layer2Params::defaults(outputs, n2, layer2_seed),
            )?;
            let counts = measure(&net, &circuit, &truth, k, c.samples, sample_seed, false);
            found.insert(n2, counts);
            Ok(counts.threshold_layer2 <= allowed)
        });
        let min = match search {
            Ok(outcome) => {
                let counts = found[&outcome.width];
                let (failure, total) = (
                    failure_rate(counts.threshold_layer2, counts.samples),
                    failure_rate(counts.threshold, counts.samples),
                );
                self.emit(Record::Depth2(Depth2Record::MinWidth {
                    circuit: name.into(),
                    m_prime: outputs as u64,
                    n_star,
                    layer1_width: layer1.params().hidden_width,
                    layer2_width: outcome.width,
                    failure,
                    total,
                }));
                Some(outcome.width)
            }
            Err(crate::error::Error::SearchFailed(_)) => None,
            Err(e) => return Err(e),
        };
        min_widths.push(MinWidthRow {
            circuit: name.into(),
            m_prime: outputs as u64,
            n_star,
            n_star_measured,
            layer2_min_width: min,
            ratio: min.map(|w| w as f64 / n_star as f64),
            best_passing: best.map(|b| BestPassing {
                f1: b.f1,
                f2: b.f2,
                rate: b.selection.rate,
            }),
            best_passing_fresh: best_fresh,
            judged,
        });
        Ok(CircuitOutcome { rows, min_widths, pass })
    }
}

/// The printed figure: the smallest passing grid point per size, compounding at n₁ = n₂ = n*
/// for the 4-AND circuit, and n₂*/n*.
fn summary(rows: &[GridPoint], min_widths: &[MinWidthRow], c: &Depth2Config) -> String {
    let mut parts = Vec::new();
    for m in min_widths {
        let passing = match &m.best_passing {
            None => "none ≤ δ".to_string(),
            // `{:?}`: factors print as JSON numbers do (1.0), as this line always has.
            Some(best) => format!("≤ δ at ({:?}, {:?})·n*", best.f1, best.f2),
        };
        let ratio = m.ratio.map_or("—".to_string(), |r| format!("{r:.2}"));
        let judged = match &m.judged {
            None => "judged: none".to_string(),
            Some(j) => format!(
                "judged ({:?}, {:?})·n*: fresh {}/{} [{:.3}, {:.3}]",
                j.f1, j.f2, j.fresh.failures, j.fresh.samples, j.fresh.wilson_lo, j.fresh.wilson_hi
            ),
        };
        parts.push(format!(
            "2^{} {}: {judged}; selection {passing}, n₂*/n* {ratio}",
            m.m_prime.trailing_zeros(),
            m.circuit
        ));
    }
    let at_n_star: Vec<String> = rows
        .iter()
        .filter(|r| r.circuit == "4-and" && r.f1 == 1.0 && r.f2 == 1.0)
        .map(|r| {
            format!(
                "2^{}: f₁ {:.3}, f₂ {:.3} → predicted {:.3}, threshold {:.3}, raw {:.3}",
                r.m_prime.trailing_zeros(),
                r.layer1,
                r.ideal,
                r.predicted,
                r.threshold,
                r.raw,
            )
        })
        .collect();
    let _ = c;
    format!(
        "{}; 4-AND at n₁ = n₂ = n*: {}",
        parts.join("; "),
        if at_n_star.is_empty() {
            "(not on the grid)".to_string()
        } else {
            at_n_star.join("; ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scale;

    #[test]
    fn configs_validate_and_bad_ones_are_refused() {
        for scale in [Scale::Quick, Scale::Standard, Scale::Full] {
            Depth2Config::new(scale).validate().unwrap();
        }
        let d = Depth2Config::default;
        let c = Depth2Config { sizes: vec![30], ..d() };
        assert!(c.validate().is_err());
        let c = Depth2Config {
            layer2_factors: vec![],
            ..d()
        };
        assert!(c.validate().is_err());
        let c = Depth2Config { max_factor: 0.1, ..d() };
        assert!(c.validate().unwrap_err().to_string().contains("criterion"));
        let partial: Depth2Config = serde_json::from_str(r#"{"sizes": [9]}"#).unwrap();
        assert_eq!(partial.samples, Depth2Config::default().samples);
    }

    fn candidate(f1: f64, f2: f64, failures: u64) -> Candidate {
        Candidate {
            f1,
            f2,
            n1: 0,
            n2: 0,
            selection: failure_rate(failures, 400),
        }
    }

    #[test]
    fn the_judged_point_has_the_fewest_selection_failures_within_the_factor() {
        let grid = [
            candidate(1.0, 0.5, 12),
            candidate(1.0, 1.0, 3),
            candidate(2.0, 0.5, 3),
            candidate(2.0, 2.0, 1),
            candidate(4.0, 4.0, 0),
        ];
        let judged = judged_point(&grid, 2.0).unwrap();
        assert_eq!((judged.f1, judged.f2), (2.0, 2.0));
        // Ties go to the smaller f₁·f₂, then the earlier point.
        let judged = judged_point(&grid[..3], 2.0).unwrap();
        assert_eq!((judged.f1, judged.f2), (1.0, 1.0));
        assert!(judged_point(&grid[4..], 2.0).is_none());
        // The economy figure: the smallest f₁·f₂ with failures ≤ ⌊δ·samples⌋ = 20.
        let best = smallest_passing(&grid, 2.0, 20).unwrap();
        assert_eq!((best.f1, best.f2), (1.0, 0.5));
        let best = smallest_passing(&grid, 2.0, 2).unwrap();
        assert_eq!((best.f1, best.f2), (2.0, 2.0));
        assert!(smallest_passing(&grid, 2.0, 0).is_none());
    }

    #[test]
    fn the_pass_rule_is_the_fresh_wilson_upper_bound() {
        let delta = 0.05;
        assert!(judged_passes(Some(failure_rate(0, 400)), delta));
        assert!(judged_passes(Some(failure_rate(8, 400)), delta));
        // 15 of 400 is a point estimate below δ, but its upper bound is above it.
        let f = failure_rate(15, 400);
        assert!(f.rate < delta && f.wilson_hi > delta);
        assert!(!judged_passes(Some(f), delta));
        assert!(!judged_passes(None, delta));
    }

    #[test]
    fn miswiring_shifts_every_gate_and_keeps_the_circuit_valid() {
        let instance =
            crate::base::instance::And2Instance::random(64, 64, crate::base::instance::PairDistribution::Uniform, 1)
                .unwrap();
        let circuit = Circuit::random(instance, 64, 0.5, 2).unwrap();
        let wrong = miswired(&circuit).unwrap();
        assert_eq!(wrong.outputs(), circuit.outputs());
        for (g, w) in circuit.gates().iter().zip(wrong.gates()) {
            let shifted = [(g.left + 1) % 64, (g.right + 1) % 64];
            assert!(shifted.contains(&w.left) && shifted.contains(&w.right) && g.kind == w.kind);
        }
    }

    /// m′ = 2⁸, both layers at 4·n* (n* the fallback 8·√(m′·log₂ m′), below the measured n*
    /// there, hence the factor), 200 samples.
    fn tiny_run(control: bool) -> CheckResult {
        let mut config = crate::checks::ScaleConfig::new(Scale::Quick, 4);
        config.depth2 = Depth2Config {
            sizes: vec![8],
            samples: 200,
            layer1_factors: vec![4.0],
            layer2_factors: vec![4.0],
            max_factor: 4.0,
            ..Depth2Config::default()
        };
        let mut silent = crate::checks::Silent;
        let runner = Runner::new(config, 4, &mut silent).unwrap();
        let mut runner = if control { runner.negative_controls() } else { runner };
        runner.depth2(&And2Widths::default()).unwrap()
    }

    fn detail(result: &CheckResult) -> &Detail {
        let CheckDetail::Depth2(detail) = &result.detail else {
            panic!("depth-2 returned the detail of {}", result.id())
        };
        detail
    }

    #[test]
    fn the_miswired_control_fails_where_the_circuit_passes() {
        // The ordinary 4-AND circuit meets the pass rule at this size (the AND/OR circuit's OR
        // neurons need more layer-2 width than this test affords, so it is not asserted).
        let ordinary = tiny_run(false);
        let four = &detail(&ordinary).min_widths[0];
        assert_eq!(four.circuit, "4-and");
        assert!(
            judged_passes(four.judged.map(|j| j.fresh), 0.05),
            "{}",
            ordinary.measured
        );
        let control = tiny_run(true);
        assert_eq!(control.status, crate::results::Status::Fail, "{}", control.measured);
        let d = detail(&control);
        for row in &d.min_widths {
            let judged = row.judged.expect("the grid has points within the factor");
            assert!(judged.fresh.wilson_hi > d.delta, "{row:?}");
        }
    }

    #[test]
    fn records_serialize_as_objects_without_kind() {
        let rate = failure_rate(1, 10);
        let record = Depth2Record::MinWidth {
            circuit: "4-and".into(),
            m_prime: 256,
            n_star: 100,
            layer1_width: 100,
            layer2_width: 120,
            failure: rate,
            total: rate,
        };
        let value = serde_json::to_value(Record::Depth2(record)).unwrap();
        assert_eq!(value["kind"], "depth2");
        assert_eq!(value["measure"], "min_width");
    }

    #[test]
    fn measurement_is_reproducible_across_thread_counts() {
        let instance =
            crate::base::instance::And2Instance::random(64, 64, crate::base::instance::PairDistribution::Uniform, 1)
                .unwrap();
        let circuit = Circuit::random(instance.clone(), 64, 0.5, 2).unwrap();
        let layer1 = Arc::new(And2Network::build(&instance, And2Params::defaults(64, 300, 3)).unwrap());
        let net = Depth2Network::build(&circuit, layer1, Layer2Params::defaults(64, 300, 4)).unwrap();
        let truth = CircuitTruth::new(&circuit);
        let a = measure(&net, &circuit, &truth, 4, 200, 5, true);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| measure(&net, &circuit, &truth, 4, 200, 5, true));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(a.samples, 200);
        // Half the samples plant a gate: gates are on.
        assert!(a.gates_on >= 100, "{a:?}");
    }
}
