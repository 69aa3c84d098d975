//! Depth-2 circuits (SPEC §3 step 6): a 2-AND instance (layer 1) and gates over its outputs
//! (layer 2), their truth and their input distribution. The network that computes them is
//! `constructions::depth2`; a network file stores a circuit as its instance
//! (docs/network-format.md §6).
//!
//! A gate is an AND or an OR of two distinct layer-1 outputs, so an AND gate is a 4-AND
//! x_a∧x_b∧x_c∧x_d and an OR gate is (x_a∧x_b)∨(x_c∧x_d).

use std::collections::{HashMap, HashSet};

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::base::code::Csr;
use crate::base::instance::And2Instance;
use crate::error::{Error, Result, invalid};
use crate::rng::{Rng, stream};

/// The Boolean function of a layer-2 gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateKind {
    /// Both layer-1 outputs on (a 4-AND of the inputs).
    And,
    /// At least one layer-1 output on.
    Or,
}

/// A layer-2 gate: `kind` of layer-1 outputs `left` and `right` (left < right).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// First layer-1 output.
    pub left: u32,
    /// Second layer-1 output.
    pub right: u32,
    /// AND or OR.
    pub kind: GateKind,
}

/// A depth-2 circuit: a 2-AND instance (layer 1) and m′₂ gates over its outputs (layer 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circuit {
    layer1: And2Instance,
    gates: Vec<Gate>,
    /// Layer-1 output j ↦ the gates reading it.
    readers: Csr,
}

impl Circuit {
    /// Validates and builds a circuit: each gate reads two distinct layer-1 outputs in range,
    /// and no (left, right) pair repeats.
    pub fn new(layer1: And2Instance, gates: Vec<Gate>) -> Result<Self> {
        if gates.is_empty() {
            return Err(Error::InvalidInstance("the gate list is empty".into()));
        }
        let m1 = layer1.outputs() as u32;
        let mut seen = HashSet::with_capacity(gates.len());
        let mut normalized = Vec::with_capacity(gates.len());
        for (g, gate) in gates.iter().enumerate() {
            let (p, q) = (gate.left.min(gate.right), gate.left.max(gate.right));
            if p == q || q >= m1 {
                return Err(Error::InvalidInstance(format!(
                    "gate {g} reads layer-1 outputs ({}, {}): need two distinct outputs below {m1}",
                    gate.left, gate.right
                )));
            }
            if !seen.insert((p, q)) {
                return Err(Error::InvalidInstance(format!(
                    "gate {g} ({p}, {q}) repeats an earlier gate"
                )));
            }
            normalized.push(Gate {
                left: p,
                right: q,
                kind: gate.kind,
            });
        }
        let readers = Csr::from_pairs(m1 as usize, |push| {
            for (g, gate) in normalized.iter().enumerate() {
                push(gate.left as usize, g as u32);
                push(gate.right as usize, g as u32);
            }
        });
        Ok(Self {
            layer1,
            gates: normalized,
            readers,
        })
    }

    /// A random circuit of `gates` distinct gates over `layer1`'s outputs, each reading two
    /// layer-1 pairs with four distinct inputs; each gate is an OR with probability
    /// `or_fraction`, else an AND.
    pub fn random(layer1: And2Instance, gates: usize, or_fraction: f64, seed: u64) -> Result<Self> {
        if !(0.0..=1.0).contains(&or_fraction) {
            return Err(invalid("or_fraction", or_fraction, "must be in [0, 1]"));
        }
        let m1 = layer1.outputs();
        if m1 < 2 || gates == 0 || gates as u128 > (m1 as u128) * (m1 as u128 - 1) / 4 {
            return Err(invalid(
                "gates",
                gates,
                format!("need between 1 and a quarter of C({m1}, 2) gates over {m1} layer-1 outputs"),
            ));
        }
        let mut rng = stream(seed, "depth2-gates", 0);
        let pairs = layer1.pairs();
        let mut seen = HashSet::with_capacity(gates);
        let mut list = Vec::with_capacity(gates);
        let budget = 200 * gates as u64 + 10_000;
        let mut attempts = 0u64;
        while list.len() < gates {
            attempts += 1;
            if attempts > budget {
                return Err(invalid(
                    "gates",
                    gates,
                    "too few layer-1 pairs with disjoint inputs to draw that many distinct gates",
                ));
            }
            let p = rng.random_range(0..m1 as u32);
            let q = rng.random_range(0..m1 as u32);
            let (a, b) = pairs[p as usize];
            let (c, d) = pairs[q as usize];
            if p == q || a == c || a == d || b == c || b == d || !seen.insert((p.min(q), p.max(q))) {
                continue;
            }
            let kind = if rng.random_bool(or_fraction) {
                GateKind::Or
            } else {
                GateKind::And
            };
            list.push(Gate {
                left: p.min(q),
                right: p.max(q),
                kind,
            });
        }
        Self::new(layer1, list)
    }

