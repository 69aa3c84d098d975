//! Building blocks of a report page shared by every section: figure embeds, the section
//! heading with its verdict, and the fallback rendering of a detail.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use superposition_schema::results::{CheckResult, Status};

use crate::format::seconds;

/// Outcome of each figure by stem: drawn, or the reason it was not.
pub(crate) type FigureOutcomes = BTreeMap<&'static str, Result<(), String>>;

/// Longest detail JSON printed for a check without a dedicated section.
const MAX_DETAIL_CHARS: usize = 4000;

/// A JSON value on one line, cut at `max` characters.
pub(crate) fn compact(v: &serde_json::Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut} … (truncated)")
    }
}

/// Heading (with an anchor equal to the id) and the check's one-line verdict.
pub(crate) fn section_head(c: &CheckResult, title: &str) -> String {
    let id = c.id();
    format!(
        "\n<a id=\"{id}\"></a>\n\n## `{id}` {title}\n\n**{}** ({}) in {}. Measured: {}. Criterion: {}. \
         Negative control (on which this check must FAIL): {}.\n",
        status(c.status),
        id.kind().as_str(),
        seconds(c.seconds),
        c.measured.trim_end_matches('.'),
        c.theory.trim_end_matches('.'),
        id.control(),
    )
}

/// The embedded figure, or why it is missing.
pub(crate) fn figure(s: &mut String, figs: &FigureOutcomes, stem: &str, alt: &str) {
    match figs.get(stem) {
        Some(Ok(())) => {
            let _ = writeln!(s, "\n![{alt}]({stem}.png)\n\n([SVG]({stem}.svg))");
        }
        Some(Err(reason)) => {
            let _ = writeln!(s, "\n*Plot `{stem}` not drawn: {reason}.*");
        }
        None => {
            let _ = writeln!(s, "\n*Plot `{stem}` not drawn.*");
        }
    }
}

/// Whether the figure `stem` was drawn (its "how to read" text only makes sense then).
pub(crate) fn drawn(figs: &FigureOutcomes, stem: &str) -> bool {
    figs.get(stem).is_some_and(Result::is_ok)
}

/// Section of a check without a dedicated rendering: its detail as compact JSON.
pub(crate) fn generic(s: &mut String, c: &CheckResult) {
    let detail = serde_json::to_value(&c.detail).expect("details serialize");
    let detail = detail.get("detail").cloned().unwrap_or_default();
    if detail.is_null() {
        s.push_str("\nNo detail recorded.\n");
    } else {
        let _ = writeln!(
            s,
            "\nDetail as recorded:\n\n```json\n{}\n```",
            compact(&detail, MAX_DETAIL_CHARS)
        );
    }
}

/// `PASS` or `FAIL`.
pub(crate) fn status(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
    }
}
