//! The failure-probability bound of AS-2AND's analysis: per code neuron, per decoded output,
//! union bound over outputs (no randomness here: formulas only).
//!
//! # Setting
//! m inputs, m′ random pairs, input code C_in: t = t_in-subsets of n_in neurons, output code
//! C_out: s = t_out-subsets of the n hidden neurons, vote threshold v = ⌈τ·s⌉, centering on.
//! A sample switches on k inputs A: P = ⌊k/2⌋ planted pairs of the instance, the rest uniform
//! (the `Planted` distribution every check measures). Probabilities are over the random
//! instance, codes and sample — the construction's randomness — at the given parameters.
//!
//! # One code neuron
//! Row r fires when h_r ≥ ½, i.e. z_r ≥ 3/2 with z_r = Σ_q (A\[r,q\]/t − |S_r|/n_in)·u_q. Split
//! z_r = σ_r + ν_r: the **signal** σ_r = |A ∩ S_r| (each active input of S_r adds exactly
//! |C_in(i)|/t = 1) and the **noise** ν_r = Σ_{i ∈ A} Σ_{i′ ∈ S_r∖{i}} (|C_in(i) ∩ C_in(i′)|/t) −
//! k·|S_r|·t/n_in, a sum of code overlaps minus the centering term that removes its mean.
//!
//! Let h be the number of *other* pairs hosted on r besides the output j under study:
//! h ~ Bin(m′ − 1, s/n), and |S_r| ≤ 2 + 2h. An active input i lies in S_r through another
//! hosted pair with probability ≤ h·d̄/(m′ − 1), where d̄ = 1 + 2m′/m bounds the expected
//! number of pairs containing i (its own planted pair plus ~2m′/m others, size-biased).
//! - Signal (union bounds): with no endpoint of j active,
//!   P(σ ≥ 2) ≤ P·h/(m′−1) + (C(k,2) − P)·(m′/C(m,2))·h/(m′−1) + C(k,2)·(h·d̄/(m′−1))² (a planted
//!   or other instance pair of A hosted on r, or two active inputs through two hosted pairs)
//!   and P(σ ≥ 1) ≤ k·h·d̄/(m′−1); with one endpoint active, σ ≥ 1 already and
//!   P(σ ≥ 2) ≤ (k−1)·h·d̄/(m′−1).
//! - Noise: ν_r splits into a **common** part, the overlaps of j's own endpoints a_j, b_j with
//!   the active codes — the same in every row of C_out(j), since both endpoints lie in every
//!   such S_r — and a **row-specific** part, the overlaps of the other members of S_r. Each is
//!   a count of code-neuron coincidences, each with probability p = t/n_in: Y ~ Bin(2·k·t, p)
//!   (common) and T_r ~ Bin(N_r, p) with N_r = k·2h·t (specific), so
//!   ν_r = (Y − E Y)/t + (T_r − E T_r)/t − σ·t/n_in (the last term: an active member's overlap
//!   with itself is signal, not noise, yet centering removes its mean). Sampling t-subsets
//!   without replacement only concentrates these counts (Hoeffding 1963); treating the
//!   coincidences of different pairs (i, i′) as independent is the analysis' approximation.
//!   Tails by Chernoff: P(T ≥ E T + a) ≤ exp(−N·D(p + a/N ‖ p)),
//!   P(T ≤ E T − a) ≤ exp(−N·D(p − a/N ‖ p)), D the binary relative entropy. Both grow with N,
//!   so N_r at |S_r| = 2 + 2h bounds every smaller S_r.
//!
//! Per row, given the common shift c = (Y − E Y)/t and mixing over h (given h, signal and
//! specific noise come from independent randomness — the instance and the codes):
//! - f₀(c) = P(row fires | j off, no endpoint active)
//!   ≤ E_h min(1, P(σ≥2) + P(σ≥1)·P(ν′ ≥ ½ − c) + P(ν′ ≥ 3/2 − c)),
//! - f₁(c) = P(row fires | j off, one endpoint active) ≤ E_h min(1, P(σ≥2) + P(ν′ ≥ ½ − c)),
//! - g(c)  = P(row silent | j on; σ ≥ 2) ≤ E_h min(1, P(ν′ < −½ − c + k·t/n_in)),
//!
//! with ν′ the specific part. The h-tail beyond a ±40σ window is counted as probability 1.
//!
//! # One decoded output
//! Given c, output j's s code rows are treated as independent (they host different random
//! pairs; this is the second approximation, and the one the experiment tests). Chernoff on the
//! vote count, then the mixture over the common overlap Y:
//! P(false positive) ≤ E_Y exp(−s·D(v/s ‖ f(c))) (1 where f(c) ≥ v/s),
//! P(false negative) ≤ E_Y exp(−s·D((s−v+1)/s ‖ g(c))).
//!
//! A first version of this analysis treated the whole noise as row-specific. It was checked
//! against the quick run: one network (m′ = 128, n = 1024, t = 7) measured 13/200 failures
//! against a bound of 0.057 — not significant, but it pointed at the omission: an endpoint's
//! code overlap with the active codes pushes all of its output's rows at once. The common term
//! above is that correction; the criterion of the check did not change.
//!
//! # Union bound over outputs
//! A sample fails if any output is wrong:
//! P(fail) ≤ E#on·FN + E#half·FP(f₁) + m′·FP(f₀), with E#on ≤ P + (C(k,2) − P)·m′/C(m,2) and
//! E#half ≤ k·d̄ (outputs with an endpoint active). The bound can exceed 1 (vacuous); it is
//! reported raw.

