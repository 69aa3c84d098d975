//! The comparison itself: for each m′ of the plan, build the AS-2AND network (t_in = t_out =
//! log₂ m′, hidden = input width ≈ 5·√(m′·log₂ m′) rounded up to a multiple of lcm(64, t_in)),
//! draw the comparison samples, and time
//! - Rust: `eval::and2_failure` (sampling + inverted-index verification), repeated until a
//!   minimum time has passed; verified outputs/s = samples·m′/s;
//! - dense: `dense::dense_and2_failure` (faer GEMM per batch, all outputs decoded), when the
//!   dense matrix fits the memory budget; its GEMM rate is compared with a large square faer
//!   GEMM measured in the same run ([`crate::machine`]);
//! - NumPy: `benches/baselines/and2_numpy.py` on a bundle of the same network and samples
//!   ([`crate::numpy`], [`crate::bundle`]).
//!
//! Every path's failure count must equal the exact count on the same samples; a difference is
//! an [`Error`], never a figure.

use std::time::Instant;

use superposition_core::and2::{And2Network, And2Params, Scratch};
use superposition_core::base::par;
use superposition_core::dense::{
    DenseAnd2, SampleSet, dense_and2_failure, dense_friendly_width, dense_from_and2, exact_verdicts,
};
use superposition_core::eval::{SampleSpec, and2_failure};
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::memory;
use superposition_core::rng::derive_seed;
use superposition_core::sample::InputDistribution;
use superposition_schema::bench::{Comparison, Measurement};

use crate::error::Error;
use crate::{machine, numpy};

/// What to compare: sizes, seed and the NumPy side.
pub struct Options {
    /// Smaller sizes and fewer samples (under 3 minutes).
    pub quick: bool,
    /// Master seed of instances, codes and samples.
    pub seed: u64,
    /// k, active inputs per sample.
    pub k: usize,
    /// The Python interpreter running the NumPy baseline.
    pub python: String,
    /// Keep the bundle directories instead of deleting them.
    pub keep_bundles: bool,
}

/// Samples per GEMM of the dense path.
const DENSE_BATCH: usize = 256;
/// Side of the square GEMM measuring the practical peak.
const PEAK_SIDE: usize = 2048;

/// Measures every size of the plan (`--quick` or not) and the machine, and returns the
/// results; the caller writes them. Progress goes to stderr. `git` is recorded as given
/// (`git describe` of the tree).
///
/// Parallel paths run on the global rayon pool as sized by the caller; faer gets every
/// thread of it (`superposition_core::base::par`).
pub fn run(options: &Options, git: String) -> Result<Comparison, Error> {
    let clock = Instant::now();
    let loadavg_start = machine::loadavg();
    let threads = rayon::current_num_threads();
    eprintln!("bench-compare: {} threads, load average {loadavg_start}", threads);
    let peak = machine::peak_gemm_gflops(PEAK_SIDE);
    eprintln!("bench-compare: faer f32 GEMM {PEAK_SIDE}²: {peak:.1} GFLOP/s");
    let read_gbs = machine::peak_read_gbs();
    eprintln!("bench-compare: read bandwidth (parallel sum over 1 GiB): {read_gbs:.1} GB/s");
    let (numpy, numpy_installed) = match numpy::ensure_numpy(&options.python) {
        Ok((versions, installed)) => (Ok(versions), installed),
        Err(why) => (Err(why), false),
    };
    if let Err(why) = &numpy {
        eprintln!("bench-compare: NumPy baseline disabled: {why}");
    }
    let mut records = Vec::new();
    for plan in plans(options.quick) {
        records.push(measure(options, &plan, peak, read_gbs, numpy.is_ok())?);
    }
    let mut host = machine::probe(threads);
    host.implied_ghz = peak / (host.cores as f64 * host.flops_per_cycle);
    host.loadavg_start = loadavg_start;
    host.loadavg_end = machine::loadavg();
    Ok(Comparison {
        records,
        peak_gemm_gflops: peak,
        peak_gemm_side: PEAK_SIDE,
        peak_read_gbs: Some(read_gbs),
        machine: host,
        quick: options.quick,
        seed: options.seed,
        k: options.k,
        numpy: numpy.as_ref().ok().cloned(),
        numpy_installed,
        numpy_unavailable: numpy.err(),
        git,
        seconds: clock.elapsed().as_secs_f64(),
    })
}

