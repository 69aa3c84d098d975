//! U-AND (Hänni et al. 2024): one hidden layer that computes all C(m,2) pairwise ANDs of m
//! Boolean inputs with an averaged, ε-error readout.
//!
//! d hidden neurons; W_{iα} ~ Bernoulli(p), independent and seeded; h_i = ReLU(Σ_α W_{iα}·x_α − 1).
//! The readout of AND(α, β) is the mean of h_i over the N_{αβ} neurons with W_{iα} = W_{iβ} = 1
//! (0 when N_{αβ} = 0). A neuron connected to both α and β gives h_i = 1 + (other active
//! inputs it reads) when both are on, and (other active inputs it reads) when one is: the
//! readout is AND(α, β) plus interference ≈ (k − 1)·p on pairs touching an active input, and
//! of order p² on the others (two active inputs must meet in one neuron).
//!
//! The default p = min(1, √(2·ln C(m,2) / d)) gives every pair d·p² = 2·ln C(m,2) shared
//! neurons on average, so the chance that some pair shares none is at most
//! C(m,2)·e^{−2 ln C(m,2)} = 1/C(m,2) (union bound), while the interference (k − 1)·p falls
//! like 1/√d at fixed m.

use rand::Rng as _;
use rayon::prelude::*;

use crate::base::code::Csr;
use crate::base::memory;
use crate::base::sample::CHUNK;
use crate::base::sample::sample_uniform_fill;
use crate::error::{Result, invalid};
use crate::rng::{Rng, derive_seed, stream};

/// The default connection probability p = min(1, √(2·ln C(m,2) / d)).
pub fn default_p(inputs: usize, width: usize) -> f64 {
    let pairs = (inputs as f64) * (inputs as f64 - 1.0) / 2.0;
    (2.0 * pairs.max(2.0).ln() / width.max(1) as f64).sqrt().min(1.0)
}

/// A built U-AND network: the sparse 0/1 weights by input (columns) and by neuron (rows).
#[derive(Debug, Clone)]
pub struct UAnd {
    inputs: usize,
    width: usize,
    p: f64,
    /// α ↦ the neurons i with W_{iα} = 1, sorted.
    columns: Csr,
    /// i ↦ the inputs α with W_{iα} = 1, sorted.
    rows: Csr,
}

/// Reusable per-thread buffers.
#[derive(Debug, Default, Clone)]
pub struct UAndScratch {
    counts: Vec<u32>,
    touched: Vec<u32>,
    shared: Vec<u32>,
    sums: Vec<u32>,
    partners: Vec<u32>,
}

/// Readout errors of one sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SampleErrors {
    /// Σ |error| over the C(k,2) pairs with both inputs on.
    pub both_on: f64,
    /// Σ |error| over the k·(m − k) pairs with exactly one input on (all of them, exactly).
    pub one_on: f64,
    /// Mean |error| over the sampled pairs with both inputs off.
    pub off_mean: f64,
    /// Largest |error| over every pair evaluated.
    pub max: f64,
}

impl UAnd {
    /// Estimated bytes of a network: two CSR tables of m·d·p entries.
    pub fn estimate_bytes(inputs: usize, width: usize, p: f64) -> u64 {
        (8.0 * inputs as f64 * width as f64 * p) as u64 + 8 * (inputs + width) as u64
    }

    /// Builds U-AND with m = `inputs`, d = `width` neurons and connection probability p.
    /// Column α draws its neurons from the stream (seed, "u-and", α) by geometric skips.
    pub fn build(inputs: usize, width: usize, p: f64, seed: u64) -> Result<Self> {
        if inputs < 2 {
            return Err(invalid("m", inputs, "U-AND needs at least two inputs"));
        }
        if width == 0 || width > u32::MAX as usize {
            return Err(invalid("d", width, "must be in 1..=2^32−1"));
        }
        if !(p > 0.0 && p <= 1.0) {
            return Err(invalid("p", p, "must be in (0, 1]"));
        }
        memory::check(
            || format!("a U-AND network with m = {inputs}, d = {width}, p = {p:.3}"),
            Self::estimate_bytes(inputs, width, p),
        )?;
        let column = |alpha: usize| -> Vec<u32> {
            if p >= 1.0 {
                return (0..width as u32).collect();
            }
            let mut rng = stream(seed, "u-and", alpha as u64);
            let log_q = (1.0 - p).ln();
            let mut out = Vec::new();
            let mut i = -1i64;
            loop {
                let u: f64 = 1.0 - rng.random::<f64>();
                i += 1 + (u.ln() / log_q).floor() as i64;
                if i >= width as i64 {
                    break out;
                }
                out.push(i as u32);
            }
        };
        let cols: Vec<Vec<u32>> = (0..inputs).into_par_iter().map(column).collect();
        let (columns, rows) = index(&cols, width);
        Ok(Self {
            inputs,
            width,
            p,
            columns,
            rows,
        })
    }

