//! The exact certifier's cost per output (issue 13, item 5), on AS-2AND with the average-case
//! defaults at m′ = 2¹⁰ and 2¹², k = 4.
//!
//! Run with `cargo bench -p superposition-benches --bench certify` (not run in CI). Networks are
//! built once, outside the timing, at the average-case n* of the committed standard run (1036 at
//! 2¹⁰, 1689 at 2¹²: almost every output refuted, the search stops at its first counterexample)
//! and at twice it (most outputs still refuted, after much longer searches; some certified).
//! Each timed call certifies the first [`OUTPUTS`] outputs (`certify_range`, all cores), both
//! halves, default budget; throughput is in outputs, and the nodes explored per output are
//! printed once per case.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use superposition_core::and2::{And2Network, And2Params};
use superposition_core::certify::{CertifyConfig, certify_range};
use superposition_core::instance::{And2Instance, PairDistribution};

/// Outputs certified per timed call.
const OUTPUTS: usize = 64;

/// (log₂ m′, n*_avg of the committed standard run).
const SIZES: [(u32, usize); 2] = [(10, 1036), (12, 1689)];

fn certifier(c: &mut Criterion) {
    let config = CertifyConfig {
        k: 4,
        budget: 1_000_000,
    };
    let mut group = c.benchmark_group("certify");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(OUTPUTS as u64));
    for (log_m, n_star) in SIZES {
        let m = 1usize << log_m;
        let instance = And2Instance::random(m, m, PairDistribution::Uniform, 1).expect("a valid instance");
        for (label, width) in [("n*", n_star), ("2n*", 2 * n_star)] {
            let network =
                And2Network::build(&instance, And2Params::defaults(m, width, 1)).expect("a buildable network");
            let once = certify_range(&network, &instance, &config, 0..OUTPUTS).expect("certifiable");
            let nodes: u64 = once.iter().map(|o| o.nodes).sum();
            let certified = once.iter().filter(|o| o.certified()).count();
            eprintln!(
                "certify 2^{log_m} at {label} = {width}: {:.0} nodes per output, {certified} of {OUTPUTS} certified",
                nodes as f64 / OUTPUTS as f64
            );
            group.bench_with_input(BenchmarkId::new(label, format!("2^{log_m}")), &network, |b, network| {
                b.iter(|| black_box(certify_range(network, &instance, &config, 0..OUTPUTS).expect("certifiable")))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, certifier);
criterion_main!(benches);
