//! `cargo xtask bench-compare`: time the sublinear Rust verification of AS-2AND, the naive
//! dense faer path and a NumPy/SciPy implementation side by side on the same samples
//! (measured by `superposition_benches::compare`), print the table, write
//! `results/bench-compare.json` and render `reports/performance.md` with its plot
//! (superposition-report).

use std::path::{Path, PathBuf};

use superposition_benches::compare;
use superposition_report::PerformancePoint;
use superposition_schema::bench::Comparison;

use crate::flags;

/// Runs the command; `Ok(())` once results and report are written. Threads are sized by the
/// caller.
pub fn run(flags: flags::BenchCompare) -> Result<(), String> {
    let options = compare::Options {
        quick: flags.quick,
        seed: flags.seed,
        k: flags.k,
        python: flags.python,
        keep_bundles: flags.keep_bundles,
    };
    let comparison = compare::run(&options, crate::git_describe()).map_err(|e| e.to_string())?;
    print!("{}", superposition_report::performance_table(&comparison));
    std::fs::create_dir_all(&flags.out).map_err(|e| format!("{}: {e}", flags.out.display()))?;
    let path = flags.out.join("bench-compare.json");
    let text = serde_json::to_string_pretty(&comparison).expect("results serialize");
    write_atomic(&path, &text)?;
    println!("results: {}", path.display());
    let report = render(&comparison, &flags.reports)?;
    println!("report: {}", report.display());
    Ok(())
}

/// Renders `performance.md` and its plot into `reports` from a comparison alone (also what
/// `cargo xtask report` does with a committed `bench-compare.json`); returns the page's path.
pub fn render(comparison: &Comparison, reports: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(reports).map_err(|e| format!("cannot create {}: {e}", reports.display()))?;
    let points: Vec<PerformancePoint> = comparison.records.iter().map(PerformancePoint::from).collect();
    let drawn = !superposition_report::render_performance(&points, reports)
        .map_err(|e| e.to_string())?
        .is_empty();
    let report = reports.join("performance.md");
    write_atomic(&report, &superposition_report::performance_markdown(comparison, drawn))?;
    Ok(report)
}

/// Writes `text` to a temporary file, then renames it, so a crash never leaves half a file.
fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}
