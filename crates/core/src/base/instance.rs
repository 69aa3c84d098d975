//! Problem instances: which Boolean features a network must compute.
//!
//! A 2-AND instance is a list of m′ distinct unordered pairs (a_j, b_j) over m inputs;
//! output j is y_j = x_{a_j} ∧ x_{b_j}. Generators: uniform random pairs, Zipf-skewed
//! endpoints (so some inputs have high influence), an adversarial star, and a JSON file.

use std::collections::HashMap;
use std::collections::HashSet;
use std::path::Path;

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, invalid};
use crate::rng::{Rng, stream};

/// A 2-AND instance: m inputs, m′ distinct pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct And2Instance {
    /// m, the number of input features.
    inputs: usize,
    /// The pairs (a_j, b_j), a_j ≠ b_j; output j is their AND. Stored with a_j < b_j.
    pairs: Vec<(u32, u32)>,
}

/// How a random 2-AND instance's endpoints are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generator", rename_all = "snake_case")]
pub enum PairDistribution {
    /// Both endpoints uniform over the m inputs.
    Uniform,
    /// Endpoints Zipf-distributed: P(input i) ∝ 1/(i+1)^exponent.
    Zipf {
        /// The Zipf exponent (0 is uniform; 1 is classic Zipf).
        exponent: f64,
    },
    /// Input 0 is in `degree` pairs (a hub of high influence); the rest are uniform.
    Star {
        /// Number of pairs containing the hub (at least √m′ to be adversarial).
        degree: usize,
    },
}

impl And2Instance {
    /// Validates and builds an instance from explicit pairs.
    ///
    /// Refuses an empty list, a pair (i, i), an index ≥ m, and a repeated pair (in either
    /// order), naming the offending pair.
    pub fn new(inputs: usize, pairs: Vec<(u32, u32)>) -> Result<Self> {
        if inputs < 2 {
            return Err(Error::InvalidInstance(format!("needs at least 2 inputs, got {inputs}")));
        }
        if inputs > u32::MAX as usize {
            return Err(Error::InvalidInstance(format!("{inputs} inputs do not fit in 32 bits")));
        }
        if pairs.is_empty() {
            return Err(Error::InvalidInstance("the pair list is empty".into()));
        }
        let mut seen = HashSet::with_capacity(pairs.len());
        let mut normalized = Vec::with_capacity(pairs.len());
        for (j, &(a, b)) in pairs.iter().enumerate() {
            if a == b {
                return Err(Error::InvalidInstance(format!(
                    "pair {j} is ({a}, {a}): an input paired with itself"
                )));
            }
            if a as usize >= inputs || b as usize >= inputs {
                return Err(Error::InvalidInstance(format!(
                    "pair {j} is ({a}, {b}): index out of range for {inputs} inputs (valid: 0..{})",
                    inputs - 1
                )));
            }
            let key = (a.min(b), a.max(b));
            if !seen.insert(key) {
                return Err(Error::InvalidInstance(format!(
                    "pair {j} ({a}, {b}) repeats an earlier pair"
                )));
            }
            normalized.push(key);
        }
        Ok(Self {
            inputs,
            pairs: normalized,
        })
    }

