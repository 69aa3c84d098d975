//! Minimal-width search: the smallest width at which a construction meets its target.
//!
//! The predicate "failure ≤ δ at width w" is treated as monotone in w (it is in expectation,
//! and common random numbers across widths keep it so in practice). The search brackets the
//! threshold by geometric steps of 1.5 from a starting guess, then bisects to a relative
//! precision. Every probe is reported to the caller, which records it.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The outcome: the minimal passing width found and every probe made.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    /// Smallest width found to pass.
    pub width: usize,
    /// (width, passed) for every probe, in probe order.
    pub probes: Vec<(usize, bool)>,
}

/// Searches [min, max] for the smallest passing width, to within max(1, ⌊precision·w⌋).
pub fn min_width(
    start: usize,
    min: usize,
    max: usize,
    precision: f64,
    mut passes: impl FnMut(usize) -> Result<bool>,
) -> Result<SearchOutcome> {
    let mut seen = BTreeMap::new();
    let mut probes = Vec::new();
    let mut probe = |w: usize, probes: &mut Vec<(usize, bool)>| -> Result<bool> {
        if let Some(&p) = seen.get(&w) {
            return Ok(p);
        }
        let p = passes(w)?;
        seen.insert(w, p);
        probes.push((w, p));
        Ok(p)
    };
    let grow = |w: usize| ((w as f64 * 1.5).ceil() as usize).max(w + 1);
    let shrink = |w: usize| ((w as f64 / 1.5).floor() as usize).min(w - 1);
    let mut w = start.clamp(min, max);
    let (mut lo, mut hi);
    if probe(w, &mut probes)? {
        hi = w;
        loop {
            if hi == min {
                return Ok(SearchOutcome { width: min, probes });
            }
            let next = shrink(hi).max(min);
            if probe(next, &mut probes)? {
                hi = next;
            } else {
                lo = next;
                break;
            }
        }
    } else {
        lo = w;
        loop {
            if lo == max {
                return Err(Error::SearchFailed(format!(
                    "no width up to {max} met the target (last failing width {lo}); \
                     raise the maximum width or loosen δ"
                )));
            }
            w = grow(lo).min(max);
            if probe(w, &mut probes)? {
                hi = w;
                break;
            }
            lo = w;
        }
    }
    while hi - lo > ((precision * hi as f64) as usize).max(1) {
        let mid = lo + (hi - lo) / 2;
        if probe(mid, &mut probes)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(SearchOutcome { width: hi, probes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn finds_the_threshold_of_a_monotone_predicate(threshold in 1usize..5000, start in 1usize..5000) {
            let outcome = min_width(start, 1, 10_000, 0.0, |w| Ok(w >= threshold)).unwrap();
            prop_assert_eq!(outcome.width, threshold);
            let tolerant = min_width(start, 1, 10_000, 0.02, |w| Ok(w >= threshold)).unwrap();
            prop_assert!(tolerant.width >= threshold);
            prop_assert!(tolerant.width as f64 <= threshold as f64 * 1.021 + 1.0);
        }
    }

    #[test]
    fn unreachable_targets_fail_loudly() {
        let err = min_width(10, 1, 100, 0.0, |_| Ok(false)).unwrap_err().to_string();
        assert!(err.contains("100"), "{err}");
        assert_eq!(min_width(10, 3, 100, 0.0, |_| Ok(true)).unwrap().width, 3);
    }
}
