//! Check `representation` (R1): the minimal Bloom-code width d*(m) grows like log m.

use std::collections::BTreeMap;

use super::{RepresentationMedians, Runner, status};
use crate::base::sample::InputDistribution;
use crate::base::sample::sample_uniform_fill;
use crate::constructions::representation::{GaussianRepresentation, Representation};
use crate::error::Result;
use crate::evaluate::eval::count_failures;
use crate::evaluate::eval::representation_failure;
use crate::evaluate::search::min_width;
use crate::results::{CheckResult, Record};
use crate::rng::derive_seed;
use crate::stats::median;
use crate::theory;
use superposition_schema::checks::representation::GaussianRow;
use superposition_schema::checks::{CheckDetail, representation};

impl Runner<'_> {
    /// R1: minimal width d*(m) of the Bloom representation, per size and seed.
    pub(super) fn representation(&mut self) -> Result<(CheckResult, RepresentationMedians)> {
        let mut medians = BTreeMap::new();
        let sizes = self.config.representation_sizes.clone();
        let (seeds, k, delta) = (self.config.seeds, self.config.k, self.config.delta);
        let total = sizes.len() as u64 * seeds;
        let mut groups = Vec::new();
        for (s_index, &log_m) in sizes.iter().enumerate() {
            let m = 1usize << log_m;
            let mut widths = Vec::new();
            for s in 0..seeds {
                let seed = derive_seed(self.seed, "representation", u64::from(log_m) << 16 | s);
                let spec = self.spec(
                    self.config.representation_samples,
                    derive_seed(seed, "samples", 0),
                    InputDistribution::Uniform,
                );
                let stop = (delta * spec.samples as f64).floor() as u64;
                let mut probes: Vec<Record> = Vec::new();
                let start = theory::bloom_width(m as f64, k as f64, delta).round() as usize;
                let outcome = min_width(start, 2, 1 << 14, 0.0, |width| {
                    let t = Representation::optimal_t(width, k);
                    let rep = Representation::build(m, width, t, seed)?;
                    let failure = representation_failure(&rep, &spec, Some(stop));
                    probes.push(Record::RepresentationProbe {
                        m: m as u64,
                        seed,
                        width,
                        t,
                        failure,
                    });
                    Ok(failure.failures <= stop && failure.samples == spec.samples)
                })?;
                let at = probes
                    .iter()
                    .rev()
                    .find_map(|r| match r {
                        Record::RepresentationProbe { width, t, failure, .. } if *width == outcome.width => {
                            Some((*t, *failure))
                        }
                        _ => None,
                    })
                    .expect("the minimal width was probed");
                for probe in probes {
                    self.emit(probe);
                }
                self.emit(Record::RepresentationMinWidth {
                    m: m as u64,
                    seed,
                    width: outcome.width,
                    t: at.0,
                    failure: at.1,
                });
                widths.push(outcome.width as f64);
                self.observer.progress(
                    "representation",
                    s_index as u64 * seeds + s + 1,
                    total,
                    &format!("m = 2^{log_m}"),
                );
            }
            medians.insert(log_m, median(&widths));
            groups.push((f64::from(log_m), widths));
        }
        let gaussian = self.gaussian_comparison(&medians)?;
        let fit = self.fit(&groups, "representation")?;
        let ratios: Vec<f64> = medians.iter().map(|(&l, &d)| d / f64::from(l)).collect();
        let (first, last) = (ratios[0], *ratios.last().expect("at least two sizes"));
        let (ratio_min, ratio_max) = ratios
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
        let pass = fit.r2 >= 0.9 && last <= 1.1 * first;
        let check = CheckResult {
            status: status(pass),
            measured: format!(
                "d*/log₂m {first:.2} → {last:.2} over m = 2^{}…2^{}; d* = {:.1} + {:.2}·log₂m (R² {:.3})",
                sizes[0],
                sizes[sizes.len() - 1],
                fit.intercept,
                fit.slope,
                fit.r2
            ),
            theory: "R1: d* = O(log m) — linear in log₂m (R² ≥ 0.9) and d*/log₂m not growing (last ≤ 1.1 × first)"
                .into(),
            detail: CheckDetail::Representation(representation::Detail {
                fit: Some(fit),
                ratio_min,
                ratio_max,
                ratio_first: first,
                ratio_last: last,
                delta,
                k,
                gaussian,
            }),
            seconds: 0.0,
        };
        Ok((check, RepresentationMedians(medians)))
    }

    /// The dense-code comparison: minimal width of the Gaussian (JL) representation at the
    /// configured sizes, one seed each, beside the Bloom code's median d*.
    fn gaussian_comparison(&mut self, medians: &BTreeMap<u32, f64>) -> Result<Vec<GaussianRow>> {
        let (k, delta) = (self.config.k, self.config.delta);
        let mut rows = Vec::new();
        for log_m in self.config.gaussian_sizes.clone() {
            let m = 1usize << log_m;
            let seed = derive_seed(self.seed, "gaussian-representation", u64::from(log_m));
            let spec = self.spec(
                self.config.representation_samples,
                derive_seed(seed, "samples", 0),
                InputDistribution::Uniform,
            );
            let stop = (delta * spec.samples as f64).floor() as u64;
            let start = (4.0 * theory::bloom_width(m as f64, k as f64, delta)).round() as usize;
            let mut at_width = std::collections::BTreeMap::new();
            let outcome = min_width(start, 2, 1 << 16, self.config.precision, |width| {
                let rep = GaussianRepresentation::build(m, width, seed)?;
                let failure = count_failures(&spec, Some(stop), |rng, state: &mut (Vec<u32>, Vec<f32>)| {
                    state.0.clear();
                    sample_uniform_fill(rng, m, k.min(m), &mut state.0);
                    state.0.sort_unstable();
                    !rep.is_exact(&state.0, &mut state.1)
                });
                at_width.insert(width, failure);
                Ok(failure.failures <= stop && failure.samples == spec.samples)
            })?;
            let failure = at_width[&outcome.width];
            self.emit(Record::GaussianRepresentationMinWidth {
                m: m as u64,
                seed,
                width: outcome.width,
                failure,
            });
            let bloom = medians.get(&log_m).copied();
            rows.push(GaussianRow {
                m: m as u64,
                d_star_gaussian: outcome.width,
                d_star_bloom: bloom,
                ratio: bloom.map(|b| outcome.width as f64 / b),
            });
        }
        Ok(rows)
    }
}
