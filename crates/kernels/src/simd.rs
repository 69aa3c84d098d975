//! The vectorised algorithms, written once over the [`Simd`] trait.
//!
//! Each ISA module (`x86_64::avx2`, `x86_64::avx512`) implements [`Simd`] for a
//! zero-sized token type with `#[inline(always)]` methods, and instantiates the
//! functions below inside `#[target_feature]` entry points. Everything here is
//! `#[inline(always)]` so that it is compiled as part of those entry points, with
//! their target features; called anywhere else it would be slow, and unsound on a CPU
//! without the features, hence `unsafe`.
//!
//! Row tails shorter than one vector use the per-element helpers of [`crate::scalar`],
//! so every element goes through the same operations, in the same order, as in the
//! reference.

use crate::scalar;

/// The vector operations the generic kernels need from one instruction set.
///
/// `I32`/`F32` hold [`Simd::LANES32`] 32-bit lanes and `I64` holds [`Simd::LANES64`]
/// 64-bit lanes. "Bits" results put lane i in bit i of a `u64`.
///
/// # Safety
///
/// Every method may only be called from code compiled with the implementing ISA's
/// target features enabled, on a CPU that has them. Pointer arguments must be valid
/// for reading (or writing) the number of elements the method documents; no
/// alignment is required.
pub(crate) trait Simd {
    /// Number of 32-bit lanes in `I32` and `F32`.
    const LANES32: usize;
    /// Number of 64-bit lanes in `I64`; at most 8.
    const LANES64: usize;
    /// A vector of i32 (also used for u32) lanes.
    type I32: Copy;
    /// A vector of f32 lanes.
    type F32: Copy;
    /// A vector of i64 (also used for u64) lanes.
    type I64: Copy;

    /// Every lane set to `x`.
    unsafe fn splat_i32(x: i32) -> Self::I32;
    /// Loads `LANES32` i32.
    unsafe fn load_i32(p: *const i32) -> Self::I32;
    /// Loads the first `n <= LANES32` i32 and zeroes the other lanes, reading only
    /// those `n` elements.
    unsafe fn load_first_i32(p: *const i32, n: usize) -> Self::I32;
    /// Stores `LANES32` i32.
    unsafe fn store_i32(p: *mut i32, v: Self::I32);
    /// Loads `LANES32` bytes, zero-extended to i32 lanes.
    unsafe fn load_u8_as_i32(p: *const u8) -> Self::I32;
    /// Loads `LANES32` u16, zero-extended to i32 lanes.
    unsafe fn load_u16_as_i32(p: *const u16) -> Self::I32;
    /// Lane-wise wrapping add.
    unsafe fn add_i32(a: Self::I32, b: Self::I32) -> Self::I32;
    /// Lane-wise wrapping multiply (low 32 bits of the product).
    unsafe fn mul_i32(a: Self::I32, b: Self::I32) -> Self::I32;
    /// Lane-wise AND.
    unsafe fn and_i32(a: Self::I32, b: Self::I32) -> Self::I32;
    /// All ones in the lanes below `n <= LANES32`, zero above.
    unsafe fn lanes_below(n: usize) -> Self::I32;
    /// Lane-wise logical shift right by 5 (u32 index to word index).
    unsafe fn shr5_u32(a: Self::I32) -> Self::I32;
    /// Lane-wise logical shift right of `a` by the lanes of `count` (each < 32).
    unsafe fn shr_var_u32(a: Self::I32, count: Self::I32) -> Self::I32;
    /// Lane-wise unsigned minimum.
    unsafe fn min_u32(a: Self::I32, b: Self::I32) -> Self::I32;
    /// Lane-wise unsigned maximum.
    unsafe fn max_u32(a: Self::I32, b: Self::I32) -> Self::I32;
    /// Lane i gets `base[index[i]]`; every index must be in bounds of `base`.
    unsafe fn gather_u32(base: *const u32, index: Self::I32) -> Self::I32;
    /// Wrapping sum of the lanes.
    unsafe fn sum_i32(a: Self::I32) -> i32;
    /// Unsigned maximum of the lanes.
    unsafe fn max_lane_u32(a: Self::I32) -> u32;

