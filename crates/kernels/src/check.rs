//! Argument checks shared by the dispatched functions and the scalar references, so
//! that both panic on exactly the same inputs with the same message. The SIMD kernels
//! rely on these checks for memory safety.

/// Panics unless `out_len == rows` and every listed column lies inside the matrix.
#[track_caller]
#[inline]
pub(crate) fn assert_columns<M>(matrix_len: usize, rows: usize, columns: &[(u32, M)], out_len: usize) {
    assert_eq!(out_len, rows, "accumulate_columns: out.len() != rows");
    // With rows == 0 nothing is read, so any column index is harmless.
    let matrix_columns = matrix_len.checked_div(rows).unwrap_or(usize::MAX);
    assert!(
        columns.iter().all(|&(c, _)| (c as usize) < matrix_columns),
        "accumulate_columns: a column index is >= matrix.len() / rows = {matrix_columns}"
    );
}

/// Panics unless `codes_len == out_len * t` and `t <= u16::MAX`.
#[track_caller]
#[inline]
pub(crate) fn assert_votes(codes_len: usize, t: usize, out_len: usize) {
    assert!(t <= usize::from(u16::MAX), "count_votes_gather: t = {t} > u16::MAX");
    assert_eq!(
        Some(codes_len),
        out_len.checked_mul(t),
        "count_votes_gather: codes.len() != out.len() * t"
    );
}

/// Panics unless `words >= 1`, `mask_len == words` and `words` divides `sets_len`.
#[track_caller]
#[inline]
pub(crate) fn assert_sets(sets_len: usize, words: usize, mask_len: usize) {
    assert!(words >= 1, "covered subsets: words must be at least 1");
    assert_eq!(mask_len, words, "covered subsets: mask.len() != words");
    assert_eq!(
        sets_len % words,
        0,
        "covered subsets: sets.len() is not a multiple of words"
    );
}

/// Panics unless every set index below `n_sets` fits in a u32.
#[track_caller]
#[inline]
pub(crate) fn assert_set_indices_fit(n_sets: usize) {
    assert!(
        n_sets <= 1 << 32,
        "covered_subsets_into: {n_sets} sets do not have u32 indices"
    );
}

/// Panics unless every bit index of a bitset of `words` words fits in a u32.
#[track_caller]
#[inline]
pub(crate) fn assert_bit_indices_fit(words: usize) {
    assert!(
        words <= 1 << 26,
        "bitset_ones: {words} words have bit indices beyond u32"
    );
}

/// Panics unless `coef_len == acc_len` and `out_len == acc_len.div_ceil(64)`.
#[track_caller]
#[inline]
pub(crate) fn assert_threshold(acc_len: usize, coef_len: usize, out_len: usize) {
    assert_eq!(coef_len, acc_len, "threshold_affine_to_bitset: coef.len() != acc.len()");
    assert_eq!(
        out_len,
        acc_len.div_ceil(64),
        "threshold_affine_to_bitset: out.len() != acc.len().div_ceil(64)"
    );
}

/// Panics unless `coef_len == acc_len == out_len`.
#[track_caller]
#[inline]
pub(crate) fn assert_relu(acc_len: usize, coef_len: usize, out_len: usize) {
    assert_eq!(coef_len, acc_len, "relu_affine: coef.len() != acc.len()");
    assert_eq!(out_len, acc_len, "relu_affine: out.len() != acc.len()");
}
