//! Small statistics the report needs beyond the schema's (Wilson intervals and medians come
//! from `superposition_schema::stats`, the same code the checks use): log-space constant fits.
//!
//! Everything here is recomputed from the results file so that pooled or derived figures
//! (failure over several seeds, the constant c of a theory shape) never depend on what the
//! run happened to pre-compute.

pub(crate) use superposition_schema::stats::{finite_median as median, wilson};

/// Least-squares constant c of y ≈ c·g(x) in log space: ln c = mean(ln y − ln g(x)).
///
/// The theory gives shapes without constants; fitting c in log space weighs every size
/// equally (a fit in linear space would be dominated by the largest m′). Points where y or
/// g(x) is not positive and finite are ignored; `None` if none is left.
pub(crate) fn fit_constant_log(points: &[(f64, f64)], shape: impl Fn(f64) -> f64) -> Option<f64> {
    let logs: Vec<f64> = points
        .iter()
        .filter_map(|&(x, y)| {
            let g = shape(x);
            (y > 0.0 && y.is_finite() && g > 0.0 && g.is_finite()).then(|| y.ln() - g.ln())
        })
        .collect();
    if logs.is_empty() {
        return None;
    }
    Some((logs.iter().sum::<f64>() / logs.len() as f64).exp())
}

/// Slope of the ordinary least-squares line through `points`; `None` with fewer than two
/// distinct x.
pub(crate) fn ols_slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// Effective power-law exponent of `shape` over the sizes `xs`: the slope of ln g(x)
/// against ln x, i.e. what a log-log fit would report if the data followed g exactly.
///
/// Used to say what exponent T2's and T3's shapes predict over the measured range, since
/// their log factors make the local exponent larger than ½ at finite m′.
pub(crate) fn effective_exponent(xs: &[f64], shape: impl Fn(f64) -> f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = xs
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| (x.ln(), shape(x).ln()))
        .filter(|p| p.1.is_finite())
        .collect();
    ols_slope(&pts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_matches_hand_computed_values() {
        // 0 of 10: centre = half = (z²/2)/(10+z²) = 0.138 76, so [0, 0.277 53].
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.277_53, 1e-4), "{hi}");
        // 5 of 10: centre ½, half = z/(10+z²)·√(2.5 + z²/4) = 0.263 40.
        let (lo, hi) = wilson(5, 10);
        assert!(close(lo, 0.236_60, 1e-4), "{lo}");
        assert!(close(hi, 0.763_40, 1e-4), "{hi}");
        // 10 of 10 mirrors 0 of 10.
        let (lo, hi) = wilson(10, 10);
        assert!(close(lo, 1.0 - 0.277_53, 1e-4) && close(hi, 1.0, 1e-12), "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn median_and_constant_fit() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        let pts: Vec<(f64, f64)> = (8..=16).map(|e| (f64::from(e), 3.0 * f64::from(e).sqrt())).collect();
        let c = fit_constant_log(&pts, f64::sqrt).expect("points are positive");
        assert!(close(c, 3.0, 1e-12));
        let slope = effective_exponent(&[256.0, 65536.0], |m: f64| m.powf(0.5)).expect("two sizes");
        assert!(close(slope, 0.5, 1e-12));
    }
}
