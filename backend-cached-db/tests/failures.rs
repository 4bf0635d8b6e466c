//! Failing tiers, injected with `ProbeStore`: a failing cache does not fail
//! loads or saves; a failing durable store fails the call and leaves the
//! cache as it was.

use std::sync::Arc;

use session_backend_cache::{CacheConfig, CacheStore};
use session_backend_cached_db::{CachedDbConfig, CachedDbStore};
use session_core::serde_json::{Value, json};
use session_core::testing::ProbeStore;
use session_core::{
    CacheTier, Cached, Clock, ErrorKind, MemoryStore, MockClock, Operation, Record, SessionKey,
    SessionStore, time,
};

type Cache = Arc<ProbeStore<CacheStore>>;
type Durable = Arc<ProbeStore<MemoryStore>>;

struct Setup {
    store: CachedDbStore<Cache, Durable>,
    clock: MockClock,
}

fn setup() -> Setup {
    let clock = MockClock::at_unix(1_700_000_000);
    let cache = CacheConfig::new()
        .with_clock(clock.shared())
        .build()
        .unwrap();
    let durable = MemoryStore::new().with_clock(clock.shared());
    let store = CachedDbConfig::new()
        .build(
            ProbeStore::new(Arc::new(cache)),
            ProbeStore::new(Arc::new(durable)),
        )
        .unwrap();
    Setup { store, clock }
}

impl Setup {
    fn record(&self, value: Value) -> Record {
        let data = json!({ "v": value });
        Record::new(
            data.as_object().unwrap().clone(),
            self.clock.now() + time::Duration::days(1),
        )
    }

    /// The copy in the cache, read past the probe.
    async fn copy(&self, key: &SessionKey) -> Option<Cached> {
        CacheTier::get(self.store.cache().inner().as_ref(), key)
            .await
            .unwrap()
    }

    /// The durable record, read past the probe and the cache.
    async fn stored(&self, key: &SessionKey) -> Option<Record> {
        self.store.durable().inner().load(key).await.unwrap()
    }
}

#[tokio::test]
async fn a_failing_cache_does_not_fail_a_save() {
    let s = setup();
    let key = s.store.create(&s.record(json!(1))).await.unwrap();
    s.store.cache().fail_next(Operation::Save);
    s.store.save(&key, &s.record(json!(2))).await.unwrap();
    assert_eq!(s.store.cache().injected_failures(), 1);
    assert_eq!(s.stored(&key).await.unwrap().data["v"], json!(2));
    assert!(s.copy(&key).await.is_none(), "the older copy is dropped");
    assert_eq!(
        s.store.load(&key).await.unwrap().unwrap().data["v"],
        json!(2)
    );
}

#[tokio::test]
async fn a_failing_cache_does_not_fail_a_create_or_a_load() {
    let s = setup();
    s.store.cache().fail_next(Operation::Save);
    let key = s.store.create(&s.record(json!(1))).await.unwrap();
    assert!(s.copy(&key).await.is_none(), "the copy failed");

    s.store.cache().fail_next(Operation::Load);
    let loaded = s.store.load(&key).await.unwrap().unwrap();
    assert_eq!(loaded.data["v"], json!(1), "a failing get is a miss");
    assert!(
        s.copy(&key).await.is_some(),
        "and the durable record is cached"
    );

    s.store.cache().fail_until_cleared(Operation::Load);
    s.store.cache().fail_until_cleared(Operation::Save);
    assert_eq!(
        s.store.load(&key).await.unwrap().unwrap().data["v"],
        json!(1)
    );
    s.store.cache().clear_failures();
}

