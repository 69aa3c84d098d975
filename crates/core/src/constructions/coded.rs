//! The coded layer: the constants, validation, codes and resource count that AS-2AND, AS-PERM,
//! the input channel and depth-2's second layer share, written once.
//!
//! Each of those constructions is one hidden ReLU layer between two superposed codes:
//! input feature i ↦ C_in(i), a t_in-subset of the n_in input neurons; output feature
//! j ↦ C_out(j), a t_out-subset of the n hidden neurons, which are also the output
//! representation. Output j is decoded from its code neurons by a vote (at least ⌈τ·t_out⌉ of
//! them with h ≥ ½) or by their mean activation, and each row may subtract its expected share
//! of the input mass (centering, one extra "mass" neuron s = Σ_q u_q).
//!
//! - [`CodedParams`] holds those constants (AS-2AND's and AS-PERM's parameters are exactly
//!   this type) and validates them against the [`Limits`] of the construction using them;
//! - [`CodedParams::codes`] draws the two codes from the same seeded streams for every
//!   construction (so AS-2AND and the channel's shared channel read one input code);
//! - [`LayerCount`] counts the resources of such a layer as SPEC §2 says;
//! - [`gather_columns`] merges the active inputs' input neurons into u = Σ_{i on} 1_{C_in(i)}.

use serde::{Deserialize, Serialize};

use crate::base::code::SubsetCode;
pub use crate::base::code::gather_columns;
use crate::error::{Result, invalid};
use crate::results::Resources;
use crate::rng::derive_seed;

/// How output features are read from their code neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecoderKind {
    /// Count of code neurons with h ≥ ½ must reach ⌈τ·t_out⌉.
    Vote,
    /// Mean of the code neurons' activations must reach τ.
    Average,
}

/// The constants of a coded layer (SPEC §3): widths, code sizes, threshold, decoder,
/// centering and the codes' seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CodedParams {
    /// n_in, width of the superposed input representation.
    pub input_width: usize,
    /// n, hidden width (also the output representation).
    pub hidden_width: usize,
    /// t_in, input code neurons per input feature.
    pub t_in: usize,
    /// t_out, hidden code neurons per output feature.
    pub t_out: usize,
    /// τ, the decoding threshold (fraction of t_out for votes, mean activation for average).
    pub tau: f64,
    /// The decoder.
    pub decoder: DecoderKind,
    /// Whether to subtract each row's expected share of the input mass (SPEC §3 step 4).
    pub centering: bool,
    /// θ, the firing level of a hidden neuron: r fires iff h_r = ReLU(W u − 1) ≥ θ (vote
    /// decoder). ½ in the paper's outline. A lone endpoint of a hosted pair gives W u ≈ 1, both
    /// give ≈ 2: θ near 1 asks the other active inputs for almost a whole unit of noise before a
    /// row fires without its pair, which is what the worst case needs (issue 13). A multiple of
    /// 1/16 in (0, 1], so that the firing test stays an exact integer comparison.
    #[serde(default = "half")]
    pub fire: f64,
    /// Seed of the codes (instance-independent).
    pub code_seed: u64,
}

/// ½, θ's value in the paper's outline and in files written before θ was a parameter.
fn half() -> f64 {
    0.5
}

/// What a construction can evaluate exactly, beyond t ≤ width and τ ∈ (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input or hidden width.
    pub max_width: usize,
    /// Why wider layers are refused.
    pub width_reason: &'static str,
    /// The largest t_out and why (None: only the hidden width bounds it).
    pub max_t_out: Option<(usize, &'static str)>,
    /// Whether the firing threshold ⌈2·n_in·t_in·(1 + θ)⌉ must fit in 32 bits (AS-2AND's
    /// exact vote test).
    pub threshold_in_i32: bool,
    /// Whether the firing level θ may differ from ½ (only AS-2AND's rows implement it).
    pub fire_level: bool,
}

