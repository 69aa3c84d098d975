//! AVX-512 kernels: 16 x 32-bit / 8 x 64-bit lanes in `__m512i` / `__m512`, with
//! mask registers for comparisons and partial loads. Needs only AVX-512F (plus
//! AVX512-VPOPCNTDQ for [`popcount`]).

use core::arch::x86_64::*;

use crate::simd::Simd;

/// Token type selecting the AVX-512 implementation of [`Simd`].
pub(crate) struct Avx512;

crate::x86_64::kernels_for!(Avx512, "avx512f,avx2,bmi1,bmi2,popcnt");

/// The AVX2 byte-table version: an AVX-512 one (VPCOMPRESSD) would need a CPU with
/// AVX-512 to test and measure on, which we do not have.
pub(crate) use super::avx2::bitset_ones;

/// Mask with the low `n` bits set, `n <= 16`.
#[inline(always)]
fn low_bits(n: usize) -> u32 {
    (1u32 << n) - 1
}

// SAFETY (every `unsafe` block in this impl): the trait's contract, that is AVX-512F
// is enabled in the calling code and pointers are valid for the documented lengths.
impl Simd for Avx512 {
    const LANES32: usize = 16;
    const LANES64: usize = 8;
    type I32 = __m512i;
    type F32 = __m512;
    type I64 = __m512i;

