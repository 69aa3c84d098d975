//! Check `capacity` (C1): for fixed hidden widths n, the largest m′ AS-2AND computes at
//! failure ≤ δ, and the shape of its growth in n against n²/log₂ n and n²/log₂² n.
//!
//! Claim: C1 caps what n neurons compute at O(n²/log n) features; T3's construction, inverted,
//! computes Ω(n²/log² n). So m′_max(n) grows like n² up to one or two log factors.
//!
//! Criterion (fixed before any run of it): the exponent b of m′_max ∝ n^b, fitted by least
//! squares on ln m′_max against ln n over the widths where some m′ passed (per-width medians,
//! bootstrap over the seeds within each width), must have its 95 % interval within
//! [e₂ − 0.2, e₁ + 0.2], where e_a = 2 − a·ln(ln n_hi / ln n_lo)/ln(n_hi/n_lo) is the secant
//! exponent of n²/log^a n over the measured range [n_lo, n_hi]
//! ([`crate::theory::capacity_shape_exponent`]): T3's shape n²/log² n at the lower end, C1's
//! n²/log n at the upper end, each with a finite-size margin of 0.2 (the margin `permutation`
//! allows). Over n = 256…2048 (quick) e₂ = 1.694 and e₁ = 1.847, so the band is
//! [1.49, 2.05]; over 256…4096 (standard) [1.51, 2.05]; over 256…16384 (full) [1.53, 2.07].
//! A capacity growing like n¹ (no superposition of outputs) or like n³ FAILs; so does one
//! fewer than two widths with a passing m′ (no shape to judge). At quick scale there is one
//! seed per width, so the interval is the point estimate. The committed standard and full
//! results (old criterion) had whole-range exponents 2.73 [2.68, 2.78] and 2.51 [2.47, 2.54]
//! when this band was set from the theory: above it; the band was not moved to meet them.
//!
//! Reported, not judged: local exponents per octave of width (finite-size effects move them:
//! at small n, t = ⌈log₂ m′⌉ code neurons per output are a large share of n), the constants of
//! m′_max ≈ c·n²/log₂ n and ≈ c·n²/log₂² n with their log-residuals, and the counting
//! comparison log₂ C(C(m′,2), m′) ≤ the network's parameter bits at m′_max — an invariant of
//! any correct construction (the old criterion, which no honest run could fail).
//!
//! Negative control: AS-2AND with one code neuron per output (t_out = 1). A hidden neuron then
//! hosts ≈ m′/n outputs and decides them all at once: a true pair on fires its neuron, and every
//! other output hosted there reads 1. Under the planted inputs (⌊k/2⌋ true pairs on), failure
//! ≈ 1 − e^{−⌊k/2⌋·m′/n}, so m′_max ≈ δ·n/⌊k/2⌋ grows like n¹ in expectation (at these small
//! m′, how many outputs the draw of the code puts together decides each width): the exponent
//! leaves the band.

use std::collections::BTreeMap;

use super::{Runner, deferrable, status};
use crate::base::instance::{And2Instance, PairDistribution};
use crate::base::sample::InputDistribution;
use crate::constructions::and2::{And2Network, And2Params};
use crate::error::Result;
use crate::evaluate::eval::and2_failure;
use crate::results::{CheckResult, FailureRate, Record, Resources};
use crate::rng::derive_seed;
use crate::stats::median;
use crate::theory;
use superposition_schema::checks::capacity::{CapacityPoint, CapacityShape};
use superposition_schema::checks::{CheckDetail, capacity};

/// Least-squares constant of y ≈ c·x through the origin, and the RMS of ln(y / (c·x)).
fn through_origin(points: &[(f64, f64)]) -> (f64, f64) {
    let c = points.iter().map(|(x, y)| x * y).sum::<f64>() / points.iter().map(|(x, _)| x * x).sum::<f64>();
    let rms = (points.iter().map(|(x, y)| (y / (c * x)).ln().powi(2)).sum::<f64>() / points.len() as f64).sqrt();
    (c, rms)
}

/// `x` if finite (JSON writes NaN and ±∞ as null).
fn finite(x: f64) -> Option<f64> {
    Some(x).filter(|x| x.is_finite())
}

