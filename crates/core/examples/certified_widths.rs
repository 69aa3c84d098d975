//! n*_cert beyond the standard run's sizes: the search of check `worst-case`'s certified part
//! (same start, precision 8 %, two confirmations, budget 2·10⁵ nodes per half, cap 48 units of
//! √m′·log₂ m′ on n_in + n) for one parameter point and one instance, with the time of every
//! probe (a probe certifies every output, or stops at the first round with one that is not).
//!
//! Run: `cargo run --release -p superposition-core --example certified_widths -- LOG_M POINT [SEED]`
//! with POINT one of `CertPoint::all()`'s names (e.g. `tau1-fire1-wide`). The instance is
//! `And2Instance::random(m′, m′, Uniform, SEED)` and the codes' seed SEED + 1: not the instances
//! of a verify-bounds run.

use std::time::Instant;

use superposition_core::and2::And2Network;
use superposition_core::certify::{CertifyConfig, certify_all};
use superposition_core::checks::certified_params;
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::search::min_width_confirmed;
use superposition_core::theory;
use superposition_schema::checks::worst_case::CertPoint;

fn main() -> Result<(), superposition_core::Error> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: certified_widths LOG_M POINT [SEED]";
    let log_m: u32 = args.get(1).and_then(|a| a.parse().ok()).expect(usage);
    let name = args.get(2).expect(usage);
    let seed: u64 = args.get(3).map_or(0, |a| a.parse().expect(usage));
    let point = CertPoint::all()
        .into_iter()
        .find(|p| &p.name == name)
        .expect("POINT must name one of CertPoint::all()");
    let outputs = 1usize << log_m;
    let instance = And2Instance::random(outputs, outputs, PairDistribution::Uniform, seed)?;
    let unit = theory::upper_shape(outputs as f64);
    let share = 1.0 + point.input_ratio;
    let t = certified_params(&point, log_m, 64, seed + 1).t_out;
    let max = ((48.0 * unit / share).floor() as usize).max(t);
    let start = ((12.0 * unit / share).round() as usize).clamp(t, max);
    let params = |hidden: usize| certified_params(&point, log_m, hidden, seed + 1);
    let config = CertifyConfig { k: 4, budget: 200_000 };
    let begin = Instant::now();
    let outcome = min_width_confirmed(start, t, max, 0.08, 2, |hidden| {
        let p = params(hidden);
        let network = And2Network::build(&instance, p)?;
        let clock = Instant::now();
        let sweep = certify_all(&network, &instance, &config)?;
        println!(
            "m′ = 2^{log_m} {}: n = {hidden}, n_in = {}: {} ({} outputs decided, {} nodes, {:.1} s)",
            point.name,
            p.input_width,
            if sweep.certified() {
                "certified"
            } else {
                "not certified"
            },
            sweep.outputs,
            sweep.nodes,
            clock.elapsed().as_secs_f64()
        );
        Ok(sweep.certified())
    })?;
    let p = params(outcome.width);
    let total = p.hidden_width + p.input_width;
    println!(
        "n*_cert(2^{log_m}, {}, seed {seed}) = {total} (n = {}, n_in = {}), {:.2} units of √m′·log₂m′; {} probes, {:.0} s",
        point.name,
        p.hidden_width,
        p.input_width,
        total as f64 / unit,
        outcome.probes.len(),
        begin.elapsed().as_secs_f64()
    );
    Ok(())
}