impl Limits {
    /// AS-2AND's: widths to 2^24, votes counted in 8 bits, the exact threshold in 32 bits.
    pub const AND2: Self = Self {
        max_width: 1 << 24,
        width_reason: "widths above 2^24 are not supported",
        max_t_out: Some((255, "at most 255 (votes are counted in 8 bits)")),
        threshold_in_i32: true,
        fire_level: true,
    };

    /// AS-PERM's: widths to 2^20 (the folded matrix is dense), integer tests in 64 bits.
    pub const LINEAR: Self = Self {
        max_width: 1 << 20,
        width_reason: "widths above 2^20 are not supported (dense folded matrix)",
        max_t_out: None,
        threshold_in_i32: false,
        fire_level: false,
    };

    /// The input channel's: AS-2AND's, but its block rows test in 64 bits (the shared channel,
    /// an AS-2AND network, checks its own 32-bit threshold when built).
    pub const CHANNEL: Self = Self {
        threshold_in_i32: false,
        fire_level: false,
        ..Self::AND2
    };
}

impl CodedParams {
    /// The defaults for m′ outputs at hidden = input width `width`: t_in = t_out = ⌈log₂ m′⌉,
    /// vote decoding at τ = ½, centering on.
    ///
    /// t = log₂ m′ is the choice of the paper's outline and of the NumPy prototype; τ = ½ was
    /// chosen by measuring n* at τ ∈ {¼, ½, ¾, 1} (see README, "Defaults").
    pub fn defaults(outputs: usize, width: usize, code_seed: u64) -> Self {
        let t = (outputs.max(2) as f64).log2().ceil() as usize;
        Self {
            input_width: width,
            hidden_width: width,
            t_in: t,
            t_out: t,
            tau: 0.5,
            decoder: DecoderKind::Vote,
            centering: true,
            fire: 0.5,
            code_seed,
        }
    }

    /// Refuses code sizes outside 1..=width, τ outside (0, 1], and what `limits` excludes.
    pub fn validate(&self, limits: &Limits) -> Result<()> {
        if self.t_in == 0 || self.t_in > self.input_width {
            return Err(invalid(
                "t_in",
                self.t_in,
                format!("must be in 1..={} (the input width)", self.input_width),
            ));
        }
        if self.t_out == 0 || self.t_out > self.hidden_width {
            return Err(invalid(
                "t_out",
                self.t_out,
                format!("must be in 1..={} (the hidden width)", self.hidden_width),
            ));
        }
        if let Some((max, reason)) = limits.max_t_out
            && self.t_out > max
        {
            return Err(invalid("t_out", self.t_out, reason));
        }
        validate_tau(self.tau)?;
        if self.input_width > limits.max_width || self.hidden_width > limits.max_width {
            return Err(invalid(
                "width",
                self.input_width.max(self.hidden_width),
                limits.width_reason,
            ));
        }
        validate_fire(self.fire)?;
        if self.fire != 0.5 && !limits.fire_level {
            return Err(invalid(
                "fire",
                self.fire,
                "only AS-2AND's rows take a firing level other than ½",
            ));
        }
        if limits.threshold_in_i32 && self.fire_threshold() as u64 > i32::MAX as u64 {
            return Err(invalid(
                "t_in",
                self.t_in,
                "the firing threshold 2·input_width·t_in·(1 + θ) must fit in 32 bits for exact evaluation",
            ));
        }
        Ok(())
    }

    /// T = ⌈2·n_in·t_in·(1 + θ)⌉: a hidden neuron fires iff 2·n_in·(W u)_r·t_in ≥ T, i.e. iff
    /// h_r ≥ θ (the left side is an integer, so rounding T up is exact). 3·n_in·t_in at θ = ½.
    pub fn fire_threshold(&self) -> i64 {
        let sixteenths = (self.fire * 16.0).round() as i64;
        let scaled = self.input_width as i64 * self.t_in as i64 * (16 + sixteenths);
        scaled.div_euclid(8) + i64::from(scaled.rem_euclid(8) != 0)
    }

