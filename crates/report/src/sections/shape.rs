//! The shape figures of an n*(m′) series ([`ShapeAnalysis`]): the two-parameter fit, the power
//! law with an interval that includes lack of fit, the exponents by parity of t and per octave.

use std::fmt::Write as _;

use superposition_schema::shape::ShapeAnalysis;

use crate::format::{fixed, pow2};

/// Writes the shape figures of `shape`, whose series is named `what` (e.g. `n*`).
pub(crate) fn section(s: &mut String, shape: &ShapeAnalysis, what: &str) {
    s.push_str("\n**Shape of the series** (bootstrap over sizes and seeds: lack of fit widens the intervals).\n\n");
    if let Some(f) = &shape.sqrt_log {
        let _ = writeln!(
            s,
            "- {what} = c·√m′·(log₂ m′)^a: a = {} [{}, {}], c = {} [{}, {}] (R² {} in the linear coordinates \
             ln(log₂ m′), ln {what} − ½ ln m′). a below 0 means {what}/√m′ still falls with m′: a finite-size \
             regime, in which c means little on its own.",
            fixed(f.a, 2),
            fixed(f.a_lo, 2),
            fixed(f.a_hi, 2),
            fixed(f.c, 3),
            fixed(f.c_lo, 3),
            fixed(f.c_hi, 3),
            fixed(f.r2, 3)
        );
    }
    if let Some(p) = &shape.power {
        let _ = writeln!(
            s,
            "- {what} ∝ m′^b: b = {} [{}, {}].",
            fixed(p.slope, 3),
            fixed(p.slope_lo, 3),
            fixed(p.slope_hi, 3)
        );
    }
    for (label, fit) in [("even", &shape.even_t), ("odd", &shape.odd_t)] {
        if let Some(p) = fit {
            let _ = writeln!(
                s,
                "- sizes with {label} t = ⌈log₂ m′⌉ only: b = {} [{}, {}] (seed bootstrap).",
                fixed(p.slope, 3),
                fixed(p.slope_lo, 3),
                fixed(p.slope_hi, 3)
            );
        }
    }
    if shape.local.is_empty() {
        return;
    }
    s.push_str(
        "\nLocal exponent per octave, Δ ln median / Δ ln m′ between adjacent sizes, with its seed-bootstrap \
         interval; the vote threshold ⌈t/2⌉ is exactly half of t only at even t.\n\n\
         | m′ from | m′ to | t from | parity | local exponent | 95 % interval |\n|---|---|---:|---|---:|---|\n",
    );
    for l in &shape.local {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | [{}, {}] |",
            pow2(l.m_from as f64),
            pow2(l.m_to as f64),
            l.t_from,
            if l.t_from.is_multiple_of(2) { "even" } else { "odd" },
            fixed(l.exponent, 3),
            fixed(l.lo, 3),
            fixed(l.hi, 3)
        );
    }
}
