//! Bridge to the kernel crate: the kernels the evaluation calls, by one name each.
//! Each dispatches at run time to AVX-512, AVX2 or its scalar reference.
pub use superposition_kernels::{
    accumulate_columns_u8, accumulate_columns_u16, bitset_ones, count_covered_subsets, count_votes_gather, relu_affine,
    threshold_affine_to_bitset,
};
