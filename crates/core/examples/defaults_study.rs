//! How the AS-2AND defaults were chosen: minimal width n* (failure ≤ 5 % on 200 planted
//! 4-sparse samples, 3 instances each) at m′ = 2^10, 2^12, 2^14 for several decoding
//! thresholds τ, code sizes t = f·log₂ m′, and the average decoder.
//!
//! Run: `cargo run --release -p superposition-core --example defaults_study`

use superposition_core::and2::{And2Params, DecoderKind};
use superposition_core::checks::and2_search;
use superposition_core::eval::SampleSpec;
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::rng::derive_seed;
use superposition_core::sample::InputDistribution;
use superposition_core::stats::median;
use superposition_core::theory::lower_shape;

fn main() -> Result<(), superposition_core::Error> {
    let variants: Vec<(String, f64, f64, DecoderKind)> = vec![
        ("vote τ=0.25 t=log m′".into(), 0.25, 1.0, DecoderKind::Vote),
        ("vote τ=0.5  t=log m′ (default)".into(), 0.5, 1.0, DecoderKind::Vote),
        ("vote τ=0.75 t=log m′".into(), 0.75, 1.0, DecoderKind::Vote),
        ("vote τ=1    t=log m′".into(), 1.0, 1.0, DecoderKind::Vote),
        ("vote τ=0.5  t=½·log m′".into(), 0.5, 0.5, DecoderKind::Vote),
        ("vote τ=0.5  t=1.5·log m′".into(), 0.5, 1.5, DecoderKind::Vote),
        ("average τ=0.5 t=log m′".into(), 0.5, 1.0, DecoderKind::Average),
    ];
    println!("| variant | m′ | n* per seed | median n* | n*/√(m′ log₂ m′) |");
    println!("|---|---|---|---|---|");
    for log_m in [10u32, 12, 14] {
        let outputs = 1usize << log_m;
        for (name, tau, t_factor, decoder) in &variants {
            let mut widths = Vec::new();
            for s in 0..3u64 {
                let seed = derive_seed(7, "defaults-study", u64::from(log_m) << 8 | s);
                let instance = And2Instance::random(outputs, outputs, PairDistribution::Uniform, seed)?;
                let spec = SampleSpec {
                    k: 4,
                    distribution: InputDistribution::Planted,
                    samples: 200,
                    seed: seed ^ 1,
                };
                let t = ((f64::from(log_m) * t_factor).round() as usize).max(1);
                let make = |width| And2Params {
                    tau: *tau,
                    decoder: *decoder,
                    t_in: t,
                    t_out: t,
                    ..And2Params::defaults(outputs, width, seed ^ 2)
                };
                let start = (4.0 * lower_shape(outputs as f64)) as usize;
                let (width, _, _) = and2_search(&instance, make, &spec, 0.05, 0.02, start, |_, _, _| {})?;
                widths.push(width as f64);
            }
            let n_star = median(&widths);
            println!(
                "| {name} | 2^{log_m} | {widths:?} | {n_star} | {:.2} |",
                n_star / lower_shape(outputs as f64)
            );
        }
    }
    Ok(())
}
