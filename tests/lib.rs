//! Cross-crate integration tests: see the files beside this one.
