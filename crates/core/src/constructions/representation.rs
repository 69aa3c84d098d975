//! Construction R: representing (not computing) k-sparse features in superposition.
//!
//! Feature i gets a random t-subset C(i) of d neurons; an input lights the union of its
//! active features' sets; feature i is decoded on iff every neuron of C(i) is lit (vote
//! decoding at τ = 1 — the Bloom filter). Active features are always decoded on, so a sample
//! fails iff some inactive feature is covered (a false positive). The minimal width for
//! failure ≤ δ grows like 1.44·k·log₂(m/δ) (Bloom bound): O(log m) neurons (R1).

use crate::base::code::{GaussianCode, SubsetCode};
use crate::base::kern;
use crate::base::memory;
use crate::error::{Result, invalid};
use crate::rng::derive_seed;

/// A built representation: the code as one bitset of ⌈d/64⌉ words per feature.
#[derive(Debug, Clone)]
pub struct Representation {
    width: usize,
    t: usize,
    words: usize,
    sets: Vec<u64>,
}

impl Representation {
    /// The t that minimises the false-positive rate at width d for k active features:
    /// t = round(d·ln 2 / k), clamped to [1, d].
    pub fn optimal_t(width: usize, k: usize) -> usize {
        ((width as f64 * std::f64::consts::LN_2 / k.max(1) as f64).round() as usize).clamp(1, width.max(1))
    }

    /// Builds the code for `features` features at width `width` with `t` neurons each.
    pub fn build(features: usize, width: usize, t: usize, seed: u64) -> Result<Self> {
        if features == 0 {
            return Err(invalid("features", features, "must be positive"));
        }
        let words = width.div_ceil(64);
        memory::check(
            || format!("a representation of {features} features at width {width}"),
            features as u64 * (words as u64 * 8 + t as u64 * 4),
        )?;
        let code = SubsetCode::random(features, width, t, derive_seed(seed, "representation-code", 0), "code")?;
        Self::from_code(&code)
    }

    /// The representation of an explicit code (feature i ↦ `code.set(i)`), decoded the same
    /// way: feature i is on iff every neuron of its set is lit.
    pub fn from_code(code: &SubsetCode) -> Result<Self> {
        let (features, width, t) = (code.features(), code.width(), code.t());
        if features == 0 {
            return Err(invalid("features", features, "must be positive"));
        }
        let words = width.div_ceil(64);
        memory::check(
            || format!("a representation of {features} features at width {width}"),
            features as u64 * words as u64 * 8,
        )?;
        let mut sets = vec![0u64; features * words];
        for (i, chunk) in sets.chunks_exact_mut(words).enumerate() {
            for &q in code.set(i) {
                chunk[q as usize / 64] |= 1 << (q % 64);
            }
        }
        Ok(Self { width, t, words, sets })
    }

    /// d.
    pub fn width(&self) -> usize {
        self.width
    }

    /// t.
    pub fn t(&self) -> usize {
        self.t
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.sets.len() / self.words
    }

    /// Lights the code neurons of the active features into `lit` (⌈d/64⌉ words).
    pub fn encode(&self, active: &[u32], lit: &mut Vec<u64>) {
        lit.clear();
        lit.resize(self.words, 0);
        for &i in active {
            let set = &self.sets[i as usize * self.words..(i as usize + 1) * self.words];
            for (l, s) in lit.iter_mut().zip(set) {
                *l |= s;
            }
        }
    }

    /// Number of features decoded on for the lit neurons (all of them checked).
    pub fn decoded_count(&self, lit: &[u64]) -> usize {
        kern::count_covered_subsets(&self.sets, self.words, lit)
    }

    /// The decoded count of each of several lit masks (`lits` holds ⌈d/64⌉ words per mask),
    /// written into `counts` (one per mask): the same figures as [`Self::decoded_count`] per
    /// mask, in one pass over the code.
    ///
    /// The code (m·⌈d/64⌉ words) is read block by block, each block tested against every mask
    /// while it is in cache. One mask at a time reads the whole code from memory per sample
    /// (400 MB at m = 2²⁴, d ≈ 150): that scan bounded the representation check at full scale.
    pub fn decoded_counts(&self, lits: &[u64], counts: &mut [usize]) {
        assert_eq!(lits.len(), counts.len() * self.words, "one lit mask per count");
        counts.fill(0);
        for sets in self.sets.chunks(FEATURE_BLOCK * self.words) {
            for (count, lit) in counts.iter_mut().zip(lits.chunks_exact(self.words)) {
                *count += kern::count_covered_subsets(sets, self.words, lit);
            }
        }
    }

    /// Whether decoding the input `active` (distinct features) is exact.
    pub fn is_exact(&self, active: &[u32], lit: &mut Vec<u64>) -> bool {
        self.encode(active, lit);
        self.decoded_count(lit) == active.len()
    }
}

/// Features per cache block of [`Representation::decoded_counts`] (8192 features of up to
/// four words: 256 KiB, within L2).
const FEATURE_BLOCK: usize = 8192;

/// The Johnson–Lindenstrauss alternative to R: feature i ↦ a Gaussian vector e_i ∈ R^d with
/// E‖e_i‖² = 1; an input is v = Σ_{i on} e_i, and feature i is decoded on iff ⟨e_i, v⟩ ≥ ½.
///
/// Exact recovery needs every one of the m inner products on the right side of ½, so the
/// width grows like k·log m with a larger constant than the Bloom code's; it is kept as the
/// dense-code comparison point for R1.
#[derive(Debug, Clone)]
pub struct GaussianRepresentation {
    code: GaussianCode,
}

