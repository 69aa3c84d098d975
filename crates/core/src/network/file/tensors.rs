//! The safetensors side of the file format: reading typed tensors out of a parsed file with
//! messages that name the tensor, and writing them back. All parsing of the container is the
//! `safetensors` crate's; this module only checks names, dtypes and shapes and copies numbers.

use std::collections::HashMap;

use safetensors::tensor::{SafeTensorError, SafeTensors, TensorView};

pub use safetensors::Dtype;

use super::{CodeSpec, InstanceKind, Layer, LayerSpec, Numbers, StoredInstance, bad, seeded_code};
use crate::base::circuit::{Circuit, Gate, GateKind};
use crate::base::code::SubsetCode;
use crate::base::instance::And2Instance;
use crate::error::Result;

/// A parsed safetensors file and its metadata map.
pub struct Parsed<'a> {
    tensors: SafeTensors<'a>,
    metadata: Option<HashMap<String, String>>,
}

/// What a safetensors error means for a user holding the file.
fn container_error(e: SafeTensorError) -> crate::Error {
    match e {
        SafeTensorError::HeaderTooSmall => bad("not a safetensors file: shorter than its 8-byte header length"),
        SafeTensorError::InvalidHeaderLength => {
            bad("truncated file (or not a safetensors file): the header length runs past the end of the file")
        }
        SafeTensorError::MetadataIncompleteBuffer => bad(
            "truncated file: the tensor data does not end where the safetensors header says (the file is shorter \
             or longer than declared)",
        ),
        SafeTensorError::HeaderTooLarge
        | SafeTensorError::InvalidHeader(_)
        | SafeTensorError::InvalidHeaderDeserialization(_) => bad(format!("not a safetensors file: {e}")),
        other => bad(format!("malformed safetensors file: {other}")),
    }
}

