//! Domain-free array and bitset kernels for the exact evaluation of ReLU networks
//! that compute Boolean features in superposition.
//!
//! Evaluating such a network exactly on many inputs reduces to a handful of loops
//! over plain arrays: sum a few sparse columns of a small-integer weight matrix into
//! an accumulator ([`accumulate_columns_u8`], [`accumulate_columns_u16`],
//! [`accumulate_columns_f32`]), apply an exact affine map and either threshold it
//! into a bitset ([`threshold_affine_to_bitset`]) or rectify it ([`relu_affine`]),
//! and then count or list bits: [`popcount`], [`bitset_ones`], votes of code sets
//! ([`count_votes_gather`]) and sets covered by a mask ([`count_covered_subsets`],
//! [`covered_subsets_into`]). This crate knows nothing about codes, features or
//! networks; `superposition-core` gives the arrays their meaning.
//!
//! # Design
//!
//! Every kernel exists twice:
//!
//! * [`scalar`]: a plain loop, written to be obviously correct. It is the test oracle
//!   and the fallback on CPUs without AVX2 (and on other architectures).
//! * a SIMD version, chosen at run time. The algorithm is written once, in the
//!   private `simd` module, over a small `Simd` trait of vector operations
//!   (load/widen, add, multiply, compare-to-bits, gather, ...). The `x86_64::avx2`
//!   and `x86_64::avx512` modules implement that trait with `std::arch` intrinsics
//!   and instantiate every algorithm inside `#[target_feature]` entry points. Only
//!   `popcount` (VPOPCNTQ vs. a nibble lookup) and `bitset_ones` (an AVX2 byte
//!   table, reused under AVX-512) are written per ISA.
//!
//! The public function checks its arguments with `assert!`s (the SIMD code relies on
//! them for memory safety), then calls a function pointer chosen on first use and
//! cached in a `OnceLock`, the shape of memchr's dispatch: AVX-512 (AVX-512F) if the
//! CPU has it, else AVX2 (with BMI1/BMI2/POPCNT), else scalar. Setting the environment
//! variable `SUPERPOSITION_FORCE_SCALAR=1` (read once, at the first dispatch) forces
//! the scalar versions, to compare the two in benchmarks or rule out a SIMD bug.
//! [`active_isa`] reports the choice.
//!
//! All SIMD kernels give bit-identical results to the scalar ones: integer kernels
//! wrap exactly as the scalar `wrapping_*` operations do, and the f32 kernel performs
//! the same IEEE operations (multiply, then add; no FMA) in the same order per element.
//!
//! # Why run-time `std::arch` dispatch
//!
//! Portable-SIMD crates such as `wide` pick their instructions from the target
//! features enabled at compile time: to get AVX2 (let alone AVX-512) from them, the
//! whole build must assume an x86-64-v3/v4 CPU, and the binary then faults on older
//! machines. We want one binary that runs everywhere and uses the widest vectors the
//! CPU actually has, so we detect features at run time (`is_x86_feature_detected!`)
//! and compile each kernel per ISA with `#[target_feature]`. We did not build a
//! `wide` variant to measure: the kernels are dominated by operations `wide` does not
//! expose uniformly (zero-extending loads, masked loads, gathers, compare-to-bitmask,
//! 32x32->64 multiplies), so it would have meant raw intrinsics anyway.
//!
//! # Speed
//!
//! Dispatched AVX2 vs. the scalar reference, one run of `cargo bench -p
//! superposition-benches --bench kernels` on a 2-core AMD EPYC (Zen 3) VM with AVX2
//! but no AVX-512, so the AVX-512 code was compiled and linted but never run. The
//! machine was shared with other builds; ratios moved by up to ~30% between runs.
//!
//! | kernel | sizes | speedup |
//! |---|---|---|
//! | `accumulate_columns_u8` | 100x8, 4000x32, 60000x64 (rows x columns) | 3.8x, 7.0x, 6.4x |
//! | `accumulate_columns_u16` | same | 3.1x, 5.2x, 5.4x |
//! | `accumulate_columns_f32` | same (memory-bound at the largest) | 1.9x, 2.5x, 3.5x |
//! | `threshold_affine_to_bitset` | 1000, 60000 | 3.7x, 17x (the scalar branch mispredicts) |
//! | `relu_affine` | 1000, 60000 | 3.1x, 3.5x |
//! | `bitset_ones` | 60000 bits at density 1%, 15%, 50% | 0.95x, 1.5x, 4.7x |
//! | `popcount` | 16, 1000, 100000 words | 2.1x, 3.6x, 3.4x |
//! | `count_votes_gather` | 4000 sets of t = 8, 24 | 1.05x, 1.0x (1.1-1.4x in quieter runs) |
//! | `count_covered_subsets` | 65536 sets of 1, 3, 8 words | 18x, 4.9x, 2.5x |
//! | `covered_subsets_into` | same | 5.3x, 2.2x, 1.5x |
//!
//! # Safety
//!
//! The `unsafe` code is intrinsics and raw-pointer loads in the `simd` and `x86_64`
//! modules, whose bounds follow from the checks in the public functions, and the calls
//! through the dispatched function pointers here, each after those checks.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod check;
pub mod scalar;
#[cfg(target_arch = "x86_64")]
mod simd;
#[cfg(target_arch = "x86_64")]
mod x86_64;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

