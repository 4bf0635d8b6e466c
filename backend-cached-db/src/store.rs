//! [`CachedDbStore`]: a cache tier in front of a durable store.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use session_core::{
    CacheTier, Cached, Capabilities, Error, Operation, Record, Result, SessionKey, SessionStore,
    SharedClock,
};

use crate::NAME;
use crate::config::CachedDbConfig;
use crate::error::{CachedDbError, Tier, from_tier};

/// Number of write counters keys are spread over (see [`CachedDbStore`]).
const STRIPES: usize = 256;

/// Django's `cached_db`: sessions live in a durable store `D` (a database,
/// files) and copies of them in a cache tier `C` (moka in this process,
/// Redis), generic over both.
///
/// - **Load**: the cache, else the durable store, whose record is then
///   copied into the cache until the earlier of its expiry and the
///   staleness bound. A failing cache counts as a miss (logged).
/// - **Create**: the durable store draws the key and decides collisions
///   (K4), then the copy goes to the cache.
/// - **Save**: the durable store first; its update-if-present decides
///   (L1), so a save through any instance can never undo a delete made
///   through another. Then the cache; a failing cache is logged and does
///   not fail the save, which the durable store holds. A save the durable
///   store calls *interrupted* drops the copy.
/// - **Delete**: the durable store, then the cache; a failing cache fails
///   the delete, since the copy may still be served.
/// - **exists** and **clear_expired**: the durable store alone, which is
///   exact across processes (L5); cached copies expire by themselves.
///
/// **Across processes**, each instance's cache may serve a copy that
/// another instance has since updated or deleted, for at most the
/// staleness bound ([`CachedDbConfig::with_staleness`], five seconds by
/// default). **Within one instance** there is no such window: a copy that
/// a concurrent save or delete of the same key may have overtaken is
/// dropped again (each key's writes are counted, and a copy is kept only if
/// no other write of that key happened between the durable call and the
/// cache write).
///
/// The clock is the durable store's; errors name this backend, with the
/// tier and its own error in the context and as the source (R1).
pub struct CachedDbStore<C, D> {
    cache: C,
    durable: D,
    staleness: Duration,
    writes: Box<[AtomicU64]>,
    all_writes: AtomicU64,
}

impl CachedDbConfig {
    /// Builds the store: `cache` in front of `durable`.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// staleness bound is zero, or `durable` is a client-side store (its
    /// key is the data: nothing to cache).
    pub fn build<C: CacheTier, D: SessionStore>(
        self,
        cache: C,
        durable: D,
    ) -> Result<CachedDbStore<C, D>> {
        if self.staleness.is_zero() {
            return Err(CachedDbError::ZeroStaleness.into_core(Operation::Open));
        }
        if !durable.capabilities().server_side {
            let name = durable.name().to_owned();
            return Err(CachedDbError::ClientSide(name).into_core(Operation::Open));
        }
        Ok(CachedDbStore {
            cache,
            durable,
            staleness: self.staleness,
            writes: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            all_writes: AtomicU64::new(0),
        })
    }
}

impl<C: CacheTier, D: SessionStore> CachedDbStore<C, D> {
    /// The cache tier.
    pub fn cache(&self) -> &C {
        &self.cache
    }

    /// The durable store.
    pub fn durable(&self) -> &D {
        &self.durable
    }

    /// The staleness bound.
    pub fn staleness(&self) -> Duration {
        self.staleness
    }

    /// The write counter of `key`'s stripe.
    fn writes_of(&self, key: &SessionKey) -> &AtomicU64 {
        let hash = key.as_str().bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        &self.writes[hash % STRIPES]
    }

    /// The copy of `record` to cache now: until its expiry or the
    /// staleness bound, whichever comes first.
    fn copy(&self, record: &Record) -> Cached {
        let bound = self.durable.clock().now() + self.staleness;
        Cached {
            record: record.clone(),
            until: record.expires_at.min(bound),
        }
    }

    /// Puts a copy of `record` into the cache (or, when that fails, drops
    /// any older copy), and drops it again unless
    /// `key`'s write count is still `expected`: another save or delete of
    /// the key may have reached the durable store after ours, and its copy
    /// or removal may have come before ours. Failures are logged.
    async fn fill(&self, key: &SessionKey, record: &Record, expected: u64, operation: Operation) {
        if let Err(error) = self.cache.put(key, self.copy(record)).await {
            log_cache_failure(operation, &error);
            // An older copy must not be served in this one's place.
            self.drop_copy(key, operation).await;
            return;
        }
        if self.writes_of(key).load(Ordering::SeqCst) != expected {
            self.drop_copy(key, operation).await;
        }
    }

