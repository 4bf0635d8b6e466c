//! The cache backend's own failures and their mapping to [`session_core::Error`],
//! and [`CacheUrlError`], why a URL names no cache configuration.
//!
//! moka's operations cannot fail, so the only errors are the ones this crate
//! decides on: a record too large for the cache and an unusable configuration.
//! None of them is temporary: retrying the same call cannot help.

use session_core::{Error, ErrorKind, Operation};

use crate::NAME;

/// Why [`CacheConfig::from_url`](crate::CacheConfig::from_url) refused a URL.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheUrlError {
    /// The text is not a URL.
    #[error("not a URL: {0}")]
    Syntax(#[from] url::ParseError),
    /// The scheme is not one of [`SCHEMES`](crate::SCHEMES).
    #[error("`{0}` is not a scheme of the cache backend (cache, moka)")]
    Scheme(String),
    /// The URL has a host, port, user, path or fragment: the cache is in
    /// this process, so only query parameters mean something.
    #[error("cache URLs take no host, user, path or fragment, only `?max_bytes=N`")]
    Location,
    /// A query parameter the cache backend does not know.
    #[error("unknown parameter `{0}` (the cache backend takes max_bytes)")]
    UnknownParameter(String),
    /// A query parameter given more than once.
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
    /// `max_bytes` is not a whole number of bytes.
    #[error("parameter `max_bytes`: `{value}` is not a whole number of bytes")]
    MaxBytes {
        /// The value given.
        value: String,
        /// Why it does not parse.
        #[source]
        source: std::num::ParseIntError,
    },
}

/// What can go wrong in this backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CacheError {
    /// The record alone weighs more than the whole cache may hold; moka would
    /// evict it at once, so accepting it would acknowledge a save that is lost.
    #[error(
        "the session weighs about {weight} bytes, more than the cache's whole bound of {max_bytes} bytes"
    )]
    TooLarge {
        /// The record's estimated weight.
        weight: u64,
        /// The configured bound.
        max_bytes: u64,
    },
    /// `max_bytes` was zero.
    #[error("max_bytes must be at least 1")]
    ZeroCapacity,
}

impl CacheError {
    /// The [`session_core::Error`] for this failure during `operation`, with
    /// this error kept as its source.
    pub(crate) fn into_core(self, operation: Operation) -> Error {
        let kind = match self {
            CacheError::TooLarge { .. } => ErrorKind::TooLarge,
            CacheError::ZeroCapacity => ErrorKind::Config,
        };
        Error::new(kind, operation, NAME)
            .with_context(self.to_string())
            .with_source(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: errors name the backend and the operation and keep their source.
    #[test]
    fn r1_errors_name_backend_and_operation() {
        let err = CacheError::TooLarge {
            weight: 10,
            max_bytes: 5,
        }
        .into_core(Operation::Save);
        assert_eq!(err.kind(), ErrorKind::TooLarge);
        assert_eq!(err.operation(), Operation::Save);
        assert_eq!(err.backend(), "cache");
        assert!(!err.is_temporary());
        assert!(std::error::Error::source(&err).is_some());

        let err = CacheError::ZeroCapacity.into_core(Operation::Open);
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
