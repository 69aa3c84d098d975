//! End-to-end exact verification of AS-2AND, beside the naive dense path and faer's large GEMM.
//!
//! Run with `cargo bench -p superposition-benches --bench and2`. Networks are built once,
//! outside the timing, at hidden = input width ≈ 5·√(m′·log₂ m′) (rounded up to a multiple
//! of lcm(64, t_in), see `dense_friendly_width`), k = 4 planted inputs per sample.
//!
//! - `and2_verify/sublinear/2^e`: `eval::and2_failure` (sampling + inverted-index verification,
//!   all cores). Throughput is in samples; verified outputs/s = samples·m′/s is printed after
//!   each size from the same measurements.
//! - `and2_dense/faer/2^e`: the naive dense path (`dense::dense_and2_failure`: one faer GEMM
//!   per batch, then every output decoded). Run at 2¹⁶; at 2²⁰ only if the dense matrix fits
//!   the memory budget (a note is printed either way).
//! - `faer_gemm/f32/2048`: a large square f32 GEMM, the machine's practical peak; throughput
//!   elements are FLOPs, so criterion's Gelem/s reads as GFLOP/s.
//!
//! `SUPERPOSITION_BENCH_MAX_LOG=16` skips the 2²⁰ cases (a 2²⁰ build takes tens of seconds
//! and about a gigabyte).

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};
use superposition_core::and2::{And2Network, And2Params};
use superposition_core::dense::{DenseAnd2, SampleSet, dense_and2_failure, dense_friendly_width, dense_from_and2};
use superposition_core::eval::{SampleSpec, and2_failure};
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::memory;
use superposition_core::sample::InputDistribution;

/// log₂ m′ of the end-to-end cases.
const SIZES: [u32; 2] = [16, 20];
/// Samples per timed verification call (sublinear path).
const VERIFY_SAMPLES: u64 = 512;
/// Samples per timed dense call (one GEMM batch) at 2¹⁶ and at 2²⁰.
const DENSE_SAMPLES: [(u32, usize); 2] = [(16, 256), (20, 64)];
/// Side of the square GEMM measuring the practical peak.
const GEMM_SIDE: usize = 2048;

struct Case {
    outputs: usize,
    instance: And2Instance,
    network: And2Network,
}

fn max_log() -> u32 {
    std::env::var("SUPERPOSITION_BENCH_MAX_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn spec(samples: u64) -> SampleSpec {
    SampleSpec {
        k: 4,
        distribution: InputDistribution::Planted,
        samples,
        seed: 0xbe7c,
    }
}

fn build(log_m: u32) -> Case {
    let outputs = 1usize << log_m;
    let approx = 5.0 * (outputs as f64 * f64::from(log_m)).sqrt();
    let width = dense_friendly_width(approx.ceil() as usize, log_m as usize);
    let clock = Instant::now();
    let instance = And2Instance::random(outputs, outputs, PairDistribution::Uniform, u64::from(log_m))
        .expect("m′ = m pairs over m inputs always exist");
    let network = And2Network::build(&instance, And2Params::defaults(outputs, width, 7))
        .unwrap_or_else(|e| panic!("cannot build AS-2AND at m′ = 2^{log_m}: {e}"));
    eprintln!(
        "and2: built m′ = 2^{log_m}, width {width}, in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    Case {
        outputs,
        instance,
        network,
    }
}

/// Times `routine` through `iter_custom`, returning the accumulated (calls, seconds).
fn timed(b: &mut criterion::Bencher<'_>, totals: &Cell<(u64, f64)>, mut routine: impl FnMut()) {
    b.iter_custom(|iters| {
        let clock = Instant::now();
        for _ in 0..iters {
            routine();
        }
        let elapsed = clock.elapsed();
        let (calls, seconds) = totals.get();
        totals.set((calls + iters, seconds + elapsed.as_secs_f64()));
        elapsed
    });
}

fn end_to_end(c: &mut Criterion) {
    for log_m in SIZES.into_iter().filter(|&l| l <= max_log()) {
        let case = build(log_m);
        let label = format!("2^{log_m}");
        let verify_spec = spec(VERIFY_SAMPLES);
        let mut group = c.benchmark_group("and2_verify");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Elements(VERIFY_SAMPLES));
        let totals = Cell::new((0, 0.0));
        group.bench_function(BenchmarkId::new("sublinear", &label), |b| {
            timed(b, &totals, || {
                black_box(and2_failure(&case.network, &case.instance, &verify_spec, None));
            })
        });
        group.finish();
        let (calls, seconds) = totals.get();
        let samples_per_s = (calls * VERIFY_SAMPLES) as f64 / seconds;
        if calls > 0 {
            eprintln!(
                "and2_verify/sublinear/{label}: {samples_per_s:.0} samples/s = {:.3e} verified outputs/s",
                samples_per_s * case.outputs as f64
            );
        }
        dense(c, &case, log_m);
    }
}