    /// Every lane set to `x`.
    unsafe fn splat_f32(x: f32) -> Self::F32;
    /// Loads `LANES32` f32.
    unsafe fn load_f32(p: *const f32) -> Self::F32;
    /// Stores `LANES32` f32.
    unsafe fn store_f32(p: *mut f32, v: Self::F32);
    /// Lane-wise IEEE add.
    unsafe fn add_f32(a: Self::F32, b: Self::F32) -> Self::F32;
    /// Lane-wise IEEE multiply.
    unsafe fn mul_f32(a: Self::F32, b: Self::F32) -> Self::F32;

    /// Every lane set to `x`.
    unsafe fn splat_i64(x: i64) -> Self::I64;
    /// Loads `LANES64` i32, sign-extended to i64 lanes.
    unsafe fn load_i32_as_i64(p: *const i32) -> Self::I64;
    /// Loads `LANES64` u64.
    unsafe fn load_u64(p: *const u64) -> Self::I64;
    /// Loads the first `n <= LANES64` u64 and zeroes the other lanes, reading only
    /// those `n` elements.
    unsafe fn load_first_u64(p: *const u64, n: usize) -> Self::I64;
    /// Stores `LANES64` i64.
    unsafe fn store_i64(p: *mut i64, v: Self::I64);
    /// Lane-wise exact i64 product of the low 32 bits of each lane, read as i32.
    unsafe fn mul_low_i32_i64(a: Self::I64, b: Self::I64) -> Self::I64;
    /// Lane-wise wrapping add.
    unsafe fn add_i64(a: Self::I64, b: Self::I64) -> Self::I64;
    /// Lane-wise wrapping subtract.
    unsafe fn sub_i64(a: Self::I64, b: Self::I64) -> Self::I64;
    /// Lane-wise `max(a, 0)`.
    unsafe fn max0_i64(a: Self::I64) -> Self::I64;
    /// Lane-wise `b & !a`.
    unsafe fn andnot_i64(a: Self::I64, b: Self::I64) -> Self::I64;
    /// Lane-wise OR.
    unsafe fn or_i64(a: Self::I64, b: Self::I64) -> Self::I64;
    /// Bit i set iff lane i of `a` is greater than lane i of `b` (signed).
    unsafe fn gt_bits_i64(a: Self::I64, b: Self::I64) -> u64;
    /// Bit i set iff lane i is zero.
    unsafe fn zero_bits_i64(a: Self::I64) -> u64;
    /// Whether every lane is zero.
    unsafe fn is_zero_i64(a: Self::I64) -> bool;
}

/// How many matrix columns one pass over `out` accumulates: each pass loads and
/// stores `out` once, so larger groups cut that traffic, while 4 column pointers and
/// multipliers still fit in registers next to the accumulator.
const COLUMNS_PER_PASS: usize = 4;

/// A matrix element type that the accumulate kernels widen to the output type.
pub(crate) trait ColumnElement<S: Simd>: Copy {
    /// Output element (and multiplier) type.
    type Out: Copy;
    /// Vector of `S::LANES32` outputs.
    type OutV: Copy;
    /// Loads `S::LANES32` matrix elements, widened to output lanes.
    unsafe fn load_column(p: *const Self) -> Self::OutV;
    /// Loads `S::LANES32` outputs.
    unsafe fn load_out(p: *const Self::Out) -> Self::OutV;
    /// Stores `S::LANES32` outputs.
    unsafe fn store_out(p: *mut Self::Out, v: Self::OutV);
    /// Every lane set to `m`.
    unsafe fn splat(m: Self::Out) -> Self::OutV;
    /// Lane-wise `acc + mult * x`, exactly the scalar [`ColumnElement::mul_add_one`].
    unsafe fn mul_add(acc: Self::OutV, x: Self::OutV, mult: Self::OutV) -> Self::OutV;
    /// The reference per-element step `acc + mult * x`.
    fn mul_add_one(acc: Self::Out, x: Self, mult: Self::Out) -> Self::Out;
}