/// Name of the environment variable that, set to `1`, forces the scalar kernels.
///
/// Read once, the first time any kernel is dispatched (or [`active_isa`] is called).
pub const FORCE_SCALAR_ENV: &str = "SUPERPOSITION_FORCE_SCALAR";

/// The instruction set the kernels were compiled for and chosen at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Isa {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Scalar,
}

/// The ISA every kernel dispatches to, detected once.
fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(detect_isa)
}

fn detect_isa() -> Isa {
    choose_isa(std::env::var_os(FORCE_SCALAR_ENV).as_deref())
}

/// The best ISA this CPU has, or scalar if `force_scalar` (the value of
/// [`FORCE_SCALAR_ENV`]) is `1`.
fn choose_isa(force_scalar: Option<&std::ffi::OsStr>) -> Isa {
    if force_scalar.is_some_and(|v| v == "1") {
        return Isa::Scalar;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if x86_64::has_avx512() {
            return Isa::Avx512;
        }
        if x86_64::has_avx2() {
            return Isa::Avx2;
        }
    }
    Isa::Scalar
}

/// Hints the CPU to bring the cache line at `pointer` closer (x86-64 `prefetcht0`); a no-op
/// on other architectures. Never faults, whatever the address: it is a hint.
#[inline(always)]
pub fn prefetch<T>(pointer: *const T) {
    #[cfg(target_arch = "x86_64")]
    x86_64::prefetch(pointer);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = pointer;
}

/// The instruction set the kernels use on this machine: `"avx512"`, `"avx2"` or
/// `"scalar"`.
///
/// Fixed for the life of the process (detected once; `"scalar"` if
/// [`FORCE_SCALAR_ENV`] was `1`). [`popcount`] under `"avx512"` additionally needs
/// AVX512-VPOPCNTDQ and otherwise uses its AVX2 version.
pub fn active_isa() -> &'static str {
    match isa() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => "avx512",
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => "avx2",
        Isa::Scalar => "scalar",
    }
}

/// Evaluates to the implementation of kernel `$name` (a function of that name in
/// `x86_64::avx512`, `x86_64::avx2`, or `$scalar`) for the active ISA, as a `$ty`
/// function pointer chosen on first use and cached.
macro_rules! chosen {
    ($name:ident: $ty:ty, scalar: $scalar:expr) => {{
        static CHOSEN: OnceLock<$ty> = OnceLock::new();
        *CHOSEN.get_or_init(|| match isa() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => x86_64::avx512::$name as $ty,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => x86_64::avx2::$name as $ty,
            Isa::Scalar => $scalar as $ty,
        })
    }};
}

type AccumulateU8 = unsafe fn(&[u8], usize, &[(u32, i32)], &mut [i32]);
type AccumulateU16 = unsafe fn(&[u16], usize, &[(u32, i32)], &mut [i32]);
type AccumulateF32 = unsafe fn(&[f32], usize, &[(u32, f32)], &mut [f32]);
type Threshold = unsafe fn(&[i32], i32, &[i32], i32, i32, &mut [u64]) -> usize;
type Relu = unsafe fn(&[i32], i32, &[i32], i32, i64, &mut [i64]);
type Ones = unsafe fn(&[u64], &mut Vec<u32>);
type Popcount = unsafe fn(&[u64]) -> u64;
type Votes = unsafe fn(&[u32], usize, &[u64], &mut [u16]) -> u32;
type CountCovered = unsafe fn(&[u64], usize, &[u64]) -> usize;
type CoveredInto = unsafe fn(&[u64], usize, &[u64], &mut Vec<u32>);

