//! The base layer: what every construction and measurement is built from, importing nothing
//! above it — memory estimates, superposed codes, instances (2-AND pairs, depth-2 circuits), k-sparse samples and the bridge
//! to the kernels (theory, statistics and seeded streams live in superposition-schema).

pub mod circuit;
pub mod code;
pub mod instance;
pub(crate) mod kern;
pub mod memory;
pub mod sample;

/// The parallelism handed to faer: rayon's global pool (sized once by the caller), or
/// sequential when it has one thread.
pub fn par() -> faer::Par {
    match rayon::current_num_threads() {
        1 => faer::Par::Seq,
        n => faer::Par::rayon(n),
    }
}
