//! Plain scalar reference implementations: the test oracle and the fallback.
//!
//! Each function here has the same signature, semantics and panics as the dispatched
//! function of the same name at the crate root, and is written to be obviously correct
//! rather than fast. The SIMD kernels reuse the small per-element helpers below for
//! their tails, so "the same operation in the same order" is literally the same code.

use crate::check::{
    assert_bit_indices_fit, assert_columns, assert_relu, assert_set_indices_fit, assert_sets, assert_threshold,
    assert_votes,
};

/// `acc + mult * x` with wrapping i32 arithmetic, the per-element step of the integer
/// accumulate kernels (the SIMD versions wrap identically, lane by lane).
#[inline(always)]
pub(crate) fn mul_add_i32(acc: i32, x: i32, mult: i32) -> i32 {
    acc.wrapping_add(mult.wrapping_mul(x))
}

/// `acc + mult * x` in f32, rounded after the multiply and after the add (no FMA), the
/// per-element step of [`accumulate_columns_f32`].
#[inline(always)]
pub(crate) fn mul_add_f32(acc: f32, x: f32, mult: f32) -> f32 {
    acc + mult * x
}

/// `acc * mul - coef * scale` computed exactly in i64.
///
/// Exact because each product of two i32 lies in [-2^62 + 2^31, 2^62], so the
/// difference lies in [-2^63 + 2^31, 2^63 - 2^31].
#[inline(always)]
pub(crate) fn affine(acc: i32, mul: i32, coef: i32, scale: i32) -> i64 {
    i64::from(acc) * i64::from(mul) - i64::from(coef) * i64::from(scale)
}

/// One output word of [`threshold_affine_to_bitset`] for up to 64 rows: bit i is set
/// iff `affine(acc[i], mul, coef[i], scale) >= threshold`; bits past `acc.len()` are 0.
#[inline(always)]
pub(crate) fn threshold_word(acc: &[i32], mul: i32, coef: &[i32], scale: i32, threshold: i32) -> u64 {
    debug_assert!(acc.len() <= 64 && acc.len() == coef.len());
    let mut word = 0u64;
    for (i, (&a, &c)) in acc.iter().zip(coef).enumerate() {
        if affine(a, mul, c, scale) >= i64::from(threshold) {
            word |= 1 << i;
        }
    }
    word
}

/// `max(0, affine(acc, mul, coef, scale) + bias)`, the bias added with wrapping i64
/// arithmetic (it cannot wrap while |bias| < 2^31).
#[inline(always)]
pub(crate) fn relu_affine_one(acc: i32, mul: i32, coef: i32, scale: i32, bias: i64) -> i64 {
    affine(acc, mul, coef, scale).wrapping_add(bias).max(0)
}

/// Scalar reference of [`crate::accumulate_columns_u8`]; same contract and panics.
pub fn accumulate_columns_u8(matrix: &[u8], rows: usize, columns: &[(u32, i32)], out: &mut [i32]) {
    assert_columns(matrix.len(), rows, columns, out.len());
    for &(c, mult) in columns {
        let column = &matrix[c as usize * rows..][..rows];
        for (o, &x) in out.iter_mut().zip(column) {
            *o = mul_add_i32(*o, i32::from(x), mult);
        }
    }
}

/// Scalar reference of [`crate::accumulate_columns_u16`]; same contract and panics.
pub fn accumulate_columns_u16(matrix: &[u16], rows: usize, columns: &[(u32, i32)], out: &mut [i32]) {
    assert_columns(matrix.len(), rows, columns, out.len());
    for &(c, mult) in columns {
        let column = &matrix[c as usize * rows..][..rows];
        for (o, &x) in out.iter_mut().zip(column) {
            *o = mul_add_i32(*o, i32::from(x), mult);
        }
    }
}

/// Scalar reference of [`crate::accumulate_columns_f32`]; same contract and panics.
pub fn accumulate_columns_f32(matrix: &[f32], rows: usize, columns: &[(u32, f32)], out: &mut [f32]) {
    assert_columns(matrix.len(), rows, columns, out.len());
    for &(c, mult) in columns {
        let column = &matrix[c as usize * rows..][..rows];
        for (o, &x) in out.iter_mut().zip(column) {
            *o = mul_add_f32(*o, x, mult);
        }
    }
}

/// Scalar reference of [`crate::threshold_affine_to_bitset`]; same contract and panics.
pub fn threshold_affine_to_bitset(
    acc: &[i32],
    mul: i32,
    coef: &[i32],
    scale: i32,
    threshold: i32,
    out: &mut [u64],
) -> usize {
    assert_threshold(acc.len(), coef.len(), out.len());
    let mut ones = 0;
    for ((word, a), c) in out.iter_mut().zip(acc.chunks(64)).zip(coef.chunks(64)) {
        *word = threshold_word(a, mul, c, scale, threshold);
        ones += word.count_ones() as usize;
    }
    ones
}

/// Scalar reference of [`crate::relu_affine`]; same contract and panics.
pub fn relu_affine(acc: &[i32], mul: i32, coef: &[i32], scale: i32, bias: i64, out: &mut [i64]) {
    assert_relu(acc.len(), coef.len(), out.len());
    for ((o, &a), &c) in out.iter_mut().zip(acc).zip(coef) {
        *o = relu_affine_one(a, mul, c, scale, bias);
    }
}

/// Scalar reference of [`crate::bitset_ones`].
pub fn bitset_ones(bits: &[u64], out: &mut Vec<u32>) {
    assert_bit_indices_fit(bits.len());
    for (w, &word) in bits.iter().enumerate() {
        let mut rest = word;
        while rest != 0 {
            out.push((w * 64) as u32 + rest.trailing_zeros());
            rest &= rest - 1;
        }
    }
}

/// Scalar reference of [`crate::popcount`].
pub fn popcount(bits: &[u64]) -> u64 {
    bits.iter().map(|w| u64::from(w.count_ones())).sum()
}

/// Scalar reference of [`crate::count_votes_gather`]; same contract and panics
/// (here an out-of-range code panics through slice indexing).
pub fn count_votes_gather(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) {
    assert_votes(codes.len(), t, out.len());
    for (j, o) in out.iter_mut().enumerate() {
        let mut votes = 0u16;
        for &code in &codes[j * t..(j + 1) * t] {
            debug_assert!((code as usize) < bits.len() * 64, "code {code} out of range");
            votes += (bits[code as usize / 64] >> (code % 64) & 1) as u16;
        }
        *o = votes;
    }
}

/// Scalar reference of [`crate::count_covered_subsets`]; same contract and panics.
pub fn count_covered_subsets(sets: &[u64], words: usize, mask: &[u64]) -> usize {
    assert_sets(sets.len(), words, mask.len());
    sets.chunks_exact(words).filter(|set| is_subset(set, mask)).count()
}

/// Scalar reference of [`crate::covered_subsets_into`]; same contract and panics.
pub fn covered_subsets_into(sets: &[u64], words: usize, mask: &[u64], out: &mut Vec<u32>) {
    assert_sets(sets.len(), words, mask.len());
    assert_set_indices_fit(sets.len() / words);
    for (i, set) in sets.chunks_exact(words).enumerate() {
        if is_subset(set, mask) {
            out.push(i as u32);
        }
    }
}

fn is_subset(set: &[u64], mask: &[u64]) -> bool {
    set.iter().zip(mask).all(|(s, m)| s & !m == 0)
}