impl<S: Simd> ColumnElement<S> for u8 {
    type Out = i32;
    type OutV = S::I32;
    #[inline(always)]
    unsafe fn load_column(p: *const u8) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::load_u8_as_i32(p) }
    }
    #[inline(always)]
    unsafe fn load_out(p: *const i32) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::load_i32(p) }
    }
    #[inline(always)]
    unsafe fn store_out(p: *mut i32, v: S::I32) {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::store_i32(p, v) }
    }
    #[inline(always)]
    unsafe fn splat(m: i32) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::splat_i32(m) }
    }
    #[inline(always)]
    unsafe fn mul_add(acc: S::I32, x: S::I32, mult: S::I32) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::add_i32(acc, S::mul_i32(mult, x)) }
    }
    #[inline(always)]
    fn mul_add_one(acc: i32, x: u8, mult: i32) -> i32 {
        scalar::mul_add_i32(acc, i32::from(x), mult)
    }
}

impl<S: Simd> ColumnElement<S> for u16 {
    type Out = i32;
    type OutV = S::I32;
    #[inline(always)]
    unsafe fn load_column(p: *const u16) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::load_u16_as_i32(p) }
    }
    #[inline(always)]
    unsafe fn load_out(p: *const i32) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::load_i32(p) }
    }
    #[inline(always)]
    unsafe fn store_out(p: *mut i32, v: S::I32) {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::store_i32(p, v) }
    }
    #[inline(always)]
    unsafe fn splat(m: i32) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::splat_i32(m) }
    }
    #[inline(always)]
    unsafe fn mul_add(acc: S::I32, x: S::I32, mult: S::I32) -> S::I32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::add_i32(acc, S::mul_i32(mult, x)) }
    }
    #[inline(always)]
    fn mul_add_one(acc: i32, x: u16, mult: i32) -> i32 {
        scalar::mul_add_i32(acc, i32::from(x), mult)
    }
}

impl<S: Simd> ColumnElement<S> for f32 {
    type Out = f32;
    type OutV = S::F32;
    #[inline(always)]
    unsafe fn load_column(p: *const f32) -> S::F32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::load_f32(p) }
    }
    #[inline(always)]
    unsafe fn load_out(p: *const f32) -> S::F32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::load_f32(p) }
    }
    #[inline(always)]
    unsafe fn store_out(p: *mut f32, v: S::F32) {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::store_f32(p, v) }
    }
    #[inline(always)]
    unsafe fn splat(m: f32) -> S::F32 {
        // SAFETY: forwarded from this method's contract.
        unsafe { S::splat_f32(m) }
    }
    #[inline(always)]
    unsafe fn mul_add(acc: S::F32, x: S::F32, mult: S::F32) -> S::F32 {
        // Separate multiply and add, each rounded, as in `scalar::mul_add_f32`.
        // SAFETY: forwarded from this method's contract.
        unsafe { S::add_f32(acc, S::mul_f32(mult, x)) }
    }
    #[inline(always)]
    fn mul_add_one(acc: f32, x: f32, mult: f32) -> f32 {
        scalar::mul_add_f32(acc, x, mult)
    }
}

/// `out[r] += mult * matrix[c * rows + r]` for each `(c, mult)` in `columns`, in order.
///
/// # Safety
///
/// [`Simd`]'s contract, and the arguments must pass `scalar::assert_columns`.
#[inline(always)]
pub(crate) unsafe fn accumulate_columns<S: Simd, T: ColumnElement<S>>(
    matrix: &[T],
    rows: usize,
    columns: &[(u32, T::Out)],
    out: &mut [T::Out],
) {
    let (groups, rest) = columns.as_chunks::<COLUMNS_PER_PASS>();
    for group in groups {
        // SAFETY: forwarded from this function's contract.
        unsafe { accumulate_pass::<S, T, COLUMNS_PER_PASS>(matrix, rows, group, out) };
    }
    match *rest {
        [] => {}
        // SAFETY: forwarded from this function's contract.
        [a] => unsafe { accumulate_pass::<S, T, 1>(matrix, rows, &[a], out) },
        // SAFETY: forwarded from this function's contract.
        [a, b] => unsafe { accumulate_pass::<S, T, 2>(matrix, rows, &[a, b], out) },
        // SAFETY: forwarded from this function's contract.
        [a, b, c] => unsafe { accumulate_pass::<S, T, 3>(matrix, rows, &[a, b, c], out) },
        _ => unreachable!("as_chunks leaves fewer than COLUMNS_PER_PASS columns"),
    }
}

