//! Every kernel against its scalar reference: the dispatched function and, when the
//! CPU has the ISA, each ISA's entry point explicitly; plus hand-computed cases that
//! would catch a wrong reference.

use std::fmt::Debug;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use crate::{check, scalar};

/// A fixed seed makes every run (and so every failure) reproducible.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x5EED_CAFE),
        ..ProptestConfig::default()
    }
}

/// The implementations of kernel `$name` to compare with the reference, as `$ty`
/// pointers: the dispatched public function, then each ISA entry point this CPU can run.
macro_rules! variants {
    ($name:ident: $ty:ty) => {
        variants!($name: $ty, public: crate::$name)
    };
    ($name:ident: $ty:ty, public: $public:expr) => {{
        #[allow(unused_mut)]
        let mut list: Vec<(&'static str, $ty)> = vec![("dispatched", $public as $ty)];
        #[cfg(target_arch = "x86_64")]
        {
            if crate::x86_64::has_avx2() {
                list.push(("avx2", crate::x86_64::avx2::$name as $ty));
            }
            if crate::x86_64::has_avx512() {
                list.push(("avx512", crate::x86_64::avx512::$name as $ty));
            }
        }
        list
    }};
}

// Function pointer types of the kernels, as the ISA modules define them.
type Accumulate<T, M> = unsafe fn(&[T], usize, &[(u32, M)], &mut [M]);
use super::{
    AccumulateF32 as AccF32, AccumulateU8 as AccU8, AccumulateU16 as AccU16, CountCovered, CoveredInto, Ones, Popcount,
    Relu, Threshold, Votes,
};

fn popcount_variants() -> Vec<(&'static str, Popcount)> {
    #[allow(unused_mut)]
    let mut list: Vec<(&'static str, Popcount)> = vec![("dispatched", crate::popcount as Popcount)];
    #[cfg(target_arch = "x86_64")]
    {
        if crate::x86_64::has_avx2() {
            list.push(("avx2", crate::x86_64::avx2::popcount as Popcount));
        }
        if crate::x86_64::has_avx512_popcount() {
            list.push(("avx512", crate::x86_64::avx512::popcount as Popcount));
        }
    }
    list
}

/// The public votes function with the ISA entry points' signature.
fn votes_public(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) -> u32 {
    crate::count_votes_gather(codes, t, bits, out);
    codes.iter().copied().max().unwrap_or(0)
}

// ---------------------------------------------------------------------------------
// Strategies

/// Lengths around the vector and word sizes, and random ones.
fn length() -> impl Strategy<Value = usize> + Clone {
    prop_oneof![Just(0usize), Just(1), Just(63), Just(64), Just(65), 0usize..300]
}

/// A slice that starts `offset` (0..8) elements into its buffer, so vector loads and
/// stores are unaligned.
#[derive(Debug, Clone)]
struct Shifted<T> {
    buf: Vec<T>,
    offset: usize,
}

impl<T> Shifted<T> {
    fn get(&self) -> &[T] {
        &self.buf[self.offset..]
    }
    fn get_mut(&mut self) -> &mut [T] {
        &mut self.buf[self.offset..]
    }
}

fn shifted<T: Debug + Clone>(elem: impl Strategy<Value = T> + Clone, len: usize) -> impl Strategy<Value = Shifted<T>> {
    (0usize..8)
        .prop_flat_map(move |offset| vec(elem.clone(), offset + len).prop_map(move |buf| Shifted { buf, offset }))
}

fn i32_value() -> impl Strategy<Value = i32> + Clone {
    prop_oneof![Just(i32::MIN), Just(i32::MAX), Just(0), -20i32..20, any::<i32>()]
}

fn i64_value() -> impl Strategy<Value = i64> + Clone {
    prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), -1000i64..1000, any::<i64>()]
}

fn f32_value() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![
        3 => -100f32..100f32,
        1 => Just(f32::MAX),
        1 => Just(f32::MIN_POSITIVE / 4.0),
        1 => proptest::num::f32::ANY,
    ]
}

fn word() -> impl Strategy<Value = u64> + Clone {
    prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        (0u32..64).prop_map(|i| 1u64 << i),
        any::<u64>()
    ]
}

#[derive(Debug, Clone)]
struct AccumulateCase<T, M> {
    rows: usize,
    matrix: Shifted<T>,
    columns: Vec<(u32, M)>,
    out: Shifted<M>,
}

