//! Check `and2-upper` (T3): the minimal hidden width n*(m′) of AS-2AND grows no faster than
//! √m′·log m′.

use std::collections::BTreeMap;

use super::{And2Widths, Runner, status};
use crate::base::instance::And2Instance;
use crate::base::sample::InputDistribution;
use crate::constructions::and2::{And2Network, And2Params};
use crate::error::Result;
use crate::evaluate::eval::{SampleSpec, and2_failure};
use crate::evaluate::search::min_width;
use crate::results::{CheckResult, FailureRate, Record, Resources};
use crate::stats::median;
use crate::theory;
use superposition_schema::checks::and2_upper::{And2Constant, Uncentered};
use superposition_schema::checks::{CheckDetail, and2_upper};

impl Runner<'_> {
    /// Builds AS-2AND at one width and measures it; tallies lower-bound sanity; records it.
    fn and2_probe(
        &mut self,
        instance: &And2Instance,
        width: usize,
        seeds: (u64, u64),
        centering: bool,
        purpose: &str,
        stop: Option<u64>,
    ) -> Result<(Resources, FailureRate)> {
        let mut params = And2Params::defaults(instance.outputs(), width, seeds.0);
        params.centering = centering;
        let network = And2Network::build(instance, params)?;
        let spec = self.spec(self.config.samples, seeds.1, InputDistribution::Planted);
        let failure = and2_failure(&network, instance, &spec, stop);
        let resources = network.resources();
        self.record_probe(instance, &params, purpose, resources, failure);
        Ok((resources, failure))
    }

    /// Tallies lower-bound sanity of a network measured at one width and records the probe.
    pub(super) fn record_probe(
        &mut self,
        instance: &And2Instance,
        params: &And2Params,
        purpose: &str,
        resources: Resources,
        failure: FailureRate,
    ) {
        self.tally_sanity(instance, &resources);
        self.emit(Record::And2Probe {
            purpose: purpose.into(),
            m_prime: instance.outputs() as u64,
            m: instance.inputs() as u64,
            seed: params.code_seed,
            t_in: params.t_in,
            t_out: params.t_out,
            centering: params.centering,
            resources,
            failure,
        });
    }

    pub(super) fn tally_sanity(&mut self, instance: &And2Instance, resources: &Resources) {
        self.tally.add(instance, resources);
    }

    /// Minimal hidden width n* of AS-2AND at one size for one seed (input width = hidden width).
    fn and2_min_width(
        &mut self,
        log_m: u32,
        s: u64,
        centering: bool,
        start: usize,
    ) -> Result<(And2Instance, usize, (u64, u64))> {
        let outputs = 1usize << log_m;
        let (instance, seeds) = self.and2_instance(log_m, s)?;
        let spec = self.spec(self.config.samples, seeds.1, InputDistribution::Planted);
        let (delta, precision) = (self.config.delta, self.config.precision);
        let make = |width| And2Params {
            centering,
            ..And2Params::defaults(outputs, width, seeds.0)
        };
        let (width, resources, failure) = and2_search(
            &instance,
            make,
            &spec,
            delta,
            precision,
            start,
            |params, resources, failure| self.record_probe(&instance, params, "search", resources, failure),
        )?;
        self.emit(Record::And2MinWidth {
            m_prime: outputs as u64,
            m: instance.inputs() as u64,
            seed: seeds.0,
            centering,
            resources,
            failure,
        });
        if centering {
            let log2_instances = theory::log2_and2_instances(instance.inputs() as u64, outputs as u64);
            let bits_per_parameter = resources.parameter_bits as f64 / resources.parameters as f64;
            self.emit(Record::LowerSanity {
                network: "as-2and".into(),
                m_prime: outputs as u64,
                m: instance.inputs() as u64,
                seed: seeds.0,
                parameter_bits: resources.parameter_bits,
                log2_instances,
                neurons: resources.neurons,
                neuron_bound: theory::neuron_lower_bound(log2_instances, bits_per_parameter),
            });
        }
        Ok((instance, width, seeds))
    }

    /// T3: n*(m′) does not grow faster than √m′·log m′.
    pub(super) fn and2_upper(&mut self) -> Result<(CheckResult, And2Widths)> {
        let mut and2_widths = BTreeMap::new();
        let c = self.config.clone();
        let total = (c.and2_sizes.len() + c.uncentered_sizes.len()) as u64 * c.seeds
            + c.sweep_sizes.iter().filter(|s| c.and2_sizes.contains(s)).count() as u64 * c.sweep_seeds.min(c.seeds);
        let mut done = 0;
        let mut groups = Vec::new();
        let mut param_groups = Vec::new();
        let mut constants = Vec::new();
        let mut guess = 5.0;
        for &log_m in &c.and2_sizes {
            let outputs = 1usize << log_m;
            let shape = theory::lower_shape(outputs as f64);
            let (mut widths, mut params) = (Vec::new(), Vec::new());
            let mut instances = Vec::new();
            for s in 0..c.seeds {
                let (instance, width, seeds) = self.and2_min_width(log_m, s, true, (guess * shape).round() as usize)?;
                let parameters = self.last_min_width_parameters();
                widths.push(width as f64);
                params.push(parameters as f64);
                instances.push((instance, seeds));
                done += 1;
                self.observer.progress(
                    "and2-upper",
                    done,
                    total,
                    &format!("m′ = 2^{log_m}, seed {s}: n* = {width}"),
                );
            }
            let n_star = median(&widths);
            let p_star = median(&params);
            guess = n_star / shape;
            and2_widths.insert(log_m, widths.clone());
            constants.push(And2Constant {
                m_prime: outputs as u64,
                n_star,
                n_min: widths.iter().cloned().fold(f64::INFINITY, f64::min),
                n_max: widths.iter().cloned().fold(0.0, f64::max),
                c_upper: n_star / theory::upper_shape(outputs as f64),
                c_lower: n_star / shape,
                p_star,
                c_params: p_star / theory::parameter_shape(outputs as f64),
            });
            groups.push(((outputs as f64).ln(), widths.iter().map(|w| w.ln()).collect::<Vec<_>>()));
            param_groups.push(((outputs as f64).ln(), params.iter().map(|p| p.ln()).collect::<Vec<_>>()));
            if c.sweep_sizes.contains(&log_m) {
                for (instance, seeds) in instances.iter().take(c.sweep_seeds as usize) {
                    for &factor in &c.sweep_factors {
                        let width = ((n_star * factor).round() as usize).max(instance_t(outputs) + 1);
                        self.and2_probe(instance, width, *seeds, true, "sweep", None)?;
                    }
                    done += 1;
                    self.observer
                        .progress("and2-upper", done, total, &format!("m′ = 2^{log_m}: sweep"));
                }
            }
        }
        let mut uncentered = Vec::new();
        for &log_m in &c.uncentered_sizes {
            let outputs = 1usize << log_m;
            let mut widths = Vec::new();
            for s in 0..c.seeds {
                let start = (2.0
                    * and2_widths
                        .get(&log_m)
                        .map(|w| median(w))
                        .unwrap_or(5.0 * theory::lower_shape(outputs as f64)))
                .round() as usize;
                let (_, width, _) = self.and2_min_width(log_m, s, false, start)?;
                widths.push(width as f64);
                done += 1;
                self.observer.progress(
                    "and2-upper",
                    done,
                    total,
                    &format!("m′ = 2^{log_m} uncentered: n* = {width}"),
                );
            }
            let centered = and2_widths.get(&log_m).map(|w| median(w));
            uncentered.push(Uncentered {
                m_prime: outputs as u64,
                n_star_uncentered: median(&widths),
                n_star_centered: centered,
                ratio: centered.map(|n| median(&widths) / n),
            });
        }
        let fit = self.fit(&groups, "and2")?;
        let param_fit = self.fit(&param_groups, "and2-params")?;
        let first = &constants[0];
        let last = &constants[constants.len() - 1];
        let pass = fit.slope_hi <= 0.65;
        let local_below_half = fit.slope < 0.5;
        let check = CheckResult {
            status: status(pass),
            measured: format!(
                "n* ∝ m′^{:.3} [{:.3}, {:.3}] over 2^{}…2^{}; n*/(√m′·log₂m′) {:.2} → {:.2}; p* ∝ m′^{:.3}{}",
                fit.slope,
                fit.slope_lo,
                fit.slope_hi,
                c.and2_sizes[0],
                c.and2_sizes[c.and2_sizes.len() - 1],
                first.c_upper,
                last.c_upper,
                param_fit.slope,
                if local_below_half {
                    " (local exponent below ½: see report)"
                } else {
                    ""
                }
            ),
            theory: "T3: n* = O(√m′·log m′) — fitted exponent's 95 % interval reaches no higher than 0.65".into(),
            detail: CheckDetail::And2Upper(and2_upper::Detail {
                fit: Some(fit),
                param_fit: Some(param_fit),
                delta: c.delta,
                constants,
                uncentered,
                local_exponent_below_half: local_below_half,
            }),
            seconds: 0.0,
        };
        Ok((check, And2Widths(and2_widths)))
    }

    fn last_min_width_parameters(&self) -> u64 {
        self.records
            .iter()
            .rev()
            .find_map(|r| match r {
                Record::And2MinWidth { resources, .. } => Some(resources.parameters),
                _ => None,
            })
            .expect("a minimal width was just recorded")
    }
}

