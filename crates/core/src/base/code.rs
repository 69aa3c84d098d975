//! Superposed codes: how many features share few neurons.
//!
//! The default code gives feature i a random t-subset C(i) of the w neurons (a Bloom-filter
//! code); a k-sparse input is then represented by u = Σ_{i on} 1_{C(i)}. Codes are seeded and
//! instance-independent: they depend only on (seed, number of features, w, t).

use rand::Rng as _;
use rand_distr_gauss::standard_normal;

use crate::error::{Result, invalid};
use crate::rng::{Rng, stream};

/// A t-subset code: feature i ↦ C(i) ⊂ \[w\], |C(i)| = t, elements sorted and distinct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsetCode {
    width: usize,
    t: usize,
    /// Flattened sets: feature i's set is `members[i*t .. (i+1)*t]`.
    members: Vec<u32>,
}

impl SubsetCode {
    /// A random code for `features` features, t-subsets of `width` neurons, drawn from
    /// the stream (`seed`, `domain`).
    pub fn random(features: usize, width: usize, t: usize, seed: u64, domain: &str) -> Result<Self> {
        if t == 0 {
            return Err(invalid("t", t, "a code needs at least one neuron per feature"));
        }
        if width < t {
            return Err(invalid("width", width, format!("must be at least t = {t}")));
        }
        if width > u32::MAX as usize {
            return Err(invalid("width", width, "must fit in 32 bits"));
        }
        let mut rng = stream(seed, domain, 0);
        let mut members = Vec::with_capacity(features * t);
        let mut set = Vec::with_capacity(t);
        for _ in 0..features {
            random_subset(&mut rng, width, t, &mut set);
            members.extend_from_slice(&set);
        }
        Ok(Self { width, t, members })
    }

    /// Builds a code from explicit sets (each of size t, elements < width, distinct).
    pub fn from_sets(width: usize, t: usize, sets: &[Vec<u32>]) -> Result<Self> {
        let mut members = Vec::with_capacity(sets.len() * t);
        for (i, set) in sets.iter().enumerate() {
            let mut sorted = set.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != t || sorted.iter().any(|&q| q as usize >= width) {
                return Err(invalid(
                    "code",
                    format!("set {i} = {set:?}"),
                    format!("each set needs {t} distinct neurons below {width}"),
                ));
            }
            members.extend_from_slice(&sorted);
        }
        Ok(Self { width, t, members })
    }

    /// w, the number of neurons the code lives in.
    pub fn width(&self) -> usize {
        self.width
    }

    /// t, neurons per feature.
    pub fn t(&self) -> usize {
        self.t
    }

    /// Number of features coded.
    pub fn features(&self) -> usize {
        self.members.len() / self.t
    }

    /// C(i), sorted.
    pub fn set(&self, feature: usize) -> &[u32] {
        &self.members[feature * self.t..(feature + 1) * self.t]
    }

    /// All sets flattened (feature i at `[i*t, (i+1)*t)`).
    pub fn flat(&self) -> &[u32] {
        &self.members
    }

    /// The inverted index: for each neuron, the features whose code contains it.
    pub fn inverted(&self) -> Csr {
        Csr::from_pairs(self.width, |push| {
            for feature in 0..self.features() {
                for &q in self.set(feature) {
                    push(q as usize, feature as u32);
                }
            }
        })
    }

    /// Approximate heap bytes for a code of this shape (used for memory estimates).
    pub fn estimate_bytes(features: usize, t: usize) -> u64 {
        (features as u64) * (t as u64) * 4
    }
}

/// Floyd's algorithm: a uniform t-subset of [0, width), sorted, written into `out`.
fn random_subset(rng: &mut Rng, width: usize, t: usize, out: &mut Vec<u32>) {
    out.clear();
    for j in (width - t)..width {
        let r = rng.random_range(0..=j) as u32;
        if out.contains(&r) {
            out.push(j as u32);
        } else {
            out.push(r);
        }
    }
    out.sort_unstable();
}

/// A compressed sparse row table: row r lists `items[offsets[r]..offsets[r+1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<usize>,
    items: Vec<u32>,
}

impl Csr {
    /// Builds from a generator that calls `push(row, item)` for every entry; rows keep the
    /// order in which their items were pushed. The generator runs twice (count, then fill).
    pub fn from_pairs(rows: usize, generate: impl Fn(&mut dyn FnMut(usize, u32))) -> Self {
        let mut counts = vec![0usize; rows + 1];
        generate(&mut |row, _| counts[row + 1] += 1);
        for r in 0..rows {
            counts[r + 1] += counts[r];
        }
        let offsets = counts.clone();
        let mut cursor = counts;
        let mut items = vec![0u32; offsets[rows]];
        generate(&mut |row, item| {
            items[cursor[row]] = item;
            cursor[row] += 1;
        });
        Self { offsets, items }
    }

