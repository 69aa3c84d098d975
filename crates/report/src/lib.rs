//! Markdown reports and plots rendered from `verify-bounds` result files.
//!
//! This crate is the last step of the pipeline (instance + code → construction → network →
//! evaluation → results → **report**). It reads a results file written by
//! `cargo xtask verify-bounds` (the serde types of [`superposition_schema::results`]) and
//! nothing else, so a committed report can always be regenerated from its results.
//!
//! - [`load_results`] parses a results file, with errors that name the file and position.
//! - [`render_report`] writes one run's `README.md` and its figures (PNG and SVG): the
//!   minimal 2-AND hidden width n* against m′ with the T2/T3 shapes, the failure-vs-width
//!   phase transition, the parameter count, the representation width d*, and the
//!   representing-vs-computing gap, the capacity m′_max(n), measured failure against the
//!   analytic bound, and the description length over log₂ #instances; the probe decoder and
//!   the exhaustive enumeration get tables. Checks without a dedicated section are still
//!   listed and their detail printed, so new checks show up without changes here.
//! - [`render_index`] writes the index over scales (`quick`, `standard`, `full`).
//! - For `cargo xtask bench-compare` (a results file of its own,
//!   [`superposition_schema::bench::Comparison`]): [`render_performance`] draws the plot,
//!   [`performance_markdown`] writes `performance.md` and [`performance_table`] the table
//!   printed to the terminal.
//!
//! It depends on superposition-schema (the result types, theory shapes and statistics) and
//! plotters only — never on the library that computes (no faer, rayon or kernels).
//!
//! Inside, from the bottom up: `format` and `stats` (numbers in text, constants of theory
//! shapes), `spec` (declarative figure descriptions), `legend` and `plot` (placing legends,
//! drawing a description with plotters on both backends, text in the bundled DejaVu Sans
//! since CI has no system fonts), `data` (figures extracted from records and typed details),
//! `page` (figure embeds and section headings), `figures`, `markdown` and `sections/` (each
//! check's plots and text), and on top `registry`, the report's side of the check registry:
//! per check id, its figures and its section, matched exhaustively. Beside them, `performance`
//! writes bench-compare's table and Markdown.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use superposition_schema::bench::Comparison;
use superposition_schema::results::RunResults;

mod data;
mod figures;
mod format;
mod legend;
mod markdown;
mod network_check;
mod page;
mod performance;
mod plot;
mod registry;
mod sections;
mod spec;
mod stats;

/// Everything that can go wrong while reading results or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was attempted (`read`, `write`, `create directory`).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A results file is not valid JSON or does not match the results schema.
    #[error(
        "results file {} is malformed at line {line}, column {column}: {message} \
         (regenerate it with `cargo xtask verify-bounds`, or fix the JSON at that position)",
        path.display()
    )]
    Results {
        /// The results file.
        path: PathBuf,
        /// 1-based line of the error, as reported by serde_json.
        line: usize,
        /// 1-based column of the error, as reported by serde_json.
        column: usize,
        /// serde_json's message without its position suffix.
        message: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// Drawing a figure failed.
    #[error("cannot draw figure {}: {message}", path.display())]
    Plot {
        /// The PNG or SVG file being written.
        path: PathBuf,
        /// The plotting backend's message.
        message: String,
    },
    /// The bundled font could not be registered with plotters.
    #[error(
        "the bundled font crates/report/assets/DejaVuSans.ttf is not a valid TrueType font; \
         restore it from version control"
    )]
    Font,
}

/// Read and parse a results file written by `verify-bounds`.
///
/// Errors name the file and, for malformed content, serde's line and column.
pub fn load_results(path: &Path) -> Result<RunResults, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read results file",
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| {
        let (line, column) = (source.line(), source.column());
        let full = source.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        Error::Results {
            path: path.to_path_buf(),
            line,
            column,
            message,
            source,
        }
    })
}

