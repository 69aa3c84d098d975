//! Bound formulas and exact instance counts (no randomness here).
//!
//! The counting lower bound: a network that computes every instance of a class, read through
//! fixed codes, determines the instance, so its parameters carry at least
//! log₂(number of instances) bits. For 2-AND with m inputs and m′ distinct pairs the class has
//! C(C(m,2), m′) members; for Neural Permutation, m′! members.

use std::f64::consts::LN_2;

/// ln Γ(x) for x > 0: Lanczos (g = 7, 9 terms) below 10, Stirling's series above; relative
/// error below 1e-13 over the range used here.
pub fn ln_gamma(x: f64) -> f64 {
    assert!(x > 0.0, "ln_gamma needs x > 0, got {x}");
    if x < 0.5 {
        // Reflection keeps Lanczos in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    if x >= 10.0 {
        return (x - 0.5) * x.ln() - x + 0.5 * (std::f64::consts::TAU).ln() + stirling_tail(x);
    }
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = COEF[0];
    for (i, &c) in COEF.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (std::f64::consts::TAU).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The Stirling correction 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷).
fn stirling_tail(x: f64) -> f64 {
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)))
}

/// ln Γ(a) − ln Γ(b) for a ≥ b > 0, without the cancellation of subtracting two huge values.
pub fn ln_gamma_ratio(a: f64, b: f64) -> f64 {
    assert!(a >= b && b > 0.0, "ln_gamma_ratio needs a ≥ b > 0, got {a}, {b}");
    if b < 10.0 {
        return ln_gamma(a) - ln_gamma(b);
    }
    // (a−½)ln a − (b−½)ln b − (a−b) = (a−½)·ln(1 + (a−b)/b) + (a−b)(ln b − 1).
    (a - 0.5) * ((a - b) / b).ln_1p() + (a - b) * (b.ln() - 1.0) + stirling_tail(a) - stirling_tail(b)
}

/// log₂ C(n, k).
pub fn log2_binomial(n: f64, k: f64) -> f64 {
    assert!(
        k >= 0.0 && n >= k,
        "log2_binomial needs 0 ≤ k ≤ n, got n = {n}, k = {k}"
    );
    (ln_gamma_ratio(n + 1.0, n - k + 1.0) - ln_gamma(k + 1.0)) / LN_2
}

/// log₂ of the number of 2-AND instances: C(C(m,2), m′).
pub fn log2_and2_instances(inputs: u64, outputs: u64) -> f64 {
    let pairs = (inputs as f64) * (inputs as f64 - 1.0) / 2.0;
    log2_binomial(pairs, outputs as f64)
}

/// log₂ of the number of Neural Permutation instances: m′!.
pub fn log2_permutation_instances(outputs: u64) -> f64 {
    ln_gamma(outputs as f64 + 1.0) / LN_2
}

/// Fewest neurons N of any one-hidden-layer network (input width a, hidden width b,
/// a + b ≤ N) whose parameters, at `bits_per_parameter` bits each, can hold `log2_instances`
/// bits: such a network has at most a·b + b ≤ N²/4 + N parameters, so
/// N ≥ 2(√(1 + L/bits) − 1).
pub fn neuron_lower_bound(log2_instances: f64, bits_per_parameter: f64) -> f64 {
    assert!(bits_per_parameter > 0.0, "bits per parameter must be positive");
    2.0 * ((1.0 + log2_instances / bits_per_parameter).sqrt() - 1.0)
}

/// The Bloom-filter width for representing k-sparse vectors over m features with all-or-
/// nothing failure ≤ δ at the optimal t: d ≈ k·log₂(m/δ)/ln 2 ≈ 1.44·k·log₂(m/δ).
pub fn bloom_width(features: f64, k: f64, delta: f64) -> f64 {
    k * (features / delta).log2() / LN_2
}

/// The T2 lower-bound shape √(m′·log₂ m′) (constant unknown).
pub fn lower_shape(outputs: f64) -> f64 {
    (outputs * outputs.log2()).sqrt()
}

/// The T3 upper-bound shape √m′·log₂ m′ (constant unknown).
pub fn upper_shape(outputs: f64) -> f64 {
    outputs.sqrt() * outputs.log2()
}

/// The T3 parameter shape m′·log₂² m′.
pub fn parameter_shape(outputs: f64) -> f64 {
    outputs * outputs.log2().powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_binomial(n: u128, k: u128) -> u128 {
        let mut value = 1u128;
        for i in 0..k {
            value = value * (n - i) / (i + 1);
        }
        value
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut factorial = 1.0f64;
        for n in 1..30u32 {
            factorial *= f64::from(n);
            let got = ln_gamma(f64::from(n) + 1.0);
            assert!(
                (got - factorial.ln()).abs() <= 1e-12 * factorial.ln().max(1.0),
                "n = {n}"
            );
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn log2_binomial_matches_exact_integers() {
        for (n, k) in [(10u128, 3u128), (45, 7), (120, 60), (1000, 9), (4950, 12), (110, 55)] {
            let exact = (exact_binomial(n, k) as f64).log2();
            let got = log2_binomial(n as f64, k as f64);
            assert!((got - exact).abs() <= 1e-9 * exact, "C({n},{k}): {got} vs {exact}");
        }
        assert!(log2_binomial(7.0, 0.0).abs() < 1e-12);
    }

    #[test]
    fn large_counts_agree_with_a_direct_sum() {
        // log₂ C(N, K) = Σ_{i<K} log₂((N−i)/(K−i)), summed directly for a large case.
        let (n, k) = (8_386_560.0f64, 4096.0f64); // C(4096, 2) pairs, 2^12 outputs.
        let direct: f64 = (0..4096).map(|i| ((n - i as f64) / (k - i as f64)).log2()).sum();
        let got = log2_and2_instances(4096, 4096);
        assert!((got - direct).abs() <= 1e-9 * direct, "{got} vs {direct}");
    }

    #[test]
    fn permutation_count_and_neuron_bound() {
        assert!((log2_permutation_instances(10) - (3_628_800f64).log2()).abs() < 1e-9);
        // L = 8 bits at 1 bit/parameter: N²/4 + N ≥ 8 ⇔ N ≥ 2(√9 − 1) = 4.
        assert!((neuron_lower_bound(8.0, 1.0) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn shapes_and_bloom_width() {
        assert!((upper_shape(256.0) - 128.0).abs() < 1e-9);
        assert!((lower_shape(256.0) - (2048.0f64).sqrt()).abs() < 1e-9);
        assert!((parameter_shape(16.0) - 256.0).abs() < 1e-9);
        assert!((bloom_width(1024.0, 4.0, 1.0) - 40.0 / LN_2).abs() < 1e-9);
    }
}
