//! Rendering tests on synthetic results generated in code (not a copied run).

use std::path::Path;

use serde_json::json;
use superposition_schema::checks::exhaustive::{ExhaustiveRow, Readout};
use superposition_schema::checks::{CheckDetail, CheckId};
use superposition_schema::chernoff::FailureBound;
use superposition_schema::results::{
    CheckResult, FailureRate, LineFit, Record, RepresentationCode, Resources, RunConfig, RunResults, Status,
};

use super::*;
use crate::figures::STEMS;
use crate::stats::{median, wilson};

/// Deterministic noise in [-1, 1) from (a, b) via splitmix64, so the synthetic run needs
/// no RNG crate.
fn noise(a: u64, b: u64) -> f64 {
    let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// Least-squares line through `pts` with a fake ±0.03 "bootstrap" interval.
fn line_fit(pts: &[(f64, f64)]) -> LineFit {
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let ss_res: f64 = pts.iter().map(|p| (p.1 - intercept - slope * p.0).powi(2)).sum();
    let ss_tot: f64 = pts.iter().map(|p| (p.1 - my).powi(2)).sum();
    LineFit {
        slope,
        intercept,
        r2: 1.0 - ss_res / ss_tot,
        slope_lo: slope - 0.03,
        slope_hi: slope + 0.03,
    }
}

fn rate(failures: u64, samples: u64) -> FailureRate {
    let (wilson_lo, wilson_hi) = wilson(failures, samples);
    FailureRate {
        samples,
        failures,
        rate: failures as f64 / samples as f64,
        wilson_lo,
        wilson_hi,
    }
}

fn resources(n: usize, m_prime: u64) -> Resources {
    let lg = (m_prime as f64).log2();
    let parameters = (0.6 * m_prime as f64 * lg * lg) as u64 + n as u64;
    Resources {
        input_width: n,
        hidden_width: n,
        extra_neurons: 1,
        neurons: 2 * n + 1,
        parameters,
        parameter_bits: 5 * parameters,
        weight_max: 4,
        weight_denominator: lg as u64,
    }
}

/// A synthetic run: 2-AND at the given log₂ m′, representation at m = 2⁸…2²⁰, `seeds`
/// seeds, all four checks plus one check this crate has no figure for. `sweep_failures`
/// scales the failure of the sweep probes (0 gives an all-zero sweep).
fn synthetic(and2_log2: &[u32], seeds: u64, sweep_failures: f64) -> RunResults {
    let delta: f64 = 0.05;
    let k = 4;
    let mut records = Vec::new();
    let mut medians = Vec::new();
    let mut constants = Vec::new();
    for &e in and2_log2 {
        let m_prime = 1u64 << e;
        let mf = m_prime as f64;
        let m = m_prime / 2;
        let base = 5.0 * mf.sqrt() * mf.log2().powf(0.8);
        let mut widths = Vec::new();
        let mut params = Vec::new();
        for seed in 0..seeds {
            let n = (base * (1.0 + 0.08 * noise(m_prime, seed))).round() as usize;
            let res = resources(n, m_prime);
            widths.push(n as f64);
            params.push(res.parameters as f64);
            records.push(Record::And2MinWidth {
                m_prime,
                m,
                seed,
                centering: true,
                resources: res,
                failure: rate(7, 200),
                validation: None,
            });
            records.push(Record::And2Probe {
                purpose: "search".into(),
                m_prime,
                m,
                seed,
                t_in: e as usize,
                t_out: e as usize,
                centering: true,
                resources: resources(n / 2, m_prime),
                failure: rate(150, 200),
            });
            for step in 0..9 {
                let w = (base * (0.6 + 0.1 * f64::from(step))).round() as usize;
                let logistic = 1.0 / (1.0 + ((w as f64 - base) / (0.07 * base)).exp());
                let failures = (200.0 * sweep_failures * logistic).round() as u64;
                records.push(Record::And2Probe {
                    purpose: "sweep".into(),
                    m_prime,
                    m,
                    seed,
                    t_in: e as usize,
                    t_out: e as usize,
                    centering: true,
                    resources: resources(w, m_prime),
                    failure: rate(failures, 200),
                });
            }
            let bits = 5 * resources(n, m_prime).parameters;
            let log2_instances = mf * ((m as f64 * (m as f64 - 1.0) / 2.0).log2() - mf.log2() + 1.44);
            records.push(Record::LowerSanity {
                network: "as-2and".into(),
                m_prime,
                m,
                seed,
                parameter_bits: bits,
                log2_instances,
                neurons: 2 * n + 1,
                neuron_bound: (log2_instances / 5.0).sqrt(),
            });
        }
        let n_star = median(&widths).expect("seeds > 0");
        let p_star = median(&params).expect("seeds > 0");
        medians.push((mf, n_star));
        constants.push(json!({
            "m_prime": m_prime, "n_star": n_star, "n_min": n_star, "n_max": n_star,
            "c_upper": n_star / (mf.sqrt() * mf.log2()), "c_lower": n_star / (mf * mf.log2()).sqrt(),
            "p_star": p_star, "c_params": p_star / (mf * mf.log2().powi(2)),
        }));
    }
    let mut d_medians = Vec::new();
    for e in (8..=20).step_by(2) {
        let m = 1u64 << e;
        let mut ds = Vec::new();
        for seed in 0..seeds {
            let d = (0.9 * 1.44 * k as f64 * (f64::from(e) - delta.log2()) * (1.0 + 0.05 * noise(m, seed + 99))).round()
                as usize;
            ds.push(d as f64);
            records.push(Record::RepresentationMinWidth {
                m,
                seed,
                width: d,
                t: d / 6,
                failure: rate(3, 200),
                code: RepresentationCode::Bloom,
            });
            records.push(Record::RepresentationProbe {
                m,
                seed,
                width: d - 4,
                t: d / 6,
                failure: rate(40, 200),
                code: RepresentationCode::Bloom,
            });
        }
        d_medians.push((m, median(&ds).expect("seeds > 0")));
    }

    let fit_of = |pts: &[(f64, f64)]| (pts.len() >= 2).then(|| line_fit(pts));
    let log_pts: Vec<(f64, f64)> = medians.iter().map(|p| (p.0.ln(), p.1.ln())).collect();
    let rep_pts: Vec<(f64, f64)> = d_medians.iter().map(|p| ((p.0 as f64).log2(), p.1)).collect();
    let ratios: Vec<f64> = rep_pts.iter().map(|p| p.1 / p.0).collect();
    let gap_points: Vec<serde_json::Value> = medians
        .iter()
        .filter_map(|&(m, n)| {
            let d = d_medians.iter().find(|p| p.0 as f64 == m)?.1;
            Some(json!({"m_prime": m as u64, "n_star": n, "d_star": d, "ratio": n / d}))
        })
        .collect();
    let gap_log: Vec<(f64, f64)> = gap_points
        .iter()
        .map(|p| {
            let (m, n, d) = (p["m_prime"].as_f64(), p["n_star"].as_f64(), p["d_star"].as_f64());
            let (m, n, d) = (m.expect("m"), n.expect("n"), d.expect("d"));
            (m.ln(), (n / d).ln())
        })
        .collect();
    let and2_fit = fit_of(&log_pts);
    let check = |id: &str, status, measured: String, detail| CheckResult {
        detail: typed(id, detail),
        status,
        measured,
        theory: "see report".into(),
        seconds: 1.25,
    };
    let checks = vec![
        check(
            "representation",
            Status::Pass,
            "d*/log₂ m in [3.9, 4.4] | flat".into(),
            json!({
                "fit": fit_of(&rep_pts), "ratio_min": ratios.iter().copied().fold(f64::INFINITY, f64::min),
                "ratio_max": ratios.iter().copied().fold(0.0, f64::max), "delta": delta,
                "ratio_first": ratios[0], "ratio_last": ratios[ratios.len() - 1], "k": 4, "gaussian": [],
            }),
        ),
        check(
            "and2-upper",
            Status::Pass,
            format!("exponent {:.3}", and2_fit.map_or(f64::NAN, |f| f.slope)),
            json!({
                "fit": and2_fit, "param_fit": fit_of(&medians.iter().map(|p| (p.0.ln(), (0.6 * p.0 * p.0.log2().powi(2)).ln())).collect::<Vec<_>>()),
                "delta": delta, "constants": constants, "uncentered": [], "local_exponent_below_half": true,
            }),
        ),
        check(
            "lower-sanity",
            Status::Pass,
            "0 violations".into(),
            json!({
                "networks": and2_log2.len() as u64 * seeds, "violations": 0, "min_margin_bits": 1234.5, "min_neuron_ratio": 3.2,
            }),
        ),
        check(
            "gap",
            Status::Fail,
            "n*/d* exponent".into(),
            json!({"fit": fit_of(&gap_log), "points": gap_points}),
        ),
    ];
    let mut checks = checks;
    for (id, measured, detail) in lower_bound_checks(&mut records, and2_log2, seeds, delta) {
        checks.push(check(id, Status::Pass, measured, detail));
    }
    RunResults {
        scale: "quick".into(),
        seed: 42,
        git: "v0.1.0-3-gdeadbee".into(),
        version: "0.1.0".into(),
        config: RunConfig {
            k,
            delta,
            samples: 200,
            seeds,
            and2_log2_sizes: and2_log2.to_vec(),
            representation_log2_sizes: (8..=20).step_by(2).collect(),
            extra: json!({"t_policy": "log2"}),
        },
        checks,
        records,
        seconds: 83.0,
        negative_controls: false,
    }
}

/// log₂ C(C(m,2), m′) by Stirling-free summation (exact enough for test data).
fn log2_instances(m: u64, m_prime: u64) -> f64 {
    let pairs = (m * (m - 1) / 2) as f64;
    (0..m_prime).map(|i| ((pairs - i as f64) / (i + 1) as f64).log2()).sum()
}

/// Records and (id, measured, detail) of the five lower-bound checks, shaped like the real
/// checks' output: capacity over widths 2⁸…2¹², Chernoff comparisons (some with failures,
/// some without, bounds on both sides of 1), description length at every 2-AND size, the
/// probe decoder at the first sizes and a tiny exhaustive enumeration.
fn lower_bound_checks(
    records: &mut Vec<Record>,
    and2_log2: &[u32],
    seeds: u64,
    delta: f64,
) -> Vec<(&'static str, String, serde_json::Value)> {
    let mut out = Vec::new();
    // capacity: m′_max ≈ 0.3·n²/log₂²n with noise; counting capacity well above.
    let mut points = Vec::new();
    for e in 8..=12u32 {
        let n = 1usize << e;
        let nf = n as f64;
        for seed in 0..seeds {
            let m_max = (0.3 * nf * nf / nf.log2().powi(2) * (1.0 + 0.1 * noise(n as u64, seed))).round() as u64;
            let res = resources(n, m_max);
            let counting = (res.parameter_bits as f64 / 4.0) as u64;
            records.push(Record::Capacity {
                hidden_width: n,
                seed,
                m_prime_max: m_max,
                m_prime_failing: m_max + m_max / 16 + 1,
                resources: Some(res),
                failure: Some(rate(8, 200)),
                log2_instances: log2_instances(m_max, m_max),
                counting_capacity: counting,
            });
            let log2 = log2_instances(m_max, m_max);
            points.push(json!({"hidden_width": n, "seed": seed, "m_prime_max": m_max, "m_prime_failing": m_max + m_max / 16 + 1,
                               "log2_instances": log2, "parameter_bits": res.parameter_bits, "counting_capacity": counting,
                               "fits": log2 <= res.parameter_bits as f64, "c_lower_shape": m_max as f64 / (nf * nf / nf.log2().powi(2)),
                               "c_upper_shape": m_max as f64 / (nf * nf / nf.log2())}));
        }
    }
    out.push((
        "capacity",
        "m′_max ≈ 0.3·n²/log₂²n".to_string(),
        json!({"points": points, "c_lower_shape": 0.3, "c_upper_shape": 0.3 / 11.0, "rms_lower_shape": 0.05,
               "rms_upper_shape": 0.4, "better_shape": "n^2/log2^2 n", "delta": delta, "widths_without_capacity": 0,
               "fit": line_fit(&(8..=12).map(|e| (f64::from(e) * 2f64.ln(), (0.3 * 4f64.powi(e) / f64::from(e * e)).ln())).collect::<Vec<_>>())}),
    ));
    // chernoff: bound = 30·rate (rates ≥ 1 %) or spread over 10⁻⁵…10³ with 0 failures.
    for i in 0..60u64 {
        let (failures, samples) = if i % 3 == 0 { (0, 400) } else { (1 + i % 40, 400) };
        let measured = rate(failures, samples);
        let sample = if failures == 0 {
            10f64.powf(-5.0 + 8.0 * (i as f64 / 60.0))
        } else {
            30.0 * measured.rate * (1.0 + 0.5 * noise(i, 7))
        };
        records.push(Record::Chernoff {
            source: ["search", "sweep", "chernoff"][(i % 3) as usize].into(),
            m_prime: 256,
            m: 256,
            hidden_width: 100 + i as usize,
            input_width: 100 + i as usize,
            t_in: 8,
            t_out: 8,
            failure: measured,
            bound: FailureBound {
                row_fire_off: 0.01,
                row_fire_half: 0.1,
                row_miss: 0.01,
                output_fp_off: 1e-4,
                output_fp_half: 1e-3,
                output_fn: 1e-3,
                on_outputs: 2.0,
                half_outputs: 20.0,
                sample,
            },
        });
    }
    out.push((
        "chernoff",
        "0 of 60 measured rates above the bound".to_string(),
        json!({"comparisons": 60, "above": 0, "above_points": [], "non_vacuous": 25, "max_rate_over_bound": 0.05,
               "bound_widths": [{"m_prime": 256.0, "n_star": 120.0, "n_bound": 900, "bound_over_measured": 7.5,
                                 "bound_at_n_star": 40.0}]}),
    ));
    // description-length: factors ≈ 3 + log₂ m′ (bits) and a little less (entropy).
    let mut points = Vec::new();
    for &e in and2_log2 {
        let m_prime = 1u64 << e;
        let l = log2_instances(m_prime / 2, m_prime);
        let parameter_bits = ((3.0 + f64::from(e)) * l) as u64;
        let entropy_bits = 0.7 * parameter_bits as f64;
        let parameters = parameter_bits / 5;
        records.push(Record::DescriptionLength {
            m_prime,
            m: m_prime / 2,
            seed: 0,
            hidden_width: 40 << (e / 2),
            parameters,
            parameter_bits,
            entropy_bits,
            weight_entropy: 0.9,
            log2_instances: l,
        });
        points.push(json!({"m_prime": m_prime, "hidden_width": 40 << (e / 2), "parameters": parameters,
                           "parameter_bits": parameter_bits, "entropy_bits": entropy_bits, "weight_entropy": 0.9,
                           "log2_instances": l, "factor_parameter_bits": parameter_bits as f64 / l,
                           "factor_entropy": entropy_bits / l, "bits_per_parameter": parameter_bits as f64 / parameters as f64}));
    }
    out.push((
        "description-length",
        "factors above 1".to_string(),
        json!({"points": points, "below_minimum": 0, "slope_factor_parameter_bits": 1.0, "slope_factor_entropy": 0.7,
               "explicit_bounds": []}),
    ));
    // probe-decoder: mismatches at n*, exact at 1.5·n*.
    let mut points = Vec::new();
    for &e in and2_log2.iter().take(2) {
        let m_prime = 1u64 << e;
        let m = m_prime / 2;
        for (factor, mismatches) in [(1.0, 3), (1.5, 0)] {
            let width = (factor * 40.0 * f64::from(1u32 << (e / 2))) as usize;
            records.push(Record::ProbeDecoder {
                m_prime,
                m,
                seed: 0,
                hidden_width: width,
                width_factor: factor,
                one_sparse_probes: m,
                two_sparse_probes: m_prime + 2 * mismatches,
                naive_probes: m * (m - 1) / 2,
                wrong_probes: mismatches,
                mismatches,
                ambiguous: 0,
                silent: mismatches,
                over_budget: false,
            });
            points.push(
                json!({"m_prime": m_prime, "n_star": 40 << (e / 2), "n_star_measured": true, "width": width,
                               "factor": factor, "one_sparse_probes": m, "two_sparse_probes": m_prime + 2 * mismatches,
                               "naive_probes": m * (m - 1) / 2, "wrong_probes": mismatches, "mismatches": mismatches,
                               "over_budget": false, "seconds": 0.01 * f64::from(e)}),
            );
        }
    }
    out.push((
        "probe-decoder",
        "exact at 1.5·n*".to_string(),
        json!({"points": points, "decoder_sound": true, "decoded_every_size": true, "factors": [1.0, 1.5]}),
    ));
    // exhaustive: m = 4, n ≤ 3, m′ ≤ 2; more instances computable as n grows.
    for readout in [Readout::Dedicated, Readout::Bloom2] {
        for m_prime in 1..=2usize {
            let total = if m_prime == 1 { 6 } else { 15 };
            let mut reached = 0;
            for width in 1..=3usize {
                let computed = (total * width / 3).min(total) as u64;
                records.push(Record::Exhaustive {
                    row: ExhaustiveRow {
                        readout,
                        inputs: 4,
                        width,
                        m_prime,
                        instances_computed: computed,
                        instances_total: total as u64,
                        minimal_width_here: computed - reached,
                        parameter_bits: width as f64 * (4.0 * 3f64.log2() + 2.0),
                        networks_computing: computed as f64 * 3.0,
                    },
                    k: 2,
                    neuron_types: 40,
                });
                reached = computed;
            }
        }
    }
    out.push((
        "exhaustive",
        "0 of 12 cells above 2^bits".to_string(),
        // No `rows` or `minimal_width` in the detail: the report rebuilds the table from records.
        json!({"rows": [], "minimal_width": [], "weights": [-1, 0, 1], "biases": [-2, -1, 0, 1], "k": 2,
               "violations": 0, "max_log2_computed_over_networks": -5.0}),
    ));
    out
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).expect("png written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    assert_eq!((width, height), plot::SIZE);
    assert!(
        bytes.len() > 10_000,
        "{} is only {} bytes: blank?",
        path.display(),
        bytes.len()
    );
}

#[test]
fn full_report_writes_every_figure_and_links_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("quick");
    let results = synthetic(&[8, 10, 12, 14], 3, 1.0);
    let written = render_report(&results, &out).expect("render");
    assert_eq!(written.len(), 1 + 2 * STEMS.len(), "{written:?}");
    for p in &written {
        assert!(std::fs::metadata(p).expect("exists").len() > 0, "{} empty", p.display());
    }
    let readme = std::fs::read_to_string(out.join("README.md")).expect("readme");
    for stem in STEMS {
        assert_png(&out.join(format!("{stem}.png")));
        let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).expect("svg");
        assert!(svg.contains("<text"), "{stem}.svg has no text");
        assert!(
            readme.contains(&format!("]({stem}.png)")),
            "README does not embed {stem}"
        );
    }
    for c in &results.checks {
        assert!(readme.contains(&format!("`{}`", c.id())), "README lacks {}", c.id());
    }
    assert!(readme.contains("**PASS**") && readme.contains("**FAIL**"));
    assert!(readme.contains("1 min 23 s"));
    assert!(readme.contains("| 2¹⁴ | 3 |"), "and2 table row missing");
}

