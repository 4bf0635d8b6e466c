//! [`MemoryHarness`]: the harness of session-core's reference store.

use async_trait::async_trait;
use session_core::{MemoryStore, SessionKey};

use crate::harness::{Corruption, Ctx, Harness, Skip};

/// Opens a fresh [`MemoryStore`] per context: the reference the
/// differential check compares every backend with.
///
/// `MemoryStore` is not durable, so every [`open`](Harness::open) starts
/// empty, even with the same namespace.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryHarness;

#[async_trait]
impl Harness for MemoryHarness {
    type Store = MemoryStore;

    fn name(&self) -> &'static str {
        "memory"
    }

    async fn open(&self, ctx: &Ctx) -> Result<MemoryStore, Skip> {
        Ok(MemoryStore::new()
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone()))
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable("keeps typed records, nothing encoded to corrupt")
    }
}