/// One pass over `out` adding the `N` columns of `group`, in order, to every row.
///
/// # Safety
///
/// As [`accumulate_columns`].
#[inline(always)]
unsafe fn accumulate_pass<S: Simd, T: ColumnElement<S>, const N: usize>(
    matrix: &[T],
    rows: usize,
    group: &[(u32, T::Out); N],
    out: &mut [T::Out],
) {
    let lanes = S::LANES32;
    let mut starts = [0usize; N];
    // SAFETY: `Simd`'s contract is forwarded from the caller.
    let mut mults = [unsafe { T::splat(group[0].1) }; N];
    for ((start, mult), &(c, m)) in starts.iter_mut().zip(&mut mults).zip(group) {
        *start = c as usize * rows;
        // SAFETY: as above.
        *mult = unsafe { T::splat(m) };
    }
    let src = matrix.as_ptr();
    let dst = out.as_mut_ptr();
    let mut r = 0;
    while r + lanes <= rows {
        // SAFETY: r + lanes <= rows == out.len(), and each column start + rows is at
        // most matrix.len() (checked by `assert_columns`), so every access is in bounds.
        unsafe {
            let mut acc = T::load_out(dst.add(r));
            for (&start, &mult) in starts.iter().zip(&mults) {
                acc = T::mul_add(acc, T::load_column(src.add(start + r)), mult);
            }
            T::store_out(dst.add(r), acc);
        }
        r += lanes;
    }
    for r in r..rows {
        let mut acc = out[r];
        for (&start, &(_, m)) in starts.iter().zip(group) {
            acc = T::mul_add_one(acc, matrix[start + r], m);
        }
        out[r] = acc;
    }
}

/// Sets bit r of `out` iff `acc[r] * mul - coef[r] * scale >= threshold` (exact, i64);
/// returns the number of set bits.
///
/// # Safety
///
/// [`Simd`]'s contract; `coef.len() == acc.len()` and
/// `out.len() == acc.len().div_ceil(64)`.
#[inline(always)]
pub(crate) unsafe fn threshold_affine_to_bitset<S: Simd>(
    acc: &[i32],
    mul: i32,
    coef: &[i32],
    scale: i32,
    threshold: i32,
    out: &mut [u64],
) -> usize {
    let full_words = acc.len() / 64;
    // SAFETY: the caller guarantees the lengths, and every load reads
    // LANES64 elements at row w * 64 + i with i + LANES64 <= 64, inside a full word.
    unsafe {
        let vmul = S::splat_i64(mul.into());
        let vscale = S::splat_i64(scale.into());
        // `v > threshold - 1` is `v >= threshold`; no overflow since threshold is i32.
        let below = S::splat_i64(i64::from(threshold) - 1);
        let mut ones = 0;
        for (w, word_out) in out.iter_mut().enumerate().take(full_words) {
            let mut word = 0u64;
            let mut i = 0;
            while i < 64 {
                let r = w * 64 + i;
                let a = S::load_i32_as_i64(acc.as_ptr().add(r));
                let c = S::load_i32_as_i64(coef.as_ptr().add(r));
                let v = S::sub_i64(S::mul_low_i32_i64(a, vmul), S::mul_low_i32_i64(c, vscale));
                word |= S::gt_bits_i64(v, below) << i;
                i += S::LANES64;
            }
            *word_out = word;
            ones += word.count_ones() as usize;
        }
        if let Some(last) = out.get_mut(full_words) {
            let r = full_words * 64;
            *last = scalar::threshold_word(&acc[r..], mul, &coef[r..], scale, threshold);
            ones += last.count_ones() as usize;
        }
        ones
    }
}

