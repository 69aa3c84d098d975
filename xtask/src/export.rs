//! `cargo xtask export`: build a construction (AS-2AND, the input channel, AS-PERM, depth-2) on a
//! random or given instance and write it as a network file (docs/network-format.md), printing what
//! was written. Parameters are checked, and the memory the build and the export need is
//! estimated and refused over the budget, before anything is built.

use std::path::Path;
use std::sync::Arc;

use superposition_core::and2::{And2Network, And2Params};
use superposition_core::channel::{ChannelNetwork, ChannelParams, ChannelPlan};
use superposition_core::depth2::{Circuit, Depth2Network, Intermediate, Layer2Params};
use superposition_core::export::{self, ExportInfo};
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::linear::{LinearMap, LinearNetwork, LinearParams};
use superposition_core::memory;
use superposition_core::network::file::{NetworkFile, Numbers, Provenance};
use superposition_core::rng::derive_seed;

use crate::flags::{self, CircuitArg, ConstructionArg};

/// Runs the command.
pub fn run(flags: flags::Export) -> Result<(), String> {
    let file = build(&flags).map_err(|e| e.to_string())?;
    let bytes = file.to_bytes().map_err(|e| e.to_string())?;
    std::fs::write(&flags.out, &bytes).map_err(|e| format!("{}: {e}", flags.out.display()))?;
    println!("{}", describe(&flags.out, &file, bytes.len()));
    Ok(())
}

/// The provenance every written file records.
pub fn provenance(seed: u64) -> Provenance {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let commit = crate::git_describe();
    Provenance {
        command: Some(format!("cargo xtask {}", args.join(" "))),
        seed: Some(seed),
        crate_version: Some(env!("CARGO_PKG_VERSION").into()),
        git_commit: (commit != "unknown").then_some(commit),
    }
}

/// One line per thing written: path, architecture, shapes, dtype, bytes.
pub fn describe(path: &Path, file: &NetworkFile, bytes: usize) -> String {
    let h = file.header();
    let mut text = format!(
        "wrote {}: {} bytes, superposition-network/1, architecture {:?}{}\n  m = {} inputs, m′ = {} outputs, k = {}\n  \
         input code {} × t_in = {} (width {}), output code {} × t_out = {} (width {})",
        path.display(),
        bytes,
        h.architecture,
        h.construction.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
        h.inputs,
        h.outputs,
        h.k,
        h.inputs,
        h.input_code.t,
        h.input_code.width,
        h.outputs,
        h.output_code.t,
        h.output_code.width,
    );
    for (name, layer) in [("hidden", file.hidden()), (file.second_layer_name(), file.output())] {
        let Some(layer) = layer else { continue };
        let dtype = match (&layer.weight, layer.denominator) {
            (Numbers::I32(_), Some(d)) => format!("I32 numerators over D = {d}"),
            (Numbers::I64(_), Some(d)) => format!("I64 numerators over D = {d}"),
            _ => "F32".into(),
        };
        let mass = if layer.mass.is_some() { " + mass" } else { "" };
        text.push_str(&format!("\n  {name}: {} × {}{mass}, {dtype}", layer.rows, layer.cols));
    }
    if let Some(kind) = h.instance {
        text.push_str(&format!("\n  instance: {kind:?}"));
    }
    text
}

/// Refuses what no construction can build, before building.
fn check(flags: &flags::Export) -> Result<(), String> {
    if flags.m_prime == 0 {
        return Err("--m-prime must be at least 1".into());
    }
    if flags.width == 0 || flags.input_width == Some(0) {
        return Err("--width and --input-width must be at least 1".into());
    }
    if flags.k == 0 {
        return Err("--k must be at least 1".into());
    }
    let coded = matches!(flags.construction, ConstructionArg::As2And | ConstructionArg::AsPerm);
    if !coded && (flags.fire != 0.5 || flags.uncentered) {
        return Err("--fire and --uncentered are flags of as-2and (and --uncentered of as-perm)".into());
    }
    if flags.construction != ConstructionArg::Depth2 && (flags.layer2_width.is_some() || flags.circuit.is_some()) {
        return Err("--layer2-width and --circuit are depth-2 flags (--construction depth-2)".into());
    }
    match flags.construction {
        ConstructionArg::Depth2 if flags.layer2_width == Some(0) => Err("--layer2-width must be at least 1".into()),
        ConstructionArg::AsPerm if flags.instance.is_some() => Err(
            "--instance takes a 2-AND instance (as-2and, channel); as-perm draws its permutation from --seed".into(),
        ),
        ConstructionArg::AsPerm if flags.inputs.is_some_and(|m| m != flags.m_prime) => {
            Err("a permutation has as many inputs as outputs: drop --inputs or set it to --m-prime".into())
        }
        _ => Ok(()),
    }
}