/// One size's measurement plan.
struct Plan {
    /// log₂ m′.
    log_m: u32,
    /// Samples every path evaluates (failure counts are compared on these).
    samples: usize,
    /// Samples per timed Rust call.
    rust_samples: u64,
    /// Minimum seconds of Rust timing (calls repeat until reached).
    rust_seconds: f64,
    /// Samples the dense path evaluates (a prefix of the comparison samples).
    dense_samples: usize,
}

fn plans(quick: bool) -> Vec<Plan> {
    let plan = |log_m, samples, rust_samples, rust_seconds, dense_samples| Plan {
        log_m,
        samples,
        rust_samples,
        rust_seconds,
        dense_samples,
    };
    if quick {
        vec![plan(12, 1024, 20_000, 1.0, 1024), plan(16, 512, 8_192, 1.5, 512)]
    } else {
        vec![plan(16, 2048, 40_000, 3.0, 2048), plan(20, 512, 8_192, 5.0, 256)]
    }
}

/// Measures one size; an unequal failure count between paths is an error.
fn measure(options: &Options, plan: &Plan, peak: f64, read_gbs: f64, numpy: bool) -> Result<Measurement, Error> {
    let outputs = 1usize << plan.log_m;
    let t = plan.log_m as usize;
    let approx = 5.0 * (outputs as f64 * f64::from(plan.log_m)).sqrt();
    let width = dense_friendly_width(approx.ceil() as usize, t);
    let seed = derive_seed(options.seed, "bench-compare", u64::from(plan.log_m));
    eprintln!(
        "bench-compare: m′ = 2^{}: building (width {width}, t = {t})",
        plan.log_m
    );
    let clock = Instant::now();
    let instance = And2Instance::random(
        outputs,
        outputs,
        PairDistribution::Uniform,
        derive_seed(seed, "instance", 0),
    )?;
    let params = And2Params::defaults(outputs, width, derive_seed(seed, "code", 0));
    let network = And2Network::build(&instance, params)?;
    let build_seconds = clock.elapsed().as_secs_f64();
    let spec = SampleSpec {
        k: options.k,
        distribution: InputDistribution::Planted,
        samples: plan.samples as u64,
        seed: derive_seed(seed, "samples", 0),
    };
    let samples = SampleSet::draw(&instance, &spec);
    let verdicts = exact_verdicts(&network, &instance, &samples);
    let failures = verdicts.iter().filter(|&&v| v).count() as u64;
    let eval_failures = and2_failure(&network, &instance, &spec, None).failures;
    if eval_failures != failures {
        return Err(Error::SampleDrift {
            log_m: plan.log_m,
            eval: eval_failures,
            drawn: failures,
        });
    }
    let mut record = Measurement {
        m_prime: outputs as u64,
        samples: plan.samples as u64,
        rust_outputs_per_s: 0.0,
        numpy_outputs_per_s: None,
        ratio_vs_numpy: None,
        dense_outputs_per_s: None,
        ratio_vs_dense: None,
        dense_gemm_fraction: None,
        width,
        t,
        failures,
        build_seconds,
        rust_samples_per_s: 0.0,
        rust_timed_samples: 0,
        numpy_samples_per_s: None,
        numpy_setup_seconds: None,
        dense_samples: None,
        dense_samples_per_s: None,
        dense_gemm_gflops: None,
        dense_forward_share: None,
        rust_bytes_per_sample: None,
        rust_bandwidth_gbs: None,
        bandwidth_fraction: None,
        notes: Vec::new(),
    };
    time_rust(&network, &instance, &spec, plan, &mut record);
    let mut scratch = Scratch::default();
    let bytes: u64 = (0..samples.len())
        .map(|i| network.memory_traffic(samples.sample(i), &mut scratch).total())
        .sum();
    let per_sample = bytes as f64 / samples.len().max(1) as f64;
    record.rust_bytes_per_sample = Some(per_sample);
    record.rust_bandwidth_gbs = Some(per_sample * record.rust_samples_per_s / 1e9);
    record.bandwidth_fraction = Some(per_sample * record.rust_samples_per_s / 1e9 / read_gbs);
    time_dense(&network, &instance, &samples, &verdicts, plan, peak, &mut record)?;
    if numpy {
        let baseline = numpy::Baseline {
            python: &options.python,
            keep_bundles: options.keep_bundles,
            k: options.k,
        };
        numpy::time_numpy(&baseline, &network, &instance, &samples, &mut record)?;
    } else {
        record
            .notes
            .push("NumPy baseline not run (see numpy_unavailable)".into());
    }
    eprintln!(
        "bench-compare: m′ = 2^{}: {failures}/{} samples fail on every path that ran",
        plan.log_m, plan.samples
    );
    Ok(record)
}

