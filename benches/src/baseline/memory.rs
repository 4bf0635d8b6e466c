//! The in-process baselines: a `Mutex<HashMap>` for `memory`, a moka cache
//! for `cache`. Both hold the shared data (`Arc`), as the stores do: no
//! JSON is involved on either side.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use session_core::Data;

use crate::baseline::api::{Baseline, BaselineError, Counter};

/// `memory`'s engine: a `std::sync::Mutex<HashMap>`, the structure
/// `session_core::MemoryStore` keeps its records in.
#[derive(Debug, Default)]
pub struct HashMapBaseline {
    map: Mutex<HashMap<String, Arc<Data>>>,
    keys: Counter,
}

impl HashMapBaseline {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Data>>> {
        // Each call leaves the map consistent.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Baseline for HashMapBaseline {
    fn name(&self) -> &str {
        "Mutex<HashMap> get/insert"
    }
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let key = self.keys.next_key();
        self.map().insert(key.clone(), Arc::clone(data));
        Ok(key)
    }
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        Ok(self.map().get(key).cloned())
    }
    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.map().insert(key.to_owned(), Arc::clone(data));
        Ok(key.to_owned())
    }
    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        self.map().remove(key);
        Ok(())
    }
}

/// `cache`'s engine: a `moka::future::Cache` with no weigher and no expiry
/// policy, `get`, `insert` and `invalidate`.
#[derive(Debug)]
pub struct MokaBaseline {
    cache: moka::future::Cache<String, Arc<Data>>,
    keys: Counter,
}

impl MokaBaseline {
    /// A cache of up to a million entries (never reached by the benches).
    pub fn new() -> Self {
        Self {
            cache: moka::future::Cache::new(1_000_000),
            keys: Counter::default(),
        }
    }
}

impl Default for MokaBaseline {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Baseline for MokaBaseline {
    fn name(&self) -> &str {
        "moka get/insert"
    }
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let key = self.keys.next_key();
        self.cache.insert(key.clone(), Arc::clone(data)).await;
        Ok(key)
    }
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        Ok(self.cache.get(key).await)
    }
    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.cache.insert(key.to_owned(), Arc::clone(data)).await;
        Ok(key.to_owned())
    }
    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        self.cache.invalidate(key).await;
        Ok(())
    }
}