fn accumulate_case<T: Debug + Clone, M: Debug + Clone>(
    elem: impl Strategy<Value = T> + Clone,
    mult: impl Strategy<Value = M> + Clone,
    start: impl Strategy<Value = M> + Clone,
) -> impl Strategy<Value = AccumulateCase<T, M>> {
    (length(), 1usize..10).prop_flat_map(move |(rows, n_columns)| {
        let columns = vec((0..n_columns as u32, mult.clone()), 0..16);
        (
            shifted(elem.clone(), rows * n_columns),
            columns,
            shifted(start.clone(), rows),
        )
            .prop_map(move |(matrix, columns, out)| AccumulateCase {
                rows,
                matrix,
                columns,
                out,
            })
    })
}

#[derive(Debug, Clone)]
struct AffineCase {
    acc: Shifted<i32>,
    coef: Shifted<i32>,
    mul: i32,
    scale: i32,
    threshold: i32,
    bias: i64,
}

fn affine_case() -> impl Strategy<Value = AffineCase> {
    length().prop_flat_map(|n| {
        (
            shifted(i32_value(), n),
            shifted(i32_value(), n),
            i32_value(),
            i32_value(),
            i32_value(),
            i64_value(),
        )
            .prop_map(|(acc, coef, mul, scale, threshold, bias)| AffineCase {
                acc,
                coef,
                mul,
                scale,
                threshold,
                bias,
            })
    })
}

#[derive(Debug, Clone)]
struct VotesCase {
    bits: Shifted<u64>,
    t: usize,
    codes: Shifted<u32>,
    n_out: usize,
}

fn votes_case() -> impl Strategy<Value = VotesCase> {
    (1usize..12, prop_oneof![0usize..4, 0usize..40], 0usize..24).prop_flat_map(|(words, t, n_out)| {
        let top = (words * 64) as u32;
        let code = prop_oneof![Just(0u32), Just(top - 1), 0..top];
        (shifted(word(), words), shifted(code, t * n_out)).prop_map(move |(bits, codes)| VotesCase {
            bits,
            t,
            codes,
            n_out,
        })
    })
}

#[derive(Debug, Clone)]
struct SetsCase {
    words: usize,
    mask: Vec<u64>,
    sets: Shifted<u64>,
}

fn sets_case() -> impl Strategy<Value = SetsCase> {
    (1usize..11, length()).prop_flat_map(|(words, n_sets)| {
        // Most words are masked into the mask, so that a fair share of sets is covered.
        let set_word = (any::<u64>(), 0u8..8);
        (vec(word(), words), shifted(set_word, n_sets * words)).prop_map(move |(mask, raw)| {
            let mut buf = Vec::with_capacity(raw.buf.len());
            for (i, &(w, keep)) in raw.buf.iter().enumerate() {
                let k = i.wrapping_sub(raw.offset) % words;
                buf.push(if keep == 0 { w } else { w & mask[k] });
            }
            SetsCase {
                words,
                mask: mask.clone(),
                sets: Shifted {
                    buf,
                    offset: raw.offset,
                },
            }
        })
    })
}

// ---------------------------------------------------------------------------------
// Comparisons

fn check_accumulate<T: Copy, M: Copy + Debug>(
    case: &AccumulateCase<T, M>,
    reference: Accumulate<T, M>,
    variants: &[(&str, Accumulate<T, M>)],
    same: impl Fn(M, M) -> bool,
) -> Result<(), TestCaseError> {
    let matrix = case.matrix.get();
    check::assert_columns(matrix.len(), case.rows, &case.columns, case.out.get().len());
    let mut expected = case.out.get().to_vec();
    // SAFETY: the scalar reference is safe for any arguments.
    unsafe { reference(matrix, case.rows, &case.columns, &mut expected) };
    for &(name, kernel) in variants {
        let mut out = case.out.clone();
        // SAFETY: `variants` only lists ISAs this CPU has; the case passed
        // `assert_columns` above.
        unsafe { kernel(matrix, case.rows, &case.columns, out.get_mut()) };
        let got = out.get();
        let bad = (0..got.len()).find(|&r| !same(got[r], expected[r]));
        prop_assert!(bad.is_none(), "{name}: row {bad:?}: got {got:?}, expected {expected:?}");
    }
    Ok(())
}

