#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod config;
mod conn;
mod error;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod tier;
mod value;

pub use config::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, DJANGO_CACHE_KEY_PREFIX, RedisConfig};
pub use error::RedisUrlError;
pub use store::RedisStore;

/// The backend's name, as [`SessionStore::name`](session_core::SessionStore::name)
/// and its errors give it.
pub const NAME: &str = "redis";

/// The URL schemes [`RedisConfig::from_url`] answers to; the first is the
/// canonical one (`redis://host:port/db`), then TLS (`rediss://`, crate
/// feature `tls`) and Redis Cluster, whose URL lists its nodes separated by
/// commas (`redis+cluster://host1:port1,host2:port2/`).
pub const SCHEMES: &[&str] = &["redis", "rediss", "redis+cluster", "rediss+cluster"];
