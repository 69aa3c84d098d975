//! Check `u-and`: U-AND (Hänni et al. 2024), all C(m,2) pairwise ANDs with an averaged ε-error
//! readout ([`crate::constructions::uand`]) — the ε-linear world set beside AS-2AND's exact one.
//!
//! Measured, for each m and each d of a grid, over several seeded networks and random
//! k-sparse inputs: the mean readout error over the pairs touching an active input (every one
//! of them, exactly: the C(k,2) pairs with both inputs on and the k·(m − k) with one on), the
//! mean over all C(m,2) pairs (the both-off pairs estimated from `off_pairs` uniformly sampled
//! pairs per input, stratified), and the largest error over every pair evaluated.
//! p = min(1, √(2·ln C(m,2)/d)) (see [`crate::constructions::uand::default_p`]): every pair shares
//! 2·ln C(m,2) neurons on average, enough that no pair shares none (union bound), and the
//! first-order interference (k − 1)·p falls like 1/√d at fixed m.
//! Then, per m, the fewest neurons d_ε at which the largest error stays below ε = ½ (where a
//! threshold would make the readout exact) on all but δ of the samples, by binary search —
//! set beside AS-2AND's exact n*(m′) with m′ = C(m,2).
//!
//! PASS criterion (fixed before the standard run): for every m, the slope of ln(mean error
//! over pairs touching an active input) against ln d has its 95 % bootstrap interval within
//! [−0.6, −0.4], i.e. within ±0.1 of Hänni et al.'s −½. The both-off pairs are excluded from
//! the criterion because their error needs two active inputs meeting in one neuron, a
//! second-order effect of size ≈ C(k,2)·p² ∝ 1/d; their mean and the max error are reported
//! with their own fitted slopes, not judged.

use super::{Runner, status};
use crate::constructions::uand::{UAnd, default_p, measure};
use crate::error::Result;
use crate::evaluate::search::min_width;
use crate::results::{CheckResult, Record};
use crate::rng::derive_seed;
use crate::stats::median;
use crate::theory;
use superposition_schema::checks::CheckDetail;
use superposition_schema::checks::CheckId;

pub use superposition_schema::checks::u_and::*;

fn pairs(m: usize) -> u64 {
    (m as u64) * (m as u64 - 1) / 2
}

