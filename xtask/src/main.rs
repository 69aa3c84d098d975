//! The repository's automation, run as `cargo xtask <command>` (alias in .cargo/config.toml).
//!
//! - `verify-bounds`: runs every check at a scale, prints one PASS/FAIL line per claim, writes
//!   `results/verify-bounds-<scale>.json` (records are streamed to a `.records.jsonl` beside
//!   it as they are made, cell by cell, so an interrupted run continues with `--resume`) and
//!   regenerates `reports/`; `--shard i/N` computes one shard's cells.
//! - `merge`: merges the shards' records into the results and report of one unsharded run
//!   (README, "Long runs"; see [`verify_bounds::merge`]).
//! - `report`: regenerates `reports/` from the results files alone.
//! - `check`: holds any network file against the bounds (see [`check`]).
//! - `certify`: proves or refutes a network file's worst case output by output (see [`certify`]).
//! - `bench-compare`: times the sublinear Rust verification of AS-2AND against the naive dense
//!   faer path and a NumPy/SciPy baseline on the same samples, writes
//!   `results/bench-compare.json` and `reports/performance.md` (see [`bench_compare`]).
//!
//! - `export`: builds AS-2AND, the input channel or AS-PERM and writes it as a network file
//!   (`superposition-network/1`, docs/network-format.md; see [`export`]).
//! - `codes`: writes only the fixed input and output codes of that format (see [`codes`]).
//! - `train`: trains a tied or free network on a random 2-AND instance with the fixed codes and
//!   writes it as a network file (see [`train`]; the loop is `superposition_core::train`).
//!
//! No mathematics or measurement lives here: this is glue between superposition-core (the
//! checks), superposition-benches (the measurements) and superposition-report (the rendering).
//! [`flags`] declares the commands; each command is one `run` in the file of its name;
//! `main` parses, sets the threads and dispatches. Exit codes: 0 when everything passed,
//! 1 when a check failed, 2 on an error (printed as `error: …`).
//!
//! Threads: one policy for every command. The global rayon pool is sized once, before the
//! command runs, from `--threads` (all logical CPUs when it is absent; [`set_threads`]), and
//! every parallel path runs on it: rayon iterators directly, and faer through
//! `superposition_core::base::par`, which hands faer the global pool's thread count at the
//! call (sequential at one thread). No command builds a pool of its own or passes faer a
//! thread count of its own, so `--threads` is the only knob; verdicts, failure counts and
//! every other figure except timings do not depend on it (parallel work draws per-task
//! seeded streams).

mod bench_compare;
mod certify;
mod check;
mod codes;
mod export;
mod flags;
mod report;
mod train;
mod verify_bounds;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let outcome = match flags::Xtask::parse().command {
        flags::Command::VerifyBounds(cmd) => set_threads(cmd.threads).and_then(|()| verify_bounds::run(cmd)),
        flags::Command::Report(cmd) => report::run(cmd).map(|()| true),
        flags::Command::BenchCompare(cmd) => {
            set_threads(cmd.threads).and_then(|()| bench_compare::run(cmd).map(|()| true))
        }
        flags::Command::Check(cmd) => set_threads(cmd.threads).and_then(|()| check::run(cmd)),
        flags::Command::Certify(cmd) => set_threads(cmd.threads).and_then(|()| certify::run(cmd)),
        flags::Command::Export(cmd) => export::run(cmd).map(|()| true),
        flags::Command::Codes(cmd) => codes::run(cmd).map(|()| true),
        flags::Command::Merge(cmd) => set_threads(cmd.threads).and_then(|()| verify_bounds::merge(cmd)),
        flags::Command::Train(cmd) => set_threads(cmd.threads).and_then(|()| train::run(cmd).map(|()| true)),
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

/// Sizes the global rayon pool, once, for the whole command: every parallel path, faer's
/// included, runs on it. `None` keeps rayon's default (all logical CPUs).
fn set_threads(threads: Option<usize>) -> Result<(), String> {
    if threads == Some(0) {
        return Err("--threads 0: give at least 1 worker thread (omit --threads to use every core)".into());
    }
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| format!("cannot start {n} worker threads: {e}"))?;
    }
    Ok(())
}

/// Creates the output directory `dir` (of `what`: "output", "results"), or says which one could
/// not be made and to pass a writable `--out`.
fn create_out_dir(dir: &std::path::Path, what: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the {what} directory {}: {e} (pass a writable --out)",
            dir.display()
        )
    })
}

/// Writes `value` as pretty JSON to `dir/name` (the directory made first); returns the path.
fn write_json(dir: &std::path::Path, name: &str, value: &impl serde::Serialize) -> Result<std::path::PathBuf, String> {
    create_out_dir(dir, "output")?;
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).expect("results serialize");
    std::fs::write(&path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// `git describe --always --dirty` of the working tree, or `unknown`.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threads_is_refused_with_what_to_do() {
        let err = set_threads(Some(0)).unwrap_err();
        assert!(err.contains("--threads 0") && err.contains("omit --threads"), "{err}");
    }
}
