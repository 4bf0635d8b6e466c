//! [`CacheStore`]: sessions in a byte-bounded moka cache in this process.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::Expiry;
use moka::future::Cache;
use moka::ops::compute::{CompResult, Op};
use moka::policy::EvictionPolicy;
use session_core::store::insert_with_fresh_key;
use session_core::{
    Cached, Capabilities, Error, Operation, Record, Result, SessionKey, SessionStore, SharedClock,
    SharedKeyGenerator,
};

use crate::NAME;
use crate::config::CacheConfig;
use crate::error::CacheError;
use crate::weight::{Weighed, record_weight};

/// Longest time-to-live handed to moka's timer (about 100 years); records
/// that expire later are simply kept until evicted or deleted.
const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Sessions held in memory by a [`moka::future::Cache`], bounded by their
/// total estimated size.
///
/// - **Atomic.** `create` is an insert-if-absent and `save` an
///   update-if-present, each decided and written under moka's per-key
///   compute lock, and `delete` goes through the same lock: a save can never
///   undo a concurrent delete (L1), two creates can never both win a key (K4).
/// - **Expiry (E5).** Every decision compares `Record::expires_at` with the
///   injected clock. moka's timer, which runs on real time, only frees
///   memory, a grace period after the record's expiry.
/// - **Zero-copy loads.** Records are stored as they are: a load returns the
///   same `Arc` of data every time, never a deep copy or a decode.
/// - **In this process only.** Data is lost when the process ends and is not
///   shared between processes; under memory pressure the least recently
///   used sessions are evicted.
///
/// Clones share the same cache.
#[derive(Clone)]
pub struct CacheStore {
    /// A session's record is held with `until` at its expiry; a copy held
    /// as a cache tier ([`CacheTier`](session_core::CacheTier), `tier.rs`)
    /// may have an earlier `until`. Each carries its weight.
    pub(crate) cache: Cache<SessionKey, Weighed>,
    clock: SharedClock,
    keys: SharedKeyGenerator,
    max_bytes: u64,
}

impl CacheStore {
    /// A store with the default configuration (64 MiB, system clock, random keys).
    pub fn new() -> Self {
        Self::from_config(CacheConfig::new())
    }

    /// A configuration builder; see [`CacheConfig`].
    pub fn builder() -> CacheConfig {
        CacheConfig::new()
    }

    fn from_config(config: CacheConfig) -> Self {
        let expiry = RecordExpiry {
            clock: config.clock.clone(),
            grace: config.eviction_grace,
        };
        let cache = Cache::builder()
            .max_capacity(config.max_bytes.max(1))
            .weigher(|_, entry: &Weighed| entry.weight)
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(expiry)
            .build();
        Self {
            cache,
            clock: config.clock,
            keys: config.keys,
            max_bytes: config.max_bytes.max(1),
        }
    }

    /// The bound on the total estimated size, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The estimated total size of the entries held, live or expired, in
    /// bytes. Approximate until [`run_pending_tasks`](Self::run_pending_tasks).
    pub fn weighted_size(&self) -> u64 {
        self.cache.weighted_size()
    }

    /// How many entries are held, live or expired. Approximate until
    /// [`run_pending_tasks`](Self::run_pending_tasks).
    pub fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Runs moka's pending maintenance now: applies evictions and frees
    /// entries its timer has expired.
    pub async fn run_pending_tasks(&self) {
        self.cache.run_pending_tasks().await;
    }

    /// `cached` with its weight under `key`, or `TooLarge` for a copy that
    /// alone exceeds the whole bound: moka would evict it at once, silently
    /// losing an acknowledged write.
    pub(crate) fn weigh(
        &self,
        key: &SessionKey,
        cached: Cached,
        operation: Operation,
    ) -> Result<Weighed> {
        let weight = record_weight(key, &cached.record);
        if u64::from(weight) > self.max_bytes {
            return Err(self.too_large(u64::from(weight), operation));
        }
        Ok(Weighed { cached, weight })
    }

    fn too_large(&self, weight: u64, operation: Operation) -> Error {
        CacheError::TooLarge {
            weight,
            max_bytes: self.max_bytes,
        }
        .into_core(operation)
    }

    /// The live record under `key`, judged by the injected clock.
    async fn live(&self, key: &SessionKey) -> Option<Record> {
        if !key.is_server_key() {
            return None;
        }
        let entry = self.cache.get(key).await?.cached;
        entry.is_fresh_at(self.clock.now()).then_some(entry.record)
    }

    /// Inserts `entry` under `key` unless a live record holds it; true when inserted.
    async fn insert_if_absent(&self, key: SessionKey, entry: Weighed) -> bool {
        let clock = &self.clock;
        let result = self
            .cache
            .entry(key)
            .and_compute_with(|current| {
                let op = match current {
                    Some(held) if held.value().cached.is_fresh_at(clock.now()) => Op::Nop,
                    _ => Op::Put(entry),
                };
                std::future::ready(op)
            })
            .await;
        matches!(
            result,
            CompResult::Inserted(_) | CompResult::ReplacedWith(_)
        )
    }
}