/// `out[r] = max(0, acc[r] * mul - coef[r] * scale + bias)` in i64.
///
/// # Safety
///
/// [`Simd`]'s contract; `coef.len() == acc.len() == out.len()`.
#[inline(always)]
pub(crate) unsafe fn relu_affine<S: Simd>(acc: &[i32], mul: i32, coef: &[i32], scale: i32, bias: i64, out: &mut [i64]) {
    let n = acc.len();
    let mut r = 0;
    // SAFETY: the caller guarantees equal lengths and r + LANES64 <= n.
    unsafe {
        let vmul = S::splat_i64(mul.into());
        let vscale = S::splat_i64(scale.into());
        let vbias = S::splat_i64(bias);
        while r + S::LANES64 <= n {
            let a = S::load_i32_as_i64(acc.as_ptr().add(r));
            let c = S::load_i32_as_i64(coef.as_ptr().add(r));
            let v = S::sub_i64(S::mul_low_i32_i64(a, vmul), S::mul_low_i32_i64(c, vscale));
            S::store_i64(out.as_mut_ptr().add(r), S::max0_i64(S::add_i64(v, vbias)));
            r += S::LANES64;
        }
    }
    for r in r..n {
        out[r] = scalar::relu_affine_one(acc[r], mul, coef[r], scale, bias);
    }
}

/// For each output j, counts the codes in `codes[j*t..(j+1)*t]` whose bit is set in
/// `bits`; returns the largest code seen (0 if none) so the caller can check range.
///
/// Codes out of range do not cause out-of-bounds reads: gather word indices are
/// clamped to the last word of `bits` (the count is then meaningless, and the caller
/// panics on the returned maximum).
///
/// # Safety
///
/// [`Simd`]'s contract; `codes.len() == out.len() * t`, `t <= u16::MAX`, and
/// `bits` is non-empty if `codes` is.
#[inline(always)]
pub(crate) unsafe fn count_votes_gather<S: Simd>(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) -> u32 {
    if codes.is_empty() {
        out.fill(0);
        return 0;
    }
    let lanes = S::LANES32;
    let full = t / lanes * lanes;
    let tail = t - full;
    let words = bits.as_ptr().cast::<u32>();
    // Any code >> 5 is below 2^27, so the clamped index always fits the gather's i32.
    let last_word = (bits.len() * 2 - 1).min(u32::MAX as usize >> 5) as i32;
    // SAFETY: the caller guarantees the lengths, so set j's codes are
    // codes[j*t..(j+1)*t] and each load stays inside them; `bits` is non-empty and
    // gather indices are clamped to its last u32 word. Reading u64 words as pairs of
    // u32 is valid (x86_64 is little-endian, so bit i is bit i % 32 of u32 i / 32).
    unsafe {
        let vlast = S::splat_i32(last_word);
        let low5 = S::splat_i32(31);
        let one = S::splat_i32(1);
        let tail_lanes = S::lanes_below(tail);
        let mut largest = S::splat_i32(0);
        for (j, o) in out.iter_mut().enumerate() {
            let set = codes.as_ptr().add(j * t).cast::<i32>();
            let mut count = S::splat_i32(0);
            let mut i = 0;
            while i < full {
                let code = S::load_i32(set.add(i));
                largest = S::max_u32(largest, code);
                count = S::add_i32(count, vote::<S>(code, words, vlast, low5, one));
                i += lanes;
            }
            if tail > 0 {
                // Lanes past the tail load as code 0: harmless, and masked out.
                let code = S::load_first_i32(set.add(full), tail);
                largest = S::max_u32(largest, code);
                let votes = vote::<S>(code, words, vlast, low5, one);
                count = S::add_i32(count, S::and_i32(votes, tail_lanes));
            }
            *o = S::sum_i32(count) as u16;
        }
        S::max_lane_u32(largest)
    }
}

