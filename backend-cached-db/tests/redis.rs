//! cached-db with Redis as the cache tier over PostgreSQL: the whole
//! conformance suite, and two instances (two processes) over the pair.
//!
//! The tier is shared, so unlike a cache per process (`coherence.rs`) there
//! is no staleness window for deletes and saves made through the store:
//! a logout or an update through one instance is seen by the other at
//! once, and a late copy never outlives a removal (the tier's tombstones).
//!
//! Needs `SESSION_TEST_POSTGRES_URL` and `SESSION_TEST_REDIS_URL`; skipped
//! with one line when either is unset, a failure instead when
//! `SESSION_TEST_REQUIRE` lists `cached-db-redis`.

use std::sync::Arc;

use session_backend_cached_db::CachedDbStore;
use session_backend_cached_db::testing::CachedDbHarness;
use session_backend_db::DbStore;
use session_backend_db::testing::DbHarness;
use session_backend_redis::testing::{REDIS_URL_VAR, RedisHarness};
use session_backend_redis::{RedisConfig, RedisStore};
use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::serde_json::{Value, json};
use session_core::{CacheTier, Clock, ErrorKind, Record, SessionKey, SessionStore, time};
use tokio::task::JoinSet;

/// The prefix of the tier's copies.
const TIER_PREFIX: &str = "session-cache:";

/// The Redis harness whose per-check configuration the tier uses (and
/// whose cleanup drops the check's copies), or why there is none.
fn redis() -> Result<RedisHarness, Skip> {
    let url = session_conformance::env_url(REDIS_URL_VAR)
        .ok_or_else(|| Skip(format!("{REDIS_URL_VAR} is not set")))?;
    Ok(RedisHarness::new(
        RedisConfig::new(url).with_prefix(TIER_PREFIX),
    ))
}

/// The tier of one opened store: Redis under the check's prefix.
fn tier(ctx: &Ctx) -> RedisStore {
    let harness = redis().expect("checked by open");
    let config = harness.config(ctx).expect("checked by open");
    config.build().expect("a redis tier")
}

type Inner = CachedDbHarness<DbHarness, fn(&Ctx) -> RedisStore, RedisStore>;

/// [`CachedDbHarness`] with Redis in front of PostgreSQL, skipped when
/// either server is not configured.
struct RedisOverPostgres(Inner);

impl Default for RedisOverPostgres {
    fn default() -> Self {
        Self(CachedDbHarness::new(DbHarness::postgres(), tier))
    }
}

#[session_conformance::async_trait]
impl Harness for RedisOverPostgres {
    type Store = CachedDbStore<RedisStore, DbStore>;

    fn name(&self) -> &'static str {
        "cached-db-redis"
    }

    async fn open(&self, ctx: &Ctx) -> Result<Self::Store, Skip> {
        redis()?;
        self.0.open(ctx).await
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        self.0.corrupt(ctx, key).await
    }

    async fn cleanup(&self, ctx: &Ctx) {
        self.0.cleanup(ctx).await;
        if let Ok(redis) = redis() {
            redis.cleanup(ctx).await;
        }
    }
}

session_conformance::suite!(redis_over_postgres => RedisOverPostgres::default());

/// Two instances, as two processes: each its own store values over one
/// PostgreSQL table and one Redis prefix, on one mock clock.
struct Pair {
    a: Arc<CachedDbStore<RedisStore, DbStore>>,
    b: Arc<CachedDbStore<RedisStore, DbStore>>,
    ctx: Ctx,
    harness: RedisOverPostgres,
}

impl Pair {
    /// `None` (after one printed line) when a server is not configured.
    async fn open() -> Option<Self> {
        let harness = RedisOverPostgres::default();
        let ctx = Ctx::new();
        let a = match harness.open(&ctx).await {
            Ok(store) => Arc::new(store),
            Err(skip) => {
                assert!(
                    !session_conformance::required(harness.name()),
                    "{skip} and SESSION_TEST_REQUIRE lists {}",
                    harness.name()
                );
                println!("skipped: {}: {skip}", harness.name());
                return None;
            }
        };
        let b = Arc::new(harness.open(&ctx).await.unwrap());
        Some(Self { a, b, ctx, harness })
    }

    async fn close(self) {
        self.harness.cleanup(&self.ctx).await;
    }