    /// Concatenates rows given as (row lengths, items) chunks, in order.
    pub fn from_chunks(chunks: Vec<(Vec<usize>, Vec<u32>)>) -> Self {
        let rows: usize = chunks.iter().map(|c| c.0.len()).sum();
        let total: usize = chunks.iter().map(|c| c.1.len()).sum();
        let mut offsets = Vec::with_capacity(rows + 1);
        let mut items = Vec::with_capacity(total);
        offsets.push(0);
        for (lengths, chunk_items) in chunks {
            for len in lengths {
                offsets.push(offsets[offsets.len() - 1] + len);
            }
            items.extend_from_slice(&chunk_items);
        }
        debug_assert_eq!(offsets[rows], items.len());
        Self { offsets, items }
    }

    /// Row boundaries: row r is `items[offsets[r]..offsets[r + 1]]`.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// Every row's items, concatenated in row order.
    pub fn items(&self) -> &[u32] {
        &self.items
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Items of row r.
    pub fn row(&self, r: usize) -> &[u32] {
        &self.items[self.offsets[r]..self.offsets[r + 1]]
    }

    /// Total entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// u = Σ_{i ∈ active} 1_{C_in(i)} as sorted, merged (input neuron q, u_q) entries in `columns`;
/// returns the mass Σ_q u_q.
pub fn gather_columns(input_code: &SubsetCode, active: &[u32], columns: &mut Vec<(u32, i32)>) -> i64 {
    columns.clear();
    for &i in active {
        columns.extend(input_code.set(i as usize).iter().map(|&q| (q, 1)));
    }
    columns.sort_unstable_by_key(|&(q, _)| q);
    let mut write = 0;
    for read in 0..columns.len() {
        if write > 0 && columns[write - 1].0 == columns[read].0 {
            columns[write - 1].1 += columns[read].1;
        } else {
            columns[write] = columns[read];
            write += 1;
        }
    }
    columns.truncate(write);
    columns.iter().map(|&(_, c)| i64::from(c)).sum()
}

/// A dense Gaussian (Johnson–Lindenstrauss) code: feature i ↦ a random unit-variance vector
/// in R^w scaled by 1/√w, stored column-major (feature i at `[i*w, (i+1)*w)`).
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianCode {
    width: usize,
    vectors: Vec<f32>,
}

impl GaussianCode {
    /// A random Gaussian code for `features` features in `width` dimensions.
    pub fn random(features: usize, width: usize, seed: u64, domain: &str) -> Result<Self> {
        if width == 0 {
            return Err(invalid("width", width, "must be positive"));
        }
        let mut rng = stream(seed, domain, 0);
        let scale = 1.0 / (width as f64).sqrt();
        let vectors = (0..features * width)
            .map(|_| (standard_normal(&mut rng) * scale) as f32)
            .collect();
        Ok(Self { width, vectors })
    }

    /// w.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Feature i's vector.
    pub fn vector(&self, feature: usize) -> &[f32] {
        &self.vectors[feature * self.width..(feature + 1) * self.width]
    }

    /// Number of features coded.
    pub fn features(&self) -> usize {
        self.vectors.len() / self.width
    }
}

/// A standard normal variate by Box–Muller (kept local: one function does not justify
/// another dependency).
pub(crate) mod rand_distr_gauss {
    use rand::Rng as _;

    pub fn standard_normal(rng: &mut crate::rng::Rng) -> f64 {
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn subsets_are_sorted_distinct_in_range(features in 1usize..50, width in 1usize..40, t in 1usize..10, seed in any::<u64>()) {
            prop_assume!(t <= width);
            let code = SubsetCode::random(features, width, t, seed, "test").unwrap();
            prop_assert_eq!(code.features(), features);
            for i in 0..features {
                let set = code.set(i);
                prop_assert_eq!(set.len(), t);
                prop_assert!(set.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(set.iter().all(|&q| (q as usize) < width));
            }
            let inverted = code.inverted();
            prop_assert_eq!(inverted.len(), features * t);
            for q in 0..width {
                for &i in inverted.row(q) {
                    prop_assert!(code.set(i as usize).contains(&(q as u32)));
                }
            }
        }
    }

    #[test]
    fn subsets_cover_neurons_roughly_uniformly() {
        let code = SubsetCode::random(20_000, 50, 5, 1, "u").unwrap();
        let mut counts = [0usize; 50];
        for &q in code.flat() {
            counts[q as usize] += 1;
        }
        // Expected 2000 per neuron; a 6-sigma band (σ ≈ 44).
        assert!(counts.iter().all(|&c| (1730..2270).contains(&c)), "{counts:?}");
    }

    #[test]
    fn rejects_impossible_codes() {
        assert!(SubsetCode::random(3, 2, 3, 0, "x").is_err());
        assert!(SubsetCode::random(3, 2, 0, 0, "x").is_err());
        assert!(SubsetCode::from_sets(4, 2, &[vec![1, 1]]).is_err());
        assert!(SubsetCode::from_sets(4, 2, &[vec![1, 4]]).is_err());
        assert!(SubsetCode::from_sets(4, 2, &[vec![3, 1]]).is_ok());
    }

    #[test]
    fn gaussian_code_has_unit_norm_on_average() {
        let code = GaussianCode::random(200, 256, 3, "g").unwrap();
        let mean: f64 = (0..200)
            .map(|i| code.vector(i).iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>())
            .sum::<f64>()
            / 200.0;
        assert!((mean - 1.0).abs() < 0.05, "{mean}");
    }
}
