//! The cached-db backend's own failures and their mapping to
//! [`session_core::Error`], the wrapping of its tiers' errors, and
//! [`CachedDbUrlError`], why a URL names no cached-db configuration.

use session_core::{Error, ErrorKind, Operation};

use crate::NAME;

/// Why [`CachedDbConfig::from_url`](crate::CachedDbConfig::from_url)
/// refused a URL.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CachedDbUrlError {
    /// The URL does not start with `cached-db+` (or `cached_db+`).
    #[error("`{0}` is not a cached-db URL: write cached-db+<durable store URL>")]
    Scheme(String),
    /// Nothing, or no scheme, after `cached-db+`.
    #[error(
        "cached-db needs the durable store's URL after `cached-db+` (cached-db+file:///dir, cached-db+sqlite://path)"
    )]
    MissingInner,
    /// The durable store is itself a cached-db store.
    #[error("the durable store of cached-db cannot be cached-db again")]
    Nested,
    /// A parameter of cached-db given more than once.
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
    /// `staleness` is not a number of seconds.
    #[error("parameter `staleness`: `{0}` is not a number of seconds")]
    Staleness(String),
    /// `cache_max_bytes` is not a whole number of bytes.
    #[error("parameter `cache_max_bytes`: `{value}` is not a whole number of bytes")]
    CacheMaxBytes {
        /// The value given.
        value: String,
        /// Why it does not parse.
        #[source]
        source: std::num::ParseIntError,
    },
}

/// What can go wrong in this backend itself.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CachedDbError {
    /// The staleness bound was zero.
    #[error("the staleness bound must be above zero")]
    ZeroStaleness,
    /// The durable store keeps its sessions in the client's cookie.
    #[error(
        "the durable store `{0}` is client-side (its key is the data): there is nothing to cache"
    )]
    ClientSide(String),
}

impl CachedDbError {
    /// The [`session_core::Error`] for this failure during `operation`.
    pub(crate) fn into_core(self, operation: Operation) -> Error {
        Error::new(ErrorKind::Config, operation, NAME)
            .with_context(self.to_string())
            .with_source(self)
    }
}

/// Which tier an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tier {
    /// The cache in front.
    Cache,
    /// The durable store behind.
    Durable,
}

/// `error`, from `tier`, as an error of this backend (R1): the same kind,
/// operation and temporariness, the tier and its own message in the
/// context, and the tier's error kept as the source.
pub(crate) fn from_tier(tier: Tier, error: Error) -> Error {
    let which = match tier {
        Tier::Cache => "cache tier",
        Tier::Durable => "durable tier",
    };
    Error::new(error.kind(), error.operation(), NAME)
        .with_context(format!("{which}: {error}"))
        .set_temporary(error.is_temporary())
        .with_source(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: a tier's error becomes this backend's, keeping kind, operation,
    /// temporariness and source, and naming the tier.
    #[test]
    fn r1_tier_errors_name_this_backend_and_the_tier() {
        let inner = Error::new(ErrorKind::Storage, Operation::Save, "file").set_temporary(true);
        let err = from_tier(Tier::Durable, inner);
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert_eq!(err.operation(), Operation::Save);
        assert_eq!(err.backend(), NAME);
        assert!(err.is_temporary());
        assert_eq!(
            err.to_string(),
            "cached-db save: storage error: durable tier: file save: storage error"
        );
        assert!(std::error::Error::source(&err).is_some());
        let err = CachedDbError::ZeroStaleness.into_core(Operation::Open);
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
