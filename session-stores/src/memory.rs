//! `memory://`: session-core's [`MemoryStore`](session_core::MemoryStore),
//! which has no crate (and no URL parser) of its own.

use url::Url;

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
    /// The text is not a URL.
    #[error("not a URL: {0}")]
    Syntax(#[from] url::ParseError),
    /// The URL has a host, port, user, path or fragment.
    #[error("memory URLs take no host, user, path or fragment")]
    Location,
    /// A query parameter: the memory store takes none.
    #[error("unknown parameter `{0}` (the memory store takes none)")]
    UnknownParameter(String),
}

/// Checks that `url` (whose scheme is one of [`SCHEMES`]) says nothing but
/// its scheme.
pub(crate) fn check(url: &str) -> Result<(), MemoryUrlError> {
    let rest = url.split_once(':').map_or("", |(_, rest)| rest);
    let url = Url::parse(&format!("{}:{rest}", SCHEMES[0]))?;
    let located = url.host_str().is_some_and(|host| !host.is_empty())
        || url.port().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || !matches!(url.path(), "" | "/")
        || url.fragment().is_some();
    if located {
        return Err(MemoryUrlError::Location);
    }
    match url.query_pairs().next() {
        Some((name, _)) => Err(MemoryUrlError::UnknownParameter(name.into_owned())),
        None => Ok(()),
    }
}
