//! The constructions: networks built from an instance and fixed codes (SPEC §3). Each imports
//! only the base layer, the network abstraction and the schema, never evaluation, search or
//! checks. [`coded`] holds what the coded layers of AS-2AND, AS-PERM, the input channel and
//! depth-2 share; each construction implements [`crate::network::Network`]. [`controls`] holds the deliberately
//! wrong ones the negative controls run on. [`export`] writes AS-2AND, the input channel and
//! AS-PERM as network files (`crate::network::file`).

mod anchor;
pub mod and2;
pub mod channel;
pub mod coded;
pub mod controls;
pub mod depth2;
pub mod export;
pub mod linear;
pub mod planted;
pub mod representation;
pub mod uand;
