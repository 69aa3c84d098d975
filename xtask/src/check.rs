//! `cargo xtask check`: holds any network file against the bounds.
//!
//! Reads the file (docs/network-format.md; a bad file is an error, exit 2), measures its
//! failure on random planted and/or uniform k-sparse samples (and on a samples file when
//! given), runs the worst-case adversary where the network's rows are exactly additive, counts
//! its resources and sets it beside the bounds at its m′ and AS-2AND's n* from a verify-bounds
//! results file. Writes `check.json` (the [`NetworkCheck`]) and, from it alone, `README.md` and
//! the chart. Exit 0 when the failure rate is at most δ on every distribution measured, 1 when
//! not, 2 on an error.

use std::path::Path;

use superposition_core::base::sample::InputDistribution;
use superposition_core::evaluate::network_check::{self, CheckOptions, NetworkCheck, Reference};
use superposition_core::network::file::{NetworkFile, StoredInstance};
use superposition_core::results::RunResults;
use superposition_schema::checks::CheckDetail;

use crate::flags::{self, DistributionArg};

/// Runs the command; Ok(true) iff the network meets δ.
pub fn run(flags: flags::Check) -> Result<bool, String> {
    if !(flags.delta > 0.0 && flags.delta < 1.0) {
        return Err(format!("--delta {}: must be in (0, 1)", flags.delta));
    }
    if flags.samples == 0 {
        return Err("--samples 0: measure at least one sample per distribution".into());
    }
    let path = flags.network.display().to_string();
    // The reader's messages name the file.
    let file = NetworkFile::read(&flags.network).map_err(|e| e.to_string())?;
    let k = flags.k.unwrap_or(file.header().k);
    // Planted inputs plant 2-AND pairs, or a circuit's gates and layer-1 pairs.
    let pairs = matches!(
        file.instance(),
        Some(StoredInstance::Pairs(_) | StoredInstance::Circuit(_))
    );
    let distributions = match (flags.distribution, pairs) {
        (DistributionArg::Planted, _) => vec![InputDistribution::Planted],
        (DistributionArg::Uniform, _) | (DistributionArg::Both, false) => vec![InputDistribution::Uniform],
        (DistributionArg::Both, true) => vec![InputDistribution::Planted, InputDistribution::Uniform],
    };
    if flags.distribution == DistributionArg::Both && !pairs && file.instance().is_some() {
        println!(
            "check: the instance is neither 2-AND pairs nor a circuit, so only uniform inputs are measured (planted inputs plant pairs)"
        );
    }
    let options = CheckOptions {
        k,
        samples: flags.samples,
        distributions,
        seed: flags.seed,
        delta: flags.delta,
        targets: flags.targets,
        restarts: flags.restarts,
    };
    let permutation = matches!(
        file.instance(),
        Some(StoredInstance::Permutation(_) | StoredInstance::Linear { .. })
    );
    let reference = reference(&flags.reference, permutation)?;
    let mut result = network_check::check(&file, &path, &options, &reference).map_err(|e| format!("{path}: {e}"))?;
    if let Some(samples_path) = &flags.samples_file {
        let shown = samples_path.display().to_string();
        let samples = network_check::read_samples(samples_path, file.header().inputs).map_err(|e| e.to_string())?;
        let network = file.network().map_err(|e| format!("{path}: {e}"))?;
        let instance = file.instance().expect("check refuses a file without an instance");
        result.samples_file =
            Some(network_check::measure_samples(&network, instance, &samples, &shown).map_err(|e| e.to_string())?);
    }
    let json = crate::write_json(&flags.out, "check.json", &result)?;
    let written = superposition_report::render_network_check(&result, &flags.out).map_err(|e| e.to_string())?;
    print_summary(&result);
    println!("results: {}", json.display());
    println!("report: {}", written[0].display());
    Ok(result.meets_delta)
}