#[test]
fn lower_bound_checks_get_sections_tables_and_plots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let results = synthetic(&[8, 10, 12, 14], 3, 1.0);
    render_report(&results, dir.path()).expect("render");
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
    for stem in ["capacity", "chernoff", "description-length"] {
        assert_png(&dir.path().join(format!("{stem}.png")));
        assert!(dir.path().join(format!("{stem}.svg")).exists(), "{stem}.svg missing");
        assert!(
            readme.contains(&format!("]({stem}.png)")),
            "README does not embed {stem}"
        );
        assert!(
            readme.contains(&format!("]({stem}.svg)")),
            "README does not link {stem}.svg"
        );
    }
    for id in [
        "capacity",
        "chernoff",
        "description-length",
        "probe-decoder",
        "exhaustive",
    ] {
        let head = format!("<a id=\"{id}\"></a>\n\n## `{id}` (");
        let start = readme
            .find(&head)
            .unwrap_or_else(|| panic!("no dedicated section for {id}"));
        let section = &readme[start..];
        let section = &section[..section[head.len()..]
            .find("<a id=")
            .map_or(section.len(), |e| e + head.len())];
        assert!(section.contains("**How to read this.**"), "{id}: {section}");
        assert!(section.contains("\n|---"), "{id} has no table: {section}");
        assert!(!section.contains("```json"), "{id} printed generically");
    }
    assert!(readme.contains("| 2⁸ | 3 |"), "capacity row for n = 2⁸ missing");
    assert!(readme.contains("| `search` | 20 |"), "chernoff per-source row missing");
    assert!(
        readme.contains("| bloom2 | 4 | 2 | 15 | 1 | 3 |"),
        "exhaustive row missing"
    );
    assert!(
        readme.contains("| 2⁸ | 128 | 640 | 1 | 128 |"),
        "probe-decoder row missing"
    );
}