/// Local exponents ln(m′₂/m′₁)/ln(n₂/n₁) between consecutive (n, median m′_max) points.
fn local_exponents(medians: &[(f64, f64)]) -> Vec<capacity::LocalExponent> {
    medians
        .windows(2)
        .map(|w| capacity::LocalExponent {
            from_width: w[0].0.round() as usize,
            to_width: w[1].0.round() as usize,
            exponent: (w[1].1 / w[0].1).ln() / (w[1].0 / w[0].0).ln(),
        })
        .collect()
}

/// (m′_max, smallest failing m′ above it, resources and failure at m′_max).
type CapacityOutcome = (u64, u64, Option<(Resources, FailureRate)>);

impl Runner<'_> {
    /// m′_max(n) by search over m′ (fresh instance per m′, m = m′, defaults t = ⌈log₂ m′⌉,
    /// input width = hidden width = n; t_out = 1 under the negative control), judged on its
    /// fitted exponent in n (see the module documentation for the criterion).
    pub(super) fn capacity(&mut self) -> Result<CheckResult> {
        let c = self.config.lower.clone();
        let (mut points, mut groups, mut violations, mut empty) = (Vec::new(), Vec::new(), 0u64, 0u64);
        let total = c.capacity_widths.len() as u64 * c.capacity_seeds;
        let (mut done, mut floor) = (0, 0u64);
        for &width in &c.capacity_widths {
            let mut maxima = Vec::new();
            for s in 0..c.capacity_seeds {
                // One cell per (n, seed); the floor is the previous width's value, so the widths
                // chain: a sharded run needs one stage per width.
                let key = format!("search/n={width}/seed={s}/floor={floor}");
                let outcome = self.cell(key, |runner| runner.capacity_at(width, s, floor));
                let Some((m_max, failing, at_max)) = deferrable(outcome)? else {
                    continue;
                };
                let log2_instances = if m_max >= 3 {
                    theory::log2_and2_instances(m_max, m_max)
                } else {
                    0.0
                };
                let counting = at_max.map_or(0, |(r, _)| theory::and2_capacity(r.parameter_bits as f64));
                // m′_max = 0 (no m′ ≥ 9 passed) is no counting violation, but it is reported.
                let fits = at_max.is_none_or(|(r, _)| log2_instances <= r.parameter_bits as f64);
                violations += u64::from(!fits);
                empty += u64::from(m_max == 0);
                self.emit(Record::Capacity {
                    hidden_width: width,
                    seed: s,
                    m_prime_max: m_max,
                    m_prime_failing: failing,
                    resources: at_max.map(|a| a.0),
                    failure: at_max.map(|a| a.1),
                    log2_instances,
                    counting_capacity: counting,
                });
                if m_max > 0 {
                    maxima.push(m_max as f64);
                }
                points.push(CapacityPoint {
                    hidden_width: width,
                    seed: s,
                    m_prime_max: m_max,
                    m_prime_failing: failing,
                    log2_instances,
                    parameter_bits: at_max.map(|a| a.0.parameter_bits),
                    counting_capacity: counting,
                    fits,
                    c_lower_shape: m_max as f64 / theory::capacity_lower_shape(width as f64),
                    c_upper_shape: m_max as f64 / theory::capacity_upper_shape(width as f64),
                });
                done += 1;
                self.observer
                    .progress("capacity", done, total, &format!("n = {width}: m′_max = {m_max}"));
            }
            if self.deferred_here() {
                break; // the next width's floor needs every seed of this one
            }
            // Capacity grows with n: the next width's search starts at this one's segment.
            if let Some(lowest) = maxima.iter().copied().reduce(f64::min) {
                floor = lowest as u64;
            }
            if !maxima.is_empty() {
                groups.push(((width as f64).ln(), maxima.iter().map(|m| m.ln()).collect::<Vec<_>>()));
            }
        }
        self.stop_if_deferred()?;
        let medians: Vec<(f64, f64)> = groups.iter().map(|(x, ys)| (x.exp(), median(ys).exp())).collect();
        let upper: Vec<(f64, f64)> = medians
            .iter()
            .map(|&(n, m)| (theory::capacity_upper_shape(n), m))
            .collect();
        let lower: Vec<(f64, f64)> = medians
            .iter()
            .map(|&(n, m)| (theory::capacity_lower_shape(n), m))
            .collect();
        let (c_upper, rms_upper) = through_origin(&upper);
        let (c_lower, rms_lower) = through_origin(&lower);
        let fit = self.fit(&groups, "capacity").ok();
        let first = medians.first().copied().unwrap_or_default();
        let last = medians.last().copied().unwrap_or_default();
        let band = fit.map(|_| capacity::exponent_band(first.0, last.0));
        let in_band = fit
            .zip(band)
            .is_some_and(|(f, [lo, hi])| f.slope_lo >= lo && f.slope_hi <= hi);
        let (slope, slope_lo, slope_hi) =
            fit.map_or((f64::NAN, f64::NAN, f64::NAN), |f| (f.slope, f.slope_lo, f.slope_hi));
        let [band_lo, band_hi] = band.unwrap_or([f64::NAN; 2]);
        let local_exponents = local_exponents(&medians);
        let locals: Vec<String> = local_exponents
            .iter()
            .map(|l| format!("{}→{}: {:.2}", l.from_width, l.to_width, l.exponent))
            .collect();
        Ok(CheckResult {
            status: status(in_band),
            measured: format!(
                "m′_max {:.0} at n = {:.0} → {:.0} at n = {:.0}; m′_max ∝ n^{slope:.2} [{slope_lo:.2}, {slope_hi:.2}] against the band [{band_lo:.2}, {band_hi:.2}]; local exponents {}; m′_max ≈ {c_lower:.3}·n²/log₂²n (rms log-residual {rms_lower:.2}) ≈ {c_upper:.4}·n²/log₂n (rms {rms_upper:.2}); {violations} above the counting capacity (invariant); {empty} widths with no m′ passing{}",
                first.1,
                first.0,
                last.1,
                last.0,
                if locals.is_empty() {
                    "none".into()
                } else {
                    locals.join(", ")
                },
                if self.control { " (control: t_out = 1)" } else { "" },
            ),
            theory: format!(
                "C1 (≤ n²/log n) and T3 inverted (≥ n²/log² n): m′_max grows like n² up to log factors — PASS iff the fitted exponent's 95 % interval lies within [e₂ − {m}, e₁ + {m}], e_a the secant exponent of n²/log^a n over the measured widths ([{band_lo:.2}, {band_hi:.2}] here); the counting capacity is an invariant, reported",
                m = capacity::EXPONENT_MARGIN,
            ),
            detail: CheckDetail::Capacity(capacity::Detail {
                points,
                // Without a width passing, the constants are 0/0: none.
                c_upper_shape: finite(c_upper),
                rms_upper_shape: finite(rms_upper),
                c_lower_shape: finite(c_lower),
                rms_lower_shape: finite(rms_lower),
                fit,
                delta: self.config.delta,
                better_shape: if rms_lower <= rms_upper {
                    CapacityShape::LowerShape
                } else {
                    CapacityShape::UpperShape
                },
                widths_without_capacity: empty,
                exponent_band: band,
                exponent_in_band: Some(in_band),
                local_exponents,
                counting_violations: Some(violations),
            }),
            seconds: 0.0,
        })
    }

    /// The largest m′ passing at hidden width n; returns (m′_max, the smallest m′ found to fail
    /// above it, resources and failure at m′_max).
    ///
    /// Failure is not monotone in m′ across powers of two: t = ⌈log₂ m′⌉ steps up at 2^j + 1
    /// and the extra vote lowers the failure (measured: at n = 512, 28 % at m′ = 222 but 8.5 %
    /// at m′ = 333). So the search runs per t-segment (2^(t−1), 2^t], where failure does grow
    /// with m′: a segment whose first m′ passes is bisected for its last passing m′; the search
    /// stops after two consecutive segments fail at their first m′. Segments below the one
    /// holding `floor` (a smaller width's capacity) are skipped.
    fn capacity_at(&mut self, width: usize, s: u64, floor: u64) -> Result<CapacityOutcome> {
        let seed = derive_seed(self.seed, "capacity", (width as u64) << 8 | s);
        let spec = self.spec(
            self.config.samples,
            derive_seed(seed, "samples", 0),
            InputDistribution::Planted,
        );
        let stop = (self.config.delta * spec.samples as f64).floor() as u64;
        let precision = self.config.precision;
        let mut measured: BTreeMap<u64, (Resources, FailureRate, bool)> = BTreeMap::new();
        let mut probe = |runner: &mut Self, m_prime: u64| -> Result<bool> {
            if let Some(v) = measured.get(&m_prime) {
                return Ok(v.2);
            }
            let mut params = And2Params::defaults(m_prime as usize, width, derive_seed(seed, "code", 0));
            if runner.control {
                params.t_out = 1;
            }
            if params.t_in.max(params.t_out) >= width {
                return Ok(false); // t = ⌈log₂ m′⌉ no longer fits in n.
            }
            let instance = And2Instance::random(
                m_prime as usize,
                m_prime as usize,
                PairDistribution::Uniform,
                derive_seed(seed, "instance", m_prime),
            )?;
            let network = And2Network::build(&instance, params)?;
            let failure = and2_failure(&network, &instance, &spec, Some(stop));
            let resources = network.resources();
            runner.tally_sanity(&instance, &resources);
            runner.emit(Record::And2Probe {
                purpose: "capacity".into(),
                m_prime,
                m: m_prime,
                seed: derive_seed(seed, "code", 0),
                t_in: params.t_in,
                t_out: params.t_out,
                centering: true,
                resources,
                failure,
            });
            let passed = failure.failures <= stop && failure.samples == spec.samples;
            measured.insert(m_prime, (resources, failure, passed));
            Ok(passed)
        };
        let (mut best, mut misses) = (0u64, 0);
        let mut t = (64 - floor.saturating_sub(1).leading_zeros()).max(4);
        while misses < 2 && (t as usize) < width {
            let (mut lo, mut hi) = ((1u64 << (t - 1)) + 1, 1u64 << t);
            if !probe(self, lo)? {
                misses += 1;
                t += 1;
                continue;
            }
            misses = 0;
            if probe(self, hi)? {
                best = hi;
            } else {
                // lo passes, hi fails: bisect to the relative precision.
                while hi - lo > ((precision * hi as f64) as u64).max(1) {
                    let mid = lo + (hi - lo) / 2;
                    if probe(self, mid)? {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                best = lo;
            }
            t += 1;
        }
        let at = measured.get(&best).map(|v| (v.0, v.1));
        let failing = measured.range(best + 1..).find(|(_, v)| !v.2).map_or(0, |(&m, _)| m);
        Ok((best, failing, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{ScaleConfig, Silent};
    use crate::config::Scale;
    use crate::results::Status;

    #[test]
    fn the_band_admits_quadratic_shapes_and_refuses_linear_and_cubic_ones() {
        let [lo, hi] = capacity::exponent_band(256.0, 2048.0);
        assert!(
            lo < theory::capacity_shape_exponent(2.0, 256.0, 2048.0) && hi > 2.0,
            "[{lo}, {hi}]"
        );
        assert!(lo > 1.0 + 0.4 && hi < 3.0 - 0.4, "[{lo}, {hi}]");
    }

    #[test]
    fn the_control_one_code_neuron_per_output_fails() {
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.lower.capacity_widths = vec![256, 512, 1024];
        config.lower.capacity_seeds = 1;
        let mut silent = Silent;
        let mut runner = Runner::new(config, 7, &mut silent).unwrap().negative_controls();
        let result = runner.capacity().unwrap();
        assert_eq!(result.status, Status::Fail, "{}", result.measured);
        let CheckDetail::Capacity(detail) = &result.detail else {
            panic!("capacity returned the detail of {}", result.id())
        };
        // The verdict is the criterion's: an exponent measured outside the band.
        assert!(detail.exponent_in_band == Some(false) && detail.exponent_band.is_some());
        let fit = detail.fit.expect("at least two widths computed some m′");
        assert!(fit.slope < detail.exponent_band.unwrap()[0], "{}", result.measured);
        // Every probe of the control had one code neuron per output.
        assert!(
            runner
                .records
                .iter()
                .all(|r| !matches!(r, Record::And2Probe { t_out, .. } if *t_out != 1))
        );
    }

    #[test]
    fn through_origin_recovers_an_exact_constant() {
        let points = [(1.0, 3.0), (10.0, 30.0), (100.0, 300.0)];
        let (c, rms) = through_origin(&points);
        assert!((c - 3.0).abs() < 1e-12 && rms < 1e-12);
        // A point off by a factor e on a log scale contributes to the residual.
        let (_, rms) = through_origin(&[(1.0, 1.0), (2.0, 2.0 * std::f64::consts::E)]);
        assert!(rms > 0.3, "{rms}");
    }
}