/// Minimal width of AS-2AND on one instance: the network at width w is `make(w)`, and w
/// passes when its failure over `spec` is at most δ. `on_probe` sees every network measured.
/// Returns (n*, resources at n*, failure at n*).
pub fn and2_search(
    instance: &And2Instance,
    make: impl Fn(usize) -> And2Params,
    spec: &SampleSpec,
    delta: f64,
    precision: f64,
    start: usize,
    mut on_probe: impl FnMut(&And2Params, Resources, FailureRate),
) -> Result<(usize, Resources, FailureRate)> {
    let stop = (delta * spec.samples as f64).floor() as u64;
    let min = make(1).t_in.max(make(1).t_out) + 1;
    let mut measured: BTreeMap<usize, (Resources, FailureRate)> = BTreeMap::new();
    let outcome = min_width(start, min, 16 * instance.outputs() + 1024, precision, |width| {
        let params = make(width);
        let network = And2Network::build(instance, params)?;
        let failure = and2_failure(&network, instance, spec, Some(stop));
        let resources = network.resources();
        on_probe(&params, resources, failure);
        measured.insert(width, (resources, failure));
        Ok(failure.failures <= stop && failure.samples == spec.samples)
    })?;
    let (resources, failure) = measured[&outcome.width];
    Ok((outcome.width, resources, failure))
}

fn instance_t(outputs: usize) -> usize {
    And2Params::defaults(outputs, 1, 0).t_in
}
