//! The shared conformance suite on cached-db: moka in front of each
//! durable store available. A new durable store is one more line.

use session_backend_cache::{CacheConfig, CacheStore};
use session_backend_cached_db::testing::CachedDbHarness;
use session_backend_db::testing::DbHarness;
use session_backend_file::testing::FileHarness;
use session_conformance::{Ctx, MemoryHarness};

/// moka on the check's clock: one new cache per opened store.
fn moka(ctx: &Ctx) -> CacheStore {
    CacheConfig::new()
        .with_clock(ctx.shared_clock())
        .build()
        .expect("the default cache configuration")
}

session_conformance::suite!(over_file => CachedDbHarness::new(FileHarness::default(), moka));
session_conformance::suite!(over_memory => CachedDbHarness::new(MemoryHarness, moka));
session_conformance::suite!(over_sqlite => CachedDbHarness::new(DbHarness::default(), moka));
// Skipped when SESSION_TEST_POSTGRES_URL is unset, failed when
// SESSION_TEST_REQUIRE names `postgres`.
session_conformance::suite!(over_postgres => CachedDbHarness::new(DbHarness::postgres(), moka));