impl<'a> Parsed<'a> {
    /// Parses the container (header and tensor table; no tensor is copied).
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(container_error)?;
        let tensors = SafeTensors::deserialize(bytes).map_err(container_error)?;
        Ok(Self {
            tensors,
            metadata: metadata.metadata().clone().map(|m| m.into_iter().collect()),
        })
    }

    /// The `__metadata__` map.
    pub fn metadata(&self) -> Option<&HashMap<String, String>> {
        self.metadata.as_ref()
    }

    /// Whether a tensor of this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.tensors.tensor(name).is_ok()
    }

    /// The number of entries over all tensors (bounded by the file size: the container checks
    /// that every tensor's data has the length its shape and dtype give).
    pub fn numbers(&self) -> u64 {
        self.tensors
            .iter()
            .map(|(_, view)| view.shape().iter().map(|&d| d as u64).product::<u64>())
            .sum()
    }

    fn view(&self, name: &str) -> Result<TensorView<'a>> {
        self.tensors
            .tensor(name)
            .map_err(|_| bad(format!("missing tensor `{name}`")))
    }

    /// An integer tensor (I32, U32 or I64) of exactly `shape`, as i64.
    fn ints(&self, name: &str, shape: &[usize]) -> Result<Vec<i64>> {
        let view = self.view(name)?;
        if view.shape() != shape {
            return Err(bad(format!(
                "tensor `{name}` has shape {:?}, but the header needs {shape:?}",
                view.shape()
            )));
        }
        let data = view.data();
        Ok(match view.dtype() {
            Dtype::I32 => data
                .chunks_exact(4)
                .map(|b| i64::from(i32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect(),
            Dtype::U32 => data
                .chunks_exact(4)
                .map(|b| i64::from(u32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect(),
            Dtype::I64 => data
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            other => {
                return Err(bad(format!(
                    "tensor `{name}` has dtype {other:?}; it must be an integer tensor (I32, U32 or I64)"
                )));
            }
        })
    }

    /// The rows of the 2-d tensor `name` of shape [rows, `columns`] (refusing another shape).
    fn rows(&self, name: &str, columns: usize) -> Result<usize> {
        match *self.view(name)?.shape() {
            [rows, c] if c == columns => Ok(rows),
            ref shape => Err(bad(format!(
                "tensor `{name}` has shape {shape:?}; it must be [rows, {columns}]"
            ))),
        }
    }

    /// A code: the tensor `name` [features, t] if present (checked against the seed when one is
    /// given too), else the seeded code; neither is an error.
    pub fn code(&self, name: &str, spec: &CodeSpec, features: usize, role: &str) -> Result<SubsetCode> {
        if !self.has(name) {
            return seeded_code(spec, features, role)?.ok_or_else(|| {
                bad(format!(
                    "missing tensor `{name}` and no seed in the header's {name}: the code is given by neither"
                ))
            });
        }
        let values = self.ints(name, &[features, spec.t])?;
        let mut sets = Vec::with_capacity(features);
        for (i, set) in values.chunks_exact(spec.t.max(1)).enumerate() {
            let mut members = Vec::with_capacity(spec.t);
            for &q in set {
                if q < 0 || q as u64 >= spec.width as u64 {
                    return Err(bad(format!(
                        "{name}[{i}] holds neuron index {q}, out of range for a code of width {}",
                        spec.width
                    )));
                }
                members.push(q as u32);
            }
            let mut sorted = members.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return Err(bad(format!("{name}[{i}] = {members:?} repeats a neuron")));
            }
            sets.push(sorted);
        }
        let code = SubsetCode::from_sets(spec.width, spec.t, &sets).expect("sets checked above");
        if let Some(seeded) = seeded_code(spec, features, role)?
            && seeded != code
        {
            return Err(bad(format!(
                "tensor `{name}` differs from the code its seed {} regenerates",
                spec.seed.expect("seeded")
            )));
        }
        Ok(code)
    }

    /// A layer's numbers: `name.weight` (2-d), `name.bias`, optional `name.mass`, each F32, I32
    /// or I64 (shapes are checked against the codes by `NetworkFile::new`).
    pub fn layer(&self, name: &str, spec: LayerSpec) -> Result<Layer> {
        let weight = self.view(&format!("{name}.weight"))?;
        let &[rows, cols] = weight.shape() else {
            return Err(bad(format!(
                "tensor `{name}.weight` has shape {:?}; it must be 2-dimensional (rows × columns)",
                weight.shape()
            )));
        };
        let vector = |part: &str| -> Result<Numbers> {
            let view = self.view(&format!("{name}.{part}"))?;
            if view.shape().len() != 1 {
                return Err(bad(format!(
                    "tensor `{name}.{part}` has shape {:?}; it must be 1-dimensional",
                    view.shape()
                )));
            }
            numbers(&format!("{name}.{part}"), &view)
        };
        let mass = if self.has(&format!("{name}.mass")) {
            Some(vector("mass")?)
        } else {
            None
        };
        Ok(Layer {
            rows,
            cols,
            weight: numbers(&format!("{name}.weight"), &weight)?,
            bias: vector("bias")?,
            mass,
            denominator: spec.denominator,
        })
    }

    /// The instance of `kind`, validated against m and m′.
    pub fn instance(&self, kind: InstanceKind, inputs: usize, outputs: usize) -> Result<StoredInstance> {
        let index = |v: i64, below: usize, what: &str| -> Result<u32> {
            if v < 0 || v as u64 >= below as u64 {
                return Err(bad(format!("{what} holds index {v}, out of range (below {below})")));
            }
            Ok(v as u32)
        };
        let pairs = |count: usize| -> Result<And2Instance> {
            let values = self.ints("instance.pairs", &[count, 2])?;
            let mut pairs = Vec::with_capacity(count);
            for pair in values.chunks_exact(2) {
                let what = "instance.pairs";
                pairs.push((index(pair[0], inputs, what)?, index(pair[1], inputs, what)?));
            }
            And2Instance::new(inputs, pairs).map_err(|e| bad(format!("instance.pairs: {e}")))
        };
        match kind {
            InstanceKind::Pairs => Ok(StoredInstance::Pairs(pairs(outputs)?)),
            InstanceKind::Circuit => {
                let layer1 = pairs(self.rows("instance.pairs", 2)?)?;
                let values = self.ints("instance.gates", &[outputs, 3])?;
                let mut gates = Vec::with_capacity(outputs);
                for (g, row) in values.chunks_exact(3).enumerate() {
                    let kind = match row[0] {
                        0 => GateKind::And,
                        1 => GateKind::Or,
                        other => {
                            return Err(bad(format!(
                                "instance.gates[{g}] has kind {other}; a gate kind is 0 (AND) or 1 (OR)"
                            )));
                        }
                    };
                    let what = "instance.gates (a layer-1 output)";
                    let (left, right) = (
                        index(row[1], layer1.outputs(), what)?,
                        index(row[2], layer1.outputs(), what)?,
                    );
                    gates.push(Gate { left, right, kind });
                }
                let circuit = Circuit::new(layer1, gates).map_err(|e| bad(format!("instance.gates: {e}")))?;
                Ok(StoredInstance::Circuit(circuit))
            }
            InstanceKind::Permutation => {
                if inputs != outputs {
                    return Err(bad(format!(
                        "a permutation needs as many outputs as inputs ({outputs} ≠ {inputs})"
                    )));
                }
                let values = self.ints("instance.permutation", &[inputs])?;
                let mut seen = vec![false; inputs];
                let mut pi = Vec::with_capacity(inputs);
                for &v in &values {
                    let j = index(v, outputs, "instance.permutation")?;
                    if std::mem::replace(&mut seen[j as usize], true) {
                        return Err(bad(format!("instance.permutation maps two inputs to output {j}")));
                    }
                    pi.push(j);
                }
                Ok(StoredInstance::Permutation(pi))
            }
            InstanceKind::Linear => {
                let nnz = self.rows("instance.map", 2)?;
                let values = self.ints("instance.map", &[nnz, 2])?;
                let mut entries = Vec::with_capacity(nnz);
                for entry in values.chunks_exact(2) {
                    let what = "instance.map";
                    entries.push((index(entry[0], outputs, what)?, index(entry[1], inputs, what)?));
                }
                entries.sort_unstable();
                if entries.windows(2).any(|w| w[0] == w[1]) {
                    return Err(bad("instance.map repeats an entry"));
                }
                Ok(StoredInstance::Linear {
                    inputs,
                    outputs,
                    entries,
                })
            }
        }
    }
}

/// A layer tensor's numbers in its dtype (F32, I32 or I64).
fn numbers(name: &str, view: &TensorView<'_>) -> Result<Numbers> {
    let data = view.data();
    Ok(match view.dtype() {
        Dtype::F32 => Numbers::F32(
            data.chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect(),
        ),
        Dtype::I32 => Numbers::I32(
            data.chunks_exact(4)
                .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect(),
        ),
        Dtype::I64 => Numbers::I64(
            data.chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
        ),
        other => {
            return Err(bad(format!(
                "tensor `{name}` has dtype {other:?}; layer tensors must be F32, or I32/I64 numerators"
            )));
        }
    })
}

/// A tensor to write: name, dtype, shape, little-endian bytes.
pub type Outgoing = (String, Dtype, Vec<usize>, Vec<u8>);

/// Adds an integer tensor, I32 when every value fits, else I64.
pub fn put_ints(out: &mut Vec<Outgoing>, name: &str, shape: Vec<usize>, values: &[i64]) {
    let numbers = Numbers::integers(values.to_vec());
    out.push((name.to_string(), numbers.dtype(), shape, le_bytes(&numbers)));
}

/// Adds a layer's tensors in their dtype.
pub fn put_layer(out: &mut Vec<Outgoing>, name: &str, layer: &Layer) {
    let mut push = |part: &str, shape: Vec<usize>, numbers: &Numbers| {
        out.push((format!("{name}.{part}"), numbers.dtype(), shape, le_bytes(numbers)));
    };
    push("weight", vec![layer.rows, layer.cols], &layer.weight);
    push("bias", vec![layer.rows], &layer.bias);
    if let Some(mass) = &layer.mass {
        push("mass", vec![layer.rows], mass);
    }
}

fn le_bytes(numbers: &Numbers) -> Vec<u8> {
    match numbers {
        Numbers::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Numbers::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Numbers::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

/// Serializes the tensors with the metadata map.
pub fn serialize(tensors: Vec<Outgoing>, metadata: HashMap<String, String>) -> Result<Vec<u8>> {
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|view| (name.clone(), view))
                .map_err(|e| bad(format!("cannot write tensor `{name}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata = metadata.into_iter().collect();
    safetensors::serialize(views, Some(metadata)).map_err(|e| bad(format!("cannot write the file: {e}")))
}