    /// A random instance of `outputs` distinct pairs over `inputs` inputs.
    pub fn random(inputs: usize, outputs: usize, distribution: PairDistribution, seed: u64) -> Result<Self> {
        if inputs < 2 {
            return Err(invalid("inputs", inputs, "need at least 2 inputs"));
        }
        let possible = (inputs as u128) * (inputs as u128 - 1) / 2;
        if outputs == 0 || outputs as u128 > possible {
            return Err(invalid(
                "outputs",
                outputs,
                format!("must be between 1 and C({inputs}, 2) = {possible}"),
            ));
        }
        let mut rng = stream(seed, "instance", 0);
        let mut seen = HashSet::with_capacity(outputs);
        let mut pairs = Vec::with_capacity(outputs);
        let mut push = |a: u32, b: u32, pairs: &mut Vec<(u32, u32)>| {
            let key = (a.min(b), a.max(b));
            if a != b && seen.insert(key) {
                pairs.push(key);
            }
        };
        match distribution {
            PairDistribution::Uniform => draw_pairs(
                &mut rng,
                outputs,
                &mut pairs,
                |rng| rng.random_range(0..inputs as u32),
                &mut push,
            )?,
            PairDistribution::Zipf { exponent } => {
                if !(exponent.is_finite() && exponent >= 0.0) {
                    return Err(invalid("zipf exponent", exponent, "must be finite and ≥ 0"));
                }
                let table = ZipfTable::new(inputs, exponent);
                draw_pairs(&mut rng, outputs, &mut pairs, |rng| table.sample(rng), &mut push)?
            }
            PairDistribution::Star { degree } => {
                if degree > outputs || degree >= inputs {
                    return Err(invalid(
                        "star degree",
                        degree,
                        format!("must be at most the number of pairs ({outputs}) and below the inputs ({inputs})"),
                    ));
                }
                let mut partners: Vec<u32> = (1..inputs as u32).collect();
                for s in 0..degree {
                    let pick = rng.random_range(s..partners.len());
                    partners.swap(s, pick);
                    push(0, partners[s], &mut pairs);
                }
                // The remaining pairs avoid the hub so its influence is exactly `degree`.
                draw_pairs(
                    &mut rng,
                    outputs,
                    &mut pairs,
                    |rng| rng.random_range(1..inputs as u32),
                    &mut push,
                )?
            }
        }
        Ok(Self { inputs, pairs })
    }

    /// Reads an instance from a JSON file `{"inputs": m, "pairs": [[a, b], ...]}` and validates it.
    pub fn from_json_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })?;
        let raw: And2Instance = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.into(),
            source,
        })?;
        Self::new(raw.inputs, raw.pairs)
    }

    /// Writes the instance as JSON (the format [`Self::from_json_file`] reads).
    pub fn to_json_file(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(self).expect("an instance always serializes");
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })
    }

    /// m, the number of inputs.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// m′, the number of outputs.
    pub fn outputs(&self) -> usize {
        self.pairs.len()
    }

    /// The pairs, each with a < b.
    pub fn pairs(&self) -> &[(u32, u32)] {
        &self.pairs
    }

    /// Influence of each input: the number of outputs it feeds.
    pub fn influence(&self) -> Vec<u32> {
        let mut influence = vec![0u32; self.inputs];
        for &(a, b) in &self.pairs {
            influence[a as usize] += 1;
            influence[b as usize] += 1;
        }
        influence
    }

    /// Map from a pair (a < b) to its output index.
    pub fn pair_index(&self) -> HashMap<(u32, u32), u32> {
        self.pairs.iter().enumerate().map(|(j, &p)| (p, j as u32)).collect()
    }

    /// The true outputs on a set of active inputs: indices j with both endpoints active, sorted.
    pub fn true_outputs(&self, index: &HashMap<(u32, u32), u32>, active: &[u32], out: &mut Vec<u32>) {
        out.clear();
        for (s, &a) in active.iter().enumerate() {
            for &b in &active[s + 1..] {
                if let Some(&j) = index.get(&(a.min(b), a.max(b))) {
                    out.push(j);
                }
            }
        }
        out.sort_unstable();
    }
}

fn draw_pairs(
    rng: &mut Rng,
    outputs: usize,
    pairs: &mut Vec<(u32, u32)>,
    mut endpoint: impl FnMut(&mut Rng) -> u32,
    push: &mut impl FnMut(u32, u32, &mut Vec<(u32, u32)>),
) -> Result<()> {
    // Rejection of repeats; a skewed distribution can make distinct pairs scarce, so give up
    // loudly rather than loop for ever.
    let budget = 200 * outputs as u64 + 10_000;
    let mut attempts = 0u64;
    while pairs.len() < outputs {
        attempts += 1;
        if attempts > budget {
            return Err(Error::InvalidInstance(format!(
                "found only {} distinct pairs of the {outputs} asked after {budget} draws: \
                 the distribution is too concentrated for this many pairs",
                pairs.len()
            )));
        }
        let a = endpoint(rng);
        let b = endpoint(rng);
        push(a, b, pairs);
    }
    Ok(())
}

