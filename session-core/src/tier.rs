//! [`CacheTier`]: a store that can serve as the cache in front of another
//! store (the cached-db backend), and [`Cached`], the copy it holds.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::Result;
use crate::key::SessionKey;
use crate::record::Record;

/// A copy of a record held by a [`CacheTier`], with the instant until which
/// it may be served.
///
/// `until` is never later than `record.expires_at`: a two-tier store sets it
/// to the earlier of the record's expiry and its own staleness bound, so a
/// copy that another process has since changed or deleted is served for a
/// bounded time only, while `record` keeps its true expiry (D1).
#[derive(Debug, Clone, PartialEq)]
pub struct Cached {
    /// The record, as the tier below stored it.
    pub record: Record,
    /// The instant from which the copy must no longer be served.
    pub until: OffsetDateTime,
}

impl Cached {
    /// True while the copy may be served at `now`: before `until` and
    /// before the record's own expiry (E5).
    pub fn is_fresh_at(&self, now: OffsetDateTime) -> bool {
        self.until > now && self.record.is_live_at(now)
    }
}

/// The cache of a two-tier store: copies of records whose keys another
/// store decided, written and dropped by key.
///
/// The [`SessionStore`](crate::SessionStore) contract cannot serve as a
/// cache: `create` draws its own key and `save` only updates, so it has no
/// way to hold a copy under a key chosen elsewhere, and no way to hold it
/// for less time than the record lives without changing `expires_at`. A
/// store that can be a cache (in-process moka, Redis) implements this trait
/// too.
///
/// Keys reach a tier only after the tier below has accepted them, so a tier
/// need not check them again; it must not fail on a key it does not hold.
#[async_trait]
pub trait CacheTier: Send + Sync + std::fmt::Debug {
    /// The copy held under `key`, if any. The tier may return a copy that
    /// is no longer fresh; the caller checks [`Cached::is_fresh_at`] with
    /// its own clock.
    ///
    /// # Errors
    /// Only when the engine fails.
    async fn get(&self, key: &SessionKey) -> Result<Option<Cached>>;

    /// Holds `cached` under `key`, replacing any copy. The tier may drop it
    /// at any time (capacity) and may free it once `until` has passed.
    ///
    /// # Errors
    /// When the engine fails or the copy is too large for the tier; the
    /// previous copy may then be gone.
    async fn put(&self, key: &SessionKey, cached: Cached) -> Result<()>;

    /// Drops the copy under `key`; a missing copy is not an error.
    ///
    /// # Errors
    /// Only when the engine fails.
    async fn remove(&self, key: &SessionKey) -> Result<()>;

    /// True when every process using the same engine sees the same copies
    /// (Redis), false for a cache in this process (the default).
    fn shared_across_processes(&self) -> bool {
        false
    }
}

/// An `Arc` of a tier is a tier.
#[async_trait]
impl<T: CacheTier + ?Sized> CacheTier for Arc<T> {
    async fn get(&self, key: &SessionKey) -> Result<Option<Cached>> {
        (**self).get(key).await
    }
    async fn put(&self, key: &SessionKey, cached: Cached) -> Result<()> {
        (**self).put(key, cached).await
    }
    async fn remove(&self, key: &SessionKey) -> Result<()> {
        (**self).remove(key).await
    }
    fn shared_across_processes(&self) -> bool {
        (**self).shared_across_processes()
    }
}
