//! Report sections of the issue-5 checks, one module per check: each gives its figures
//! (built from records, as in [`crate::figures`]) and writes its Markdown section.

pub(crate) mod depth2;
pub(crate) mod influence;
pub(crate) mod permutation;
pub(crate) mod u_and;
pub(crate) mod worst_case;

use superposition_schema::results::{CheckResult, RunResults};

use crate::figures::Built;
use crate::markdown::FigureOutcomes;

/// A check with its own section module.
pub(crate) struct Section {
    /// The check id.
    pub id: &'static str,
    /// The section title after the id.
    pub title: &'static str,
    /// Builds the section's figures.
    pub figures: fn(&RunResults) -> Vec<(&'static str, Built)>,
    /// Writes the section's Markdown after its heading.
    pub write: fn(&mut String, &RunResults, &CheckResult, &FigureOutcomes),
}

/// Every section module, in report order.
pub(crate) const SECTIONS: [Section; 5] = [
    Section {
        id: influence::ID,
        title: influence::TITLE,
        figures: influence::figures,
        write: influence::section,
    },
    Section {
        id: worst_case::ID,
        title: worst_case::TITLE,
        figures: worst_case::figures,
        write: worst_case::section,
    },
    Section {
        id: permutation::ID,
        title: permutation::TITLE,
        figures: permutation::figures,
        write: permutation::section,
    },
    Section {
        id: u_and::ID,
        title: u_and::TITLE,
        figures: u_and::figures,
        write: u_and::section,
    },
    Section {
        id: depth2::ID,
        title: depth2::TITLE,
        figures: depth2::figures,
        write: depth2::section,
    },
];
