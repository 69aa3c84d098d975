//! Check `influence`: the input channel for high-influence inputs (SPEC §3 step 5).
//!
//! For each size m′ (m = m′ inputs, as `and2-upper`) and each instance type — uniform (the
//! baseline), Zipf-skewed endpoints (exponent a parameter) and a star (one hub input in
//! c·√m′ pairs) — the check compares plain AS-2AND at hidden width N (input width N) with the
//! input-channel construction of [`crate::constructions::channel`] at the same input width N and the same
//! total hidden width N (shared channel + blocks; inputs of influence > θ = √m′ get a block;
//! block rows centered like AS-2AND rows unless `block_centering` is off, which the measured
//! line states).
//! Both are measured on the same planted k-sparse samples (common random numbers):
//! - the minimal width n* at failure ≤ δ of each (binary search, capped at a multiple of the
//!   reference width n_ref, the `and2-upper` n* of the size or its fallback);
//! - the plain construction's failure at the channel's n* (full sample count, Wilson interval);
//! - a sweep of failure against total width, on one grid of multiples of n_ref for both.
//!
//! **Criterion** (fixed before any standard-scale run): PASS iff, at every size,
//! (a) on the Zipf and the star instance the channel construction reaches failure ≤ δ within
//! the cap and plain AS-2AND at that same total width fails with the lower end of its 95 %
//! Wilson interval above δ; and (b) on the uniform instance the channel's n* is at most
//! `uniform_cost_factor` (1.1) times plain n*. With θ = √m′ a uniform instance (influence
//! about Poisson(2)) usually has no heavy input, and the channel network is then plain AS-2AND
//! itself, so (b) holds with ratio 1; the report says which case occurred.
//!
//! **Negative control** (`--negative-controls`): the same instances, searches and criterion,
//! with the input channel switched off — θ set above every input's influence, so no input
//! gets a block and the "channel" network is plain AS-2AND itself. On the Zipf and star
//! instances its n* is then plain's, and plain at that width fails at most ⌊δ·samples⌋ of the
//! samples (the search stopped there), so its Wilson lower bound is below δ and (a) fails.

use super::{And2Widths, Runner, deferrable, status};
use crate::base::instance::{And2Instance, PairDistribution};
use crate::base::sample::InputDistribution;
use crate::constructions::and2::And2Network;
use crate::constructions::channel::{ChannelNetwork, ChannelParams, ChannelPlan};
use crate::error::{Error, Result};
use crate::evaluate::eval::{SampleSpec, and2_conditional, and2_failure};
use crate::evaluate::search::min_width;
use crate::results::{CheckResult, FailureRate, Record};
use crate::rng::derive_seed;
use superposition_schema::checks::CheckDetail;

pub use superposition_schema::checks::influence::*;

/// One instance's outcome, for the verdict and the detail: a cell's value.
#[derive(serde::Serialize, serde::Deserialize)]
struct Outcome {
    distribution: String,
    m_prime: u64,
    plain: Option<usize>,
    channel: Option<usize>,
    cross: Option<FailureRate>,
    heavy_inputs: usize,
    ok: bool,
    uniform: UniformInputs,
    errors: Vec<ErrorsAt>,
}

