//! The repository's automation, run as `cargo xtask <command>` (alias in .cargo/config.toml).
//!
//! - `verify-bounds`: runs every check at a scale, prints one PASS/FAIL line per claim, writes
//!   `results/verify-bounds-<scale>.json` (records are streamed to a `.records.jsonl` beside
//!   it as they are made, so an interrupted run loses nothing) and regenerates `reports/`.
//! - `report`: regenerates `reports/` from the results files alone.
//! - `bench-compare`: times the sublinear Rust verification of AS-2AND against the naive dense
//!   faer path and a NumPy/SciPy baseline on the same samples, writes
//!   `results/bench-compare.json` and `reports/performance.md` (see [`bench_compare`]).
//!
//! No mathematics lives here: this is glue between superposition-core and superposition-report.

mod bench_compare;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use superposition_core::checks::{Observer, Runner, Scale, ScaleConfig};
use superposition_core::results::{Record, RunResults, Status};

#[derive(Parser)]
#[command(name = "xtask", about = "superposition-bounds automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScaleArg {
    Quick,
    Standard,
    Full,
}

impl From<ScaleArg> for Scale {
    fn from(s: ScaleArg) -> Self {
        match s {
            ScaleArg::Quick => Scale::Quick,
            ScaleArg::Standard => Scale::Standard,
            ScaleArg::Full => Scale::Full,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run every check of SPEC §4 at a scale; exit non-zero if any fails.
    VerifyBounds {
        /// quick (CI, < 2 min), standard (< 10 min) or full (hours).
        #[arg(long, value_enum, default_value = "standard")]
        scale: ScaleArg,
        /// Master seed: the same seed gives the same results.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for results files.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Directory for the rendered reports.
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
        /// k, active inputs per sample.
        #[arg(long, default_value_t = 4)]
        k: usize,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Run only these checks (comma-separated ids). A partial run writes
        /// verify-bounds-<scale>-partial.json and reports/<scale>-partial/, never the full
        /// run's files.
        #[arg(long, value_delimiter = ',')]
        checks: Option<Vec<String>>,
    },
    /// Regenerate reports from results files alone.
    Report {
        /// Directory holding verify-bounds-<scale>.json files.
        #[arg(long, default_value = "results")]
        results: PathBuf,
        /// Directory for the rendered reports.
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
    },
    /// Time Rust sublinear verification, the dense faer path and NumPy/SciPy side by side.
    BenchCompare {
        /// m′ ∈ {2^12, 2^16} with fewer samples (under 3 minutes) instead of {2^16, 2^20}.
        #[arg(long)]
        quick: bool,
        /// Master seed: the same seed gives the same instances, codes and samples.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// k, active inputs per sample.
        #[arg(long, default_value_t = 4)]
        k: usize,
        /// Directory for bench-compare.json.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Directory for performance.md.
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
        /// Worker threads for the Rust paths (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Python interpreter for the NumPy baseline.
        #[arg(long, default_value = "python3")]
        python: String,
        /// Keep the files written for NumPy (in the system temp directory).
        #[arg(long)]
        keep_bundles: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::VerifyBounds {
            scale,
            seed,
            out,
            reports,
            k,
            threads,
            checks,
        } => verify_bounds(scale.into(), seed, &out, &reports, k, threads, checks),
        Command::Report { results, reports } => report(&results, &reports).map(|_| true),
        Command::BenchCompare {
            quick,
            seed,
            k,
            out,
            reports,
            threads,
            python,
            keep_bundles,
        } => {
            let options = bench_compare::Options {
                quick,
                seed,
                k,
                out,
                reports,
                python,
                keep_bundles,
            };
            set_threads(threads).and_then(|_| bench_compare::run(&options, git_describe()).map(|_| true))
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Streams records to a JSON-lines file and drives a progress bar.
struct Stream {
    writer: BufWriter<File>,
    bar: ProgressBar,
    check: String,
    error: Option<String>,
}

impl Observer for Stream {
    fn record(&mut self, record: &Record) {
        let line = serde_json::to_string(record).expect("records serialize");
        if let Err(e) = writeln!(self.writer, "{line}").and_then(|_| self.writer.flush()) {
            self.error.get_or_insert(e.to_string());
        }
    }

    fn progress(&mut self, check: &str, done: u64, total: u64, message: &str) {
        if self.check != check {
            self.check = check.to_string();
            self.bar.set_position(0);
            self.bar.set_prefix(check.to_string());
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.bar.set_message(message.to_string());
    }
}

fn verify_bounds(
    scale: Scale,
    seed: u64,
    out: &Path,
    reports: &Path,
    k: usize,
    threads: Option<usize>,
    checks: Option<Vec<String>>,
) -> Result<bool, String> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let name = match checks {
        Some(_) => format!("{}-partial", scale.name()),
        None => scale.name().to_string(),
    };
    let stream_path = out.join(format!("verify-bounds-{name}.records.jsonl"));
    let file = File::create(&stream_path).map_err(|e| format!("{}: {e}", stream_path.display()))?;
    let bar = ProgressBar::new(1).with_style(
        ProgressStyle::with_template("{prefix:>15} [{bar:30}] {pos}/{len} {elapsed} {msg}")
            .expect("template is valid")
            .progress_chars("=> "),
    );
    let mut stream = Stream {
        writer: BufWriter::new(file),
        bar,
        check: String::new(),
        error: None,
    };
    eprintln!(
        "verify-bounds: scale {name}, seed {seed}, k {k}; records stream to {}",
        stream_path.display()
    );
    let config = ScaleConfig::new(scale, k);
    let results = Runner::new(config, seed, &mut stream)
        .and_then(|runner| match &checks {
            Some(ids) => runner.only(ids),
            None => Ok(runner),
        })
        .and_then(|runner| runner.run(scale, git_describe()))
        .map_err(|e| format!("{e} (records so far are in {})", stream_path.display()))?;
    stream.bar.finish_and_clear();
    if let Some(e) = stream.error {
        eprintln!("warning: streaming records to {} failed: {e}", stream_path.display());
    }
    for check in &results.checks {
        let verdict = if check.status == Status::Pass { "PASS" } else { "FAIL" };
        println!(
            "check {}: {verdict} {} (theory: {})",
            check.id(),
            check.measured,
            check.theory
        );
    }
    let path = out.join(format!("verify-bounds-{name}.json"));
    write_json(&path, &results)?;
    println!(
        "results: {} ({} records, {:.1} s)",
        path.display(),
        results.records.len(),
        results.seconds
    );
    if checks.is_some() {
        let dir = reports.join(&name);
        superposition_report::render_report(&results, &dir).map_err(|e| e.to_string())?;
        println!("report: {}", dir.join("README.md").display());
    } else {
        report(out, reports)?;
    }
    Ok(results.checks.iter().all(|c| c.status == Status::Pass))
}

/// Sizes the global rayon pool for bench-compare (every parallel path, faer's included, runs on it).
fn set_threads(threads: Option<usize>) -> Result<(), String> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| format!("cannot start {n} worker threads: {e}"))?;
    }
    Ok(())
}

/// Writes JSON atomically (temporary file, then rename) so a crash never leaves half a file.
fn write_json(path: &Path, results: &RunResults) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(results).expect("results serialize");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn report(results_dir: &Path, reports: &Path) -> Result<(), String> {
    let mut runs = Vec::new();
    for scale in ["quick", "standard", "full"] {
        let path = results_dir.join(format!("verify-bounds-{scale}.json"));
        if path.exists() {
            let results = superposition_report::load_results(&path).map_err(|e| e.to_string())?;
            let dir = reports.join(scale);
            superposition_report::render_report(&results, &dir).map_err(|e| e.to_string())?;
            println!("report: {}", dir.join("README.md").display());
            runs.push((scale.to_string(), results));
        }
    }
    if runs.is_empty() {
        return Err(format!(
            "no results in {} (expected verify-bounds-<scale>.json): run `cargo xtask verify-bounds` first",
            results_dir.display()
        ));
    }
    let index = superposition_report::render_index(reports, &runs).map_err(|e| e.to_string())?;
    println!("index: {}", index.display());
    Ok(())
}

fn git_describe() -> String {
    std::process::Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