    /// A network from explicit columns (input α ↦ the neurons reading it), for tests and
    /// hand-made codes; p is recorded as the measured connection rate.
    pub fn from_columns(width: usize, cols: Vec<Vec<u32>>) -> Result<Self> {
        let inputs = cols.len();
        if inputs < 2 || width == 0 {
            return Err(invalid("m", inputs, "U-AND needs at least two inputs and one neuron"));
        }
        let mut cols = cols;
        for c in &mut cols {
            c.sort_unstable();
            c.dedup();
            if c.iter().any(|&i| i as usize >= width) {
                return Err(invalid(
                    "columns",
                    format!("{c:?}"),
                    format!("neurons must be below {width}"),
                ));
            }
        }
        let (columns, rows) = index(&cols, width);
        let p = columns.len() as f64 / (inputs * width) as f64;
        Ok(Self {
            inputs,
            width,
            p,
            columns,
            rows,
        })
    }

    /// m.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// d.
    pub fn width(&self) -> usize {
        self.width
    }

    /// p.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// W_{iα}.
    pub fn weight(&self, neuron: usize, input: usize) -> bool {
        self.columns.row(input).binary_search(&(neuron as u32)).is_ok()
    }

    /// Nonzero weights (parameters are these plus d biases).
    pub fn nonzero_weights(&self) -> usize {
        self.columns.len()
    }

    /// h = ReLU(W x − 1) for the active inputs (distinct), into `scratch` (dense, d entries).
    pub fn hidden(&self, active: &[u32], scratch: &mut UAndScratch) -> Vec<u32> {
        self.accumulate(active, scratch);
        let h = scratch.counts.iter().map(|&c| c.saturating_sub(1)).collect();
        self.reset(scratch);
        h
    }

    fn accumulate(&self, active: &[u32], scratch: &mut UAndScratch) {
        if scratch.counts.len() != self.width {
            scratch.counts = vec![0; self.width];
        }
        scratch.touched.clear();
        for &a in active {
            for &i in self.columns.row(a as usize) {
                if scratch.counts[i as usize] == 0 {
                    scratch.touched.push(i);
                }
                scratch.counts[i as usize] += 1;
            }
        }
    }

    fn reset(&self, scratch: &mut UAndScratch) {
        for &i in &scratch.touched {
            scratch.counts[i as usize] = 0;
        }
    }

    /// The readout of AND(α, β) given h: mean of h over the neurons reading both (0 if none),
    /// with the number of such neurons.
    pub fn readout(&self, alpha: usize, beta: usize, h: impl Fn(usize) -> u32) -> (f64, usize) {
        let (a, b) = (self.columns.row(alpha), self.columns.row(beta));
        let (mut x, mut y, mut n, mut sum) = (0, 0, 0usize, 0u64);
        while x < a.len() && y < b.len() {
            match a[x].cmp(&b[y]) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    sum += u64::from(h(a[x] as usize));
                    x += 1;
                    y += 1;
                }
            }
        }
        (if n == 0 { 0.0 } else { sum as f64 / n as f64 }, n)
    }

    /// The readout errors of one input (active inputs distinct, sorted): every pair with both
    /// or exactly one input on exactly, and `off_pairs` uniformly sampled pairs with both off
    /// (drawn from `rng`).
    pub fn sample_errors(
        &self,
        active: &[u32],
        off_pairs: usize,
        rng: &mut Rng,
        scratch: &mut UAndScratch,
    ) -> SampleErrors {
        self.accumulate(active, scratch);
        let counts = std::mem::take(&mut scratch.counts);
        let h = |i: usize| counts[i].saturating_sub(1);
        let mut e = SampleErrors::default();
        for (x, &a) in active.iter().enumerate() {
            for &b in &active[x + 1..] {
                let err = (self.readout(a as usize, b as usize, h).0 - 1.0).abs();
                e.both_on += err;
                e.max = e.max.max(err);
            }
        }
        // One on: for active α, N_{αβ} and Σ h over the shared neurons, for every β at once.
        let m = self.inputs;
        if scratch.shared.len() != m {
            scratch.shared = vec![0; m];
            scratch.sums = vec![0; m];
        }
        for &a in active {
            scratch.partners.clear();
            for &i in self.columns.row(a as usize) {
                let hi = h(i as usize);
                for &b in self.rows.row(i as usize) {
                    if scratch.shared[b as usize] == 0 {
                        scratch.partners.push(b);
                    }
                    scratch.shared[b as usize] += 1;
                    scratch.sums[b as usize] += hi;
                }
            }
            for &b in &scratch.partners {
                if active.binary_search(&b).is_err() {
                    let err = f64::from(scratch.sums[b as usize]) / f64::from(scratch.shared[b as usize]);
                    e.one_on += err;
                    e.max = e.max.max(err);
                }
                scratch.shared[b as usize] = 0;
                scratch.sums[b as usize] = 0;
            }
        }
        let inactive = m - active.len();
        if inactive >= 2 && off_pairs > 0 {
            let mut total = 0.0;
            for _ in 0..off_pairs {
                let (b, c) = loop {
                    let b = rng.random_range(0..m as u32);
                    let c = rng.random_range(0..m as u32);
                    if b != c && active.binary_search(&b).is_err() && active.binary_search(&c).is_err() {
                        break (b, c);
                    }
                };
                let err = self.readout(b as usize, c as usize, h).0;
                total += err;
                e.max = e.max.max(err);
            }
            e.off_mean = total / off_pairs as f64;
        }
        scratch.counts = counts;
        self.reset(scratch);
        e
    }
}

