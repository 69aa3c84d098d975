//! Input channel for high-influence inputs (SPEC §3 step 5): the construction (issue 5; skeleton).
