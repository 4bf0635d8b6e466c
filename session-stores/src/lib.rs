#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod error;
mod list;
mod memory;
mod open;
mod options;
mod redact;

pub use error::{OpenError, UrlError};
pub use list::{BackendInfo, BackendKind, backends};
pub use memory::MemoryUrlError;
#[cfg(feature = "testing")]
pub use open::{DynHarness, harness, harness_with};
pub use open::{open, open_with};
pub use options::{Options, SECRET_KEY_VAR};
pub use redact::redact;
