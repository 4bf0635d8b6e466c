//! The conformance harness of the cache store, behind the `testing` feature.
//!
//! ```toml
//! [dev-dependencies]
//! session-backend-cache = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Then `session_conformance::suite!(session_backend_cache::testing::CacheHarness::default());`
//! runs the whole suite, and `session_conformance::run` runs it from a
//! program (the `session-stores` catalog builds the harness from a URL).

use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

use crate::NAME;
use crate::config::CacheConfig;
use crate::store::CacheStore;

/// Opens a cache store built from its [`CacheConfig`] on the suite's clock
/// and key generator. Every open is a new, empty cache: the store is
/// in-process and not durable, which its capabilities say, so the suite
/// switches off the reopen and cross-process checks.
#[derive(Debug, Clone, Default)]
pub struct CacheHarness {
    config: CacheConfig,
}

impl CacheHarness {
    /// A harness opening stores with `config` (its bound and eviction
    /// grace); the clock and key generator are always the suite's.
    pub fn new(config: CacheConfig) -> Self {
        Self { config }
    }
}

#[session_conformance::async_trait]
impl Harness for CacheHarness {
    type Store = CacheStore;

    fn name(&self) -> &'static str {
        NAME
    }

    async fn open(&self, ctx: &Ctx) -> Result<CacheStore, Skip> {
        let store = self
            .config
            .clone()
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone())
            .build();
        Ok(store.unwrap_or_else(|e| panic!("the harness's cache configuration is invalid: {e}")))
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable("keeps typed records, nothing encoded to corrupt")
    }
}
