//! Check `representation` (R1): the minimal Bloom-code width d*(m) grows like log m.

use serde_json::json;

use super::{Runner, status};
use crate::error::Result;
use crate::eval::representation_failure;
use crate::representation::Representation;
use crate::results::{CheckResult, Record};
use crate::rng::derive_seed;
use crate::sample::InputDistribution;
use crate::search::min_width;
use crate::stats::median;
use crate::theory;

impl Runner<'_> {
    /// R1: minimal width d*(m) of the Bloom representation, per size and seed.
    pub(super) fn representation(&mut self) -> Result<CheckResult> {
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
            self.representation_medians.insert(log_m, median(&widths));
            groups.push((f64::from(log_m), widths));
        }
        let fit = self.fit(&groups, "representation")?;
        let ratios: Vec<f64> = self
            .representation_medians
            .iter()
            .map(|(&l, &d)| d / f64::from(l))
            .collect();
        let (first, last) = (ratios[0], *ratios.last().expect("at least two sizes"));
        let (ratio_min, ratio_max) = ratios
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
        let pass = fit.r2 >= 0.9 && last <= 1.1 * first;
        Ok(CheckResult {
            id: "representation".into(),
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
            detail: json!({"fit": fit, "ratio_min": ratio_min, "ratio_max": ratio_max, "ratio_first": first,
                           "ratio_last": last, "delta": delta, "k": k}),
            seconds: 0.0,
        })
    }
}
