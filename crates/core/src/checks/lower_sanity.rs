//! Check `lower-sanity` (T1/T2): every network built carries at least log₂(#instances) bits
//! and has at least the neurons that bound implies.

use super::{Runner, SanityTally, status};
use crate::base::sample::InputDistribution;
use crate::constructions::controls::DecoderHiding;
use crate::error::Result;
use crate::evaluate::eval::and2_failure;
use crate::network::Network as _;
use crate::results::CheckResult;
use superposition_schema::checks::{CheckDetail, lower_sanity};

impl Runner<'_> {
    /// T1/T2 sanity on every network built.
    ///
    /// Criterion: PASS iff no network tallied is below the parameter-bit or the neuron bound,
    /// and at least one was tallied.
    ///
    /// Negative control: the tally holds only [`DecoderHiding`] networks, one per AS-2AND size
    /// (seed-0 instance), each measured exact on the planted samples first: they compute their
    /// instance with 2m one-bit parameters, far below log₂ C(C(m,2), m′) → violations → FAIL.
    pub(super) fn lower_sanity(&mut self) -> Result<CheckResult> {
        let (t, computed) = if self.control {
            let (tally, failures) = self.decoder_hiding_tally()?;
            (tally, Some(failures))
        } else {
            (self.tally, None)
        };
        let pass = t.violations == 0 && t.networks > 0;
        let computed = computed.map_or_else(String::new, |(failures, samples)| {
            format!(" (decoder-hiding control networks: {failures} failures in {samples} samples)")
        });
        Ok(CheckResult {
            status: status(pass),
            measured: format!(
                "{} of {} networks below the bound; min margin {:.0} bits; min neurons/bound {:.2}{computed}",
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
        })
    }

    /// The control's tally: one [`DecoderHiding`] network per AS-2AND size, and its failures
    /// (summed over the sizes) on the samples `and2-upper` draws, with the sample count.
    fn decoder_hiding_tally(&mut self) -> Result<(SanityTally, (u64, u64))> {
        let mut tally = SanityTally::default();
        let (mut failures, mut samples) = (0, 0);
        for log_m in self.config.and2_sizes.clone() {
            let (instance, (_, sample_seed)) = self.and2_instance(log_m, 0)?;
            let network = DecoderHiding::new(&instance);
            let spec = self.spec(self.config.samples, sample_seed, InputDistribution::Planted);
            let failure = and2_failure(&network, &instance, &spec, None);
            failures += failure.failures;
            samples += failure.samples;
            tally.add(&instance, &network.resources());
        }
        Ok((tally, (failures, samples)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{runner, small_config};
    use crate::constructions::and2::{And2Network, And2Params};
    use crate::results::Status;

    #[test]
    fn the_decoder_hiding_control_fails_and_as_2and_passes() {
        let control = runner(small_config(), true).lower_sanity().unwrap();
        assert_eq!(control.status, Status::Fail, "{}", control.measured);
        assert!(control.measured.contains(": 0 failures"), "{}", control.measured);
        // The same sizes with AS-2AND at a width well above n*.
        let mut ordinary = runner(small_config(), false);
        for log_m in [8, 9] {
            let (instance, (code_seed, _)) = ordinary.and2_instance(log_m, 0).unwrap();
            let network =
                And2Network::build(&instance, And2Params::defaults(instance.outputs(), 2000, code_seed)).unwrap();
            ordinary.tally_sanity(&instance, &network.resources());
        }
        let ordinary = ordinary.lower_sanity().unwrap();
        assert_eq!(ordinary.status, Status::Pass, "{}", ordinary.measured);
    }
}