fn same_f32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check_threshold(case: &AffineCase, variants: &[(&str, Threshold)]) -> Result<(), TestCaseError> {
    let (acc, coef) = (case.acc.get(), case.coef.get());
    let words = acc.len().div_ceil(64);
    let mut expected = vec![u64::MAX; words];
    let ones = scalar::threshold_affine_to_bitset(acc, case.mul, coef, case.scale, case.threshold, &mut expected);
    prop_assert_eq!(ones as u64, scalar::popcount(&expected));
    for &(name, kernel) in variants {
        // Garbage in `out`, shifted: everything must be overwritten.
        let mut out = Shifted {
            buf: vec![u64::MAX; words + 3],
            offset: 3,
        };
        // SAFETY: `variants` only lists ISAs this CPU has; the lengths match.
        let got_ones = unsafe { kernel(acc, case.mul, coef, case.scale, case.threshold, out.get_mut()) };
        prop_assert_eq!(out.get(), &expected[..], "{}", name);
        prop_assert_eq!(got_ones, ones, "{}", name);
    }
    Ok(())
}

fn check_relu(case: &AffineCase, variants: &[(&str, Relu)]) -> Result<(), TestCaseError> {
    let (acc, coef) = (case.acc.get(), case.coef.get());
    let mut expected = vec![-1; acc.len()];
    scalar::relu_affine(acc, case.mul, coef, case.scale, case.bias, &mut expected);
    for &(name, kernel) in variants {
        let mut out = Shifted {
            buf: vec![-1; acc.len() + 5],
            offset: 5,
        };
        // SAFETY: `variants` only lists ISAs this CPU has; the lengths match.
        unsafe { kernel(acc, case.mul, coef, case.scale, case.bias, out.get_mut()) };
        prop_assert_eq!(out.get(), &expected[..], "{}", name);
    }
    Ok(())
}

fn check_votes(case: &VotesCase, variants: &[(&str, Votes)]) -> Result<(), TestCaseError> {
    let (codes, bits) = (case.codes.get(), case.bits.get());
    let mut expected = vec![u16::MAX; case.n_out];
    scalar::count_votes_gather(codes, case.t, bits, &mut expected);
    let largest = codes.iter().copied().max().unwrap_or(0);
    for &(name, kernel) in variants {
        let mut out = Shifted {
            buf: vec![u16::MAX; case.n_out + 1],
            offset: 1,
        };
        // SAFETY: `variants` only lists ISAs this CPU has; the lengths match and every
        // code is in range by construction.
        let got_largest = unsafe { kernel(codes, case.t, bits, out.get_mut()) };
        prop_assert_eq!(out.get(), &expected[..], "{}", name);
        prop_assert_eq!(got_largest, largest, "{}", name);
    }
    Ok(())
}

fn check_sets(case: &SetsCase) -> Result<(), TestCaseError> {
    let (sets, words, mask) = (case.sets.get(), case.words, &case.mask[..]);
    let expected_count = scalar::count_covered_subsets(sets, words, mask);
    let mut expected = vec![7];
    scalar::covered_subsets_into(sets, words, mask, &mut expected);
    prop_assert_eq!(expected.len(), expected_count + 1);
    let counts = variants!(count_covered_subsets: CountCovered);
    let intos = variants!(covered_subsets_into: CoveredInto);
    for (&(name, count), &(_, into)) in counts.iter().zip(&intos) {
        // SAFETY: the variants only list ISAs this CPU has; the case passes
        // `assert_sets` by construction.
        prop_assert_eq!(unsafe { count(sets, words, mask) }, expected_count, "{}", name);
        let mut got = vec![7];
        // SAFETY: as above.
        unsafe { into(sets, words, mask, &mut got) };
        prop_assert_eq!(&got, &expected, "{}", name);
    }
    Ok(())
}

