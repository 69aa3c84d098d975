//! The constructions as network files (docs/network-format.md §4): AS-2AND, the input channel
//! and AS-PERM as `tied` layers with bit-exact integer numerators, so that the file read back
//! decides every neuron as the construction does.
//!
//! Every export uses the denominator D = 2·n_in·t_in, in which the constructions' own exact
//! tests are written: with z the pre-activation, a neuron fires iff h ≥ ½ ⟺ 2·(D·z) ≥ D.
//! - AS-2AND: D·W[r, q] = 2·n_in·A[r, q], mass −2·t_in·|S_r| (centered), bias −D;
//! - input channel: the shared channel's rows as AS-2AND's, then every block row of gate i:
//!   2·n_in·G on C_in(i), 2·n_in on U_r, mass −2·(G·t + |U_r|) (centered), bias −G·D;
//! - AS-PERM (0/1 maps): 2·n_in·A[r, q], mass −2·R_r (centered), bias 0.
//!
//! Depth-2 (with the threshold between its layers) is a `depth2` file: layer 1 as AS-2AND's rows
//! over D₁ = 2·n_in·t_in, then `layer2` over D₂ = 2·n₁·t_in₂ (t_in₂ = t_out₁) on the 0/1 firing
//! vector: 2·n₁·A₂[r, q], mass −2·t_in₂·|S₂_r| (centered), bias −D₂ on the AND pool and 0 on the
//! OR pool, so 2·(D₂·z) ≥ D₂ is `Depth2Network`'s own layer-2 test.

use crate::base::code::SubsetCode;
use crate::base::instance::And2Instance;
use crate::base::memory;
use crate::constructions::and2::{And2Network, DecoderKind};
use crate::constructions::channel::ChannelNetwork;
use crate::constructions::coded::{CodedParams, vote_threshold};
use crate::constructions::depth2::{Circuit, Depth2Network, Intermediate};
use crate::constructions::linear::{LinearMap, LinearNetwork};
use crate::error::{Result, invalid};
use crate::network::file::{
    Architecture, CodeSpec, Decoder, FORMAT, Header, Layer, LayerSpecs, NetworkFile, Numbers, Provenance,
    StoredInstance,
};

/// What every export records besides the network: k and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportInfo {
    /// k, the sparsity the network is meant for.
    pub k: usize,
    /// Command, seed, version, commit.
    pub provenance: Provenance,
}

/// Bytes an export of a rows × cols tied layer needs besides the network: the i64 numerators,
/// their narrowed copy and the file's bytes (at most 8 + 4 + 8 per weight, plus the copy of
/// the bytes safetensors assembles).
pub fn estimate_bytes(rows: usize, cols: usize) -> u64 {
    (rows as u64).saturating_mul(cols as u64).saturating_mul(28)
}

/// A tied integer layer under construction: row-major numerators over `denominator`.
struct TiedLayer {
    rows: usize,
    cols: usize,
    weight: Vec<i64>,
    bias: Vec<i64>,
    mass: Option<Vec<i64>>,
    denominator: u64,
}

impl TiedLayer {
    /// A zero layer, refusing (before allocating) one over the memory budget.
    fn zeros(rows: usize, cols: usize, denominator: u64, what: &str) -> Result<Self> {
        memory::check(
            || format!("exporting {what} ({rows} × {cols} integer weights)"),
            estimate_bytes(rows, cols),
        )?;
        Ok(Self {
            rows,
            cols,
            weight: vec![0; rows * cols],
            bias: vec![0; rows],
            mass: None,
            denominator,
        })
    }

    fn into_layer(self) -> Layer {
        let (weight, bias, mass) = Numbers::integer_layer(self.weight, self.bias, self.mass);
        Layer {
            rows: self.rows,
            cols: self.cols,
            weight,
            bias,
            mass,
            denominator: Some(self.denominator),
        }
    }
}