impl Runner<'_> {
    /// Check `influence` (see the module documentation for the criterion).
    pub(super) fn influence(&mut self, and2: &And2Widths) -> Result<CheckResult> {
        let c = self.config.influence.clone();
        let total = (c.sizes.len() * TYPES.len()) as u64;
        let mut outcomes = Vec::new();
        let mut done = 0;
        for &log_m in &c.sizes {
            for (t_index, &distribution) in TYPES.iter().enumerate() {
                // One cell per (size, distribution); the seed-0 n* it scales from is in its id.
                let key = format!("instance/m=2^{log_m}/{distribution}/n*={}", and2.n_star(log_m, 0).0);
                let outcome = self.cell(key, |runner| {
                    runner.influence_instance(and2, &c, log_m, t_index, distribution)
                });
                let Some(outcome) = deferrable(outcome)? else {
                    continue;
                };
                done += 1;
                self.observer.progress(
                    "influence",
                    done,
                    total,
                    &format!(
                        "m′ = 2^{log_m} {distribution}: n* plain {}, channel {}",
                        show(outcome.plain, 0),
                        show(outcome.channel, 0)
                    ),
                );
                outcomes.push(outcome);
            }
        }
        self.stop_if_deferred()?;
        let pass = verdict(&outcomes);
        let delta = self.config.delta;
        let mut parts = Vec::new();
        for &log_m in &c.sizes {
            let here: Vec<String> = outcomes
                .iter()
                .filter(|o| o.m_prime == 1 << log_m)
                .map(|o| {
                    let cross = o
                        .cross
                        .map_or(String::new(), |f| format!(", plain there {:.0} %", 100.0 * f.rate));
                    let cap = Self::influence_cap(and2, &c, log_m);
                    format!(
                        "{} {}/{}{cross} (uniform inputs {}/{})",
                        o.distribution,
                        show(o.plain, cap),
                        show(o.channel, cap),
                        show(o.uniform.n_plain, cap),
                        show(o.uniform.n_channel, cap),
                    )
                })
                .collect();
            parts.push(format!("2^{log_m}: {}", here.join("; ")));
        }
        let rows: Vec<_> = outcomes
            .iter()
            .map(|o| InfluenceRow {
                distribution: o.distribution.clone(),
                m_prime: o.m_prime,
                n_plain: o.plain,
                n_channel: o.channel,
                plain_at_channel: o.cross,
                heavy_inputs: o.heavy_inputs,
                ok: o.ok,
                uniform_inputs: Some(o.uniform),
                errors: o.errors.clone(),
            })
            .collect();
        Ok(CheckResult {
            status: status(pass),
            measured: format!(
                "block rows {}; n* plain/channel (total hidden width), planted inputs: {}",
                if c.block_centering { "centered" } else { "uncentered" },
                parts.join(" | ")
            ),
            theory: format!(
                "SPEC §3 step 5: on Zipf and star instances plain AS-2AND fails (Wilson lower bound > δ = {delta}) \
                 at the channel construction's minimal total width; on uniform instances channel n* ≤ {}× plain n*",
                c.uniform_cost_factor
            ),
            detail: CheckDetail::Influence(Detail { delta, rows, config: c }),
            seconds: 0.0,
        })
    }

    /// The searches' largest width at 2^`log_m`.
    fn influence_cap(and2: &And2Widths, c: &InfluenceConfig, log_m: u32) -> usize {
        (and2.n_star(log_m, 0).0 as f64 * c.max_width_factor).round() as usize
    }

    /// Measures one instance: both minimal widths, plain at the channel's n*, the sweep.
    fn influence_instance(
        &mut self,
        and2: &And2Widths,
        c: &InfluenceConfig,
        log_m: u32,
        t_index: usize,
        distribution: &'static str,
    ) -> Result<Outcome> {
        let outputs = 1usize << log_m;
        let root = derive_seed(self.seed, "influence", u64::from(log_m) << 8 | t_index as u64);
        let (instance, code_seed, sample_seed) = if distribution == "uniform" {
            // The seed-0 instance and seeds of `and2-upper`, so n_ref is its measured n*.
            let (instance, (code, samples)) = self.and2_instance(log_m, 0)?;
            (instance, code, samples)
        } else {
            let pairs = if distribution == "zipf" {
                PairDistribution::Zipf {
                    exponent: c.zipf_exponent,
                }
            } else {
                PairDistribution::Star {
                    degree: (c.star_degree_factor * (outputs as f64).sqrt()).round() as usize,
                }
            };
            let instance = And2Instance::random(outputs, outputs, pairs, derive_seed(root, "instance", 0))?;
            (instance, derive_seed(root, "code", 0), derive_seed(root, "samples", 0))
        };
        let (reference, measured) = and2.n_star(log_m, 0);
        let cap = Self::influence_cap(and2, c, log_m);
        let max_influence = instance.influence().into_iter().max().unwrap_or(0);
        let mut params = ChannelParams::defaults(outputs, reference, code_seed);
        // The control switches the channel off: no input's influence exceeds θ.
        params.theta = if self.control {
            f64::from(max_influence) + 1.0
        } else {
            c.theta_factor * (outputs as f64).sqrt()
        };
        params.gate_weight = c.gate_weight;
        params.centering = c.block_centering;
        let plan = ChannelPlan::new(&instance, params.theta);
        self.emit(Record::Influence(InfluenceRecord::Instance {
            distribution: distribution.into(),
            m_prime: outputs as u64,
            m: instance.inputs() as u64,
            seed: code_seed,
            theta: params.theta,
            max_influence: u64::from(max_influence),
            heavy_inputs: plan.blocks.len() as u64,
            block_pairs: plan.block_pairs() as u64,
            reference_width: reference as u64,
            reference_measured: measured,
        }));
        let spec = self.spec(self.config.samples, sample_seed, InputDistribution::Planted);
        let probe = Probe {
            instance: &instance,
            plan: &plan,
            params,
            spec,
            distribution,
        };
        let (n_star, cross) = self.influence_searches(&probe, reference, cap)?;
        for &factor in &c.sweep_factors {
            let width = (reference as f64 * factor).round() as usize;
            for construction in [Construction::Plain, Construction::Channel] {
                self.influence_probe(&probe, construction, width.max(params.t + 1), "sweep", None)?;
            }
        }
        // Beside the planted inputs (the criterion's), uniform k-sparse ones: the searches
        // again on their own samples (those of `and2-upper`'s uniform n* on the uniform
        // instance), reported, not judged.
        let uniform = Probe {
            spec: self.spec(
                self.config.samples,
                derive_seed(sample_seed, "uniform", 0),
                InputDistribution::Uniform,
            ),
            ..probe
        };
        let (n_uniform, cross_uniform) = self.influence_searches(&uniform, reference, cap)?;
        // Both constructions at the channel's n* of each distribution, on fresh samples.
        let mut errors = Vec::new();
        for (inputs, width) in [
            (InputDistribution::Planted, n_star[1]),
            (InputDistribution::Uniform, n_uniform[1]),
        ] {
            let Some(width) = width else { continue };
            let fresh = Probe {
                spec: self.spec(self.config.samples, derive_seed(root, "fresh", inputs as u64), inputs),
                ..probe
            };
            for construction in [Construction::Plain, Construction::Channel] {
                if let Some(at) = self.influence_errors(&fresh, construction, width)? {
                    errors.push(at);
                }
            }
        }
        let ok = instance_meets(distribution, n_star, cross, self.config.delta, c.uniform_cost_factor);
        Ok(Outcome {
            distribution: distribution.into(),
            m_prime: outputs as u64,
            plain: n_star[0],
            channel: n_star[1],
            cross,
            heavy_inputs: plan.blocks.len(),
            ok,
            uniform: UniformInputs {
                n_plain: n_uniform[0],
                n_channel: n_uniform[1],
                plain_at_channel: cross_uniform,
            },
            errors,
        })
    }

    /// Both constructions' minimal widths on `probe`'s samples (records them), and plain's
    /// failure at the channel's n* on the same samples.
    fn influence_searches(
        &mut self,
        probe: &Probe<'_>,
        reference: usize,
        cap: usize,
    ) -> Result<([Option<usize>; 2], Option<FailureRate>)> {
        let (instance, params, spec) = (probe.instance, probe.params, probe.spec);
        let outputs = instance.outputs();
        let stop = (self.config.delta * spec.samples as f64).floor() as u64;
        let mut n_star = [None, None];
        for (slot, construction) in [Construction::Plain, Construction::Channel].into_iter().enumerate() {
            let min = match construction {
                Construction::Plain => params.t + 1,
                Construction::Channel => probe.plan.min_total_width(outputs, params.t),
            };
            let found = min_width(
                reference.clamp(min, cap.max(min)),
                min,
                cap.max(min),
                self.config.precision,
                |w| {
                    let measured = self.influence_probe(probe, construction, w, "search", Some(stop))?;
                    Ok(measured.is_some_and(|f| f.failures <= stop && f.samples == spec.samples))
                },
            );
            n_star[slot] = match found {
                Ok(outcome) => Some(outcome.width),
                Err(Error::SearchFailed(_)) => None,
                Err(e) => return Err(e),
            };
            self.emit(Record::Influence(InfluenceRecord::MinWidth {
                distribution: probe.distribution.into(),
                m_prime: outputs as u64,
                construction,
                width: n_star[slot].map(|w| w as u64),
                cap: cap as u64,
                inputs: spec.distribution,
            }));
        }
        let cross = match n_star[1] {
            Some(w) => self.influence_probe(probe, Construction::Plain, w, "cross", None)?,
            None => None,
        };
        Ok((n_star, cross))
    }

    /// One construction at total width `width` on `probe`'s samples, all evaluated, with its
    /// errors per output; recorded. None when the channel's allocation cannot fit that width.
    fn influence_errors(
        &mut self,
        probe: &Probe<'_>,
        construction: Construction,
        width: usize,
    ) -> Result<Option<ErrorsAt>> {
        let Some(network) = ProbeNetwork::build(probe, construction, width)? else {
            return Ok(None);
        };
        let (failure, errors) = match &network {
            ProbeNetwork::Plain(n) => and2_conditional(n.as_ref(), probe.instance, &probe.spec),
            ProbeNetwork::Channel(n) => and2_conditional(n.as_ref(), probe.instance, &probe.spec),
        };
        let inputs = probe.spec.distribution;
        self.emit(Record::Influence(InfluenceRecord::Errors {
            distribution: probe.distribution.into(),
            m_prime: probe.instance.outputs() as u64,
            construction,
            inputs,
            width: width as u64,
            failure,
            errors,
        }));
        Ok(Some(ErrorsAt {
            construction,
            errors,
            failure,
            inputs,
            width,
        }))
    }

    /// Builds one construction at total width `width`, measures it, tallies lower-bound
    /// sanity and records it. None when the channel's allocation cannot fit that width.
    fn influence_probe(
        &mut self,
        probe: &Probe<'_>,
        construction: Construction,
        width: usize,
        purpose: &str,
        stop: Option<u64>,
    ) -> Result<Option<FailureRate>> {
        let instance = probe.instance;
        let Some(network) = ProbeNetwork::build(probe, construction, width)? else {
            return Ok(None);
        };
        let (resources, failure, shared_width) = match &network {
            ProbeNetwork::Plain(n) => (
                n.resources(),
                and2_failure(n.as_ref(), instance, &probe.spec, stop),
                width,
            ),
            ProbeNetwork::Channel(n) => (
                n.resources(),
                and2_failure(n.as_ref(), instance, &probe.spec, stop),
                n.shared_width(),
            ),
        };
        self.tally_sanity(instance, &resources);
        self.emit(Record::Influence(InfluenceRecord::Probe {
            distribution: probe.distribution.into(),
            m_prime: instance.outputs() as u64,
            construction,
            purpose: purpose.into(),
            width: width as u64,
            shared_width: shared_width as u64,
            block_width: (width - shared_width) as u64,
            resources,
            failure,
            inputs: probe.spec.distribution,
        }));
        Ok(Some(failure))
    }
}