    /// The layer-1 instance.
    pub fn layer1(&self) -> &And2Instance {
        &self.layer1
    }

    /// The gates (layer 2), each with left < right.
    pub fn gates(&self) -> &[Gate] {
        &self.gates
    }

    /// m′₂, the number of gates.
    pub fn outputs(&self) -> usize {
        self.gates.len()
    }

    /// The gates reading layer-1 output `output` (as left or right), ascending.
    pub fn readers(&self, output: usize) -> &[u32] {
        self.readers.row(output)
    }

    /// Number of OR gates.
    pub fn or_gates(&self) -> usize {
        self.gates.iter().filter(|g| g.kind == GateKind::Or).count()
    }

    /// The on gates, sorted, given the on layer-1 outputs (sorted).
    pub fn gates_from_layer1(&self, layer1_on: &[u32], out: &mut Vec<u32>) {
        out.clear();
        for &j in layer1_on {
            for &g in self.readers.row(j as usize) {
                let gate = self.gates[g as usize];
                let other = if gate.left == j { gate.right } else { gate.left };
                let on = match gate.kind {
                    // Counted once, from the smaller output.
                    GateKind::And => j < other && layer1_on.binary_search(&other).is_ok(),
                    GateKind::Or => j == gate.left || layer1_on.binary_search(&other).is_err(),
                };
                if on {
                    out.push(g);
                }
            }
        }
        out.sort_unstable();
    }

    /// The on gates computed directly on x from the definition (every gate visited: for tests
    /// and small cases): AND gate = x_a∧x_b∧x_c∧x_d, OR gate = (x_a∧x_b)∨(x_c∧x_d).
    pub fn evaluate_plain(&self, active: &[u32]) -> Vec<u32> {
        let on = |i: u32| active.contains(&i);
        let pairs = self.layer1.pairs();
        (0..self.gates.len() as u32)
            .filter(|&g| {
                let gate = self.gates[g as usize];
                let (a, b) = pairs[gate.left as usize];
                let (c, d) = pairs[gate.right as usize];
                let (left, right) = (on(a) && on(b), on(c) && on(d));
                match gate.kind {
                    GateKind::And => left && right,
                    GateKind::Or => left || right,
                }
            })
            .collect()
    }
}

/// Draws the active inputs of one sample (k distinct, sorted) for a depth-2 circuit.
///
/// With probability ½ a random gate is planted: the inputs of both its layer-1 pairs are
/// switched on (four inputs; as many as fit when k < 4), so AND gates really fire. Otherwise
/// ⌊k/2⌋ random layer-1 pairs are switched on (the AS-2AND planted distribution: layer-1
/// outputs and OR gates fire, 4-ANDs mostly not). The rest is filled uniformly.
pub fn sample_circuit_active(rng: &mut Rng, circuit: &Circuit, k: usize, out: &mut Vec<u32>) {
    out.clear();
    let pairs = circuit.layer1.pairs();
    let m = circuit.layer1.inputs();
    let k = k.min(m);
    let plant = |j: u32, out: &mut Vec<u32>| {
        let (a, b) = pairs[j as usize];
        for endpoint in [a, b] {
            if out.len() < k && !out.contains(&endpoint) {
                out.push(endpoint);
            }
        }
    };
    if rng.random_bool(0.5) {
        let gate = circuit.gates[rng.random_range(0..circuit.gates.len())];
        plant(gate.left, out);
        plant(gate.right, out);
    } else {
        for _ in 0..k / 2 {
            plant(rng.random_range(0..pairs.len() as u32), out);
        }
    }
    crate::base::sample::sample_uniform_fill(rng, m, k, out);
    out.sort_unstable();
}

/// Layer-1 pair index and gate truth for a circuit (the reference the check compares with).
#[derive(Debug, Clone)]
pub struct CircuitTruth {
    index: HashMap<(u32, u32), u32>,
}

impl CircuitTruth {
    /// Tables for `circuit`.
    pub fn new(circuit: &Circuit) -> Self {
        Self {
            index: circuit.layer1().pair_index(),
        }
    }

    /// The true layer-1 outputs and the true gates of `active`, both sorted.
    pub fn evaluate(&self, circuit: &Circuit, active: &[u32], layer1: &mut Vec<u32>, gates: &mut Vec<u32>) {
        circuit.layer1().true_outputs(&self.index, active, layer1);
        circuit.gates_from_layer1(layer1, gates);
    }
}
