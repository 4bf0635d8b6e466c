//! `memory://`: session-core's [`MemoryStore`](session_core::MemoryStore),
//! which has no crate (and no URL parser) of its own.

use url::form_urlencoded;

/// The reference store's name, as its `SessionStore::name` gives it.
pub(crate) const NAME: &str = "memory";

/// The schemes of the reference store.
pub(crate) const SCHEMES: &[&str] = &["memory", "mem"];

/// Why a `memory` URL was refused.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryUrlError {
    /// The URL has a host, port, user, path or fragment.
    #[error("memory URLs take no host, user, path or fragment")]
    Location,
    /// A query parameter: the memory store takes none.
    #[error("unknown parameter `{0}` (the memory store takes none)")]
    UnknownParameter(String),
}

/// Checks that `url` (whose scheme is one of [`SCHEMES`]) says nothing but
/// its scheme: `memory`, `memory:`, `memory://`, with at most an empty query.
pub(crate) fn check(url: &str) -> Result<(), MemoryUrlError> {
    let rest = url.split_once(':').map_or("", |(_, rest)| rest);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let Some(query) = rest.strip_prefix('?') else {
        return match rest {
            "" => Ok(()),
            _ => Err(MemoryUrlError::Location),
        };
    };
    match form_urlencoded::parse(query.as_bytes()).next() {
        Some((name, _)) => Err(MemoryUrlError::UnknownParameter(name.into_owned())),
        None => Ok(()),
    }
}