/// The code's spec, with `seed` when the seed regenerates exactly this code (a network built
/// on given codes, as the negative controls do, records none).
fn spec(code: &SubsetCode, regenerated: Option<SubsetCode>, seed: u64) -> CodeSpec {
    CodeSpec {
        width: code.width(),
        t: code.t(),
        seed: regenerated.filter(|r| r == code).map(|_| seed),
    }
}

/// The header of a tied integer file.
fn tied_header(
    inputs: usize,
    outputs: usize,
    codes: (CodeSpec, CodeSpec),
    decoder: Decoder,
    construction: &str,
    info: &ExportInfo,
) -> Header {
    Header {
        format: FORMAT.into(),
        architecture: Architecture::Tied,
        inputs,
        outputs,
        k: info.k,
        input_code: codes.0,
        output_code: codes.1,
        layers: LayerSpecs::default(),
        decoder: Some(decoder),
        instance: None,
        construction: Some(construction.into()),
        provenance: info.provenance.clone(),
        training: None,
    }
}

fn decoder(params: &CodedParams) -> Decoder {
    match params.decoder {
        DecoderKind::Vote => Decoder::Vote {
            tau: params.tau,
            votes: params.vote_threshold(),
        },
        DecoderKind::Average => Decoder::Average { tau: params.tau },
    }
}

/// Writes AS-2AND's rows into `layer` from row `offset` on: 2·n_in·A[r, q], mass −2·t_in·|S_r|
/// when centered, bias −D at θ = ½; at another firing level θ the bias is lowered by
/// T − 3·n_in·t_in (T the network's firing threshold), so that 2·(D·z) ≥ D ⟺ h ≥ θ.
fn fill_and2_rows(layer: &mut TiedLayer, network: &And2Network, offset: usize) {
    let p = network.params();
    let (n_in, t_in) = (p.input_width as i64, p.t_in as i64);
    let cols = layer.cols;
    for r in 0..p.hidden_width {
        let row = offset + r;
        for q in 0..cols {
            layer.weight[row * cols + q] = 2 * n_in * i64::from(network.weight(r, q));
        }
        layer.bias[row] = -(layer.denominator as i64) - (p.fire_threshold() - 3 * n_in * t_in);
        if p.centering {
            layer.mass.get_or_insert_with(|| vec![0; layer.rows])[row] = -2 * t_in * network.union_size(r) as i64;
        }
    }
}

/// AS-2AND as a `tied` file with its instance (pairs).
pub fn from_and2(network: &And2Network, instance: &And2Instance, info: &ExportInfo) -> Result<NetworkFile> {
    let p = network.params();
    let denominator = 2 * p.input_width as u64 * p.t_in as u64;
    let mut layer = TiedLayer::zeros(p.hidden_width, p.input_width, denominator, "an AS-2AND network")?;
    fill_and2_rows(&mut layer, network, 0);
    let codes = (network.input_code(), network.output_code());
    let instance = StoredInstance::Pairs(instance.clone());
    coded_file(p, codes, layer, instance, "as-2and", info)
}

/// The `tied` file of a coded layer built with `params` (AS-2AND, AS-PERM) on `codes`, which
/// record `params.code_seed` where it regenerates them.
fn coded_file(
    params: &CodedParams,
    codes: (&SubsetCode, &SubsetCode),
    layer: TiedLayer,
    instance: StoredInstance,
    construction: &str,
    info: &ExportInfo,
) -> Result<NetworkFile> {
    let (input, output) = codes;
    let (inputs, outputs) = (input.features(), output.features());
    let specs = (
        spec(input, params.input_code(inputs).ok(), params.code_seed),
        spec(output, params.output_code(outputs).ok(), params.code_seed),
    );
    let header = tied_header(inputs, outputs, specs, decoder(params), construction, info);
    let layers = (Some(layer.into_layer()), None);
    NetworkFile::new(header, input.clone(), output.clone(), layers, Some(instance))
}

