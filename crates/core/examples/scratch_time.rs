use superposition_core::and2::*;
use superposition_core::eval::*;
use superposition_core::instance::*;
use superposition_core::sample::InputDistribution;
fn main() {
    let log_m: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(18);
    let m = 1usize << log_m;
    let width: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or((5.0 * ((m as f64) * (log_m as f64)).sqrt()) as usize);
    let t = std::time::Instant::now();
    let inst = And2Instance::random(m, m, PairDistribution::Uniform, 1).unwrap();
    eprintln!("instance {:.2}s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let net = And2Network::build(&inst, And2Params::defaults(m, width, 2)).unwrap();
    eprintln!("build width {width} {:.2}s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let spec = SampleSpec { k: 4, distribution: InputDistribution::Planted, samples: 2000, seed: 3 };
    let f = and2_failure(&net, &inst, &spec, None);
    let s = t.elapsed().as_secs_f64();
    eprintln!("eval 2000 samples {s:.2}s ({:.0} samples/s, {:.3e} outputs/s) fail {}", 2000.0 / s, 2000.0 * m as f64 / s, f.rate);
}
