//! Cache-specific tests: the byte bound, zero-copy loads, expiry against the
//! injected clock while moka still holds the entry. The races (K4, L1, R2)
//! are the suite's (`tests/conformance.rs`), which runs them on this store.

use std::sync::Arc;

use session_backend_cache::{CacheConfig, CacheStore};
use session_core::key::FixedKey;
use session_core::serde_json::{Map, Value, json};
use session_core::{ErrorKind, MockClock, Record, SessionKey, SessionStore};

const TWO_WEEKS: i64 = 1_209_600;

fn clock() -> MockClock {
    // 2023-11-14T22:13:20Z: tests never depend on the real time.
    MockClock::at_unix(1_700_000_000)
}

fn store(clock: &MockClock, max_bytes: u64) -> CacheStore {
    CacheConfig::new()
        .with_clock(clock.shared())
        .with_max_bytes(max_bytes)
        .build()
        .expect("valid config")
}

fn record(clock: &MockClock, value: Value, ttl_secs: i64) -> Record {
    let mut data = Map::new();
    data.insert("v".to_owned(), value);
    let now = clock.shared().now();
    Record::new(data, now + session_core::time::Duration::seconds(ttl_secs))
}

fn key(raw: &str) -> SessionKey {
    SessionKey::parse(raw).expect("a valid key")
}

/// The byte bound holds: many large sessions into a small cache leave the
/// total weight under the bound, and the newest session is kept (LRU admits).
#[tokio::test]
async fn byte_bound_evicts_least_recently_used() {
    let clock = clock();
    let max = 256 * 1024;
    let store = store(&clock, max);
    let mut last = None;
    for _ in 0..500 {
        let key = store
            .create(&record(&clock, json!("x".repeat(4096)), TWO_WEEKS))
            .await
            .expect("create");
        last = Some(key);
    }
    store.run_pending_tasks().await;
    assert!(
        store.weighted_size() <= max,
        "weight {} over bound {max}",
        store.weighted_size()
    );
    assert!(store.entry_count() < 500, "nothing was evicted");
    assert!(store.entry_count() > 10, "evicted too much");
    let last = last.expect("created");
    assert!(store.load(&last).await.expect("load").is_some());
}

/// A session larger than the whole bound is refused, not accepted and lost.
#[tokio::test]
async fn a_session_larger_than_the_bound_is_too_large() {
    let clock = clock();
    let store = store(&clock, 16 * 1024);
    let big = record(&clock, json!("x".repeat(32 * 1024)), TWO_WEEKS);
    let err = store.create(&big).await.expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    assert_eq!(err.backend(), "cache");

    let small = record(&clock, json!(1), TWO_WEEKS);
    let key = store.create(&small).await.expect("create");
    let err = store.save(&key, &big).await.expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    let kept = store.load(&key).await.expect("load").expect("still there");
    assert_eq!(kept, small, "the previous record is intact (R2)");
    assert!(CacheConfig::new().with_max_bytes(0).build().is_err());
}

/// L1 before size: an oversized save of a session that has vanished
/// (logged out, expired, never stored) is *interrupted*, the error the
/// middleware turns into its "session interrupted" answer, not TooLarge;
/// and it writes nothing.
#[tokio::test]
async fn an_oversized_save_of_a_vanished_session_is_interrupted() {
    let clock = clock();
    let store = store(&clock, 16 * 1024);
    let big = record(&clock, json!("x".repeat(32 * 1024)), TWO_WEEKS);

    let deleted = store
        .create(&record(&clock, json!(1), TWO_WEEKS))
        .await
        .expect("create");
    store.delete(&deleted).await.expect("delete");
    let expired = store
        .create(&record(&clock, json!(2), 60))
        .await
        .expect("create");
    clock.advance_secs(60);
    let never = key("neverstoredneverstoredneverstore");
    for vanished in [&deleted, &expired, &never] {
        let err = store.save(vanished, &big).await.expect_err("vanished");
        assert!(err.is_interrupted(), "{vanished:?}: {err}");
        assert!(store.load(vanished).await.expect("load").is_none());
    }
}

