//! Two cached-db instances over one PostgreSQL table, each with its own
//! moka cache and its own connection pool, as two processes would have, on
//! one mock clock: a logout through one is seen by the other within the
//! staleness bound, and a save through the other after it is interrupted.
//! `coherence.rs` tests the same over files; this adds a real database
//! deciding L1 across two pools.
//!
//! Skipped with one line when `SESSION_TEST_POSTGRES_URL` is unset; a
//! failure when `SESSION_TEST_REQUIRE` names `postgres`.

use std::time::Duration;

use session_backend_cache::{CacheConfig, CacheStore};
use session_backend_cached_db::{CachedDbConfig, CachedDbStore, DEFAULT_STALENESS};
use session_backend_db::DbStore;
use session_backend_db::testing::DbHarness;
use session_conformance::{Ctx, Harness, Skip};
use session_core::serde_json::json;
use session_core::{CacheTier, Clock, ErrorKind, Record, SessionStore, time};

type Store = CachedDbStore<CacheStore, DbStore>;

/// One "process" over the context's table: its own pool, its own moka.
async fn instance(harness: &DbHarness, ctx: &Ctx) -> Result<Store, Skip> {
    let durable = harness.open(ctx).await?;
    let cache = CacheConfig::new()
        .with_clock(ctx.shared_clock())
        .build()
        .unwrap();
    Ok(CachedDbConfig::new().build(cache, durable).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_on_one_instance_reaches_the_other_and_its_save_is_interrupted() {
    let harness = DbHarness::postgres();
    let ctx = Ctx::new();
    let (a, b) = match (
        instance(&harness, &ctx).await,
        instance(&harness, &ctx).await,
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(Skip(reason)), _) | (_, Err(Skip(reason))) => {
            assert!(
                !session_conformance::required("postgres"),
                "SESSION_TEST_REQUIRE names `postgres` but: {reason}"
            );
            println!("skipped: postgres: {reason}");
            return;
        }
    };
    let record = |v| {
        let data = json!({ "v": v });
        Record::new(
            data.as_object().unwrap().clone(),
            ctx.clock.now() + time::Duration::days(14),
        )
    };

    let key = a.create(&record(1)).await.unwrap();
    assert_eq!(b.load(&key).await.unwrap().unwrap().data["v"], 1);
    let other = a.create(&record(2)).await.unwrap();
    assert!(b.load(&other).await.unwrap().is_some());

    // A logout through A: gone from the table and from A at once; B's
    // exists asks the table (L5), B's load serves its copy until the bound.
    a.delete(&key).await.unwrap();
    assert!(a.load(&key).await.unwrap().is_none());
    assert!(a.durable().load(&key).await.unwrap().is_none());
    assert!(!b.exists(&key).await.unwrap());
    ctx.clock
        .advance(DEFAULT_STALENESS - Duration::from_micros(1));
    assert!(
        b.load(&key).await.unwrap().is_some(),
        "B's copy is served until the bound: the documented staleness"
    );
    ctx.clock.advance(Duration::from_micros(1));
    assert!(
        b.load(&key).await.unwrap().is_none(),
        "not a microsecond longer"
    );

    // L1 across the pair: B still holds a copy of `other` when A logs it
    // out; B's save is interrupted by PostgreSQL and writes nothing.
    assert!(b.load(&other).await.unwrap().is_some());
    a.delete(&other).await.unwrap();
    let err = b.save(&other, &record(3)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted, "{err}");
    assert_eq!(err.backend(), "cached-db");
    assert!(
        a.durable().load(&other).await.unwrap().is_none(),
        "nothing written"
    );
    assert!(
        CacheTier::get(b.cache(), &other).await.unwrap().is_none(),
        "B's copy dropped"
    );
    assert!(b.load(&other).await.unwrap().is_none());
    assert!(a.load(&other).await.unwrap().is_none());

    drop((a, b));
    harness.cleanup(&ctx).await;
}