/// Errors of U-AND over many random k-sparse inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorSummary {
    /// Samples.
    pub samples: u64,
    /// Mean |error| over the pairs touching an active input (both on or one on).
    pub mean_active: f64,
    /// Mean |error| over all C(m,2) pairs (stratified: exact on-strata, sampled off-stratum).
    pub mean_all: f64,
    /// Mean |error| over the sampled both-off pairs.
    pub mean_off: f64,
    /// Largest |error| seen over every evaluated pair of every sample.
    pub max: f64,
    /// Samples whose largest error reached ε (for ε = ½: thresholding at ½ would be wrong
    /// somewhere).
    pub failures: u64,
}

/// Measures U-AND over `samples` uniform k-sparse inputs drawn from (seed, "samples", chunk)
/// streams of [`CHUNK`] samples (results do not depend on the thread count); a sample fails
/// when its largest error reaches `epsilon`.
pub fn measure(net: &UAnd, k: usize, samples: u64, off_pairs: usize, seed: u64, epsilon: f64) -> ErrorSummary {
    let m = net.inputs();
    let k = k.min(m);
    let per: Vec<SampleErrors> = (0..samples.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut out = Vec::new();
            chunk_errors(net, k, samples, off_pairs, seed, c, |e| {
                out.push(e);
                true
            });
            out
        })
        .collect();
    let (mf, kf) = (m as f64, k as f64);
    let on_pairs = kf * (kf - 1.0) / 2.0;
    let one_pairs = kf * (mf - kf);
    let off_all = (mf - kf) * (mf - kf - 1.0) / 2.0;
    let all = mf * (mf - 1.0) / 2.0;
    let n = samples.max(1) as f64;
    let mean_active = per.iter().map(|e| e.both_on + e.one_on).sum::<f64>() / (n * (on_pairs + one_pairs));
    let mean_off = per.iter().map(|e| e.off_mean).sum::<f64>() / n;
    let mean_all = per
        .iter()
        .map(|e| (e.both_on + e.one_on + off_all * e.off_mean) / all)
        .sum::<f64>()
        / n;
    ErrorSummary {
        samples,
        mean_active,
        mean_all,
        mean_off,
        max: per.iter().map(|e| e.max).fold(0.0, f64::max),
        failures: per.iter().filter(|e| e.max >= epsilon).count() as u64,
    }
}

/// The readout errors of chunk `c` of the `samples` inputs drawn from `seed`, in sample order,
/// handed to `f` until it returns false: the one sampling [`measure`] and [`failures_until`]
/// share, so both see the same inputs.
fn chunk_errors(
    net: &UAnd,
    k: usize,
    samples: u64,
    off_pairs: usize,
    seed: u64,
    c: u64,
    mut f: impl FnMut(SampleErrors) -> bool,
) {
    let m = net.inputs();
    let mut rng = stream(seed, "samples", c);
    let mut off_rng = stream(derive_seed(seed, "off-pairs", c), "samples", c);
    let size = CHUNK.min(samples - c * CHUNK);
    let (mut scratch, mut active) = (UAndScratch::default(), Vec::new());
    for _ in 0..size {
        active.clear();
        sample_uniform_fill(&mut rng, m, k.min(m), &mut active);
        active.sort_unstable();
        if !f(net.sample_errors(&active, off_pairs, &mut off_rng, &mut scratch)) {
            return;
        }
    }
}

