//! Scalar reference vs. run-time dispatched SIMD for every kernel of
//! `superposition-kernels`, at two or three sizes each.
//!
//! Run with `cargo bench -p superposition-benches --bench kernels`. The dispatched
//! variant is labelled with the ISA it uses (`dispatched-avx2`, ...); setting
//! `SUPERPOSITION_FORCE_SCALAR=1` makes both variants scalar.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use superposition_kernels as kernels;
use superposition_kernels::scalar;

fn rng(stream: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(0x6b65_726e_656c_7300 + stream)
}

/// Label of the dispatched variant, e.g. `dispatched-avx2`.
fn dispatched() -> String {
    format!("dispatched-{}", kernels::active_isa())
}

/// Benchmarks `scalar` and `simd` (the same kernel) side by side under `size`; each
/// writes into its own copy of `out`.
fn pair<I: ?Sized, O: Clone, R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    size: &str,
    input: &I,
    out: O,
    scalar: impl Fn(&I, &mut O) -> R,
    simd: impl Fn(&I, &mut O) -> R,
) {
    let mut scalar_out = out.clone();
    group.bench_with_input(BenchmarkId::new("scalar", size), input, |b, i| {
        b.iter(|| scalar(black_box(i), black_box(&mut scalar_out)))
    });
    let mut simd_out = out;
    group.bench_with_input(BenchmarkId::new(dispatched(), size), input, |b, i| {
        b.iter(|| simd(black_box(i), black_box(&mut simd_out)))
    });
}

/// (rows, number of listed columns) for the accumulate kernels.
const ACCUMULATE_SIZES: [(usize, usize); 3] = [(100, 8), (4_000, 32), (60_000, 64)];

/// Columns of the benchmarked matrices; the listed columns are drawn from these.
const MATRIX_COLUMNS: usize = 128;

fn accumulate(c: &mut Criterion) {
    let mut rng = rng(1);
    let mut u8s = c.benchmark_group("accumulate_columns_u8");
    for (rows, n) in ACCUMULATE_SIZES {
        let columns = random_columns(n, &mut rng);
        let matrix: Vec<u8> = (0..rows * MATRIX_COLUMNS).map(|_| rng.random()).collect();
        u8s.throughput(Throughput::Elements((rows * n) as u64));
        pair(
            &mut u8s,
            &format!("{rows}x{n}"),
            &matrix[..],
            vec![0i32; rows],
            |m, out| scalar::accumulate_columns_u8(m, rows, &columns, out),
            |m, out| kernels::accumulate_columns_u8(m, rows, &columns, out),
        );
    }
    u8s.finish();

    let mut u16s = c.benchmark_group("accumulate_columns_u16");
    for (rows, n) in ACCUMULATE_SIZES {
        let columns = random_columns(n, &mut rng);
        let matrix: Vec<u16> = (0..rows * MATRIX_COLUMNS).map(|_| rng.random()).collect();
        u16s.throughput(Throughput::Elements((rows * n) as u64));
        pair(
            &mut u16s,
            &format!("{rows}x{n}"),
            &matrix[..],
            vec![0i32; rows],
            |m, out| scalar::accumulate_columns_u16(m, rows, &columns, out),
            |m, out| kernels::accumulate_columns_u16(m, rows, &columns, out),
        );
    }
    u16s.finish();

    let mut f32s = c.benchmark_group("accumulate_columns_f32");
    for (rows, n) in ACCUMULATE_SIZES {
        let columns: Vec<(u32, f32)> = random_columns(n, &mut rng)
            .into_iter()
            .map(|(c, k)| (c, k as f32))
            .collect();
        let matrix: Vec<f32> = (0..rows * MATRIX_COLUMNS).map(|_| rng.random()).collect();
        f32s.throughput(Throughput::Elements((rows * n) as u64));
        pair(
            &mut f32s,
            &format!("{rows}x{n}"),
            &matrix[..],
            vec![0f32; rows],
            |m, out| scalar::accumulate_columns_f32(m, rows, &columns, out),
            |m, out| kernels::accumulate_columns_f32(m, rows, &columns, out),
        );
    }
    f32s.finish();
}

