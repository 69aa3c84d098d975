//! `cargo xtask verify-bounds`: run every check at a scale, print one PASS/FAIL line per
//! claim, write `results/verify-bounds-<scale>.json` (records stream to a `.records.jsonl`
//! beside it as they are made) and regenerate `reports/`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use superposition_core::checks::cells::{self, CellMarker, CellMode, CellStore, RunHeader};
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
        resume,
        shard,
    } = flags;
    let expected = expect.as_deref().map(read_expected).transpose()?;
    let run = Run {
        scale: scale.into(),
        seed,
        k,
        checks,
        negative_controls,
        resume,
        shard,
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
    /// Continue from the records file in `--out`.
    resume: bool,
    /// (i, N): compute only shard i's cells.
    shard: Option<(u64, u64)>,
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

    /// The records file's first line: what was run ([`RunHeader`]).
    fn header(&self) -> RunHeader {
        RunHeader {
            format: cells::FORMAT.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scale: self.scale.name().into(),
            seed: self.seed,
            k: self.k,
            checks: self.checks.clone(),
            negative_controls: self.negative_controls,
            config: serde_json::to_value(ScaleConfig::new(self.scale, self.k)).expect("configs serialize"),
        }
    }

    /// The run a header describes (`merge` takes its configuration from the shards' files).
    fn from_header(header: &RunHeader) -> Result<Run, String> {
        let scale = match header.scale.as_str() {
            "quick" => Scale::Quick,
            "standard" => Scale::Standard,
            "full" => Scale::Full,
            other => return Err(format!("unknown scale {other} in the records' header")),
        };
        let run = Run {
            scale,
            seed: header.seed,
            k: header.k,
            checks: header.checks.clone(),
            negative_controls: header.negative_controls,
            resume: false,
            shard: None,
        };
        let differences = header.differences(&run.header());
        if !differences.is_empty() {
            return Err(format!(
                "the shards' records were written by another configuration or version than this xtask's: {}",
                differences.join("; ")
            ));
        }
        Ok(run)
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

/// Streams records and cell markers to a JSON-lines file (or nowhere) and drives a progress bar.
struct Stream {
    writer: Option<BufWriter<File>>,
    bar: ProgressBar,
    check: String,
    error: Option<String>,
    /// Cells computed (not replayed) by this run.
    computed: u64,
}

impl Stream {
    fn new(writer: Option<BufWriter<File>>) -> Self {
        let bar = ProgressBar::new(1).with_style(
            ProgressStyle::with_template("{prefix:>15} [{bar:30}] {pos}/{len} {elapsed} {msg}")
                .expect("template is valid")
                .progress_chars("=> "),
        );
        Stream {
            writer,
            bar,
            check: String::new(),
            error: None,
            computed: 0,
        }
    }

    /// Writes `text` (whole lines) at once and flushes, so a kill cuts at most the last line.
    fn write(&mut self, text: &str) {
        if let Some(writer) = &mut self.writer
            && let Err(e) = writer.write_all(text.as_bytes()).and_then(|_| writer.flush())
        {
            self.error.get_or_insert(e.to_string());
        }
    }
}

impl Observer for Stream {
    fn record(&mut self, record: &Record) {
        let line = serde_json::to_string(record).expect("records serialize");
        self.write(&(line + "\n"));
    }

    fn cell(&mut self, records: &[Record], marker: &CellMarker) {
        let mut text = String::new();
        for record in records {
            text += &serde_json::to_string(record).expect("records serialize");
            text.push('\n');
        }
        text += &cells::marker_line(marker);
        text.push('\n');
        self.write(&text);
        self.computed += 1;
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
        resume,
        shard,
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
    crate::create_out_dir(out, "results")?;
    let name = run.name();
    let stream_path = out.join(format!("verify-bounds-{name}.records.jsonl"));
    let header = run.header();
    let (file, store) = if resume && stream_path.exists() {
        open_to_resume(&stream_path, &header)?
    } else {
        if resume {
            eprintln!(
                "verify-bounds: --resume: no records file at {} yet, starting afresh",
                stream_path.display()
            );
        }
        (create_records(&stream_path, &header)?, CellStore::default())
    };
    let held = store.len();
    let mut stream = Stream::new(Some(BufWriter::new(file)));
    eprintln!(
        "verify-bounds: scale {name}, seed {seed}, k {k}; records stream to {}",
        stream_path.display()
    );
    if negative_controls {
        eprintln!("verify-bounds: negative controls: every check runs on a wrong input and must FAIL");
    }
    let mode = match shard {
        Some((i, n)) => CellMode::Shard { i, n },
        None => CellMode::All,
    };
    let outcome = Runner::new(config, seed, &mut stream)
        .and_then(|runner| match checks {
            Some(ids) => runner.only(ids),
            None => Ok(runner),
        })
        .map(|runner| {
            let runner = runner.with_cells(store, mode);
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
        });
    stream.bar.finish_and_clear();
    if let Some(e) = &stream.error {
        eprintln!("warning: streaming records to {} failed: {e}", stream_path.display());
    }
    let results = match (outcome, shard) {
        (Ok(results), _) => results,
        (Err(superposition_core::Error::Incomplete { checks, cells }), Some((i, n))) => {
            println!(
                "shard {i}/{n}: {} cells computed, {held} held; {} cells belong to other shards, so {} checks \
                 have no verdict here ({}). Records: {}. Next: `cargo xtask merge` the shards' directories; \
                 if merge lists missing cells, run the next stage (README, \"Long runs\").",
                stream.computed,
                cells.len(),
                checks.len(),
                checks.join(", "),
                stream_path.display()
            );
            return Ok(true);
        }
        (Err(e), _) => return Err(format!("{e} (records so far are in {})", stream_path.display())),
    };
    if resume {
        eprintln!(
            "verify-bounds: resumed: {held} cells replayed from {}, {} computed",
            stream_path.display(),
            stream.computed
        );
    }
    finish(&results, run, out, reports, expected)
}

/// Creates (replacing) a records file and writes its header line.
fn create_records(path: &Path, header: &RunHeader) -> Result<File, String> {
    let mut file = File::create(path).map_err(|e| {
        format!(
            "cannot create the records file {}: {e} (pass a writable --out)",
            path.display()
        )
    })?;
    writeln!(file, "{}", cells::header_line(header))
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(file)
}

/// Reads a records file to continue it: refuses another configuration's file (naming what
/// differs), drops a half-written last line, and returns the file opened for appending after
/// its last complete line, with its finished cells.
fn open_to_resume(path: &Path, header: &RunHeader) -> Result<(File, CellStore), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let log = cells::parse_log(&text).map_err(|e| format!("cannot resume from {}: {e}", path.display()))?;
    let differences = log.header.differences(header);
    if !differences.is_empty() {
        return Err(format!(
            "cannot resume from {}: it was written by another configuration ({}); run without --resume to \
             start afresh, or pass another --out",
            path.display(),
            differences.join("; ")
        ));
    }
    if log.dropped_partial {
        eprintln!(
            "verify-bounds: dropped a half-written last line of {} (the run was killed while writing it)",
            path.display()
        );
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(log.complete_len as u64).map(|()| f))
        .map_err(|e| format!("cannot append to {}: {e}", path.display()))?;
    let mut file = file;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut store = CellStore::default();
    store.extend(log.cells)?;
    eprintln!(
        "verify-bounds: resuming from {}: {} cells finished",
        path.display(),
        store.len()
    );
    Ok((file, store))
}

/// Prints the verdicts, writes the results JSON and the report, and compares with `expected`.
fn finish(
    results: &RunResults,
    run: &Run,
    out: &Path,
    reports: &Path,
    expected: Option<&Expected>,
) -> Result<bool, String> {
    let (negative_controls, checks, name) = (run.negative_controls, &run.checks, run.name());
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
    write_json(&path, results)?;
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
    println!("{}", summary(results));
    if checks.is_some() {
        let dir = reports.join(&name);
        superposition_report::render_report(results, &dir).map_err(|e| e.to_string())?;
        println!("report: {}", dir.join("README.md").display());
    } else {
        report(out, reports)?;
    }
    match expected {
        None => Ok(results.checks.iter().all(|c| c.status == Status::Pass)),
        Some(expected) => {
            let differences = verdict_differences(results, expected);
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

/// `cargo xtask merge DIR… --out DIR --reports DIR`: reads every `verify-bounds-*.records.jsonl`
/// of the shards' directories (one run's: their headers must agree), keeps each cell once,
/// writes the merged records file to `--out`, then runs the checks replaying only merged
/// cells, so verdicts and fits come from the same code as an unsharded run. Cells missing
/// (another stage is needed, or a shard did not finish) are listed, and nothing else written.
pub fn merge(flags: flags::Merge) -> Result<bool, String> {
    let flags::Merge {
        dirs,
        out,
        reports,
        threads: _,
    } = flags;
    let mut header: Option<(RunHeader, std::path::PathBuf)> = None;
    let mut store = CellStore::default();
    let mut order: Vec<String> = Vec::new();
    for dir in &dirs {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read the shard directory {}: {e}", dir.display()))?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("verify-bounds-") && n.ends_with(".records.jsonl"))
            })
            .collect();
        files.sort();
        if files.len() != 1 {
            return Err(format!(
                "{}: expected one verify-bounds-<name>.records.jsonl, found {} (merge one run's shards at a time)",
                dir.display(),
                files.len()
            ));
        }
        let path = &files[0];
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let log = cells::parse_log(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        match &header {
            None => header = Some((log.header.clone(), path.clone())),
            Some((first, first_path)) => {
                let differences = first.differences(&log.header);
                if !differences.is_empty() {
                    return Err(format!(
                        "{} and {} are records of different runs (\"the file\" is the first, \"this run\" the second): {}",
                        first_path.display(),
                        path.display(),
                        differences.join("; ")
                    ));
                }
            }
        }
        for cell in &log.cells {
            if store.get(&cell.marker.id).is_none() {
                order.push(cell.marker.id.clone());
            }
        }
        store
            .extend(log.cells)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let (header, _) = header.expect("clap requires at least one directory");
    let run = Run::from_header(&header)?;
    crate::create_out_dir(&out, "results")?;
    let name = run.name();
    let merged_path = out.join(format!("verify-bounds-{name}.records.jsonl"));
    let mut text = cells::header_line(&header) + "\n";
    for id in &order {
        let cell = store.get(id).expect("listed when added");
        for record in &cell.records {
            text += &serde_json::to_string(record).expect("records serialize");
            text.push('\n');
        }
        text += &cells::marker_line(&cell.marker);
        text.push('\n');
    }
    std::fs::write(&merged_path, text).map_err(|e| format!("cannot write {}: {e}", merged_path.display()))?;
    println!(
        "merge: {} cells from {} directories into {}",
        store.len(),
        dirs.len(),
        merged_path.display()
    );
    let mut stream = Stream::new(None);
    let outcome = Runner::new(ScaleConfig::new(run.scale, run.k), run.seed, &mut stream)
        .and_then(|runner| match &run.checks {
            Some(ids) => runner.only(ids),
            None => Ok(runner),
        })
        .map(|runner| {
            let runner = runner.with_cells(store, CellMode::ReplayOnly);
            if run.negative_controls {
                runner.negative_controls()
            } else {
                runner
            }
        })
        .and_then(|runner| runner.run(run.scale, git_describe()));
    stream.bar.finish_and_clear();
    let results = match outcome {
        Ok(results) => results,
        Err(superposition_core::Error::Incomplete { checks, cells }) => {
            println!("merge: {} cells missing:", cells.len());
            for cell in &cells {
                println!("  {cell}");
            }
            return Err(format!(
                "{} cells are missing, so {} checks have no verdict ({}). If every shard finished, the \
                 missing cells need cells that only now exist (a later stage): copy {} into each shard's \
                 --out, run each shard again with --resume, and merge again (README, \"Long runs\")",
                cells.len(),
                checks.len(),
                checks.join(", "),
                merged_path.display()
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    finish(&results, &run, &out, &reports, None)
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
            resume: false,
            shard: None,
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
        // Counted over the checks the results hold (a check added since they were made is absent).
        let claims = results.checks.iter().filter(|c| c.id().kind() == Kind::Claim).count();
        let invariants = results.checks.len() - claims;
        assert!(line.contains(&format!(" of {claims} passed")), "{line}");
        assert!(line.ends_with(&format!(" of {invariants} held")), "{line}");
    }
}
