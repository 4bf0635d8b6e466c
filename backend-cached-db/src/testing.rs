//! The conformance harness of the cached-db store, behind the `testing`
//! feature: any cache tier in front of any durable store's harness.
//!
//! ```toml
//! [dev-dependencies]
//! session-backend-cached-db = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Then, with moka in front of files:
//!
//! ```
//! use session_backend_cache::{CacheConfig, CacheStore};
//! use session_backend_cached_db::testing::CachedDbHarness;
//! use session_backend_file::testing::FileHarness;
//! use session_conformance::Ctx;
//!
//! fn moka(ctx: &Ctx) -> CacheStore {
//!     CacheConfig::new().with_clock(ctx.shared_clock()).build().expect("a cache")
//! }
//! session_conformance::suite!(over_file => CachedDbHarness::new(FileHarness::default(), moka));
//! # fn main() {}
//! ```
//!
//! Another durable store is one more line with its harness (as in this
//! crate's `tests/conformance.rs`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::{CacheTier, SessionKey};

use crate::NAME;
use crate::config::CachedDbConfig;
use crate::store::CachedDbStore;

/// Opens a cached-db store per check: a new cache tier from `tier` (each
/// open is a new process, with its own cache) in front of a store of the
/// `durable` harness opened in the same context (so two opens share the
/// durable data, as two processes would).
///
/// [`corrupt`](Harness::corrupt) corrupts the durable record and drops the
/// copies of the context's caches, which a real corruption would leave to
/// the staleness bound.
pub struct CachedDbHarness<D, F, C> {
    durable: D,
    tier: F,
    config: CachedDbConfig,
    caches: Mutex<HashMap<String, Vec<C>>>,
}

impl<D, F, C> CachedDbHarness<D, F, C>
where
    D: Harness,
    F: Fn(&Ctx) -> C + Send + Sync + 'static,
    C: CacheTier + Clone + 'static,
{
    /// A harness over the `durable` harness, building each store's cache
    /// tier with `tier` (on the context's clock), with the default
    /// [`CachedDbConfig`].
    pub fn new(durable: D, tier: F) -> Self {
        Self {
            durable,
            tier,
            config: CachedDbConfig::new(),
            caches: Mutex::new(HashMap::new()),
        }
    }

    /// The same harness building its stores with `config`.
    pub fn with_config(mut self, config: CachedDbConfig) -> Self {
        self.config = config;
        self
    }

    fn caches(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<C>>> {
        // A plain map, consistent after every statement.
        self.caches.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<D: fmt::Debug, F, C> fmt::Debug for CachedDbHarness<D, F, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedDbHarness")
            .field("durable", &self.durable)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[session_conformance::async_trait]
impl<D, F, C> Harness for CachedDbHarness<D, F, C>
where
    D: Harness,
    F: Fn(&Ctx) -> C + Send + Sync + 'static,
    C: CacheTier + Clone + 'static,
{
    type Store = CachedDbStore<C, D::Store>;

    fn name(&self) -> &'static str {
        NAME
    }

    async fn open(&self, ctx: &Ctx) -> Result<Self::Store, Skip> {
        let durable = match self.durable.open(ctx).await {
            Ok(store) => store,
            // The suite fails a required skip by this harness's name; the
            // durable one's (`postgres`) must fail it too.
            Err(Skip(reason)) if session_conformance::required(self.durable.name()) => panic!(
                "{} names `{}` but its store cannot be opened: {reason}",
                session_conformance::REQUIRE_VAR,
                self.durable.name()
            ),
            Err(skip) => return Err(skip),
        };
        let cache = (self.tier)(ctx);
        self.caches()
            .entry(ctx.namespace.clone())
            .or_default()
            .push(cache.clone());
        let store = self.config.clone().build(cache, durable);
        Ok(store
            .unwrap_or_else(|e| panic!("the harness's cached-db configuration is invalid: {e}")))
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        let done = self.durable.corrupt(ctx, key).await;
        let caches = self
            .caches()
            .get(&ctx.namespace)
            .cloned()
            .unwrap_or_default();
        for cache in caches {
            cache
                .remove(key)
                .await
                .unwrap_or_else(|e| panic!("the cache tier cannot drop a copy: {e}"));
        }
        done
    }

    async fn cleanup(&self, ctx: &Ctx) {
        self.caches().remove(&ctx.namespace);
        self.durable.cleanup(ctx).await;
    }
}
