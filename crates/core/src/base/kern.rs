//! Bridge to the kernel crate: the kernels the evaluation calls, by one name each.
//! Each dispatches at run time to AVX-512, AVX2 or its scalar reference.
pub use superposition_kernels::{
    accumulate_columns_u8, accumulate_columns_u16, bitset_ones, count_covered_subsets, count_votes_gather, prefetch,
    relu_affine, threshold_affine_to_bitset,
};

/// 2^24: every integer of smaller magnitude is exact in f32 (24-bit significand), so integer
/// weights and sums below it evaluate exactly in the f32 kernels and GEMMs.
pub const F32_EXACT_LIMIT: u64 = 1 << 24;
