//! [`CacheConfig`]: how a [`CacheStore`] is built.

use std::time::Duration;

use session_core::{Error, Operation, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock};

use crate::error::CacheError;
use crate::store::CacheStore;

/// Default bound on the total estimated size of the cached sessions: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Default time an entry stays in memory after its `expires_at`, by the
/// real clock, before moka frees it: one minute.
pub const DEFAULT_EVICTION_GRACE: Duration = Duration::from_secs(60);

/// Settings of a [`CacheStore`], built step by step.
///
/// ```
/// use session_backend_cache::CacheConfig;
///
/// let store = CacheConfig::new()
///     .max_bytes(16 * 1024 * 1024)
///     .build()
///     .expect("a non-zero capacity");
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
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use a fixed key to force collisions).
    pub fn key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// Bounds the total estimated size of all cached sessions, in bytes.
    ///
    /// When a new or updated session would push the total over the bound,
    /// the least recently used sessions are evicted (and are then simply
    /// gone: this store is a cache). A single session estimated larger than
    /// the whole bound is refused with [`ErrorKind::TooLarge`](session_core::ErrorKind::TooLarge).
    pub fn max_bytes(mut self, bytes: u64) -> Self {
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
    pub fn eviction_grace(mut self, grace: Duration) -> Self {
        self.eviction_grace = grace;
        self
    }

    /// Builds the store.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when `max_bytes` is zero.
    pub fn build(self) -> Result<CacheStore, Error> {
        if self.max_bytes == 0 {
            return Err(CacheError::ZeroCapacity.into_core(Operation::Open));
        }
        Ok(CacheStore::from_config(self))
    }
}