    fn record(&self, value: Value) -> Record {
        let data = json!({ "v": value });
        Record::new(
            data.as_object().unwrap().clone(),
            self.ctx.clock.now() + time::Duration::days(14),
        )
    }
}

fn value(record: Option<Record>) -> Option<Value> {
    record.map(|r| r.data["v"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pair_is_shared_across_processes() {
    let Some(pair) = Pair::open().await else {
        return;
    };
    assert!(pair.a.capabilities().shared_across_processes);
    assert!(pair.a.cache().shared_across_processes());
    pair.close().await;
}

/// A logout through A is refused by B at once: the shared copy is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_through_one_instance_reaches_the_other_at_once() {
    let Some(pair) = Pair::open().await else {
        return;
    };
    let key = pair.a.create(&pair.record(json!(1))).await.unwrap();
    assert_eq!(value(pair.b.load(&key).await.unwrap()), Some(json!(1)));
    assert!(
        CacheTier::get(pair.b.cache(), &key)
            .await
            .unwrap()
            .is_some()
    );
    pair.a.delete(&key).await.unwrap();
    assert!(pair.b.load(&key).await.unwrap().is_none());
    assert!(!pair.b.exists(&key).await.unwrap());
    pair.close().await;
}

/// An update through A is read by B at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_through_one_instance_reaches_the_other_at_once() {
    let Some(pair) = Pair::open().await else {
        return;
    };
    let key = pair.a.create(&pair.record(json!(1))).await.unwrap();
    assert_eq!(value(pair.b.load(&key).await.unwrap()), Some(json!(1)));
    pair.a.save(&key, &pair.record(json!(2))).await.unwrap();
    assert_eq!(value(pair.b.load(&key).await.unwrap()), Some(json!(2)));
    pair.close().await;
}

/// L1 across the pair: B's save after A's logout is interrupted by
/// PostgreSQL and writes nothing to either tier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_through_the_other_instance_never_undoes_a_logout() {
    let Some(pair) = Pair::open().await else {
        return;
    };
    let key = pair.a.create(&pair.record(json!(1))).await.unwrap();
    assert!(pair.b.load(&key).await.unwrap().is_some());
    pair.a.delete(&key).await.unwrap();
    let err = pair
        .b
        .save(&key, &pair.record(json!("stale")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted);
    assert!(pair.a.durable().load(&key).await.unwrap().is_none());
    assert!(
        CacheTier::get(pair.a.cache(), &key)
            .await
            .unwrap()
            .is_none()
    );
    assert!(pair.a.load(&key).await.unwrap().is_none());
    assert!(pair.b.load(&key).await.unwrap().is_none());
    pair.close().await;
}

/// Logouts through one instance racing saves through the other: nothing
/// is resurrected, in PostgreSQL or in the shared tier, at once (no bound
/// to wait for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_instance_logout_save_races_resurrect_nothing() {
    const RACES: usize = 200;
    let Some(pair) = Pair::open().await else {
        return;
    };
    let stores = [pair.a.clone(), pair.b.clone()];
    let mut keys = Vec::new();
    for i in 0..RACES {
        keys.push(stores[i % 2].create(&pair.record(json!(i))).await.unwrap());
    }
    let mut set = JoinSet::new();
    for (i, key) in keys.iter().enumerate() {
        let (deleter, saver) = (stores[i % 2].clone(), stores[(i + 1) % 2].clone());
        let (key, rec) = (key.clone(), pair.record(json!("stale")));
        set.spawn(async move {
            if i % 4 < 2 {
                saver.load(&key).await.unwrap();
            }
            let saved = tokio::spawn({
                let key = key.clone();
                async move { saver.save(&key, &rec).await }
            });
            deleter.delete(&key).await.unwrap();
            saved.await.unwrap()
        });
    }
    while let Some(saved) = set.join_next().await {
        if let Err(e) = saved.unwrap() {
            assert_eq!(e.kind(), ErrorKind::Interrupted, "{e}");
        }
    }
    for key in &keys {
        assert!(pair.a.durable().load(key).await.unwrap().is_none());
        for store in &stores {
            assert!(store.load(key).await.unwrap().is_none(), "resurrected");
        }
    }
    pair.close().await;
}
