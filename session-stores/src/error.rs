//! [`OpenError`]: why a URL opened no store, and [`UrlError`], each
//! backend's own reason for refusing its URL.

use std::fmt;

use crate::list::available;
use crate::memory::MemoryUrlError;
use crate::options::SECRET_KEY_VAR;

/// Why a URL opened no store (or no harness).
///
/// Every variant carries the URL with its credentials already replaced by
/// `***` ([`redact`](crate::redact)), and every message starts with it: no
/// message of this crate can show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// No backend of the project answers to the scheme.
    #[error(
        "{url}: unknown session backend `{scheme}` (available: {})",
        available()
    )]
    UnknownScheme {
        /// The URL, redacted.
        url: String,
        /// The scheme, in lower case.
        scheme: String,
    },
    /// A backend of the project, not built into this program: not written
    /// yet, or its Cargo feature is off.
    #[error(
        "{url}: session backend `{scheme}` is not built into this program yet (available: {})",
        available()
    )]
    NotBuilt {
        /// The URL, redacted.
        url: String,
        /// The scheme, in lower case.
        scheme: String,
    },
    /// The backend refused its URL: an unknown or repeated parameter, a bad
    /// value, a path where none is allowed, a relative directory.
    #[error("{url}: {problem}")]
    Url {
        /// The URL, redacted.
        url: String,
        /// The backend's reason.
        problem: UrlError,
    },
    /// The backend needs a secret key and none was given.
    #[error(
        "{url}: the {backend} backend needs a secret key: set {SECRET_KEY_VAR} (at least 16 bytes)"
    )]
    MissingSecret {
        /// The URL, redacted.
        url: String,
        /// The backend's name.
        backend: &'static str,
    },
    /// The backend refused its settings when opening (a directory that is
    /// not private, a short secret key, a zero bound, ...).
    #[error("{url}: cannot open the session store: {error}")]
    Open {
        /// The URL, redacted.
        url: String,
        /// The backend's error.
        error: session_core::Error,
    },
}

impl OpenError {
    /// The same error quoting `url` (redacted here) instead: a cached-db
    /// URL's error about its durable store's URL quotes the whole URL.
    #[cfg(feature = "cached-db")]
    pub(crate) fn quoting(mut self, url: &str) -> Self {
        let shown = crate::redact::redact(url);
        match &mut self {
            OpenError::UnknownScheme { url, .. }
            | OpenError::NotBuilt { url, .. }
            | OpenError::Url { url, .. }
            | OpenError::MissingSecret { url, .. }
            | OpenError::Open { url, .. } => *url = shown,
        }
        self
    }
}

/// A backend's reason for refusing its URL, typed per backend.
#[derive(Debug)]
#[non_exhaustive]
pub enum UrlError {
    /// `memory://`.
    Memory(MemoryUrlError),
    /// `cache://`.
    #[cfg(feature = "cache")]
    Cache(session_backend_cache::CacheUrlError),
    /// `cached-db+<URL>`: this backend's own parameters or the prefix.
    #[cfg(feature = "cached-db")]
    CachedDb(session_backend_cached_db::CachedDbUrlError),
    /// `sqlite://`.
    #[cfg(feature = "db")]
    Db(session_backend_db::DbUrlError),
    /// `file://`.
    #[cfg(feature = "file")]
    File(session_backend_file::FileUrlError),
    /// `redis://`, `redis+cluster://`, or a cached-db URL's `cache=`.
    #[cfg(feature = "redis")]
    Redis(session_backend_redis::RedisUrlError),
    /// `signed-cookie://`.
    #[cfg(feature = "signed-cookie")]
    SignedCookie(session_backend_signed_cookie::SignedCookieUrlError),
    /// `broken://` (the `broken` feature, for tests).
    #[cfg(feature = "broken")]
    Broken(crate::broken::BrokenUrlError),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Memory(e) => e.fmt(f),
            #[cfg(feature = "cache")]
            UrlError::Cache(e) => e.fmt(f),
            #[cfg(feature = "cached-db")]
            UrlError::CachedDb(e) => e.fmt(f),
            #[cfg(feature = "db")]
            UrlError::Db(e) => e.fmt(f),
            #[cfg(feature = "file")]
            UrlError::File(e) => e.fmt(f),
            #[cfg(feature = "redis")]
            UrlError::Redis(e) => e.fmt(f),
            #[cfg(feature = "signed-cookie")]
            UrlError::SignedCookie(e) => e.fmt(f),
            #[cfg(feature = "broken")]
            UrlError::Broken(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for UrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UrlError::Memory(e) => e.source(),
            #[cfg(feature = "cache")]
            UrlError::Cache(e) => e.source(),
            #[cfg(feature = "cached-db")]
            UrlError::CachedDb(e) => e.source(),
            #[cfg(feature = "db")]
            UrlError::Db(e) => e.source(),
            #[cfg(feature = "file")]
            UrlError::File(e) => e.source(),
            #[cfg(feature = "redis")]
            UrlError::Redis(e) => e.source(),
            #[cfg(feature = "signed-cookie")]
            UrlError::SignedCookie(e) => e.source(),
            #[cfg(feature = "broken")]
            UrlError::Broken(e) => e.source(),
        }
    }
}
