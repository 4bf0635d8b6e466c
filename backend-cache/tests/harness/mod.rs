//! The conformance harness of the cache store.

use session_backend_cache::{CacheConfig, CacheStore};
use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

/// Opens a cache store on the suite's clock and key generator. Every open
/// is a new, empty cache: the store is in-process and not durable, which its
/// capabilities say, so the suite switches off the reopen and
/// cross-process checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheHarness;

#[session_conformance::async_trait]
impl Harness for CacheHarness {
    type Store = CacheStore;

    fn name(&self) -> &'static str {
        "cache"
    }

    async fn open(&self, ctx: &Ctx) -> Result<CacheStore, Skip> {
        Ok(CacheConfig::new()
            .clock(ctx.shared_clock())
            .key_generator(ctx.keys.clone())
            .build()
            .expect("the default cache configuration is valid"))
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable("keeps typed records, nothing encoded to corrupt")
    }
}
