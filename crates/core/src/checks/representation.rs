//! Check `representation` (R1): the minimal Bloom-code width d*(m) against the Bloom estimate
//! 1.44·k·log₂(m/δ), which grows like log m.

use std::collections::BTreeMap;

use super::{RepresentationMedians, Runner, deferrable, status};
use crate::base::sample::InputDistribution;
use crate::base::sample::sample_uniform_fill;
use crate::constructions::controls::folded_one_hot;
use crate::constructions::representation::{GaussianRepresentation, Representation};
use crate::error::Result;
use crate::evaluate::eval::count_failures;
use crate::evaluate::eval::representation_failure;
use crate::evaluate::search::min_width;
use crate::results::{CheckResult, Record};
use crate::rng::derive_seed;
use crate::stats::median;
use crate::theory;
use superposition_schema::checks::representation::{BloomPoint, GaussianRow, RepresentationCode};
use superposition_schema::checks::{CheckDetail, representation};

/// [lo, hi]: the band d*/Bloom must stay within at every size, fixed from the theory before any
/// run. The Bloom estimate d = k·log₂(m/δ)/ln 2 is the union bound m·2^(−t) ≤ δ at the optimal
/// t = d·ln 2/k. For this code (independent uniform t-subsets, t rounded, all-or-nothing
/// failure over the m − k inactive features) the exact expected failure, averaged over the size
/// of the lit union, puts d* within 1 % of the estimate at k = 4, δ = 0.05 for every
/// m = 2⁸…2²⁰; the search adds a few neurons of noise (±25 % on the failure count at 500
/// samples is ±0.3 bit, ±2 % of d). ±10 % is three to five times that: wide enough not to fail
/// on noise, narrow enough that a code or decoder a constant factor off the Bloom filter fails.
pub const BLOOM_BAND: [f64; 2] = [0.9, 1.1];

/// Largest log₂ m the folded one-hot control searches: its d* ≈ m, and each passing probe
/// reads m·⌈m/64⌉ code words per sample (2²⁴ at 2¹², seconds per probe beyond); the sizes up
/// to 2¹² already put d* far outside the band.
pub const ONE_HOT_MAX_LOG_M: u32 = 12;

/// Search cap on the representation width.
const MAX_WIDTH: usize = 1 << 14;

/// Median d* per log₂ m, and d* per seed grouped by log₂ m (for the fit).
type Widths = (BTreeMap<u32, f64>, Vec<(f64, Vec<f64>)>);