/// Adds integer multiples of columns of a column-major u8 matrix to `out`.
///
/// For each `(c, mult)` in `columns`, `out[r] += mult * matrix[c * rows + r]` for every
/// `r < rows` (column `c` is `matrix[c * rows..(c + 1) * rows]`). Arithmetic wraps
/// modulo 2^32, as in [`scalar::accumulate_columns_u8`]; avoiding overflow is the
/// caller's business. Columns may repeat.
///
/// # Panics
///
/// If `out.len() != rows`, or (when `rows > 0`) a column index is not below
/// `matrix.len() / rows`.
pub fn accumulate_columns_u8(matrix: &[u8], rows: usize, columns: &[(u32, i32)], out: &mut [i32]) {
    check::assert_columns(matrix.len(), rows, columns, out.len());
    let kernel = chosen!(accumulate_columns_u8: AccumulateU8, scalar: scalar::accumulate_columns_u8);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(matrix, rows, columns, out) }
}

/// Adds integer multiples of columns of a column-major u16 matrix to `out`.
///
/// Same contract as [`accumulate_columns_u8`], with u16 entries.
///
/// # Panics
///
/// If `out.len() != rows`, or (when `rows > 0`) a column index is not below
/// `matrix.len() / rows`.
pub fn accumulate_columns_u16(matrix: &[u16], rows: usize, columns: &[(u32, i32)], out: &mut [i32]) {
    check::assert_columns(matrix.len(), rows, columns, out.len());
    let kernel = chosen!(accumulate_columns_u16: AccumulateU16, scalar: scalar::accumulate_columns_u16);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(matrix, rows, columns, out) }
}

/// Adds real multiples of columns of a column-major f32 matrix to `out`.
///
/// For each `(c, mult)` in `columns`, in order, `out[r] = out[r] + mult * matrix[c *
/// rows + r]` with the product and the sum each rounded (no fused multiply-add), so the
/// result is bit-identical to [`scalar::accumulate_columns_f32`] (NaN payloads aside).
///
/// # Panics
///
/// If `out.len() != rows`, or (when `rows > 0`) a column index is not below
/// `matrix.len() / rows`.
pub fn accumulate_columns_f32(matrix: &[f32], rows: usize, columns: &[(u32, f32)], out: &mut [f32]) {
    check::assert_columns(matrix.len(), rows, columns, out.len());
    let kernel = chosen!(accumulate_columns_f32: AccumulateF32, scalar: scalar::accumulate_columns_f32);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(matrix, rows, columns, out) }
}

/// Thresholds an exact affine map of `acc` into a bitset; returns the number of set bits.
///
/// Bit r of `out` (bit `r % 64` of word `r / 64`) is set iff
/// `acc[r] * mul - coef[r] * scale >= threshold`, computed exactly in i64 (it cannot
/// overflow: the result lies in [-2^63 + 2^31, 2^63 - 2^31]). Bits at and beyond
/// `acc.len()` in the last word are cleared.
///
/// # Panics
///
/// If `coef.len() != acc.len()` or `out.len() != acc.len().div_ceil(64)`.
pub fn threshold_affine_to_bitset(
    acc: &[i32],
    mul: i32,
    coef: &[i32],
    scale: i32,
    threshold: i32,
    out: &mut [u64],
) -> usize {
    check::assert_threshold(acc.len(), coef.len(), out.len());
    let kernel = chosen!(threshold_affine_to_bitset: Threshold, scalar: scalar::threshold_affine_to_bitset);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(acc, mul, coef, scale, threshold, out) }
}

/// Rectifies an exact affine map of `acc`: `out[r] = max(0, acc[r] * mul - coef[r] *
/// scale + bias)`.
///
/// The products and their difference are exact in i64; adding `bias` wraps modulo
/// 2^64 (as `i64::wrapping_add`), which cannot happen while `|bias| < 2^31`.
///
/// # Panics
///
/// If `coef.len() != acc.len()` or `out.len() != acc.len()`.
pub fn relu_affine(acc: &[i32], mul: i32, coef: &[i32], scale: i32, bias: i64, out: &mut [i64]) {
    check::assert_relu(acc.len(), coef.len(), out.len());
    let kernel = chosen!(relu_affine: Relu, scalar: scalar::relu_affine);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(acc, mul, coef, scale, bias, out) }
}

/// Appends the indices of the set bits of `bits` to `out`, in increasing order.
///
/// Bit i is bit `i % 64` of word `i / 64`. The SIMD version (AVX2, also used under
/// AVX-512) takes sparse words (< 12 bits) with one TZCNT per bit and dense words a
/// byte at a time through a table of bit positions, storing 8 lanes per byte.
///
/// # Panics
///
/// If `bits.len() > 2^26` (indices would not fit in u32).
pub fn bitset_ones(bits: &[u64], out: &mut Vec<u32>) {
    check::assert_bit_indices_fit(bits.len());
    let kernel = chosen!(bitset_ones: Ones, scalar: scalar::bitset_ones);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the argument passed the
    // check it relies on.
    unsafe { kernel(bits, out) }
}

