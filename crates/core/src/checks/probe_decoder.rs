//! Check `probe-decoder` (the lower bound's decoding step, executed): a decoder that sees only
//! a built network and the public codes recovers the 2-AND instance (see [`crate::lower::probe`]).

use std::time::Instant;

use super::{And2Widths, Runner, status};
use crate::base::instance::And2Instance;
use crate::constructions::and2::{And2Network, And2Params, Scratch};
use crate::error::Result;
use crate::lower::probe::{ProbeDecoding, decode_and2};
use crate::results::{CheckResult, Record};
use superposition_schema::checks::probe_decoder::ProbePoint;
use superposition_schema::checks::{CheckDetail, probe_decoder};

/// 2-sparse probes allowed per output before the decoder gives up (a correct decoding uses ~1).
const PROBE_BUDGET: u64 = 64;

impl Runner<'_> {
    /// Decodes the seed-0 network of each probe size at n*, then at wider multiples of n*
    /// until a decoding equals the instance.
    ///
    /// Criterion (fixed before any run): PASS iff (a) every network that answers all of its
    /// probes correctly is decoded with no mismatch (the decoder is exact, the step the counting
    /// argument needs), and (b) at every size some tried width decodes the instance exactly.
    /// A network at n* fails δ of random k-sparse samples, so it may err on a few 2-sparse
    /// probes; those errors are reported (`wrong_probes`), and the width needed is the figure.
    ///
    /// Negative control: each network is AS-2AND built (same public codes) for the seed-1
    /// instance while the check judges it against the seed-0 instance, which only the decoder
    /// holds: decoding the weights recovers the other instance at every width, so (b) fails →
    /// FAIL.
    pub(super) fn probe_decoder(&mut self, and2: &And2Widths) -> Result<CheckResult> {
        let c = self.config.lower.clone();
        let (mut points, mut decoded_all, mut decoder_sound) = (Vec::new(), true, true);
        for (done, &log_m) in c.probe_sizes.iter().enumerate() {
            let (instance, (code_seed, _)) = self.and2_instance(log_m, 0)?;
            let other = if self.control {
                Some(self.and2_instance(log_m, 1)?.0)
            } else {
                None
            };
            let built_for = other.as_ref().unwrap_or(&instance);
            let (n_star, measured) = and2.n_star(log_m, 0);
            let mut exact_at = None;
            for &factor in &c.probe_factors {
                let width = ((n_star as f64 * factor).round() as usize)
                    .max(And2Params::defaults(instance.outputs(), 1, 0).t_in + 1);
                let network =
                    And2Network::build(built_for, And2Params::defaults(instance.outputs(), width, code_seed))?;
                self.tally_sanity(built_for, &network.resources());
                let t0 = Instant::now();
                let decoding = decode_and2(&network, PROBE_BUDGET * instance.outputs() as u64);
                let seconds = t0.elapsed().as_secs_f64();
                let wrong = wrong_probes(&instance, &network, &decoding);
                let mismatches = decoding.mismatches(&instance);
                decoder_sound &= decoding.over_budget || wrong > 0 || mismatches == 0;
                let m = instance.inputs() as u64;
                self.emit(Record::ProbeDecoder {
                    m_prime: instance.outputs() as u64,
                    m,
                    seed: code_seed,
                    hidden_width: width,
                    width_factor: factor,
                    one_sparse_probes: decoding.one_sparse_probes,
                    two_sparse_probes: decoding.two_sparse_probes(),
                    naive_probes: m * (m - 1) / 2,
                    wrong_probes: wrong,
                    mismatches,
                    ambiguous: decoding.ambiguous,
                    silent: decoding.silent,
                    over_budget: decoding.over_budget,
                });
                points.push(ProbePoint {
                    m_prime: instance.outputs(),
                    n_star,
                    n_star_measured: measured,
                    width,
                    factor,
                    one_sparse_probes: decoding.one_sparse_probes,
                    two_sparse_probes: decoding.two_sparse_probes(),
                    naive_probes: m * (m - 1) / 2,
                    wrong_probes: wrong,
                    mismatches,
                    over_budget: decoding.over_budget,
                    seconds,
                });
                if mismatches == 0 {
                    exact_at = Some(factor);
                    break;
                }
            }
            decoded_all &= exact_at.is_some();
            self.observer.progress(
                "probe-decoder",
                done as u64 + 1,
                c.probe_sizes.len() as u64,
                &match exact_at {
                    Some(factor) => format!("m′ = 2^{log_m}: exact at {factor}·n*"),
                    None => format!("m′ = 2^{log_m}: exact at no width tried"),
                },
            );
        }
        let pass = decoded_all && decoder_sound && !points.is_empty();
        let exact: Vec<String> = points
            .iter()
            .filter(|p| p.mismatches == 0)
            .map(|p| {
                // `{:?}` writes the factor as JSON does (1.0, 1.5), as this line always has.
                format!(
                    "2^{:.0}: {:?}·n* ({} + {} probes vs {}, {:.2} s)",
                    (p.m_prime as f64).log2(),
                    p.factor,
                    p.one_sparse_probes,
                    p.two_sparse_probes,
                    p.naive_probes,
                    p.seconds
                )
            })
            .collect();
        let at_n_star: Vec<String> = points
            .iter()
            .filter(|p| p.factor == 1.0)
            .map(|p| format!("{}/{}", p.mismatches, p.m_prime))
            .collect();
        Ok(CheckResult {
            status: status(pass),
            measured: format!(
                "exact recovery at {}; mismatches at n*: {}",
                if exact.is_empty() { "no width".into() } else { exact.join(", ") },
                at_n_star.join(", ")
            ),
            theory: "T1's decoding step: from the weights and public codes alone, 1-sparse (hidden) + 2-sparse probes recover the instance — PASS iff no network correct on its probes is mis-decoded and every size decodes exactly at some width ≤ max factor·n*"
                .into(),
            detail: CheckDetail::ProbeDecoder(probe_decoder::Detail {
                points,
                decoder_sound,
                decoded_every_size: decoded_all,
                factors: c.probe_factors,
            }),
            seconds: 0.0,
        })
    }
}