#[test]
fn lower_bound_checks_without_data_skip_plots_and_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut results = synthetic(&[8, 10, 12], 2, 1.0);
    results.records.retain(|r| {
        !matches!(
            r,
            Record::Capacity { .. }
                | Record::Chernoff { .. }
                | Record::DescriptionLength { .. }
                | Record::ProbeDecoder { .. }
                | Record::Exhaustive { .. }
        )
    });
    for c in &mut results.checks {
        // Typed details cannot hold garbage: they lose their points, the data the report would
        // fall back on without records.
        match &mut c.detail {
            CheckDetail::Capacity(d) => d.points.clear(),
            CheckDetail::DescriptionLength(d) => d.points.clear(),
            CheckDetail::ProbeDecoder(d) => d.points.clear(),
            CheckDetail::Exhaustive(d) => {
                d.rows.clear();
                d.minimal_width.clear();
            }
            _ => {}
        }
    }
    render_report(&results, dir.path()).expect("render");
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
    for stem in ["capacity", "chernoff", "description-length"] {
        assert!(
            readme.contains(&format!("Plot `{stem}` not drawn: ")),
            "{stem}: {readme}"
        );
        assert!(!dir.path().join(format!("{stem}.png")).exists());
    }
    assert!(readme.contains("the minimal-width table is empty"));
    assert!(readme.contains("`ProbeDecoder` records and no `detail.points`"));

    // One capacity width only: no trend to plot, but the table still renders.
    let mut results = synthetic(&[8, 10], 1, 1.0);
    results
        .records
        .retain(|r| !matches!(r, Record::Capacity { hidden_width, .. } if *hidden_width != 256));
    render_report(&results, dir.path()).expect("render");
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
    assert!(readme.contains("Plot `capacity` not drawn: a scaling plot needs at least two sizes"));
    assert!(readme.contains("| 2⁸ | 1 |"));
}

