//! Trained networks (SPEC §3 "Trained networks", issue 12): a one-hidden-layer ReLU network
//! with the constructions' fixed, instance-independent input and output codes, trained by
//! gradient descent to compute a 2-AND instance, so that the instance lives only in the weights.
//!
//! - [`model`]: the architectures and their hand-written forward and backward passes. *Tied*:
//!   z = W·u + c·Σ_q u_q + b over the n output-code neurons (AS-2AND's shape). *Free*:
//!   g = ReLU(W₁·u + c₁·Σ_q u_q + b₁) of width n_h, then z = W₂·g + b₂ into the n
//!   output-code neurons. Either way neuron r fires iff z_r ≥ ½ and output j is on iff at
//!   least v = ⌈τ·t_out⌉ of its t_out code neurons fire (the vote decoder at τ = ½). The first
//!   layer reads the sparse u = Σ_{i on} 1_{C_in(i)} (k·t_in nonzero input neurons), the free
//!   second layer is a dense product done by faer;
//! - [`optimizer`]: AdamW (decoupled weight decay on the weight matrices only);
//! - [`data`]: mini-batches of k-sparse inputs (planted or uniform, `base::sample`'s sampler)
//!   from seeded streams, and their targets;
//! - [`trainer`]: the loop, the trainer's own exact evaluation, and the network file
//!   (`superposition-network/1`, f32) written through [`crate::network::file::NetworkFile`].
//!
//! The loss is on the code neurons' pre-activations z against y_r = OR of the outputs hosted
//! on r ([`Loss`]). The default is the margin hinge (γ = 0.25, positives weighted 1, AdamW at
//! lr = 10⁻², no decay). What was measured (2-core machine shared with other jobs, k = 4, seed
//! 1, batch 256, exact failure of the written file on 1000 fresh samples): tied trained on
//! planted inputs for 2000 steps fails 2.3 % / 1.4 % / 1.0 % of planted samples at m′ = 2⁸ and
//! widths 775 / 1163 / 1550 (1×, 1.5×, 2× AS-2AND's n*), 1.0 % / 0.7 % / 0.8 % at m′ = 2¹⁰
//! and widths 1036 / 1554 / 2072, but 45 % / 36 % / 31 % and 90 % / 84 % / 81 % of uniform
//! samples: a planted sample at k = 4 has every active input's partner on, so training on
//! planted inputs alone never shows a lone endpoint ([`TrainDistribution::Mixed`] does, and is
//! `cargo xtask train`'s default). Mixed, 2000 steps: tied at 1× n* fails 2.2 % planted / 0.9 %
//! uniform (m′ = 2⁸) and 1.2 % / 0.1 % (2¹⁰); at ½ n*, 5.6 % / 5.3 % and 24.7 % / 4.1 %. Free
//! (n_h = n) at lr = 10⁻² collapsed to no neuron firing (100 % planted failure, m′ = 2⁸, 1000
//! steps); at lr = 10⁻³, mixed, 1000 steps, 1× n*: 0.3 % / 0.0 % (2⁸) and 0.3 % / 0.1 % (2¹⁰).
//! Measured since (same setup, 1000 fresh samples per distribution, planted / uniform failure;
//! seed 1 of `cargo xtask train`, whose instance is not `and2-upper`'s):
//! - *Logistic* (s = 4) against the hinge, positives weighted 1: m′ = 2¹⁰, width 1037, 200
//!   steps: 5.0 % / 0.1 % against 4.3 % / 0.2 %; 2¹², width 1735, 800 steps: 14.0 % / 0.0 %
//!   against 14.5–16 % / 0.0 %, at 9.2 k against 12.5 k samples/s. No gain: the hinge stays.
//! - *Positive weight*: weight 1 trades planted failures (an on output's t_out neurons are a
//!   few of n per sample) for uniform ones; at ¾ of AS-2AND's n* (2¹⁰, 778, 200 steps; 2¹²,
//!   1301, 800 steps): weight 1: 15.8 / 0.8 and 46.7 / 0.6; 2: 3.1 / 2.4 and 19.0 / 1.8;
//!   4: 1.3 / 5.2 and 5.7 / 6.4; 8: 2.8 / 14.3 (2¹⁰). Check `trained` uses 4 for tied
//!   (`TrainedConfig::positive_weight`); `cargo xtask train` keeps 1 unless given.
//! - *Warm start* from AS-2AND's weights ([`Trainer::warm_start_from_as2and`], `--warm-start`):
//!   AS-2AND alone / trained cold / trained warm, positives weighted 1: 2¹⁰ at 778 (200 steps)
//!   19.7 / 12.3, 15.8 / 0.8, 13.3 / 1.2; at 518: 57.8 / 43.2, 64.0 / 1.8, 43.9 / 3.3; 2¹² at
//!   1301 (800 steps) 21.0 / 16.8, 46.7 / 0.6, 38.8 / 0.4; at 1735: 6.3 / 2.8, 16 / 0.0,
//!   14.5 / 0.0. Warm starts end a few points lower on planted samples than cold ones, and
//!   training moves AS-2AND's own failures from uniform to planted samples (the weight-1 loss
//!   above), so at 2¹² and 1× n* the trained network is worse than the construction it
//!   started from.
//!
//! Determinism: every random choice comes from (seed, domain, index) streams, and every parallel loop either computes independent results (one sample, one column, one
//! parameter) or reduces over fixed-size blocks in block order, so the weights after S steps
//! are bit-identical whatever the thread count.
//!
//! Check `trained` (`checks::trained`) searches the minimal trained width on a grid of fractions
//! of AS-2AND's n*, measures the trained networks' bits (pruned, quantized) and holds them against
//! the bounds; its module documentation gives the budget (steps growing with m′) and the criterion.
//!
//! Layering: this module sits above `evaluate` (it measures with `evaluate::eval`'s sample
//! streams) and below `checks`; nothing below imports it.

