//! Networks in and out: the `superposition-network/1` file format (docs/network-format.md).
//!
//! A file is one safetensors file: the weights, biases, codes and instance are tensors, and the
//! rest (format version, architecture, m, m′, k, code shapes and seeds, integer denominators,
//! the decoder, provenance) is a JSON [`Header`] under the metadata key [`METADATA_KEY`].
//!
//! - [`NetworkFile`] is a file in memory, validated: [`NetworkFile::new`] (from parts, as the
//!   exporters in `constructions::export` build it), [`NetworkFile::from_bytes`] and
//!   [`NetworkFile::read`] (through the `safetensors` crate; every inconsistency is an
//!   [`Error::NetworkFile`] naming what is wrong, never a panic), [`NetworkFile::to_bytes`] and
//!   [`NetworkFile::write`];
//! - [`NetworkFile::network`] builds the [`FileNetwork`] ([`eval`]), which implements
//!   [`crate::network::Network`] with exact evaluation (integer numerators in integers, f32
//!   weights in f64 with a rounding bound and the margin reported);
//! - [`NetworkFile::instance`] is the stored instance ([`StoredInstance`], itself a
//!   [`crate::network::Truth`]); [`codes_file`] writes codes only.
//!
//! Memory: the bytes a file's contents need are estimated from the header and the tensor
//! shapes, and refused over the budget ([`crate::base::memory`]) before anything is copied or a
//! seeded code regenerated.

pub mod eval;
mod tensors;

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::circuit::{Circuit, CircuitTruth, GateKind};
use crate::base::code::{Csr, SubsetCode};
use crate::base::instance::And2Instance;
use crate::base::memory;
use crate::error::{Error, Result, invalid};
use crate::network::Truth;
use crate::rng::derive_seed;

pub use eval::{Exactness, FileNetwork, FileScratch};
use tensors::{Dtype, Parsed, put_ints};

/// The format version this module reads and writes.
pub const FORMAT: &str = "superposition-network/1";

/// The safetensors metadata key holding the JSON [`Header`].
pub const METADATA_KEY: &str = "superposition";

/// The shape of the network (docs/network-format.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// One hidden ReLU layer that is the output representation (AS-2AND's shape).
    Tied,
    /// A free hidden ReLU layer, then a ReLU layer into the output representation.
    Free,
    /// The fixed codes only, no weights.
    Codes,
    /// Two stages with a threshold between them: a `hidden` layer on the input code whose
    /// neurons are thresholded at ½ to 0/1, then `layer2` on that firing vector into the
    /// output representation (depth-2 circuits).
    Depth2,
}

/// A code's shape, and the seed that regenerates it when no tensor is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSpec {
    /// The neurons the code lives in (n_in for the input code, n for the output code).
    pub width: usize,
    /// t, neurons per feature.
    pub t: usize,
    /// The code seed of `CodedParams` (the Rust reference generator), if the code is seeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// What a weight layer's numbers mean beyond their tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayerSpec {
    /// D: integer tensors are numerators over D (None for f32 layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<u64>,
}

/// The layers' specs by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayerSpecs {
    /// The `hidden` layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<LayerSpec>,
    /// The `output` layer (free architecture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<LayerSpec>,
    /// The `layer2` layer (depth2 architecture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer2: Option<LayerSpec>,
}

/// How outputs are read from the output representation (docs/network-format.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decoder {
    /// Output j is on iff at least `votes` of its code neurons have h ≥ ½.
    Vote {
        /// τ, recorded (v = ⌈τ·t_out⌉ is what is used).
        tau: f64,
        /// v, the votes an output needs, in 1..=t_out.
        votes: usize,
    },
    /// Output j is on iff the mean of h over its code neurons is at least τ.
    Average {
        /// τ ∈ (0, 1].
        tau: f64,
    },
}

/// Which instance the file stores (the tensor is named in docs/network-format.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InstanceKind {
    /// 2-AND pairs, `instance.pairs` of shape (m′, 2).
    Pairs,
    /// A permutation, `instance.permutation` of shape (m): y_{π(i)} = x_i.
    Permutation,
    /// A 0/1 linear map, `instance.map` of shape (nnz, 2): (j, i) entries.
    Linear,
    /// A depth-2 circuit: layer-1 pairs `instance.pairs` of shape (m′₁, 2) and gates
    /// `instance.gates` of shape (m′, 3), rows (kind, left, right), kind 0 = AND, 1 = OR.
    Circuit,
}

/// Where a network came from; every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// The command line that wrote the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The seed of the instance (and of the codes when they are seeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The writer's crate version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crate_version: Option<String>,
    /// The writer's git commit, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
}

/// The JSON document under [`METADATA_KEY`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The network's shape.
    pub architecture: Architecture,
    /// m, the number of input features.
    pub inputs: usize,
    /// m′, the number of output features.
    pub outputs: usize,
    /// k, the sparsity the network was built or trained for.
    pub k: usize,
    /// C_in's shape (and seed).
    pub input_code: CodeSpec,
    /// C_out's shape (and seed).
    pub output_code: CodeSpec,
    /// Denominators of integer layers.
    #[serde(default)]
    pub layers: LayerSpecs,
    /// The decoder (None only for the codes architecture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoder: Option<Decoder>,
    /// Which instance is stored, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceKind>,
    /// What built the network (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub construction: Option<String>,
    /// Where it came from.
    #[serde(default)]
    pub provenance: Provenance,
    /// How a trained network was trained (optional; readers do not need it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingRecord>,
}

/// How a trained network was trained: the header's optional `training` object
/// (docs/network-format.md §2), recorded for the reader, never used to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// Optimizer steps taken.
    pub steps: u64,
    /// B, samples per step.
    pub batch: usize,
    /// AdamW's learning rate.
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay λ.
    pub weight_decay: f64,
    /// The loss, e.g. `hinge(margin = 0.25)`.
    pub loss: String,
    /// Weight of the terms with target 1.
    pub positive_weight: f64,
    /// `planted`, `uniform` or `mixed` (half of each batch planted): the training inputs.
    pub distribution: String,
    /// n_h, the free hidden width (free only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<usize>,
    /// The seed of the initial weights and the batches (and of the instance and codes).
    pub seed: u64,
    /// The mean batch loss over the last tenth of the steps (none before the first step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_loss: Option<f64>,
}

/// A layer's numbers as stored: row-major, in the file's dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum Numbers {
    /// Integer numerators (I32 tensors).
    I32(Vec<i32>),
    /// Integer numerators (I64 tensors).
    I64(Vec<i64>),
    /// Real values (F32 tensors), all finite.
    F32(Vec<f32>),
}

impl Numbers {
    /// Integer numerators as I32 when every one fits, else I64.
    pub fn integers(values: Vec<i64>) -> Self {
        match values
            .iter()
            .map(|&v| i32::try_from(v))
            .collect::<Result<Vec<i32>, _>>()
        {
            Ok(narrow) => Numbers::I32(narrow),
            Err(_) => Numbers::I64(values),
        }
    }

