//! Report sections with a module of their own, one per check: each gives its figures
//! (built from records) and writes its Markdown section; [`crate::registry`] dispatches to them.

pub(crate) mod depth2;
pub(crate) mod influence;
pub(crate) mod permutation;
pub(crate) mod shape;
pub(crate) mod trained;
pub(crate) mod u_and;
pub(crate) mod worst_case;
