//! The shape of a minimal width n*(m′) against m′: more than one power law.
//!
//! Over the sizes this project can measure, n*(m′) of AS-2AND is not one power law: the
//! exponent between consecutive octaves rises with m′ and alternates with the parity of
//! t = ⌈log₂ m′⌉ (the vote threshold ⌈t/2⌉ is exactly half of t only at even t). So the
//! figures here are:
//! - the two-parameter fit n* = c·√m′·(log₂ m′)^a of T3's shape, linear in
//!   (ln log₂ m′, ln n* − ½ ln m′);
//! - the power law n* ∝ m′^b beside it;
//! - both with intervals from a bootstrap over **sizes and seeds** (resample the sizes with
//!   replacement, then each chosen size's seeds), which widens with lack of fit: a model that
//!   misses some sizes gives refits that disagree. A bootstrap over seeds alone reflects seed
//!   noise only;
//! - the local exponent of every octave (adjacent measured sizes), with a seed bootstrap;
//! - the power law on the sizes of even t and of odd t apart.

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::measure::LineFit;
use crate::rng::Rng;
use crate::stats::{bootstrap_line, least_squares, median, percentiles_95};

/// n* = c·√m′·(log₂ m′)^a with 95 % intervals from the size-and-seed bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SqrtLogFit {
    /// c, at the point estimate.
    pub c: f64,
    /// Lower end of c's interval.
    pub c_lo: f64,
    /// Upper end of c's interval.
    pub c_hi: f64,
    /// a, the power of log₂ m′ beyond √m′ (T3: a ≤ 1).
    pub a: f64,
    /// Lower end of a's interval.
    pub a_lo: f64,
    /// Upper end of a's interval.
    pub a_hi: f64,
    /// R² of the point fit in its linear coordinates.
    pub r2: f64,
}

/// The exponent of n* between two adjacent measured sizes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocalExponent {
    /// The smaller m′.
    pub m_from: u64,
    /// The larger m′.
    pub m_to: u64,
    /// t = ⌈log₂ m′⌉ at the smaller size (its parity sets whether ⌈t/2⌉ = t/2).
    pub t_from: u32,
    /// Δ ln median n* / Δ ln m′.
    pub exponent: f64,
    /// Lower end of the seed-bootstrap interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// Every shape figure of one n*(m′) series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeAnalysis {
    /// The two-parameter fit (none with fewer than two sizes).
    pub sqrt_log: Option<SqrtLogFit>,
    /// The power law n* ∝ m′^b, interval from the size-and-seed bootstrap.
    pub power: Option<LineFit>,
    /// One per pair of adjacent sizes.
    pub local: Vec<LocalExponent>,
    /// The power law on the sizes with even t only (seed bootstrap).
    pub even_t: Option<LineFit>,
    /// The power law on the sizes with odd t only.
    pub odd_t: Option<LineFit>,
}

/// t = ⌈log₂ m′⌉.
pub fn t_of(m_prime: u64) -> u32 {
    (m_prime.max(2) as f64).log2().ceil() as u32
}

/// A line through the medians of `groups`, with 95 % percentile intervals of slope and
/// intercept from a bootstrap that resamples the groups with replacement, then each chosen
/// group's replicates. Resamples with fewer than two distinct x determine no line and are
/// skipped. None with fewer than two groups.
pub fn bootstrap_line_cases(
    groups: &[(f64, Vec<f64>)],
    resamples: usize,
    rng: &mut Rng,
) -> Option<(LineFit, (f64, f64))> {
    let xs: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let medians: Vec<f64> = groups.iter().map(|g| median(&g.1)).collect();
    let (slope, intercept, r2) = least_squares(&xs, &medians)?;
    let (mut slopes, mut intercepts) = (Vec::with_capacity(resamples), Vec::with_capacity(resamples));
    let (mut x, mut y, mut reps) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..resamples {
        x.clear();
        y.clear();
        for _ in 0..groups.len() {
            let (gx, g) = &groups[rng.random_range(0..groups.len())];
            reps.clear();
            reps.extend((0..g.len()).map(|_| g[rng.random_range(0..g.len())]));
            x.push(*gx);
            y.push(median(&reps));
        }
        if let Some((b, a, _)) = least_squares(&x, &y) {
            slopes.push(b);
            intercepts.push(a);
        }
    }
    let (slope_lo, slope_hi) = percentiles_95(&mut slopes).unwrap_or((slope, slope));
    let intercept_interval = percentiles_95(&mut intercepts).unwrap_or((intercept, intercept));
    Some((
        LineFit {
            slope,
            intercept,
            r2,
            slope_lo,
            slope_hi,
        },
        intercept_interval,
    ))
}