/// Probes the network answers differently from the instance (the check may look at the
/// instance; the decoder may not).
fn wrong_probes(instance: &And2Instance, network: &And2Network, decoding: &ProbeDecoding) -> u64 {
    let index = instance.pair_index();
    let (mut scratch, mut got, mut truth) = (Scratch::default(), Vec::new(), Vec::new());
    let mut wrong = 0;
    for &(a, b) in &decoding.probed {
        network.evaluate(&[a, b], &mut scratch, &mut got);
        instance.true_outputs(&index, &[a, b], &mut truth);
        wrong += u64::from(got != truth);
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{and2_widths, control_fails_ordinary_passes, small_config};

    #[test]
    fn a_network_built_for_another_instance_fails_and_its_own_instance_passes() {
        let mut config = small_config();
        config.lower.probe_sizes = vec![8];
        let widths = and2_widths(&config);
        control_fails_ordinary_passes(&config, |runner| runner.probe_decoder(&widths));
    }

    /// Progress messages are for people: numbers, never `Some(3.0)` or `None`.
    #[test]
    fn progress_messages_print_no_debug_options() {
        struct Messages(Vec<String>);
        impl crate::checks::Observer for Messages {
            fn record(&mut self, _: &crate::results::Record) {}
            fn progress(&mut self, _: &str, _: u64, _: u64, message: &str) {
                self.0.push(message.to_string());
            }
        }
        let mut config = small_config();
        config.lower.probe_sizes = vec![8];
        let widths = and2_widths(&config);
        for control in [false, true] {
            let mut messages = Messages(Vec::new());
            let mut runner = crate::checks::Runner::new(config.clone(), 1, &mut messages).unwrap();
            if control {
                runner = runner.negative_controls();
            }
            runner.probe_decoder(&widths).unwrap();
            drop(runner);
            assert!(!messages.0.is_empty());
            for m in &messages.0 {
                assert!(!m.contains("Some(") && !m.contains("None"), "{m}");
            }
        }
    }
}
