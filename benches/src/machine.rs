//! What the machine can do, measured or read in the same run as the comparison: the practical
//! peaks (a large faer GEMM, the read bandwidth of a parallel sum), the theoretical f32 peak
//! derived from /proc/cpuinfo, and the load average (the machine may be shared).

use std::time::Instant;

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};
use rayon::prelude::*;
use superposition_core::base::par;
use superposition_schema::bench::Machine;

/// Bytes summed by the read-bandwidth measurement (1 GiB: far beyond every cache).
const READ_BYTES: usize = 1 << 30;

/// Read bandwidth, GB/s: a parallel sum over a 1 GiB array, best of 3 after a warm-up.
pub fn peak_read_gbs() -> f64 {
    let data: Vec<u64> = (0..READ_BYTES / 8).into_par_iter().map(|i| i as u64).collect();
    let mut best = 0.0f64;
    for call in 0..4 {
        let clock = Instant::now();
        let sum: u64 = data
            .par_chunks(1 << 16)
            .map(|c| c.iter().fold(0u64, |a, &x| a.wrapping_add(x)))
            .reduce(|| 0, u64::wrapping_add);
        std::hint::black_box(sum);
        let rate = READ_BYTES as f64 / clock.elapsed().as_secs_f64() / 1e9;
        if call > 0 {
            best = best.max(rate);
        }
    }
    best
}

/// faer f32 GEMM of two side × side matrices on every thread of the global pool: best GFLOP/s of
/// three calls after a warm-up.
pub fn peak_gemm_gflops(side: usize) -> f64 {
    let a = Mat::<f32>::from_fn(side, side, |i, j| ((i * 7 + j * 3) % 17) as f32 - 8.0);
    let b = Mat::<f32>::from_fn(side, side, |i, j| ((i * 5 + j * 11) % 13) as f32 - 6.0);
    let mut out = Mat::<f32>::zeros(side, side);
    let flops = 2.0 * (side as f64).powi(3);
    let mut best = 0.0f64;
    for call in 0..4 {
        let clock = Instant::now();
        matmul(out.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0f32, par());
        let rate = flops / clock.elapsed().as_secs_f64() / 1e9;
        if call > 0 {
            best = best.max(rate);
        }
    }
    std::hint::black_box(&out);
    best
}

/// The three load averages of /proc/loadavg (`unknown` where it cannot be read).
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Reads the CPU model, cores, clock and SIMD flags from /proc/cpuinfo and derives the
/// theoretical f32 peak: cores × GHz × FLOPs/cycle, where FLOPs/cycle assumes two FMA pipes
/// of the widest vector width (2 pipes × lanes × 2 FLOPs per FMA).
///
/// `threads` is recorded as the logical CPUs the run uses; `implied_ghz` and the load
/// averages are left for the caller, who measures them around the run.
pub fn probe(threads: usize) -> Machine {
    let text = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let model = field("model name").unwrap_or_else(|| "unknown".into());
    let mhz: f64 = field("cpu MHz").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let logical = text.lines().filter(|l| l.starts_with("processor")).count().max(1);
    let per_package_cores: usize = field("cpu cores").and_then(|v| v.parse().ok()).unwrap_or(logical);
    let siblings: usize = field("siblings").and_then(|v| v.parse().ok()).unwrap_or(logical);
    let cores = (logical * per_package_cores / siblings.max(1)).max(1);
    let flags: Vec<String> = field("flags")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let has = |f: &str| flags.iter().any(|x| x == f);
    let (simd, flops_per_cycle, why) = if has("avx512f") {
        ("AVX-512 + FMA", 64.0, "2 FMA pipes × 16 f32 lanes × 2 FLOPs")
    } else if has("avx2") && has("fma") {
        ("AVX2 + FMA", 32.0, "2 FMA pipes × 8 f32 lanes × 2 FLOPs")
    } else if has("avx") {
        ("AVX", 16.0, "1 add + 1 mul pipe × 8 f32 lanes")
    } else {
        ("SSE", 8.0, "1 add + 1 mul pipe × 4 f32 lanes")
    };
    let peak = cores as f64 * mhz / 1000.0 * flops_per_cycle;
    let derivation = format!(
        "{cores} cores × {:.3} GHz (\"cpu MHz\" in /proc/cpuinfo; no turbo assumed) × {flops_per_cycle} f32 \
         FLOPs/cycle ({simd}: {why}, the sustained FMA rate of cores with two vector FMA units, e.g. \
         Zen 2-4, Haswell and later) = {peak:.1} GFLOP/s",
        mhz / 1000.0
    );
    Machine {
        model,
        cores,
        threads,
        mhz,
        simd: simd.into(),
        flops_per_cycle,
        theoretical_peak_gflops: peak,
        derivation,
        implied_ghz: 0.0,
        loadavg_start: String::new(),
        loadavg_end: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_peak_is_derived_from_cpuinfo() {
        let m = probe(2);
        assert!(m.cores >= 1);
        assert!(m.flops_per_cycle >= 8.0);
        if m.mhz > 0.0 {
            assert!((m.theoretical_peak_gflops - m.cores as f64 * m.mhz / 1000.0 * m.flops_per_cycle).abs() < 1e-9);
        }
        assert!(m.derivation.contains("GFLOP/s"));
    }
}
