#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod config;
mod error;
pub mod store;
mod weight;

pub use config::{CacheConfig, DEFAULT_EVICTION_GRACE, DEFAULT_MAX_BYTES};
pub use store::CacheStore;
