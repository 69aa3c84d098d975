//! `cargo xtask bench-compare`: the sublinear Rust verification of AS-2AND, the naive dense
//! faer path and a NumPy/SciPy implementation, timed side by side on the same instance, codes,
//! weights and samples, with their failure counts checked equal.
//!
//! For each m′ it builds the network (t_in = t_out = log₂ m′, hidden = input width
//! ≈ 5·√(m′·log₂ m′) rounded up to a multiple of lcm(64, t_in)), draws the comparison samples,
//! and measures:
//! - Rust: `eval::and2_failure` (sampling + inverted-index verification), repeated until a
//!   minimum time has passed; verified outputs/s = samples·m′/s;
//! - dense: `dense::dense_and2_failure` (faer GEMM per batch, all outputs decoded), when the
//!   dense matrix fits the memory budget; its GEMM rate is compared with a large square faer
//!   GEMM measured in the same run;
//! - NumPy: `benches/baselines/and2_numpy.py` on a bundle of files written here (format in the
//!   script's docstring), run with `python3`.
//!
//! Then it writes `results/bench-compare.json` and `reports/performance.md`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use superposition_core::and2::{And2Network, And2Params, DecoderKind, Scratch};
use superposition_core::dense::{
    DenseAnd2, SampleSet, decoder_thresholds, dense_and2_failure, dense_friendly_width, dense_from_and2, exact_verdicts,
};
use superposition_core::eval::{SampleSpec, and2_failure};
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::memory;
use superposition_core::rng::derive_seed;
use superposition_core::sample::InputDistribution;

/// Options of the subcommand.
pub struct Options {
    /// Smaller sizes and fewer samples (under 3 minutes).
    pub quick: bool,
    /// Master seed of instances, codes and samples.
    pub seed: u64,
    /// k, active inputs per sample.
    pub k: usize,
    /// Directory for `bench-compare.json`.
    pub out: PathBuf,
    /// Directory for `performance.md`.
    pub reports: PathBuf,
    /// The Python interpreter running the NumPy baseline.
    pub python: String,
    /// Keep the bundle directories instead of deleting them.
    pub keep_bundles: bool,
}

/// One size's measurement plan.
struct Plan {
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

/// Samples per GEMM of the dense path.
const DENSE_BATCH: usize = 256;
/// Side of the square GEMM measuring the practical peak.
const PEAK_SIDE: usize = 2048;

/// One measured size: the fields the issue asks for, then detail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    /// m′.
    pub m_prime: u64,
    /// Samples all three paths evaluated, with equal failure counts.
    pub samples: u64,
    /// Verified outputs per second of the Rust sublinear path (samples·m′/s).
    pub rust_outputs_per_s: f64,
    /// Same figure for NumPy/SciPy (null when it could not run).
    pub numpy_outputs_per_s: Option<f64>,
    /// rust / numpy.
    pub ratio_vs_numpy: Option<f64>,
    /// Same figure for the dense faer path (null when it does not fit).
    pub dense_outputs_per_s: Option<f64>,
    /// rust / dense.
    pub ratio_vs_dense: Option<f64>,
    /// The dense path's GEMM GFLOP/s divided by the large-GEMM figure of the same run.
    pub dense_gemm_fraction: Option<f64>,
    /// Hidden = input width.
    pub width: usize,
    /// t_in = t_out.
    pub t: usize,
    /// Failures among `samples` (equal on every path that ran).
    pub failures: u64,
    /// Seconds to build the network.
    pub build_seconds: f64,
    /// Rust samples per second.
    pub rust_samples_per_s: f64,
    /// Samples the Rust timing evaluated in all.
    pub rust_timed_samples: u64,
    /// NumPy samples per second.
    pub numpy_samples_per_s: Option<f64>,
    /// NumPy's loading and matrix preparation, seconds (not in its rate).
    pub numpy_setup_seconds: Option<f64>,
    /// Samples the dense path evaluated (a prefix of `samples`).
    pub dense_samples: Option<u64>,
    /// Dense samples per second.
    pub dense_samples_per_s: Option<f64>,
    /// GFLOP/s of the dense path's forward passes (GEMM + bias/ReLU, GEMM FLOPs counted).
    pub dense_gemm_gflops: Option<f64>,
    /// Share of the dense path's time spent in the forward passes.
    pub dense_forward_share: Option<f64>,
    /// Mean bytes the sublinear path reads per sample from the network's large tables
    /// (weight columns, decoder index, candidate codes; `And2Network::memory_traffic`).
    #[serde(default)]
    pub rust_bytes_per_sample: Option<f64>,
    /// That traffic at the measured rate, GB/s.
    #[serde(default)]
    pub rust_bandwidth_gbs: Option<f64>,
    /// `rust_bandwidth_gbs` over the measured peak read bandwidth.
    #[serde(default)]
    pub bandwidth_fraction: Option<f64>,
    /// Why a path is missing, or other remarks.
    pub notes: Vec<String>,
}

