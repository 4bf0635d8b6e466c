#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod access;
pub mod config;
mod error;
mod io;
mod mtime;
mod scan;
pub mod store;
mod temp;

pub use config::{DEFAULT_MAX_FILE_BYTES, DEFAULT_STALE_TEMP_AGE, FileConfig};
pub use store::FileStore;