/// Times `eval::and2_failure` until `plan.rust_seconds` have passed (at least twice).
fn time_rust(network: &And2Network, instance: &And2Instance, spec: &SampleSpec, plan: &Plan, record: &mut Measurement) {
    let timing_spec = SampleSpec {
        samples: plan.rust_samples,
        seed: spec.seed ^ 0x7157,
        ..*spec
    };
    let (mut calls, mut seconds) = (0u64, 0.0);
    while calls < 2 || seconds < plan.rust_seconds {
        let clock = Instant::now();
        std::hint::black_box(and2_failure(network, instance, &timing_spec, None));
        seconds += clock.elapsed().as_secs_f64();
        calls += 1;
    }
    let timed = calls * plan.rust_samples;
    record.rust_timed_samples = timed;
    record.rust_samples_per_s = timed as f64 / seconds;
    record.rust_outputs_per_s = record.rust_samples_per_s * record.m_prime as f64;
    eprintln!(
        "bench-compare:   rust sublinear: {:.0} samples/s, {:.3e} outputs/s ({timed} samples)",
        record.rust_samples_per_s, record.rust_outputs_per_s
    );
}

/// Runs the dense path on a prefix of the samples when it fits, checking verdicts sample by sample.
fn time_dense(
    network: &And2Network,
    instance: &And2Instance,
    samples: &SampleSet,
    verdicts: &[bool],
    plan: &Plan,
    peak: f64,
    record: &mut Measurement,
) -> Result<(), Error> {
    let p = network.params();
    let needed = DenseAnd2::estimate_bytes(p.hidden_width, p.input_width)
        + 4 * DENSE_BATCH as u64 * (p.hidden_width + p.input_width) as u64;
    let held = And2Network::estimate_bytes(instance.inputs(), instance.outputs(), p) / 2;
    let budget = memory::budget_bytes();
    if needed + held > budget {
        let note = format!(
            "dense path skipped: it needs about {} MiB beside the network's {} MiB, over the budget of {} MiB",
            needed >> 20,
            held >> 20,
            budget >> 20
        );
        eprintln!("bench-compare:   {note}");
        record.notes.push(note);
        return Ok(());
    }
    let dense = dense_from_and2(network)?;
    let prefix = samples.prefix(plan.dense_samples);
    let run = dense_and2_failure(&dense, instance, &prefix, DENSE_BATCH, par())?;
    if run.verdicts != verdicts[..prefix.len()] {
        let first = run.verdicts.iter().zip(verdicts).position(|(a, b)| a != b).unwrap_or(0);
        return Err(Error::DenseDisagrees {
            m_prime: record.m_prime,
            sample: first,
            dense_fails: run.verdicts[first],
        });
    }
    let rate = prefix.len() as f64 / run.seconds;
    let gflops = run.gemm_flops / run.forward_seconds / 1e9;
    record.dense_samples = Some(prefix.len() as u64);
    record.dense_samples_per_s = Some(rate);
    record.dense_outputs_per_s = Some(rate * record.m_prime as f64);
    record.ratio_vs_dense = Some(record.rust_samples_per_s / rate);
    record.dense_gemm_gflops = Some(gflops);
    record.dense_gemm_fraction = Some(gflops / peak);
    record.dense_forward_share = Some(run.forward_seconds / run.seconds);
    eprintln!(
        "bench-compare:   dense faer: {rate:.1} samples/s, GEMM {gflops:.1} GFLOP/s ({:.0} % of the time)",
        100.0 * run.forward_seconds / run.seconds
    );
    Ok(())
}
