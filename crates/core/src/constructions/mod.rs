//! The constructions: networks built from an instance and fixed codes (SPEC §3). Each imports
//! only the base layer and the schema, never evaluation, search or checks.

mod anchor;
pub mod and2;
pub mod channel;
pub mod depth2;
pub mod linear;
pub mod representation;
pub mod uand;
