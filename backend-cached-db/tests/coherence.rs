//! Two cached-db instances over one durable store (files in one directory),
//! each with its own moka cache, as two processes would have, on one mock
//! clock: writes through one are seen by the other within the staleness
//! bound, and a save through one never undoes a logout through the other.

use std::sync::Arc;
use std::time::Duration;

use session_backend_cache::{CacheConfig, CacheStore};
use session_backend_cached_db::{CachedDbConfig, CachedDbStore, DEFAULT_STALENESS};
use session_backend_file::FileStore;
use session_core::serde_json::{Value, json};
use session_core::{
    CacheTier, Clock, ErrorKind, MockClock, Record, SessionKey, SessionStore, time,
};
use tokio::task::JoinSet;

type Store = CachedDbStore<CacheStore, FileStore>;

struct Pair {
    a: Arc<Store>,
    b: Arc<Store>,
    clock: MockClock,
    dir: tempfile::TempDir,
}

impl Pair {
    fn new(config: CachedDbConfig) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("cached-db-coherence")
            .tempdir()
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let clock = MockClock::at_unix(1_700_000_000);
        let open = || Arc::new(instance(&config, &clock, dir.path()));
        let (a, b) = (open(), open());
        Self { a, b, clock, dir }
    }

    /// What the durable store holds, read past both caches.
    async fn durable(&self, key: &SessionKey) -> Option<Record> {
        let store = FileStore::builder()
            .with_directory(self.dir.path())
            .with_clock(self.clock.shared())
            .build()
            .unwrap();
        store.load(key).await.unwrap()
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// One "process": its own moka cache over the shared directory.
fn instance(config: &CachedDbConfig, clock: &MockClock, dir: &std::path::Path) -> Store {
    let cache = CacheConfig::new()
        .with_clock(clock.shared())
        .build()
        .unwrap();
    let durable = FileStore::builder()
        .with_directory(dir)
        .with_clock(clock.shared())
        .build()
        .unwrap();
    config.clone().build(cache, durable).unwrap()
}

fn record(clock: &MockClock, value: Value) -> Record {
    let data = json!({ "v": value });
    Record::new(
        data.as_object().unwrap().clone(),
        clock.now() + time::Duration::days(14),
    )
}

fn value(record: Option<Record>) -> Option<Value> {
    record.map(|r| r.data["v"].clone())
}

const MICRO: Duration = Duration::from_micros(1);

/// The default bound: a logout through A is served by B's cache for less
/// than five seconds after B read it, and no longer.
#[tokio::test]
async fn a_logout_through_one_instance_reaches_the_other_within_the_bound() {
    let pair = Pair::new(CachedDbConfig::new());
    let key = pair.a.create(&record(&pair.clock, json!(1))).await.unwrap();
    assert_eq!(value(pair.b.load(&key).await.unwrap()), Some(json!(1)));

    pair.a.delete(&key).await.unwrap();
    assert!(
        pair.a.load(&key).await.unwrap().is_none(),
        "at once where it was deleted"
    );
    assert!(pair.durable(&key).await.is_none());
    assert!(
        !pair.b.exists(&key).await.unwrap(),
        "exists asks the durable store (L5)"
    );

    pair.advance(DEFAULT_STALENESS - MICRO);
    assert!(
        pair.b.load(&key).await.unwrap().is_some(),
        "B's copy is served until the bound: that is the documented staleness"
    );
    pair.advance(MICRO);
    assert!(
        pair.b.load(&key).await.unwrap().is_none(),
        "and not a microsecond longer"
    );
}

/// A configured bound: an update through A reaches B within one second.
#[tokio::test]
async fn an_update_through_one_instance_reaches_the_other_within_a_configured_bound() {
    let bound = Duration::from_secs(1);
    let pair = Pair::new(CachedDbConfig::new().with_staleness(bound));
    let key = pair.a.create(&record(&pair.clock, json!(1))).await.unwrap();
    assert_eq!(value(pair.b.load(&key).await.unwrap()), Some(json!(1)));

    pair.advance(Duration::from_millis(400));
    pair.a
        .save(&key, &record(&pair.clock, json!(2)))
        .await
        .unwrap();
    assert_eq!(value(pair.a.load(&key).await.unwrap()), Some(json!(2)));
    assert_eq!(
        value(pair.b.load(&key).await.unwrap()),
        Some(json!(1)),
        "stale"
    );

    pair.advance(bound - Duration::from_millis(400));
    assert_eq!(
        value(pair.b.load(&key).await.unwrap()),
        Some(json!(2)),
        "one second after B read it, B reads the durable store again"
    );
}

/// L1 across the pair: B still caches the session A logged out; B's save
/// is interrupted by the durable store, writes nothing anywhere, and drops
/// B's copy at once.
#[tokio::test]
async fn a_save_through_the_other_instance_never_undoes_a_logout() {
    let pair = Pair::new(CachedDbConfig::new());
    let key = pair.a.create(&record(&pair.clock, json!(1))).await.unwrap();
    assert!(pair.b.load(&key).await.unwrap().is_some());

    pair.a.delete(&key).await.unwrap();
    let err = pair
        .b
        .save(&key, &record(&pair.clock, json!("stale")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted);
    assert_eq!(err.backend(), "cached-db");
    assert!(pair.durable(&key).await.is_none(), "nothing written");
    assert!(
        pair.b.load(&key).await.unwrap().is_none(),
        "B's copy dropped"
    );
    assert!(pair.a.load(&key).await.unwrap().is_none());
    assert!(
        CacheTier::get(pair.b.cache(), &key)
            .await
            .unwrap()
            .is_none()
    );
}

/// The suite's cross-instance logout-versus-save race, on this pair: the
/// durable store holds none of the sessions at once, and neither instance
/// serves any once the bound has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_instance_logout_save_races_resurrect_nothing() {
    const RACES: usize = 300;
    let pair = Pair::new(CachedDbConfig::new());
    let stores = [pair.a.clone(), pair.b.clone()];
    let mut keys = Vec::new();
    for i in 0..RACES {
        let creator = &stores[i % 2];
        keys.push(
            creator
                .create(&record(&pair.clock, json!(i)))
                .await
                .unwrap(),
        );
    }
    let mut set = JoinSet::new();
    for (i, key) in keys.iter().enumerate() {
        let (deleter, saver) = (stores[i % 2].clone(), stores[(i + 1) % 2].clone());
        let (key, rec) = (key.clone(), record(&pair.clock, json!("stale")));
        set.spawn(async move {
            // The saver has a copy half of the time.
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
        match saved.unwrap() {
            Ok(_) => {}
            Err(e) => assert_eq!(e.kind(), ErrorKind::Interrupted, "{e}"),
        }
    }
    for key in &keys {
        assert!(
            pair.durable(key).await.is_none(),
            "resurrected in the durable store"
        );
    }
    pair.advance(DEFAULT_STALENESS);
    for (n, store) in stores.iter().enumerate() {
        for key in &keys {
            assert!(
                store.load(key).await.unwrap().is_none(),
                "alive on instance {n}"
            );
        }
    }
}

/// A copy is cached until the earlier of the record's expiry and the bound.
#[tokio::test]
async fn copies_last_until_the_expiry_or_the_bound_whichever_is_first() {
    let pair = Pair::new(CachedDbConfig::new());
    let long = record(&pair.clock, json!("long"));
    let mut short = record(&pair.clock, json!("short"));
    short.expires_at = pair.clock.now() + time::Duration::seconds(2);
    let long_key = pair.a.create(&long).await.unwrap();
    let short_key = pair.a.create(&short).await.unwrap();
    for (key, until) in [
        (&long_key, pair.clock.now() + DEFAULT_STALENESS),
        (&short_key, short.expires_at),
    ] {
        let copy = CacheTier::get(pair.a.cache(), key).await.unwrap().unwrap();
        assert_eq!(copy.until, until);
    }
    assert_eq!(
        pair.a.load(&long_key).await.unwrap().unwrap().expires_at,
        long.expires_at,
        "the copy keeps the record's own expiry (D1)"
    );
    pair.advance(Duration::from_secs(2));
    assert!(pair.a.load(&short_key).await.unwrap().is_none(), "E5");
}
