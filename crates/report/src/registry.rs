//! The report's side of the check registry: for every [`CheckId`], its figures and its
//! section, matched exhaustively — a check registered in the schema but not rendered here is
//! a compile error. The README of a run is assembled here, in [`CheckId::ALL`] order.

use std::fmt::Write as _;

use superposition_schema::checks::CheckId;
use superposition_schema::results::{CheckResult, RunResults};

use crate::figures::{self, STEMS};
use crate::markdown;
use crate::page::{FigureOutcomes, section_head};
use crate::plot::Built;
use crate::sections::{depth2, influence, permutation, trained, u_and, worst_case};

/// The figures of check `id`, paired with their stems (built whether or not it ran: a
/// builder says why it drew nothing).
fn figures_of(id: CheckId, results: &RunResults) -> Vec<(&'static str, Built)> {
    match id {
        CheckId::Representation => vec![(STEMS[3], figures::representation_width(results))],
        CheckId::And2Upper => vec![
            (STEMS[0], figures::and2_width(results)),
            (STEMS[1], figures::and2_transition(results)),
            (STEMS[2], figures::and2_params(results)),
        ],
        CheckId::Gap => vec![(STEMS[4], figures::gap(results))],
        CheckId::Capacity => vec![(STEMS[5], figures::capacity(results))],
        CheckId::Chernoff => vec![(STEMS[6], figures::chernoff(results))],
        CheckId::DescriptionLength => vec![(STEMS[7], figures::description_length(results))],
        CheckId::LowerSanity | CheckId::ProbeDecoder | CheckId::Exhaustive => Vec::new(),
        CheckId::Influence => influence::figures(results),
        CheckId::WorstCase => worst_case::figures(results),
        CheckId::Permutation => permutation::figures(results),
        CheckId::UAnd => u_and::figures(results),
        CheckId::Depth2 => depth2::figures(results),
        CheckId::Trained => trained::figures(results),
    }
}

/// Every figure of the report, in report order.
pub(crate) fn all_figures(results: &RunResults) -> Vec<(&'static str, Built)> {
    CheckId::ALL.iter().flat_map(|&id| figures_of(id, results)).collect()
}

/// Writes check `c`'s section after its heading.
fn section(s: &mut String, results: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    match c.id() {
        CheckId::Representation => markdown::representation(s, results, c, figs),
        CheckId::And2Upper => markdown::and2_upper(s, results, c, figs),
        CheckId::LowerSanity => markdown::lower_sanity(s, results, c),
        CheckId::Gap => markdown::gap(s, results, c, figs),
        CheckId::ProbeDecoder => markdown::probe_decoder(s, results, c),
        CheckId::Exhaustive => markdown::exhaustive(s, results, c),
        CheckId::Capacity => markdown::capacity(s, results, c, figs),
        CheckId::Chernoff => markdown::chernoff(s, results, c, figs),
        CheckId::DescriptionLength => markdown::description_length(s, results, c, figs),
        CheckId::Influence => influence::section(s, results, c, figs),
        CheckId::WorstCase => worst_case::section(s, results, c, figs),
        CheckId::Permutation => permutation::section(s, results, c, figs),
        CheckId::UAnd => u_and::section(s, results, c, figs),
        CheckId::Depth2 => depth2::section(s, results, c, figs),
        CheckId::Trained => trained::section(s, results, c, figs),
    }
}

/// The whole README of one run.
pub(crate) fn report(results: &RunResults, figs: &FigureOutcomes) -> String {
    let mut s = markdown::header(results);
    s.push_str("\n## Checks\n\n");
    if results.checks.is_empty() {
        s.push_str("Nothing was run: this results file holds no checks, so there is nothing to report.\n");
        return s;
    }
    let _ = writeln!(s, "{} checks — {}.\n", results.checks.len(), markdown::counts(results));
    s.push_str(&markdown::checks_tables(results, ""));
    let missing: Vec<String> = CheckId::ALL
        .iter()
        .filter(|&&id| results.check(id).is_none())
        .map(|id| format!("`{id}`"))
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(s, "\nNot run in this results file: {}.", missing.join(", "));
    }
    for &id in CheckId::ALL {
        if let Some(c) = results.check(id) {
            s.push_str(&section_head(c, id.title()));
            section(&mut s, results, c, figs);
        }
    }
    s
}
