//! The property tests: random operation sequences against a reference
//! model, and side by side with `MemoryStore`.

mod ops;
mod reference;
mod runner;
mod sut;

pub(crate) use runner::{Mode, check};
