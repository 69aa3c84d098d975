//! AdamW (Loshchilov & Hutter 2019), in PyTorch's form.
//!
//! At step t (from 1), for every parameter θ with gradient g:
//!   m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
//!   θ ← θ·(1 − lr·λ) − lr·(m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε),
//! the decay factor (1 − lr·λ) applied only to the tensors [`Params::DECAYED`] marks. Every
//! parameter is updated on its own, so the update is the same whatever the thread count.

use rayon::prelude::*;

use super::model::Params;

/// AdamW's hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamW {
    /// lr, the learning rate.
    pub learning_rate: f32,
    /// β₁, the first moment's decay.
    pub beta1: f32,
    /// β₂, the second moment's decay.
    pub beta2: f32,
    /// ε, added to √v̂.
    pub epsilon: f32,
    /// λ, the decoupled weight decay.
    pub weight_decay: f32,
}

impl Default for AdamW {
    /// lr = 10⁻³, β = (0.9, 0.999), ε = 10⁻⁸, λ = 0 (PyTorch's defaults but for λ: a decayed
    /// weight that no sample touches would only shrink).
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
        }
    }
}

/// The moments and the step count.
#[derive(Debug, Clone, PartialEq)]
pub struct AdamState {
    /// m, the first moments.
    pub first: Params,
    /// v, the second moments.
    pub second: Params,
    /// t, steps taken.
    pub step: u64,
}

impl AdamState {
    /// Zero moments for parameters shaped like `params`.
    pub fn new(params: &Params) -> Self {
        Self {
            first: params.zeros_like(),
            second: params.zeros_like(),
            step: 0,
        }
    }
}

impl AdamW {
    /// One step: updates `params` from `grad` and the moments in `state`.
    pub fn step(&self, params: &mut Params, grad: &Params, state: &mut AdamState) {
        state.step += 1;
        let t = state.step as i32;
        let correction1 = (1.0 - f64::from(self.beta1).powi(t)) as f32;
        let correction2_sqrt = (1.0 - f64::from(self.beta2).powi(t)).sqrt() as f32;
        let tensors = params
            .tensors_mut()
            .into_iter()
            .zip(grad.tensors())
            .zip(state.first.tensors_mut())
            .zip(state.second.tensors_mut())
            .zip(Params::DECAYED);
        for ((((theta, g), m), v), decayed) in tensors {
            let decay = if decayed {
                1.0 - self.learning_rate * self.weight_decay
            } else {
                1.0
            };
            theta
                .par_iter_mut()
                .zip(g.par_iter())
                .zip(m.par_iter_mut())
                .zip(v.par_iter_mut())
                .with_min_len(4096)
                .for_each(|(((theta, &g), m), v)| {
                    *m = self.beta1 * *m + (1.0 - self.beta1) * g;
                    *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
                    let denominator = v.sqrt() / correction2_sqrt + self.epsilon;
                    *theta = *theta * decay - self.learning_rate * (*m / correction1) / denominator;
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(w: f32, b: f32) -> Params {
        Params {
            w1: vec![w],
            c1: vec![0.0],
            b1: vec![b],
            w2: Vec::new(),
            b2: Vec::new(),
        }
    }

    #[test]
    fn one_and_two_steps_equal_the_hand_computed_update() {
        let adam = AdamW {
            learning_rate: 0.1,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.01,
        };
        let mut params = single(1.0, 1.0);
        let mut state = AdamState::new(&params);
        adam.step(&mut params, &single(0.5, 0.5), &mut state);
        // m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25: the Adam step is lr·0.5/0.5 = 0.1. The
        // weight is decayed first, 1·(1 − 0.1·0.01) = 0.999; the bias is not.
        assert!((params.w1[0] - 0.899).abs() < 1e-6, "{}", params.w1[0]);
        assert!((params.b1[0] - 0.9).abs() < 1e-6, "{}", params.b1[0]);
        assert_eq!(params.c1[0], 0.0);
        // In f32, 1 − β₂ = 0.001 is off by 5·10⁻⁵ relative: moments agree to 10⁻⁴ relative.
        assert!((state.first.w1[0] - 0.05).abs() < 5e-6 && (state.second.w1[0] - 0.00025).abs() < 2.5e-8);
        adam.step(&mut params, &single(-1.0, 0.0), &mut state);
        // m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 = 0.00124975;
        // m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999.
        let (m_hat, v_hat) = (-0.055 / 0.19, 0.001_249_75 / 0.001_999);
        let expected = 0.899 * 0.999 - 0.1 * m_hat / (f64::sqrt(v_hat) + 1e-8);
        assert!(
            (f64::from(params.w1[0]) - expected).abs() < 1e-5,
            "{} {expected}",
            params.w1[0]
        );
        // The bias: m = 0.045, v = 0.00024975.
        let (m_hat, v_hat) = (0.045 / 0.19, 0.000_249_75 / 0.001_999);
        let expected = 0.9 - 0.1 * m_hat / (f64::sqrt(v_hat) + 1e-8);
        assert!(
            (f64::from(params.b1[0]) - expected).abs() < 1e-5,
            "{} {expected}",
            params.b1[0]
        );
    }
}