/// Loads hand out the stored `Arc`, never a deep copy.
#[tokio::test]
async fn a_1kb_load_does_not_deep_copy() {
    let clock = clock();
    let store = store(&clock, 1 << 20);
    let saved = record(&clock, json!("y".repeat(1024)), TWO_WEEKS);
    let key = store.create(&saved).await.expect("create");
    let a = store.load(&key).await.expect("load").expect("live");
    let b = store.load(&key).await.expect("load").expect("live");
    assert!(Arc::ptr_eq(&a.data, &b.data));
    assert!(Arc::ptr_eq(&a.data, &saved.data));
}

/// E5: an entry moka still holds but whose `expires_at` has passed on the
/// injected clock is dead for every operation, and `clear_expired` frees it.
#[tokio::test]
async fn expired_entries_still_in_moka_are_dead() {
    let clock = clock();
    let fixed = key("fixedkey00000000fixedkey00000000");
    let store = CacheConfig::new()
        .with_clock(clock.shared())
        .with_key_generator(FixedKey::shared(fixed.clone()))
        .build()
        .expect("config");
    let first = store
        .create(&record(&clock, json!(1), 60))
        .await
        .expect("create");
    assert_eq!(first, fixed);
    // Boundary: live until expires_at, dead at it.
    clock.advance_secs(59);
    assert!(store.exists(&fixed).await.expect("exists"));
    clock.advance_secs(1);
    assert_eq!(
        store.entry_count_after_sync().await,
        1,
        "moka still holds it"
    );
    assert!(store.load(&fixed).await.expect("load").is_none());
    assert!(!store.exists(&fixed).await.expect("exists"));
    let err = store
        .save(&fixed, &record(&clock, json!(2), 60))
        .await
        .expect_err("vanished");
    assert!(err.is_interrupted());

    // An expired entry does not block creation under its key (K4 applies to live ones).
    store
        .create(&record(&clock, json!(3), 60))
        .await
        .expect("create over expired");
    assert_eq!(
        store
            .load(&fixed)
            .await
            .expect("load")
            .map(|r| r.data["v"].clone()),
        Some(json!(3))
    );
    // A live record does block it.
    let err = store
        .create(&record(&clock, json!(4), 60))
        .await
        .expect_err("collision");
    assert_eq!(err.kind(), ErrorKind::KeyCollision);

    clock.advance_secs(60);
    let other = CacheConfig::new()
        .with_clock(clock.shared())
        .build()
        .expect("config");
    let live = other
        .create(&record(&clock, json!(5), 60))
        .await
        .expect("create");
    assert_eq!(store.clear_expired().await.expect("clear"), 1);
    assert_eq!(other.clear_expired().await.expect("clear"), 0);
    assert!(other.exists(&live).await.expect("exists"));
}

/// K2: keys that are not server keys never reach the cache.
#[tokio::test]
async fn invalid_keys_are_unknown() {
    let clock = clock();
    let store = store(&clock, 1 << 20);
    for raw in ["ABCDEFGHIJKL", "../../etc/passwd", "short", &"a".repeat(41)] {
        let Some(bad) = SessionKey::parse(raw) else {
            continue;
        };
        assert!(store.load(&bad).await.expect("load").is_none());
        assert!(!store.exists(&bad).await.expect("exists"));
        store.delete(&bad).await.expect("delete");
        let err = store
            .save(&bad, &record(&clock, json!(1), 60))
            .await
            .expect_err("interrupted");
        assert!(err.is_interrupted());
    }
    assert_eq!(store.entry_count_after_sync().await, 0);
}

trait SyncCount {
    async fn entry_count_after_sync(&self) -> u64;
}

impl SyncCount for CacheStore {
    async fn entry_count_after_sync(&self) -> u64 {
        self.run_pending_tasks().await;
        self.entry_count()
    }
}