/// The criterion at one instance, from its measured n* (plain, channel) and plain's failure
/// at the channel's n*: (b) on `uniform`, channel n* ≤ `uniform_cost_factor` × plain n*, both
/// found; (a) on the skewed types, plain's failure at the channel's n* has its Wilson lower
/// bound above δ (false when the channel reached no n*, so nothing was measured there).
fn instance_meets(
    distribution: &str,
    n_star: [Option<usize>; 2],
    cross: Option<FailureRate>,
    delta: f64,
    uniform_cost_factor: f64,
) -> bool {
    match distribution {
        "uniform" => match n_star {
            [Some(plain), Some(channel)] => channel as f64 <= uniform_cost_factor * plain as f64,
            _ => false,
        },
        _ => cross.is_some_and(|f| f.wilson_lo > delta),
    }
}

/// PASS iff every instance meets its criterion (none measured is not a PASS).
fn verdict(outcomes: &[Outcome]) -> bool {
    !outcomes.is_empty() && outcomes.iter().all(|o| o.ok)
}

/// One of the two constructions, built for a probe.
enum ProbeNetwork {
    Plain(Box<And2Network>),
    Channel(Box<ChannelNetwork>),
}

impl ProbeNetwork {
    /// The construction at total hidden width (= input width) `width`, or None when the
    /// channel's allocation cannot fit that width.
    fn build(probe: &Probe<'_>, construction: Construction, width: usize) -> Result<Option<Self>> {
        let params = ChannelParams {
            input_width: width,
            total_hidden: width,
            ..probe.params
        };
        let instance = probe.instance;
        Ok(Some(match construction {
            Construction::Plain => Self::Plain(Box::new(And2Network::build(instance, params.shared_params(width))?)),
            Construction::Channel => {
                if crate::constructions::channel::allocate(probe.plan, instance.outputs(), width, params.t).is_err() {
                    return Ok(None);
                }
                Self::Channel(Box::new(ChannelNetwork::build(instance, probe.plan, params)?))
            }
        }))
    }
}

