//! Cross-crate integration tests of superposition-bounds: the quick scale end to end (run,
//! results round-trip, report from the results alone) in `quick_scale.rs`, and repository
//! checks (no import cycles between modules) in `tidy.rs`. The library itself is empty.
