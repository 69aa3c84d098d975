//! `cargo xtask verify-bounds`: run every check at a scale, print one PASS/FAIL line per
//! claim, write `results/verify-bounds-<scale>.json` (records stream to a `.records.jsonl`
//! beside it as they are made) and regenerate `reports/`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use superposition_core::checks::{Observer, Runner, Scale, ScaleConfig, Silent};
use superposition_core::results::{Record, RunResults, Status};
use superposition_schema::checks::{CheckId, Kind};

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
        negative_controls,
        expect,
    } = flags;
    let expected = expect.as_deref().map(read_expected).transpose()?;
    let run = Run {
        scale: scale.into(),
        seed,
        k,
        checks,
        negative_controls,
    };
    verify_bounds(&run, &out, &reports, expected.as_ref())
}

/// What to run.
struct Run {
    scale: Scale,
    seed: u64,
    k: usize,
    checks: Option<Vec<String>>,
    negative_controls: bool,
}

impl Run {
    /// The stem of the output files: `quick`, `quick-partial`, `quick-controls`, …
    fn name(&self) -> String {
        let mut name = self.scale.name().to_string();
        if self.negative_controls {
            name.push_str("-controls");
        }
        if self.checks.is_some() {
            name.push_str("-partial");
        }
        name
    }
}

/// Expected verdicts: check id → `pass` or `fail`.
type Expected = BTreeMap<CheckId, Status>;

/// Reads an expected-verdicts file, refusing unknown ids and unknown verdicts.
fn read_expected(path: &Path) -> Result<Expected, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: {e} (expected a JSON object {{\"check-id\": \"pass\" | \"fail\", …}})",
            path.display()
        )
    })
}

/// Every difference between the verdicts of a run and the expected ones, one line each.
fn verdict_differences(results: &RunResults, expected: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    for check in &results.checks {
        match expected.get(&check.id()) {
            Some(&want) if want == check.status => {}
            Some(&want) => out.push(format!(
                "{}: expected {}, got {}",
                check.id(),
                verdict(want),
                verdict(check.status)
            )),
            None => out.push(format!("{}: ran but has no expected verdict", check.id())),
        }
    }
    for id in expected.keys() {
        if results.check(*id).is_none() {
            out.push(format!("{id}: expected a verdict, but it did not run"));
        }
    }
    out
}

fn verdict(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
    }
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

