//! x86_64 implementations: run-time feature detection and one module per ISA.
//!
//! Each ISA module implements [`crate::simd::Simd`] and expands [`kernels_for!`],
//! which wraps every generic algorithm in a `#[target_feature]` entry point. Only
//! `popcount` differs in algorithm between ISAs and is written in each module.

pub(crate) mod avx2;
pub(crate) mod avx512;

/// Whether the CPU has everything the `avx2` module is compiled for.
///
/// BMI1/BMI2/POPCNT come with AVX2 on every shipped CPU (Haswell, Excavator and
/// later); checking them keeps the entry points' `target_feature` lists honest.
pub(crate) fn has_avx2() -> bool {
    is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("bmi1")
        && is_x86_feature_detected!("bmi2")
        && is_x86_feature_detected!("popcnt")
}

/// Whether the CPU has everything the `avx512` module is compiled for (AVX-512F on
/// top of [`has_avx2`]; no kernel needs AVX-512BW).
pub(crate) fn has_avx512() -> bool {
    has_avx2() && is_x86_feature_detected!("avx512f")
}

/// Whether `avx512::popcount` (VPOPCNTQ) can run.
pub(crate) fn has_avx512_popcount() -> bool {
    has_avx512() && is_x86_feature_detected!("avx512vpopcntdq")
}

/// Defines, in the invoking module, one `#[target_feature(enable = $features)]` entry
/// point per generic kernel, instantiated for the [`crate::simd::Simd`] impl `$isa`.
///
/// Every entry point is an `unsafe fn` with the same contract: the CPU must have
/// `$features`, and the arguments must pass the checks of the public function of the
/// same name in the crate root.
macro_rules! kernels_for {
    ($isa:ty, $features:literal) => {
        /// See [`crate::accumulate_columns_u8`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; the arguments pass `assert_columns`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn accumulate_columns_u8(
            matrix: &[u8],
            rows: usize,
            columns: &[(u32, i32)],
            out: &mut [i32],
        ) {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::accumulate_columns::<$isa, u8>(matrix, rows, columns, out) }
        }

        /// See [`crate::accumulate_columns_u16`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; the arguments pass `assert_columns`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn accumulate_columns_u16(
            matrix: &[u16],
            rows: usize,
            columns: &[(u32, i32)],
            out: &mut [i32],
        ) {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::accumulate_columns::<$isa, u16>(matrix, rows, columns, out) }
        }

        /// See [`crate::accumulate_columns_f32`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; the arguments pass `assert_columns`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn accumulate_columns_f32(
            matrix: &[f32],
            rows: usize,
            columns: &[(u32, f32)],
            out: &mut [f32],
        ) {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::accumulate_columns::<$isa, f32>(matrix, rows, columns, out) }
        }

        /// See [`crate::threshold_affine_to_bitset`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; `coef.len() == acc.len()` and
        /// `out.len() == acc.len().div_ceil(64)`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn threshold_affine_to_bitset(
            acc: &[i32],
            mul: i32,
            coef: &[i32],
            scale: i32,
            threshold: i32,
            out: &mut [u64],
        ) -> usize {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::threshold_affine_to_bitset::<$isa>(acc, mul, coef, scale, threshold, out) }
        }

        /// See [`crate::relu_affine`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; `coef.len() == acc.len() == out.len()`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn relu_affine(acc: &[i32], mul: i32, coef: &[i32], scale: i32, bias: i64, out: &mut [i64]) {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::relu_affine::<$isa>(acc, mul, coef, scale, bias, out) }
        }

        /// See [`crate::count_votes_gather`]; returns the largest code (0 if none).
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; the arguments pass `assert_votes`, and
        /// `bits` is non-empty if `codes` is.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn count_votes_gather(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) -> u32 {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::count_votes_gather::<$isa>(codes, t, bits, out) }
        }

        /// See [`crate::count_covered_subsets`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; the arguments pass `assert_sets`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn count_covered_subsets(sets: &[u64], words: usize, mask: &[u64]) -> usize {
            let mut count = 0usize;
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::covered_subsets::<$isa, usize>(sets, words, mask, &mut count) };
            count
        }

        /// See [`crate::covered_subsets_into`].
        ///
        /// # Safety
        ///
        /// The CPU has this module's features; the arguments pass `assert_sets` and
        /// `assert_set_indices_fit`.
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn covered_subsets_into(sets: &[u64], words: usize, mask: &[u64], out: &mut Vec<u32>) {
            // SAFETY: forwarded from this function's contract.
            unsafe { crate::simd::covered_subsets::<$isa, Vec<u32>>(sets, words, mask, out) }
        }
    };
}

pub(crate) use kernels_for;

/// `prefetcht0` of the cache line at `pointer`.
#[inline(always)]
pub(crate) fn prefetch<T>(pointer: *const T) {
    // SAFETY: prefetching is a hint: it never faults, even on an invalid address, and SSE is
    // part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(pointer.cast());
    }
}
