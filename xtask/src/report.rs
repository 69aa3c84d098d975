//! `cargo xtask report`: regenerate `reports/` from the results files alone (the
//! verify-bounds runs, and `performance.md` from `bench-compare.json` when present).

use std::path::Path;

use crate::flags;

/// Runs the command.
pub fn run(flags: flags::Report) -> Result<(), String> {
    report(&flags.results, &flags.reports)
}

/// Renders every `verify-bounds-<scale>.json` in `results_dir` to `reports/<scale>/` and the
/// index over them; also the last step of a full verify-bounds run.
pub fn report(results_dir: &Path, reports: &Path) -> Result<(), String> {
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
    let bench = results_dir.join("bench-compare.json");
    if bench.exists() {
        let text = std::fs::read_to_string(&bench).map_err(|e| format!("cannot read {}: {e}", bench.display()))?;
        let comparison = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", bench.display()))?;
        let page = crate::bench_compare::render(&comparison, reports)?;
        println!("report: {}", page.display());
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
