//! The lower bound executed: the probe decoder that recovers an instance from a network, and
//! the exhaustive enumeration of tiny networks behind the counting lemma.

pub mod exhaustive;
pub mod probe;
