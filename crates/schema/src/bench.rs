//! The results file of `cargo xtask bench-compare`: `results/bench-compare.json`.
//!
//! One [`Comparison`] per run: a [`Measurement`] per m′ (the sublinear Rust verification of
//! AS-2AND, the naive dense faer path and the NumPy/SciPy baseline, timed on the same samples)
//! and the [`Machine`] they ran on. `superposition-benches` measures and writes it;
//! `superposition-report` renders `reports/performance.md` from it alone.

use serde::{Deserialize, Serialize};

/// One measured size: the fields the issue asks for, then detail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    /// m′.
    pub m_prime: u64,
    /// Samples all three paths evaluated, with equal failure counts.
    pub samples: u64,
    /// Verified outputs per second of the Rust sublinear path (samples·m′/s).
    pub rust_outputs_per_s: f64,
    /// Same figure for NumPy/SciPy (null when it could not run).
    pub numpy_outputs_per_s: Option<f64>,
    /// rust / numpy.
    pub ratio_vs_numpy: Option<f64>,
    /// Same figure for the dense faer path (null when it does not fit).
    pub dense_outputs_per_s: Option<f64>,
    /// rust / dense.
    pub ratio_vs_dense: Option<f64>,
    /// The dense path's GEMM GFLOP/s divided by the large-GEMM figure of the same run.
    pub dense_gemm_fraction: Option<f64>,
    /// Hidden = input width.
    pub width: usize,
    /// t_in = t_out.
    pub t: usize,
    /// Failures among `samples` (equal on every path that ran).
    pub failures: u64,
    /// Seconds to build the network.
    pub build_seconds: f64,
    /// Rust samples per second.
    pub rust_samples_per_s: f64,
    /// Samples the Rust timing evaluated in all.
    pub rust_timed_samples: u64,
    /// NumPy samples per second.
    pub numpy_samples_per_s: Option<f64>,
    /// NumPy's loading and matrix preparation, seconds (not in its rate).
    pub numpy_setup_seconds: Option<f64>,
    /// Samples the dense path evaluated (a prefix of `samples`).
    pub dense_samples: Option<u64>,
    /// Dense samples per second.
    pub dense_samples_per_s: Option<f64>,
    /// GFLOP/s of the dense path's forward passes (GEMM + bias/ReLU, GEMM FLOPs counted).
    pub dense_gemm_gflops: Option<f64>,
    /// Share of the dense path's time spent in the forward passes.
    pub dense_forward_share: Option<f64>,
    /// Mean bytes the sublinear path reads per sample from the network's large tables
    /// (weight columns, decoder index, candidate codes; `And2Network::memory_traffic`).
    #[serde(default)]
    pub rust_bytes_per_sample: Option<f64>,
    /// That traffic at the measured rate, GB/s.
    #[serde(default)]
    pub rust_bandwidth_gbs: Option<f64>,
    /// `rust_bandwidth_gbs` over the measured peak read bandwidth.
    #[serde(default)]
    pub bandwidth_fraction: Option<f64>,
    /// Why a path is missing, or other remarks.
    pub notes: Vec<String>,
}

/// The machine and its theoretical f32 peak.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name from /proc/cpuinfo.
    pub model: String,
    /// Physical cores available.
    pub cores: usize,
    /// Logical CPUs the run could use.
    pub threads: usize,
    /// Clock from /proc/cpuinfo ("cpu MHz" of the first CPU), MHz.
    pub mhz: f64,
    /// Widest f32 SIMD found in the flags.
    pub simd: String,
    /// f32 FLOPs per cycle per core assumed for that SIMD.
    pub flops_per_cycle: f64,
    /// cores × GHz × FLOPs/cycle.
    pub theoretical_peak_gflops: f64,
    /// How the figure was derived.
    pub derivation: String,
    /// Clock the measured GEMM implies at the assumed FLOPs/cycle: peak / (cores × FLOPs/cycle),
    /// GHz. Above `mhz` when the cores boost beyond the reported clock.
    pub implied_ghz: f64,
    /// /proc/loadavg at the start of the run.
    pub loadavg_start: String,
    /// /proc/loadavg at the end of the run.
    pub loadavg_end: String,
}