/// The project's construction for the file's kind of instance and its median n* per m′ from
/// a verify-bounds results file: AS-2AND (`and2-upper`) for 2-AND pairs and circuits (whose
/// first layer is AS-2AND), AS-PERM (`permutation`) for permutations and 0/1 maps. Nothing
/// (with a note) when the file does not exist.
fn reference(path: &Path, permutation: bool) -> Result<Reference, String> {
    let construction = if permutation { "AS-PERM" } else { "AS-2AND" };
    if !path.exists() {
        println!(
            "check: no reference results at {} ({construction}'s n* will not be beside the network)",
            path.display()
        );
        return Ok(Reference::default());
    }
    let results: RunResults = superposition_report::load_results(path).map_err(|e| e.to_string())?;
    let widths = results
        .checks
        .iter()
        .find_map(|c| match &c.detail {
            CheckDetail::And2Upper(d) if !permutation => {
                Some(d.constants.iter().map(|c| (c.m_prime, c.n_star)).collect::<Vec<_>>())
            }
            CheckDetail::Permutation(d) if permutation => {
                Some(d.sizes.iter().map(|s| (s.m_prime, s.n_star)).collect::<Vec<_>>())
            }
            _ => None,
        })
        .unwrap_or_default();
    Ok(Reference {
        path: Some(path.display().to_string()),
        construction: Some(construction.into()),
        widths,
    })
}