impl Runner<'_> {
    /// Check `u-and` (see the module documentation for the criterion).
    pub(super) fn u_and(&mut self) -> Result<CheckResult> {
        let c = self.config.u_and.clone();
        let (k, delta, precision) = (self.config.k, self.config.delta, self.config.precision);
        let total = c.sizes.len() as u64 * (c.widths.len() as u64 + 1) * c.seeds;
        let mut done = 0;
        let mut fits = Vec::new();
        let mut all_pass = true;
        let mut minimal = Vec::new();
        for &log_m in &c.sizes {
            let m = 1usize << log_m;
            let mut active_groups = Vec::new();
            let mut all_groups = Vec::new();
            let mut max_groups = Vec::new();
            for &log_d in &c.widths {
                let d = 1usize << log_d;
                let p = default_p(m, d);
                let (mut active, mut all, mut max) = (Vec::new(), Vec::new(), Vec::new());
                for s in 0..c.seeds {
                    let seed = derive_seed(self.seed, "u-and", u64::from(log_m) << 32 | u64::from(log_d) << 16 | s);
                    let net = UAnd::build(m, d, p, derive_seed(seed, "network", 0))?;
                    let e = measure(
                        &net,
                        k,
                        c.samples,
                        c.off_pairs,
                        derive_seed(seed, "samples", 0),
                        c.epsilon,
                    );
                    self.emit(Record::UAnd(UAndRecord::Error {
                        m: m as u64,
                        m_prime: pairs(m),
                        width: d,
                        p,
                        seed,
                        samples: e.samples,
                        off_pairs: c.off_pairs,
                        mean_active: e.mean_active,
                        mean_all: e.mean_all,
                        mean_off: e.mean_off,
                        max: e.max,
                        failures: e.failures,
                    }));
                    active.push(e.mean_active.ln());
                    all.push(e.mean_all.ln());
                    max.push(e.max.max(1e-12).ln());
                    done += 1;
                    self.observer
                        .progress("u-and", done, total, &format!("m = 2^{log_m}, d = 2^{log_d}"));
                }
                let x = (d as f64).ln();
                active_groups.push((x, active));
                all_groups.push((x, all));
                max_groups.push((x, max));
            }
            let fit = self.fit(&active_groups, "u-and")?;
            let fit_all = self.fit(&all_groups, "u-and-all")?;
            let fit_max = self.fit(&max_groups, "u-and-max")?;
            let pass = fit.slope_lo >= SLOPE_BAND.0 && fit.slope_hi <= SLOPE_BAND.1;
            all_pass &= pass;
            // Fewest neurons until the max error stays below ε.
            let mut widths = Vec::new();
            for s in 0..c.seeds {
                let seed = derive_seed(self.seed, "u-and-epsilon", u64::from(log_m) << 16 | s);
                let stop = (delta * c.samples as f64).floor() as u64;
                let mut at = std::collections::BTreeMap::new();
                let start = (200.0 * (pairs(m) as f64).ln()).round() as usize;
                let outcome = min_width(start, 4, 1 << 22, precision, |d| {
                    let p = default_p(m, d);
                    let net = UAnd::build(m, d, p, derive_seed(seed, "network", d as u64))?;
                    let e = measure(
                        &net,
                        k,
                        c.samples,
                        c.off_pairs,
                        derive_seed(seed, "samples", 0),
                        c.epsilon,
                    );
                    let failures = e.failures;
                    at.insert(d, (p, failures, e.max));
                    Ok(failures <= stop)
                })?;
                let (p, failures, max) = at[&outcome.width];
                self.emit(Record::UAnd(UAndRecord::MinWidth {
                    m: m as u64,
                    m_prime: pairs(m),
                    seed,
                    width: outcome.width,
                    p,
                    samples: c.samples,
                    failures,
                    max,
                }));
                widths.push(outcome.width as f64);
                done += 1;
                self.observer
                    .progress("u-and", done, total, &format!("m = 2^{log_m}: d_ε = {}", outcome.width));
            }
            let d_eps = median(&widths);
            minimal.push(MinimalRow {
                m: m as u64,
                m_prime: pairs(m),
                d_epsilon: d_eps,
                total_neurons: d_eps + m as f64,
                p: default_p(m, d_eps as usize),
            });
            fits.push(FitRow {
                m: m as u64,
                m_prime: pairs(m),
                fit,
                fit_all,
                fit_max,
                pass,
            });
        }
        // AS-2AND's exact n* beside it.
        let mut and2: std::collections::BTreeMap<u64, Vec<f64>> = std::collections::BTreeMap::new();
        for r in self.records_of(&[CheckId::And2Upper]) {
            if let Record::And2MinWidth {
                m_prime,
                centering: true,
                resources,
                ..
            } = r
            {
                and2.entry(*m_prime).or_default().push(resources.hidden_width as f64);
            }
        }
        let mut references = Vec::new();
        if and2.is_empty() {
            for &log_m in &c.sizes {
                let m_prime = pairs(1usize << log_m);
                references.push((m_prime, 8.0 * theory::lower_shape(m_prime as f64), false));
            }
        } else {
            references.extend(and2.iter().map(|(&m_prime, w)| (m_prime, median(w), true)));
        }
        for &(m_prime, n_star, measured) in &references {
            self.emit(Record::UAnd(UAndRecord::And2Reference {
                m_prime,
                n_star,
                measured,
            }));
        }
        let slopes: Vec<String> = fits
            .iter()
            .map(|f| {
                format!(
                    "m = 2^{}: {:.3} [{:.3}, {:.3}]",
                    (f.m as f64).log2(),
                    f.fit.slope,
                    f.fit.slope_lo,
                    f.fit.slope_hi
                )
            })
            .collect();
        let d_list: Vec<String> = minimal.iter().map(|r| format!("{}", r.d_epsilon)).collect();
        Ok(CheckResult {
            status: status(all_pass),
            measured: format!(
                "mean error (pairs touching an active input) ∝ d^slope: {}; neurons until max error < {}: {} for m′ = {}",
                slopes.join(", "),
                c.epsilon,
                d_list.join(", "),
                minimal
                    .iter()
                    .map(|r| r.m_prime.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            theory: format!(
                "Hänni et al.: ε ∝ 1/√d at p = √(2 ln C(m,2)/d) — PASS iff every m's slope interval lies within [{}, {}]",
                SLOPE_BAND.0, SLOPE_BAND.1
            ),
            detail: CheckDetail::UAnd(Detail {
                fits,
                minimal,
                k,
                delta,
                epsilon: c.epsilon,
                off_pairs: c.off_pairs,
                samples: c.samples,
                slope_band: [SLOPE_BAND.0, SLOPE_BAND.1],
                and2: references
                    .iter()
                    .map(|r| And2Row {
                        m_prime: r.0,
                        n_star: r.1,
                        measured: r.2,
                    })
                    .collect(),
            }),
            seconds: 0.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scale;

    #[test]
    fn configs_validate_and_bad_ones_are_refused() {
        for scale in [Scale::Quick, Scale::Standard, Scale::Full] {
            assert!(UAndConfig::new(scale).validate().is_ok());
        }
        let c = UAndConfig {
            widths: vec![10],
            ..Default::default()
        };
        assert!(c.validate().unwrap_err().to_string().contains("two"));
        let c = UAndConfig {
            epsilon: 1.0,
            ..Default::default()
        };
        assert!(c.validate().is_err());
        let record = UAndRecord::And2Reference {
            m_prime: 10,
            n_star: 3.0,
            measured: false,
        };
        let value = serde_json::to_value(Record::UAnd(record)).unwrap();
        assert_eq!(
            (value["kind"].as_str(), value["measure"].as_str()),
            (Some("u_and"), Some("and2_reference"))
        );
    }
}
