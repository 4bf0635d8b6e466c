//! [`MemoryStore`]: the reference implementation of [`SessionStore`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use crate::capability::Capabilities;
use crate::clock::{SharedClock, SystemClock};
use crate::error::{Error, Operation, Result};
use crate::key::{RandomKeys, SessionKey, SharedKeyGenerator};
use crate::record::Record;
use crate::store::{SessionStore, insert_with_fresh_key};

/// Sessions in a map in this process: the reference store.
///
/// It keeps every rule of the [`SessionStore`] contract with the simplest
/// possible code (one mutex around a map), which is why the conformance suite
/// uses it as the model other stores are compared with. Records are shared,
/// not copied, on load. Data is lost when the process ends and is not shared
/// between processes; use it for tests, examples and single-process tools.
///
/// Clones share the same map.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    records: Arc<Mutex<HashMap<SessionKey, Record>>>,
    clock: SharedClock,
    keys: SharedKeyGenerator,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store on the system clock with random keys.
    pub fn new() -> Self {
        Self {
            records: Arc::default(),
            clock: SystemClock::shared(),
            keys: RandomKeys::shared(),
        }
    }

    /// Uses `clock` for every expiry decision.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use this to force collisions).
    pub fn with_key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// How many records are held, live or expired.
    pub fn len(&self) -> usize {
        self.records().len()
    }

    /// True when no record is held.
    pub fn is_empty(&self) -> bool {
        self.records().is_empty()
    }

    fn records(&self) -> MutexGuard<'_, HashMap<SessionKey, Record>> {
        // Every critical section leaves the map consistent, so a poisoned
        // lock (a panic elsewhere while holding it) is safe to reuse.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert_if_absent(&self, key: SessionKey, record: &Record) -> bool {
        let now = self.clock.now();
        let mut records = self.records();
        match records.get(&key) {
            Some(existing) if existing.is_live_at(now) => false,
            _ => {
                records.insert(key, record.clone());
                true
            }
        }
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    fn name(&self) -> &str {
        "memory"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::IN_PROCESS
    }

    fn clock(&self) -> &SharedClock {
        &self.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        if !key.is_server_key() {
            return Ok(None);
        }
        let now = self.clock.now();
        Ok(self
            .records()
            .get(key)
            .filter(|r| r.is_live_at(now))
            .cloned())
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Create, self.name())?;
        insert_with_fresh_key(self.name(), &*self.keys, |key| {
            std::future::ready(Ok(self.insert_if_absent(key, record)))
        })
        .await
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, self.name())?;
        let now = self.clock.now();
        let mut records = self.records();
        match records.get_mut(key) {
            Some(existing) if existing.is_live_at(now) => {
                *existing = record.clone();
                Ok(key.clone())
            }
            _ => Err(Error::interrupted(Operation::Save, self.name().to_owned())),
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        let now = self.clock.now();
        Ok(key.is_server_key() && self.records().get(key).is_some_and(|r| r.is_live_at(now)))
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        if key.is_server_key() {
            self.records().remove(key);
        }
        Ok(())
    }

    async fn clear_expired(&self) -> Result<u64> {
        let now = self.clock.now();
        let mut records = self.records();
        let before = records.len();
        records.retain(|_, r| r.is_live_at(now));
        Ok((before - records.len()) as u64)
    }
}
