#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod config;
mod error;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod tier;
mod weight;

pub use config::{CacheConfig, DEFAULT_EVICTION_GRACE, DEFAULT_MAX_BYTES};
pub use error::CacheUrlError;
pub use store::CacheStore;

/// The backend's name, as [`SessionStore::name`](session_core::SessionStore::name)
/// and its errors give it.
pub const NAME: &str = "cache";

/// The URL schemes [`CacheConfig::from_url`] answers to; the first is the
/// canonical one (`cache://?max_bytes=N`).
pub const SCHEMES: &[&str] = &["cache", "moka"];
