//! AVX2 kernels: 8 x 32-bit / 4 x 64-bit lanes in `__m256i` / `__m256`.

use core::arch::x86_64::*;

use crate::simd::{self, Simd};

/// Token type selecting the AVX2 implementation of [`Simd`].
pub(crate) struct Avx2;

crate::x86_64::kernels_for!(Avx2, "avx2,bmi1,bmi2,popcnt");

/// All ones in lane i iff `i < n`, for n in 0..=8.
#[inline(always)]
unsafe fn first_lanes_i32(n: usize) -> __m256i {
    // SAFETY: `Simd` contract (AVX2 enabled in the caller).
    unsafe { _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)) }
}

/// All ones in lane i iff `i < n`, for n in 0..=4.
#[inline(always)]
unsafe fn first_lanes_i64(n: usize) -> __m256i {
    // SAFETY: `Simd` contract (AVX2 enabled in the caller).
    unsafe { _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), _mm256_setr_epi64x(0, 1, 2, 3)) }
}

// SAFETY (every `unsafe` block in this impl): the trait's contract, that is AVX2 is
// enabled in the calling code and pointers are valid for the documented lengths.
impl Simd for Avx2 {
    const LANES32: usize = 8;
    const LANES64: usize = 4;
    type I32 = __m256i;
    type F32 = __m256;
    type I64 = __m256i;

