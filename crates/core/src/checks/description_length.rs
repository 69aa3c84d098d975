//! Check `description-length`: how many bits the built networks take, against the
//! information-theoretic minimum log₂(#instances).

use std::collections::BTreeMap;

use super::{And2Widths, Runner, status};
use crate::constructions::and2::{And2Network, And2Params};
use crate::constructions::controls::DecoderHiding;
use crate::error::Result;
use crate::network::Network as _;
use crate::results::{CheckResult, Record};
use crate::stats::least_squares;
use crate::theory;
use superposition_schema::checks::description_length::{BitsBound, DescriptionPoint, ExplicitBound};
use superposition_schema::checks::{CheckDetail, description_length};

/// Bits of the header every description carries: the code seed (64) and n_in, n, t_in, t_out
/// (32 each).
const HEADER_BITS: f64 = 64.0 + 4.0 * 32.0;

/// Empirical-entropy code length of a list of symbols with these counts: Σ count·log₂(N/count)
/// plus the histogram itself (one ⌈log₂(N+1)⌉-bit count per symbol value up to the maximum).
pub(super) fn entropy_code_bits(counts: &BTreeMap<u64, u64>) -> (f64, f64) {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return (0.0, 0.0);
    }
    let n = total as f64;
    let payload: f64 = counts.values().map(|&c| c as f64 * (n / c as f64).log2()).sum();
    let max_symbol = counts.keys().next_back().copied().unwrap_or(0) as f64;
    let table = (max_symbol + 1.0) * (n + 1.0).log2().ceil();
    (payload + table, payload / n)
}

impl Runner<'_> {
    /// Rebuilds the seed-0 network at n* for each size and measures its description.
    ///
    /// Criterion (fixed before any run): PASS iff both sizes — parameters × bits and the
    /// entropy-coded size — are at least log₂ C(C(m,2), m′) at every m′. Either description,
    /// with the public codes, determines the network and so (by the probe decoder) the
    /// instance; for a random instance a description shorter than log₂(#instances) − c bits
    /// has probability below 2^−c, so a factor below 1 would mean a counting or coding bug.
    /// The factor's growth with m′ is reported (slope against log₂ m′), not judged.
    ///
    /// Negative control: the [`DecoderHiding`] network of the same instances, described the
    /// same two ways: its weights (the identity, the same for every instance) take 2m bits and an
    /// entropy-coded header and table, far below log₂ #instances → FAIL.
    pub(super) fn description_length(&mut self, and2: &And2Widths) -> Result<CheckResult> {
        let sizes = self.config.lower.description_sizes.clone();
        let (mut points, mut below) = (Vec::new(), 0u64);
        for (done, &log_m) in sizes.iter().enumerate() {
            let (n_star, measured) = and2.n_star(log_m, 0);
            if !measured {
                continue; // n* unknown at this size: nothing to measure at n*.
            }
            let (instance, (code_seed, _)) = self.and2_instance(log_m, 0)?;
            let (n_star, resources, (entropy_bits, weight_entropy)) = if self.control {
                let network = DecoderHiding::new(&instance);
                (instance.inputs(), network.resources(), control_entropy_size(&network))
            } else {
                let network =
                    And2Network::build(&instance, And2Params::defaults(instance.outputs(), n_star, code_seed))?;
                self.tally_sanity(&instance, &network.resources());
                (n_star, network.resources(), entropy_size(&network))
            };
            let log2_instances = theory::log2_and2_instances(instance.inputs() as u64, instance.outputs() as u64);
            let factor_bits = resources.parameter_bits as f64 / log2_instances;
            let factor_entropy = entropy_bits / log2_instances;
            below += u64::from(factor_bits < 1.0 || factor_entropy < 1.0);
            self.emit(Record::DescriptionLength {
                m_prime: instance.outputs() as u64,
                m: instance.inputs() as u64,
                seed: code_seed,
                hidden_width: n_star,
                parameters: resources.parameters,
                parameter_bits: resources.parameter_bits,
                entropy_bits,
                weight_entropy,
                log2_instances,
            });
            points.push(DescriptionPoint {
                m_prime: instance.outputs(),
                hidden_width: n_star,
                parameters: resources.parameters,
                parameter_bits: resources.parameter_bits,
                entropy_bits,
                weight_entropy,
                log2_instances,
                factor_parameter_bits: factor_bits,
                factor_entropy,
                bits_per_parameter: resources.parameter_bits as f64 / resources.parameters as f64,
            });
            self.observer.progress(
                "description-length",
                done as u64 + 1,
                sizes.len() as u64,
                &format!("m′ = 2^{log_m}: ×{factor_entropy:.1}"),
            );
        }
        let slope = |factor: fn(&DescriptionPoint) -> f64| {
            let x: Vec<f64> = points.iter().map(|p| (p.m_prime as f64).log2()).collect();
            let y: Vec<f64> = points.iter().map(factor).collect();
            // A non-finite slope was written as null: none.
            least_squares(&x, &y).map(|(s, _, _)| s).filter(|s| s.is_finite())
        };
        let by_bits = |p: &DescriptionPoint| p.factor_parameter_bits;
        let by_entropy = |p: &DescriptionPoint| p.factor_entropy;
        let (slope_bits, slope_entropy) = (slope(by_bits), slope(by_entropy));
        let factor = |p: Option<&DescriptionPoint>, f: fn(&DescriptionPoint) -> f64| p.map_or(f64::NAN, f);
        let m_prime = |p: Option<&DescriptionPoint>| p.map_or_else(|| "null".to_string(), |p| p.m_prime.to_string());
        let (first, last) = (points.first(), points.last());
        Ok(CheckResult {
            status: status(below == 0 && !points.is_empty()),
            measured: format!(
                "bits/log₂#instances: parameters×bits {:.1} → {:.1}, entropy-coded {:.1} → {:.1} over m′ = {} → {} (slopes {:.2}, {:.2} per doubling of m′)",
                factor(first, by_bits),
                factor(last, by_bits),
                factor(first, by_entropy),
                factor(last, by_entropy),
                m_prime(first),
                m_prime(last),
                slope_bits.unwrap_or(f64::NAN),
                slope_entropy.unwrap_or(f64::NAN)
            ),
            theory: "T1: any description of a network computing a random instance has ≥ log₂ C(C(m,2), m′) bits — PASS iff both factors ≥ 1 at every m′ (T3 predicts a factor growing like log m′)"
                .into(),
            detail: CheckDetail::DescriptionLength(description_length::Detail {
                points,
                below_minimum: below,
                slope_factor_parameter_bits: slope_bits,
                slope_factor_entropy: slope_entropy,
                explicit_bounds: explicit_bounds(),
            }),
            seconds: 0.0,
        })
    }
}