#[test]
fn empty_results_say_nothing_was_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut results = synthetic(&[8, 10], 2, 1.0);
    results.checks.clear();
    results.records.clear();
    let written = render_report(&results, dir.path()).expect("render");
    assert_eq!(written, vec![dir.path().join("README.md")]);
    let readme = std::fs::read_to_string(&written[0]).expect("readme");
    assert!(readme.contains("Nothing was run"), "{readme}");
}

#[test]
fn degenerate_runs_skip_plots_and_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    // One size m′, one seed, no failures anywhere, and no representation records.
    render_report(&synthetic(&[8, 10], 2, 1.0), dir.path()).expect("render a full report first");
    let mut results = synthetic(&[10], 1, 0.0);
    results
        .records
        .retain(|r| !matches!(r, Record::RepresentationMinWidth { .. }));
    let written = render_report(&results, dir.path()).expect("render");
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
    for stem in ["and2-width", "and2-params", "representation-width", "gap"] {
        assert!(readme.contains(&format!("Plot `{stem}` not drawn")), "{stem}: {readme}");
        assert!(
            !dir.path().join(format!("{stem}.png")).exists(),
            "stale {stem}.png kept"
        );
        assert!(
            !dir.path().join(format!("{stem}.svg")).exists(),
            "stale {stem}.svg kept"
        );
    }
    assert!(written.contains(&dir.path().join("and2-transition.png")));
    assert!(readme.contains("zero failures"));
}

