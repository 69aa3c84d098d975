//! Rendering tests on synthetic results generated in code (not a copied run).

use std::path::Path;

use serde_json::json;
use superposition_core::results::{
    CheckResult, FailureRate, LineFit, Record, Resources, RunConfig, RunResults, Status,
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
            "m_prime": m_prime, "n_star": n_star,
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
            });
            records.push(Record::RepresentationProbe {
                m,
                seed,
                width: d - 4,
                t: d / 6,
                failure: rate(40, 200),
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
            Some(json!({"m_prime": m as u64, "n_star": n, "d_star": d}))
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
        id: id.into(),
        status,
        measured,
        theory: "see report".into(),
        detail,
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
            }),
        ),
        check(
            "and2-upper",
            Status::Pass,
            format!("exponent {:.3}", and2_fit.map_or(f64::NAN, |f| f.slope)),
            json!({
                "fit": and2_fit, "param_fit": fit_of(&medians.iter().map(|p| (p.0.ln(), (0.6 * p.0 * p.0.log2().powi(2)).ln())).collect::<Vec<_>>()),
                "delta": delta, "constants": constants,
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
        check(
            "probe-decoder",
            Status::Pass,
            "5/5 instances recovered".into(),
            json!({"recovered": 5, "of": 5}),
        ),
    ];
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
    }
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
        assert!(readme.contains(&format!("`{}`", c.id)), "README lacks {}", c.id);
    }
    assert!(readme.contains("**PASS**") && readme.contains("**FAIL**"));
    assert!(readme.contains("```json"), "unknown check's detail not printed");
    assert!(readme.contains("1 min 23 s"));
    assert!(readme.contains("| 2¹⁴ | 3 |"), "and2 table row missing");
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
fn missing_detail_fields_do_not_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut results = synthetic(&[8, 10, 12], 2, 1.0);
    for c in &mut results.checks {
        c.detail = json!(null);
    }
    results.checks.retain(|c| c.id != "gap");
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