/// Entropy-coded size of a network: the dense n × n_in weight numerators and the n centering
/// numerators |S_r|, each coded at its empirical entropy with its histogram, plus the header.
/// Biases (all −1) and the mass neuron's weights (all 1) are fixed by the architecture.
fn entropy_size(network: &And2Network) -> (f64, f64) {
    let p = network.params();
    let mut weights: BTreeMap<u64, u64> = BTreeMap::new();
    for q in 0..p.input_width {
        for r in 0..p.hidden_width {
            *weights.entry(u64::from(network.weight(r, q))).or_insert(0) += 1;
        }
    }
    let mut centering: BTreeMap<u64, u64> = BTreeMap::new();
    if p.centering {
        for r in 0..p.hidden_width {
            *centering.entry(network.union_size(r) as u64).or_insert(0) += 1;
        }
    }
    let (weight_bits, weight_entropy) = entropy_code_bits(&weights);
    let (centering_bits, _) = entropy_code_bits(&centering);
    (HEADER_BITS + weight_bits + centering_bits, weight_entropy)
}

/// Entropy-coded size of the decoder-hiding control, coded as [`entropy_size`] codes AS-2AND:
/// its m weight numerators (all 1) at their empirical entropy with their histogram, plus the
/// header; its biases (all 0) are fixed by the architecture. The decoder's pair table is not
/// part of the network, which is the point of the control.
fn control_entropy_size(network: &DecoderHiding) -> (f64, f64) {
    let mut weights: BTreeMap<u64, u64> = BTreeMap::new();
    for w in network.weights() {
        *weights.entry(w).or_insert(0) += 1;
    }
    let (bits, entropy) = entropy_code_bits(&weights);
    (HEADER_BITS + bits, entropy)
}

/// The explicit bounds at m′ = m = 2¹⁰, 2¹⁶, 2²⁰: log₂(#instances), the parameter and neuron
/// lower bounds at 1, 4 and 8 bits per parameter, and the paper's shapes beside them.
fn explicit_bounds() -> Vec<ExplicitBound> {
    [10u32, 16, 20]
        .iter()
        .map(|&e| {
            let m = 1u64 << e;
            let l = theory::log2_and2_instances(m, m);
            let per_bits = |b: f64| BitsBound {
                bits_per_parameter: b,
                parameters: theory::parameter_lower_bound(l, b),
                neurons: theory::neuron_lower_bound(l, b),
            };
            ExplicitBound {
                m_prime: m,
                m,
                log2_instances: l,
                log2_permutations: theory::log2_permutation_instances(m),
                bounds: vec![per_bits(1.0), per_bits(4.0), per_bits(8.0)],
                shape_m_log_m: (m as f64) * (m as f64).log2(),
                shape_sqrt_m_log_m: theory::lower_shape(m as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_code_by_hand() {
        // 4 symbols: 0,0,1,2 → counts {0:2, 1:1, 2:1}: payload 2·1 + 1·2 + 1·2 = 6 bits, entropy
        // 1.5 bits/symbol; table: 3 counts of ⌈log₂ 5⌉ = 3 bits.
        let counts: BTreeMap<u64, u64> = [(0, 2), (1, 1), (2, 1)].into_iter().collect();
        let (bits, entropy) = entropy_code_bits(&counts);
        assert!((bits - 15.0).abs() < 1e-12, "{bits}");
        assert!((entropy - 1.5).abs() < 1e-12);
        // A constant list costs only its table.
        let constant: BTreeMap<u64, u64> = [(3, 100)].into_iter().collect();
        assert_eq!(entropy_code_bits(&constant), (4.0 * 7.0, 0.0));
    }

    #[test]
    fn the_decoder_hiding_network_fails_and_as_2and_at_n_star_passes() {
        use super::super::test_support::{and2_widths, control_fails_ordinary_passes, small_config};
        let mut config = small_config();
        config.lower.description_sizes = vec![8, 9];
        let widths = and2_widths(&config);
        control_fails_ordinary_passes(&config, |runner| runner.description_length(&widths));
    }
}