    /// Counts a write of `key` that may leave a cached copy stale, and
    /// returns the key's count after it.
    fn count_write(&self, key: &SessionKey) -> u64 {
        self.all_writes.fetch_add(1, Ordering::SeqCst);
        self.writes_of(key).fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Drops the copy under `key`, logging a failure.
    async fn drop_copy(&self, key: &SessionKey, operation: Operation) {
        if let Err(error) = self.cache.remove(key).await {
            log_cache_failure(operation, &error);
        }
    }
}

/// Logs a failure of the cache tier that the call survives.
fn log_cache_failure(operation: Operation, error: &Error) {
    tracing::error!(
        target: "session::store",
        backend = NAME,
        operation = operation.as_str(),
        %error,
        "cache tier failed; the durable tier decides"
    );
}

/// Keys are secrets: show only the store's shape.
impl<C: fmt::Debug, D: fmt::Debug> fmt::Debug for CachedDbStore<C, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedDbStore")
            .field("cache", &self.cache)
            .field("durable", &self.durable)
            .field("staleness", &self.staleness)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<C: CacheTier, D: SessionStore> SessionStore for CachedDbStore<C, D> {
    fn name(&self) -> &str {
        NAME
    }

    /// The durable store's, except that the pair is shared across
    /// processes only when the cache is too: with a cache in each process,
    /// the processes see each other's writes within the staleness bound,
    /// not at once. L1 and K4 hold across processes either way (the
    /// durable store decides).
    fn capabilities(&self) -> Capabilities {
        let durable = self.durable.capabilities();
        Capabilities {
            shared_across_processes: durable.shared_across_processes
                && self.cache.shared_across_processes(),
            ..durable
        }
    }

    fn clock(&self) -> &SharedClock {
        self.durable.clock()
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        if !key.is_server_key() {
            return self.durable.load(key).await.map_err(durable);
        }
        match self.cache.get(key).await {
            Ok(Some(copy)) if copy.is_fresh_at(self.durable.clock().now()) => {
                return Ok(Some(copy.record));
            }
            Ok(_) => {}
            Err(error) => log_cache_failure(Operation::Load, &error),
        }
        let seen = self.writes_of(key).load(Ordering::SeqCst);
        let loaded = self.durable.load(key).await.map_err(durable)?;
        if let Some(record) = &loaded {
            self.fill(key, record, seen, Operation::Load).await;
        }
        Ok(loaded)
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        // The key is unknown until the durable store has drawn it, so a
        // write of it that overtakes this create (possible only with a
        // forced key) is caught by the count of all writes.
        let before = self.all_writes.load(Ordering::SeqCst);
        let key = self.durable.create(record).await.map_err(durable)?;
        let seen = self.writes_of(&key).load(Ordering::SeqCst);
        if self.all_writes.load(Ordering::SeqCst) == before {
            self.fill(&key, record, seen, Operation::Create).await;
        }
        Ok(key)
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        if !key.is_server_key() {
            return self.durable.save(key, record).await.map_err(durable);
        }
        let seen = self.writes_of(key).load(Ordering::SeqCst);
        match self.durable.save(key, record).await {
            Ok(saved) => {
                let mine = self.count_write(key);
                if mine == seen + 1 {
                    // Ours is the only write of the key since `seen`.
                    self.fill(key, record, mine, Operation::Save).await;
                } else {
                    self.drop_copy(key, Operation::Save).await;
                }
                Ok(saved)
            }
            Err(error) if error.is_interrupted() => {
                // Gone from the durable store: no copy may outlive it here.
                self.count_write(key);
                self.drop_copy(key, Operation::Save).await;
                Err(durable(error))
            }
            Err(error) => Err(durable(error)),
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        self.durable.exists(key).await.map_err(durable)
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        self.durable.delete(key).await.map_err(durable)?;
        if key.is_server_key() {
            self.count_write(key);
            self.cache
                .remove(key)
                .await
                .map_err(|e| from_tier(Tier::Cache, e))?;
        }
        Ok(())
    }

    async fn clear_expired(&self) -> Result<u64> {
        self.durable.clear_expired().await.map_err(durable)
    }
}

/// An error of the durable tier as this backend's.
fn durable(error: Error) -> Error {
    from_tier(Tier::Durable, error)
}
