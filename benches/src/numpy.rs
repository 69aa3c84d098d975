//! The NumPy/SciPy baseline: making sure the interpreter can import numpy and scipy, and
//! timing `benches/baselines/and2_numpy.py` on a bundle of the network and samples Rust used.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use superposition_core::and2::And2Network;
use superposition_core::dense::SampleSet;
use superposition_core::instance::And2Instance;
use superposition_schema::bench::Measurement;

use crate::bundle;
use crate::error::Error;

/// The NumPy script's JSON line.
#[derive(Deserialize)]
struct NumpyOutcome {
    failures: u64,
    samples: u64,
    seconds: f64,
    setup_seconds: f64,
}

/// How to run the baseline.
pub struct Baseline<'a> {
    /// The Python interpreter.
    pub python: &'a str,
    /// Keep the bundle directory instead of deleting it.
    pub keep_bundles: bool,
    /// k the samples were drawn with (recorded in the bundle).
    pub k: usize,
}

/// Writes the bundle, runs the NumPy script on it with `baseline.python` and checks its
/// failure count against `record`'s, then fills in NumPy's rates. The bundle goes to the
/// system temp directory and is deleted afterwards unless `baseline.keep_bundles`.
pub fn time_numpy(
    baseline: &Baseline,
    network: &And2Network,
    instance: &And2Instance,
    samples: &SampleSet,
    record: &mut Measurement,
) -> Result<(), Error> {
    let dir = std::env::temp_dir().join(format!("superposition-bench-{}-{}", std::process::id(), record.m_prime));
    bundle::write_bundle(&dir, network, instance, samples, baseline.k)?;
    let script = script_path();
    eprintln!(
        "bench-compare:   numpy: {} {} {}",
        baseline.python,
        script.display(),
        dir.display()
    );
    let output = Command::new(baseline.python)
        .arg(&script)
        .arg(&dir)
        .output()
        .map_err(|source| Error::Python {
            python: baseline.python.to_string(),
            source,
        });
    if !baseline.keep_bundles {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let output = output?;
    if !output.status.success() {
        return Err(Error::NumpyFailed {
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let outcome: NumpyOutcome = serde_json::from_str(line).map_err(|source| Error::NumpyOutput {
        line: line.to_string(),
        source,
    })?;
    if outcome.samples != record.samples || outcome.failures != record.failures {
        return Err(Error::FailureCountsDiffer {
            m_prime: record.m_prime,
            numpy_failures: outcome.failures,
            numpy_samples: outcome.samples,
            rust_failures: record.failures,
            rust_samples: record.samples,
            bundle: dir,
        });
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

/// `benches/baselines/and2_numpy.py`, the NumPy/SciPy baseline (its docstring specifies the
/// bundle format).
pub fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/and2_numpy.py")
}

/// Checks that `python` imports numpy and scipy, installing them with pip if not (and saying
/// so). Returns their versions and whether this call installed them, or why the baseline
/// cannot run.
///
/// The reason is not an [`Error`]: without NumPy the comparison still runs, and the reason is
/// recorded in the results (`numpy_unavailable`).
pub fn ensure_numpy(python: &str) -> Result<(String, bool), String> {
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