/// A depth-2 network with the threshold between its layers ([`Intermediate::Threshold`], what
/// `Depth2Network` evaluates as a [`crate::network::Network`]) as a `depth2` file, with
/// `circuit` (the circuit it was built for) as its instance. The raw and ideal intermediates are
/// refused: layer 2 reading ReLU activations, or the true layer-1 outputs, is not this
/// architecture.
pub fn from_depth2(
    network: &Depth2Network,
    circuit: &Circuit,
    intermediate: Intermediate,
    info: &ExportInfo,
) -> Result<NetworkFile> {
    if intermediate != Intermediate::Threshold {
        return Err(invalid(
            "intermediate",
            format!("{intermediate:?}"),
            "only the thresholded composition exports (layer 2 reads 1[h₁ ≥ ½]: the depth2 architecture)",
        ));
    }
    let layer1 = network.layer1();
    let (p1, p2) = (layer1.params(), network.layer2_params());
    if circuit.outputs() != network.layer2_code().features() || circuit.layer1().outputs() != layer1.outputs() {
        return Err(invalid(
            "circuit",
            circuit.outputs(),
            "the depth-2 network was built for another circuit",
        ));
    }
    let d1 = 2 * p1.input_width as u64 * p1.t_in as u64;
    let mut hidden = TiedLayer::zeros(p1.hidden_width, p1.input_width, d1, "layer 1 of a depth-2 network")?;
    fill_and2_rows(&mut hidden, layer1, 0);
    let (n1, n2, t_in2) = (p1.hidden_width, p2.hidden_width, p1.t_out as i64);
    let d2 = 2 * n1 as u64 * t_in2 as u64;
    let mut layer2 = TiedLayer::zeros(n2, n1, d2, "layer 2 of a depth-2 network")?;
    let hosted = network.layer2_code().inverted();
    let mut union = Vec::new();
    for r in 0..n2 {
        // S₂_r: the layer-1 outputs the gates hosted on r read; A₂[r, q] counts its codes at q.
        union.clear();
        for &g in hosted.row(r) {
            let gate = circuit.gates()[g as usize];
            union.extend([gate.left, gate.right]);
        }
        union.sort_unstable();
        union.dedup();
        for &j in &union {
            for &q in layer1.output_code().set(j as usize) {
                layer2.weight[r * n1 + q as usize] += 2 * n1 as i64;
            }
        }
        layer2.bias[r] = if r < network.and_width() { -(d2 as i64) } else { 0 };
        if p2.centering {
            layer2.mass.get_or_insert_with(|| vec![0; n2])[r] = -2 * t_in2 * network.layer2_union_size(r) as i64;
        }
    }
    let input = layer1.input_code();
    let output = network.layer2_code();
    let codes = (
        spec(input, p1.input_code(input.features()).ok(), p1.code_seed),
        spec(output, None, 0),
    );
    let vote = Decoder::Vote {
        tau: p2.tau,
        votes: vote_threshold(p2.tau, p2.t_out),
    };
    let mut header = tied_header(input.features(), output.features(), codes, vote, "depth-2", info);
    header.architecture = Architecture::Depth2;
    NetworkFile::new(
        header,
        input.clone(),
        output.clone(),
        (Some(hidden.into_layer()), Some(layer2.into_layer())),
        Some(StoredInstance::Circuit(circuit.clone())),
    )
}