fn check_bits(bits: &[u64], prefix: &[u32]) -> Result<(), TestCaseError> {
    let mut expected = prefix.to_vec();
    scalar::bitset_ones(bits, &mut expected);
    let total = scalar::popcount(bits);
    prop_assert_eq!((expected.len() - prefix.len()) as u64, total);
    for (name, kernel) in variants!(bitset_ones: Ones) {
        let mut got = prefix.to_vec();
        // SAFETY: `variants!` only lists ISAs this CPU has; `bits` is short.
        unsafe { kernel(bits, &mut got) };
        prop_assert_eq!(&got, &expected, "{}", name);
    }
    for (name, kernel) in popcount_variants() {
        // SAFETY: `popcount_variants` only lists ISAs this CPU has.
        prop_assert_eq!(unsafe { kernel(bits) }, total, "{}", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn accumulate_u8_matches_scalar(case in accumulate_case(
        prop_oneof![Just(255u8), Just(0u8), any::<u8>()],
        prop_oneof![1i32..=8, i32_value()],
        i32_value(),
    )) {
        check_accumulate(&case, scalar::accumulate_columns_u8, &variants!(accumulate_columns_u8: AccU8), |a, b| a == b)?;
    }

    #[test]
    fn accumulate_u16_matches_scalar(case in accumulate_case(
        prop_oneof![Just(u16::MAX), Just(0u16), any::<u16>()],
        prop_oneof![1i32..=8, i32_value()],
        i32_value(),
    )) {
        check_accumulate(&case, scalar::accumulate_columns_u16, &variants!(accumulate_columns_u16: AccU16), |a, b| a == b)?;
    }

    #[test]
    fn accumulate_f32_matches_scalar(case in accumulate_case(f32_value(), f32_value(), f32_value())) {
        check_accumulate(&case, scalar::accumulate_columns_f32, &variants!(accumulate_columns_f32: AccF32), same_f32)?;
    }

    #[test]
    fn threshold_matches_scalar(case in affine_case()) {
        check_threshold(&case, &variants!(threshold_affine_to_bitset: Threshold))?;
    }

    #[test]
    fn relu_matches_scalar(case in affine_case()) {
        check_relu(&case, &variants!(relu_affine: Relu))?;
    }

    #[test]
    fn bitset_ones_and_popcount_match_scalar(
        bits in length().prop_flat_map(|n| shifted(word(), n)),
        prefix in vec(any::<u32>(), 0..3),
    ) {
        check_bits(bits.get(), &prefix)?;
    }

    #[test]
    fn votes_match_scalar(case in votes_case()) {
        check_votes(&case, &variants!(count_votes_gather: Votes, public: votes_public))?;
    }

    #[test]
    fn covered_subsets_match_scalar(case in sets_case()) {
        check_sets(&case)?;
    }
}

// ---------------------------------------------------------------------------------
// Hand-computed cases, run through the reference and every variant.

#[test]
fn accumulate_u8_by_hand() {
    // Columns (rows = 3): c0 = [1, 2, 3], c1 = [255, 0, 10].
    let matrix = [1u8, 2, 3, 255, 0, 10];
    let columns = [(1, 2), (0, 3), (1, 1)];
    let expected = [10 + 2 * 255 + 3 + 255, 20 + 6, 30 + 20 + 9 + 10];
    let mut out = [10, 20, 30];
    scalar::accumulate_columns_u8(&matrix, 3, &columns, &mut out);
    assert_eq!(out, expected);
    for (name, kernel) in variants!(accumulate_columns_u8: AccU8) {
        let mut out = [10, 20, 30];
        // SAFETY: `variants!` only lists ISAs this CPU has; the arguments are valid.
        unsafe { kernel(&matrix, 3, &columns, &mut out) };
        assert_eq!(out, expected, "{name}");
    }
}

#[test]
fn accumulate_u8_wraps_and_handles_many_rows() {
    // 37 rows: vector body plus a tail; entry (c, r) = (7c + r) % 256, 255 included.
    let rows = 37;
    let matrix: Vec<u8> = (0..3 * rows).map(|i| ((i / rows) * 7 + i % rows + 218) as u8).collect();
    let columns = [(2, i32::MAX), (0, 5), (1, -3), (2, 1), (0, 8)];
    let expected: Vec<i32> = (0..rows)
        .map(|r| {
            let entry = |c: usize| i64::from(matrix[c * rows + r]);
            let exact = entry(2) * i64::from(i32::MAX) + 13 * entry(0) - 3 * entry(1) + entry(2);
            exact as i32 // truncation = arithmetic modulo 2^32
        })
        .collect();
    for (name, kernel) in variants!(accumulate_columns_u8: AccU8) {
        let mut out = vec![0; rows];
        // SAFETY: `variants!` only lists ISAs this CPU has; the arguments are valid.
        unsafe { kernel(&matrix, rows, &columns, &mut out) };
        assert_eq!(out, expected, "{name}");
    }
    let mut out = vec![0; rows];
    scalar::accumulate_columns_u8(&matrix, rows, &columns, &mut out);
    assert_eq!(out, expected);
    assert_eq!(255i32.wrapping_mul(i32::MAX), 2_147_483_393);
}

#[test]
fn accumulate_u16_by_hand() {
    let rows = 20;
    let matrix: Vec<u16> = (0..2 * rows)
        .map(|i| if i < rows { u16::MAX } else { i as u16 })
        .collect();
    let columns = [(0, 2), (1, 1)];
    let expected: Vec<i32> = (0..rows).map(|r| -1 + 2 * 65535 + (rows + r) as i32).collect();
    let mut out = vec![-1; rows];
    scalar::accumulate_columns_u16(&matrix, rows, &columns, &mut out);
    assert_eq!(out, expected);
    for (name, kernel) in variants!(accumulate_columns_u16: AccU16) {
        let mut out = vec![-1; rows];
        // SAFETY: `variants!` only lists ISAs this CPU has; the arguments are valid.
        unsafe { kernel(&matrix, rows, &columns, &mut out) };
        assert_eq!(out, expected, "{name}");
    }
}

#[test]
fn accumulate_f32_keeps_column_order() {
    // (0 + 1e8) + 1 rounds back to 1e8 in f32, so in list order the result is 0;
    // any other order of the three additions would give 1.
    let rows = 19;
    let mut matrix = vec![1e8f32; rows];
    matrix.extend(vec![1.0; rows]);
    matrix.extend(vec![-1e8; rows]);
    let columns = [(0, 1.0), (1, 1.0), (2, 1.0)];
    let mut out = vec![0.0; rows];
    scalar::accumulate_columns_f32(&matrix, rows, &columns, &mut out);
    assert_eq!(out, vec![0.0; rows]);
    for (name, kernel) in variants!(accumulate_columns_f32: AccF32) {
        let mut out = vec![0.0; rows];
        // SAFETY: `variants!` only lists ISAs this CPU has; the arguments are valid.
        unsafe { kernel(&matrix, rows, &columns, &mut out) };
        assert_eq!(out, vec![0.0; rows], "{name}");
    }
}

/// Runs the threshold reference and every variant, checking `expected` and its count.
fn assert_threshold(acc: &[i32], mul: i32, coef: &[i32], scale: i32, threshold: i32, expected: &[u64]) {
    let ones = expected.iter().map(|w| w.count_ones() as usize).sum::<usize>();
    let mut out = vec![u64::MAX; expected.len()];
    assert_eq!(
        scalar::threshold_affine_to_bitset(acc, mul, coef, scale, threshold, &mut out),
        ones
    );
    assert_eq!(out, expected, "reference");
    for (name, kernel) in variants!(threshold_affine_to_bitset: Threshold) {
        let mut out = vec![u64::MAX; expected.len()];
        // SAFETY: `variants!` only lists ISAs this CPU has; the lengths match.
        let got = unsafe { kernel(acc, mul, coef, scale, threshold, &mut out) };
        assert_eq!(got, ones, "{name}");
        assert_eq!(out, expected, "{name}");
    }
}

#[test]
fn threshold_by_hand() {
    // 2 * acc - coef = [2, 3, 1]; only row 1 reaches 3.
    assert_threshold(&[1, 2, 3], 2, &[0, 1, 5], 1, 3, &[0b010]);
    // 65 rows of value r: threshold 60 sets rows 60..=64, row 64 in word 1.
    let acc: Vec<i32> = (0..65).collect();
    assert_threshold(&acc, 1, &[0; 65], 1, 60, &[0b1111 << 60, 1]);
    // Extremes: MIN * MIN - MIN * MAX = 2^63 - 2^31 must not overflow. Expected
    // bits computed in i128.
    let extremes = [i32::MIN, i32::MAX, 0, -1, 1];
    let acc: Vec<i32> = (0..70).map(|i| extremes[i % 5]).collect();
    let coef: Vec<i32> = (0..70).map(|i| extremes[(i / 5) % 5]).collect();
    for threshold in [i32::MIN, -1, 0, i32::MAX] {
        let mut expected = [0u64; 2];
        for (r, (&a, &c)) in acc.iter().zip(&coef).enumerate() {
            let v = i128::from(a) * i128::from(i32::MIN) - i128::from(c) * i128::from(i32::MAX);
            if v >= i128::from(threshold) {
                expected[r / 64] |= 1 << (r % 64);
            }
        }
        assert_threshold(&acc, i32::MIN, &coef, i32::MAX, threshold, &expected);
    }
}

#[test]
fn relu_by_hand() {
    // 3 * [1, -1, 2, 0, 5] - [1, 1, 0, 0, 0] - 1 = [1, -5, 5, -1, 14].
    let acc = [1, -1, 2, 0, 5];
    let coef = [1, 1, 0, 0, 0];
    let expected = [1, 0, 5, 0, 14];
    let mut out = [9; 5];
    scalar::relu_affine(&acc, 3, &coef, 1, -1, &mut out);
    assert_eq!(out, expected);
    for (name, kernel) in variants!(relu_affine: Relu) {
        let mut out = [9; 5];
        // SAFETY: `variants!` only lists ISAs this CPU has; the lengths match.
        unsafe { kernel(&acc, 3, &coef, 1, -1, &mut out) };
        assert_eq!(out, expected, "{name}");
        // MIN * MIN - MIN * MAX = 2^63 - 2^31, exact; a bias of 2^31 - 1 still fits.
        let mut out = [0; 8];
        // SAFETY: as above.
        unsafe {
            kernel(
                &[i32::MIN; 8],
                i32::MIN,
                &[i32::MIN; 8],
                i32::MAX,
                (1 << 31) - 1,
                &mut out,
            )
        };
        assert_eq!(out, [i64::MAX; 8], "{name}");
    }
}

#[test]
fn bits_by_hand() {
    let bits = [0b1010, 0, 1 << 63, 1];
    let expected = vec![7, 1, 3, 191, 192];
    let mut out = vec![7];
    scalar::bitset_ones(&bits, &mut out);
    assert_eq!(out, expected);
    for (name, kernel) in variants!(bitset_ones: Ones) {
        let mut out = vec![7];
        // SAFETY: `variants!` only lists ISAs this CPU has.
        unsafe { kernel(&bits, &mut out) };
        assert_eq!(out, expected, "{name}");
    }
    let many = [0, u64::MAX, 0b1011, 1 << 40, 0, 3, 0, 0, u64::MAX];
    assert_eq!(scalar::popcount(&many), 64 + 3 + 1 + 2 + 64);
    for (name, kernel) in popcount_variants() {
        // SAFETY: `popcount_variants` only lists ISAs this CPU has.
        assert_eq!(unsafe { kernel(&many) }, 134, "{name}");
        // Long runs of full words saturate per-byte counters if they are not flushed
        // in time.
        // SAFETY: as above.
        assert_eq!(unsafe { kernel(&[u64::MAX; 1001]) }, 64 * 1001, "{name}");
    }
}

#[test]
fn votes_by_hand() {
    // Bits 0, 1, 3 and 64 + 2 set.
    let bits = [0b1011, 0b100];
    let codes = [0, 1, 2, 3, 3, 63, 2, 4, 66, 65, 64, 127];
    let expected = [2, 2, 1, 0];
    let mut out = [9; 4];
    scalar::count_votes_gather(&codes, 3, &bits, &mut out);
    assert_eq!(out, expected);
    for (name, kernel) in variants!(count_votes_gather: Votes, public: votes_public) {
        let mut out = [9; 4];
        // SAFETY: `variants!` only lists ISAs this CPU has; the lengths match.
        assert_eq!(unsafe { kernel(&codes, 3, &bits, &mut out) }, 127, "{name}");
        assert_eq!(out, expected, "{name}");
        // A long set (t = 21: two AVX2 vectors, one AVX-512 vector, and a tail).
        let long: Vec<u32> = (0..21).map(|i| [0, 1, 2, 3, 66, 70][i % 6]).collect();
        let mut out = [9];
        // SAFETY: as above.
        unsafe { kernel(&long, 21, &bits, &mut out) };
        // Three cycles of 4 hits, then 0, 1, 2 with 2 hits.
        assert_eq!(out, [14], "{name}");
    }
}

#[test]
fn votes_with_bad_codes_never_read_out_of_bounds() {
    // The ISA kernels clamp gathers into `bits` and report the largest code.
    let bits = [u64::MAX];
    let codes: Vec<u32> = (0..40).map(|i| if i == 17 { u32::MAX } else { i }).collect();
    for (name, kernel) in variants!(count_votes_gather: Votes, public: count_votes_scalar_adapter) {
        let mut out = [0; 2];
        // SAFETY: `variants!` only lists ISAs this CPU has; the lengths match and
        // `bits` is non-empty, which is all the kernels need for memory safety.
        assert_eq!(unsafe { kernel(&codes, 20, &bits, &mut out) }, u32::MAX, "{name}");
    }
}

fn count_votes_scalar_adapter(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) -> u32 {
    crate::count_votes_scalar(codes, t, bits, out)
}

#[test]
#[should_panic(expected = "out of range")]
fn votes_panic_on_bad_code() {
    crate::count_votes_gather(&[0, 64], 2, &[1], &mut [0]);
}

#[test]
#[should_panic(expected = "out of range")]
fn votes_panic_on_empty_bits() {
    crate::count_votes_gather(&[0], 1, &[], &mut [0]);
}

#[test]
#[should_panic(expected = "codes.len() != out.len() * t")]
fn votes_panic_on_length_mismatch() {
    crate::count_votes_gather(&[0, 1, 2], 2, &[1], &mut [0]);
}

#[test]
fn covered_subsets_by_hand() {
    let mask = [0b0110, 1];
    let sets = [0b0010, 1, 0b0001, 0, 0, 0, 0b0100, 2];
    assert_eq!(scalar::count_covered_subsets(&sets, 2, &mask), 2);
    let mut out = vec![];
    scalar::covered_subsets_into(&sets, 2, &mask, &mut out);
    assert_eq!(out, [0, 2]);
    let counts = variants!(count_covered_subsets: CountCovered);
    let intos = variants!(covered_subsets_into: CoveredInto);
    for (&(name, count), &(_, into)) in counts.iter().zip(&intos) {
        // SAFETY: the variants only list ISAs this CPU has; the lengths are valid.
        assert_eq!(unsafe { count(&sets, 2, &mask) }, 2, "{name}");
        let mut out = vec![];
        // SAFETY: as above.
        unsafe { into(&sets, 2, &mask, &mut out) };
        assert_eq!(out, [0, 2], "{name}");
    }
}

#[test]
#[should_panic(expected = "column index")]
fn accumulate_panics_on_bad_column() {
    crate::accumulate_columns_u8(&[0; 6], 3, &[(2, 1)], &mut [0; 3]);
}

#[test]
#[should_panic(expected = "out.len() != rows")]
fn accumulate_panics_on_bad_out() {
    crate::accumulate_columns_f32(&[0.0; 6], 3, &[(1, 1.0)], &mut [0.0; 2]);
}

#[test]
#[should_panic(expected = "out.len() != acc.len().div_ceil(64)")]
fn threshold_panics_on_bad_out() {
    crate::threshold_affine_to_bitset(&[0; 65], 1, &[0; 65], 1, 0, &mut [0; 1]);
}

#[test]
#[should_panic(expected = "mask.len() != words")]
fn covered_panics_on_bad_mask() {
    crate::count_covered_subsets(&[0; 4], 2, &[0; 3]);
}

#[test]
fn isa_choice_follows_cpu_and_env() {
    let best = crate::choose_isa(None);
    assert_eq!(crate::choose_isa(Some("1".as_ref())), crate::Isa::Scalar);
    assert_eq!(crate::choose_isa(Some("0".as_ref())), best);
    #[cfg(target_arch = "x86_64")]
    {
        let expected = if crate::x86_64::has_avx512() {
            crate::Isa::Avx512
        } else if crate::x86_64::has_avx2() {
            crate::Isa::Avx2
        } else {
            crate::Isa::Scalar
        };
        assert_eq!(best, expected);
    }
    let forced = std::env::var_os(crate::FORCE_SCALAR_ENV).is_some_and(|v| v == "1");
    let active = crate::active_isa();
    assert!(["avx512", "avx2", "scalar"].contains(&active));
    assert_eq!(active == "scalar", forced || best == crate::Isa::Scalar);
}
