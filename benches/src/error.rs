//! The one error of this crate: what stopped a comparison, in words a user can act on.

use std::path::PathBuf;
use std::process::ExitStatus;

/// Why `bench-compare` could not finish. A disagreement between paths is an error, not a
/// figure: the paths must compute the same network for their timings to be comparable.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Building the instance, the network or the dense matrix failed.
    #[error(transparent)]
    Core(#[from] superposition_core::Error),
    /// A bundle file or directory could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// `eval::and2_failure` and the sample set drawn for the comparison count different
    /// failures, so the paths would not be timed on what `eval` evaluates.
    #[error(
        "m′ = 2^{log_m}: eval::and2_failure counts {eval} failures but the drawn sample set {drawn}: \
         SampleSet::draw no longer draws what eval draws"
    )]
    SampleDrift {
        /// log₂ m′.
        log_m: u32,
        /// Failures counted by `eval::and2_failure`.
        eval: u64,
        /// Failures among the drawn samples.
        drawn: u64,
    },
    /// The dense f32 path's verdict differs from the exact path's on a sample.
    #[error(
        "m′ = {m_prime}: the dense path and the exact path disagree on sample {sample} (dense fails: {dense_fails}); \
         the dense f32 path is no longer exact"
    )]
    DenseDisagrees {
        /// m′.
        m_prime: u64,
        /// Index of the first sample whose verdicts differ.
        sample: usize,
        /// The dense path's verdict on it.
        dense_fails: bool,
    },
    /// The Python interpreter could not be started.
    #[error("cannot run {python}: {source}")]
    Python {
        /// The interpreter as given (`--python`).
        python: String,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The NumPy script exited with an error.
    #[error("the NumPy baseline failed ({status}):\n{stderr}")]
    NumpyFailed {
        /// Its exit status.
        status: ExitStatus,
        /// What it printed to stderr.
        stderr: String,
    },
    /// The NumPy script's last line is not the JSON outcome it should print.
    #[error("the NumPy baseline printed {line:?}, not its JSON line: {source}")]
    NumpyOutput {
        /// The line it printed.
        line: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// NumPy and Rust count different failures on the same samples.
    #[error(
        "FAILURE COUNTS DIFFER at m′ = {m_prime}: NumPy counts {numpy_failures} failures in {numpy_samples} \
         samples, Rust {rust_failures} in {rust_samples}. The two implementations do not compute the same \
         network; rerun with --keep-bundles to inspect {}",
        bundle.display()
    )]
    FailureCountsDiffer {
        /// m′.
        m_prime: u64,
        /// Failures NumPy counted.
        numpy_failures: u64,
        /// Samples NumPy evaluated.
        numpy_samples: u64,
        /// Failures Rust counted.
        rust_failures: u64,
        /// Samples Rust evaluated.
        rust_samples: u64,
        /// The bundle directory (kept with `--keep-bundles`).
        bundle: PathBuf,
    },
}

/// An [`Error::Io`] for `path`, for `map_err`.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