    /// A layer's weight, bias and mass numerators in one dtype (a layer's tensors share one):
    /// I32 when every number of the three fits, else I64.
    pub fn integer_layer(weight: Vec<i64>, bias: Vec<i64>, mass: Option<Vec<i64>>) -> (Self, Self, Option<Self>) {
        let fits = |v: &[i64]| v.iter().all(|&x| i32::try_from(x).is_ok());
        if fits(&weight) && fits(&bias) && mass.as_deref().is_none_or(fits) {
            (Self::integers(weight), Self::integers(bias), mass.map(Self::integers))
        } else {
            (Numbers::I64(weight), Numbers::I64(bias), mass.map(Numbers::I64))
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            Numbers::I32(v) => v.len(),
            Numbers::I64(v) => v.len(),
            Numbers::F32(v) => v.len(),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the numbers are integer numerators.
    pub fn is_integer(&self) -> bool {
        !matches!(self, Numbers::F32(_))
    }

    fn dtype(&self) -> Dtype {
        match self {
            Numbers::I32(_) => Dtype::I32,
            Numbers::I64(_) => Dtype::I64,
            Numbers::F32(_) => Dtype::F32,
        }
    }

    /// Entry `index` as f64 (exact for f32 and for integers below 2^53).
    pub fn get(&self, index: usize) -> f64 {
        match self {
            Numbers::I32(v) => f64::from(v[index]),
            Numbers::I64(v) => v[index] as f64,
            Numbers::F32(v) => f64::from(v[index]),
        }
    }

    /// Entry `index` as an integer numerator (0 for f32 numbers).
    fn integer(&self, index: usize) -> i64 {
        match self {
            Numbers::I32(v) => i64::from(v[index]),
            Numbers::I64(v) => v[index],
            Numbers::F32(_) => 0,
        }
    }
}

/// One weight layer: z = W·a + mass·(Σ_q a_q) + bias (docs/network-format.md §4).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Rows (output neurons of the layer).
    pub rows: usize,
    /// Columns (input neurons of the layer).
    pub cols: usize,
    /// W, rows × cols, row-major.
    pub weight: Numbers,
    /// b, one per row.
    pub bias: Numbers,
    /// The mass neuron's weights (centering coefficients), one per row, if any.
    pub mass: Option<Numbers>,
    /// D, when the numbers are integer numerators.
    pub denominator: Option<u64>,
}

/// The instance stored in a file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredInstance {
    /// 2-AND pairs.
    Pairs(And2Instance),
    /// π, as `permutation[i]` = π(i): y_{π(i)} = x_i.
    Permutation(Vec<u32>),
    /// A 0/1 map given by its (output j, input i) entries, sorted and distinct.
    Linear {
        /// m.
        inputs: usize,
        /// m′.
        outputs: usize,
        /// The entries M[j, i] = 1.
        entries: Vec<(u32, u32)>,
    },
    /// A depth-2 circuit: its outputs are the gates.
    Circuit(Circuit),
}

/// The truth tables of a [`StoredInstance`]: the pair index (pairs) or, for a permutation or a
/// 0/1 map, the outputs each input feeds.
#[derive(Debug, Clone)]
pub enum StoredTables {
    /// (a, b) ↦ j.
    Pairs(HashMap<(u32, u32), u32>),
    /// Input i ↦ the outputs j with M[j, i] = 1.
    Readers(Csr),
    /// A circuit's layer-1 pair index.
    Circuit(CircuitTruth),
}

/// The stored instance's truth: output j is on iff both endpoints of pair j are active (pairs),
/// or iff some input it reads is active (a permutation, a 0/1 map: (M·x)_j ≥ ½), or iff gate j
/// of a circuit is on (AND: both its layer-1 pairs on; OR: at least one).
impl Truth for StoredInstance {
    type Tables = StoredTables;
    /// A circuit's true layer-1 outputs (sorted) after [`Truth::true_outputs`]; unused otherwise.
    type Scratch = Vec<u32>;

    fn inputs(&self) -> usize {
        match self {
            StoredInstance::Pairs(i) => i.inputs(),
            StoredInstance::Permutation(pi) => pi.len(),
            StoredInstance::Linear { inputs, .. } => *inputs,
            StoredInstance::Circuit(c) => c.layer1().inputs(),
        }
    }

    fn outputs(&self) -> usize {
        match self {
            StoredInstance::Pairs(i) => i.outputs(),
            StoredInstance::Permutation(pi) => pi.len(),
            StoredInstance::Linear { outputs, .. } => *outputs,
            StoredInstance::Circuit(c) => c.outputs(),
        }
    }

    fn tables(&self) -> StoredTables {
        match self {
            StoredInstance::Pairs(i) => StoredTables::Pairs(i.pair_index()),
            StoredInstance::Permutation(pi) => StoredTables::Readers(Csr::from_pairs(pi.len(), |push| {
                for (i, &j) in pi.iter().enumerate() {
                    push(i, j);
                }
            })),
            StoredInstance::Linear { inputs, entries, .. } => StoredTables::Readers(Csr::from_pairs(*inputs, |push| {
                for &(j, i) in entries {
                    push(i as usize, j);
                }
            })),
            StoredInstance::Circuit(c) => StoredTables::Circuit(CircuitTruth::new(c)),
        }
    }

    fn true_outputs(&self, tables: &StoredTables, active: &[u32], layer1: &mut Vec<u32>, out: &mut Vec<u32>) {
        match (self, tables) {
            (StoredInstance::Pairs(i), StoredTables::Pairs(index)) => i.true_outputs(index, active, out),
            (StoredInstance::Circuit(c), StoredTables::Circuit(truth)) => truth.evaluate(c, active, layer1, out),
            (_, StoredTables::Readers(readers)) => {
                out.clear();
                for &i in active {
                    out.extend_from_slice(readers.row(i as usize));
                }
                out.sort_unstable();
                out.dedup();
            }
            _ => unreachable!("the tables come from the same instance"),
        }
    }
}

/// A network file in memory, validated (docs/network-format.md).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkFile {
    header: Header,
    input_code: SubsetCode,
    output_code: SubsetCode,
    hidden: Option<Layer>,
    output: Option<Layer>,
    instance: Option<StoredInstance>,
}

/// The weight layers a file holds: (hidden, second), the second being `output` (free) or
/// `layer2` (depth2).
pub type Layers = (Option<Layer>, Option<Layer>);

/// Shorthand for an [`Error::NetworkFile`].
pub(crate) fn bad(reason: impl Into<String>) -> Error {
    Error::NetworkFile(reason.into())
}

impl NetworkFile {
    /// A file from its parts, validated as a read file is: the header's format, shapes and
    /// decoder, the codes against the header, the layers against the architecture and the
    /// codes, and the instance against m and m′. `header.layers` is filled from the layers'
    /// denominators.
    pub fn new(
        mut header: Header,
        input_code: SubsetCode,
        output_code: SubsetCode,
        layers: Layers,
        instance: Option<StoredInstance>,
    ) -> Result<Self> {
        let (hidden, output) = layers;
        let spec = |l: &Option<Layer>| {
            l.as_ref().map(|l| LayerSpec {
                denominator: l.denominator,
            })
        };
        let depth2 = header.architecture == Architecture::Depth2;
        header.layers = LayerSpecs {
            hidden: spec(&hidden),
            output: spec(&output).filter(|_| !depth2),
            layer2: spec(&output).filter(|_| depth2),
        };
        header.instance = instance.as_ref().map(|i| match i {
            StoredInstance::Pairs(_) => InstanceKind::Pairs,
            StoredInstance::Permutation(_) => InstanceKind::Permutation,
            StoredInstance::Linear { .. } => InstanceKind::Linear,
            StoredInstance::Circuit(_) => InstanceKind::Circuit,
        });
        check_header(&header)?;
        for (name, code, spec, features) in [
            ("input_code", &input_code, &header.input_code, header.inputs),
            ("output_code", &output_code, &header.output_code, header.outputs),
        ] {
            if (code.features(), code.width(), code.t()) != (features, spec.width, spec.t) {
                return Err(bad(format!(
                    "{name} has {} sets of {} neurons in {}, but the header says {features} sets of {} in {}",
                    code.features(),
                    code.t(),
                    code.width(),
                    spec.t,
                    spec.width
                )));
            }
        }
        let file = Self {
            header,
            input_code,
            output_code,
            hidden,
            output,
            instance,
        };
        file.check_layers()?;
        file.check_instance()?;
        Ok(file)
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// C_in.
    pub fn input_code(&self) -> &SubsetCode {
        &self.input_code
    }

    /// C_out.
    pub fn output_code(&self) -> &SubsetCode {
        &self.output_code
    }

    /// The hidden layer (None for the codes architecture).
    pub fn hidden(&self) -> Option<&Layer> {
        self.hidden.as_ref()
    }

    /// The second weight layer: `output` of a free network, `layer2` of a depth2 network
    /// ([`Self::second_layer_name`]); None for the other architectures.
    pub fn output(&self) -> Option<&Layer> {
        self.output.as_ref()
    }

    /// The tensor name of the second weight layer: `layer2` (depth2) or `output` (free).
    pub fn second_layer_name(&self) -> &'static str {
        match self.header.architecture {
            Architecture::Depth2 => "layer2",
            _ => "output",
        }
    }

