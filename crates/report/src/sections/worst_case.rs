//! Report section of check `worst-case` (SKELETON, issue 5: figures and text to be written).

use superposition_core::results::{CheckResult, RunResults};

use crate::figures::Built;
use crate::markdown::FigureOutcomes;

/// The check's id.
pub(crate) const ID: &str = "worst-case";

/// Title of the section (after the id).
pub(crate) const TITLE: &str = "(worst case): adversarial inputs against AS-2AND";

/// The section's figures, each paired with its stem (file name without extension).
pub(crate) fn figures(results: &RunResults) -> Vec<(&'static str, Built)> {
    let _ = results;
    Vec::new()
}

/// The section's Markdown, appended to `s` after the heading.
pub(crate) fn section(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    let _ = (r, figs);
    crate::markdown::generic(s, c);
}