#[tokio::test]
async fn a_failing_cache_fails_a_delete_which_the_durable_store_made() {
    let s = setup();
    let key = s.store.create(&s.record(json!(1))).await.unwrap();
    s.store.cache().fail_next(Operation::Delete);
    let err = s.store.delete(&key).await.unwrap_err();
    assert_eq!(err.operation(), Operation::Delete);
    assert_eq!(err.backend(), "cached-db");
    assert!(err.to_string().contains("cache tier"), "{err}");
    assert!(
        s.stored(&key).await.is_none(),
        "the durable store deleted it"
    );
    s.store.delete(&key).await.unwrap();
    assert!(
        s.store.load(&key).await.unwrap().is_none(),
        "a retry drops the copy"
    );
}

#[tokio::test]
async fn a_failing_durable_store_fails_the_call_and_leaves_the_cache() {
    let s = setup();
    let key = s.store.create(&s.record(json!(1))).await.unwrap();
    let before = s.copy(&key).await;
    assert!(before.is_some());

    for operation in [Operation::Save, Operation::Delete] {
        s.store.durable().fail_next(operation);
        let result = match operation {
            Operation::Save => s.store.save(&key, &s.record(json!(2))).await.map(drop),
            _ => s.store.delete(&key).await,
        };
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert_eq!(err.operation(), operation);
        assert_eq!(err.backend(), "cached-db");
        assert!(
            err.is_temporary(),
            "a retry may help, as the durable tier said"
        );
        assert!(err.to_string().contains("durable tier: memory"), "{err}");
        assert_eq!(
            s.copy(&key).await,
            before,
            "cache unchanged after a failed {operation:?}"
        );
        assert_eq!(s.stored(&key).await.unwrap().data["v"], json!(1));
    }

    s.store.durable().fail_next(Operation::Create);
    s.store.cache().inner().run_pending_tasks().await;
    let cached = s.store.cache().inner().entry_count();
    assert!(s.store.create(&s.record(json!(3))).await.is_err());
    s.store.cache().inner().run_pending_tasks().await;
    assert_eq!(
        s.store.cache().inner().entry_count(),
        cached,
        "no copy of a failed create"
    );

    // A miss whose durable load fails is an error, and caches nothing.
    let other = s
        .store
        .durable()
        .inner()
        .create(&s.record(json!(4)))
        .await
        .unwrap();
    s.store.durable().fail_next(Operation::Load);
    assert_eq!(
        s.store.load(&other).await.unwrap_err().operation(),
        Operation::Load
    );
    assert!(s.copy(&other).await.is_none());

    for operation in [Operation::Exists, Operation::ClearExpired] {
        s.store.durable().fail_next(operation);
        let failed = match operation {
            Operation::Exists => s.store.exists(&key).await.is_err(),
            _ => s.store.clear_expired().await.is_err(),
        };
        assert!(failed, "{operation:?} asks the durable store");
    }
}

/// A hit never reaches the durable store; a miss reaches it once.
#[tokio::test]
async fn hits_are_served_by_the_cache() {
    let s = setup();
    let key = s.store.create(&s.record(json!(1))).await.unwrap();
    for _ in 0..3 {
        assert!(s.store.load(&key).await.unwrap().is_some());
    }
    assert_eq!(s.store.durable().loads(), 0);
    s.store.cache().inner().remove(&key).await.unwrap();
    assert!(s.store.load(&key).await.unwrap().is_some());
    assert!(s.store.load(&key).await.unwrap().is_some());
    assert_eq!(s.store.durable().loads(), 1);
}

/// The capabilities are the durable store's, but a cache per process makes
/// the pair not shared; a client-side durable store and a zero bound are
/// refused.
#[tokio::test]
async fn capabilities_and_refused_configurations() {
    let s = setup();
    let caps = s.store.capabilities();
    assert!(caps.server_side && caps.clear_expired);
    assert!(!caps.shared_across_processes);
    assert_eq!(s.store.name(), "cached-db");

    let err = CachedDbConfig::new()
        .with_staleness(std::time::Duration::ZERO)
        .build(CacheStore::new(), MemoryStore::new())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(err.operation(), Operation::Open);
}
