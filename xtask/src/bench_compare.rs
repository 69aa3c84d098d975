//! `cargo xtask bench-compare`: time the sublinear Rust verification of AS-2AND, the naive
//! dense faer path and a NumPy/SciPy implementation side by side on the same samples
//! (measured by `superposition_benches::compare`), print the table, write
//! `results/bench-compare.json` and render `reports/performance.md` with its plot
//! (superposition-report).

use std::path::{Path, PathBuf};

use superposition_benches::compare;
use superposition_report::PerformancePoint;

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

/// Runs the comparison; `Ok(())` once results and report are written.
pub fn run(flags: &Options, git: String) -> Result<(), String> {
    let options = compare::Options {
        quick: flags.quick,
        seed: flags.seed,
        k: flags.k,
        python: flags.python.clone(),
        keep_bundles: flags.keep_bundles,
    };
    let comparison = compare::run(&options, git).map_err(|e| e.to_string())?;
    print!("{}", superposition_report::performance_table(&comparison));
    std::fs::create_dir_all(&flags.out).map_err(|e| format!("{}: {e}", flags.out.display()))?;
    let path = flags.out.join("bench-compare.json");
    let text = serde_json::to_string_pretty(&comparison).expect("results serialize");
    write_atomic(&path, &text)?;
    println!("results: {}", path.display());
    std::fs::create_dir_all(&flags.reports).map_err(|e| format!("{}: {e}", flags.reports.display()))?;
    let points: Vec<PerformancePoint> = comparison.records.iter().map(PerformancePoint::from).collect();
    let drawn = !superposition_report::render_performance(&points, &flags.reports)
        .map_err(|e| e.to_string())?
        .is_empty();
    let report = flags.reports.join("performance.md");
    write_atomic(&report, &superposition_report::performance_markdown(&comparison, drawn))?;
    println!("report: {}", report.display());
    Ok(())
}

/// Writes `text` to a temporary file, then renames it, so a crash never leaves half a file.
fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}