/// The machine and its theoretical f32 peak.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name from /proc/cpuinfo.
    pub model: String,
    /// Physical cores available.
    pub cores: usize,
    /// Logical CPUs the run could use.
    pub threads: usize,
    /// Clock from /proc/cpuinfo ("cpu MHz" of the first CPU), MHz.
    pub mhz: f64,
    /// Widest f32 SIMD found in the flags.
    pub simd: String,
    /// f32 FLOPs per cycle per core assumed for that SIMD.
    pub flops_per_cycle: f64,
    /// cores × GHz × FLOPs/cycle.
    pub theoretical_peak_gflops: f64,
    /// How the figure was derived.
    pub derivation: String,
    /// Clock the measured GEMM implies at the assumed FLOPs/cycle: peak / (cores × FLOPs/cycle),
    /// GHz. Above `mhz` when the cores boost beyond the reported clock.
    pub implied_ghz: f64,
    /// /proc/loadavg at the start of the run.
    pub loadavg_start: String,
    /// /proc/loadavg at the end of the run.
    pub loadavg_end: String,
}

/// The results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// One record per m′.
    pub records: Vec<Measurement>,
    /// faer f32 GEMM of a large square matrix, GFLOP/s, measured in this run.
    pub peak_gemm_gflops: f64,
    /// Side of that matrix.
    pub peak_gemm_side: usize,
    /// Read bandwidth of a parallel sum over a large array, GB/s (the sparse path's practical
    /// peak; absent in results written before it was measured).
    #[serde(default)]
    pub peak_read_gbs: Option<f64>,
    /// The machine.
    pub machine: Machine,
    /// Whether `--quick` was given.
    pub quick: bool,
    /// Master seed.
    pub seed: u64,
    /// k.
    pub k: usize,
    /// numpy and scipy versions, or null.
    pub numpy: Option<String>,
    /// Whether this run installed numpy/scipy with pip.
    pub numpy_installed: bool,
    /// Why NumPy did not run, if it did not.
    pub numpy_unavailable: Option<String>,
    /// `git describe` of the tree.
    pub git: String,
    /// Wall time of the whole comparison, seconds.
    pub seconds: f64,
}