#[test]
fn a_check_absent_from_the_results_is_listed_as_not_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut results = synthetic(&[8, 10, 12], 2, 1.0);
    // Typed details refuse a null detail at load; what can be missing is a whole check.
    assert!(try_typed("gap", json!(null)).is_none());
    results.checks.retain(|c| c.id() != CheckId::Gap);
    render_report(&results, dir.path()).expect("render");
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
    assert!(readme.contains("Not run in this results file: `gap`"), "{readme}");
}

#[test]
fn load_results_round_trips_and_names_malformed_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("results.json");
    let results = synthetic(&[8, 10], 2, 1.0);
    std::fs::write(&good, serde_json::to_string_pretty(&results).expect("serialise")).expect("write");
    let loaded = load_results(&good).expect("load");
    assert_eq!(loaded.checks.len(), results.checks.len());
    assert_eq!(loaded.records.len(), results.records.len());

    let bad = dir.path().join("broken-results.json");
    std::fs::write(&bad, "{\n  \"scale\": \"quick\",\n  \"seed\": oops\n}").expect("write");
    let err = load_results(&bad).expect_err("malformed");
    let msg = err.to_string();
    assert!(msg.contains("broken-results.json"), "{msg}");
    assert!(msg.contains("line 3, column 11: expected value ("), "{msg}");

    let missing = load_results(&dir.path().join("absent.json")).expect_err("missing");
    assert!(missing.to_string().contains("absent.json"));
}

