//! The exact certifier's cost per output (issue 13, item 5), on AS-2AND at m′ = 2¹⁰, 2¹² and
//! 2¹⁴, k = 4, in the two regimes a width search meets:
//! - `refuted`: the average-case defaults at the standard run's n*_avg (1037, 1735, 2990): almost
//!   every output has a counterexample, found after a short search;
//! - `certified`: check worst-case's point `tau1-fire1-wide` (τ = 1, θ = 1, uncentered,
//!   n_in = 2n) near its certified width (hidden 1520, 3648, 7168): almost every output is
//!   proven, the search and the share tables are paid in full.
//!
//! Run with `cargo bench -p superposition-benches --bench certify` (not run in CI). Networks are
//! built once, outside the timing. Each timed call certifies the first [`OUTPUTS`] outputs
//! (`certify_range`, all cores), both halves, budget 10⁶ nodes per half; throughput is in
//! outputs (a whole network costs about m′ times the per-output figure), and the nodes per
//! output and the outputs certified are printed once per case.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use superposition_core::and2::{And2Network, And2Params};
use superposition_core::certify::{CertifyConfig, certify_range};
use superposition_core::instance::{And2Instance, PairDistribution};

/// Outputs certified per timed call.
const OUTPUTS: usize = 64;

/// (log₂ m′, n*_avg of the committed standard run, hidden width near tau1-fire1-wide's n*_cert).
const SIZES: [(u32, usize, usize); 3] = [(10, 1037, 1520), (12, 1735, 3648), (14, 2990, 7168)];

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
    for (log_m, n_avg, n_cert) in SIZES {
        let m = 1usize << log_m;
        let instance = And2Instance::random(m, m, PairDistribution::Uniform, 1).expect("a valid instance");
        let certified = And2Params {
            input_width: 2 * n_cert,
            tau: 1.0,
            centering: false,
            fire: 1.0,
            ..And2Params::defaults(m, n_cert, 1)
        };
        for (label, params) in [("refuted", And2Params::defaults(m, n_avg, 1)), ("certified", certified)] {
            let network = And2Network::build(&instance, params).expect("a buildable network");
            let once = certify_range(&network, &instance, &config, 0..OUTPUTS).expect("certifiable");
            let nodes: u64 = once.iter().map(|o| o.nodes).sum();
            let proven = once.iter().filter(|o| o.certified()).count();
            eprintln!(
                "certify 2^{log_m} {label} (n = {}, n_in = {}): {:.0} nodes per output, {proven} of {OUTPUTS} certified",
                params.hidden_width,
                params.input_width,
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