/// Counts the set bits of `bits`.
///
/// Uses VPOPCNTQ when the CPU has AVX512-VPOPCNTDQ, else an AVX2 nibble-lookup
/// count (measured 3.7x the scalar reference on 1000 words, where a POPCNT loop
/// compiled for AVX2 gave 3.1x), else `u64::count_ones`.
pub fn popcount(bits: &[u64]) -> u64 {
    static CHOSEN: OnceLock<Popcount> = OnceLock::new();
    let kernel = *CHOSEN.get_or_init(|| match isa() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if x86_64::has_avx512_popcount() => x86_64::avx512::popcount as Popcount,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 | Isa::Avx2 => x86_64::avx2::popcount as Popcount,
        Isa::Scalar => scalar::popcount as Popcount,
    });
    // SAFETY: `kernel` was chosen for an ISA this CPU has; it takes any slice.
    unsafe { kernel(bits) }
}

/// Counts, for each code set, how many of its indices have their bit set in `bits`.
///
/// `codes` holds `out.len()` sets of `t` bit indices each, set j being
/// `codes[j * t..(j + 1) * t]`; `out[j]` becomes the number of those indices i with
/// bit i of `bits` set (bit `i % 64` of word `i / 64`). Repeated indices count
/// repeatedly. The SIMD versions gather 32-bit words of `bits` (a vector of codes of
/// one set at a time, the set's tail masked); gathers are slow on AMD Zen 2/3, where
/// this measured only 1.0-1.4x the scalar loop.
///
/// Every index must be below `64 * bits.len()`. This is checked in every build, at
/// almost no cost: the SIMD kernels clamp gather addresses into `bits` (so a bad
/// index is never undefined behaviour) and track the largest index, which is checked
/// after the loop; a pre-pass over `codes` would cost a second read of the largest
/// input.
///
/// # Panics
///
/// If `t > u16::MAX` or `codes.len() != out.len() * t` (before touching `out`); if an
/// index is `>= 64 * bits.len()` (after `out` may have been partly written).
pub fn count_votes_gather(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) {
    check::assert_votes(codes.len(), t, out.len());
    let kernel = chosen!(count_votes_gather: Votes, scalar: count_votes_scalar);
    let largest = if codes.is_empty() || !bits.is_empty() {
        // SAFETY: `kernel` was chosen for an ISA this CPU has, the arguments passed
        // `assert_votes`, and `bits` is non-empty if `codes` is.
        unsafe { kernel(codes, t, bits, out) }
    } else {
        codes[0]
    };
    assert!(
        codes.is_empty() || (largest as usize / 64) < bits.len(),
        "count_votes_gather: code {largest} is out of range for a bitset of {} words",
        bits.len()
    );
}

/// The scalar votes kernel with the SIMD kernels' signature: counts only if every
/// code is in range, and returns the largest code.
fn count_votes_scalar(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) -> u32 {
    let largest = codes.iter().copied().max().unwrap_or(0);
    if codes.is_empty() || (largest as usize / 64) < bits.len() {
        scalar::count_votes_gather(codes, t, bits, out);
    }
    largest
}

/// Counts the sets in `sets` that are subsets of `mask`.
///
/// `sets` holds bitsets of `words` u64 words each, set i being
/// `sets[i * words..(i + 1) * words]`; it is covered iff `set[k] & !mask[k] == 0` for
/// every word k.
///
/// # Panics
///
/// If `words == 0`, `mask.len() != words` or `sets.len() % words != 0`.
pub fn count_covered_subsets(sets: &[u64], words: usize, mask: &[u64]) -> usize {
    check::assert_sets(sets.len(), words, mask.len());
    let kernel = chosen!(count_covered_subsets: CountCovered, scalar: scalar::count_covered_subsets);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(sets, words, mask) }
}

/// Appends to `out`, in increasing order, the indices of the sets in `sets` that are
/// subsets of `mask`.
///
/// Same layout and test as [`count_covered_subsets`].
///
/// # Panics
///
/// If `words == 0`, `mask.len() != words`, `sets.len() % words != 0`, or there are more
/// than 2^32 sets (indices would not fit in u32).
pub fn covered_subsets_into(sets: &[u64], words: usize, mask: &[u64], out: &mut Vec<u32>) {
    check::assert_sets(sets.len(), words, mask.len());
    check::assert_set_indices_fit(sets.len() / words);
    let kernel = chosen!(covered_subsets_into: CoveredInto, scalar: scalar::covered_subsets_into);
    // SAFETY: `kernel` was chosen for an ISA this CPU has, and the arguments passed
    // the checks it relies on.
    unsafe { kernel(sets, words, mask, out) }
}