    /// The stored instance, if any.
    pub fn instance(&self) -> Option<&StoredInstance> {
        self.instance.as_ref()
    }

    /// Builds the evaluable network (refusing, before allocating, tables over the memory
    /// budget, and the codes architecture, which has no weights).
    pub fn network(&self) -> Result<FileNetwork> {
        FileNetwork::new(self)
    }

    /// Reads a file (refusing, before reading it, a file larger than the memory budget).
    pub fn read(path: &Path) -> Result<Self> {
        let io = |source| Error::Io {
            path: path.into(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io)?.len();
        memory::check(|| format!("reading the network file {}", path.display()), size)?;
        let bytes = std::fs::read(path).map_err(io)?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            Error::NetworkFile(reason) => Error::NetworkFile(format!("{}: {reason}", path.display())),
            other => other,
        })
    }

    /// Parses and validates a file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let parsed = Parsed::new(bytes)?;
        let header = parse_header(parsed.metadata())?;
        check_header(&header)?;
        memory::check(
            || {
                format!(
                    "the network file's contents ({} inputs, {} outputs)",
                    header.inputs, header.outputs
                )
            },
            estimate_bytes(&header, &parsed),
        )?;
        let input_code = parsed.code("input_code", &header.input_code, header.inputs, "input-code")?;
        let output_code = parsed.code("output_code", &header.output_code, header.outputs, "output-code")?;
        let layer = |name: &str, spec: Option<LayerSpec>| parsed.layer(name, spec.unwrap_or_default());
        let (hidden, output) = match header.architecture {
            Architecture::Codes => (None, None),
            Architecture::Tied => (Some(layer("hidden", header.layers.hidden)?), None),
            Architecture::Free => (
                Some(layer("hidden", header.layers.hidden)?),
                Some(layer("output", header.layers.output)?),
            ),
            Architecture::Depth2 => (
                Some(layer("hidden", header.layers.hidden)?),
                Some(layer("layer2", header.layers.layer2)?),
            ),
        };
        let instance = match header.instance {
            None => None,
            Some(kind) => Some(parsed.instance(kind, header.inputs, header.outputs)?),
        };
        Self::new(header, input_code, output_code, (hidden, output), instance)
    }

    /// The file's bytes: codes as I32 (I64 if a width exceeds i32), layers in their dtype,
    /// the header as JSON under [`METADATA_KEY`].
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut tensors = Vec::new();
        for (name, code) in [("input_code", &self.input_code), ("output_code", &self.output_code)] {
            let values: Vec<i64> = code.flat().iter().map(|&q| i64::from(q)).collect();
            put_ints(&mut tensors, name, vec![code.features(), code.t()], &values);
        }
        for (name, layer) in [("hidden", &self.hidden), (self.second_layer_name(), &self.output)] {
            if let Some(layer) = layer {
                tensors::put_layer(&mut tensors, name, layer);
            }
        }
        let put_pairs = |tensors: &mut Vec<_>, instance: &And2Instance| {
            let values: Vec<i64> = instance
                .pairs()
                .iter()
                .flat_map(|&(a, b)| [i64::from(a), i64::from(b)])
                .collect();
            put_ints(tensors, "instance.pairs", vec![instance.outputs(), 2], &values);
        };
        match &self.instance {
            None => {}
            Some(StoredInstance::Pairs(instance)) => put_pairs(&mut tensors, instance),
            Some(StoredInstance::Circuit(circuit)) => {
                put_pairs(&mut tensors, circuit.layer1());
                let values: Vec<i64> = circuit
                    .gates()
                    .iter()
                    .flat_map(|g| [i64::from(g.kind == GateKind::Or), i64::from(g.left), i64::from(g.right)])
                    .collect();
                put_ints(&mut tensors, "instance.gates", vec![circuit.outputs(), 3], &values);
            }
            Some(StoredInstance::Permutation(pi)) => {
                let values: Vec<i64> = pi.iter().map(|&j| i64::from(j)).collect();
                put_ints(&mut tensors, "instance.permutation", vec![pi.len()], &values);
            }
            Some(StoredInstance::Linear { entries, .. }) => {
                let values: Vec<i64> = entries
                    .iter()
                    .flat_map(|&(j, i)| [i64::from(j), i64::from(i)])
                    .collect();
                put_ints(&mut tensors, "instance.map", vec![entries.len(), 2], &values);
            }
        }
        let json = serde_json::to_string(&self.header).expect("a header always serializes");
        let metadata = HashMap::from([(METADATA_KEY.to_string(), json)]);
        tensors::serialize(tensors, metadata)
    }

    /// Writes the file (see [`Self::to_bytes`]).
    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()?).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })
    }

    /// Refuses layers that do not fit the architecture and the codes.
    fn check_layers(&self) -> Result<()> {
        let (n_in, n) = (self.header.input_code.width, self.header.output_code.width);
        let expect = |layer: &Option<Layer>, name: &str, rows: Option<usize>, cols: usize| -> Result<()> {
            let Some(layer) = layer else {
                return Err(bad(format!(
                    "the {:?} architecture needs a `{name}` layer",
                    self.header.architecture
                )));
            };
            check_layer(name, layer, rows, cols)
        };
        match self.header.architecture {
            Architecture::Codes => {
                if self.hidden.is_some() || self.output.is_some() {
                    return Err(bad("the codes architecture holds no weight layers"));
                }
            }
            Architecture::Tied => {
                expect(&self.hidden, "hidden", Some(n), n_in)?;
                if self.output.is_some() {
                    return Err(bad("the tied architecture has no `output` layer"));
                }
            }
            Architecture::Free | Architecture::Depth2 => {
                let (second, architecture) = (self.second_layer_name(), self.header.architecture);
                let shape = if architecture == Architecture::Free {
                    "free"
                } else {
                    "depth2"
                };
                expect(&self.hidden, "hidden", None, n_in)?;
                let n_h = self.hidden.as_ref().map_or(0, |l| l.rows);
                expect(&self.output, second, Some(n), n_h)?;
                let integer = |l: &Option<Layer>| l.as_ref().is_some_and(|l| l.weight.is_integer());
                if integer(&self.hidden) != integer(&self.output) {
                    return Err(bad(format!(
                        "the {shape} architecture's two layers must both be integer or both f32"
                    )));
                }
                // A depth2 layer2 may carry a mass term (Σ_s b_s); a free output layer may not.
                if architecture == Architecture::Free && self.output.as_ref().is_some_and(|l| l.mass.is_some()) {
                    return Err(bad("the `output` layer has no mass term (output.mass)"));
                }
            }
        }
        Ok(())
    }

    /// Refuses an instance of another shape than the header's m and m′.
    fn check_instance(&self) -> Result<()> {
        let (m, m_out) = (self.header.inputs, self.header.outputs);
        let (inputs, outputs) = match &self.instance {
            None => return Ok(()),
            Some(StoredInstance::Pairs(i)) => (i.inputs(), i.outputs()),
            Some(StoredInstance::Permutation(pi)) => (pi.len(), pi.len()),
            Some(StoredInstance::Linear { inputs, outputs, .. }) => (*inputs, *outputs),
            Some(StoredInstance::Circuit(c)) => (c.layer1().inputs(), c.outputs()),
        };
        if (inputs, outputs) != (m, m_out) {
            return Err(bad(format!(
                "the instance has {inputs} inputs and {outputs} outputs, the header {m} and {m_out}"
            )));
        }
        Ok(())
    }
}