/// Lane-wise bit `code` of the bitset at `words` (1 or 0), the word index clamped to
/// `last` (splatted); `low5` and `one` are splatted 31 and 1.
///
/// # Safety
///
/// [`Simd`]'s contract; `words` is valid for reading `last + 1` u32.
#[inline(always)]
unsafe fn vote<S: Simd>(code: S::I32, words: *const u32, last: S::I32, low5: S::I32, one: S::I32) -> S::I32 {
    // SAFETY: the clamped index is at most `last`, in bounds by the contract.
    unsafe {
        let word = S::gather_u32(words, S::min_u32(S::shr5_u32(code), last));
        S::and_i32(S::shr_var_u32(word, S::and_i32(code, low5)), one)
    }
}

/// Receives the covered sets found by [`covered_subsets`].
pub(crate) trait CoveredSink {
    /// Sets `first..first + count` were examined; set `first + j` is covered iff bit
    /// `j * stride` of `bits` is set (no other bits are set).
    fn covered(&mut self, first: usize, count: usize, bits: u64, stride: usize);
}

/// Counts covered sets.
impl CoveredSink for usize {
    #[inline(always)]
    fn covered(&mut self, _first: usize, _count: usize, bits: u64, _stride: usize) {
        *self += bits.count_ones() as usize;
    }
}

/// Appends covered set indices (the caller checked that they fit in u32).
impl CoveredSink for Vec<u32> {
    #[inline(always)]
    fn covered(&mut self, first: usize, count: usize, bits: u64, stride: usize) {
        // Branch-free: write every examined index into spare capacity and advance the
        // length only past covered ones (a data-dependent branch per set mispredicts
        // often, since coverage is close to random).
        self.reserve(count);
        let mut len = self.len();
        let dst = self.as_mut_ptr();
        for j in 0..count {
            // SAFETY: len <= old length + j < old length + count <= capacity.
            unsafe { dst.add(len).write((first + j) as u32) };
            len += (bits >> (j * stride) & 1) as usize;
        }
        // SAFETY: every slot below `len` was written above or before the call.
        unsafe { self.set_len(len) };
    }
}