fn dense(c: &mut Criterion, case: &Case, log_m: u32) {
    let Some(&(_, batch)) = DENSE_SAMPLES.iter().find(|&&(l, _)| l == log_m) else {
        return;
    };
    let p = case.network.params();
    let needed = DenseAnd2::estimate_bytes(p.hidden_width, p.input_width)
        + And2Network::estimate_bytes(case.outputs, case.outputs, p);
    let label = format!("2^{log_m}");
    if needed > memory::budget_bytes() {
        eprintln!(
            "and2_dense/faer/{label}: skipped: the dense f32 matrix and the network need about {} MiB, over the \
             memory budget of {} MiB",
            needed >> 20,
            memory::budget_bytes() >> 20
        );
        return;
    }
    eprintln!(
        "and2_dense/faer/{label}: dense matrix {} × {} f32 = {} MiB (fits the budget)",
        p.hidden_width,
        p.input_width,
        DenseAnd2::estimate_bytes(p.hidden_width, p.input_width) >> 20
    );
    let dense = dense_from_and2(&case.network).unwrap_or_else(|e| panic!("dense conversion at {label}: {e}"));
    let samples = SampleSet::draw(&case.instance, &spec(batch as u64));
    let mut group = c.benchmark_group("and2_dense");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(batch as u64));
    let totals = Cell::new((0, 0.0));
    let gemm = Cell::new((0.0, 0.0));
    group.bench_function(BenchmarkId::new("faer", &label), |b| {
        timed(b, &totals, || {
            let run = dense_and2_failure(&dense, &case.instance, &samples, batch, superposition_core::base::par())
                .unwrap_or_else(|e| panic!("dense verification at {label}: {e}"));
            let (flops, seconds) = gemm.get();
            gemm.set((flops + run.gemm_flops, seconds + run.forward_seconds));
            black_box(run);
        })
    });
    group.finish();
    let (calls, seconds) = totals.get();
    let (flops, gemm_seconds) = gemm.get();
    if calls == 0 {
        return; // filtered out on the command line
    }
    let samples_per_s = (calls * batch as u64) as f64 / seconds;
    eprintln!(
        "and2_dense/faer/{label}: {samples_per_s:.1} samples/s = {:.3e} verified outputs/s; GEMM {:.1} GFLOP/s, \
         {:.0} % of the time in the forward pass",
        samples_per_s * case.outputs as f64,
        flops / gemm_seconds / 1e9,
        100.0 * gemm_seconds / seconds
    );
}

fn large_gemm(c: &mut Criterion) {
    let n = GEMM_SIDE;
    let a = Mat::<f32>::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 17) as f32 - 8.0);
    let b = Mat::<f32>::from_fn(n, n, |i, j| ((i * 5 + j * 11) % 13) as f32 - 6.0);
    let mut out = Mat::<f32>::zeros(n, n);
    let mut group = c.benchmark_group("faer_gemm");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
    group.bench_function(BenchmarkId::new("f32", n), |bench| {
        bench.iter(|| {
            matmul(
                out.as_mut(),
                Accum::Replace,
                a.as_ref(),
                b.as_ref(),
                1.0f32,
                superposition_core::base::par(),
            )
        })
    });
    group.finish();
    black_box(&out);
}

criterion_group!(benches, large_gemm, end_to_end);
criterion_main!(benches);