/// Refuses a layer whose tensors do not have the shapes the codes and the architecture give,
/// mixed dtypes, a missing or non-positive denominator, or non-finite f32 values.
fn check_layer(name: &str, layer: &Layer, rows: Option<usize>, cols: usize) -> Result<()> {
    if rows.is_some_and(|r| r != layer.rows) || layer.cols != cols {
        return Err(bad(format!(
            "{name}.weight is {} × {}, but the codes need {} × {cols}",
            layer.rows,
            layer.cols,
            rows.map_or("n_h".to_string(), |r| r.to_string())
        )));
    }
    if layer.rows == 0 {
        return Err(bad(format!("{name}.weight has no rows")));
    }
    let entries = layer.rows.checked_mul(layer.cols);
    if entries != Some(layer.weight.len()) {
        return Err(bad(format!(
            "{name}.weight holds {} numbers for {} × {}",
            layer.weight.len(),
            layer.rows,
            layer.cols
        )));
    }
    for (part, numbers) in [("bias", Some(&layer.bias)), ("mass", layer.mass.as_ref())] {
        let Some(numbers) = numbers else { continue };
        if numbers.len() != layer.rows {
            return Err(bad(format!(
                "{name}.{part} has {} entries for {} rows",
                numbers.len(),
                layer.rows
            )));
        }
        if numbers.dtype() != layer.weight.dtype() {
            return Err(bad(format!(
                "{name}.{part} is {:?} but {name}.weight is {:?}: a layer's tensors share one dtype",
                numbers.dtype(),
                layer.weight.dtype()
            )));
        }
    }
    match (layer.weight.is_integer(), layer.denominator) {
        (true, None) => Err(bad(format!(
            "{name} holds integer numerators but the header gives no layers.{name}.denominator"
        ))),
        (true, Some(0)) => Err(bad(format!("layers.{name}.denominator is 0; it must be positive"))),
        (true, Some(d)) if d > 1 << 40 => Err(bad(format!(
            "layers.{name}.denominator = {d} is above 2^40, beyond exact evaluation"
        ))),
        (false, Some(_)) => Err(bad(format!(
            "{name} is f32 but the header gives it a denominator (only integer numerators have one)"
        ))),
        _ => check_finite(name, layer),
    }
}

/// Refuses NaN and ±∞ in an f32 layer, naming the tensor and the index.
fn check_finite(name: &str, layer: &Layer) -> Result<()> {
    for (part, numbers) in [
        ("weight", Some(&layer.weight)),
        ("bias", Some(&layer.bias)),
        ("mass", layer.mass.as_ref()),
    ] {
        if let Some(Numbers::F32(values)) = numbers
            && let Some(index) = values.iter().position(|v| !v.is_finite())
        {
            return Err(bad(format!(
                "{name}.{part}[{index}] is {}: weights must be finite",
                values[index]
            )));
        }
    }
    Ok(())
}

/// The header from the metadata map: the format version first (so a newer file is refused as
/// such, not for a key it lacks), then the whole document.
fn parse_header(metadata: Option<&HashMap<String, String>>) -> Result<Header> {
    let json = metadata.and_then(|m| m.get(METADATA_KEY)).ok_or_else(|| {
        bad(format!(
            "no `{METADATA_KEY}` metadata: not a superposition network file"
        ))
    })?;
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| bad(format!("the `{METADATA_KEY}` metadata is not JSON: {e}")))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(bad(format!(
                "unknown format version `{other}`: this reader reads `{FORMAT}`"
            )));
        }
        None => return Err(bad(format!("the `{METADATA_KEY}` metadata has no \"format\" string"))),
    }
    serde_json::from_value(value).map_err(|e| bad(format!("the `{METADATA_KEY}` metadata: {e}")))
}

/// Refuses a header whose shapes or decoder cannot describe a network.
fn check_header(header: &Header) -> Result<()> {
    if header.format != FORMAT {
        return Err(bad(format!(
            "unknown format version `{}`: this reader reads `{FORMAT}`",
            header.format
        )));
    }
    if header.inputs == 0 || header.outputs == 0 {
        return Err(bad("inputs and outputs must be at least 1"));
    }
    for (name, spec) in [("input_code", &header.input_code), ("output_code", &header.output_code)] {
        if spec.t == 0 || spec.t > spec.width || spec.width > u32::MAX as usize {
            return Err(bad(format!(
                "{name}: t = {} must be in 1..=width ({}), and the width below 2^32",
                spec.t, spec.width
            )));
        }
    }
    match (header.architecture, header.decoder) {
        (Architecture::Codes, _) => Ok(()),
        (_, None) => Err(bad("a network needs a \"decoder\"")),
        (_, Some(Decoder::Vote { votes, .. })) if votes == 0 || votes > header.output_code.t => Err(bad(format!(
            "decoder votes = {votes} must be in 1..=t_out ({})",
            header.output_code.t
        ))),
        (_, Some(Decoder::Average { tau })) if !(tau > 0.0 && tau <= 1.0) => {
            Err(bad(format!("decoder tau = {tau} must be in (0, 1]")))
        }
        _ => Ok(()),
    }
}

/// Bytes the file's contents take once parsed: the tensors at 8 bytes per number (an upper
/// bound for every dtype held) plus the seeded codes to regenerate (4 bytes per entry).
fn estimate_bytes(header: &Header, parsed: &Parsed<'_>) -> u64 {
    let mut bytes = 8u64.saturating_mul(parsed.numbers());
    for (name, spec, features) in [
        ("input_code", &header.input_code, header.inputs),
        ("output_code", &header.output_code, header.outputs),
    ] {
        if !parsed.has(name) {
            bytes = bytes.saturating_add((features as u64).saturating_mul(spec.t as u64).saturating_mul(8));
        }
    }
    bytes
}

/// The seeded code of `features` sets (docs/network-format.md §3): the stream
/// `derive_seed(seed, role, 0)` of the Rust generator, as `CodedParams` draws its codes.
fn seeded_code(spec: &CodeSpec, features: usize, role: &str) -> Result<Option<SubsetCode>> {
    spec.seed
        .map(|seed| SubsetCode::random(features, spec.width, spec.t, derive_seed(seed, role, 0), "code"))
        .transpose()
}

