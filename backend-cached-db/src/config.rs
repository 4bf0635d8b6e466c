//! [`CachedDbConfig`]: how a [`CachedDbStore`](crate::CachedDbStore) is
//! built, and [`CachedDbUrl`], a `cached-db+<durable URL>` read into that
//! configuration and the durable store's own URL.

use std::str::FromStr;
use std::time::Duration;

use url::form_urlencoded;

use crate::SCHEMES;
use crate::error::CachedDbUrlError;

/// Default staleness bound: five seconds.
///
/// A copy in one process's cache is served for at most this long after it
/// was written or read from the durable store, so a logout or an update made
/// through another process is seen everywhere within five seconds, while a
/// burst of requests of one user (a page and its API calls) is still served
/// from memory.
pub const DEFAULT_STALENESS: Duration = Duration::from_secs(5);

/// Settings of a [`CachedDbStore`](crate::CachedDbStore): the staleness
/// bound, and the cache size for whoever builds the cache tier.
///
/// ```
/// use std::time::Duration;
/// use session_backend_cached_db::{CachedDbConfig, CachedDbUrl};
///
/// let config = CachedDbConfig::new().with_staleness(Duration::from_secs(2));
/// let url: CachedDbUrl = "cached-db+file:///var/lib/sessions?staleness=2".parse().unwrap();
/// assert_eq!(url.config.staleness(), config.staleness());
/// assert_eq!(url.durable, "file:///var/lib/sessions");
/// ```
///
/// The clock and the key generator are the durable store's: it decides
/// which keys exist (K4) and when records expire (E5), and this store
/// judges its cached copies by the same clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedDbConfig {
    pub(crate) staleness: Duration,
    pub(crate) cache_max_bytes: Option<u64>,
}

impl Default for CachedDbConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl CachedDbConfig {
    /// The defaults: a staleness bound of [`DEFAULT_STALENESS`] and no
    /// cache size (the cache tier's own default).
    pub fn new() -> Self {
        Self {
            staleness: DEFAULT_STALENESS,
            cache_max_bytes: None,
        }
    }

    /// Serves a cached copy for at most `staleness` after it was written or
    /// read from the durable store (and never past the record's expiry).
    /// Must be above zero.
    pub fn with_staleness(mut self, staleness: Duration) -> Self {
        self.staleness = staleness;
        self
    }

    /// The size the cache tier should be built with, in bytes. This store
    /// does not build its cache tier; the `session-stores` catalog reads
    /// it from `?cache_max_bytes=N` and sizes its moka cache with it.
    pub fn with_cache_max_bytes(mut self, bytes: u64) -> Self {
        self.cache_max_bytes = Some(bytes);
        self
    }

    /// The staleness bound.
    pub fn staleness(&self) -> Duration {
        self.staleness
    }

    /// The cache size asked for, if any.
    pub fn cache_max_bytes(&self) -> Option<u64> {
        self.cache_max_bytes
    }

    /// Reads `cached-db+<durable URL>` (or `cached_db+`): this backend's
    /// parameters, `staleness` (seconds, decimals allowed) and
    /// `cache_max_bytes`, are taken out of the query; every other
    /// parameter, and the rest of the URL as written, is the durable
    /// store's URL, for its own parser.
    ///
    /// # Errors
    /// A [`CachedDbUrlError`]: another scheme, no durable URL, a durable URL
    /// that is cached-db again, a repeated or bad parameter of this backend.
    pub fn from_url(url: &str) -> Result<CachedDbUrl, CachedDbUrlError> {
        let url = url.trim();
        let (scheme, durable) = match url.split_once('+') {
            Some((scheme, durable)) if !scheme.contains(':') => (scheme, durable),
            _ => (url.split_once(':').map_or(url, |(scheme, _)| scheme), ""),
        };
        if !is_ours(scheme) {
            return Err(CachedDbUrlError::Scheme(scheme.to_owned()));
        }
        let durable_scheme = durable.split([':', '+']).next().unwrap_or_default().trim();
        if durable_scheme.is_empty() {
            return Err(CachedDbUrlError::MissingInner);
        }
        if is_ours(durable_scheme) {
            return Err(CachedDbUrlError::Nested);
        }
        let (config, durable) = take_parameters(durable)?;
        Ok(CachedDbUrl { config, durable })
    }
}

/// A `cached-db+<durable URL>` read by [`CachedDbConfig::from_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedDbUrl {
    /// This backend's settings.
    pub config: CachedDbConfig,
    /// The durable store's URL, without this backend's parameters.
    pub durable: String,
}

/// [`CachedDbConfig::from_url`].
impl FromStr for CachedDbUrl {
    type Err = CachedDbUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        CachedDbConfig::from_url(url)
    }
}

/// True when `scheme` is one of [`SCHEMES`], in any case.
fn is_ours(scheme: &str) -> bool {
    SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme))
}

/// Takes this backend's parameters out of the query of `durable`, keeping
/// the other parameters exactly as written (percent-encoding included).
fn take_parameters(durable: &str) -> Result<(CachedDbConfig, String), CachedDbUrlError> {
    let mut config = CachedDbConfig::new();
    let Some((base, rest)) = durable.split_once('?') else {
        return Ok((config, durable.to_owned()));
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (rest, None),
    };
    let mut kept = Vec::new();
    let mut seen = Vec::new();
    for piece in query.split('&') {
        let Some((name, value)) = form_urlencoded::parse(piece.as_bytes()).next() else {
            kept.push(piece);
            continue;
        };
        match &*name {
            "staleness" => {
                config.staleness = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                    .ok_or_else(|| CachedDbUrlError::Staleness(value.clone().into_owned()))?;
            }
            "cache_max_bytes" => {
                let bytes = value
                    .parse()
                    .map_err(|source| CachedDbUrlError::CacheMaxBytes {
                        value: value.clone().into_owned(),
                        source,
                    })?;
                config.cache_max_bytes = Some(bytes);
            }
            _ => {
                kept.push(piece);
                continue;
            }
        }
        if seen.contains(&name) {
            return Err(CachedDbUrlError::Repeated(name.into_owned()));
        }
        seen.push(name);
    }
    let mut out = base.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    Ok((config, out))
}