use std::cmp::Ordering;

pub mod data;
pub mod model;
pub mod optimizer;
pub mod trainer;

pub use data::{Batch, Example, Sampler, TrainDistribution};
pub use model::{Model, Params, TrainArchitecture, Workspace};
pub use optimizer::{AdamState, AdamW};
pub use trainer::{TrainConfig, TrainSummary, Trainer};

/// The loss on one code neuron's pre-activation z against its target y ∈ {0, 1}.
///
/// The firing test is z ≥ ½, so both losses are centred on ½. The total loss of a batch is
/// the mean over samples of the sum over the n code neurons, positive terms times
/// `positive_weight` (positives are rare: at most ⌊k/2⌋·t_out of n neurons per planted sample).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// Margin hinge: y = 1: max(0, ½ + γ − z); y = 0: max(0, z − ½ + γ). Zero once every
    /// neuron is on the right side of ½ by γ, so a trained network has margin γ on its
    /// training samples.
    Hinge {
        /// γ, the margin.
        margin: f32,
    },
    /// Logistic (binary cross-entropy) on s·(z − ½): y = 1: softplus(−s·(z − ½)); y = 0:
    /// softplus(s·(z − ½)).
    Logistic {
        /// s, the logit scale.
        scale: f32,
    },
}

/// The loss and how positives are weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossConfig {
    /// The per-neuron loss.
    pub loss: Loss,
    /// Weight of the terms with target 1.
    pub positive_weight: f32,
}

impl Default for LossConfig {
    /// Hinge with margin γ = 0.25, positives weighted 1.
    fn default() -> Self {
        Self {
            loss: Loss::Hinge { margin: 0.25 },
            positive_weight: 1.0,
        }
    }
}

impl LossConfig {
    /// (loss, ∂loss/∂z) of one neuron with pre-activation z and target `positive`.
    pub fn term(&self, z: f32, positive: bool) -> (f64, f64) {
        let z = f64::from(z);
        let (loss, grad) = match self.loss {
            Loss::Hinge { margin } => {
                let gap = hinge_gap(margin, z, positive);
                match (gap > 0.0, positive) {
                    (false, _) => (0.0, 0.0),
                    (true, true) => (gap, -1.0),
                    (true, false) => (gap, 1.0),
                }
            }
            Loss::Logistic { scale } => {
                let s = f64::from(scale);
                // x is the logit of the wrong answer: softplus(x) and its slope σ(x).
                let x = if positive { -s * (z - 0.5) } else { s * (z - 0.5) };
                let softplus = x.max(0.0) + (-x.abs()).exp().ln_1p();
                let sigmoid = 1.0 / (1.0 + (-x).exp());
                (softplus, if positive { -s * sigmoid } else { s * sigmoid })
            }
        };
        if positive {
            let w = f64::from(self.positive_weight);
            (w * loss, w * grad)
        } else {
            (loss, grad)
        }
    }

