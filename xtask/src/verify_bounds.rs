//! `cargo xtask verify-bounds`: run every check at a scale, print one PASS/FAIL line per
//! claim, write `results/verify-bounds-<scale>.json` (records stream to a `.records.jsonl`
//! beside it as they are made) and regenerate `reports/`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use superposition_core::checks::{Observer, Runner, Scale, ScaleConfig};
use superposition_core::results::{Record, RunResults, Status};

use crate::flags::{self, ScaleArg};
use crate::git_describe;
use crate::report::report;

/// Runs the command; `Ok(false)` when a check fails. Threads are sized by the caller.
pub fn run(flags: flags::VerifyBounds) -> Result<bool, String> {
    let flags::VerifyBounds {
        scale,
        seed,
        out,
        reports,
        k,
        threads: _,
        checks,
    } = flags;
    verify_bounds(scale.into(), seed, &out, &reports, k, checks)
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
    checks: Option<Vec<String>>,
) -> Result<bool, String> {
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
        .and_then(|runner| {
            for (added, by) in runner.added() {
                eprintln!("verify-bounds: also running {added}: {by} consumes its results");
            }
            runner.run(scale, git_describe())
        })
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

/// Writes JSON atomically (temporary file, then rename) so a crash never leaves half a file.
fn write_json(path: &Path, results: &RunResults) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(results).expect("results serialize");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}
