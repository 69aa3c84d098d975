//! The typed details read the committed results files and write them back unchanged: the
//! same field names, the same nulls, the same numbers, for the checks whose detail is typed.

use serde_json::{Value, json};
use superposition_schema::checks::CheckDetail;

/// Checks whose detail this test holds to the committed files.
const TYPED: [&str; 10] = [
    "probe-decoder",
    "exhaustive",
    "capacity",
    "chernoff",
    "description-length",
    "influence",
    "worst-case",
    "permutation",
    "u-and",
    "depth-2",
];

#[test]
fn committed_details_round_trip_through_their_types() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results");
    let mut seen = 0;
    for scale in ["standard", "full"] {
        let path = root.join(format!("verify-bounds-{scale}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let results: Value = serde_json::from_str(&text).expect("results are JSON");
        for check in results["checks"].as_array().expect("a checks array") {
            let id = check["id"].as_str().expect("an id");
            if !TYPED.contains(&id) {
                continue;
            }
            let tagged = json!({"id": id, "detail": check["detail"]});
            let typed: CheckDetail = serde_json::from_value(tagged.clone())
                .unwrap_or_else(|e| panic!("{scale} {id}: the detail does not fit its type: {e}"));
            assert_eq!(
                serde_json::to_value(&typed).expect("serializes"),
                tagged,
                "{scale} {id}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 2 * TYPED.len(), "every typed check in both committed files");
}