/// The results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// One record per m′.
    pub records: Vec<Measurement>,
    /// faer f32 GEMM of a large square matrix, GFLOP/s, measured in this run.
    pub peak_gemm_gflops: f64,
    /// Side of that matrix.
    pub peak_gemm_side: usize,
    /// Read bandwidth of a parallel sum over a large array, GB/s (the sparse path's practical
    /// peak; absent in results written before it was measured).
    #[serde(default)]
    pub peak_read_gbs: Option<f64>,
    /// The machine.
    pub machine: Machine,
    /// Whether `--quick` was given.
    pub quick: bool,
    /// Master seed.
    pub seed: u64,
    /// k.
    pub k: usize,
    /// numpy and scipy versions, or null.
    pub numpy: Option<String>,
    /// Whether this run installed numpy/scipy with pip.
    pub numpy_installed: bool,
    /// Why NumPy did not run, if it did not.
    pub numpy_unavailable: Option<String>,
    /// `git describe` of the tree.
    pub git: String,
    /// Wall time of the whole comparison, seconds.
    pub seconds: f64,
}

impl Comparison {
    /// The peak the measured GEMM is compared with, and whether it is the measured figure: the
    /// theoretical f32 peak at the reported clock, unless the measured GEMM exceeds it (the
    /// cores boost above the clock /proc/cpuinfo reports), in which case the reported clock is
    /// no peak and the measured GEMM itself is the best peak known. A fraction of it never
    /// exceeds 100 %.
    pub fn reference_peak(&self) -> (f64, bool) {
        let nominal = self.machine.theoretical_peak_gflops;
        if self.peak_gemm_gflops > nominal {
            (self.peak_gemm_gflops, true)
        } else {
            (nominal, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement() -> Measurement {
        Measurement {
            m_prime: 1 << 12,
            samples: 8,
            rust_outputs_per_s: 1.0,
            numpy_outputs_per_s: None,
            ratio_vs_numpy: None,
            dense_outputs_per_s: None,
            ratio_vs_dense: None,
            dense_gemm_fraction: None,
            width: 64,
            t: 12,
            failures: 0,
            build_seconds: 0.0,
            rust_samples_per_s: 1.0,
            rust_timed_samples: 8,
            numpy_samples_per_s: None,
            numpy_setup_seconds: None,
            dense_samples: None,
            dense_samples_per_s: None,
            dense_gemm_gflops: None,
            dense_forward_share: None,
            rust_bytes_per_sample: Some(3.0),
            rust_bandwidth_gbs: Some(4.0),
            bandwidth_fraction: Some(0.5),
            notes: vec!["a note".into()],
        }
    }

    fn comparison() -> Comparison {
        Comparison {
            records: vec![measurement()],
            peak_gemm_gflops: 2.0,
            peak_gemm_side: 16,
            peak_read_gbs: Some(8.0),
            machine: Machine {
                model: "cpu".into(),
                cores: 1,
                threads: 1,
                mhz: 1000.0,
                simd: "SSE".into(),
                flops_per_cycle: 8.0,
                theoretical_peak_gflops: 8.0,
                derivation: "1 core".into(),
                implied_ghz: 0.25,
                loadavg_start: "0 0 0".into(),
                loadavg_end: "0 0 0".into(),
            },
            quick: true,
            seed: 1,
            k: 4,
            numpy: None,
            numpy_installed: false,
            numpy_unavailable: Some("no python".into()),
            git: "g".into(),
            seconds: 1.0,
        }
    }

    #[test]
    fn round_trips_through_json() {
        let c = comparison();
        let text = serde_json::to_string_pretty(&c).expect("serializes");
        let back: Comparison = serde_json::from_str(&text).expect("parses");
        assert_eq!(serde_json::to_string_pretty(&back).expect("serializes"), text);
    }

    /// Results written before the bandwidth figures existed still load, with those figures absent.
    #[test]
    fn results_without_bandwidth_fields_load() {
        let mut value = serde_json::to_value(comparison()).expect("serializes");
        value.as_object_mut().expect("object").remove("peak_read_gbs");
        let record = value["records"][0].as_object_mut().expect("object");
        for key in ["rust_bytes_per_sample", "rust_bandwidth_gbs", "bandwidth_fraction"] {
            record.remove(key);
        }
        let c: Comparison = serde_json::from_value(value).expect("old results parse");
        assert_eq!(c.peak_read_gbs, None);
        let r = &c.records[0];
        assert_eq!(
            (r.rust_bytes_per_sample, r.rust_bandwidth_gbs, r.bandwidth_fraction),
            (None, None, None)
        );
    }
}
