//! Training throughput (issue 12, item 5): one AdamW step of the trainer (batch drawn, forward,
//! backward, update) at m′ = 2¹² and 2¹⁴, tied (batch
//! 2048, lr 0.02) and free (n_h = n, batch 256, lr 10⁻³) as check `trained` trains them, k = 4,
//! mixed batches, hinge loss.
//!
//! Run with `cargo bench -p superposition-benches --bench train` (not run in CI). The widths are
//! AS-2AND's n* of the committed standard run (1735 at 2¹², 2990 at 2¹⁴). Throughput is in
//! samples. After the Rust cases, the same tied step in NumPy (`python/train_step.py`: dense
//! GEMMs for W·u and δ·uᵀ, AdamW in float32) is timed once per size if `python3` with numpy is
//! on the PATH (skipped otherwise), and the ratio to the Rust median of this run is printed.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use superposition_core::instance::{And2Instance, PairDistribution};
use superposition_core::train::{AdamW, LossConfig, TrainArchitecture, TrainConfig, TrainDistribution, Trainer};

/// (log₂ m′, AS-2AND's n* in the committed standard run).
const SIZES: [(u32, usize); 2] = [(12, 1735), (14, 2990)];

/// B, samples per step, of each architecture (check `trained`'s).
fn batch(architecture: TrainArchitecture) -> usize {
    match architecture {
        TrainArchitecture::Tied => 2048,
        TrainArchitecture::Free { .. } => 256,
    }
}

fn trainer(log_m: u32, width: usize, architecture: TrainArchitecture) -> Trainer {
    let m = 1usize << log_m;
    let instance = And2Instance::random(m, m, PairDistribution::Uniform, 1).expect("a valid instance");
    let learning_rate = match architecture {
        TrainArchitecture::Tied => 2e-2,
        TrainArchitecture::Free { .. } => 1e-3,
    };
    let config = TrainConfig {
        architecture,
        k: 4,
        steps: u64::MAX,
        batch: batch(architecture),
        optimizer: AdamW {
            learning_rate,
            ..AdamW::default()
        },
        loss: LossConfig::default(),
        distribution: TrainDistribution::Mixed,
        seed: 1,
    };
    Trainer::new(instance, width, config).expect("a trainable configuration")
}

/// Samples per second of the NumPy tied step, or why it was skipped.
fn numpy(log_m: u32, width: usize) -> Result<f64, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../python/train_step.py");
    let out = Command::new("python3")
        .args([
            script,
            "--m-prime",
            &(1u64 << log_m).to_string(),
            "--width",
            &width.to_string(),
        ])
        .args([
            "--batch",
            &batch(TrainArchitecture::Tied).to_string(),
            "--steps",
            "10",
            "--json",
        ])
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "skipped: {}",
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    v["samples_per_second"]
        .as_f64()
        .ok_or_else(|| "no samples_per_second".into())
}

fn train_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("train-step");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    let mut tied_rates = Vec::new();
    for (log_m, width) in SIZES {
        for (label, architecture) in [
            ("tied", TrainArchitecture::Tied),
            ("free", TrainArchitecture::Free { hidden: width }),
        ] {
            let mut t = trainer(log_m, width, architecture);
            let samples = batch(architecture);
            group.throughput(Throughput::Elements(samples as u64));
            // The median rate of this run, beside criterion's, for the NumPy ratio.
            let mut times = Vec::new();
            for _ in 0..5 {
                let start = Instant::now();
                black_box(t.step());
                times.push(start.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            let rate = samples as f64 / times[times.len() / 2];
            eprintln!("train-step {label} 2^{log_m} width {width}: {rate:.0} samples/s (median of 5 steps)");
            if label == "tied" {
                tied_rates.push((log_m, width, rate));
            }
            group.bench_function(BenchmarkId::new(label, format!("2^{log_m}")), |b| {
                b.iter(|| black_box(t.step()))
            });
        }
    }
    group.finish();
    for (log_m, width, rust) in tied_rates {
        match numpy(log_m, width) {
            Ok(py) => eprintln!(
                "tied step 2^{log_m}, width {width}: Rust {rust:.0} samples/s, NumPy {py:.0} samples/s, ratio {:.1}×",
                rust / py
            ),
            Err(why) => eprintln!("tied step 2^{log_m}: NumPy comparison skipped ({why})"),
        }
    }
}

criterion_group!(benches, train_step);
criterion_main!(benches);
