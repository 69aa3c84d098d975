//! End to end: the quick scale runs, its results round-trip through JSON, and the report
//! renders from the results file alone.

use superposition_core::checks::{Runner, Scale, ScaleConfig, Silent};
use superposition_core::results::{Record, RunResults, Status};
use superposition_schema::checks::CheckId;

#[test]
fn quick_scale_runs_end_to_end_into_a_temp_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let results = Runner::new(ScaleConfig::new(Scale::Quick, 4), 1, &mut Silent)
        .expect("quick config is valid")
        .run(Scale::Quick, "test".into())
        .expect("quick scale runs");

    let ids: Vec<CheckId> = results.checks.iter().map(|c| c.id()).collect();
    assert_eq!(ids, CheckId::ALL);
    // A construction below the counting bound would be a bug, whatever the scale.
    let sanity = &results.checks[2];
    assert_eq!(sanity.status, Status::Pass, "{}", sanity.measured);
    let config = ScaleConfig::new(Scale::Quick, 4);
    let min_widths = results
        .records
        .iter()
        .filter(|r| matches!(r, Record::And2MinWidth { centering: true, .. }))
        .count() as u64;
    assert_eq!(min_widths, config.and2_sizes.len() as u64 * config.seeds);
    for record in &results.records {
        if let Record::And2MinWidth { failure, .. } = record {
            assert!(failure.rate <= config.delta, "a minimal width above δ: {failure:?}");
        }
    }

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