impl Default for CacheStore {
    fn default() -> Self {
        Self::new()
    }
}

impl CacheConfig {
    /// Builds the store.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when `max_bytes` is zero.
    pub fn build(self) -> Result<CacheStore> {
        if self.max_bytes == 0 {
            return Err(CacheError::ZeroCapacity.into_core(Operation::Open));
        }
        Ok(CacheStore::from_config(self))
    }
}

/// Keys are secrets: show only the store's shape.
impl fmt::Debug for CacheStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheStore")
            .field("max_bytes", &self.max_bytes)
            .field("entries", &self.cache.entry_count())
            .field("weighted_size", &self.cache.weighted_size())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for CacheStore {
    fn name(&self) -> &str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::IN_PROCESS
    }

    fn clock(&self) -> &SharedClock {
        &self.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        Ok(self.live(key).await)
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Create, NAME)?;
        insert_with_fresh_key(NAME, &*self.keys, |key| async move {
            let entry = self.weigh(&key, whole(record), Operation::Create)?;
            Ok(self.insert_if_absent(key, entry).await)
        })
        .await
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, NAME)?;
        if !key.is_server_key() {
            return Err(Error::interrupted(Operation::Save, NAME));
        }
        // Liveness first, then size, both under the key's compute lock: a
        // session that has vanished is *interrupted* (L1) whatever its size,
        // and an oversized save of a live one leaves it as it was.
        let weighed = self.weigh(key, whole(record), Operation::Save);
        let mut refused = None;
        let clock = &self.clock;
        let result = self
            .cache
            .entry(key.clone())
            .and_compute_with(|current| {
                let op = match current {
                    Some(entry) if entry.value().cached.is_fresh_at(clock.now()) => match weighed {
                        Ok(entry) => Op::Put(entry),
                        Err(too_large) => {
                            refused = Some(too_large);
                            Op::Nop
                        }
                    },
                    // Expired but not yet freed: it is gone for the contract,
                    // so free it now.
                    Some(_) => Op::Remove,
                    None => Op::Nop,
                };
                std::future::ready(op)
            })
            .await;
        match result {
            CompResult::ReplacedWith(_) => Ok(key.clone()),
            _ => Err(refused.unwrap_or_else(|| Error::interrupted(Operation::Save, NAME))),
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        Ok(self.live(key).await.is_some())
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        if key.is_server_key() {
            // Through the compute lock, not `invalidate`: moka's plain
            // invalidation does not wait for a compute in progress, so a save
            // that had already decided to write could put the record back.
            self.cache
                .entry(key.clone())
                .and_compute_with(|_| std::future::ready(Op::Remove))
                .await;
        }
        Ok(())
    }

    async fn clear_expired(&self) -> Result<u64> {
        let now = self.clock.now();
        let expired: Vec<SessionKey> = self
            .cache
            .iter()
            .filter(|(_, entry)| !entry.cached.is_fresh_at(now))
            .map(|(key, _)| SessionKey::clone(&key))
            .collect();
        let mut removed = 0;
        for key in expired {
            // Re-checked under the key's lock: a record that a concurrent
            // create replaced with a live one since the scan stays.
            let clock = &self.clock;
            let result = self
                .cache
                .entry(key)
                .and_compute_with(|current| {
                    let op = match current {
                        Some(entry) if !entry.value().cached.is_fresh_at(clock.now()) => Op::Remove,
                        _ => Op::Nop,
                    };
                    std::future::ready(op)
                })
                .await;
            if matches!(result, CompResult::Removed(_)) {
                removed += 1;
            }
        }
        self.cache.run_pending_tasks().await;
        Ok(removed)
    }
}

/// A session's record as this store holds it: served until its expiry.
fn whole(record: &Record) -> Cached {
    Cached {
        record: record.clone(),
        until: record.expires_at,
    }
}

/// moka's per-entry timer: frees an entry a grace period after its `until`
/// (at the latest the record's `expires_at`) as seen by the injected clock.
struct RecordExpiry {
    clock: SharedClock,
    grace: Duration,
}

impl RecordExpiry {
    fn ttl(&self, entry: &Weighed) -> Duration {
        let entry = &entry.cached;
        let remaining = entry.until.min(entry.record.expires_at) - self.clock.now();
        let remaining = if remaining.is_positive() {
            Duration::try_from(remaining).unwrap_or(MAX_TTL)
        } else {
            Duration::ZERO
        };
        remaining.saturating_add(self.grace).min(MAX_TTL)
    }
}

impl Expiry<SessionKey, Weighed> for RecordExpiry {
    fn expire_after_create(
        &self,
        _key: &SessionKey,
        entry: &Weighed,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(self.ttl(entry))
    }

    fn expire_after_update(
        &self,
        _key: &SessionKey,
        entry: &Weighed,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(self.ttl(entry))
    }
}
