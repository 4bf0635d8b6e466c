#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[cfg(feature = "broken")]
mod broken;
mod error;
mod list;
mod memory;
mod open;
mod options;
mod redact;
#[cfg(feature = "cached-db")]
mod tier;

#[cfg(feature = "broken")]
pub use broken::BrokenUrlError;
pub use error::{OpenError, UrlError};
pub use list::{BackendInfo, BackendKind, backends};
pub use memory::MemoryUrlError;
#[cfg(feature = "testing")]
pub use open::{DynHarness, harness, harness_with};
pub use open::{open, open_with};
pub use options::{Options, SECRET_KEY_VAR};
pub use redact::redact;