/// `n` (column, multiplier) pairs, multipliers in 1..=8 as in the networks.
fn random_columns(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<(u32, i32)> {
    (0..n)
        .map(|_| (rng.random_range(0..MATRIX_COLUMNS as u32), rng.random_range(1..=8)))
        .collect()
}

fn affine(c: &mut Criterion) {
    let mut rng = rng(2);
    let inputs: Vec<(Vec<i32>, Vec<i32>)> = [1_000usize, 60_000]
        .into_iter()
        .map(|n| {
            let acc = (0..n).map(|_| rng.random_range(-1000..1000)).collect();
            let coef = (0..n).map(|_| rng.random_range(0..30)).collect();
            (acc, coef)
        })
        .collect();
    let mut threshold = c.benchmark_group("threshold_affine_to_bitset");
    for input in &inputs {
        let n = input.0.len();
        threshold.throughput(Throughput::Elements(n as u64));
        pair(
            &mut threshold,
            &n.to_string(),
            input,
            vec![0u64; n.div_ceil(64)],
            |(a, c), out| scalar::threshold_affine_to_bitset(a, 3, c, 7, 100, out),
            |(a, c), out| kernels::threshold_affine_to_bitset(a, 3, c, 7, 100, out),
        );
    }
    threshold.finish();
    let mut relu = c.benchmark_group("relu_affine");
    for input in &inputs {
        let n = input.0.len();
        relu.throughput(Throughput::Elements(n as u64));
        pair(
            &mut relu,
            &n.to_string(),
            input,
            vec![0i64; n],
            |(a, c), out| scalar::relu_affine(a, 3, c, 7, -100, out),
            |(a, c), out| kernels::relu_affine(a, 3, c, 7, -100, out),
        );
    }
    relu.finish();
}

/// A bitset of `words` words with each bit set with probability `density`.
fn random_bits(words: usize, density: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<u64> {
    (0..words)
        .map(|_| (0..64).fold(0u64, |w, i| w | u64::from(rng.random_bool(density)) << i))
        .collect()
}

fn bits(c: &mut Criterion) {
    let mut rng = rng(3);
    let mut ones = c.benchmark_group("bitset_ones");
    for density in [0.01, 0.15, 0.5] {
        let bits = random_bits(60_000 / 64, density, &mut rng);
        ones.throughput(Throughput::Elements(60_000));
        pair(
            &mut ones,
            &format!("60000bits@{density}"),
            &bits[..],
            Vec::with_capacity(60_000),
            |b, out| {
                out.clear();
                scalar::bitset_ones(b, out);
            },
            |b, out| {
                out.clear();
                kernels::bitset_ones(b, out);
            },
        );
    }
    ones.finish();

    let mut popcount = c.benchmark_group("popcount");
    for words in [16usize, 1_000, 100_000] {
        let bits = random_bits(words, 0.5, &mut rng);
        popcount.throughput(Throughput::Bytes(8 * words as u64));
        pair(
            &mut popcount,
            &words.to_string(),
            &bits[..],
            (),
            |b, ()| scalar::popcount(b),
            |b, ()| kernels::popcount(b),
        );
    }
    popcount.finish();
}

fn votes(c: &mut Criterion) {
    let mut rng = rng(4);
    let n_bits = 60_000;
    let bits = random_bits(n_bits / 64 + 1, 0.3, &mut rng);
    let n_out = 4_000;
    let mut group = c.benchmark_group("count_votes_gather");
    for t in [8usize, 24] {
        let codes: Vec<u32> = (0..n_out * t).map(|_| rng.random_range(0..n_bits as u32)).collect();
        group.throughput(Throughput::Elements(codes.len() as u64));
        pair(
            &mut group,
            &format!("{n_out}x{t}"),
            &codes[..],
            vec![0u16; n_out],
            |codes, out| scalar::count_votes_gather(codes, t, &bits, out),
            |codes, out| kernels::count_votes_gather(codes, t, &bits, out),
        );
    }
    group.finish();
}

/// Inputs of the covered-subsets kernels: (words, sets, mask).
fn covered_inputs(n_sets: usize) -> Vec<(usize, Vec<u64>, Vec<u64>)> {
    let mut rng = rng(5);
    [1usize, 3, 8]
        .into_iter()
        .map(|words| {
            let mask: Vec<u64> = (0..words).map(|_| rng.random::<u64>() | rng.random::<u64>()).collect();
            // Sparse sets inside the mask plus rare stray bits, so that about 3/4
            // of the sets are covered.
            let stray = 0.3 / words as f64;
            let sets = (0..n_sets * words)
                .map(|i| mask[i % words] & random_bits(1, 0.05, &mut rng)[0] | u64::from(rng.random_bool(stray)) << 63)
                .collect();
            (words, sets, mask)
        })
        .collect()
}

fn covered(c: &mut Criterion) {
    let n_sets = 1 << 16;
    let inputs = covered_inputs(n_sets);
    let mut count = c.benchmark_group("count_covered_subsets");
    for (words, sets, mask) in &inputs {
        let words = *words;
        count.throughput(Throughput::Elements(n_sets as u64));
        pair(
            &mut count,
            &format!("{n_sets}x{words}"),
            &(sets, mask),
            (),
            |(s, m), ()| scalar::count_covered_subsets(s, words, m),
            |(s, m), ()| kernels::count_covered_subsets(s, words, m),
        );
    }
    count.finish();
    let mut into = c.benchmark_group("covered_subsets_into");
    for (words, sets, mask) in &inputs {
        let words = *words;
        into.throughput(Throughput::Elements(n_sets as u64));
        pair(
            &mut into,
            &format!("{n_sets}x{words}"),
            &(sets, mask),
            Vec::with_capacity(n_sets),
            |(s, m), out| {
                out.clear();
                scalar::covered_subsets_into(s, words, m, out);
            },
            |(s, m), out| {
                out.clear();
                kernels::covered_subsets_into(s, words, m, out);
            },
        );
    }
    into.finish();
}

criterion_group! {
    name = benches;
    // Short defaults (overridable on the command line): the kernels are fast and the
    // machine is small.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = accumulate, affine, bits, votes, covered
}
criterion_main!(benches);
