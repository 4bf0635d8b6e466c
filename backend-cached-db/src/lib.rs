#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod config;
mod error;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{CachedDbConfig, CachedDbUrl, DEFAULT_STALENESS};
pub use error::CachedDbUrlError;
pub use store::CachedDbStore;

/// The backend's name, as [`SessionStore::name`](session_core::SessionStore::name)
/// and its errors give it.
pub const NAME: &str = "cached-db";

/// The URL schemes [`CachedDbConfig::from_url`] answers to, each followed
/// by `+` and the durable store's URL; the first is the canonical one
/// (`cached-db+file:///var/lib/sessions`).
pub const SCHEMES: &[&str] = &["cached-db", "cached_db"];
