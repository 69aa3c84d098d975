//! Small statistics: Wilson intervals, least-squares lines, bootstrap, medians.

use crate::measure::{FailureRate, LineFit};
use crate::rng::Rng;
use rand::Rng as _;

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The 95 % Wilson score interval for `failures` out of `samples`.
pub fn wilson(failures: u64, samples: u64) -> (f64, f64) {
    if samples == 0 {
        return (0.0, 1.0);
    }
    let n = samples as f64;
    let p = failures.min(samples) as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// A [`FailureRate`] with its Wilson interval.
pub fn failure_rate(failures: u64, samples: u64) -> FailureRate {
    let (wilson_lo, wilson_hi) = wilson(failures, samples);
    FailureRate {
        samples,
        failures,
        rate: if samples == 0 {
            0.0
        } else {
            failures as f64 / samples as f64
        },
        wilson_lo,
        wilson_hi,
    }
}

/// Ordinary least squares y = a + b·x; returns (b, a, R²). Needs at least two distinct x.
pub fn least_squares(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let n = x.len() as f64;
    if x.len() < 2 || x.len() != y.len() {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let syy: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let r2 = if syy > 0.0 { (sxy * sxy) / (sxx * syy) } else { 1.0 };
    Some((slope, intercept, r2))
}

/// Median of a non-empty slice (mean of the middle two for even lengths).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    assert!(n > 0, "median of an empty list");
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }
}

/// Median of the finite values of `values` (mean of the two middle ones for an even count);
/// `None` when there is none. For figures read back from results files, where a censored or
/// missing measurement is written as null or infinity.
pub fn finite_median(values: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    (!finite.is_empty()).then(|| median(&finite))
}

/// The 2.5 % and 97.5 % percentiles of `values` (sorted in place), None when empty.
pub fn percentiles_95(values: &mut [f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((q * (values.len() - 1) as f64).round() as usize).min(values.len() - 1)];
    Some((at(0.025), at(0.975)))
}

/// Fits y = a + b·x through the per-x medians of `groups` (each group: one x, several
/// replicate y's) and bootstraps the slope by resampling replicates within each group.
///
/// The interval is the 2.5 %–97.5 % percentile range over `resamples` refits.
pub fn bootstrap_line(groups: &[(f64, Vec<f64>)], resamples: usize, rng: &mut Rng) -> Option<LineFit> {
    let xs: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let medians: Vec<f64> = groups.iter().map(|g| median(&g.1)).collect();
    let (slope, intercept, r2) = least_squares(&xs, &medians)?;
    let mut slopes = Vec::with_capacity(resamples);
    let mut resampled = Vec::new();
    let mut ys = vec![0.0; groups.len()];
    for _ in 0..resamples {
        for (g, (_, reps)) in groups.iter().enumerate() {
            resampled.clear();
            resampled.extend((0..reps.len()).map(|_| reps[rng.random_range(0..reps.len())]));
            ys[g] = median(&resampled);
        }
        if let Some((b, _, _)) = least_squares(&xs, &ys) {
            slopes.push(b);
        }
    }
    let (slope_lo, slope_hi) = percentiles_95(&mut slopes).unwrap_or((slope, slope));
    Some(LineFit {
        slope,
        intercept,
        r2,
        slope_lo,
        slope_hi,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn wilson_matches_hand_computed_values() {
        // 0 of 10: upper = z²/(n+z²) = 3.8415/13.8415.
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.277_533).abs() < 1e-5, "{hi}");
        // 5 of 10: centre ½, half-width z·√(0.025 + z²/400)/(1 + z²/10).
        let (lo, hi) = wilson(5, 10);
        assert!(
            (lo - 0.236_593).abs() < 1e-5 && (hi - 0.763_407).abs() < 1e-5,
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn least_squares_recovers_a_line() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y: Vec<f64> = x.iter().map(|v| 0.5 + 2.0 * v).collect();
        let (b, a, r2) = least_squares(&x, &y).unwrap();
        assert!((b - 2.0).abs() < 1e-12 && (a - 0.5).abs() < 1e-12 && (r2 - 1.0).abs() < 1e-12);
        assert!(least_squares(&[1.0, 1.0], &[2.0, 3.0]).is_none());
    }

    #[test]
    fn bootstrap_interval_contains_the_slope_and_widens_with_noise() {
        let mut rng = stream(0, "b", 0);
        let exact: Vec<(f64, Vec<f64>)> = (0..5).map(|i| (i as f64, vec![3.0 * i as f64; 4])).collect();
        let fit = bootstrap_line(&exact, 200, &mut rng).unwrap();
        assert!((fit.slope - 3.0).abs() < 1e-12 && fit.slope_lo == fit.slope && fit.slope_hi == fit.slope);
        let noisy: Vec<(f64, Vec<f64>)> = (0..5)
            .map(|i| {
                (
                    i as f64,
                    vec![3.0 * i as f64 - 1.0, 3.0 * i as f64, 3.0 * i as f64 + 1.0],
                )
            })
            .collect();
        let fit = bootstrap_line(&noisy, 500, &mut rng).unwrap();
        assert!(
            fit.slope_lo < 3.0 && fit.slope_hi > 3.0 && fit.slope_hi - fit.slope_lo > 0.1,
            "{fit:?}"
        );
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