/// Runs the comparison; `Ok(())` once results and report are written.
pub fn run(options: &Options, git: String) -> Result<(), String> {
    let clock = Instant::now();
    let loadavg_start = loadavg();
    let threads = rayon::current_num_threads();
    eprintln!("bench-compare: {} threads, load average {loadavg_start}", threads);
    let peak = peak_gemm_gflops(PEAK_SIDE);
    eprintln!("bench-compare: faer f32 GEMM {PEAK_SIDE}²: {peak:.1} GFLOP/s");
    let read_gbs = peak_read_gbs();
    eprintln!("bench-compare: read bandwidth (parallel sum over 1 GiB): {read_gbs:.1} GB/s");
    let (numpy, numpy_installed) = match ensure_numpy(&options.python) {
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
    let mut machine = machine(threads);
    machine.implied_ghz = peak / (machine.cores as f64 * machine.flops_per_cycle);
    machine.loadavg_start = loadavg_start;
    machine.loadavg_end = loadavg();
    let comparison = Comparison {
        records,
        peak_gemm_gflops: peak,
        peak_gemm_side: PEAK_SIDE,
        peak_read_gbs: Some(read_gbs),
        machine,
        quick: options.quick,
        seed: options.seed,
        k: options.k,
        numpy: numpy.as_ref().ok().cloned(),
        numpy_installed,
        numpy_unavailable: numpy.err(),
        git,
        seconds: clock.elapsed().as_secs_f64(),
    };
    print_table(&comparison);
    std::fs::create_dir_all(&options.out).map_err(|e| format!("{}: {e}", options.out.display()))?;
    let path = options.out.join("bench-compare.json");
    let text = serde_json::to_string_pretty(&comparison).expect("results serialize");
    write_atomic(&path, &text)?;
    println!("results: {}", path.display());
    std::fs::create_dir_all(&options.reports).map_err(|e| format!("{}: {e}", options.reports.display()))?;
    let points: Vec<superposition_report::PerformancePoint> = comparison
        .records
        .iter()
        .map(|r| superposition_report::PerformancePoint {
            m_prime: r.m_prime,
            rust_outputs_per_s: r.rust_outputs_per_s,
            numpy_outputs_per_s: r.numpy_outputs_per_s,
            dense_outputs_per_s: r.dense_outputs_per_s,
        })
        .collect();
    let drawn = !superposition_report::render_performance(&points, &options.reports)
        .map_err(|e| e.to_string())?
        .is_empty();
    let report = options.reports.join("performance.md");
    write_atomic(&report, &render_markdown(&comparison, drawn))?;
    println!("report: {}", report.display());
    Ok(())
}

/// Measures one size; an unequal failure count between paths is an error.
fn measure(options: &Options, plan: &Plan, peak: f64, read_gbs: f64, numpy: bool) -> Result<Measurement, String> {
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
    )
    .map_err(|e| e.to_string())?;
    let params = And2Params::defaults(outputs, width, derive_seed(seed, "code", 0));
    let network = And2Network::build(&instance, params).map_err(|e| e.to_string())?;
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
        return Err(format!(
            "m′ = 2^{}: eval::and2_failure counts {eval_failures} failures but the drawn sample set {failures}: \
             SampleSet::draw no longer draws what eval draws",
            plan.log_m
        ));
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
        time_numpy(options, &network, &instance, &samples, &mut record)?;
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
) -> Result<(), String> {
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
    let dense = dense_from_and2(network).map_err(|e| e.to_string())?;
    let prefix = samples.prefix(plan.dense_samples);
    let run =
        dense_and2_failure(&dense, instance, &prefix, DENSE_BATCH, faer::Par::rayon(0)).map_err(|e| e.to_string())?;
    if run.verdicts != verdicts[..prefix.len()] {
        let first = run.verdicts.iter().zip(verdicts).position(|(a, b)| a != b).unwrap_or(0);
        return Err(format!(
            "m′ = {}: the dense path and the exact path disagree on sample {first} (dense fails: {}); \
             the dense f32 path is no longer exact",
            record.m_prime, run.verdicts[first]
        ));
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

/// The NumPy script's JSON line.
#[derive(Deserialize)]
struct NumpyOutcome {
    failures: u64,
    samples: u64,
    seconds: f64,
    setup_seconds: f64,
}

/// Writes the bundle, runs the NumPy script on it and checks its failure count.
fn time_numpy(
    options: &Options,
    network: &And2Network,
    instance: &And2Instance,
    samples: &SampleSet,
    record: &mut Measurement,
) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("superposition-bench-{}-{}", std::process::id(), record.m_prime));
    write_bundle(&dir, network, instance, samples, options.k)?;
    let script = script_path();
    eprintln!(
        "bench-compare:   numpy: {} {} {}",
        options.python,
        script.display(),
        dir.display()
    );
    let output = Command::new(&options.python)
        .arg(&script)
        .arg(&dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", options.python));
    if !options.keep_bundles {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let output = output?;
    if !output.status.success() {
        return Err(format!(
            "the NumPy baseline failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let outcome: NumpyOutcome = serde_json::from_str(line)
        .map_err(|e| format!("the NumPy baseline printed {line:?}, not its JSON line: {e}"))?;
    if outcome.samples != record.samples || outcome.failures != record.failures {
        return Err(format!(
            "FAILURE COUNTS DIFFER at m′ = {}: NumPy counts {} failures in {} samples, Rust {} in {}. \
             The two implementations do not compute the same network; rerun with --keep-bundles to inspect {}",
            record.m_prime,
            outcome.failures,
            outcome.samples,
            record.failures,
            record.samples,
            dir.display()
        ));
    }
    let rate = outcome.samples as f64 / outcome.seconds;
    record.numpy_samples_per_s = Some(rate);
    record.numpy_outputs_per_s = Some(rate * record.m_prime as f64);
    record.ratio_vs_numpy = Some(record.rust_samples_per_s / rate);
    record.numpy_setup_seconds = Some(outcome.setup_seconds);
    eprintln!(
        "bench-compare:   numpy: {rate:.1} samples/s (setup {:.1} s)",
        outcome.setup_seconds
    );
    Ok(())
}

fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/baselines/and2_numpy.py")
}

/// Checks that `python` imports numpy and scipy, installing them with pip if not (and saying
/// so). Returns their versions and whether this call installed them, or why the baseline
/// cannot run.
fn ensure_numpy(python: &str) -> Result<(String, bool), String> {
    let probe = || {
        Command::new(python)
            .args(["-c", "import numpy, scipy; print(numpy.__version__, scipy.__version__)"])
            .output()
    };
    let first = probe().map_err(|e| format!("cannot run `{python}`: {e}"))?;
    if first.status.success() {
        return Ok((String::from_utf8_lossy(&first.stdout).trim().to_string(), false));
    }
    eprintln!(
        "bench-compare: numpy/scipy are not importable by {python}; installing them with \
         `{python} -m pip install --quiet numpy scipy`"
    );
    let pip = Command::new(python)
        .args(["-m", "pip", "install", "--quiet", "numpy", "scipy"])
        .output()
        .map_err(|e| format!("cannot run `{python} -m pip`: {e}"))?;
    if !pip.status.success() {
        let stderr = String::from_utf8_lossy(&pip.stderr);
        let mut tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        if tail.is_empty() {
            tail.push("(pip printed nothing)");
        }
        return Err(format!(
            "numpy/scipy are missing and `{python} -m pip install numpy scipy` failed ({}): {}",
            pip.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ));
    }
    let second = probe().map_err(|e| format!("cannot run `{python}`: {e}"))?;
    if second.status.success() {
        eprintln!("bench-compare: installed numpy/scipy");
        Ok((String::from_utf8_lossy(&second.stdout).trim().to_string(), true))
    } else {
        Err(format!(
            "pip reported success but numpy/scipy still do not import: {}",
            String::from_utf8_lossy(&second.stderr).trim()
        ))
    }
}

/// The format tag of a bundle (see benches/baselines/and2_numpy.py).
pub const BUNDLE_FORMAT: &str = "superposition-and2-bundle/1";

/// One array of a bundle: raw little-endian, C order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArraySpec {
    /// File name inside the bundle directory.
    pub file: String,
    /// NumPy dtype string (`<u1`, `<u2`, `<u4`, `<i4`, `<u8`).
    pub dtype: String,
    /// Shape, C order.
    pub shape: Vec<usize>,
}

/// `header.json` of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// m.
    pub inputs: usize,
    /// m′.
    pub outputs: usize,
    /// n_in.
    pub input_width: usize,
    /// n.
    pub hidden_width: usize,
    /// t_in.
    pub t_in: usize,
    /// t_out.
    pub t_out: usize,
    /// τ.
    pub tau: f64,
    /// `vote` or `average`.
    pub decoder: String,
    /// Whether the rows are centered.
    pub centering: bool,
    /// ⌈τ·t_out⌉, at least 1.
    pub vote_threshold: u32,
    /// ⌈τ·t_out·2·n_in·t_in⌉.
    pub average_threshold: i64,
    /// k the samples were drawn with.
    pub k: usize,
    /// Number of samples.
    pub samples: usize,
    /// The arrays by name.
    pub arrays: BTreeMap<String, ArraySpec>,
}

/// Writes `values` as raw little-endian bytes to `dir/<name>.bin` and returns its spec.
fn write_array<T, const N: usize>(
    dir: &Path,
    name: &str,
    dtype: &str,
    shape: Vec<usize>,
    values: impl IntoIterator<Item = T>,
    to_le: impl Fn(T) -> [u8; N],
) -> Result<(String, ArraySpec), String> {
    let file = format!("{name}.bin");
    let path = dir.join(&file);
    let handle = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut writer = BufWriter::new(handle);
    let mut count = 0usize;
    for v in values {
        writer
            .write_all(&to_le(v))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        count += 1;
    }
    writer.flush().map_err(|e| format!("{}: {e}", path.display()))?;
    let expected: usize = shape.iter().product();
    assert_eq!(count, expected, "{name}: wrote {count} values for shape {shape:?}");
    let spec = ArraySpec {
        file,
        dtype: dtype.into(),
        shape,
    };
    Ok((name.to_string(), spec))
}

/// Columns of A per parallel block when writing the weights.
const WEIGHT_BLOCK: usize = 256;

/// Writes the weights transposed (n_in × n, row q = A[:, q]) as u8 or u16, by column blocks
/// gathered in parallel.
fn write_weights(dir: &Path, network: &And2Network) -> Result<(String, ArraySpec), String> {
    let p = network.params();
    let (n, n_in) = (p.hidden_width, p.input_width);
    let wide = network.resources().weight_max > u64::from(u8::MAX);
    let file = "weights.bin".to_string();
    let path = dir.join(&file);
    let handle = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut writer = BufWriter::new(handle);
    for first in (0..n_in).step_by(WEIGHT_BLOCK) {
        let last = (first + WEIGHT_BLOCK).min(n_in);
        let bytes: Vec<Vec<u8>> = (first..last)
            .into_par_iter()
            .map(|q| {
                let mut column = Vec::with_capacity(n * if wide { 2 } else { 1 });
                for r in 0..n {
                    let w = network.weight(r, q);
                    if wide {
                        column.extend_from_slice(&(w as u16).to_le_bytes());
                    } else {
                        column.push(w as u8);
                    }
                }
                column
            })
            .collect();
        for column in bytes {
            writer
                .write_all(&column)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    writer.flush().map_err(|e| format!("{}: {e}", path.display()))?;
    let dtype = if wide { "<u2" } else { "<u1" };
    Ok((
        "weights".into(),
        ArraySpec {
            file,
            dtype: dtype.into(),
            shape: vec![n_in, n],
        },
    ))
}

/// Writes the bundle the NumPy baseline reads: `header.json` and one `.bin` per array.
pub fn write_bundle(
    dir: &Path,
    network: &And2Network,
    instance: &And2Instance,
    samples: &SampleSet,
    k: usize,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let p = network.params();
    let (m, outputs) = (instance.inputs(), instance.outputs());
    let u32le = |v: u32| v.to_le_bytes();
    let pairs = instance.pairs().iter().flat_map(|&(a, b)| [a, b]);
    let mut arrays = BTreeMap::new();
    let entries = [
        write_array(dir, "pairs", "<u4", vec![outputs, 2], pairs, u32le)?,
        write_array(
            dir,
            "input_code",
            "<u4",
            vec![m, p.t_in],
            network.input_code().flat().iter().copied(),
            u32le,
        )?,
        write_array(
            dir,
            "output_code",
            "<u4",
            vec![outputs, p.t_out],
            network.output_code().flat().iter().copied(),
            u32le,
        )?,
        write_array(
            dir,
            "union_size",
            "<i4",
            vec![p.hidden_width],
            (0..p.hidden_width).map(|r| network.union_size(r) as i32),
            |v: i32| v.to_le_bytes(),
        )?,
        write_array(
            dir,
            "sample_offsets",
            "<u8",
            vec![samples.len() + 1],
            samples.offsets().iter().map(|&o| o as u64),
            |v: u64| v.to_le_bytes(),
        )?,
        write_array(
            dir,
            "sample_active",
            "<u4",
            vec![samples.active().len()],
            samples.active().iter().copied(),
            u32le,
        )?,
        write_weights(dir, network)?,
    ];
    arrays.extend(entries);
    let (vote_threshold, average_threshold) = decoder_thresholds(p);
    let header = BundleHeader {
        format: BUNDLE_FORMAT.into(),
        inputs: m,
        outputs,
        input_width: p.input_width,
        hidden_width: p.hidden_width,
        t_in: p.t_in,
        t_out: p.t_out,
        tau: p.tau,
        decoder: match p.decoder {
            DecoderKind::Vote => "vote",
            DecoderKind::Average => "average",
        }
        .into(),
        centering: p.centering,
        vote_threshold,
        average_threshold,
        k,
        samples: samples.len(),
        arrays,
    };
    let path = dir.join("header.json");
    let text = serde_json::to_string_pretty(&header).expect("header serializes");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// faer f32 GEMM of two side × side matrices: best GFLOP/s of three calls after a warm-up.
/// Bytes summed by the read-bandwidth measurement (1 GiB: far beyond every cache).
const READ_BYTES: usize = 1 << 30;

/// Read bandwidth, GB/s: a parallel sum over a 1 GiB array, best of 3 after a warm-up.
fn peak_read_gbs() -> f64 {
    use rayon::prelude::*;
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

fn peak_gemm_gflops(side: usize) -> f64 {
    use faer::linalg::matmul::matmul;
    use faer::{Accum, Mat, Par};
    let a = Mat::<f32>::from_fn(side, side, |i, j| ((i * 7 + j * 3) % 17) as f32 - 8.0);
    let b = Mat::<f32>::from_fn(side, side, |i, j| ((i * 5 + j * 11) % 13) as f32 - 6.0);
    let mut out = Mat::<f32>::zeros(side, side);
    let flops = 2.0 * (side as f64).powi(3);
    let mut best = 0.0f64;
    for call in 0..4 {
        let clock = Instant::now();
        matmul(
            out.as_mut(),
            Accum::Replace,
            a.as_ref(),
            b.as_ref(),
            1.0f32,
            Par::rayon(0),
        );
        let rate = flops / clock.elapsed().as_secs_f64() / 1e9;
        if call > 0 {
            best = best.max(rate);
        }
    }
    std::hint::black_box(&out);
    best
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Reads the CPU model, cores, clock and SIMD flags from /proc/cpuinfo and derives the
/// theoretical f32 peak: cores × GHz × FLOPs/cycle, where FLOPs/cycle assumes two FMA pipes
/// of the widest vector width (2 pipes × lanes × 2 FLOPs per FMA).
fn machine(threads: usize) -> Machine {
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

fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn fmt_rate(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.3e}"))
}

fn fmt_ratio(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if v < 10.0 => format!("{v:.1}×"),
        Some(v) => format!("{v:.0}×"),
    }
}

fn fmt_percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{:.0} %", 100.0 * v))
}

/// The table rows shared by the terminal and the Markdown report.
fn table_rows(c: &Comparison) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        "m′",
        "width",
        "samples",
        "failures",
        "Rust samples/s",
        "Rust outputs/s",
        "NumPy outputs/s",
        "Rust ÷ NumPy",
        "dense outputs/s",
        "Rust ÷ dense",
        "dense GEMM GFLOP/s",
        "of faer peak",
    ];
    let rows = c
        .records
        .iter()
        .map(|r| {
            vec![
                format!("2^{}", r.t),
                r.width.to_string(),
                r.samples.to_string(),
                r.failures.to_string(),
                format!("{:.0}", r.rust_samples_per_s),
                fmt_rate(Some(r.rust_outputs_per_s)),
                fmt_rate(r.numpy_outputs_per_s),
                fmt_ratio(r.ratio_vs_numpy),
                fmt_rate(r.dense_outputs_per_s),
                fmt_ratio(r.ratio_vs_dense),
                r.dense_gemm_gflops.map_or_else(|| "—".into(), |g| format!("{g:.1}")),
                fmt_percent(r.dense_gemm_fraction),
            ]
        })
        .collect();
    (header, rows)
}

fn print_table(c: &Comparison) {
    let (header, rows) = table_rows(c);
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}", w = *w))
            .collect::<Vec<_>>()
            .join("  ")
    };
    println!("{}", line(header.iter().map(|s| s.to_string()).collect()));
    for row in rows {
        println!("{}", line(row));
    }
    println!(
        "faer f32 GEMM {}²: {:.1} GFLOP/s = {:.0} % of the theoretical {:.1} GFLOP/s ({})",
        c.peak_gemm_side,
        c.peak_gemm_gflops,
        100.0 * c.peak_gemm_gflops / c.machine.theoretical_peak_gflops,
        c.machine.theoretical_peak_gflops,
        c.machine.model
    );
    for r in &c.records {
        for note in &r.notes {
            println!("note (m′ = {}): {note}", r.m_prime);
        }
    }
}

/// The Markdown report: table, machine, and a short reading generated from the figures.
fn render_markdown(c: &Comparison, plot: bool) -> String {
    let (header, rows) = table_rows(c);
    let mut md = String::new();
    md.push_str("# Performance: exact verification of AS-2AND\n\n");
    md.push_str(&format!(
        "Generated by `cargo xtask bench-compare{}` (seed {}, k = {}, git {}) in {:.0} s. \
         Regenerate with the same command; figures come from `results/bench-compare.json`.\n\n",
        if c.quick { " --quick" } else { "" },
        c.seed,
        c.k,
        c.git,
        c.seconds
    ));
    md.push_str(&format!(
        "Machine: {} — {} cores, {} threads used, {:.0} MHz, {}. Load average {} at the start, {} at the end \
         (a shared machine: other builds may have run at the same time, so rates are lower bounds).\n\n",
        c.machine.model,
        c.machine.cores,
        c.machine.threads,
        c.machine.mhz,
        c.machine.simd,
        c.machine.loadavg_start,
        c.machine.loadavg_end
    ));
    md.push_str(&format!("| {} |\n", header.join(" | ")));
    md.push_str(&format!("|{}\n", "---:|".repeat(header.len())));
    for row in rows {
        md.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    if plot {
        md.push_str(
            "\n![verified outputs per second against m′ for each path](performance.png) ([SVG](performance.svg))\n",
        );
    }
    md.push_str(
        "\nOutputs/s are verified output features per second: samples × m′ / s. Every path evaluated the \
                 same samples (the dense path a prefix of them) and counted the same failures; a difference \
                 stops the run.\n\n",
    );
    md.push_str("## Peak\n\n");
    md.push_str(&format!(
        "- faer f32 GEMM of {side}×{side} matrices (all threads, best of 3): **{:.1} GFLOP/s**, {:.0} % of the \
         theoretical peak.\n- Theoretical f32 peak: {}.\n",
        c.peak_gemm_gflops,
        100.0 * c.peak_gemm_gflops / c.machine.theoretical_peak_gflops,
        c.machine.derivation,
        side = c.peak_gemm_side
    ));
    if let Some(read) = c.peak_read_gbs {
        md.push_str(&format!(
            "- Read bandwidth, the sparse path's practical peak (parallel sum over a 1 GiB array, best of 3): \
             **{read:.1} GB/s**.\n"
        ));
    }
    if c.machine.implied_ghz * 1000.0 > c.machine.mhz {
        md.push_str(&format!(
            "- The measured GEMM exceeds that figure: at {} FLOPs/cycle it implies the cores ran at {:.2} GHz or \
             more, so they boost above the reported {:.0} MHz (the hypervisor does not expose the boost clock). \
             Fractions of the theoretical peak are therefore upper bounds; the faer figure is the practical peak.\n",
            c.machine.flops_per_cycle, c.machine.implied_ghz, c.machine.mhz
        ));
    }
    md.push_str("\n## Reading\n\n");
    for r in &c.records {
        let mut parts = vec![format!(
            "At m′ = 2^{} (width {}), the sublinear Rust verification checks {:.0} samples/s, {:.3e} outputs/s",
            r.t, r.width, r.rust_samples_per_s, r.rust_outputs_per_s
        )];
        if let Some(ratio) = r.ratio_vs_numpy {
            parts.push(format!("{ratio:.0}× the NumPy/SciPy baseline"));
        }
        if let (Some(ratio), Some(fraction)) = (r.ratio_vs_dense, r.dense_gemm_fraction) {
            parts.push(format!(
                "{ratio:.0}× the naive dense path, whose GEMM runs at {:.0} % of the large-GEMM figure ({:.0} % of \
                 its time is the forward pass; the rest decodes all m′ outputs)",
                100.0 * fraction,
                100.0 * r.dense_forward_share.unwrap_or(0.0)
            ));
        }
        if let (Some(bytes), Some(rate), Some(fraction)) =
            (r.rust_bytes_per_sample, r.rust_bandwidth_gbs, r.bandwidth_fraction)
        {
            parts.push(format!(
                "the sublinear path reads {:.0} KB per sample from the network's tables (weight columns, anchor \
                 runs, candidate codes), {rate:.1} GB/s at its rate, {:.0} % of the read bandwidth",
                bytes / 1e3,
                100.0 * fraction
            ));
        }
        md.push_str(&format!("- {}.", parts.join("; ")));
        for note in &r.notes {
            md.push_str(&format!(" {note}."));
        }
        md.push('\n');
    }
    md.push_str(
        "\nWhy the gap: per sample the sublinear path touches only the k·t_in active columns of the integer \
         weights (n bytes each) and the outputs hosted on neurons that fired; NumPy and the dense path decode \
         all m′·t_out code entries, and the dense path also multiplies the full n × n_in matrix.\n",
    );
    md.push_str(&format!(
        "\nWhere the sublinear path's time goes (perf, m′ = 2^20, one thread, before this run): the anchor-vote \
         count about 57 % of evaluation (each fired hidden neuron adds a vote to the outputs it anchors: s/t_out \
         of the m′·t_out/n outputs it hosts ({} on average), read as u16 runs per block of 2^15 outputs with counters in \
         L1), the k·t_in column accumulation about 26 % (k·t_in columns of n bytes each, scattered over the matrix), \
         sampling, candidate checks and sorting the rest.\n",
        c.records
            .iter()
            .map(|r| format!("{:.0} at 2^{}", r.m_prime as f64 * r.t as f64 / r.width as f64, r.t))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    md.push_str(&targets(c));
    if !c.records.iter().any(|r| r.m_prime == 1 << 20) {
        md.push_str(
            "\nThis run did not include m′ = 2²⁰ (`--quick`); the issue's targets (≥ 100× NumPy at 2²⁰, dense \
             GEMM ≥ 60 % of the faer figure) are read from a run without `--quick`.\n",
        );
    }
    match (&c.numpy, &c.numpy_unavailable) {
        (Some(v), _) => md.push_str(&format!(
            "\nNumPy/SciPy versions: {v} (single-threaded sparse products){}.\n",
            if c.numpy_installed {
                "; installed by this run with pip"
            } else {
                ""
            }
        )),
        (None, Some(why)) => md.push_str(&format!("\nNumPy baseline not run: {why}.\n")),
        (None, None) => {}
    }
    md
}

/// The targets, checked against the figures of this run.
fn targets(c: &Comparison) -> String {
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    let mut md = String::from("\n## Targets\n\n");
    match c.records.iter().find(|r| r.m_prime == 1 << 20) {
        Some(r) => match r.ratio_vs_numpy {
            Some(ratio) => md.push_str(&format!(
                "- Verification at m′ = 2²⁰ ≥ 100× NumPy/SciPy: {ratio:.0}×, {}.\n",
                verdict(ratio >= 100.0)
            )),
            None => md.push_str("- Verification at m′ = 2²⁰ ≥ 100× NumPy/SciPy: not measured (NumPy did not run).\n"),
        },
        None => md.push_str("- Verification at m′ = 2²⁰ ≥ 100× NumPy/SciPy: not measured in this run.\n"),
    }
    let fractions: Vec<f64> = c.records.iter().filter_map(|r| r.dense_gemm_fraction).collect();
    if let Some(worst) = fractions.iter().copied().reduce(f64::min) {
        md.push_str(&format!(
            "- Dense batched path ≥ 60 % of the faer large-GEMM figure: {:.0} % at worst, {}.\n",
            100.0 * worst,
            verdict(worst >= 0.6)
        ));
    } else {
        md.push_str("- Dense batched path ≥ 60 % of the faer large-GEMM figure: not measured in this run.\n");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a bundle back (the Rust side of the format the NumPy script reads).
    struct Bundle {
        header: BundleHeader,
        arrays: BTreeMap<String, Vec<u64>>,
    }

    fn read_bundle(dir: &Path) -> Result<Bundle, String> {
        let path = dir.join("header.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let header: BundleHeader = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut arrays = BTreeMap::new();
        for (name, spec) in &header.arrays {
            let path = dir.join(&spec.file);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let width = match spec.dtype.as_str() {
                "<u1" => 1,
                "<u2" => 2,
                "<u4" | "<i4" => 4,
                "<u8" => 8,
                other => return Err(format!("{name}: unknown dtype {other}")),
            };
            let values: Vec<u64> = bytes
                .chunks_exact(width)
                .map(|c| {
                    let mut b = [0u8; 8];
                    b[..width].copy_from_slice(c);
                    u64::from_le_bytes(b)
                })
                .collect();
            if values.len() != spec.shape.iter().product::<usize>() {
                return Err(format!("{name}: {} values for shape {:?}", values.len(), spec.shape));
            }
            arrays.insert(name.clone(), values);
        }
        Ok(Bundle { header, arrays })
    }

    #[test]
    fn bundle_round_trip() {
        let instance = And2Instance::random(90, 100, PairDistribution::Uniform, 3).unwrap();
        let params = And2Params::defaults(100, 70, 4);
        let network = And2Network::build(&instance, params).unwrap();
        let spec = SampleSpec {
            k: 4,
            distribution: InputDistribution::Planted,
            samples: 50,
            seed: 5,
        };
        let samples = SampleSet::draw(&instance, &spec);
        let dir = std::env::temp_dir().join(format!("sb-bundle-test-{}", std::process::id()));
        write_bundle(&dir, &network, &instance, &samples, 4).unwrap();
        let bundle = read_bundle(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        let h = &bundle.header;
        assert_eq!((h.format.as_str(), h.inputs, h.outputs), (BUNDLE_FORMAT, 90, 100));
        assert_eq!(
            (h.input_width, h.hidden_width, h.t_in, h.t_out),
            (70, 70, params.t_in, params.t_out)
        );
        assert_eq!((h.decoder.as_str(), h.centering, h.samples, h.k), ("vote", true, 50, 4));
        assert_eq!((h.vote_threshold, h.average_threshold), decoder_thresholds(&params));
        let u32s = |name: &str| -> Vec<u32> { bundle.arrays[name].iter().map(|&v| v as u32).collect() };
        let pairs: Vec<(u32, u32)> = u32s("pairs").chunks(2).map(|p| (p[0], p[1])).collect();
        assert_eq!(And2Instance::new(h.inputs, pairs).unwrap(), instance);
        assert_eq!(u32s("input_code"), network.input_code().flat());
        assert_eq!(u32s("output_code"), network.output_code().flat());
        let union: Vec<usize> = (0..70).map(|r| network.union_size(r)).collect();
        assert_eq!(
            bundle.arrays["union_size"]
                .iter()
                .map(|&v| v as usize)
                .collect::<Vec<_>>(),
            union
        );
        let weights = &bundle.arrays["weights"];
        assert_eq!(h.arrays["weights"].shape, vec![70, 70]);
        for q in 0..70 {
            for r in 0..70 {
                assert_eq!(weights[q * 70 + r], u64::from(network.weight(r, q)), "A[{r}, {q}]");
            }
        }
        let offsets: Vec<usize> = bundle.arrays["sample_offsets"].iter().map(|&v| v as usize).collect();
        let read = SampleSet::from_parts(offsets, u32s("sample_active"), h.inputs).unwrap();
        assert_eq!(read, samples);
    }

    #[test]
    fn report_states_targets_from_the_figures() {
        let record = |log: u32, numpy: Option<f64>, fraction: f64| Measurement {
            m_prime: 1 << log,
            samples: 10,
            rust_outputs_per_s: 1e9,
            numpy_outputs_per_s: numpy,
            ratio_vs_numpy: numpy.map(|v| 1e9 / v),
            dense_outputs_per_s: Some(1e8),
            ratio_vs_dense: Some(10.0),
            dense_gemm_fraction: Some(fraction),
            width: 64,
            t: log as usize,
            failures: 1,
            build_seconds: 0.0,
            rust_samples_per_s: 1e9 / f64::from(1u32 << log),
            rust_timed_samples: 10,
            numpy_samples_per_s: None,
            numpy_setup_seconds: None,
            dense_samples: Some(10),
            dense_samples_per_s: None,
            dense_gemm_gflops: Some(50.0),
            dense_forward_share: Some(0.5),
            rust_bytes_per_sample: Some(2e5),
            rust_bandwidth_gbs: Some(4.0),
            bandwidth_fraction: Some(0.2),
            notes: vec!["a note".into()],
        };
        let mut c = Comparison {
            records: vec![record(16, Some(1e8), 0.8), record(20, Some(2e6), 0.7)],
            peak_gemm_gflops: 100.0,
            peak_gemm_side: 2048,
            peak_read_gbs: Some(20.0),
            machine: machine(2),
            quick: false,
            seed: 1,
            k: 4,
            numpy: Some("x y".into()),
            numpy_installed: true,
            numpy_unavailable: None,
            git: "g".into(),
            seconds: 1.0,
        };
        let md = render_markdown(&c, true);
        assert!(md.contains("| 2^20 | 64 | 10 | 1 |"), "{md}");
        assert!(md.contains("(performance.png)"), "{md}");
        assert!(
            md.contains("**20.0 GB/s**")
                && md.contains("200 KB per sample")
                && md.contains("20 % of the read bandwidth"),
            "{md}"
        );
        assert!(!render_markdown(&c, false).contains("performance.png"));
        assert!(md.contains("500×, met") && md.contains("70 % at worst, met"), "{md}");
        assert!(md.contains("installed by this run") && md.contains("a note"));
        c.records[1].ratio_vs_numpy = Some(16.0);
        c.records[1].dense_gemm_fraction = Some(0.5);
        let md = render_markdown(&c, true);
        assert!(
            md.contains("16×, NOT met") && md.contains("50 % at worst, NOT met"),
            "{md}"
        );
    }

    #[test]
    fn machine_peak_is_derived_from_cpuinfo() {
        let m = machine(2);
        assert!(m.cores >= 1);
        assert!(m.flops_per_cycle >= 8.0);
        if m.mhz > 0.0 {
            assert!((m.theoretical_peak_gflops - m.cores as f64 * m.mhz / 1000.0 * m.flops_per_cycle).abs() < 1e-9);
        }
        assert!(m.derivation.contains("GFLOP/s"));
    }
}
