//! [`CacheConfig`]: how a [`CacheStore`] is built.

use std::str::FromStr;
use std::time::Duration;

use session_core::{RandomKeys, SharedClock, SharedKeyGenerator, SystemClock};
use url::Url;

use crate::SCHEMES;
use crate::error::CacheUrlError;

/// Default bound on the total estimated size of the cached sessions: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Default time an entry stays in memory after its `expires_at`, by the
/// real clock, before moka frees it: one minute.
pub const DEFAULT_EVICTION_GRACE: Duration = Duration::from_secs(60);

/// Settings of a [`CacheStore`](crate::CacheStore), built step by step or
/// read from a URL ([`from_url`](Self::from_url)).
///
/// ```
/// use session_backend_cache::CacheConfig;
///
/// let store = CacheConfig::new()
///     .with_max_bytes(16 * 1024 * 1024)
///     .build()
///     .expect("a non-zero capacity");
/// let same = CacheConfig::from_url("cache://?max_bytes=16777216").expect("a cache URL");
/// # let _ = (store, same);
/// ```
#[derive(Debug, Clone)]
pub struct CacheConfig {
    pub(crate) clock: SharedClock,
    pub(crate) keys: SharedKeyGenerator,
    pub(crate) max_bytes: u64,
    pub(crate) eviction_grace: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl CacheConfig {
    /// The defaults: the system clock, random keys (K1), a 64 MiB bound
    /// ([`DEFAULT_MAX_BYTES`]) and a one-minute eviction grace
    /// ([`DEFAULT_EVICTION_GRACE`]).
    pub fn new() -> Self {
        Self {
            clock: SystemClock::shared(),
            keys: RandomKeys::shared(),
            max_bytes: DEFAULT_MAX_BYTES,
            eviction_grace: DEFAULT_EVICTION_GRACE,
        }
    }

    /// Judges every expiry by `clock` (E5). Tests pass a
    /// [`MockClock`](session_core::MockClock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use a fixed key to force collisions).
    pub fn with_key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// Bounds the total estimated size of all cached sessions, in bytes.
    ///
    /// When a new or updated session would push the total over the bound,
    /// the least recently used sessions are evicted (and are then simply
    /// gone: this store is a cache). A single session estimated larger than
    /// the whole bound is refused with [`ErrorKind::TooLarge`](session_core::ErrorKind::TooLarge).
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// How long, by the real clock, an entry stays in memory past its
    /// `expires_at` before moka's timer frees it.
    ///
    /// Correctness never depends on this: every read judges expiry against
    /// the injected clock. The grace only keeps moka's real-time timer from
    /// freeing an entry that an injected clock running behind the real one
    /// (a test clock) still considers live.
    pub fn with_eviction_grace(mut self, grace: Duration) -> Self {
        self.eviction_grace = grace;
        self
    }

    /// The settings a cache URL describes: `cache://` (or `cache:`; `moka`
    /// is an alias) with an optional `?max_bytes=N`; everything else keeps
    /// its default. Query parameters are percent-decoded.
    ///
    /// # Errors
    /// A [`CacheUrlError`] naming what is wrong: another scheme, a host,
    /// user, path or fragment, an unknown or repeated parameter, or a
    /// `max_bytes` that is not a whole number.
    pub fn from_url(url: &str) -> Result<Self, CacheUrlError> {
        let url = parse(url)?;
        let mut config = Self::new();
        let mut seen = Vec::new();
        for (name, value) in url.query_pairs() {
            if seen.contains(&name) {
                return Err(CacheUrlError::Repeated(name.into_owned()));
            }
            match &*name {
                "max_bytes" => {
                    config.max_bytes = value.parse().map_err(|source| CacheUrlError::MaxBytes {
                        value: value.clone().into_owned(),
                        source,
                    })?;
                }
                _ => return Err(CacheUrlError::UnknownParameter(name.into_owned())),
            }
            seen.push(name);
        }
        Ok(config)
    }
}

/// [`CacheConfig::from_url`].
impl FromStr for CacheConfig {
    type Err = CacheUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Self::from_url(url)
    }
}

/// `url` parsed, once its scheme is found in [`SCHEMES`] (and spelled as
/// the first), and checked to hold nothing but a query. A bare `cache`
/// reads as `cache:`.
fn parse(url: &str) -> Result<Url, CacheUrlError> {
    let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
    if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return Err(CacheUrlError::Scheme(scheme.to_owned()));
    }
    let url = Url::parse(&format!("{}:{rest}", SCHEMES[0]))?;
    let located = url.host_str().is_some_and(|host| !host.is_empty())
        || url.port().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || !matches!(url.path(), "" | "/")
        || url.fragment().is_some();
    if located {
        return Err(CacheUrlError::Location);
    }
    Ok(url)
}