#[test]
fn index_links_every_scale_and_shows_the_most_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let quick = synthetic(&[8, 10], 2, 1.0);
    let mut standard = quick.clone();
    standard.scale = "standard".into();
    standard.checks.truncate(2);
    let path = render_index(dir.path(), &[("quick".into(), quick), ("standard".into(), standard)]).expect("index");
    let text = std::fs::read_to_string(path).expect("index");
    assert!(text.contains("(quick/README.md)") && text.contains("(standard/README.md)"));
    assert!(text.contains("Checks at scale `standard`"), "{text}");
    assert!(text.contains("standard/README.md#and2-upper"));
    assert!(
        !text.contains("standard/README.md#gap"),
        "quick's checks leaked into the table"
    );
    assert!(render_index(dir.path(), &[]).is_ok());
}

/// Renders the synthetic report into `$TMPDIR/report-demo` for looking at by eye:
/// `cargo test -p superposition-report -- --ignored render_demo`.
#[test]
#[ignore = "writes outside a temporary directory; run by hand to inspect the figures"]
fn render_demo() {
    let dir = std::env::temp_dir().join("report-demo");
    let written = render_report(&synthetic(&[8, 10, 12, 14, 16], 3, 1.0), &dir).expect("render");
    println!("{written:#?}");
}