/// The input-channel network as a `tied` file: the shared channel's rows first, then every
/// block's, over the one input code; the output code sends each output to its rows there.
pub fn from_channel(network: &ChannelNetwork, instance: &And2Instance, info: &ExportInfo) -> Result<NetworkFile> {
    let p = network.params();
    let shared_width = network.shared_width();
    let block_rows = network.block_rows();
    let rows = shared_width + block_rows.len();
    let (n_in, t) = (p.input_width as i64, p.t as i64);
    let denominator = 2 * n_in as u64 * t as u64;
    let mut layer = TiedLayer::zeros(rows, p.input_width, denominator, "an input-channel network")?;
    let mut sets = vec![Vec::new(); network.outputs()];
    if let Some(shared) = network.shared() {
        fill_and2_rows(&mut layer, shared, 0);
        for (local, &j) in network.shared_outputs().iter().enumerate() {
            sets[j as usize] = shared.output_code().set(local).to_vec();
        }
    }
    let g = i64::from(p.gate_weight);
    let cols = p.input_width;
    for (b, &(gate, union)) in block_rows.iter().enumerate() {
        let row = shared_width + b;
        for &q in network.input_code().set(gate as usize) {
            layer.weight[row * cols + q as usize] = 2 * n_in * g;
        }
        layer.bias[row] = -g * denominator as i64;
        if p.centering {
            layer.mass.get_or_insert_with(|| vec![0; rows])[row] = -2 * (g * t + i64::from(union));
        }
    }
    for q in 0..cols {
        for &r in network.partner_rows(q) {
            layer.weight[(shared_width + r as usize) * cols + q] = 2 * n_in;
        }
    }
    let mut offset = shared_width;
    for (index, &(_, width, _)) in network.block_shapes().iter().enumerate() {
        let code = network.block_code(index);
        for (local, &j) in network.block_outputs(index).iter().enumerate() {
            sets[j as usize] = code.set(local).iter().map(|&r| r + offset as u32).collect();
        }
        offset += width;
    }
    let output_code = SubsetCode::from_sets(rows, p.t, &sets)?;
    let input_code = network.input_code().clone();
    let seeded = p.shared_params(p.total_hidden).input_code(network.inputs()).ok();
    let codes = (spec(&input_code, seeded, p.code_seed), spec(&output_code, None, 0));
    let vote = Decoder::Vote {
        tau: p.tau,
        votes: vote_threshold(p.tau, p.t),
    };
    let header = tied_header(network.inputs(), network.outputs(), codes, vote, "channel", info);
    NetworkFile::new(
        header,
        input_code,
        output_code,
        (Some(layer.into_layer()), None),
        Some(StoredInstance::Pairs(instance.clone())),
    )
}

/// AS-PERM on a 0/1 map as a `tied` file, with the map as a permutation when it is one and as
/// a 0/1 linear map otherwise. Refuses a real map (its readout is not a Boolean decision).
pub fn from_linear(network: &LinearNetwork, map: &LinearMap, info: &ExportInfo) -> Result<NetworkFile> {
    if !network.is_binary() {
        return Err(invalid(
            "map",
            "real",
            "only a 0/1 map (such as a permutation) exports: a real map's readout is not a Boolean decision",
        ));
    }
    let p = network.params();
    let (n, n_in) = (p.hidden_width, p.input_width);
    let denominator = 2 * n_in as u64 * p.t_in as u64;
    let mut layer = TiedLayer::zeros(n, n_in, denominator, "an AS-PERM network")?;
    for r in 0..n {
        for q in 0..n_in {
            layer.weight[r * n_in + q] = 2 * n_in as i64 * network.numerator(r, q) as i64;
        }
        if p.centering {
            layer.mass.get_or_insert_with(|| vec![0; n])[r] = -2 * network.row_sum(r) as i64;
        }
    }
    let codes = (network.input_code(), network.output_code());
    coded_file(p, codes, layer, stored_map(map), "as-perm", info)
}

/// A 0/1 map as stored: a permutation when every output reads exactly one input and every
/// input is read once, else its entries.
fn stored_map(map: &LinearMap) -> StoredInstance {
    let mut pi = vec![u32::MAX; map.inputs()];
    let mut is_permutation = map.inputs() == map.outputs();
    for j in 0..map.outputs() {
        match map.row(j) {
            [(i, _)] if is_permutation && pi[*i as usize] == u32::MAX => pi[*i as usize] = j as u32,
            _ => is_permutation = false,
        }
    }
    if is_permutation {
        return StoredInstance::Permutation(pi);
    }
    let mut entries: Vec<(u32, u32)> = (0..map.outputs())
        .flat_map(|j| map.row(j).iter().map(move |&(i, _)| (j as u32, i)))
        .collect();
    entries.sort_unstable();
    StoredInstance::Linear {
        inputs: map.inputs(),
        outputs: map.outputs(),
        entries,
    }
}