use serde::{Deserialize, Serialize};

use crate::theory::ln_gamma;

/// The construction's parameters the bound depends on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundInputs {
    /// m, inputs.
    pub inputs: f64,
    /// m′, pairs.
    pub outputs: f64,
    /// n_in, input code width.
    pub input_width: f64,
    /// n, hidden width.
    pub hidden_width: f64,
    /// t_in.
    pub t_in: f64,
    /// t_out = s.
    pub t_out: f64,
    /// τ, the vote fraction.
    pub tau: f64,
    /// k, active inputs per sample.
    pub k: f64,
}

/// The bound and its intermediate terms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FailureBound {
    /// f₀ at the mean common overlap: a code row of an output with no endpoint active fires.
    pub row_fire_off: f64,
    /// f₁ at the mean common overlap: a code row of an output with one endpoint active fires.
    pub row_fire_half: f64,
    /// g at the mean common overlap: a code row of an on output stays silent.
    pub row_miss: f64,
    /// Per output: false positive, no endpoint active.
    pub output_fp_off: f64,
    /// Per output: false positive, one endpoint active.
    pub output_fp_half: f64,
    /// Per output: false negative.
    pub output_fn: f64,
    /// Expected on outputs per sample (bound).
    pub on_outputs: f64,
    /// Expected outputs with an endpoint active (bound).
    pub half_outputs: f64,
    /// The per-sample failure bound (may exceed 1).
    pub sample: f64,
}

/// Binary relative entropy D(x ‖ p) in nats, 0 < p < 1, 0 ≤ x ≤ 1.
fn kl(x: f64, p: f64) -> f64 {
    let term = |a: f64, b: f64| if a <= 0.0 { 0.0 } else { a * (a / b).ln() };
    term(x, p) + term(1.0 - x, 1.0 - p)
}

/// Chernoff: P(Bin(n, p) ≥ n·p + a) (1 for a ≤ 0).
fn upper_tail(n: f64, p: f64, a: f64) -> f64 {
    if a <= 0.0 {
        return 1.0;
    }
    let x = p + a / n;
    if x > 1.0 { 0.0 } else { (-n * kl(x, p)).exp() }
}

/// Chernoff: P(Bin(n, p) ≤ n·p − a) (1 for a ≤ 0).
fn lower_tail(n: f64, p: f64, a: f64) -> f64 {
    if a <= 0.0 {
        return 1.0;
    }
    let x = p - a / n;
    if x < 0.0 { 0.0 } else { (-n * kl(x, p)).exp() }
}

/// Chernoff: P(Bin(s, f) ≥ need) ≤ exp(−s·D(need/s ‖ f)) when f < need/s, else 1.
fn votes_tail(s: f64, f: f64, need: f64) -> f64 {
    let x = need / s;
    if f >= x {
        1.0
    } else if f <= 0.0 {
        0.0
    } else {
        (-s * kl(x, f)).exp()
    }
}

