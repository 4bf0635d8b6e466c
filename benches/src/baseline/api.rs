//! The [`Baseline`] trait every raw engine implements, and its error.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use session_core::{Data, Operation};

/// A raw engine doing the I/O a backend does, with the same bytes and the
/// same JSON encoding and decoding, and nothing else: no key generation
/// with the OS generator, no expiry, no insert-if-absent or update-if-present
/// checks, no size limits, no logging. A store's time divided by its
/// baseline's is what the store adds to its engine.
///
/// Keys are plain strings: a counter for server-side engines, the encoded
/// value itself for cookies.
#[async_trait]
pub trait Baseline: Send + Sync + fmt::Debug {
    /// What it does, for reports: `moka get/insert`, `file read/write+rename/unlink`.
    fn name(&self) -> &str;

    /// Stores `data` under a new key and returns the key.
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError>;

    /// The data stored under `key`, or `None`.
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError>;

    /// Replaces the data under `key`; returns the key to find it by from
    /// now on (a new one for cookies).
    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError>;

    /// Removes the data under `key`; missing is not an error.
    async fn delete(&self, key: &str) -> Result<(), BaselineError>;

    /// A key under which nothing is stored.
    fn missing_key(&self) -> String {
        "benchmissingkey00000000000000000".to_owned()
    }
}

/// Why a baseline call failed. Every variant names the engine and the
/// store operation it stood for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The file system failed.
    #[error("{engine} baseline, {}: {action}: {source}", operation.as_str())]
    Io {
        /// The baseline's name.
        engine: &'static str,
        /// The store operation it stood for.
        operation: Operation,
        /// What it was doing.
        action: &'static str,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The database failed (connecting, a statement, the pool).
    #[error("{engine} baseline, {}: {source}", operation.as_str())]
    Sql {
        /// The baseline's name.
        engine: &'static str,
        /// The store operation it stood for.
        operation: Operation,
        /// The driver's error (rusqlite, r2d2 or sqlx).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Stored bytes did not decode back to session data.
    #[error("{engine} baseline, {}: {reason}", operation.as_str())]
    Decode {
        /// The baseline's name.
        engine: &'static str,
        /// The store operation it stood for.
        operation: Operation,
        /// What was wrong.
        reason: String,
    },
    /// Encryption failed (no randomness, or the cipher refused).
    #[error("{engine} baseline, {}: encryption failed", operation.as_str())]
    Encrypt {
        /// The baseline's name.
        engine: &'static str,
        /// The store operation it stood for.
        operation: Operation,
    },
    /// A call succeeded with the wrong answer: a prepared record that did
    /// not load, or a missing one that did.
    #[error("{engine} baseline, benchmark {benchmark}: {what}")]
    Unexpected {
        /// The baseline's name.
        engine: String,
        /// The benchmark operation.
        benchmark: &'static str,
        /// What went wrong.
        what: &'static str,
    },
}

/// Keys for the server-side baselines: 32 hexadecimal digits of a counter,
/// as long as a session key, so hashing and file names cost the same.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn next_key(&self) -> String {
        format!("{:032x}", self.0.fetch_add(1, Ordering::Relaxed))
    }
}