    #[inline(always)]
    unsafe fn splat_i32(x: i32) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_set1_epi32(x) }
    }
    #[inline(always)]
    unsafe fn load_i32(p: *const i32) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_loadu_si256(p.cast()) }
    }
    #[inline(always)]
    unsafe fn load_first_i32(p: *const i32, n: usize) -> __m256i {
        // SAFETY: see the impl; VPMASKMOVD does not touch masked-off elements.
        unsafe { _mm256_maskload_epi32(p, first_lanes_i32(n)) }
    }
    #[inline(always)]
    unsafe fn store_i32(p: *mut i32, v: __m256i) {
        // SAFETY: see the impl.
        unsafe { _mm256_storeu_si256(p.cast(), v) }
    }
    #[inline(always)]
    unsafe fn load_u8_as_i32(p: *const u8) -> __m256i {
        // SAFETY: see the impl; _mm_loadl_epi64 reads exactly 8 bytes.
        unsafe { _mm256_cvtepu8_epi32(_mm_loadl_epi64(p.cast())) }
    }
    #[inline(always)]
    unsafe fn load_u16_as_i32(p: *const u16) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_cvtepu16_epi32(_mm_loadu_si128(p.cast())) }
    }
    #[inline(always)]
    unsafe fn add_i32(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_add_epi32(a, b) }
    }
    #[inline(always)]
    unsafe fn mul_i32(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_mullo_epi32(a, b) }
    }
    #[inline(always)]
    unsafe fn and_i32(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_and_si256(a, b) }
    }
    #[inline(always)]
    unsafe fn lanes_below(n: usize) -> __m256i {
        // SAFETY: see the impl.
        unsafe { first_lanes_i32(n) }
    }
    #[inline(always)]
    unsafe fn shr5_u32(a: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_srli_epi32::<5>(a) }
    }
    #[inline(always)]
    unsafe fn shr_var_u32(a: __m256i, count: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_srlv_epi32(a, count) }
    }
    #[inline(always)]
    unsafe fn min_u32(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_min_epu32(a, b) }
    }
    #[inline(always)]
    unsafe fn max_u32(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_max_epu32(a, b) }
    }
    #[inline(always)]
    unsafe fn gather_u32(base: *const u32, index: __m256i) -> __m256i {
        // SAFETY: see the impl; the caller keeps every index in bounds.
        unsafe { _mm256_i32gather_epi32::<4>(base.cast(), index) }
    }
    #[inline(always)]
    unsafe fn sum_i32(a: __m256i) -> i32 {
        // SAFETY: see the impl.
        unsafe {
            let s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256::<1>(a));
            let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
            let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
            _mm_cvtsi128_si32(s)
        }
    }
    #[inline(always)]
    unsafe fn max_lane_u32(a: __m256i) -> u32 {
        // SAFETY: see the impl.
        unsafe {
            let s = _mm_max_epu32(_mm256_castsi256_si128(a), _mm256_extracti128_si256::<1>(a));
            let s = _mm_max_epu32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
            let s = _mm_max_epu32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
            _mm_cvtsi128_si32(s) as u32
        }
    }

    #[inline(always)]
    unsafe fn splat_f32(x: f32) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const f32) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store_f32(p: *mut f32, v: __m256) {
        // SAFETY: see the impl.
        unsafe { _mm256_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn add_f32(a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_add_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn mul_f32(a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_mul_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn splat_i64(x: i64) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_set1_epi64x(x) }
    }
    #[inline(always)]
    unsafe fn load_i32_as_i64(p: *const i32) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_cvtepi32_epi64(_mm_loadu_si128(p.cast())) }
    }
    #[inline(always)]
    unsafe fn load_u64(p: *const u64) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_loadu_si256(p.cast()) }
    }
    #[inline(always)]
    unsafe fn load_first_u64(p: *const u64, n: usize) -> __m256i {
        // SAFETY: see the impl; VPMASKMOVQ does not touch masked-off elements.
        unsafe { _mm256_maskload_epi64(p.cast(), first_lanes_i64(n)) }
    }
    #[inline(always)]
    unsafe fn store_i64(p: *mut i64, v: __m256i) {
        // SAFETY: see the impl.
        unsafe { _mm256_storeu_si256(p.cast(), v) }
    }
    #[inline(always)]
    unsafe fn mul_low_i32_i64(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_mul_epi32(a, b) }
    }
    #[inline(always)]
    unsafe fn add_i64(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_add_epi64(a, b) }
    }
    #[inline(always)]
    unsafe fn sub_i64(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_sub_epi64(a, b) }
    }
    #[inline(always)]
    unsafe fn max0_i64(a: __m256i) -> __m256i {
        // AVX2 has no 64-bit max: keep the lanes that compare greater than zero.
        // SAFETY: see the impl.
        unsafe { _mm256_and_si256(a, _mm256_cmpgt_epi64(a, _mm256_setzero_si256())) }
    }
    #[inline(always)]
    unsafe fn andnot_i64(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_andnot_si256(a, b) }
    }
    #[inline(always)]
    unsafe fn or_i64(a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: see the impl.
        unsafe { _mm256_or_si256(a, b) }
    }
    #[inline(always)]
    unsafe fn gt_bits_i64(a: __m256i, b: __m256i) -> u64 {
        // SAFETY: see the impl.
        unsafe { _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(a, b))) as u64 }
    }
    #[inline(always)]
    unsafe fn zero_bits_i64(a: __m256i) -> u64 {
        // SAFETY: see the impl.
        unsafe {
            let zero = _mm256_cmpeq_epi64(a, _mm256_setzero_si256());
            _mm256_movemask_pd(_mm256_castsi256_pd(zero)) as u64
        }
    }
    #[inline(always)]
    unsafe fn is_zero_i64(a: __m256i) -> bool {
        // SAFETY: see the impl.
        unsafe { _mm256_testz_si256(a, a) != 0 }
    }
}