impl Runner<'_> {
    /// R1: minimal width d*(m) of the Bloom representation, per size and seed, against the
    /// Bloom estimate.
    ///
    /// Criterion (fixed before any run): PASS iff the median d* over the seeds is within
    /// [`BLOOM_BAND`] of 1.44·k·log₂(m/δ) at every size. (It replaced "R² ≥ 0.9 of d* against
    /// log₂ m and last d*/log₂ m ≤ 1.1 × first", which held automatically for any
    /// d* = a + b·log₂ m with a > 0.) The fit of d* against log₂ m is reported, not judged.
    ///
    /// Negative control: the folded one-hot code ([`folded_one_hot`]) at the sizes up to
    /// 2^[`ONE_HOT_MAX_LOG_M`]: its d* ≈ m leaves the band at every size → FAIL.
    pub(super) fn representation(&mut self) -> Result<(CheckResult, RepresentationMedians)> {
        let code = if self.control {
            RepresentationCode::FoldedOneHot
        } else {
            RepresentationCode::Bloom
        };
        let sizes: Vec<u32> = match code {
            RepresentationCode::Bloom => self.config.representation_sizes.clone(),
            RepresentationCode::FoldedOneHot => self.one_hot_sizes(&self.config.representation_sizes),
        };
        let (k, delta) = (self.config.k, self.config.delta);
        // The Gaussian cells do not need the medians: a sharded run computes them either way.
        let widths = deferrable(self.representation_widths(&sizes, code))?;
        let gaussian = match code {
            RepresentationCode::Bloom => {
                self.gaussian_comparison(widths.as_ref().map_or(&BTreeMap::new(), |w| &w.0))?
            }
            RepresentationCode::FoldedOneHot => Vec::new(),
        };
        self.stop_if_deferred()?;
        let (medians, groups) = widths.expect("no cell was deferred");
        let fit = self.fit(&groups, "representation")?;
        let bloom: Vec<BloomPoint> = medians
            .iter()
            .map(|(&log_m, &d_star)| {
                let m = 1u64 << log_m;
                let bloom = theory::bloom_width(m as f64, k as f64, delta);
                BloomPoint {
                    m,
                    d_star,
                    bloom,
                    ratio: d_star / bloom,
                }
            })
            .collect();
        let [lo, hi] = BLOOM_BAND;
        let pass = !bloom.is_empty() && bloom.iter().all(|p| p.ratio >= lo && p.ratio <= hi);
        let ratios: Vec<f64> = medians.iter().map(|(&l, &d)| d / f64::from(l)).collect();
        let (first, last) = (ratios[0], *ratios.last().expect("at least two sizes"));
        let (ratio_min, ratio_max) = ratios
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
        let (bloom_lo, bloom_hi) = bloom
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), p| (a.min(p.ratio), b.max(p.ratio)));
        let check = CheckResult {
            status: status(pass),
            measured: format!(
                "d*/Bloom in [{bloom_lo:.3}, {bloom_hi:.3}] over m = 2^{}…2^{}{}; d* = {:.1} + {:.2}·log₂m (R² {:.3})",
                sizes[0],
                sizes[sizes.len() - 1],
                match code {
                    RepresentationCode::Bloom => "",
                    RepresentationCode::FoldedOneHot => " (folded one-hot control)",
                },
                fit.intercept,
                fit.slope,
                fit.r2
            ),
            theory: format!(
                "R1: d* = O(log m), at the Bloom estimate 1.44·k·log₂(m/δ) — median d*/Bloom within [{lo}, {hi}] at every m"
            ),
            detail: CheckDetail::Representation(representation::Detail {
                bloom,
                bloom_band: Some(BLOOM_BAND),
                code,
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

    /// The sizes of `sizes` the folded one-hot control searches (see [`ONE_HOT_MAX_LOG_M`]).
    pub(super) fn one_hot_sizes(&self, sizes: &[u32]) -> Vec<u32> {
        sizes.iter().copied().filter(|&l| l <= ONE_HOT_MAX_LOG_M).collect()
    }

    /// d* of `code` per seed at each of `sizes` (log₂ m), one cell
    /// (`search/<bloom|folded-one-hot>/m=2^<log m>/seed=<s>`) per search, recording every probe: the search
    /// `representation` runs, and `gap`'s control runs on the folded one-hot code.
    pub(super) fn representation_widths(&mut self, sizes: &[u32], code: RepresentationCode) -> Result<Widths> {
        let mut medians = BTreeMap::new();
        let mut groups = Vec::new();
        let seeds = self.config.seeds;
        let label = self.current.map_or("representation", |(id, _)| id.as_str());
        let total = sizes.len() as u64 * seeds;
        for (s_index, &log_m) in sizes.iter().enumerate() {
            let mut widths = Vec::new();
            for s in 0..seeds {
                let key = format!("search/{}/m=2^{log_m}/seed={s}", code_name(code));
                let outcome = self.cell(key, |runner| runner.representation_min_width(log_m, s, code));
                let Some(width) = deferrable(outcome)? else {
                    continue;
                };
                widths.push(width as f64);
                self.observer
                    .progress(label, s_index as u64 * seeds + s + 1, total, &format!("m = 2^{log_m}"));
            }
            if self.deferred_here() {
                continue;
            }
            medians.insert(log_m, median(&widths));
            groups.push((f64::from(log_m), widths));
        }
        self.stop_if_deferred()?;
        Ok((medians, groups))
    }

    /// d* of `code` at 2^`log_m` for seed `s`: the smallest width whose failure on fresh
    /// uniform k-sparse samples is at most δ.
    fn representation_min_width(&mut self, log_m: u32, s: u64, code: RepresentationCode) -> Result<usize> {
        let (k, delta) = (self.config.k, self.config.delta);
        let m = 1usize << log_m;
        let seed = derive_seed(self.seed, "representation", u64::from(log_m) << 16 | s);
        let spec = self.spec(
            self.config.representation_samples,
            derive_seed(seed, "samples", 0),
            InputDistribution::Uniform,
        );
        let stop = (delta * spec.samples as f64).floor() as u64;
        let mut probes: Vec<Record> = Vec::new();
        let start = theory::bloom_width(m as f64, k as f64, delta).round() as usize;
        let outcome = min_width(start, 2, MAX_WIDTH, 0.0, |width| {
            let rep = match code {
                RepresentationCode::Bloom => {
                    Representation::build(m, width, Representation::optimal_t(width, k), seed)?
                }
                RepresentationCode::FoldedOneHot => folded_one_hot(m, width)?,
            };
            let failure = representation_failure(&rep, &spec, Some(stop));
            probes.push(Record::RepresentationProbe {
                m: m as u64,
                seed,
                width,
                t: rep.t(),
                failure,
                code,
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
            code,
        });
        Ok(outcome.width)
    }

    /// The dense-code comparison (one cell per size): minimal width of the Gaussian (JL) representation at the
    /// configured sizes, one seed each, beside the Bloom code's median d*.
    fn gaussian_comparison(&mut self, medians: &BTreeMap<u32, f64>) -> Result<Vec<GaussianRow>> {
        let mut rows = Vec::new();
        for log_m in self.config.gaussian_sizes.clone() {
            let key = format!("gaussian/m=2^{log_m}");
            let outcome = self.cell(key, |runner| runner.gaussian_min_width(log_m));
            let Some(width) = deferrable(outcome)? else {
                continue;
            };
            let bloom = medians.get(&log_m).copied();
            rows.push(GaussianRow {
                m: 1u64 << log_m,
                d_star_gaussian: width,
                d_star_bloom: bloom,
                ratio: bloom.map(|b| width as f64 / b),
            });
        }
        self.stop_if_deferred()?;
        Ok(rows)
    }

    /// Minimal width of the Gaussian (JL) representation at 2^`log_m`, one seed (a cell).
    fn gaussian_min_width(&mut self, log_m: u32) -> Result<usize> {
        let (k, delta) = (self.config.k, self.config.delta);
        {
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
            Ok(outcome.width)
        }
    }
}

/// The code's name in cell ids.
fn code_name(code: RepresentationCode) -> &'static str {
    match code {
        RepresentationCode::Bloom => "bloom",
        RepresentationCode::FoldedOneHot => "folded-one-hot",
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{runner, small_config};
    use crate::results::Status;

    #[test]
    fn the_folded_one_hot_control_fails_and_the_bloom_code_passes() {
        let (control, medians) = runner(small_config(), true).representation().unwrap();
        assert_eq!(control.status, Status::Fail, "{}", control.measured);
        // Its d* grows like m (every feature but a few alone on its neuron), not like log m.
        for (&log_m, &d_star) in &medians.0 {
            assert!(d_star > 0.5 * (1u64 << log_m) as f64, "{medians:?}");
        }
        let (ordinary, _) = runner(small_config(), false).representation().unwrap();
        assert_eq!(ordinary.status, Status::Pass, "{}", ordinary.measured);
    }
}
