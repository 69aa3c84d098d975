//! End to end: the quick scale runs, its results round-trip through JSON, and the report
//! renders from the results file alone.

use std::collections::BTreeMap;
use superposition_core::checks::{Runner, Scale, ScaleConfig, Silent};
use superposition_core::results::{Record, RunResults, Status};
use superposition_schema::checks::CheckId;

/// The width search's contract, read back from the records of `and2-upper`: each n* passed on
/// its samples, so did the two confirmation widths above it, and a width less than one
/// precision step below it failed (or n* is the smallest width allowed); and n* is a
/// δ-crossing, so the failure at n* on fresh samples, pooled, lies within a factor 3 of δ.
fn search_contract_holds(results: &RunResults, config: &ScaleConfig) {
    let stop = (config.delta * config.samples as f64).floor() as u64;
    let passed = |f: &superposition_core::results::FailureRate| f.failures <= stop && f.samples == config.samples;
    let mut probes: Vec<(usize, bool)> = Vec::new();
    let (mut searches, mut fresh) = (0, (0, 0));
    for record in &results.records {
        match record {
            Record::And2Probe {
                purpose,
                resources,
                failure,
                ..
            } if purpose == "search" => {
                probes.push((resources.hidden_width, passed(failure)));
            }
            Record::And2MinWidth {
                m_prime,
                resources,
                failure,
                validation,
                ..
            } => {
                let n = resources.hidden_width;
                let step = ((config.precision * n as f64) as usize).max(1);
                let verdict = |w: usize| probes.iter().find(|p| p.0 == w).map(|p| p.1);
                assert!(passed(failure), "n* = {n} failed its own samples: {failure:?}");
                for i in 1..=2 {
                    assert_eq!(
                        verdict(n + i * step),
                        Some(true),
                        "confirmation {i} above n* = {n}: {probes:?}"
                    );
                }
                // The smallest width searched: t + 1 with t = ⌈log₂ m′⌉.
                let min = (*m_prime as f64).log2().ceil() as usize + 1;
                assert!(
                    n <= min || probes.iter().any(|&(w, ok)| !ok && w < n && n - w <= step),
                    "no failing width within a step below n* = {n}: {probes:?}"
                );
                let v = validation.expect("n* is validated on fresh samples");
                assert_eq!(v.samples, config.samples, "every fresh sample is evaluated");
                fresh = (fresh.0 + v.failures, fresh.1 + v.samples);
                searches += 1;
                probes.clear();
            }
            Record::And2UniformWidth { .. } => probes.clear(),
            _ => {}
        }
    }
    let expected_searches = (config.and2_sizes.len() + config.uncentered_sizes.len()) as u64 * config.seeds;
    assert_eq!(searches, expected_searches);
    let rate = fresh.0 as f64 / fresh.1 as f64;
    assert!(
        (config.delta / 3.0..=config.delta * 3.0).contains(&rate),
        "pooled fresh failure at n* {rate} is not near δ = {}",
        config.delta
    );
}

/// The quick run at seed 1, k = 4: made here, or — when `SUPERPOSITION_QUICK_RESULTS` names
/// the results file of `cargo xtask verify-bounds --scale quick` at those settings (CI runs it
/// first, in release) — read from that file, so CI does not run the quick scale twice.
fn quick_results() -> RunResults {
    if let Ok(path) = std::env::var("SUPERPOSITION_QUICK_RESULTS") {
        let results = superposition_report::load_results(std::path::Path::new(&path))
            .unwrap_or_else(|e| panic!("SUPERPOSITION_QUICK_RESULTS: {e}"));
        assert!(
            results.scale == "quick" && results.seed == 1 && results.config.k == 4 && !results.negative_controls,
            "{path} is not the quick run at seed 1, k = 4"
        );
        return results;
    }
    Runner::new(ScaleConfig::new(Scale::Quick, 4), 1, &mut Silent)
        .expect("quick config is valid")
        .run(Scale::Quick, "test".into())
        .expect("quick scale runs")
}

#[test]
fn quick_scale_runs_end_to_end_into_a_temp_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let results = quick_results();

    let ids: Vec<CheckId> = results.checks.iter().map(|c| c.id()).collect();
    assert_eq!(ids, CheckId::ALL);
    // The verdicts CI expects (results/expected-verdicts-quick.json), so a verdict that
    // changes fails `cargo test` too.
    let expected: BTreeMap<CheckId, Status> = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../results/expected-verdicts-quick.json"
        ))
        .expect("the expected verdicts are committed"),
    )
    .expect("expected verdicts parse");
    for check in &results.checks {
        assert_eq!(
            Some(&check.status),
            expected.get(&check.id()),
            "{}: {}",
            check.id(),
            check.measured
        );
    }
    let config = ScaleConfig::new(Scale::Quick, 4);
    search_contract_holds(&results, &config);

    let path = dir.path().join("verify-bounds-quick.json");
    std::fs::write(&path, serde_json::to_string(&results).expect("serializes")).expect("write");
    let loaded: RunResults = superposition_report::load_results(&path).expect("loads");
    assert_eq!(loaded.records.len(), results.records.len());

    let report_dir = dir.path().join("reports").join("quick");
    let files = superposition_report::render_report(&loaded, &report_dir).expect("renders");
    assert!(files.iter().any(|f| f.ends_with("README.md")));
    for file in &files {
        assert!(
            std::fs::metadata(file).expect("exists").len() > 0,
            "{} is empty",
            file.display()
        );
    }
    let readme = std::fs::read_to_string(report_dir.join("README.md")).expect("readme");
    for id in CheckId::ALL {
        assert!(readme.contains(id.as_str()), "report lacks {id}");
    }
}

#[test]
fn same_seed_same_results() {
    let mut config = ScaleConfig::new(Scale::Quick, 4);
    config.and2_sizes = vec![8, 9];
    config.representation_sizes = vec![8, 9];
    config.sweep_sizes = vec![];
    config.uncentered_sizes = vec![];
    config.seeds = 2;
    // The slowest quick checks cut down (their streams are what is tested, not their sizes).
    config.u_and.sizes = vec![6, 7];
    config.u_and.seeds = 1;
    config.permutation.sizes = vec![8, 9];
    let run = || {
        Runner::new(config.clone(), 5, &mut Silent)
            .unwrap()
            .run(Scale::Quick, "t".into())
            .unwrap()
    };
    let (a, b) = (run(), run());
    let text = |r: &RunResults| serde_json::to_string(&r.records).unwrap();
    assert_eq!(text(&a), text(&b));
}
