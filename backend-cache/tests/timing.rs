//! A quick latency probe, not a benchmark (criterion benches live in
//! `benches/`). Run in release mode:
//!
//! ```sh
//! cargo test --release -p session-backend-cache --test timing -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use session_backend_cache::CacheConfig;
use session_core::serde_json::{Map, Value, json};
use session_core::time;
use session_core::{MockClock, Record, SessionStore};

const N: u32 = 200_000;

fn data_1kb() -> Map<String, Value> {
    let mut data = Map::new();
    for i in 0..10 {
        data.insert(format!("field{i}"), json!("x".repeat(90)));
    }
    data
}

fn per_op(start: Instant, n: u32) -> Duration {
    start.elapsed() / n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing probe; run in release with --ignored --nocapture"]
async fn timing_1kb() {
    let clock = MockClock::at_unix(1_700_000_000);
    let record = Record::new(data_1kb(), clock.shared().now() + time::Duration::hours(1));

    // Raw baseline: moka get of the same shared record.
    let raw: moka::future::Cache<String, Record> = moka::future::Cache::new(10_000);
    raw.insert("key".to_owned(), record.clone()).await;
    let start = Instant::now();
    for _ in 0..N {
        assert!(raw.get("key").await.is_some());
    }
    println!("raw moka get:   {:?}", per_op(start, N));

    let store = CacheConfig::new()
        .clock(clock.shared())
        .build()
        .expect("store");
    let key = store.create(&record).await.expect("create");
    let start = Instant::now();
    for _ in 0..N {
        assert!(store.load(&key).await.expect("load").is_some());
    }
    println!("store.load:     {:?}", per_op(start, N));
    let start = Instant::now();
    for _ in 0..N {
        store.save(&key, &record).await.expect("save");
    }
    println!("store.save:     {:?}", per_op(start, N));
    let start = Instant::now();
    for _ in 0..N / 10 {
        store.create(&record).await.expect("create");
    }
    println!("store.create:   {:?}", per_op(start, N / 10));
}