/// The 2-AND instance: read from --instance (its pairs must number --m-prime), or random.
fn instance(flags: &flags::Export) -> Result<And2Instance, String> {
    match &flags.instance {
        Some(path) => {
            let instance = And2Instance::from_json_file(path).map_err(|e| e.to_string())?;
            if instance.outputs() != flags.m_prime {
                return Err(format!(
                    "{} has {} pairs but --m-prime is {}",
                    path.display(),
                    instance.outputs(),
                    flags.m_prime
                ));
            }
            if flags.inputs.is_some_and(|m| m != instance.inputs()) {
                return Err(format!(
                    "{} has {} inputs but --inputs is {}",
                    path.display(),
                    instance.inputs(),
                    flags.inputs.unwrap_or_default()
                ));
            }
            Ok(instance)
        }
        None => And2Instance::random(
            flags.inputs.unwrap_or(flags.m_prime.max(2)),
            flags.m_prime,
            PairDistribution::Uniform,
            flags.seed,
        )
        .map_err(|e| e.to_string()),
    }
}

/// The coded-layer parameters of AS-2AND and AS-PERM from the flags.
fn coded(flags: &flags::Export) -> And2Params {
    let mut params = And2Params::defaults(flags.m_prime, flags.width, flags.seed);
    params.input_width = flags.input_width.unwrap_or(flags.width);
    if let Some(t) = flags.t {
        (params.t_in, params.t_out) = (t, t);
    }
    params.tau = flags.tau;
    params.fire = flags.fire;
    params.centering = !flags.uncentered;
    params
}

/// Refuses, before building, a build plus export over the memory budget.
fn check_memory(what: &str, build: u64, rows: usize, cols: usize) -> Result<(), String> {
    memory::check(
        || format!("building and exporting {what} ({rows} × {cols})"),
        build.saturating_add(export::estimate_bytes(rows, cols)),
    )
    .map_err(|e| e.to_string())
}

fn build(flags: &flags::Export) -> Result<NetworkFile, String> {
    check(flags)?;
    let info = ExportInfo {
        k: flags.k,
        provenance: provenance(flags.seed),
    };
    let err = |e: superposition_core::Error| e.to_string();
    match flags.construction {
        ConstructionArg::As2And => {
            let instance = instance(flags)?;
            let params = coded(flags);
            let build = And2Network::estimate_bytes(instance.inputs(), instance.outputs(), &params);
            check_memory("an AS-2AND network", build, params.hidden_width, params.input_width)?;
            let net = And2Network::build(&instance, params).map_err(err)?;
            export::from_and2(&net, &instance, &info).map_err(err)
        }
        ConstructionArg::Channel => {
            let instance = instance(flags)?;
            let mut params = ChannelParams::defaults(flags.m_prime, flags.width, flags.seed);
            params.input_width = flags.input_width.unwrap_or(flags.width);
            params.t = flags.t.unwrap_or(params.t);
            params.tau = flags.tau;
            let shared = params.shared_params(params.total_hidden);
            let build = And2Network::estimate_bytes(instance.inputs(), instance.outputs(), &shared);
            check_memory(
                "an input-channel network",
                build,
                params.total_hidden,
                params.input_width,
            )?;
            let plan = ChannelPlan::new(&instance, params.theta);
            let net = ChannelNetwork::build(&instance, &plan, params).map_err(err)?;
            export::from_channel(&net, &instance, &info).map_err(err)
        }
        ConstructionArg::AsPerm => {
            let map = LinearMap::permutation(flags.m_prime, flags.seed).map_err(err)?;
            let params: LinearParams = coded(flags);
            let build = LinearNetwork::estimate_bytes(&map, &params);
            check_memory("an AS-PERM network", build, params.hidden_width, params.input_width)?;
            let net = LinearNetwork::build(&map, params).map_err(err)?;
            export::from_linear(&net, &map, &info).map_err(err)
        }
        ConstructionArg::Depth2 => depth2(flags, &info),
    }
}