/// Write `dir/README.md` and the chart (PNG and SVG) of one `cargo xtask check` result (a
/// [`superposition_schema::network_check::NetworkCheck`]), from it alone; returns the paths
/// written, README first.
pub fn render_network_check(
    check: &superposition_schema::network_check::NetworkCheck,
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    network_check::render(check, dir)
}

/// Write `dir/README.md` and every figure that the results support, as PNG and SVG.
///
/// `dir` is created if missing. A figure whose data are absent or degenerate (check not
/// run, no records, a single size) is skipped, the README says why, and any file of it
/// left in `dir` by an earlier render is deleted. Returns the paths written, README first.
pub fn render_report(results: &RunResults, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let mut written = Vec::new();
    let mut outcomes = page::FigureOutcomes::new();
    for (stem, built) in registry::all_figures(results) {
        match built {
            Ok(fig) => {
                written.extend(plot::save(&fig, dir)?);
                outcomes.insert(stem, Ok(()));
            }
            Err(reason) => {
                remove_stale(dir, stem)?;
                outcomes.insert(stem, Err(reason));
            }
        }
    }
    let readme = dir.join("README.md");
    write(&readme, &registry::report(results, &outcomes))?;
    written.insert(0, readme);
    Ok(written)
}

/// One size of `cargo xtask bench-compare`: verified outputs per second of each path
/// (`From<&Measurement>` takes them from a results record).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerformancePoint {
    /// m′.
    pub m_prime: u64,
    /// The exact sublinear Rust verification.
    pub rust_outputs_per_s: f64,
    /// The NumPy/SciPy baseline, when it ran.
    pub numpy_outputs_per_s: Option<f64>,
    /// The dense faer GEMM path, when it ran.
    pub dense_outputs_per_s: Option<f64>,
}

/// Write `dir/performance.png` and `.svg`: verified outputs per second against m′ for each
/// path, log-log. Returns the paths written, or the reason nothing was drawn (no points).
pub fn render_performance(points: &[PerformancePoint], dir: &Path) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    match figures::performance(points) {
        Ok(fig) => plot::save(&fig, dir),
        Err(_) => {
            remove_stale(dir, figures::PERFORMANCE_STEM)?;
            Ok(Vec::new())
        }
    }
}

/// The Markdown of `reports/performance.md`: the table of every size, the machine, the peaks,
/// a reading generated from the figures and the targets checked against them.
///
/// `plot` says whether `performance.png` was drawn beside it (see [`render_performance`]),
/// so the text links the figure only when it exists.
pub fn performance_markdown(comparison: &Comparison, plot: bool) -> String {
    performance::markdown(comparison, plot)
}

/// The table `bench-compare` prints to the terminal: the same rows as the Markdown, aligned
/// in columns, then the GEMM peak and every note, one line each (newline-terminated).
pub fn performance_table(comparison: &Comparison) -> String {
    performance::table(comparison)
}

/// Write `reports_root/README.md`: one line per scale linking to `<scale>/README.md` with
/// its pass/fail counts and time, then the check table of the most complete scale
/// (full > standard > quick). Returns the path written.
pub fn render_index(reports_root: &Path, runs: &[(String, RunResults)]) -> Result<PathBuf, Error> {
    create_dir(reports_root)?;
    let path = reports_root.join("README.md");
    write(&path, &markdown::index(runs))?;
    Ok(path)
}

/// Delete a skipped figure's files left by an earlier render, so the directory never shows
/// a plot the README does not describe.
fn remove_stale(dir: &Path, stem: &str) -> Result<(), Error> {
    for ext in ["png", "svg"] {
        let path = dir.join(format!("{stem}.{ext}"));
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::Io {
                    action: "remove stale figure",
                    path,
                    source: e,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// `create_dir_all` with an actionable error.
fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create report directory",
        path: dir.to_path_buf(),
        source,
    })
}

/// `fs::write` with an actionable error.
fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests;
