//! Check `exhaustive`: the counting lemma on every network of tiny width (see
//! [`crate::lower::exhaustive`] for the family, the fixed readouts and the enumeration).

use super::{Runner, deferrable, status};
use crate::error::Result;
use crate::lower::exhaustive::{ExhaustiveRow, Family, Readout, decoder_hiding_rows, enumerate};
use crate::results::{CheckResult, Record};
use superposition_schema::checks::exhaustive::{MinimalWidth, WidthCount};
use superposition_schema::checks::{CheckDetail, exhaustive};

/// Weights and biases of the enumerated family.
const WEIGHTS: [i32; 3] = [-1, 0, 1];
const BIASES: [i32; 4] = [-2, -1, 0, 1];

impl Runner<'_> {
    /// Counts the distinct 2-AND instances computed by every network of width ≤ n_max.
    ///
    /// Criterion (fixed before any run): PASS iff in every (readout, m, n, m′) cell the number
    /// of distinct instances computed is at most 2^(parameter bits) (the counting lemma) and at
    /// most C(C(m,2), m′) (the enumeration is consistent).
    ///
    /// Negative control: the readout chosen per instance ([`decoder_hiding_rows`]): one fixed
    /// identity layer (0 bits: a family of one network) with each instance's pairs in the
    /// decoder computes every instance, more than 2^0 in every cell with two → FAIL.
    pub(super) fn exhaustive(&mut self) -> Result<CheckResult> {
        let c = self.config.lower.clone();
        let (mut rows, mut violations, mut max_ratio_log2) = (Vec::new(), 0u64, f64::NEG_INFINITY);
        let total = (c.exhaustive_inputs.len() * 2) as u64;
        for &inputs in &c.exhaustive_inputs {
            let family = Family {
                inputs,
                k: self.config.k.min(inputs),
                weights: WEIGHTS.to_vec(),
                biases: BIASES.to_vec(),
            };
            let neuron_types = family.neuron_types().len();
            let readouts: &[Readout] = if self.control {
                &[Readout::PerInstance]
            } else {
                &[Readout::Dedicated, Readout::Bloom2]
            };
            for &readout in readouts {
                // One cell per (inputs, readout): the enumeration.
                let key = format!("enumerate/inputs={inputs}/readout={readout:?}");
                let (family, max_width, max_outputs) = (&family, c.exhaustive_max_width, c.exhaustive_max_outputs);
                let outcome = self.cell(key, |_| match readout {
                    Readout::PerInstance => decoder_hiding_rows(family, max_outputs),
                    _ => enumerate(family, readout, max_width, max_outputs),
                });
                let Some(rows_here) = deferrable(outcome)? else {
                    continue;
                };
                for row in rows_here {
                    let computed_log2 = (row.instances_computed as f64).log2();
                    violations +=
                        u64::from(computed_log2 > row.parameter_bits || row.instances_computed > row.instances_total);
                    if row.instances_computed > 0 {
                        max_ratio_log2 = max_ratio_log2.max(computed_log2 - row.parameter_bits);
                    }
                    self.emit(Record::Exhaustive {
                        row: row.clone(),
                        k: family.k,
                        neuron_types,
                    });
                    rows.push(row);
                }
                self.observer.progress(
                    "exhaustive",
                    rows.len() as u64 / (c.exhaustive_max_width * c.exhaustive_max_outputs) as u64,
                    total,
                    &format!("m = {inputs}, {}", readout.name()),
                );
            }
        }
        self.stop_if_deferred()?;
        let table = minimal_width_table(&rows);
        let largest = c.exhaustive_inputs.iter().copied().max().unwrap_or(0);
        // The widest width enumerated: the control's identity layer has n = m.
        let widest = rows.iter().map(|r| r.width).max().unwrap_or(0);
        let summary: Vec<String> = table
            .iter()
            .filter(|t| t.inputs == largest)
            .map(|t| {
                format!(
                    "{} m′={}: {}",
                    t.readout.name(),
                    t.m_prime,
                    match t.min_width {
                        Some(w) => format!(
                            "n≥{w} ({}/{} by n={widest})",
                            t.computed_at_max_width, t.instances_total
                        ),
                        None => format!("none ≤ {widest}"),
                    }
                )
            })
            .collect();
        Ok(CheckResult {
            status: status(violations == 0 && !rows.is_empty()),
            measured: format!(
                "{violations} of {} cells above 2^bits (max computed/2^bits = 2^{max_ratio_log2:.1}); m = {largest}: {}",
                rows.len(),
                summary.join("; ")
            ),
            theory: "counting lemma: distinct instances computed by width-n networks ≤ 2^(parameter bits) = (3^m·4)^n in every cell (weights {−1,0,1}, biases {−2..1}, fixed vote readout, exact on all ≤k-sparse inputs)"
                .into(),
            detail: CheckDetail::Exhaustive(exhaustive::Detail {
                rows,
                minimal_width: table,
                weights: WEIGHTS.to_vec(),
                biases: BIASES.to_vec(),
                k: self.config.k,
                violations,
                // −∞ (no cell computing an instance) was written as null: none.
                max_log2_computed_over_networks: Some(max_ratio_log2).filter(|x| x.is_finite()),
            }),
            seconds: 0.0,
        })
    }
}

/// Per (readout, m, m′): the smallest width computing any instance, the smallest computing
/// all, and how many instances have each minimal width.
fn minimal_width_table(rows: &[ExhaustiveRow]) -> Vec<MinimalWidth> {
    let mut keys: Vec<(Readout, usize, usize)> = rows.iter().map(|r| (r.readout, r.inputs, r.m_prime)).collect();
    keys.dedup();
    keys.into_iter()
        .map(|(readout, inputs, m_prime)| {
            let cells: Vec<&ExhaustiveRow> = rows
                .iter()
                .filter(|r| r.readout == readout && r.inputs == inputs && r.m_prime == m_prime)
                .collect();
            let total = cells.first().map_or(0, |r| r.instances_total);
            let min_width = cells.iter().find(|r| r.instances_computed > 0).map(|r| r.width);
            let all_width = cells.iter().find(|r| r.instances_computed == total).map(|r| r.width);
            let histogram: Vec<_> = cells
                .iter()
                .map(|r| WidthCount {
                    width: r.width,
                    instances: r.minimal_width_here,
                })
                .collect();
            let reached: u64 = cells.iter().map(|r| r.minimal_width_here).sum();
            MinimalWidth {
                readout,
                inputs,
                m_prime,
                instances_total: total,
                min_width,
                width_computing_all: all_width,
                minimal_width_histogram: histogram,
                computed_at_max_width: reached,
                not_computable: total - reached,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{control_fails_ordinary_passes, small_config};

    #[test]
    fn a_readout_chosen_per_instance_fails_and_the_fixed_readouts_pass() {
        let mut config = small_config();
        config.lower.exhaustive_inputs = vec![4, 5];
        config.lower.exhaustive_max_width = 2;
        config.lower.exhaustive_max_outputs = 3;
        control_fails_ordinary_passes(&config, |runner| runner.exhaustive());
    }
}