/// The 0/1 map a file stores (a permutation or a linear instance), as a [`LinearMap`]; None for
/// 2-AND pairs and circuits.
pub fn linear_map(instance: &StoredInstance) -> Result<Option<LinearMap>> {
    let (inputs, rows) = match instance {
        StoredInstance::Pairs(_) | StoredInstance::Circuit(_) => return Ok(None),
        StoredInstance::Permutation(pi) => {
            let mut rows = vec![Vec::new(); pi.len()];
            for (i, &j) in pi.iter().enumerate() {
                rows[j as usize].push((i as u32, 1.0));
            }
            (pi.len(), rows)
        }
        StoredInstance::Linear {
            inputs,
            outputs,
            entries,
        } => {
            let mut rows = vec![Vec::new(); *outputs];
            for &(j, i) in entries {
                rows[j as usize].push((i, 1.0));
            }
            (*inputs, rows)
        }
    };
    LinearMap::from_rows(inputs, rows).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::base::sample::{InputDistribution, sample_uniform_fill};
    use crate::constructions::and2::And2Params;
    use crate::constructions::channel::{ChannelParams, ChannelPlan};
    use crate::constructions::depth2::{Layer2Params, sample_circuit_active};
    use crate::evaluate::dense::{SampleSet, exact_verdicts};
    use crate::evaluate::eval::SampleSpec;
    use crate::network::Network;
    use crate::network::Truth;
    use crate::network::file::{FileNetwork, FileScratch};
    use crate::rng::stream;

    fn info() -> ExportInfo {
        ExportInfo {
            k: 4,
            provenance: Provenance {
                command: Some("test".into()),
                ..Provenance::default()
            },
        }
    }

    fn planted(instance: &And2Instance, samples: u64, seed: u64) -> SampleSet {
        let spec = SampleSpec {
            k: 4,
            distribution: InputDistribution::Planted,
            samples,
            seed,
        };
        SampleSet::draw(instance, &spec)
    }

    /// Reads the file back from its bytes and checks that it decides every sample as the
    /// construction does: the same on-outputs, hence the same verdicts against `truth` and
    /// against the instance stored in the file. Asserts that the samples are informative (some
    /// fail, some pass), and returns the network read back.
    fn assert_round_trip<N: Network, T: Truth>(
        net: &N,
        truth: &T,
        file: &NetworkFile,
        samples: &SampleSet,
    ) -> FileNetwork {
        let read = NetworkFile::from_bytes(&file.to_bytes().unwrap()).unwrap();
        assert_eq!(&read, file);
        let back = read.network().unwrap();
        assert_eq!((back.inputs(), back.outputs()), (net.inputs(), net.outputs()));
        let (mut a, mut b) = (N::Scratch::default(), FileScratch::default());
        let (mut expected, mut got) = (Vec::new(), Vec::new());
        for s in 0..samples.len() {
            net.evaluate(samples.sample(s), &mut a, &mut expected);
            let exactness = back.evaluate_exact(samples.sample(s), &mut b, &mut got);
            assert_eq!(got, expected, "sample {s}: {:?}", samples.sample(s));
            assert_eq!(exactness.uncertain, 0);
        }
        let verdicts = exact_verdicts(net, truth, samples);
        assert_eq!(exact_verdicts(&back, truth, samples), verdicts);
        assert_eq!(exact_verdicts(&back, read.instance().unwrap(), samples), verdicts);
        let failed = verdicts.iter().filter(|&&v| v).count();
        assert!(
            failed > 0 && failed < verdicts.len(),
            "{failed} of {} samples fail",
            verdicts.len()
        );
        back
    }

    /// The file with every bias of output j's code rows (in the layer that is the output
    /// representation: `hidden`, or a depth2 file's `layer2`) raised to +4·D: those rows always
    /// fire, so output j is always on.
    fn always_on(file: &NetworkFile, j: usize) -> FileNetwork {
        let (mut hidden, mut second) = (file.hidden().cloned(), file.output().cloned());
        let layer = second.as_mut().or(hidden.as_mut()).unwrap();
        let d = layer.denominator.unwrap() as i64;
        let mut bias: Vec<i64> = (0..layer.rows).map(|r| layer.bias.get(r) as i64).collect();
        for &r in file.output_code().set(j) {
            bias[r as usize] = 4 * d;
        }
        layer.bias = match layer.weight {
            Numbers::I64(_) => Numbers::I64(bias),
            _ => Numbers::integers(bias),
        };
        let header = file.header().clone();
        let edited = NetworkFile::new(
            header,
            file.input_code().clone(),
            file.output_code().clone(),
            (hidden, second),
            file.instance().cloned(),
        )
        .unwrap();
        edited.network().unwrap()
    }

    /// A perturbed network is not the construction: some sample's outputs differ.
    fn assert_some_output_differs<N: Network>(net: &N, other: &FileNetwork, samples: &SampleSet) {
        let (mut a, mut b) = (N::Scratch::default(), FileScratch::default());
        let (mut x, mut y) = (Vec::new(), Vec::new());
        let differs = (0..samples.len()).any(|s| {
            net.evaluate(samples.sample(s), &mut a, &mut x);
            other.evaluate(samples.sample(s), &mut b, &mut y);
            x != y
        });
        assert!(differs, "the perturbed file decides every sample as the construction");
    }

    #[test]
    fn as_2and_round_trips_bit_exactly() {
        let instance = And2Instance::random(300, 300, PairDistribution::Uniform, 4).unwrap();
        let samples = planted(&instance, 300, 11);
        for (decoder, centering, width) in [
            (DecoderKind::Vote, true, 260),
            (DecoderKind::Vote, false, 700),
            (DecoderKind::Average, true, 300),
        ] {
            let mut params = And2Params::defaults(300, width, 5);
            (params.decoder, params.centering) = (decoder, centering);
            let net = And2Network::build(&instance, params).unwrap();
            let file = from_and2(&net, &instance, &info()).unwrap();
            // The seed regenerates both codes, so the file records it (and the reader checks it).
            assert_eq!(file.header().input_code.seed, Some(5));
            assert_eq!(file.header().output_code.seed, Some(5));
            assert_eq!(file.hidden().unwrap().mass.is_some(), centering);
            assert_round_trip(&net, &instance, &file, &samples);
            assert_some_output_differs(&net, &always_on(&file, 0), &samples);
            let resources = file.network().unwrap().resources();
            assert_eq!(resources.neurons, net.resources().neurons);
            assert_eq!(resources.parameters, net.resources().parameters);
        }
    }

    #[test]
    fn the_input_channel_round_trips_bit_exactly() {
        let instance = And2Instance::random(120, 120, PairDistribution::Star { degree: 60 }, 2).unwrap();
        let samples = planted(&instance, 300, 12);
        for (centering, width) in [(true, 300), (false, 400)] {
            let mut params = ChannelParams::defaults(120, width, 3);
            params.centering = centering;
            let plan = ChannelPlan::new(&instance, params.theta);
            let net = ChannelNetwork::build(&instance, &plan, params).unwrap();
            assert!(!net.block_shapes().is_empty() && net.shared().is_some());
            let file = from_channel(&net, &instance, &info()).unwrap();
            assert_eq!(file.header().output_code.seed, None);
            assert_round_trip(&net, &instance, &file, &samples);
            // Output 0 is the hub's (a block output): perturb it and the last (shared) one.
            for j in [0, 119] {
                assert_some_output_differs(&net, &always_on(&file, j), &samples);
            }
        }
    }

    #[test]
    fn as_perm_round_trips_bit_exactly_with_its_permutation() {
        let m = 400;
        let map = LinearMap::permutation(m, 6).unwrap();
        let mut rng = stream(6, "perm-samples", 0);
        let (mut offsets, mut active) = (vec![0], Vec::new());
        let mut sample = Vec::new();
        for _ in 0..300 {
            sample.clear();
            sample_uniform_fill(&mut rng, m, 4, &mut sample);
            active.extend_from_slice(&sample);
            offsets.push(active.len());
        }
        let samples = SampleSet::from_parts(offsets, active, m).unwrap();
        let net = LinearNetwork::build(&map, CodedParams::defaults(m, 500, 8)).unwrap();
        let file = from_linear(&net, &map, &info()).unwrap();
        let stored = file.instance().unwrap();
        assert!(matches!(stored, StoredInstance::Permutation(_)));
        assert_eq!(linear_map(stored).unwrap().unwrap(), map);
        assert_round_trip(&net, &map, &file, &samples);
        assert_some_output_differs(&net, &always_on(&file, 7), &samples);
    }

    /// `samples` circuit samples at k = 4 from `sample_circuit_active`.
    pub(crate) fn circuit_samples(circuit: &Circuit, samples: usize, seed: u64) -> SampleSet {
        let mut rng = stream(seed, "circuit-samples", 0);
        let (mut offsets, mut active, mut sample) = (vec![0], Vec::new(), Vec::new());
        for _ in 0..samples {
            sample_circuit_active(&mut rng, circuit, 4, &mut sample);
            active.extend_from_slice(&sample);
            offsets.push(active.len());
        }
        SampleSet::from_parts(offsets, active, circuit.layer1().inputs()).unwrap()
    }

    /// A depth-2 network on a random circuit over m′ = 128 pairs.
    pub(crate) fn depth2(or_fraction: f64, centering: bool, widths: (usize, usize)) -> (Circuit, Depth2Network) {
        let instance = And2Instance::random(128, 128, PairDistribution::Uniform, 3).unwrap();
        let circuit = Circuit::random(instance.clone(), 128, or_fraction, 4).unwrap();
        let layer1 =
            std::sync::Arc::new(And2Network::build(&instance, And2Params::defaults(128, widths.0, 5)).unwrap());
        let mut p2 = Layer2Params::defaults(128, widths.1, 6);
        p2.centering = centering;
        (circuit.clone(), Depth2Network::build(&circuit, layer1, p2).unwrap())
    }

    #[test]
    fn depth_2_round_trips_bit_exactly() {
        for (or_fraction, centering, widths) in [
            (0.0, true, (150, 150)),
            (0.5, true, (160, 200)),
            (0.5, false, (220, 400)),
        ] {
            let (circuit, net) = depth2(or_fraction, centering, widths);
            let file = from_depth2(&net, &circuit, Intermediate::Threshold, &info()).unwrap();
            assert_eq!(file.header().architecture, Architecture::Depth2);
            assert_eq!(file.header().input_code.seed, Some(5));
            assert_eq!(file.output().unwrap().mass.is_some(), centering);
            let samples = circuit_samples(&circuit, 400, 8);
            assert_round_trip(&net, &circuit, &file, &samples);
            // Gate 0 always on, and (an OR gate when there are some) the last one.
            for g in [0, 127] {
                assert_some_output_differs(&net, &always_on(&file, g), &samples);
            }
            let (ours, theirs) = (file.network().unwrap().resources(), Network::resources(&net));
            assert_eq!(
                (ours.neurons, ours.hidden_width, ours.parameters),
                (theirs.neurons, theirs.hidden_width, theirs.parameters)
            );
        }
        let (circuit, net) = depth2(0.5, true, (150, 150));
        for other in [Intermediate::Raw, Intermediate::Ideal] {
            let err = from_depth2(&net, &circuit, other, &info()).unwrap_err().to_string();
            assert!(err.contains("only the thresholded composition exports"), "{err}");
        }
        let fewer = Circuit::random(circuit.layer1().clone(), 100, 0.5, 4).unwrap();
        let err = from_depth2(&net, &fewer, Intermediate::Threshold, &info())
            .unwrap_err()
            .to_string();
        assert!(err.contains("built for another circuit"), "{err}");
    }

    #[test]
    fn a_non_permutation_map_is_stored_as_its_entries_and_real_maps_are_refused() {
        // Outputs 0 and 1 both read input 0: not a permutation.
        let rows = vec![vec![(0, 1.0)], vec![(0, 1.0)], vec![(2, 1.0)]];
        let map = LinearMap::from_rows(4, rows).unwrap();
        let stored = stored_map(&map);
        assert_eq!(
            stored,
            StoredInstance::Linear {
                inputs: 4,
                outputs: 3,
                entries: vec![(0, 0), (1, 0), (2, 2)]
            }
        );
        assert_eq!(linear_map(&stored).unwrap().unwrap(), map);
        let mut out = Vec::new();
        stored.true_outputs(&stored.tables(), &[0, 3], &mut Vec::new(), &mut out);
        assert_eq!(out, vec![0, 1]);
        let real = LinearMap::random_sparse(20, 20, 2, 1).unwrap();
        let net = LinearNetwork::build(&real, CodedParams::defaults(20, 40, 1)).unwrap();
        let err = from_linear(&net, &real, &info()).unwrap_err().to_string();
        assert!(err.contains("only a 0/1 map"), "{err}");
    }

    /// The file with its integer layer replaced by the f32 values numerator / D.
    fn in_f32(file: &NetworkFile) -> NetworkFile {
        let hidden = file.hidden().unwrap();
        let d = hidden.denominator.unwrap() as f64;
        let convert = |n: &Numbers| Numbers::F32((0..n.len()).map(|x| (n.get(x) / d) as f32).collect());
        let layer = Layer {
            weight: convert(&hidden.weight),
            bias: convert(&hidden.bias),
            mass: hidden.mass.as_ref().map(convert),
            denominator: None,
            ..hidden.clone()
        };
        let (input, output) = (file.input_code().clone(), file.output_code().clone());
        NetworkFile::new(file.header().clone(), input, output, (Some(layer), None), None).unwrap()
    }

    #[test]
    fn f32_weights_decide_as_the_integers_or_flag_the_sample() {
        let instance = And2Instance::random(300, 300, PairDistribution::Uniform, 7).unwrap();
        let samples = planted(&instance, 400, 13);
        // n_in = 256, t_in = 8: every weight is a dyadic rational, exact in f32 and in every f64
        // partial sum, so ẑ = z and only z = ½ exactly can be uncertain. At n_in = 260, t_in = 9
        // the weights round; a decision is then taken as the integers take it or flagged.
        for (width, t, dyadic) in [(256, 8, true), (260, 9, false)] {
            let mut params = And2Params::defaults(300, width, 5);
            (params.t_in, params.t_out) = (t, t);
            let net = And2Network::build(&instance, params).unwrap();
            let exact = from_and2(&net, &instance, &info()).unwrap();
            let float = in_f32(&exact);
            let float = NetworkFile::from_bytes(&float.to_bytes().unwrap())
                .unwrap()
                .network()
                .unwrap();
            let exact = exact.network().unwrap();
            let (mut a, mut b) = (FileScratch::default(), FileScratch::default());
            let (mut x, mut y) = (Vec::new(), Vec::new());
            let (mut flagged, mut at_threshold) = (0, 0);
            for s in 0..samples.len() {
                let e = exact.evaluate_exact(samples.sample(s), &mut a, &mut x);
                let f = float.evaluate_exact(samples.sample(s), &mut b, &mut y);
                assert_eq!(e.uncertain, 0);
                at_threshold += usize::from(e.margin == 0.0);
                flagged += usize::from(f.uncertain > 0);
                if f.uncertain == 0 {
                    assert_eq!(x, y, "sample {s}");
                }
                if dyadic {
                    assert_eq!(f.margin, e.margin, "sample {s}");
                    assert!(f.uncertain == 0 || e.margin == 0.0, "sample {s}: flagged without a tie");
                } else {
                    assert!(
                        (f.margin - e.margin).abs() < 1e-5,
                        "sample {s}: {} vs {}",
                        f.margin,
                        e.margin
                    );
                }
            }
            if dyadic {
                // With t_in even, neurons sit exactly at ½ in most samples; the f32 path cannot
                // tell a tie from rounding, so it flags the samples where a tie could flip an
                // output (failures for a check), never silently deciding them.
                assert!(
                    at_threshold > 0 && flagged > 0,
                    "{at_threshold} ties, {flagged} flagged"
                );
            } else {
                assert_eq!((at_threshold, flagged), (0, 0));
            }
        }
    }
}