/// The verdict and the figures a reader wants first, on the terminal.
fn print_summary(c: &NetworkCheck) {
    println!(
        "check {}: {} architecture, m = {}, m′ = {}, k = {}, {}",
        c.network,
        c.architecture,
        c.inputs,
        c.outputs,
        c.k,
        if c.exact {
            "exact (integer weights)"
        } else {
            "f32 weights"
        }
    );
    for d in &c.distributions {
        println!(
            "  {} inputs: failure {}/{} = {:.4} [{:.4}, {:.4}]{}",
            d.inputs.as_str(),
            d.failure.failures,
            d.failure.samples,
            d.failure.rate,
            d.failure.wilson_lo,
            d.failure.wilson_hi,
            if d.uncertain_samples > 0 {
                format!(" ({} with an uncertain decision)", d.uncertain_samples)
            } else {
                String::new()
            }
        );
    }
    if let Some(f) = &c.samples_file {
        println!(
            "  samples file {}: {} of {} failed",
            f.path, f.failure.failures, f.failure.samples
        );
    }
    match (&c.adversary.counterexample, c.adversary.ran) {
        (Some(x), _) => println!(
            "  adversary: counterexample {:?} (outputs {:?} wrong)",
            x.active, x.wrong
        ),
        (None, true) => println!(
            "  adversary: nothing found over {} targets (a heuristic: no proof)",
            c.adversary.targets
        ),
        (None, false) => println!("  adversary: not run ({})", c.adversary.reason.as_deref().unwrap_or("")),
    }
    let b = &c.bounds;
    println!(
        "  resources: {} neurons ({} hidden), {} parameters, {} bits; neurons/bound {:.2}, bits/log₂#instances {:.2}{}",
        c.resources.neurons,
        c.resources.hidden_width,
        c.resources.parameters,
        c.stored_bits,
        b.neurons_over_bound,
        b.bits_over_instances,
        b.reference_n_star.map_or(String::new(), |n| format!(
            "; hidden/{} n* {:.2}",
            b.reference_construction.as_deref().unwrap_or("construction"),
            c.resources.hidden_width as f64 / n
        ))
    );
    println!(
        "check: {} δ = {}",
        if c.meets_delta { "meets" } else { "does NOT meet" },
        c.delta
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use superposition_core::and2::{And2Network, And2Params};
    use superposition_core::export::{ExportInfo, from_and2};
    use superposition_core::instance::{And2Instance, PairDistribution};

    fn flags(network: &Path, out: &Path) -> flags::Check {
        flags::Check {
            network: network.to_path_buf(),
            k: None,
            samples: 400,
            distribution: DistributionArg::Both,
            seed: 1,
            delta: 0.05,
            samples_file: None,
            targets: 8,
            restarts: 1,
            reference: out.join("no-reference.json"),
            out: out.to_path_buf(),
            threads: None,
        }
    }

    /// AS-2AND at 2¹⁰ (n* about 1000 there) written to `dir`.
    fn exported(dir: &Path, width: usize) -> std::path::PathBuf {
        let instance = And2Instance::random(1024, 1024, PairDistribution::Uniform, 2).unwrap();
        let net = And2Network::build(&instance, And2Params::defaults(1024, width, 3)).unwrap();
        let info = ExportInfo {
            k: 4,
            ..ExportInfo::default()
        };
        let path = dir.join(format!("as2and-{width}.safetensors"));
        from_and2(&net, &instance, &info).unwrap().write(&path).unwrap();
        path
    }

    #[test]
    fn the_exit_status_says_whether_the_network_meets_delta() {
        let dir = tempfile::tempdir().unwrap();
        let narrow = exported(dir.path(), 400);
        let out = dir.path().join("narrow");
        assert_eq!(run(flags(&narrow, &out)), Ok(false));
        let written: NetworkCheck =
            serde_json::from_str(&std::fs::read_to_string(out.join("check.json")).unwrap()).unwrap();
        assert!(!written.meets_delta && written.distributions.len() == 2);
        assert!(written.distributions.iter().any(|d| d.failure.rate > 0.05));
        let page = std::fs::read_to_string(out.join("README.md")).unwrap();
        assert!(
            page.contains("Does not meet δ") && page.contains("No reference run was read"),
            "{page}"
        );
        let wide = exported(dir.path(), 2000);
        assert_eq!(run(flags(&wide, &dir.path().join("wide"))), Ok(true));
    }

    #[test]
    fn a_depth_2_export_is_checked_on_circuit_samples() {
        let dir = tempfile::tempdir().unwrap();
        let export = |width: usize, name: &str| {
            let path = dir.path().join(name);
            crate::export::run(crate::flags::Export {
                construction: crate::flags::ConstructionArg::Depth2,
                m_prime: 64,
                width,
                t: None,
                tau: 0.5,
                fire: 0.5,
                uncentered: false,
                input_width: None,
                inputs: None,
                instance: None,
                seed: 2,
                k: 4,
                layer2_width: Some(width),
                circuit: Some(crate::flags::CircuitArg::AndOr),
                out: path.clone(),
            })
            .unwrap();
            path
        };
        let narrow = export(60, "narrow.safetensors");
        let out = dir.path().join("narrow");
        assert_eq!(run(flags(&narrow, &out)), Ok(false));
        let written: NetworkCheck =
            serde_json::from_str(&std::fs::read_to_string(out.join("check.json")).unwrap()).unwrap();
        assert_eq!(
            (written.architecture.as_str(), written.instance.as_str()),
            ("depth2", "circuit")
        );
        // Planted (circuit samples) and uniform both measured; the adversary says why it did not run.
        assert_eq!(written.distributions.len(), 2);
        assert!(written.adversary.reason.as_deref().unwrap_or("").contains("depth2"));
        let page = std::fs::read_to_string(out.join("README.md")).unwrap();
        assert!(
            page.contains("For a depth-2 circuit the outputs are its gates"),
            "{page}"
        );
        let wide = export(1500, "wide.safetensors");
        assert_eq!(run(flags(&wide, &dir.path().join("wide"))), Ok(true));
    }

    #[test]
    fn bad_arguments_and_files_are_errors_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let network = exported(dir.path(), 400);
        let mut f = flags(&network, dir.path());
        f.delta = 1.5;
        assert!(run(f).unwrap_err().contains("--delta 1.5"));
        let mut f = flags(&network, dir.path());
        f.k = Some(5000);
        let err = run(f).unwrap_err();
        assert!(err.contains("k = 5000") || err.contains("k ="), "{err}");
        let junk = dir.path().join("junk.safetensors");
        std::fs::write(&junk, b"not a network").unwrap();
        let err = run(flags(&junk, dir.path())).unwrap_err();
        assert!(
            err.contains("junk.safetensors") && err.contains("not a safetensors file"),
            "{err}"
        );
        let mut f = flags(&network, dir.path());
        f.out = network.join("cannot-be-a-directory");
        assert!(run(f).unwrap_err().contains("pass a writable --out"));
    }
}