impl GaussianRepresentation {
    /// Builds the code for `features` features at width `width`.
    pub fn build(features: usize, width: usize, seed: u64) -> Result<Self> {
        if features == 0 {
            return Err(invalid("features", features, "must be positive"));
        }
        memory::check(
            || format!("a Gaussian representation of {features} features at width {width}"),
            features as u64 * width as u64 * 4,
        )?;
        let code = GaussianCode::random(features, width, derive_seed(seed, "gaussian-code", 0), "code")?;
        Ok(Self { code })
    }

    /// d.
    pub fn width(&self) -> usize {
        self.code.width()
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.code.features()
    }

    /// Whether decoding the input `active` (distinct features, sorted) is exact; `v` is scratch.
    pub fn is_exact(&self, active: &[u32], v: &mut Vec<f32>) -> bool {
        v.clear();
        v.resize(self.code.width(), 0.0);
        for &i in active {
            for (x, e) in v.iter_mut().zip(self.code.vector(i as usize)) {
                *x += e;
            }
        }
        (0..self.code.features()).all(|i| {
            let dot: f32 = self.code.vector(i).iter().zip(v.iter()).map(|(a, b)| a * b).sum();
            (dot >= 0.5) == active.binary_search(&(i as u32)).is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::sample::sample_uniform_fill;
    use crate::rng::stream;

    #[test]
    fn decoding_finds_actives_and_false_positives_exactly() {
        let rep = Representation::build(300, 20, 3, 1).unwrap();
        let mut rng = stream(1, "r", 0);
        let (mut active, mut lit) = (Vec::new(), Vec::new());
        for _ in 0..100 {
            active.clear();
            sample_uniform_fill(&mut rng, 300, 4, &mut active);
            rep.encode(&active, &mut lit);
            // Reference: feature i is on iff each of its bits is lit, checked bit by bit.
            let expected = (0..300)
                .filter(|&i| (0..20).all(|q| rep.sets[i] >> q & 1 == 0 || lit[0] >> q & 1 == 1))
                .count();
            assert_eq!(rep.decoded_count(&lit), expected);
            assert!(expected >= 4);
        }
    }

    #[test]
    fn batched_counts_equal_one_mask_at_a_time() {
        // Several cache blocks, a partial last one, and widths of one to three words.
        for (features, width) in [(3 * FEATURE_BLOCK + 17, 150), (FEATURE_BLOCK / 2, 40), (20_000, 64)] {
            let rep = Representation::build(features, width, Representation::optimal_t(width, 4), 9).unwrap();
            let mut rng = stream(4, "r", width as u64);
            let (mut active, mut lit, mut lits) = (Vec::new(), Vec::new(), Vec::new());
            let mut expected = Vec::new();
            for k in [1, 4, 6, 9, 12] {
                active.clear();
                sample_uniform_fill(&mut rng, features, k, &mut active);
                rep.encode(&active, &mut lit);
                expected.push(rep.decoded_count(&lit));
                lits.extend_from_slice(&lit);
            }
            let mut counts = vec![usize::MAX; expected.len()];
            rep.decoded_counts(&lits, &mut counts);
            assert_eq!(counts, expected, "m = {features}, d = {width}");
        }
    }

    #[test]
    fn wide_codes_are_exact_and_narrow_ones_are_not() {
        let wide = Representation::build(1000, 200, Representation::optimal_t(200, 4), 2).unwrap();
        let narrow = Representation::build(1000, 12, Representation::optimal_t(12, 4), 2).unwrap();
        let mut rng = stream(2, "r", 0);
        let (mut active, mut lit) = (Vec::new(), Vec::new());
        let (mut wide_fail, mut narrow_fail) = (0, 0);
        for _ in 0..200 {
            active.clear();
            sample_uniform_fill(&mut rng, 1000, 4, &mut active);
            wide_fail += usize::from(!wide.is_exact(&active, &mut lit));
            narrow_fail += usize::from(!narrow.is_exact(&active, &mut lit));
        }
        assert_eq!(wide_fail, 0);
        assert!(narrow_fail > 150, "{narrow_fail}");
    }

    #[test]
    fn gaussian_code_is_exact_when_wide_and_worse_than_bloom_when_narrow() {
        let mut rng = stream(3, "g", 0);
        let (mut active, mut v, mut lit) = (Vec::new(), Vec::new(), Vec::new());
        let wide = GaussianRepresentation::build(256, 4000, 1).unwrap();
        let narrow = GaussianRepresentation::build(256, 60, 1).unwrap();
        let bloom = Representation::build(256, 60, Representation::optimal_t(60, 4), 1).unwrap();
        let (mut wide_fail, mut narrow_fail, mut bloom_fail) = (0, 0, 0);
        for _ in 0..100 {
            active.clear();
            sample_uniform_fill(&mut rng, 256, 4, &mut active);
            active.sort_unstable();
            wide_fail += usize::from(!wide.is_exact(&active, &mut v));
            narrow_fail += usize::from(!narrow.is_exact(&active, &mut v));
            bloom_fail += usize::from(!bloom.is_exact(&active, &mut lit));
        }
        assert_eq!(wide_fail, 0);
        assert!(
            narrow_fail > bloom_fail + 20,
            "gaussian {narrow_fail} vs bloom {bloom_fail}"
        );
    }

    #[test]
    fn optimal_t_is_clamped() {
        assert_eq!(Representation::optimal_t(100, 4), 17);
        assert_eq!(Representation::optimal_t(1, 4), 1);
    }
}