fn verify_bounds(run: &Run, out: &Path, reports: &Path, expected: Option<&Expected>) -> Result<bool, String> {
    let Run {
        scale,
        seed,
        k,
        ref checks,
        negative_controls,
    } = *run;
    let config = ScaleConfig::new(scale, k);
    // Everything that can be refused is refused before any file is created.
    {
        let mut silent = Silent;
        let runner = Runner::new(config.clone(), seed, &mut silent).map_err(|e| e.to_string())?;
        let runner = match checks {
            Some(ids) => runner.only(ids).map_err(|e| e.to_string())?,
            None => runner,
        };
        runner.validate_selection().map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(out).map_err(|e| {
        format!(
            "cannot create the results directory {}: {e} (pass a writable --out)",
            out.display()
        )
    })?;
    let name = run.name();
    let stream_path = out.join(format!("verify-bounds-{name}.records.jsonl"));
    let file = File::create(&stream_path).map_err(|e| {
        format!(
            "cannot create the records file {}: {e} (pass a writable --out)",
            stream_path.display()
        )
    })?;
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
    if negative_controls {
        eprintln!("verify-bounds: negative controls: every check runs on a wrong input and must FAIL");
    }
    let results = Runner::new(config, seed, &mut stream)
        .and_then(|runner| match checks {
            Some(ids) => runner.only(ids),
            None => Ok(runner),
        })
        .map(|runner| {
            if negative_controls {
                runner.negative_controls()
            } else {
                runner
            }
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
        let id = check.id();
        if negative_controls {
            println!(
                "check {id}: {} {} (control: {}; criterion: {})",
                verdict(check.status),
                check.measured,
                id.control(),
                check.theory
            );
        } else {
            println!(
                "check {id}: {} {} (theory: {})",
                verdict(check.status),
                check.measured,
                check.theory
            );
        }
    }
    let path = out.join(format!("verify-bounds-{name}.json"));
    write_json(&path, &results)?;
    println!(
        "results: {} ({} records, {:.1} s)",
        path.display(),
        results.records.len(),
        results.seconds
    );
    if negative_controls {
        let failed = results.checks.iter().filter(|c| c.status == Status::Fail).count();
        let passed: Vec<String> = results
            .checks
            .iter()
            .filter(|c| c.status == Status::Pass)
            .map(|c| c.id().to_string())
            .collect();
        println!(
            "negative controls: {failed} of {} checks FAILed on their controls{}",
            results.checks.len(),
            if passed.is_empty() {
                String::new()
            } else {
                format!(
                    "; PASSed on a wrong input (a check that cannot fail): {}",
                    passed.join(", ")
                )
            }
        );
        return Ok(passed.is_empty());
    }
    println!("{}", summary(&results));
    if checks.is_some() {
        let dir = reports.join(&name);
        superposition_report::render_report(&results, &dir).map_err(|e| e.to_string())?;
        println!("report: {}", dir.join("README.md").display());
    } else {
        report(out, reports)?;
    }
    match expected {
        None => Ok(results.checks.iter().all(|c| c.status == Status::Pass)),
        Some(expected) => {
            let differences = verdict_differences(&results, expected);
            if differences.is_empty() {
                println!("verdicts: as expected ({} checks)", results.checks.len());
            } else {
                println!("verdicts: {} differ from the expected ones:", differences.len());
                for line in &differences {
                    println!("  {line}");
                }
            }
            Ok(differences.is_empty())
        }
    }
}

/// `claims: 9 of 10 passed; invariants: 4 of 4 held` — claims and invariants counted apart,
/// since an invariant holding is no evidence for the paper.
fn summary(results: &RunResults) -> String {
    let (claims_passed, claims) = results.tally(Kind::Claim);
    let (held, invariants) = results.tally(Kind::Invariant);
    format!("claims: {claims_passed} of {claims} passed; invariants: {held} of {invariants} held")
}

/// Writes JSON atomically (temporary file, then rename) so a crash never leaves half a file.
fn write_json(path: &Path, results: &RunResults) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(results).expect("results serialize");
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> RunResults {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../results/verify-bounds-standard.json");
        superposition_report::load_results(Path::new(path)).expect("the committed standard results load")
    }

    #[test]
    fn every_changed_missing_or_unexpected_verdict_is_a_difference() {
        let results = committed();
        let mut expected: Expected = results.checks.iter().map(|c| (c.id(), c.status)).collect();
        assert!(verdict_differences(&results, &expected).is_empty());
        let flipped = results.checks[0].id();
        let was = expected[&flipped];
        expected.insert(
            flipped,
            if was == Status::Pass {
                Status::Fail
            } else {
                Status::Pass
            },
        );
        let removed = results.checks[1].id();
        expected.remove(&removed);
        let mut partial = results.clone();
        let dropped = partial.checks.pop().expect("checks").id();
        let differences = verdict_differences(&partial, &expected);
        assert_eq!(differences.len(), 3, "{differences:?}");
        assert!(
            differences[0].starts_with(&format!("{flipped}: expected")),
            "{differences:?}"
        );
        assert!(
            differences
                .iter()
                .any(|d| d == &format!("{removed}: ran but has no expected verdict"))
        );
        assert!(
            differences
                .iter()
                .any(|d| d == &format!("{dropped}: expected a verdict, but it did not run"))
        );
    }

    fn run_of(k: usize, checks: Option<Vec<String>>) -> Run {
        Run {
            scale: Scale::Quick,
            seed: 1,
            k,
            checks,
            negative_controls: false,
        }
    }

    /// `--k 100000 --checks representation` used to hang with no output, after creating the
    /// records file.
    #[test]
    fn parameters_are_refused_before_any_file_is_created() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("results");
        let run = run_of(100_000, Some(vec!["representation".into()]));
        let err = verify_bounds(&run, &out, &dir.path().join("reports"), None).unwrap_err();
        assert!(err.contains("k = 100000") && err.contains("k ≤ 256"), "{err}");
        assert!(!out.exists(), "nothing is written for a refused run");
        let run = run_of(4, Some(vec!["no-such-check".into()]));
        assert!(verify_bounds(&run, &out, &dir.path().join("reports"), None).is_err());
        assert!(!out.exists());
    }

    #[test]
    fn an_unwritable_out_is_named_with_what_to_do() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a-file");
        std::fs::write(&file, "").expect("write");
        let out = file.join("results");
        let err = verify_bounds(&run_of(4, Some(vec!["gap".into()])), &out, dir.path(), None).unwrap_err();
        assert!(
            err.contains(&out.display().to_string()) && err.contains("pass a writable --out"),
            "{err}"
        );
    }

    #[test]
    fn expected_verdict_files_refuse_unknown_checks_and_verdicts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |text: &str| {
            let path = dir.path().join("expected.json");
            std::fs::write(&path, text).expect("write");
            read_expected(&path)
        };
        assert_eq!(
            write(r#"{"gap": "pass", "worst-case": "fail"}"#).expect("valid").len(),
            2
        );
        assert!(write(r#"{"no-such-check": "pass"}"#).is_err());
        assert!(write(r#"{"gap": "maybe"}"#).is_err());
        let missing = read_expected(&dir.path().join("absent.json")).unwrap_err();
        assert!(missing.contains("absent.json"), "{missing}");
    }

    #[test]
    fn the_summary_counts_claims_and_invariants_apart() {
        let results = committed();
        let line = summary(&results);
        let claims = CheckId::ALL.iter().filter(|c| c.kind() == Kind::Claim).count();
        let invariants = CheckId::ALL.len() - claims;
        assert!(line.contains(&format!(" of {claims} passed")), "{line}");
        assert!(line.ends_with(&format!(" of {invariants} held")), "{line}");
    }
}