/// A codes-only file (architecture `codes`): the fixed codes a network can be trained against,
/// with the instance if given. The codes are regenerated from `code_seed` by the reference
/// generator and written explicitly, with the seed.
pub fn codes_file(
    inputs: usize,
    outputs: usize,
    input: (usize, usize),
    output: (usize, usize),
    code_seed: u64,
    k: usize,
    provenance: Provenance,
) -> Result<NetworkFile> {
    if inputs == 0 || outputs == 0 {
        return Err(invalid(
            "inputs",
            format!("{inputs} inputs, {outputs} outputs"),
            "both must be at least 1",
        ));
    }
    for (name, (width, t)) in [("t_in", input), ("t_out", output)] {
        if t == 0 || t > width {
            return Err(invalid(name, t, format!("must be in 1..={width} (the code's width)")));
        }
    }
    let spec = |(width, t): (usize, usize)| CodeSpec {
        width,
        t,
        seed: Some(code_seed),
    };
    let header = Header {
        format: FORMAT.into(),
        architecture: Architecture::Codes,
        inputs,
        outputs,
        k,
        input_code: spec(input),
        output_code: spec(output),
        layers: LayerSpecs::default(),
        decoder: None,
        instance: None,
        construction: Some("codes".into()),
        provenance,
        training: None,
    };
    check_header(&header)?;
    memory::check(
        || format!("codes for {inputs} inputs and {outputs} outputs"),
        (inputs as u64)
            .saturating_mul(input.1 as u64)
            .saturating_add((outputs as u64).saturating_mul(output.1 as u64))
            .saturating_mul(4),
    )?;
    let input_code = seeded_code(&header.input_code, inputs, "input-code")?.expect("seeded");
    let output_code = seeded_code(&header.output_code, outputs, "output-code")?.expect("seeded");
    NetworkFile::new(header, input_code, output_code, (None, None), None)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::base::sample::sample_uniform_fill;
    use crate::network::Network;
    use crate::rng::stream;
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;
    use rand::Rng as _;
    use safetensors::tensor::TensorView;

    /// A tensor of a file being rewritten: name, dtype, shape, bytes.
    pub(crate) type Raw = (String, tensors::Dtype, Vec<usize>, Vec<u8>);

    /// Rewrites a file through the safetensors crate: `edit` gets every tensor and the header
    /// JSON and may change them; the result is serialized again (tests build bad files with it).
    pub(crate) fn rewrite(bytes: &[u8], edit: impl FnOnce(&mut Vec<Raw>, &mut serde_json::Value)) -> Vec<u8> {
        let parsed = safetensors::SafeTensors::deserialize(bytes).unwrap();
        let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).unwrap();
        let mut header: serde_json::Value =
            serde_json::from_str(&metadata.metadata().as_ref().unwrap()[METADATA_KEY]).unwrap();
        let mut raw: Vec<Raw> = parsed
            .iter()
            .map(|(name, v)| (name.to_string(), v.dtype(), v.shape().to_vec(), v.data().to_vec()))
            .collect();
        edit(&mut raw, &mut header);
        let views: Vec<(String, TensorView<'_>)> = raw
            .iter()
            .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
            .collect();
        let metadata: HashMap<String, String> = HashMap::from([(METADATA_KEY.to_string(), header.to_string())]);
        safetensors::serialize(views, Some(metadata.into_iter().collect())).unwrap()
    }

    /// A layer of numerators over D = 4 without a mass term: integer, or as f32 values.
    fn quarters(rows: usize, cols: usize, weight: Vec<i64>, bias: Vec<i64>, float: bool) -> Layer {
        let (weight, bias, denominator) = if float {
            let f = |v: Vec<i64>| Numbers::F32(v.iter().map(|&x| x as f32 / 4.0).collect());
            (f(weight), f(bias), None)
        } else {
            (Numbers::integers(weight), Numbers::integers(bias), Some(4))
        };
        Layer {
            rows,
            cols,
            weight,
            bias,
            mass: None,
            denominator,
        }
    }

    /// A tiny tied network: 6 inputs, the pairs (0,1), (2,3), (4,5); input i ↦ neurons
    /// {i, i + 6} of 12, output j ↦ neurons {2j, 2j+1} of 6. Row r of output j listens to the
    /// four input neurons of its pair with weight ½ (numerator 2 over D = 4) and bias −5/4, so
    /// z = (Σ u)/2 − 5/4: ¾ with the pair on (fires), at most ¼ otherwise; every neuron is
    /// at least ¼ from the threshold ½.
    pub(crate) fn tiny(float: bool) -> NetworkFile {
        let input = SubsetCode::from_sets(12, 2, &(0..6).map(|i| vec![i, i + 6]).collect::<Vec<_>>()).unwrap();
        let output = SubsetCode::from_sets(6, 2, &(0..3).map(|j| vec![2 * j, 2 * j + 1]).collect::<Vec<_>>()).unwrap();
        let (mut weight, bias) = (vec![0i64; 6 * 12], vec![-5i64; 6]);
        for r in 0..6 {
            let j = r / 2;
            for i in [2 * j, 2 * j + 1] {
                for &q in input.set(i) {
                    weight[r * 12 + q as usize] = 2;
                }
            }
        }
        let layer = quarters(6, 12, weight, bias, float);
        let header = Header {
            format: FORMAT.into(),
            architecture: Architecture::Tied,
            inputs: 6,
            outputs: 3,
            k: 4,
            input_code: CodeSpec {
                width: 12,
                t: 2,
                seed: None,
            },
            output_code: CodeSpec {
                width: 6,
                t: 2,
                seed: None,
            },
            layers: LayerSpecs::default(),
            decoder: Some(Decoder::Vote { tau: 1.0, votes: 2 }),
            instance: None,
            construction: Some("test".into()),
            provenance: Provenance::default(),
            training: None,
        };
        let pairs = And2Instance::new(6, vec![(0, 1), (2, 3), (4, 5)]).unwrap();
        NetworkFile::new(
            header,
            input,
            output,
            (Some(layer), None),
            Some(StoredInstance::Pairs(pairs)),
        )
        .unwrap()
    }

    /// A tiny depth2 network over `tiny`'s hidden layer (neurons 2j, 2j+1 fire iff pair j is
    /// on, at least ¼ from ½) and the circuit g0 = AND(pair 0, pair 1), g1 = OR(pair 1, pair 2):
    /// layer2 rows 0, 1 (g0's code) read the four neurons of pairs 0 and 1 with weight ¼, rows
    /// 2, 3 (g1's) those of pairs 1 and 2 with weight ½, bias −¼ (D₂ = 4). So z ∈ {−¼, ¼, ¾}
    /// on g0's rows (fires iff both pairs on) and {−¼, ¾, 1¾} on g1's (iff one is), every
    /// decision at least ¼ from ½; votes 2 of 2.
    pub(crate) fn tiny_depth2(float: bool) -> NetworkFile {
        let one = tiny(float);
        let mut weight = vec![0i64; 4 * 6];
        for (r, (pairs, w)) in [([0, 1], 1), ([0, 1], 1), ([1, 2], 2), ([1, 2], 2)].iter().enumerate() {
            for &j in pairs {
                for s in [2 * j, 2 * j + 1] {
                    weight[r * 6 + s] = *w;
                }
            }
        }
        let layer2 = quarters(4, 6, weight, vec![-1; 4], float);
        let mut header = one.header().clone();
        (header.architecture, header.outputs) = (Architecture::Depth2, 2);
        header.output_code = CodeSpec {
            width: 4,
            t: 2,
            seed: None,
        };
        let output = SubsetCode::from_sets(4, 2, &[vec![0, 1], vec![2, 3]]).unwrap();
        let gate = |left, right, kind| crate::base::circuit::Gate { left, right, kind };
        let gates = vec![gate(0, 1, GateKind::And), gate(1, 2, GateKind::Or)];
        let Some(StoredInstance::Pairs(pairs)) = one.instance().cloned() else {
            unreachable!("tiny stores pairs")
        };
        let circuit = Circuit::new(pairs, gates).unwrap();
        let layers = (one.hidden().cloned(), Some(layer2));
        let instance = Some(StoredInstance::Circuit(circuit));
        NetworkFile::new(header, one.input_code().clone(), output, layers, instance).unwrap()
    }

    /// Every set of at most 4 of `tiny`'s 6 inputs.
    fn small_sets() -> Vec<Vec<u32>> {
        (0u32..64)
            .filter(|mask| mask.count_ones() <= 4)
            .map(|mask| (0..6).filter(|i| mask >> i & 1 == 1).collect())
            .collect()
    }

    #[test]
    fn tiny_depth2_round_trips_and_computes_its_gates() {
        for float in [false, true] {
            let file = tiny_depth2(float);
            let read = NetworkFile::from_bytes(&file.to_bytes().unwrap()).unwrap();
            assert_eq!(read, file);
            let denominator = read.header().layers.layer2.and_then(|l| l.denominator);
            assert_eq!(denominator, (!float).then_some(4));
            let net = read.network().unwrap();
            let truth = read.instance().unwrap();
            let tables = truth.tables();
            let (mut scratch, mut got, mut expected, mut layer1) =
                (FileScratch::default(), Vec::new(), Vec::new(), Vec::new());
            let (mut gates_on, mut tight) = (0, 0);
            for active in small_sets() {
                let exactness = net.evaluate_exact(&active, &mut scratch, &mut got);
                truth.true_outputs(&tables, &active, &mut layer1, &mut expected);
                assert_eq!(got, expected, "float {float}, active {active:?}");
                assert_eq!(exactness.uncertain, 0);
                assert!(exactness.margin >= 0.25 && exactness.margin <= 0.75, "{exactness:?}");
                gates_on += got.len();
                tight += usize::from(exactness.margin == 0.25);
            }
            assert!(
                gates_on > 20 && tight > 0,
                "{gates_on} gates on, {tight} samples at margin ¼"
            );
            let r = net.resources();
            // n_in + n₁ + n₂; 12 + 4 nonzero weights of layer 1 and 8 + 8 of layer 2, 6 + 4 biases.
            assert_eq!(
                (r.neurons, r.hidden_width, r.parameters),
                (12 + 6 + 4, 10, 24 + 6 + 16 + 4)
            );
        }
    }

    /// `file` (f32) with hidden neuron 0's bias set to −3/2: with pair 0 on, z_0 = 2 − 3/2 = ½
    /// exactly, on the threshold.
    fn neuron_0_at_half(file: &NetworkFile) -> NetworkFile {
        let mut hidden = file.hidden().unwrap().clone();
        if let Numbers::F32(b) = &mut hidden.bias {
            b[0] = -1.5;
        }
        let layers = (Some(hidden), file.output().cloned());
        let (input, output) = (file.input_code().clone(), file.output_code().clone());
        NetworkFile::new(file.header().clone(), input, output, layers, file.instance().cloned()).unwrap()
    }

    #[test]
    fn a_doubtful_hidden_neuron_makes_the_gates_it_feeds_uncertain() {
        let net = neuron_0_at_half(&tiny_depth2(true)).network().unwrap();
        let mut scratch = FileScratch::default();
        let mut out = Vec::new();
        let exactness = net.evaluate_exact(&[0, 1, 2, 3], &mut scratch, &mut out);
        // Neuron 0 feeds g0's rows (weight ¼): ¾ ± ¼ reaches ½, so g0 is uncertain; g1's rows
        // do not read it.
        assert_eq!((exactness.margin, scratch.uncertain()), (0.0, &[0][..]));
        assert_eq!(out, vec![0, 1]);
        assert!(net.sample_fails(&[0, 1, 2, 3], &[0, 1], &mut scratch).0);
        assert!(!net.sample_fails(&[2, 3, 4, 5], &[1], &mut scratch).0);
        // The integer network has no doubt.
        let exact = tiny_depth2(false).network().unwrap();
        assert_eq!(exact.evaluate_exact(&[0, 1, 2, 3], &mut scratch, &mut out).uncertain, 0);
    }

    #[test]
    fn bad_circuits_and_layer2_tensors_are_refused() {
        let bytes = tiny_depth2(false).to_bytes().unwrap();
        let gates = |edit: fn(&mut Vec<i32>)| {
            rewrite(&bytes, |t, _| {
                let g = t.iter_mut().find(|x| x.0 == "instance.gates").unwrap();
                let mut values: Vec<i32> =
                    g.3.chunks_exact(4)
                        .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
                        .collect();
                edit(&mut values);
                g.3 = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            })
        };
        // Rows (kind, left, right): (0, 0, 1), (1, 1, 2).
        // An edit of the gate rows, and of a whole file.
        type GateEdit = fn(&mut Vec<i32>);
        type FileEdit = fn(&mut Vec<Raw>, &mut serde_json::Value);
        let cases: [(GateEdit, &str); 5] = [
            (
                |v| v[0] = 2,
                "instance.gates[0] has kind 2; a gate kind is 0 (AND) or 1 (OR)",
            ),
            (
                |v| v[5] = 3,
                "instance.gates (a layer-1 output) holds index 3, out of range (below 3)",
            ),
            (|v| v[4] = -1, "holds index -1, out of range"),
            (
                |v| v[2] = 0,
                "gate 0 reads layer-1 outputs (0, 0): need two distinct outputs",
            ),
            (|v| (v[4], v[5]) = (1, 0), "gate 1 (0, 1) repeats an earlier gate"),
        ];
        for (edit, message) in cases {
            let err = error_of(&gates(edit));
            assert!(err.contains(message), "{err}");
        }
        let cases: [(FileEdit, &str); 8] = [
            (
                |t, _| t.iter_mut().find(|x| x.0 == "instance.gates").unwrap().2 = vec![3, 2],
                "tensor `instance.gates` has shape [3, 2], but the header needs [2, 3]",
            ),
            (
                |t, _| t.iter_mut().find(|x| x.0 == "instance.pairs").unwrap().2 = vec![2, 3],
                "tensor `instance.pairs` has shape [2, 3]; it must be [rows, 2]",
            ),
            (
                |t, _| t.retain(|x| x.0 != "instance.gates"),
                "missing tensor `instance.gates`",
            ),
            (
                |t, _| t.retain(|x| !x.0.starts_with("layer2.")),
                "missing tensor `layer2.weight`",
            ),
            (
                |t, _| {
                    let w = t.iter_mut().find(|x| x.0 == "layer2.weight").unwrap();
                    w.2 = vec![3, 8];
                },
                "layer2.weight is 3 × 8, but the codes need 4 × 6",
            ),
            (
                |_, h| h["layers"]["layer2"] = serde_json::json!({}),
                "no layers.layer2.denominator",
            ),
            (
                |t, h| {
                    t.iter_mut().find(|x| x.0 == "layer2.weight").unwrap().1 = tensors::Dtype::F32;
                    // Bias −1 read as f32 would be a NaN: zero it.
                    let bias = t.iter_mut().find(|x| x.0 == "layer2.bias").unwrap();
                    (bias.1, bias.3) = (tensors::Dtype::F32, vec![0; 16]);
                    h["layers"]["layer2"] = serde_json::json!({});
                },
                "the depth2 architecture's two layers must both be integer or both f32",
            ),
            (|_, h| h["architecture"] = "depth3".into(), "unknown variant `depth3`"),
        ];
        for (edit, message) in cases {
            let err = error_of(&rewrite(&bytes, edit));
            assert!(err.contains(message), "{err}");
        }
        let float = tiny_depth2(true).to_bytes().unwrap();
        let nan = rewrite(&float, |t, _| {
            let w = t.iter_mut().find(|x| x.0 == "layer2.weight").unwrap();
            w.3[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
        });
        assert!(error_of(&nan).contains("layer2.weight[2] is NaN"));
    }

    fn error_of(bytes: &[u8]) -> String {
        NetworkFile::from_bytes(bytes).unwrap_err().to_string()
    }

    #[test]
    fn tiny_network_round_trips_and_computes_its_pairs() {
        for float in [false, true] {
            let file = tiny(float);
            let read = NetworkFile::from_bytes(&file.to_bytes().unwrap()).unwrap();
            assert_eq!(read, file);
            let net = read.network().unwrap();
            let truth = read.instance().unwrap();
            let tables = truth.tables();
            let (mut scratch, mut got, mut expected) = (FileScratch::default(), Vec::new(), Vec::new());
            for active in [
                vec![],
                vec![0],
                vec![0, 1],
                vec![1, 2, 3],
                vec![0, 1, 4, 5],
                vec![0, 2, 4],
            ] {
                let exactness = net.evaluate_exact(&active, &mut scratch, &mut got);
                truth.true_outputs(&tables, &active, &mut Vec::new(), &mut expected);
                assert_eq!(got, expected, "float {float}, active {active:?}");
                assert_eq!(exactness.uncertain, 0);
                // Pair j's rows have z = |active ∩ pair j| − 5/4.
                let margin = (0..3u32)
                    .map(|j| {
                        let on = active.iter().filter(|&&i| i / 2 == j).count() as f64;
                        (on - 1.25 - 0.5).abs()
                    })
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(exactness.margin, margin, "active {active:?}");
            }
        }
    }

    #[test]
    fn resources_count_the_stored_numbers() {
        let r = tiny(false).network().unwrap().resources();
        // 6 rows × 4 nonzero weights (numerator 2: 2 bits) + 6 biases (−5: 3 bits and a sign).
        assert_eq!((r.neurons, r.parameters), (12 + 6, 24 + 6));
        assert_eq!(r.parameter_bits, 24 * 2 + 6 * 4);
        assert_eq!((r.weight_max, r.weight_denominator), (2, 4));
        assert_eq!(tiny(true).network().unwrap().resources().parameter_bits, 30 * 32);
    }

    #[test]
    fn a_layer_is_written_in_one_integer_dtype() {
        let (w, b, m) = Numbers::integer_layer(vec![1, 2], vec![-3], Some(vec![4]));
        assert!(matches!(
            (w, b, m),
            (Numbers::I32(_), Numbers::I32(_), Some(Numbers::I32(_)))
        ));
        let (w, b, m) = Numbers::integer_layer(vec![1, 2], vec![1 << 40], None);
        assert!(matches!((w, b, m), (Numbers::I64(_), Numbers::I64(_), None)));
    }

    #[test]
    fn numerators_that_could_overflow_limit_the_active_inputs() {
        assert!(tiny(false).network().unwrap().max_active() > 1 << 40);
        assert_eq!(tiny(true).network().unwrap().max_active(), usize::MAX);
        let file = tiny(false);
        let mut hidden = file.hidden().unwrap().clone();
        hidden.weight = Numbers::I64(
            (0..hidden.weight.len())
                .map(|x| hidden.weight.get(x) as i64 * (1 << 58))
                .collect(),
        );
        hidden.bias = Numbers::I64(vec![-5; 6]);
        let (input, output) = (file.input_code().clone(), file.output_code().clone());
        let huge = NetworkFile::new(file.header().clone(), input, output, (Some(hidden), None), None).unwrap();
        // |z| ≤ 2·2^59·a·t_in + 5 must stay below 2^62: a = 1 input at t_in = 2.
        let net = huge.network().unwrap();
        assert_eq!(net.max_active(), 1);
        let mut out = Vec::new();
        net.evaluate_exact(&[0], &mut FileScratch::default(), &mut out);
        let two =
            std::panic::catch_unwind(|| net.evaluate_exact(&[0, 1], &mut FileScratch::default(), &mut Vec::new()));
        assert!(two.is_err(), "two active inputs must be refused, not wrapped");
    }

    #[test]
    fn free_layers_compose_and_an_identity_output_layer_changes_nothing() {
        for float in [false, true] {
            let tied = tiny(float);
            let identity: Vec<i64> = (0..36).map(|x| i64::from(x % 7 == 0)).collect();
            let output = if float {
                Layer {
                    rows: 6,
                    cols: 6,
                    weight: Numbers::F32(identity.iter().map(|&v| v as f32).collect()),
                    bias: Numbers::F32(vec![0.0; 6]),
                    mass: None,
                    denominator: None,
                }
            } else {
                Layer {
                    rows: 6,
                    cols: 6,
                    weight: Numbers::integers(identity),
                    bias: Numbers::integers(vec![0; 6]),
                    mass: None,
                    denominator: Some(1),
                }
            };
            let mut header = tied.header().clone();
            header.architecture = Architecture::Free;
            let layers = (tied.hidden().cloned(), Some(output));
            let free = NetworkFile::new(
                header,
                tied.input_code().clone(),
                tied.output_code().clone(),
                layers,
                None,
            )
            .unwrap();
            let free = NetworkFile::from_bytes(&free.to_bytes().unwrap())
                .unwrap()
                .network()
                .unwrap();
            let tied = tied.network().unwrap();
            let (mut s, mut a, mut b) = (FileScratch::default(), Vec::new(), Vec::new());
            let mut rng = stream(3, "free", 0);
            let mut active = Vec::new();
            for _ in 0..200 {
                active.clear();
                let k = rng.random_range(0..6);
                sample_uniform_fill(&mut rng, 6, k, &mut active);
                tied.evaluate(&active, &mut s, &mut a);
                free.evaluate(&active, &mut s, &mut b);
                assert_eq!(a, b, "float {float}, active {active:?}");
            }
            assert_eq!(free.resources().neurons, 12 + 6 + 6);
        }
    }

    #[test]
    fn float_decisions_at_the_threshold_are_uncertain_and_fail() {
        let net = neuron_0_at_half(&tiny(true)).network().unwrap();
        let mut scratch = FileScratch::default();
        let mut out = Vec::new();
        let exactness = net.evaluate_exact(&[0, 1], &mut scratch, &mut out);
        assert_eq!(exactness.margin, 0.0);
        assert_eq!(exactness.uncertain, 1, "{exactness:?}");
        assert_eq!(scratch.uncertain(), &[0]);
        // Computed, neuron 0 sits on ½ and fires; both of output 0's neurons vote: on, but the
        // sample fails all the same because the decision is uncertain.
        assert_eq!(out, vec![0]);
        assert_eq!(net.sample_fails(&[0, 1], &[0], &mut scratch), (true, 0.0));
        assert!(!net.sample_fails(&[2, 3], &[1], &mut scratch).0);
    }

    #[test]
    fn not_a_safetensors_file() {
        let err = error_of(b"these are not the bytes of a network file at all");
        assert!(err.contains("not a safetensors file"), "{err}");
        assert!(error_of(b"short").contains("not a safetensors file"));
    }

    #[test]
    fn truncated_file() {
        let bytes = tiny(false).to_bytes().unwrap();
        let err = error_of(&bytes[..bytes.len() - 3]);
        assert!(err.contains("truncated file"), "{err}");
        let err = error_of(&bytes[..40]);
        assert!(err.contains("truncated file"), "{err}");
    }

    #[test]
    fn missing_metadata_or_tensor() {
        let bytes = tiny(false).to_bytes().unwrap();
        let plain = {
            let parsed = safetensors::SafeTensors::deserialize(&bytes).unwrap();
            safetensors::serialize(parsed.iter().collect::<Vec<_>>(), None).unwrap()
        };
        assert!(error_of(&plain).contains("no `superposition` metadata"));
        let no_bias = rewrite(&bytes, |t, _| t.retain(|x| x.0 != "hidden.bias"));
        assert!(error_of(&no_bias).contains("missing tensor `hidden.bias`"));
    }

    #[test]
    fn unknown_format_version() {
        let bytes = tiny(false).to_bytes().unwrap();
        let newer = rewrite(&bytes, |_, h| h["format"] = "superposition-network/2".into());
        let err = error_of(&newer);
        assert!(
            err.contains("unknown format version `superposition-network/2`"),
            "{err}"
        );
    }

    #[test]
    fn wrong_dtype() {
        let bytes = tiny(false).to_bytes().unwrap();
        let as_f64 = rewrite(&bytes, |t, _| {
            let w = t.iter_mut().find(|x| x.0 == "hidden.weight").unwrap();
            let values: Vec<i32> =
                w.3.chunks_exact(4)
                    .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
                    .collect();
            w.1 = tensors::Dtype::F64;
            w.3 = values.iter().flat_map(|&v| f64::from(v).to_le_bytes()).collect();
        });
        let err = error_of(&as_f64);
        assert!(err.contains("`hidden.weight` has dtype F64"), "{err}");
        let code_f32 = rewrite(&bytes, |t, _| {
            t.iter_mut().find(|x| x.0 == "input_code").unwrap().1 = tensors::Dtype::F32
        });
        let err = error_of(&code_f32);
        assert!(
            err.contains("`input_code` has dtype F32") && err.contains("integer tensor"),
            "{err}"
        );
        // An integer bias under f32 weights: a layer's tensors share one dtype.
        let float = tiny(true).to_bytes().unwrap();
        let mixed = rewrite(&float, |t, _| {
            t.iter_mut().find(|x| x.0 == "hidden.bias").unwrap().1 = tensors::Dtype::I32
        });
        let err = error_of(&mixed);
        assert!(err.contains("share one dtype"), "{err}");
    }

    #[test]
    fn shapes_inconsistent_with_the_codes() {
        let bytes = tiny(false).to_bytes().unwrap();
        // 6 × 13 weights for an input code of width 12.
        let wide = rewrite(&bytes, |t, _| {
            let w = t.iter_mut().find(|x| x.0 == "hidden.weight").unwrap();
            w.2 = vec![6, 13];
            w.3.extend_from_slice(&[0; 24]);
        });
        let err = error_of(&wide);
        assert!(
            err.contains("hidden.weight is 6 × 13, but the codes need 6 × 12"),
            "{err}"
        );
        // A code tensor of the wrong shape.
        let err = error_of(&rewrite(&bytes, |_, h| h["input_code"]["t"] = 3.into()));
        assert!(
            err.contains("`input_code` has shape [6, 2], but the header needs [6, 3]"),
            "{err}"
        );
        // The header's m′ against the pairs.
        let err = error_of(&rewrite(&bytes, |_, h| h["outputs"] = 4.into()));
        assert!(err.contains("output_code") && err.contains("[3, 2]"), "{err}");
    }

    #[test]
    fn code_index_out_of_range() {
        let bytes = tiny(false).to_bytes().unwrap();
        let bad_index = rewrite(&bytes, |t, _| {
            let c = t.iter_mut().find(|x| x.0 == "output_code").unwrap();
            c.3[..4].copy_from_slice(&6i32.to_le_bytes());
        });
        let err = error_of(&bad_index);
        assert!(
            err.contains("output_code[0] holds neuron index 6, out of range for a code of width 6"),
            "{err}"
        );
        let repeated = rewrite(&bytes, |t, _| {
            let c = t.iter_mut().find(|x| x.0 == "output_code").unwrap();
            c.3[..4].copy_from_slice(&1i32.to_le_bytes());
        });
        assert!(error_of(&repeated).contains("repeats a neuron"));
        let pair = rewrite(&bytes, |t, _| {
            let c = t.iter_mut().find(|x| x.0 == "instance.pairs").unwrap();
            c.3[..4].copy_from_slice(&(-1i32).to_le_bytes());
        });
        assert!(error_of(&pair).contains("instance.pairs holds index -1, out of range"));
    }

    #[test]
    fn nan_or_infinite_weights() {
        let bytes = tiny(true).to_bytes().unwrap();
        for (value, shown) in [(f32::NAN, "NaN"), (f32::INFINITY, "inf"), (f32::NEG_INFINITY, "-inf")] {
            let poisoned = rewrite(&bytes, |t, _| {
                let w = t.iter_mut().find(|x| x.0 == "hidden.weight").unwrap();
                w.3[20..24].copy_from_slice(&value.to_le_bytes());
            });
            let err = error_of(&poisoned);
            assert!(
                err.contains(&format!("hidden.weight[5] is {shown}: weights must be finite")),
                "{err}"
            );
        }
    }

    #[test]
    fn integer_layers_need_a_positive_denominator() {
        let bytes = tiny(false).to_bytes().unwrap();
        let err = error_of(&rewrite(&bytes, |_, h| h["layers"] = serde_json::json!({})));
        assert!(err.contains("no layers.hidden.denominator"), "{err}");
        let err = error_of(&rewrite(&bytes, |_, h| h["layers"]["hidden"]["denominator"] = 0.into()));
        assert!(err.contains("denominator is 0"), "{err}");
    }

    #[test]
    fn over_the_memory_budget_is_refused_before_allocating() {
        // A codes file whose seeded codes would take 2^40·t entries: refused from the header.
        let codes = codes_file(16, 8, (12, 3), (10, 2), 5, 4, Provenance::default()).unwrap();
        let huge = rewrite(&codes.to_bytes().unwrap(), |t, h| {
            t.retain(|x| !x.0.ends_with("_code"));
            h["inputs"] = (1u64 << 40).into();
        });
        let err = NetworkFile::from_bytes(&huge).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("memory budget"), "{err}");
        assert!(codes_file(1 << 40, 8, (12, 3), (10, 2), 5, 4, Provenance::default()).is_err());
    }

    #[test]
    fn seeded_codes_regenerate_and_must_match_their_tensors() {
        let codes = codes_file(40, 30, (24, 3), (20, 4), 9, 4, Provenance::default()).unwrap();
        assert_eq!(codes.header().architecture, Architecture::Codes);
        let bytes = codes.to_bytes().unwrap();
        // Without the tensors the seed regenerates the same codes.
        let seeded_only = rewrite(&bytes, |t, _| t.retain(|x| !x.0.ends_with("_code")));
        assert_eq!(NetworkFile::from_bytes(&seeded_only).unwrap(), codes);
        // With both, a tensor the seed does not regenerate is refused.
        let other_seed = rewrite(&bytes, |_, h| h["output_code"]["seed"] = 10.into());
        assert!(error_of(&other_seed).contains("differs from the code its seed 10 regenerates"));
        // Neither tensor nor seed.
        let neither = rewrite(&seeded_only, |_, h| {
            h["input_code"] = serde_json::json!({"width": 24, "t": 3})
        });
        assert!(error_of(&neither).contains("missing tensor `input_code` and no seed"));
        let err = codes.network().unwrap_err().to_string();
        assert!(err.contains("codes only"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            rng_seed: RngSeed::Fixed(0x0f11_e5ed),
            ..ProptestConfig::default()
        })]

        /// Arbitrary bytes: an error, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = NetworkFile::from_bytes(&bytes);
        }

        /// A valid file with bytes overwritten, cut or spliced: an error or a valid network that
        /// evaluates, never a panic.
        #[test]
        fn mutated_files_never_panic(
            float in any::<bool>(), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(), do_cut in any::<bool>(), two_stages in any::<bool>(),
        ) {
            let file = if two_stages { tiny_depth2(float) } else { tiny(float) };
            let mut bytes = file.to_bytes().unwrap();
            for (at, value) in edits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            if do_cut {
                bytes.truncate(cut.index(bytes.len()));
            }
            if let Ok(file) = NetworkFile::from_bytes(&bytes)
                && let Ok(net) = file.network()
            {
                let mut scratch = FileScratch::default();
                let mut out = Vec::new();
                let inputs = net.inputs() as u32;
                let active: Vec<u32> = (0..inputs.min(4)).collect();
                if active.len() <= net.max_active() {
                    net.evaluate_exact(&active, &mut scratch, &mut out);
                    prop_assert!(out.iter().all(|&j| (j as usize) < net.outputs()));
                }
            }
        }
    }
}