/// (samples whose largest error reaches `epsilon`, the largest error seen) over the inputs
/// [`measure`] draws, counted in sample order and stopped as soon as the count exceeds `stop`.
/// The decision "failures ≤ stop" is [`measure`]'s, and when it holds every sample was counted,
/// so both figures equal [`measure`]'s; a width that fails costs only the samples up to its
/// (stop + 1)-th failure, which keeps a search through widths that never reach ε affordable.
pub fn failures_until(
    net: &UAnd,
    k: usize,
    samples: u64,
    off_pairs: usize,
    seed: u64,
    epsilon: f64,
    stop: u64,
) -> (u64, f64) {
    let (mut failures, mut max) = (0u64, 0.0f64);
    for c in 0..samples.div_ceil(CHUNK) {
        chunk_errors(net, k, samples, off_pairs, seed, c, |e| {
            failures += u64::from(e.max >= epsilon);
            max = max.max(e.max);
            failures <= stop
        });
        if failures > stop {
            break;
        }
    }
    (failures, max)
}

/// Both directions of the connection pattern from its columns (input α ↦ neurons reading it,
/// sorted): the columns themselves and rows (neuron i ↦ inputs it reads).
fn index(cols: &[Vec<u32>], width: usize) -> (Csr, Csr) {
    let columns = Csr::from_pairs(cols.len(), |push| {
        for (alpha, c) in cols.iter().enumerate() {
            for &i in c {
                push(alpha, i);
            }
        }
    });
    let rows = Csr::from_pairs(width, |push| {
        for (alpha, c) in cols.iter().enumerate() {
            for &i in c {
                push(i as usize, alpha as u32);
            }
        }
    });
    (columns, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The readout of every pair from the definition, with a dense W and dense h.
    fn plain_readouts(net: &UAnd, active: &[u32]) -> Vec<((usize, usize), f64)> {
        let (m, d) = (net.inputs(), net.width());
        let h: Vec<i64> = (0..d)
            .map(|i| {
                let s: i64 = active.iter().map(|&a| i64::from(net.weight(i, a as usize))).sum();
                (s - 1).max(0)
            })
            .collect();
        let mut out = Vec::new();
        for a in 0..m {
            for b in a + 1..m {
                let shared: Vec<usize> = (0..d).filter(|&i| net.weight(i, a) && net.weight(i, b)).collect();
                let r = if shared.is_empty() {
                    0.0
                } else {
                    shared.iter().map(|&i| h[i] as f64).sum::<f64>() / shared.len() as f64
                };
                out.push(((a, b), r));
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn readout_and_errors_equal_the_definition(seed in any::<u64>(), m in 3usize..14, d in 1usize..40, p in 0.05f64..1.0, k in 1usize..5) {
            let net = UAnd::build(m, d, p, seed).unwrap();
            let mut rng = stream(seed, "t", 0);
            let mut active = Vec::new();
            sample_uniform_fill(&mut rng, m, k.min(m), &mut active);
            active.sort_unstable();
            let mut scratch = UAndScratch::default();
            let h = net.hidden(&active, &mut scratch);
            let plain = plain_readouts(&net, &active);
            let (mut both, mut one, mut max) = (0.0, 0.0, 0.0f64);
            for &((a, b), r) in &plain {
                prop_assert!((net.readout(a, b, |i| h[i]).0 - r).abs() < 1e-12);
                let on = usize::from(active.contains(&(a as u32))) + usize::from(active.contains(&(b as u32)));
                let err = (r - f64::from(u8::from(on == 2))).abs();
                match on { 2 => both += err, 1 => one += err, _ => {} }
                if on > 0 { max = max.max(err); }
            }
            // No both-off pairs sampled: the errors cover exactly the pairs touching an active input.
            let e = net.sample_errors(&active, 0, &mut rng, &mut scratch);
            prop_assert!((e.both_on - both).abs() < 1e-9 && (e.one_on - one).abs() < 1e-9);
            prop_assert!((e.max - max).abs() < 1e-12);
            // The scratch is clean for the next sample.
            prop_assert!(scratch.counts.iter().all(|&c| c == 0));
        }
    }

    #[test]
    fn two_sparse_inputs_are_exact_when_the_code_has_no_collisions() {
        // Not true by construction for random codes: on input {α, γ} a neuron reading α, γ and
        // a third input β has h = 1 and makes the off pair (α, β) read 1/N_{αβ}. It is true
        // when no neuron reads three inputs; the extreme case is one neuron per pair, where
        // every readout is exactly the AND (for any sparsity).
        let m = 9;
        let mut cols = vec![Vec::new(); m];
        let mut neuron = 0u32;
        for a in 0..m {
            for b in a + 1..m {
                cols[a].push(neuron);
                cols[b].push(neuron);
                neuron += 1;
            }
        }
        let net = UAnd::from_columns(neuron as usize, cols).unwrap();
        let mut rng = stream(3, "x", 0);
        let mut scratch = UAndScratch::default();
        for a in 0..m as u32 {
            for b in a + 1..m as u32 {
                let e = net.sample_errors(&[a, b], 20, &mut rng, &mut scratch);
                assert_eq!((e.both_on, e.one_on, e.off_mean, e.max), (0.0, 0.0, 0.0, 0.0));
            }
        }
        assert_eq!(measure(&net, 4, 64, 16, 5, 0.5).max, 0.0);
        // A random code at large d: every pair shares a neuron, so the on pair of a 2-sparse
        // input reads exactly 1, but the third-input collisions above leave small errors.
        let net = UAnd::build(40, 4000, default_p(40, 4000), 4).unwrap();
        assert!((0..40).all(|a| (a + 1..40).all(|b| net.readout(a, b, |_| 0).1 > 0)));
        let mut total_on = 0.0;
        let mut total_one = 0.0;
        for s in 0..20u32 {
            let (a, b) = (s, 39 - s);
            let e = net.sample_errors(&[a.min(b), a.max(b)], 0, &mut rng, &mut scratch);
            total_on += e.both_on;
            total_one += e.one_on / (2.0 * 38.0);
        }
        assert_eq!(total_on, 0.0);
        // One-on error ≈ p (the other active input read by a shared neuron).
        let p = net.p();
        assert!(
            total_one / 20.0 > 0.5 * p && total_one / 20.0 < 1.5 * p,
            "{} vs p = {p}",
            total_one / 20.0
        );
    }

    #[test]
    fn error_tracks_the_interference_estimate() {
        // Mean error over pairs touching an active input ≈ (k − 1)·p (one on) and (k − 2)·p
        // (both on): at k = 4 about 3p.
        let (m, d) = (128, 2048);
        let p = default_p(m, d);
        let net = UAnd::build(m, d, p, 7).unwrap();
        let s = measure(&net, 4, 128, 32, 8, 0.5);
        assert!(
            (s.mean_active / (3.0 * p) - 1.0).abs() < 0.15,
            "{} vs {}",
            s.mean_active,
            3.0 * p
        );
        assert!(s.mean_off < s.mean_active && s.mean_all < s.mean_active);
        // Reproducible and independent of the thread count.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert_eq!(pool.install(|| measure(&net, 4, 128, 32, 8, 0.5)), s);
    }

    #[test]
    fn failures_until_decides_as_measure_does_and_counts_alike_when_it_passes() {
        let m = 64;
        let mut outcomes = (false, false);
        for (d, epsilon) in [(256, 0.5), (4096, 0.5), (4096, 0.9), (16384, 0.5)] {
            let net = UAnd::build(m, d, default_p(m, d), 3).unwrap();
            let full = measure(&net, 4, 100, 16, 9, epsilon);
            for stop in [0, 5, 100] {
                let (failures, max) = failures_until(&net, 4, 100, 16, 9, epsilon, stop);
                assert_eq!(failures <= stop, full.failures <= stop, "d = {d}, stop = {stop}");
                if full.failures <= stop {
                    outcomes.0 = true;
                    assert_eq!((failures, max), (full.failures, full.max), "d = {d}, stop = {stop}");
                } else {
                    outcomes.1 = true;
                    assert_eq!(
                        failures,
                        stop + 1,
                        "d = {d}: counting stops at the first failure over stop"
                    );
                }
            }
        }
        assert_eq!(outcomes, (true, true), "both branches exercised");
    }

    #[test]
    fn bad_parameters_are_refused_and_connection_rate_is_p() {
        assert!(UAnd::build(1, 10, 0.5, 0).is_err());
        assert!(UAnd::build(10, 0, 0.5, 0).is_err());
        assert!(UAnd::build(10, 10, 0.0, 0).is_err());
        assert!(UAnd::build(10, 10, 1.5, 0).is_err());
        assert!(UAnd::from_columns(3, vec![vec![0], vec![3]]).is_err());
        let net = UAnd::build(200, 1000, 0.1, 1).unwrap();
        let rate = net.nonzero_weights() as f64 / 200_000.0;
        assert!((rate - 0.1).abs() < 0.005, "{rate}");
        assert_eq!(default_p(2, 1), 1.0);
    }
}
