//! `cargo xtask train`: train a tied or free network on a random 2-AND instance with the
//! constructions' fixed codes (`superposition_core::train`), show the running loss, print the
//! exact failure on fresh samples of the written file's network (`FileNetwork`, as `check`
//! measures it), and write the file. Parameters are checked, and the memory of the weights, the
//! Adam state and the export estimated and refused over the budget, before anything is
//! allocated (in `Trainer::new`).

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use superposition_core::base::sample::InputDistribution;
use superposition_core::evaluate::network_check::measure;
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::train::{AdamW, Loss, LossConfig, TrainArchitecture, TrainConfig, TrainDistribution, Trainer};

use crate::export::{describe, provenance};
use crate::flags::{self, ArchitectureArg, LossArg, TrainDistributionArg};

/// Runs the command.
pub fn run(flags: flags::Train) -> Result<(), String> {
    let config = config(&flags)?;
    let inputs = flags.inputs.unwrap_or(flags.m_prime);
    let instance = And2Instance::random(inputs, flags.m_prime, PairDistribution::Uniform, flags.seed)
        .map_err(|e| e.to_string())?;
    let mut trainer = Trainer::new(instance, flags.width, config).map_err(|e| e.to_string())?;
    if flags.warm_start {
        trainer.warm_start_from_as2and().map_err(|e| e.to_string())?;
    }
    let bar = ProgressBar::new(flags.steps).with_style(
        ProgressStyle::with_template("train [{bar:30}] {pos}/{len} {elapsed} loss {msg}")
            .expect("template is valid")
            .progress_chars("=> "),
    );
    let start = Instant::now();
    let summary = trainer.train(|_, loss| {
        bar.inc(1);
        bar.set_message(format!("{loss:.4}"));
    });
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let samples = summary.steps as f64 * flags.batch as f64;
    println!(
        "trained {} steps × {} samples in {seconds:.1} s ({:.0} samples/s); loss {:.4} (mean of the last tenth)",
        summary.steps,
        flags.batch,
        samples / seconds.max(1e-9),
        summary.final_loss
    );
    let file = trainer.to_file(provenance(flags.seed)).map_err(|e| e.to_string())?;
    let network = file.network().map_err(|e| e.to_string())?;
    let stored = file.instance().ok_or("the trained file stores its instance")?;
    for distribution in [InputDistribution::Planted, InputDistribution::Uniform] {
        let check = measure(&network, stored, flags.k, distribution, flags.eval_samples, flags.seed)
            .map_err(|e| e.to_string())?;
        let f = check.failure;
        println!(
            "exact failure on {} fresh {} samples (through the file's network): {:.4} [{:.4}, {:.4}] ({}/{}), margin {:.3e}",
            f.samples,
            distribution.as_str(),
            f.rate,
            f.wilson_lo,
            f.wilson_hi,
            f.failures,
            f.samples,
            check.min_margin
        );
    }
    let bytes = file.to_bytes().map_err(|e| e.to_string())?;
    std::fs::write(&flags.out, &bytes).map_err(|e| format!("{}: {e}", flags.out.display()))?;
    println!("{}", describe(&flags.out, &file, bytes.len()));
    Ok(())
}

/// The training configuration from the flags, refusing flag combinations that do not fit.
fn config(flags: &flags::Train) -> Result<TrainConfig, String> {
    if flags.m_prime < 1 {
        return Err("--m-prime must be at least 1".into());
    }
    if flags.eval_samples == 0 {
        return Err("--eval-samples must be at least 1".into());
    }
    let architecture = match (flags.architecture, flags.hidden) {
        (ArchitectureArg::Tied, Some(_)) => {
            return Err("--hidden is the free hidden width: use it with --architecture free".into());
        }
        (ArchitectureArg::Tied, None) => TrainArchitecture::Tied,
        (ArchitectureArg::Free, hidden) => TrainArchitecture::Free {
            hidden: hidden.unwrap_or(flags.width),
        },
    };
    let loss = match flags.loss {
        LossArg::Hinge => Loss::Hinge { margin: flags.margin },
        LossArg::Logistic => Loss::Logistic { scale: flags.scale },
    };
    Ok(TrainConfig {
        architecture,
        k: flags.k,
        steps: flags.steps,
        batch: flags.batch,
        optimizer: AdamW {
            learning_rate: flags.lr.unwrap_or(match architecture {
                TrainArchitecture::Tied => 1e-2,
                TrainArchitecture::Free { .. } => 1e-3,
            }),
            weight_decay: flags.weight_decay,
            ..AdamW::default()
        },
        loss: LossConfig {
            loss,
            positive_weight: flags.positive_weight,
        },
        distribution: match flags.distribution {
            TrainDistributionArg::Planted => TrainDistribution::Planted,
            TrainDistributionArg::Uniform => TrainDistribution::Uniform,
            TrainDistributionArg::Mixed => TrainDistribution::Mixed,
        },
        seed: flags.seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use superposition_core::network::file::{Architecture, NetworkFile};

    fn flags(out: &std::path::Path) -> flags::Train {
        flags::Train {
            m_prime: 40,
            width: 48,
            hidden: None,
            architecture: ArchitectureArg::Free,
            steps: 5,
            batch: 16,
            lr: None,
            weight_decay: 0.0,
            loss: LossArg::Hinge,
            margin: 0.25,
            scale: 4.0,
            positive_weight: 1.0,
            seed: 2,
            distribution: TrainDistributionArg::Mixed,
            k: 4,
            inputs: None,
            eval_samples: 64,
            warm_start: false,
            out: out.to_path_buf(),
            threads: None,
        }
    }

    #[test]
    fn a_trained_file_is_written_and_bad_flags_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("trained.safetensors");
        run(flags(&out)).unwrap();
        let file = NetworkFile::read(&out).unwrap();
        assert_eq!(file.header().architecture, Architecture::Free);
        assert_eq!(file.hidden().map(|l| l.rows), Some(48));
        assert_eq!(file.header().training.as_ref().map(|t| t.steps), Some(5));
        let tied_hidden = flags::Train {
            architecture: ArchitectureArg::Tied,
            hidden: Some(8),
            ..flags(&out)
        };
        assert!(run(tied_hidden).unwrap_err().contains("--hidden"));
        let err = run(flags::Train {
            batch: 0,
            ..flags(&out)
        })
        .unwrap_err();
        assert!(err.contains("batch = 0"), "{err}");
        let err = run(flags::Train {
            width: 1 << 23,
            ..flags(&out)
        })
        .unwrap_err();
        assert!(err.contains("memory budget"), "{err}");
    }
}
