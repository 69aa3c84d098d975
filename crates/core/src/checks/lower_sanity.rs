//! Check `lower-sanity` (T1/T2): every network built carries at least log₂(#instances) bits
//! and has at least the neurons that bound implies.

use super::{Runner, status};
use crate::results::CheckResult;
use superposition_schema::checks::{CheckDetail, lower_sanity};

impl Runner<'_> {
    /// T1/T2 sanity on every network built.
    pub(super) fn lower_sanity(&mut self) -> CheckResult {
        let t = self.tally;
        let pass = t.violations == 0 && t.networks > 0;
        CheckResult {
            status: status(pass),
            measured: format!(
                "{} of {} networks below the bound; min margin {:.0} bits; min neurons/bound {:.2}",
                t.violations, t.networks, t.min_margin_bits, t.min_neuron_ratio
            ),
            theory: "T1/T2: parameter bits ≥ log₂ C(C(m,2), m′) and neurons ≥ 2(√(1 + bits/b) − 1) for every network"
                .into(),
            detail: CheckDetail::LowerSanity(lower_sanity::Detail {
                networks: t.networks,
                violations: t.violations,
                min_margin_bits: Some(t.min_margin_bits).filter(|x| x.is_finite()),
                min_neuron_ratio: Some(t.min_neuron_ratio).filter(|x| x.is_finite()),
            }),
            seconds: 0.0,
        }
    }
}
