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

/// The explicit parameter lower bound (T1): a network whose parameters are stored at
/// `bits_per_parameter` bits each and that determines one of 2^L instances needs at least
/// L / b parameters (pigeonhole: fewer parameters have fewer than 2^L settings).
pub fn parameter_lower_bound(log2_instances: f64, bits_per_parameter: f64) -> f64 {
    assert!(bits_per_parameter > 0.0, "bits per parameter must be positive");
    log2_instances / bits_per_parameter
}

/// C1, the counting capacity: the largest m′ whose 2-AND class over m = m′ inputs (the
/// convention of every check here) fits in `parameter_bits` bits, i.e. the largest m′ ≥ 3 with
/// log₂ C(C(m′,2), m′) ≤ parameter_bits. For a dense n×n layer at b bits per parameter pass
/// n²·b; the result grows like n²·b / (2·log₂ n).
///
/// log₂ C(C(m′,2), m′) increases with m′, so the answer is found by doubling, then integer
/// bisection. m′ = 3 (one instance, 0 bits) always fits.
pub fn and2_capacity(parameter_bits: f64) -> u64 {
    assert!(
        parameter_bits >= 0.0,
        "a bit budget cannot be negative, got {parameter_bits}"
    );
    let fits = |m: u64| log2_and2_instances(m, m) <= parameter_bits;
    let (mut lo, mut hi) = (3u64, 6u64);
    while fits(hi) {
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The capacity upper-bound shape n²/log₂ n (C1, constant unknown).
pub fn capacity_upper_shape(width: f64) -> f64 {
    width * width / width.log2()
}

/// The capacity shape n²/log₂² n that AS-2AND achieves (T3 inverted, constant unknown).
pub fn capacity_lower_shape(width: f64) -> f64 {
    width * width / width.log2().powi(2)
}

/// The secant exponent of n²/log^a n between widths `lo` and `hi`: the slope of
/// ln(n²/log^a n) against ln n over [lo, hi], 2 − a·ln(ln hi / ln lo)/ln(hi/lo) (the base of
/// the logarithm cancels). What a power law fitted to a capacity of that exact shape measures.
pub fn capacity_shape_exponent(log_power: f64, lo: f64, hi: f64) -> f64 {
    2.0 - log_power * (hi.ln() / lo.ln()).ln() / (hi / lo).ln()
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

/// The T1 parameter lower-bound shape m′·log₂ m′ (constant unknown).
pub fn parameter_lower_shape(outputs: f64) -> f64 {
    outputs * outputs.log2()
}

/// The T3 parameter shape m′·log₂² m′.
pub fn parameter_shape(outputs: f64) -> f64 {
    outputs * outputs.log2().powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_shape_exponent_is_the_secant_slope_of_the_shape() {
        for (lo, hi) in [(256.0, 2048.0), (256.0, 16384.0), (1000.0, 1001.0)] {
            let slope = |f: fn(f64) -> f64| (f(hi) / f(lo)).ln() / (hi / lo).ln();
            let (upper, lower) = (slope(capacity_upper_shape), slope(capacity_lower_shape));
            assert!((capacity_shape_exponent(1.0, lo, hi) - upper).abs() < 1e-9, "{upper}");
            assert!((capacity_shape_exponent(2.0, lo, hi) - lower).abs() < 1e-9, "{lower}");
            assert_eq!(capacity_shape_exponent(0.0, lo, hi), 2.0);
        }
    }

    fn exact_binomial(n: u128, k: u128) -> u128 {
        let mut value = 1u128;
        for i in 0..k {
            value = value * (n - i) / (i + 1);
        }
        value
    }

    /// A little unsigned big integer (base 2³² limbs, least significant first): exact
    /// binomials and factorials far beyond u128, as the oracle for the log-gamma path.
    #[derive(Clone, Debug, PartialEq)]
    struct Big(Vec<u32>);

    impl Big {
        fn one() -> Self {
            Big(vec![1])
        }

        fn mul_small(&mut self, factor: u32) {
            let mut carry = 0u64;
            for limb in &mut self.0 {
                let v = u64::from(*limb) * u64::from(factor) + carry;
                *limb = v as u32;
                carry = v >> 32;
            }
            if carry > 0 {
                self.0.push(carry as u32);
            }
        }

        /// Divides by `divisor`, asserting the division is exact.
        fn div_exact(&mut self, divisor: u32) {
            let mut remainder = 0u64;
            for limb in self.0.iter_mut().rev() {
                let v = (remainder << 32) | u64::from(*limb);
                *limb = (v / u64::from(divisor)) as u32;
                remainder = v % u64::from(divisor);
            }
            assert_eq!(remainder, 0, "inexact division by {divisor}");
            while self.0.len() > 1 && *self.0.last().unwrap() == 0 {
                self.0.pop();
            }
        }

        /// log₂ from the top 64 bits (relative error ~2⁻⁶⁴ of the value, far below 1e-9 of its log).
        fn log2(&self) -> f64 {
            let n = self.0.len();
            let top = if n >= 2 {
                (u64::from(self.0[n - 1]) << 32) | u64::from(self.0[n - 2])
            } else {
                u64::from(self.0[0])
            };
            (top as f64).log2() + 32.0 * (n.saturating_sub(2)) as f64
        }
    }

    /// C(n, k) exactly: the running product C(n, i+1) = C(n, i)·(n−i)/(i+1) stays integral.
    fn big_binomial(n: u32, k: u32) -> Big {
        let mut value = Big::one();
        for i in 0..k {
            value.mul_small(n - i);
            value.div_exact(i + 1);
        }
        value
    }

    #[test]
    fn big_integers_agree_with_u128() {
        for (n, k) in [(10u32, 3u32), (60, 30), (120, 20), (4950, 8)] {
            let big = big_binomial(n, k);
            let small = exact_binomial(u128::from(n), u128::from(k));
            let limbs: Vec<u32> = (0..4).map(|l| (small >> (32 * l)) as u32).collect();
            let mut trimmed = limbs.clone();
            while trimmed.len() > 1 && *trimmed.last().unwrap() == 0 {
                trimmed.pop();
            }
            assert_eq!(big.0, trimmed, "C({n},{k})");
        }
    }

    #[test]
    fn log_gamma_counts_match_exact_big_integers_to_1e9() {
        // 2-AND classes C(C(m,2), m′) over a grid of small sizes, including the largest a
        // 2-core test can afford (C(8128, 4000) has ~8000 bits).
        for m in [4u32, 6, 10, 17, 40, 128] {
            let pairs = m * (m - 1) / 2;
            for m_prime in [1u32, 2, 3, 5, 8, 16, 64, 500, 4000] {
                if m_prime > pairs {
                    continue;
                }
                let exact = big_binomial(pairs, m_prime).log2();
                let got = log2_and2_instances(u64::from(m), u64::from(m_prime));
                let tolerance = 1e-9 * exact.max(1.0);
                assert!(
                    (got - exact).abs() <= tolerance,
                    "m = {m}, m′ = {m_prime}: {got} vs {exact}"
                );
            }
        }
        // Neural Permutation m′! up to 1000!.
        let mut factorial = Big::one();
        for m_prime in 1u32..=1000 {
            factorial.mul_small(m_prime);
            if m_prime % 37 == 0 || m_prime <= 20 || m_prime == 1000 {
                let exact = factorial.log2();
                let got = log2_permutation_instances(u64::from(m_prime));
                assert!(
                    (got - exact).abs() <= 1e-9 * exact.max(1.0),
                    "{m_prime}!: {got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn parameter_bound_and_capacity_by_hand() {
        // C(C(4,2),2) = C(6,2) = 15: at 2 bits per parameter, 15 instances need log₂15/2 parameters.
        assert!((parameter_lower_bound(log2_and2_instances(4, 2), 2.0) - 15f64.log2() / 2.0).abs() < 1e-12);
        // m′ = m: C(3,3) = 1 (0 bits), C(6,4) = 15 (3.91 bits), C(10,5) = 252 (7.98 bits),
        // C(15,6) = 5005 (12.29 bits), C(21,7) = 116280 (16.83 bits).
        assert_eq!(and2_capacity(0.0), 3);
        assert_eq!(and2_capacity(3.9), 3);
        assert_eq!(and2_capacity(4.0), 4); // n = 2, b = 1: n²·b = 4 bits.
        assert_eq!(and2_capacity(8.0), 5);
        assert_eq!(and2_capacity(12.0), 5);
        assert_eq!(and2_capacity(12.3), 6);
        assert_eq!(and2_capacity(17.0), 7);
        // Large budgets: the answer is the last m′ that fits.
        for bits in [1e3, 1e5, 3.7e7] {
            let m = and2_capacity(bits);
            assert!(
                log2_and2_instances(m, m) <= bits && log2_and2_instances(m + 1, m + 1) > bits,
                "{bits}"
            );
        }
        // Shapes: n = 256 → 65536/8 and 65536/64.
        assert!((capacity_upper_shape(256.0) - 8192.0).abs() < 1e-9);
        assert!((capacity_lower_shape(256.0) - 1024.0).abs() < 1e-9);
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
