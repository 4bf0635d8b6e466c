#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod config;
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
mod connect;
mod datetime;
mod error;
mod lite;
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
mod pooled;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{DEFAULT_CLEAR_BATCH, DEFAULT_TABLE, DEFAULT_TIMEOUT, DbConfig, Synchronous};
pub use error::{DbUrlError, SchemaError};
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
pub use pooled::SqlxPool;
pub use store::DbStore;

/// The backend's name, as [`SessionStore::name`](session_core::SessionStore::name)
/// and its errors give it.
pub const NAME: &str = "db";

/// The URL schemes [`DbConfig::from_url`] answers to; the first is the
/// canonical one (`sqlite://path`, `sqlite::memory:`), then PostgreSQL's
/// and MySQL's (which need the crate features `postgres` and `mysql`).
pub const SCHEMES: &[&str] = &["sqlite", "postgres", "postgresql", "mysql", "mariadb"];