/// Row probabilities (f₀, f₁, g) given the common shift c (in units of h).
fn row_terms(b: &BoundInputs, common: f64) -> (f64, f64, f64) {
    let (m, mp, k, s) = (b.inputs, b.outputs, b.k, b.t_out);
    let planted = (k / 2.0).floor();
    let pairs_of_active = k * (k - 1.0) / 2.0;
    let pair_density = mp / (m * (m - 1.0) / 2.0);
    let degree = 1.0 + 2.0 * mp / m;
    let others = (mp - 1.0).max(1.0);
    let rho = s / b.hidden_width;
    let p = b.t_in / b.input_width;
    let (mut f0, mut f1, mut g, mut mass) = (0.0, 0.0, 0.0, 0.0);
    let (lo, hi) = binomial_window(mp - 1.0, rho);
    for h in lo..=hi {
        let h = h as f64;
        let weight = binomial_pmf(mp - 1.0, rho, h);
        if weight == 0.0 {
            continue;
        }
        mass += weight;
        let via = (h * degree / others).min(1.0);
        let hosted = h / others;
        let sigma2_off =
            planted * hosted + (pairs_of_active - planted) * pair_density * hosted + pairs_of_active * via * via;
        let sigma1_off = (k * via).min(1.0);
        let sigma2_half = (k - 1.0) * via;
        let trials = k * 2.0 * h * b.t_in;
        let up = |x: f64| upper_tail(trials, p, (x - common) * b.t_in);
        let down = |x: f64| lower_tail(trials, p, (x + common - k * b.t_in / b.input_width) * b.t_in);
        f0 += weight * (sigma2_off + sigma1_off * up(0.5) + up(1.5)).min(1.0);
        f1 += weight * (sigma2_half + up(0.5)).min(1.0);
        g += weight * down(0.5).min(1.0);
    }
    let outside = (1.0 - mass).max(0.0);
    ((f0 + outside).min(1.0), (f1 + outside).min(1.0), (g + outside).min(1.0))
}

/// Evaluates the bound (see the module documentation for the derivation).
pub fn and2_failure_bound(b: &BoundInputs) -> FailureBound {
    let (m, mp, k, s) = (b.inputs, b.outputs, b.k, b.t_out);
    let planted = (k / 2.0).floor();
    let pairs_of_active = k * (k - 1.0) / 2.0;
    let pair_density = mp / (m * (m - 1.0) / 2.0);
    let degree = 1.0 + 2.0 * mp / m;
    let votes = (b.tau * s).ceil().max(1.0);
    let p = b.t_in / b.input_width;
    // The common overlap Y ~ Bin(2·k·t, p) of j's endpoints with the active codes.
    let common_trials = 2.0 * k * b.t_in;
    let (lo, hi) = binomial_window(common_trials, p);
    let (mut fp_off, mut fp_half, mut fn_on, mut mass) = (0.0, 0.0, 0.0, 0.0);
    for y in lo..=hi {
        let y = y as f64;
        let weight = binomial_pmf(common_trials, p, y);
        if weight == 0.0 {
            continue;
        }
        mass += weight;
        let (f0, f1, g) = row_terms(b, (y - common_trials * p) / b.t_in);
        fp_off += weight * votes_tail(s, f0, votes);
        fp_half += weight * votes_tail(s, f1, votes);
        fn_on += weight * votes_tail(s, g, s - votes + 1.0);
    }
    let outside = (1.0 - mass).max(0.0);
    let (output_fp_off, output_fp_half, output_fn) = (
        (fp_off + outside).min(1.0),
        (fp_half + outside).min(1.0),
        (fn_on + outside).min(1.0),
    );
    let (row_fire_off, row_fire_half, row_miss) = row_terms(b, 0.0);
    let on_outputs = planted + (pairs_of_active - planted) * pair_density;
    let half_outputs = k * degree;
    FailureBound {
        row_fire_off,
        row_fire_half,
        row_miss,
        output_fp_off,
        output_fp_half,
        output_fn,
        on_outputs,
        half_outputs,
        sample: on_outputs * output_fn + half_outputs * output_fp_half + mp * output_fp_off,
    }
}