    /// v = ⌈τ·t_out⌉ (at least 1), the votes an output needs.
    pub fn vote_threshold(&self) -> usize {
        vote_threshold(self.tau, self.t_out)
    }

    /// The seeded input code C_in of `inputs` features: t_in-subsets of the n_in input neurons.
    pub fn input_code(&self, inputs: usize) -> Result<SubsetCode> {
        SubsetCode::random(
            inputs,
            self.input_width,
            self.t_in,
            derive_seed(self.code_seed, "input-code", 0),
            "code",
        )
    }

    /// The seeded output code C_out of `outputs` features: t_out-subsets of the n hidden neurons.
    pub fn output_code(&self, outputs: usize) -> Result<SubsetCode> {
        SubsetCode::random(
            outputs,
            self.hidden_width,
            self.t_out,
            derive_seed(self.code_seed, "output-code", 0),
            "code",
        )
    }

    /// Both codes, (C_in, C_out); independent of the instance.
    pub fn codes(&self, inputs: usize, outputs: usize) -> Result<(SubsetCode, SubsetCode)> {
        Ok((self.input_code(inputs)?, self.output_code(outputs)?))
    }
}

/// Refuses τ outside (0, 1].
pub fn validate_tau(tau: f64) -> Result<()> {
    if !(tau > 0.0 && tau <= 1.0) {
        return Err(invalid("tau", tau, "must be in (0, 1]"));
    }
    Ok(())
}

/// Refuses θ outside (0, 1] and θ not a multiple of 1/16 (the firing test would not be an
/// exact integer comparison).
pub fn validate_fire(fire: f64) -> Result<()> {
    if !(fire > 0.0 && fire <= 1.0) {
        return Err(invalid("fire", fire, "the firing level θ must be in (0, 1]"));
    }
    if (fire * 16.0).fract() != 0.0 {
        return Err(invalid(
            "fire",
            fire,
            "the firing level θ must be a multiple of 1/16 (0.0625), so that firing is an exact integer test",
        ));
    }
    Ok(())
}

/// ⌈τ·t⌉ (at least 1): the votes an output of t code neurons needs at threshold τ.
pub fn vote_threshold(tau: f64, t: usize) -> usize {
    ((tau * t as f64).ceil() as usize).max(1)
}

/// Bits to store integers 0..=max (at least 1).
pub fn bits_for(max: u64) -> u64 {
    u64::from(64 - max.leading_zeros()).max(1)
}

/// What the resource count of a coded layer needs (SPEC §2): neurons n_in + n (+1 mass neuron
/// when centered); parameters = nonzero weights + n biases (+ n centering coefficients and
/// n_in mass weights when centered), each group stored at its bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerCount {
    /// n_in.
    pub input_width: usize,
    /// n.
    pub hidden_width: usize,
    /// Whether rows are centered (the mass neuron, its n_in weights, n coefficients).
    pub centering: bool,
    /// Nonzero weights.
    pub nonzero_weights: u64,
    /// Bits per weight.
    pub weight_bits: u64,
    /// Bits per centering coefficient.
    pub coefficient_bits: u64,
    /// Largest weight numerator.
    pub weight_max: u64,
    /// Denominator of the weights (t_in).
    pub weight_denominator: u64,
}

