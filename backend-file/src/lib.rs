#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod access;
mod config;
mod error;
mod io;
mod mtime;
mod scan;
mod store;
mod temp;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{DEFAULT_MAX_FILE_BYTES, DEFAULT_STALE_TEMP_AGE, FileConfig};
pub use error::FileUrlError;
pub use store::FileStore;

/// The backend's name, as [`SessionStore::name`](session_core::SessionStore::name)
/// and its errors give it.
pub const NAME: &str = "file";

/// The URL schemes [`FileConfig::from_url`] answers to: `file:///abs/dir`.
pub const SCHEMES: &[&str] = &["file"];