/// The range of h within ±40 standard deviations (+40) of the mean of Bin(n, p).
fn binomial_window(n: f64, p: f64) -> (u64, u64) {
    let mean = n * p;
    let spread = 40.0 * (mean * (1.0 - p)).sqrt() + 40.0;
    let lo = (mean - spread).max(0.0).floor() as u64;
    let hi = (mean + spread).min(n).ceil() as u64;
    (lo, hi)
}

/// P(Bin(n, p) = h) via log-gamma.
fn binomial_pmf(n: f64, p: f64, h: f64) -> f64 {
    if p >= 1.0 {
        return if h == n { 1.0 } else { 0.0 };
    }
    let log = ln_gamma(n + 1.0) - ln_gamma(h + 1.0) - ln_gamma(n - h + 1.0) + h * p.ln() + (n - h) * (1.0 - p).ln();
    log.exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(outputs: f64, width: f64) -> BoundInputs {
        let t = outputs.log2().ceil();
        BoundInputs {
            inputs: outputs,
            outputs,
            input_width: width,
            hidden_width: width,
            t_in: t,
            t_out: t,
            tau: 0.5,
            k: 4.0,
        }
    }

    #[test]
    fn chernoff_tails_bound_exact_binomial_tails() {
        // Exact tails of Bin(40, 0.1) by summation must sit below the Chernoff forms.
        let (n, p) = (40.0f64, 0.1f64);
        let pmf = |h: f64| binomial_pmf(n, p, h);
        for a in [1.0, 3.0, 6.0, 10.0] {
            let exact_up: f64 = (0..=40).map(f64::from).filter(|&h| h >= n * p + a).map(pmf).sum();
            let exact_down: f64 = (0..=40).map(f64::from).filter(|&h| h <= n * p - a).map(pmf).sum();
            assert!(exact_up <= upper_tail(n, p, a) + 1e-15, "a = {a}");
            assert!(exact_down <= lower_tail(n, p, a) + 1e-15, "a = {a}");
        }
        let total: f64 = (0..=40).map(|h| pmf(f64::from(h))).sum();
        assert!((total - 1.0).abs() < 1e-12);
        // Votes: P(Bin(12, 0.2) ≥ 6) = 0.0194; Chernoff gives exp(−12·D(½‖0.2)) = 0.0688.
        let chernoff = votes_tail(12.0, 0.2, 6.0);
        assert!((chernoff - (-12.0 * kl(0.5, 0.2)).exp()).abs() < 1e-15);
        assert!((chernoff - 0.0688).abs() < 1e-3, "{chernoff}");
        assert_eq!(votes_tail(12.0, 0.6, 6.0), 1.0);
    }

    #[test]
    fn bound_falls_with_width_and_is_vacuous_when_starved() {
        let narrow = and2_failure_bound(&inputs(1024.0, 100.0));
        assert!(narrow.sample > 1.0, "{narrow:?}");
        let mut last = f64::INFINITY;
        for width in [400.0, 800.0, 1600.0, 3200.0, 6400.0] {
            let bound = and2_failure_bound(&inputs(1024.0, width));
            assert!(bound.sample < last, "width {width}: {bound:?}");
            last = bound.sample;
        }
        assert!(last < 1e-3, "{last}");
    }

    #[test]
    fn row_terms_by_hand_in_a_noiseless_limit() {
        // Huge n_in makes the noise vanish; with one hosted pair per row on average the
        // signal terms dominate: f₁ ≈ (k−1)·E[h]·d̄/(m′−1) = 3·(s·(m′−1)/n)·d̄/(m′−1).
        let b = BoundInputs {
            inputs: 1000.0,
            outputs: 1000.0,
            input_width: 1e9,
            hidden_width: 10_000.0,
            t_in: 10.0,
            t_out: 10.0,
            tau: 0.5,
            k: 4.0,
        };
        let bound = and2_failure_bound(&b);
        let expected = 3.0 * (10.0 / 10_000.0) * 3.0;
        assert!(
            (bound.row_fire_half - expected).abs() < 1e-3 * expected + 1e-9,
            "{bound:?}"
        );
        assert!(bound.row_miss < 1e-12);
    }
}