/// Reports to `sink`, in increasing order, every set of `words` words in `sets` that is
/// a subset of `mask` (`set & !mask == 0` word by word).
///
/// Sets of 1 to 7 words are tested several at a time by [`covered_packed`]; the rest,
/// and the last few sets, one at a time (full vectors, then a masked tail).
///
/// # Safety
///
/// [`Simd`]'s contract; `words >= 1`, `mask.len() == words`, `sets.len() % words == 0`.
#[inline(always)]
pub(crate) unsafe fn covered_subsets<S: Simd, K: CoveredSink>(sets: &[u64], words: usize, mask: &[u64], sink: &mut K) {
    // SAFETY: forwarded from this function's contract, with W == words in each arm.
    let first = unsafe {
        match words {
            1 => covered_packed::<S, K, 1>(sets, mask, sink),
            2 => covered_packed::<S, K, 2>(sets, mask, sink),
            3 => covered_packed::<S, K, 3>(sets, mask, sink),
            4 => covered_packed::<S, K, 4>(sets, mask, sink),
            5 => covered_packed::<S, K, 5>(sets, mask, sink),
            6 => covered_packed::<S, K, 6>(sets, mask, sink),
            7 => covered_packed::<S, K, 7>(sets, mask, sink),
            _ => 0,
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { covered_one_by_one::<S, K>(sets, words, mask, first, sink) }
}

/// Tests sets of `W` words several at a time, from the first; returns how many it
/// tested (all but fewer than a batch's worth), or 0 if `W` is a multiple of the
/// vector width (one set per vector is then as good).
///
/// A group of `lcm(W, LANES64)` words (at most 56) is a whole number of vectors and of
/// sets; its clean (`set & !mask == 0`) lanes fit in one u64, and a set is covered iff
/// its `W` consecutive bits are all set. `W` is a constant so that the group loop and
/// the bit arithmetic unroll.
///
/// # Safety
///
/// [`Simd`]'s contract; `mask.len() == W`, `sets.len() % W == 0`.
#[inline(always)]
unsafe fn covered_packed<S: Simd, K: CoveredSink, const W: usize>(sets: &[u64], mask: &[u64], sink: &mut K) -> usize {
    let lanes = S::LANES64;
    if W.is_multiple_of(lanes) {
        return 0;
    }
    let group = lcm(W, lanes);
    let per_group = group / W;
    let n_sets = sets.len() / W;
    let mut repeated = [0u64; 64];
    for (i, r) in repeated.iter_mut().enumerate().take(group) {
        *r = mask[i % W];
    }
    let leaders = (0..group).step_by(W).fold(0u64, |l, i| l | 1 << i);
    // Groups are reported to the sink as many at a time as fit in 64 bits: set j of
    // the batch is still at bit j * W.
    let groups_per_batch = 64 / group;
    let per_batch = groups_per_batch * per_group;
    let mut first = 0;
    while first + per_batch <= n_sets {
        let mut batch = 0u64;
        for g in 0..groups_per_batch {
            let base = sets.as_ptr().wrapping_add((first + g * per_group) * W);
            let mut clean = 0u64;
            let mut w = 0;
            while w < group {
                // SAFETY: the batch's sets are below n_sets, so base + w + lanes <=
                // sets.len(); `repeated` holds 64 >= group words.
                let stray = unsafe { S::andnot_i64(S::load_u64(repeated.as_ptr().add(w)), S::load_u64(base.add(w))) };
                // SAFETY: `Simd`'s contract, forwarded.
                clean |= unsafe { S::zero_bits_i64(stray) } << w;
                w += lanes;
            }
            // AND each set's `W` clean bits into its first (leader) bit.
            let mut all = clean;
            for s in 1..W {
                all &= clean >> s;
            }
            batch |= (all & leaders) << (g * group);
        }
        sink.covered(first, per_batch, batch, W);
        first += per_batch;
    }
    first
}

/// Tests the sets from index `first` on one at a time, reporting 64 at a time.
///
/// # Safety
///
/// [`Simd`]'s contract; `words >= 1`, `mask.len() == words`, `sets.len() % words == 0`.
#[inline(always)]
unsafe fn covered_one_by_one<S: Simd, K: CoveredSink>(
    sets: &[u64],
    words: usize,
    mask: &[u64],
    mut first: usize,
    sink: &mut K,
) {
    let lanes = S::LANES64;
    let n_sets = sets.len() / words;
    let full = words / lanes * lanes;
    let tail = words - full;
    // SAFETY: every load reads words of a set below n_sets, so below sets.len(), or
    // mask words below `words` (masked loads touch only the first `tail`).
    unsafe {
        let mask_tail = S::load_first_u64(mask.as_ptr().add(full), tail);
        while first < n_sets {
            let count = (n_sets - first).min(64);
            let mut covered = 0u64;
            for j in 0..count {
                let set = sets.as_ptr().add((first + j) * words);
                let mut stray = if tail > 0 {
                    S::andnot_i64(mask_tail, S::load_first_u64(set.add(full), tail))
                } else {
                    S::splat_i64(0)
                };
                let mut w = 0;
                while w < full {
                    let m = S::load_u64(mask.as_ptr().add(w));
                    stray = S::or_i64(stray, S::andnot_i64(m, S::load_u64(set.add(w))));
                    w += lanes;
                }
                covered |= u64::from(S::is_zero_i64(stray)) << j;
            }
            sink.covered(first, count, covered, 1);
            first += count;
        }
    }
}

/// Least common multiple of two positive integers.
fn lcm(a: usize, b: usize) -> usize {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x * b
}

/// Appends `base + i` for each set bit i of `word` to `out`, in increasing order.
///
/// One TZCNT per set bit, written into space reserved once (so there is no capacity
/// check per bit, unlike `Vec::push`); the best choice for sparse words.
#[inline(always)]
pub(crate) fn push_ones(word: u64, base: u32, out: &mut Vec<u32>) {
    let n = word.count_ones() as usize;
    out.reserve(n);
    let mut rest = word;
    for slot in &mut out.spare_capacity_mut()[..n] {
        slot.write(base + rest.trailing_zeros());
        rest &= rest - 1;
    }
    // SAFETY: the `n` slots after the old length were initialised just above.
    unsafe { out.set_len(out.len() + n) };
}