    /// Whether [`LossConfig::term`] is (0, 0): the hinge's terms beyond the margin (the same
    /// arithmetic); never for the logistic loss. The training loop skips these terms: adding
    /// +0 to a sum of terms ≥ 0 changes nothing, and δ's zeros are left out anyway.
    pub fn is_zero(&self, z: f32, positive: bool) -> bool {
        match self.loss {
            // Not `gap <= 0`: a NaN gap is a zero term too.
            Loss::Hinge { margin } => {
                hinge_gap(margin, f64::from(z), positive).partial_cmp(&0.0) != Some(Ordering::Greater)
            }
            Loss::Logistic { .. } => false,
        }
    }
}

/// The hinge's gap: ½ + γ − z for a positive, z − ½ + γ for a negative (a term is nonzero iff
/// its gap is > 0).
fn hinge_gap(margin: f32, z: f64, positive: bool) -> f64 {
    if positive {
        0.5 + f64::from(margin) - z
    } else {
        z - 0.5 + f64::from(margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_terms_match_their_formulas() {
        let hinge = LossConfig::default();
        assert_eq!(hinge.term(0.0, true), (0.75, -1.0));
        assert_eq!(hinge.term(1.0, true), (0.0, 0.0));
        assert_eq!(hinge.term(0.5, false), (0.25, 1.0));
        assert_eq!(hinge.term(0.0, false), (0.0, 0.0));
        let weighted = LossConfig {
            positive_weight: 3.0,
            ..hinge
        };
        assert_eq!(weighted.term(0.0, true), (2.25, -3.0));
        let bce = LossConfig {
            loss: Loss::Logistic { scale: 4.0 },
            positive_weight: 1.0,
        };
        let (l, g) = bce.term(0.5, true);
        assert!((l - 2f64.ln()).abs() < 1e-12 && (g + 2.0).abs() < 1e-12, "{l} {g}");
        let (l, g) = bce.term(1.5, false);
        assert!((l - (1.0 + 4f64.exp()).ln()).abs() < 1e-9, "{l}");
        assert!((g - 4.0 / (1.0 + (-4f64).exp())).abs() < 1e-9, "{g}");
    }

    /// `is_zero` holds exactly where `term` is (0, 0): at the hinge's kinks (z = ½ ± γ), just
    /// beside them, far away, at ±0 and NaN, for both targets and two margins; never for the
    /// logistic loss.
    #[test]
    fn is_zero_holds_exactly_where_the_term_is_zero() {
        for margin in [0.25f32, 0.1] {
            let hinge = LossConfig {
                loss: Loss::Hinge { margin },
                positive_weight: 4.0,
            };
            let kinks = [0.5 - margin, 0.5 + margin];
            let mut zs = vec![0.0f32, -0.0, 1e-30, -3.0, 0.5, 7.0, f32::NAN];
            for k in kinks {
                zs.extend([k, k.next_up(), k.next_down()]);
            }
            let (mut zero, mut nonzero) = (0, 0);
            for &z in &zs {
                for positive in [false, true] {
                    let (l, g) = hinge.term(z, positive);
                    let is_zero = l == 0.0 && g == 0.0;
                    assert_eq!(hinge.is_zero(z, positive), is_zero, "z = {z}, positive {positive}");
                    if is_zero { zero += 1 } else { nonzero += 1 }
                }
            }
            assert!(zero > 4 && nonzero > 4, "{zero} / {nonzero}");
        }
        let bce = LossConfig {
            loss: Loss::Logistic { scale: 4.0 },
            positive_weight: 1.0,
        };
        assert!(!bce.is_zero(-100.0, false) && !bce.is_zero(100.0, true));
    }
}