impl LayerCount {
    /// The layer's [`Resources`]: biases take 1 bit, mass weights 1 bit.
    pub fn resources(&self) -> Resources {
        let (n_in, n) = (self.input_width as u64, self.hidden_width as u64);
        let mut parameters = self.nonzero_weights + n;
        let mut parameter_bits = self.nonzero_weights * self.weight_bits + n;
        if self.centering {
            parameters += n + n_in;
            parameter_bits += n * self.coefficient_bits + n_in;
        }
        let extra = usize::from(self.centering);
        Resources {
            input_width: self.input_width,
            hidden_width: self.hidden_width,
            extra_neurons: extra,
            neurons: self.input_width + self.hidden_width + extra,
            parameters,
            parameter_bits,
            weight_max: self.weight_max,
            weight_denominator: self.weight_denominator,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_for_ranges() {
        assert_eq!(bits_for(0), 1);
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(2), 2);
        assert_eq!(bits_for(255), 8);
        assert_eq!(bits_for(256), 9);
    }

    #[test]
    fn firing_levels_are_sixteenths_in_zero_one_and_as_2and_only() {
        let mut p = CodedParams::defaults(1 << 10, 301, 0);
        assert_eq!(p.fire_threshold(), 3 * 301 * 10);
        // n_in·t_in = 3010: θ = 1/16 gives ⌈2·3010·17/16⌉ = ⌈6396.25⌉, θ = 3/16 ⌈7148.75⌉.
        p.fire = 0.0625;
        assert_eq!(p.fire_threshold(), 6397);
        p.fire = 0.1875;
        assert_eq!(p.fire_threshold(), 7149);
        p.fire = 1.0;
        assert_eq!(p.fire_threshold(), 4 * 3010);
        assert!(p.validate(&Limits::AND2).is_ok());
        for (limits, name) in [(Limits::LINEAR, "linear"), (Limits::CHANNEL, "channel")] {
            let err = p.validate(&limits).unwrap_err().to_string();
            assert!(err.contains("only AS-2AND"), "{name}: {err}");
        }
        for bad in [0.0, 0.3, 1.0625, -0.5, f64::NAN] {
            p.fire = bad;
            assert!(p.validate(&Limits::AND2).is_err(), "θ = {bad}");
        }
        // Parameters written before θ existed read as θ = ½.
        let mut json = serde_json::to_value(CodedParams::defaults(64, 30, 1)).unwrap();
        json.as_object_mut().unwrap().remove("fire");
        let read: CodedParams = serde_json::from_value(json).unwrap();
        assert_eq!(read.fire, 0.5);
    }

    #[test]
    fn limits_refuse_what_each_construction_cannot_evaluate() {
        let mut p = CodedParams::defaults(1 << 10, 300, 0);
        for limits in [Limits::AND2, Limits::LINEAR, Limits::CHANNEL] {
            assert!(p.validate(&limits).is_ok());
        }
        p.t_out = 256;
        assert!(p.validate(&Limits::AND2).unwrap_err().to_string().contains("8 bits"));
        assert!(p.validate(&Limits::LINEAR).is_ok());
        p = CodedParams::defaults(1 << 10, 1 << 24, 0);
        assert!(p.validate(&Limits::AND2).is_ok());
        assert!(p.validate(&Limits::LINEAR).unwrap_err().to_string().contains("2^20"));
        p.t_in = 200;
        assert!(p.validate(&Limits::AND2).unwrap_err().to_string().contains("32 bits"));
        assert!(p.validate(&Limits::CHANNEL).is_ok());
        p = CodedParams::defaults(16, 32, 0);
        p.tau = 0.0;
        assert!(p.validate(&Limits::AND2).unwrap_err().to_string().contains("tau"));
        p = CodedParams::defaults(16, 3, 0);
        assert!(p.validate(&Limits::LINEAR).unwrap_err().to_string().contains("t_in"));
    }

    #[test]
    fn gathered_columns_are_merged_counts() {
        let code = SubsetCode::from_sets(6, 2, &[vec![0, 3], vec![3, 5], vec![1, 2]]).unwrap();
        let mut columns = Vec::new();
        assert_eq!(gather_columns(&code, &[1, 0], &mut columns), 4);
        assert_eq!(columns, vec![(0, 1), (3, 2), (5, 1)]);
        assert_eq!(gather_columns(&code, &[], &mut columns), 0);
        assert!(columns.is_empty());
    }

    #[test]
    fn vote_thresholds_round_up_and_are_at_least_one() {
        assert_eq!(vote_threshold(0.5, 7), 4);
        assert_eq!(vote_threshold(0.5, 8), 4);
        assert_eq!(vote_threshold(0.01, 3), 1);
        assert_eq!(vote_threshold(1.0, 10), 10);
    }
}