/// The depth-2 network as check depth-2 builds it: layer 1 AS-2AND on the instance (--width,
/// --t), the circuit of m′ random gates over its outputs (stream "depth2-circuit" of --seed),
/// layer 2 at --layer2-width with its defaults (codes from stream "depth2-layer2", τ = --tau).
fn depth2(flags: &flags::Export, info: &ExportInfo) -> Result<NetworkFile, String> {
    let err = |e: superposition_core::Error| e.to_string();
    let instance = instance(flags)?;
    let or_fraction = match flags.circuit.unwrap_or(CircuitArg::FourAnd) {
        CircuitArg::FourAnd => 0.0,
        CircuitArg::AndOr => 0.5,
    };
    let circuit_seed = derive_seed(flags.seed, "depth2-circuit", 0);
    let circuit = Circuit::random(instance.clone(), flags.m_prime, or_fraction, circuit_seed).map_err(err)?;
    let params = coded(flags);
    let width2 = flags.layer2_width.unwrap_or(flags.width);
    let build = And2Network::estimate_bytes(instance.inputs(), instance.outputs(), &params)
        .saturating_add(export::estimate_bytes(width2, params.hidden_width));
    check_memory("a depth-2 network", build, params.hidden_width, params.input_width)?;
    let layer1 = Arc::new(And2Network::build(&instance, params).map_err(err)?);
    let mut layer2 = Layer2Params::defaults(flags.m_prime, width2, derive_seed(flags.seed, "depth2-layer2", 0));
    layer2.tau = flags.tau;
    let net = Depth2Network::build(&circuit, layer1, layer2).map_err(err)?;
    export::from_depth2(&net, &circuit, Intermediate::Threshold, info).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use superposition_core::network::Network;

    fn flags(construction: ConstructionArg, out: &Path) -> flags::Export {
        flags::Export {
            construction,
            m_prime: 40,
            width: 80,
            t: None,
            tau: 0.5,
            fire: 0.5,
            uncentered: false,
            input_width: None,
            inputs: None,
            instance: None,
            seed: 3,
            k: 4,
            layer2_width: None,
            circuit: None,
            out: out.to_path_buf(),
        }
    }

    #[test]
    fn every_construction_exports_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        for construction in [
            ConstructionArg::As2And,
            ConstructionArg::Channel,
            ConstructionArg::AsPerm,
            ConstructionArg::Depth2,
        ] {
            let out = dir.path().join("net.safetensors");
            run(flags(construction, &out)).unwrap();
            let file = NetworkFile::read(&out).unwrap();
            assert_eq!((file.header().outputs, file.header().k), (40, 4));
            assert_eq!(file.header().provenance.seed, Some(3));
            assert_eq!(file.network().unwrap().outputs(), 40);
        }
    }

    #[test]
    fn depth_2_exports_its_circuit_at_both_widths() {
        use superposition_core::network::file::{Architecture, StoredInstance};
        let dir = tempfile::tempdir().unwrap();
        for (circuit, ors) in [(None, false), (Some(CircuitArg::AndOr), true)] {
            let out = dir.path().join("depth2.safetensors");
            let mut f = flags(ConstructionArg::Depth2, &out);
            (f.width, f.layer2_width, f.circuit) = (90, Some(70), circuit);
            run(f).unwrap();
            let file = NetworkFile::read(&out).unwrap();
            assert_eq!(file.header().architecture, Architecture::Depth2);
            assert_eq!((file.hidden().unwrap().rows, file.output().unwrap().rows), (90, 70));
            let Some(StoredInstance::Circuit(c)) = file.instance() else {
                panic!("a depth-2 file stores its circuit")
            };
            assert_eq!((c.outputs(), c.layer1().outputs(), c.or_gates() > 0), (40, 40, ors));
            let text = describe(&out, &file, 0);
            assert!(text.contains("layer2: 70 × 90") && text.contains("Circuit"), "{text}");
        }
    }

    #[test]
    fn a_given_instance_is_the_one_exported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instance.json");
        let given = And2Instance::new(10, vec![(0, 1), (2, 3), (4, 9)]).unwrap();
        given.to_json_file(&path).unwrap();
        let out = dir.path().join("net.safetensors");
        let mut f = flags(ConstructionArg::As2And, &out);
        (f.m_prime, f.width, f.instance) = (3, 30, Some(path));
        run(f).unwrap();
        let read = NetworkFile::read(&out).unwrap();
        assert_eq!(
            read.instance(),
            Some(&superposition_core::network::file::StoredInstance::Pairs(given))
        );
    }

    #[test]
    fn bad_parameters_are_refused_with_their_reason() {
        let out = Path::new("/nonexistent/never-written.safetensors");
        let err = |f: flags::Export| run(f).unwrap_err();
        let mut f = flags(ConstructionArg::As2And, out);
        f.circuit = Some(CircuitArg::AndOr);
        assert!(err(f).contains("--layer2-width and --circuit are depth-2 flags"));
        let mut f = flags(ConstructionArg::Depth2, out);
        f.layer2_width = Some(0);
        assert!(err(f).contains("--layer2-width must be at least 1"));
        let mut f = flags(ConstructionArg::Depth2, out);
        f.layer2_width = Some(5);
        assert!(err(f).contains("pools"), "two pools of t_out₂ neurons do not fit in 5");
        let mut f = flags(ConstructionArg::As2And, out);
        f.m_prime = 0;
        assert!(err(f).contains("--m-prime"));
        let mut f = flags(ConstructionArg::As2And, out);
        f.t = Some(500);
        assert!(err(f).contains("t_in"));
        let mut f = flags(ConstructionArg::As2And, out);
        f.tau = 1.5;
        assert!(err(f).contains("tau"));
        let mut f = flags(ConstructionArg::As2And, out);
        f.fire = 0.3;
        assert!(err(f).contains("1/16"));
        let mut f = flags(ConstructionArg::AsPerm, out);
        f.fire = 1.0;
        assert!(err(f).contains("only AS-2AND"));
        let mut f = flags(ConstructionArg::Channel, out);
        f.uncentered = true;
        assert!(err(f).contains("--uncentered"));
        let mut f = flags(ConstructionArg::AsPerm, out);
        f.instance = Some("x.json".into());
        assert!(err(f).contains("--instance takes a 2-AND instance"));
        let mut f = flags(ConstructionArg::As2And, out);
        (f.m_prime, f.width) = (1 << 20, 1 << 22);
        assert!(err(f).contains("memory budget"));
        // A valid network that cannot be written names the path.
        assert!(err(flags(ConstructionArg::As2And, out)).contains("never-written"));
    }
}