#[test]
fn performance_plot_draws_every_path_and_nothing_without_points() {
    let dir = tempfile::tempdir().expect("temp dir");
    let points = [
        crate::PerformancePoint {
            m_prime: 1 << 16,
            rust_outputs_per_s: 3e9,
            numpy_outputs_per_s: Some(5e7),
            dense_outputs_per_s: Some(9e7),
        },
        crate::PerformancePoint {
            m_prime: 1 << 20,
            rust_outputs_per_s: 5e9,
            numpy_outputs_per_s: None,
            dense_outputs_per_s: Some(7e7),
        },
    ];
    let fig = crate::figures::performance(&points).expect("a figure");
    // NumPy missing at one size: its series keeps only the size it ran at.
    let lens: Vec<usize> = fig.series.iter().map(|s| s.points.len()).collect();
    assert_eq!(lens, vec![2, 2, 1]);
    let written = crate::render_performance(&points, dir.path()).expect("renders");
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(written.iter().all(|p| std::fs::metadata(p).expect("exists").len() > 0));
    // No points: nothing drawn, and a stale plot from an earlier run is removed.
    assert!(crate::render_performance(&[], dir.path()).expect("ok").is_empty());
    assert!(!dir.path().join("performance.png").exists());
}

/// The typed detail of check `id` from its JSON.
fn typed(id: &str, detail: serde_json::Value) -> CheckDetail {
    try_typed(id, detail.clone()).unwrap_or_else(|| panic!("not a detail of {id}: {detail}"))
}

/// The typed detail of check `id` from its JSON, if it has that shape.
fn try_typed(id: &str, detail: serde_json::Value) -> Option<CheckDetail> {
    serde_json::from_value(json!({"id": id, "detail": detail})).ok()
}

#[test]
fn a_results_file_naming_an_unknown_check_is_refused_with_the_known_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut value = serde_json::to_value(synthetic(&[8, 10], 2, 1.0)).expect("serialize");
    value["checks"][0]["id"] = json!("mystery-check");
    let path = dir.path().join("verify-bounds-quick.json");
    std::fs::write(&path, value.to_string()).expect("write");
    let message = load_results(&path).unwrap_err().to_string();
    assert!(
        message.contains("mystery-check") && message.contains("and2-upper"),
        "{message}"
    );
}