/// What every probe of one instance shares.
#[derive(Clone, Copy)]
struct Probe<'a> {
    instance: &'a And2Instance,
    plan: &'a ChannelPlan,
    params: ChannelParams,
    spec: SampleSpec,
    distribution: &'static str,
}

/// A minimal width, or "> cap" when none was found.
fn show(width: Option<usize>, cap: usize) -> String {
    match width {
        Some(w) => w.to_string(),
        None if cap > 0 => format!("> {cap}"),
        None => "not reached".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{ScaleConfig, Silent};
    use crate::config::Scale;

    #[test]
    fn bad_configs_are_refused() {
        let base = InfluenceConfig::default;
        assert!(
            InfluenceConfig {
                sizes: vec![],
                ..base()
            }
            .validate()
            .is_err()
        );
        let star = InfluenceConfig {
            star_degree_factor: 0.5,
            ..base()
        };
        assert!(star.validate().unwrap_err().to_string().contains("star"));
        assert!(
            InfluenceConfig {
                gate_weight: 0,
                ..base()
            }
            .validate()
            .is_err()
        );
        assert!(
            InfluenceConfig {
                max_width_factor: 0.5,
                ..base()
            }
            .validate()
            .is_err()
        );
        assert!(InfluenceConfig::new(Scale::Full).validate().is_ok());
        // Partial configs fill the rest from the defaults.
        let partial: InfluenceConfig = serde_json::from_str(r#"{"sizes": [8]}"#).unwrap();
        assert_eq!(partial.zipf_exponent, 1.0);
        assert!(partial.block_centering);
    }

    use crate::stats::failure_rate;

    const DELTA: f64 = 0.05;

    fn meets(distribution: &str, plain: Option<usize>, channel: Option<usize>, cross: Option<(u64, u64)>) -> bool {
        let cross = cross.map(|(failures, samples)| failure_rate(failures, samples));
        instance_meets(distribution, [plain, channel], cross, DELTA, 1.1)
    }

    #[test]
    fn the_uniform_criterion_compares_the_two_widths() {
        assert!(meets("uniform", Some(1000), Some(1000), None));
        assert!(meets("uniform", Some(1000), Some(1100), Some((0, 100))));
        assert!(!meets("uniform", Some(1000), Some(1101), None));
        // A width not found is never a pass, whichever construction missed it.
        assert!(!meets("uniform", None, Some(900), None));
        assert!(!meets("uniform", Some(1000), None, None));
    }

    #[test]
    fn the_skewed_criterion_needs_plain_significantly_above_delta() {
        for distribution in ["zipf", "star"] {
            // 40 of 200: Wilson lower bound ≈ 0.15 > δ.
            assert!(meets(distribution, None, Some(900), Some((40, 200))));
            assert!(meets(distribution, Some(2000), Some(900), Some((40, 200))));
            // 12 of 200 is 6 % > δ, but its lower bound (≈ 0.035) is not.
            assert!(failure_rate(12, 200).rate > DELTA);
            assert!(!meets(distribution, None, Some(900), Some((12, 200))));
            assert!(!meets(distribution, None, Some(900), Some((0, 200))));
            // The channel reached no n*: nothing to compare.
            assert!(!meets(distribution, None, None, None));
        }
    }

    fn outcome(ok: bool) -> Outcome {
        Outcome {
            distribution: "star".into(),
            m_prime: 1024,
            plain: None,
            channel: Some(900),
            cross: None,
            heavy_inputs: 1,
            ok,
            uniform: UniformInputs {
                n_plain: None,
                n_channel: None,
                plain_at_channel: None,
            },
            errors: Vec::new(),
        }
    }

    #[test]
    fn one_instance_not_met_fails_the_check() {
        assert!(verdict(&[outcome(true), outcome(true)]));
        assert!(!verdict(&[outcome(true), outcome(false), outcome(true)]));
        assert!(!verdict(&[]));
    }

    /// A run at 2⁸ with 200 samples per probe (ordinary or control), the searches capped at
    /// 8·n_ref (n_ref the fallback 8·√(m′·log₂ m′), below the measured n* there).
    fn tiny_run(control: bool) -> CheckResult {
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.samples = 200;
        config.influence.sizes = vec![8];
        config.influence.sweep_factors = vec![1.0];
        config.influence.max_width_factor = 8.0;
        let mut silent = Silent;
        let runner = Runner::new(config, 3, &mut silent).unwrap();
        let mut runner = if control { runner.negative_controls() } else { runner };
        runner.influence(&And2Widths::default()).unwrap()
    }

    fn rows(result: &CheckResult) -> &[InfluenceRow] {
        let CheckDetail::Influence(detail) = &result.detail else {
            panic!("influence returned the detail of {}", result.id())
        };
        &detail.rows
    }

    #[test]
    fn the_control_fails_where_the_channel_passes() {
        let ordinary = tiny_run(false);
        assert_eq!(ordinary.status, crate::results::Status::Pass, "{}", ordinary.measured);
        let control = tiny_run(true);
        assert_eq!(control.status, crate::results::Status::Fail, "{}", control.measured);
        for row in rows(&control) {
            assert_eq!(row.heavy_inputs, 0, "the control's channel has no blocks: {row:?}");
            // Without blocks the channel network is plain AS-2AND: the same n*.
            assert_eq!(row.n_channel, row.n_plain, "{row:?}");
            assert_eq!(row.ok, row.distribution == "uniform", "{row:?}");
        }
        assert!(rows(&ordinary).iter().any(|r| r.heavy_inputs > 0));
    }

    #[test]
    fn a_tiny_run_records_every_measure_and_a_verdict() {
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.samples = 64;
        config.influence.sizes = vec![7];
        config.influence.sweep_factors = vec![1.0];
        let mut silent = Silent;
        let mut runner = Runner::new(config, 3, &mut silent).unwrap();
        let result = runner.influence(&And2Widths::default()).unwrap();
        let CheckDetail::Influence(detail) = &result.detail else {
            panic!("influence returned the detail of {}", result.id())
        };
        assert_eq!(detail.rows.len(), 3);
        let kinds = |m: &str| {
            runner
                .records
                .iter()
                .filter(|r| matches!(r, Record::Influence(x) if serde_json::to_value(x).unwrap()["measure"] == m))
                .count()
        };
        assert_eq!(kinds("instance"), 3);
        // Both constructions' searches on each instance, on planted and on uniform inputs.
        assert_eq!(kinds("min_width"), 12);
        assert!(kinds("probe") >= 12 + 3);
        let uniform_searches = runner
            .records
            .iter()
            .filter(|r| {
                matches!(r, Record::Influence(InfluenceRecord::MinWidth { inputs, .. })
                    if *inputs == InputDistribution::Uniform)
            })
            .count();
        assert_eq!(uniform_searches, 6);
        // The errors per output sit at the channel's n* of their distribution, both constructions.
        for row in &detail.rows {
            let uniform = row.uniform_inputs.expect("uniform inputs measured");
            for (inputs, n) in [
                (InputDistribution::Planted, row.n_channel),
                (InputDistribution::Uniform, uniform.n_channel),
            ] {
                let here: Vec<_> = row.errors.iter().filter(|e| e.inputs == inputs).collect();
                match n {
                    Some(n) => {
                        assert_eq!(here.len(), 2, "{row:?}");
                        assert!(here.iter().all(|e| e.width == n && e.errors.samples == 64), "{row:?}");
                    }
                    None => assert!(here.is_empty(), "{row:?}"),
                }
            }
        }
        // Records serialize as objects without a `kind` field of their own.
        for r in &runner.records {
            if let Record::Influence(x) = r {
                let value = serde_json::to_value(x).unwrap();
                assert!(value.is_object() && value.get("kind").is_none());
            }
        }
        // Every network built was tallied.
        assert!(runner.tally.networks as usize >= kinds("probe"));
    }
}