/// Total set bits by nibble lookup (Muła): VPSHUFB maps each nibble to its
/// popcount, byte sums are flushed to 64-bit lanes with VPSADBW.
///
/// # Safety
///
/// The CPU has AVX2 and POPCNT.
#[target_feature(enable = "avx2,bmi1,bmi2,popcnt")]
pub(crate) unsafe fn popcount(bits: &[u64]) -> u64 {
    // A vector adds at most 8 to each byte counter; 31 vectors stay below 256.
    const VECTORS_PER_FLUSH: usize = 31;
    let (vectors, tail) = bits.as_chunks::<4>();
    let lut = _mm256_setr_epi8(
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, //
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
    );
    let low_nibbles = _mm256_set1_epi8(0x0f);
    let zero = _mm256_setzero_si256();
    let mut total = zero;
    for block in vectors.chunks(VECTORS_PER_FLUSH) {
        let mut bytes = zero;
        for v in block {
            // SAFETY: `v` is 4 u64 = 32 readable bytes.
            let x = unsafe { _mm256_loadu_si256(v.as_ptr().cast()) };
            let lo = _mm256_and_si256(x, low_nibbles);
            let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(x), low_nibbles);
            let counts = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
            bytes = _mm256_add_epi8(bytes, counts);
        }
        total = _mm256_add_epi64(total, _mm256_sad_epu8(bytes, zero));
    }
    let mut lanes = [0u64; 4];
    // SAFETY: `lanes` is 32 writable bytes.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), total) };
    lanes.iter().sum::<u64>() + tail.iter().map(|w| u64::from(w.count_ones())).sum::<u64>()
}

/// Words with at least this many set bits go through [`BYTE_ONES`]; sparser ones use
/// one TZCNT per bit. Roughly the break-even: the table costs about 6 instructions per
/// byte (48 per word), TZCNT about 4 per set bit.
const DENSE_WORD: u32 = 12;

/// For each byte value, the positions of its set bits in increasing order, packed into
/// the low bytes of a u64 (the unused high bytes are 0).
static BYTE_ONES: [u64; 256] = byte_ones_table();

const fn byte_ones_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut byte = 0;
    while byte < 256 {
        let (mut bit, mut found) = (0, 0);
        while bit < 8 {
            if byte >> bit & 1 == 1 {
                table[byte] |= (bit as u64) << (8 * found);
                found += 1;
            }
            bit += 1;
        }
        byte += 1;
    }
    table
}

/// Appends the indices of the set bits of `bits` to `out`, in increasing order.
///
/// Dense words go a byte at a time: VPMOVZXBD widens the byte's [`BYTE_ONES`] entry to
/// eight u32 offsets, all eight (plus the base index) are stored, and the output
/// pointer advances by the byte's popcount, so the stray lanes are overwritten next.
///
/// # Safety
///
/// The CPU has AVX2, BMI1, BMI2 and POPCNT; `bits.len() <= 2^26`.
#[target_feature(enable = "avx2,bmi1,bmi2,popcnt")]
pub(crate) unsafe fn bitset_ones(bits: &[u64], out: &mut Vec<u32>) {
    for (w, &word) in bits.iter().enumerate() {
        if word == 0 {
            continue;
        }
        let base = (w * 64) as u32;
        let n = word.count_ones();
        if n < DENSE_WORD {
            simd::push_ones(word, base, out);
            continue;
        }
        // The last byte's store reaches up to 8 slots past the word's last index.
        out.reserve(n as usize + 8);
        let len = out.len();
        let mut dst = out.as_mut_ptr().wrapping_add(len);
        for k in 0..8 {
            let byte = (word >> (8 * k)) as u8;
            let first = _mm256_set1_epi32((base + 8 * k) as i32);
            // SAFETY: the table entry is 8 readable bytes; `dst` is at most
            // `len + n - byte.count_ones()` slots into the buffer, so the 8-slot store
            // ends within the `len + n + 8` reserved above.
            unsafe {
                let offsets = _mm256_cvtepu8_epi32(_mm_loadl_epi64(BYTE_ONES.as_ptr().add(byte.into()).cast()));
                _mm256_storeu_si256(dst.cast(), _mm256_add_epi32(offsets, first));
                dst = dst.add(byte.count_ones() as usize);
            }
        }
        // SAFETY: the `n` slots after `len` hold this word's indices.
        unsafe { out.set_len(len + n as usize) };
    }
}
