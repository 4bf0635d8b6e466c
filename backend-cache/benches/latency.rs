//! Latency of `CacheStore` for a ~1 KB session, next to the raw moka
//! operations it wraps. Run with:
//!
//! ```sh
//! cargo bench -p session-backend-cache --bench latency
//! ```
//!
//! Each `store/*` benchmark is meant to be read against its `raw/*`
//! baseline: a plain `moka::future::Cache` getting or inserting the same
//! record (whose data is one shared `Arc`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use session_backend_cache::{CacheConfig, CacheStore};
use session_core::serde_json::{Map, Value, json};
use session_core::time;
use session_core::{MockClock, Record, SessionKey, SessionStore};
use tokio::runtime::Runtime;

/// About 1 KB of session data: ten fields of 90 characters.
fn data_1kb() -> Map<String, Value> {
    let mut data = Map::new();
    for i in 0..10 {
        data.insert(format!("field{i}"), json!("x".repeat(90)));
    }
    data
}

/// A two-worker multi-threaded runtime, as a server on this machine would run.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn latency(c: &mut Criterion) {
    let rt = runtime();
    let clock = MockClock::at_unix(1_700_000_000);
    let record = Record::new(data_1kb(), clock.shared().now() + time::Duration::hours(1));

    let mut group = c.benchmark_group("cache_1kb");

    // Raw baseline: the engine alone, same record, no expiry policy or weigher.
    let raw: moka::future::Cache<String, Record> = moka::future::Cache::new(10_000);
    rt.block_on(raw.insert("key".to_owned(), record.clone()));
    group.bench_function("raw/moka_get", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(raw.get("key").await.expect("present")) });
    });
    group.bench_function("raw/moka_insert", |b| {
        b.to_async(&rt)
            .iter(|| async { raw.insert("key".to_owned(), record.clone()).await });
    });

    let store: CacheStore = CacheConfig::new()
        .with_clock(clock.shared())
        .build()
        .expect("store");
    let key = rt.block_on(store.create(&record)).expect("create");
    let absent = SessionKey::parse("abcdefgh12345678abcdefgh12345678").expect("a key");

    group.bench_function("store/load_hit", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(store.load(&key).await.expect("load").expect("live")) });
    });
    group.bench_function("store/load_miss", |b| {
        b.to_async(&rt).iter(|| async {
            assert!(store.load(&absent).await.expect("load").is_none());
        });
    });
    group.bench_function("store/save", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(store.save(&key, &record).await.expect("save")) });
    });
    // Only the create is timed; each new session is deleted again, untimed,
    // so the cache keeps the same size throughout.
    group.bench_function("store/create", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (store, record) = (&store, &record);
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let created = store.create(record).await.expect("create");
                    total += start.elapsed();
                    store.delete(&created).await.expect("delete");
                }
                total
            }
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = latency
}
criterion_main!(benches);