    #[inline(always)]
    unsafe fn splat_i32(x: i32) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_set1_epi32(x) }
    }
    #[inline(always)]
    unsafe fn load_i32(p: *const i32) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_loadu_si512(p.cast()) }
    }
    #[inline(always)]
    unsafe fn load_first_i32(p: *const i32, n: usize) -> __m512i {
        // SAFETY: see the impl; masked-off elements are not accessed (no fault).
        unsafe { _mm512_maskz_loadu_epi32(low_bits(n) as __mmask16, p) }
    }
    #[inline(always)]
    unsafe fn store_i32(p: *mut i32, v: __m512i) {
        // SAFETY: see the impl.
        unsafe { _mm512_storeu_si512(p.cast(), v) }
    }
    #[inline(always)]
    unsafe fn load_u8_as_i32(p: *const u8) -> __m512i {
        // SAFETY: see the impl; reads exactly 16 bytes.
        unsafe { _mm512_cvtepu8_epi32(_mm_loadu_si128(p.cast())) }
    }
    #[inline(always)]
    unsafe fn load_u16_as_i32(p: *const u16) -> __m512i {
        // SAFETY: see the impl; reads exactly 32 bytes.
        unsafe { _mm512_cvtepu16_epi32(_mm256_loadu_si256(p.cast())) }
    }
    #[inline(always)]
    unsafe fn add_i32(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_add_epi32(a, b) }
    }
    #[inline(always)]
    unsafe fn mul_i32(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_mullo_epi32(a, b) }
    }
    #[inline(always)]
    unsafe fn and_i32(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_and_si512(a, b) }
    }
    #[inline(always)]
    unsafe fn lanes_below(n: usize) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_maskz_set1_epi32(low_bits(n) as __mmask16, -1) }
    }
    #[inline(always)]
    unsafe fn shr5_u32(a: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_srli_epi32::<5>(a) }
    }
    #[inline(always)]
    unsafe fn shr_var_u32(a: __m512i, count: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_srlv_epi32(a, count) }
    }
    #[inline(always)]
    unsafe fn min_u32(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_min_epu32(a, b) }
    }
    #[inline(always)]
    unsafe fn max_u32(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_max_epu32(a, b) }
    }
    #[inline(always)]
    unsafe fn gather_u32(base: *const u32, index: __m512i) -> __m512i {
        // SAFETY: see the impl; the caller keeps every index in bounds.
        unsafe { _mm512_i32gather_epi32::<4>(index, base.cast()) }
    }
    #[inline(always)]
    unsafe fn sum_i32(a: __m512i) -> i32 {
        // SAFETY: see the impl.
        unsafe { _mm512_reduce_add_epi32(a) }
    }
    #[inline(always)]
    unsafe fn max_lane_u32(a: __m512i) -> u32 {
        // SAFETY: see the impl.
        unsafe { _mm512_reduce_max_epu32(a) }
    }

    #[inline(always)]
    unsafe fn splat_f32(x: f32) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const f32) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store_f32(p: *mut f32, v: __m512) {
        // SAFETY: see the impl.
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn add_f32(a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_add_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn mul_f32(a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_mul_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn splat_i64(x: i64) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_set1_epi64(x) }
    }
    #[inline(always)]
    unsafe fn load_i32_as_i64(p: *const i32) -> __m512i {
        // SAFETY: see the impl; reads exactly 8 i32.
        unsafe { _mm512_cvtepi32_epi64(_mm256_loadu_si256(p.cast())) }
    }
    #[inline(always)]
    unsafe fn load_u64(p: *const u64) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_loadu_si512(p.cast()) }
    }
    #[inline(always)]
    unsafe fn load_first_u64(p: *const u64, n: usize) -> __m512i {
        // SAFETY: see the impl; masked-off elements are not accessed (no fault).
        unsafe { _mm512_maskz_loadu_epi64(low_bits(n) as __mmask8, p.cast()) }
    }
    #[inline(always)]
    unsafe fn store_i64(p: *mut i64, v: __m512i) {
        // SAFETY: see the impl.
        unsafe { _mm512_storeu_si512(p.cast(), v) }
    }
    #[inline(always)]
    unsafe fn mul_low_i32_i64(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_mul_epi32(a, b) }
    }
    #[inline(always)]
    unsafe fn add_i64(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_add_epi64(a, b) }
    }
    #[inline(always)]
    unsafe fn sub_i64(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_sub_epi64(a, b) }
    }
    #[inline(always)]
    unsafe fn max0_i64(a: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_max_epi64(a, _mm512_setzero_si512()) }
    }
    #[inline(always)]
    unsafe fn andnot_i64(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_andnot_si512(a, b) }
    }
    #[inline(always)]
    unsafe fn or_i64(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: see the impl.
        unsafe { _mm512_or_si512(a, b) }
    }
    #[inline(always)]
    unsafe fn gt_bits_i64(a: __m512i, b: __m512i) -> u64 {
        // SAFETY: see the impl.
        unsafe { u64::from(_mm512_cmpgt_epi64_mask(a, b)) }
    }
    #[inline(always)]
    unsafe fn zero_bits_i64(a: __m512i) -> u64 {
        // SAFETY: see the impl.
        unsafe { u64::from(_mm512_testn_epi64_mask(a, a)) }
    }
    #[inline(always)]
    unsafe fn is_zero_i64(a: __m512i) -> bool {
        // SAFETY: see the impl.
        unsafe { _mm512_test_epi64_mask(a, a) == 0 }
    }
}

/// Total set bits with VPOPCNTQ, 8 words per instruction, the tail masked.
///
/// # Safety
///
/// The CPU has AVX-512F and AVX512-VPOPCNTDQ.
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
pub(crate) unsafe fn popcount(bits: &[u64]) -> u64 {
    let (vectors, tail) = bits.as_chunks::<8>();
    let mut total = _mm512_setzero_si512();
    for v in vectors {
        // SAFETY: `v` is 8 u64 = 64 readable bytes.
        let x = unsafe { _mm512_loadu_si512(v.as_ptr().cast()) };
        total = _mm512_add_epi64(total, _mm512_popcnt_epi64(x));
    }
    // SAFETY: only the `tail.len() < 8` valid words are read (the rest masked off).
    let x = unsafe { _mm512_maskz_loadu_epi64(low_bits(tail.len()) as __mmask8, tail.as_ptr().cast()) };
    total = _mm512_add_epi64(total, _mm512_popcnt_epi64(x));
    _mm512_reduce_add_epi64(total) as u64
}