/// Inverse-CDF sampler for P(i) ∝ 1/(i+1)^exponent over [0, n).
struct ZipfTable {
    cumulative: Vec<f64>,
}

impl ZipfTable {
    fn new(n: usize, exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                total += ((i + 1) as f64).powf(-exponent);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> u32 {
        let total = *self.cumulative.last().expect("table has at least 2 entries");
        let target = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= target)
            .min(self.cumulative.len() - 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_problem() {
        let err = |pairs: Vec<(u32, u32)>| And2Instance::new(5, pairs).unwrap_err().to_string();
        assert!(err(vec![]).contains("empty"));
        assert!(err(vec![(1, 1)]).contains("itself"));
        assert!(err(vec![(1, 5)]).contains("out of range"));
        assert!(err(vec![(1, 2), (2, 1)]).contains("repeats"));
        assert!(And2Instance::new(5, vec![(3, 1), (0, 4)]).is_ok());
    }

    #[test]
    fn random_instances_have_distinct_valid_pairs() {
        for distribution in [
            PairDistribution::Uniform,
            PairDistribution::Zipf { exponent: 1.0 },
            PairDistribution::Star { degree: 20 },
        ] {
            let instance = And2Instance::random(300, 400, distribution, 9).unwrap();
            assert_eq!(instance.outputs(), 400);
            let revalidated = And2Instance::new(300, instance.pairs().to_vec()).unwrap();
            assert_eq!(revalidated, instance);
        }
    }

    #[test]
    fn star_hub_has_the_asked_influence_and_zipf_is_skewed() {
        let star = And2Instance::random(1000, 1000, PairDistribution::Star { degree: 64 }, 1).unwrap();
        assert_eq!(star.influence()[0], 64);
        let zipf = And2Instance::random(1000, 1000, PairDistribution::Zipf { exponent: 1.0 }, 1).unwrap();
        let influence = zipf.influence();
        let max = *influence.iter().max().unwrap();
        // Under Zipf(1) over 1000 inputs input 0 draws ~13 % of 2000 endpoints.
        assert!(max > 100, "max influence {max}");
        let uniform = And2Instance::random(1000, 1000, PairDistribution::Uniform, 1).unwrap();
        assert!(*uniform.influence().iter().max().unwrap() < 15);
    }

    #[test]
    fn too_many_pairs_is_refused() {
        assert!(And2Instance::random(4, 7, PairDistribution::Uniform, 0).is_err());
        assert!(And2Instance::random(4, 6, PairDistribution::Uniform, 0).is_ok());
    }

    #[test]
    fn json_round_trip_and_malformed_file() {
        let dir = std::env::temp_dir().join(format!("sb-instance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("i.json");
        let instance = And2Instance::random(50, 60, PairDistribution::Uniform, 2).unwrap();
        instance.to_json_file(&path).unwrap();
        assert_eq!(And2Instance::from_json_file(&path).unwrap(), instance);
        std::fs::write(&path, r#"{"inputs": 3, "pairs": [[0, 1], [1, 0]]}"#).unwrap();
        assert!(
            And2Instance::from_json_file(&path)
                .unwrap_err()
                .to_string()
                .contains("repeats")
        );
        std::fs::write(&path, r#"{"inputs": 3, "pairs": [[0, 1]"#).unwrap();
        let message = And2Instance::from_json_file(&path).unwrap_err().to_string();
        assert!(message.contains("i.json") && message.contains("line"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn true_outputs_lists_active_pairs() {
        let instance = And2Instance::new(6, vec![(0, 1), (2, 3), (1, 2), (4, 5)]).unwrap();
        let index = instance.pair_index();
        let mut out = Vec::new();
        instance.true_outputs(&index, &[3, 1, 2], &mut out);
        assert_eq!(out, vec![1, 2]);
        instance.true_outputs(&index, &[0, 4], &mut out);
        assert!(out.is_empty());
    }
}