/// Every shape figure of the series `sizes`: (m′, n* per seed), in increasing m′.
pub fn analyse(sizes: &[(u64, Vec<f64>)], resamples: usize, rng: &mut Rng) -> ShapeAnalysis {
    let ln = |v: &[f64]| v.iter().map(|w| w.ln()).collect::<Vec<_>>();
    let power_groups: Vec<(f64, Vec<f64>)> = sizes.iter().map(|(m, w)| ((*m as f64).ln(), ln(w))).collect();
    // T3's shape, linear in (ln log₂ m′, ln n* − ½ ln m′).
    let shape_groups: Vec<(f64, Vec<f64>)> = sizes
        .iter()
        .map(|(m, w)| {
            let m = *m as f64;
            (m.log2().ln(), w.iter().map(|n| n.ln() - 0.5 * m.ln()).collect())
        })
        .collect();
    let sqrt_log = bootstrap_line_cases(&shape_groups, resamples, rng).map(|(fit, (lo, hi))| SqrtLogFit {
        c: fit.intercept.exp(),
        c_lo: lo.exp(),
        c_hi: hi.exp(),
        a: fit.slope,
        a_lo: fit.slope_lo,
        a_hi: fit.slope_hi,
        r2: fit.r2,
    });
    let power = bootstrap_line_cases(&power_groups, resamples, rng).map(|(fit, _)| fit);
    let local = power_groups
        .windows(2)
        .zip(sizes.windows(2))
        .filter_map(|(g, s)| {
            let fit = bootstrap_line(g, resamples, rng)?;
            Some(LocalExponent {
                m_from: s[0].0,
                m_to: s[1].0,
                t_from: t_of(s[0].0),
                exponent: fit.slope,
                lo: fit.slope_lo,
                hi: fit.slope_hi,
            })
        })
        .collect();
    let of_parity = |even: bool, rng: &mut Rng| {
        let groups: Vec<(f64, Vec<f64>)> = sizes
            .iter()
            .zip(&power_groups)
            .filter(|((m, _), _)| t_of(*m).is_multiple_of(2) == even)
            .map(|(_, g)| g.clone())
            .collect();
        bootstrap_line(&groups, resamples, rng)
    };
    let even_t = of_parity(true, rng);
    let odd_t = of_parity(false, rng);
    ShapeAnalysis {
        sqrt_log,
        power,
        local,
        even_t,
        odd_t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn series(n: impl Fn(f64) -> f64, noise: f64) -> Vec<(u64, Vec<f64>)> {
        (8..=18)
            .map(|e| {
                let m = 1u64 << e;
                let centre = n(m as f64);
                (m, (0..5).map(|s| centre * (1.0 + noise * (s as f64 - 2.0))).collect())
            })
            .collect()
    }

    #[test]
    fn the_two_parameter_fit_recovers_c_and_a() {
        let sizes = series(|m| 1.7 * m.sqrt() * m.log2().powf(0.8), 0.01);
        let shape = analyse(&sizes, 300, &mut stream(1, "t", 0));
        let fit = shape.sqrt_log.unwrap();
        assert!((fit.a - 0.8).abs() < 0.02 && (fit.c - 1.7).abs() < 0.05, "{fit:?}");
        assert!(fit.a_lo <= 0.8 && 0.8 <= fit.a_hi, "{fit:?}");
        // The local exponents of this shape, ½ + a/ln m′, fall towards ½.
        let first = shape.local.first().unwrap().exponent;
        let last = shape.local.last().unwrap().exponent;
        assert!(first > last && last > 0.5, "{first} {last}");
    }

    #[test]
    fn a_size_bootstrap_widens_with_lack_of_fit_and_a_seed_bootstrap_does_not() {
        // A power law whose exponent alternates with the parity of t: a line misses every
        // other size, but the seeds agree.
        let sizes: Vec<(u64, Vec<f64>)> = (8..=18)
            .map(|e: u32| {
                let m = 1u64 << e;
                let wobble = if e.is_multiple_of(2) { 1.15 } else { 0.87 };
                (m, vec![(m as f64).powf(0.4) * wobble; 5])
            })
            .collect();
        let groups: Vec<(f64, Vec<f64>)> = sizes
            .iter()
            .map(|(m, w)| ((*m as f64).ln(), w.iter().map(|v| v.ln()).collect()))
            .collect();
        let seeds_only = bootstrap_line(&groups, 300, &mut stream(1, "s", 0)).unwrap();
        let (cases, _) = bootstrap_line_cases(&groups, 300, &mut stream(1, "c", 0)).unwrap();
        assert_eq!(
            seeds_only.slope_lo, seeds_only.slope_hi,
            "identical seeds: no seed noise"
        );
        assert!(cases.slope_hi - cases.slope_lo > 0.01, "{cases:?}");
        let shape = analyse(&sizes, 300, &mut stream(1, "a", 0));
        let (even, odd) = (shape.even_t.unwrap(), shape.odd_t.unwrap());
        assert!((even.slope - 0.4).abs() < 1e-9 && (odd.slope - 0.4).abs() < 1e-9);
        let alternating: Vec<bool> = shape.local.iter().map(|l| l.exponent > 0.4).collect();
        assert!(alternating.windows(2).all(|w| w[0] != w[1]), "{alternating:?}");
    }
}
