//! A quick latency probe, not a benchmark (criterion benches live in
//! `benches/`). Run in release mode:
//!
//! ```sh
//! cargo test --release -p session-backend-file --test timing -- --ignored --nocapture
//! ```

use std::fs;
use std::future::Future;
use std::time::{Duration, Instant};

use session_backend_file::FileConfig;
use session_core::serde_json::{Map, Value, json};
use session_core::time;
use session_core::{Codec, MockClock, Record, SessionStore};
use tempfile::TempDir;

const N: u32 = 2_000;

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

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

#[test]
#[ignore = "timing probe; run in release with --ignored --nocapture"]
fn timing_1kb() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = TempDir::new().expect("tempdir");
    let clock = MockClock::at_unix(1_700_000_000);
    let record = Record::new(data_1kb(), clock.shared().now() + time::Duration::hours(1));
    let text = Codec::Json.encode(&record.data, clock.shared().now());
    println!("encoded size: {} bytes", text.len());

    // Raw baseline: read the whole file and parse it.
    let raw = dir.path().join("raw");
    fs::write(&raw, &text).expect("write");
    let start = Instant::now();
    for _ in 0..N {
        let bytes = fs::read(&raw).expect("read");
        let map: Map<String, Value> = session_core::serde_json::from_slice(&bytes).expect("json");
        assert_eq!(map.len(), 10);
    }
    println!("raw read+parse:             {:?}", per_op(start, N));

    let start = Instant::now();
    for i in 0..N {
        let temp = dir.path().join(format!("raw_out_{i}"));
        fs::write(&temp, &text).expect("write");
        fs::rename(&temp, &raw).expect("rename");
    }
    println!("raw write+rename (no fsync): {:?}", per_op(start, N));
    let start = Instant::now();
    for _ in 0..N {
        assert_eq!(Codec::Json.decode(&text).expect("decode").len(), 10);
    }
    println!("codec decode alone:         {:?}", per_op(start, N));
    let start = Instant::now();
    for _ in 0..N {
        use std::io::Read;
        let mut file = fs::File::open(&raw).expect("open");
        let len = file.metadata().expect("stat").len();
        let mut bytes = Vec::with_capacity(len as usize);
        file.read_to_end(&mut bytes).expect("read");
        assert_eq!(bytes.len() as u64, len);
    }
    println!("open+fstat+read alone:      {:?}", per_op(start, N));

    // spawn_blocking round trip alone.
    let start = Instant::now();
    runtime.block_on(async {
        for _ in 0..N {
            tokio::task::spawn_blocking(|| ()).await.expect("join");
        }
    });
    println!("spawn_blocking round trip:  {:?}", per_op(start, N));
    let start = Instant::now();
    runtime.block_on(async {
        tokio::spawn(async {
            for _ in 0..N {
                tokio::task::block_in_place(|| ());
            }
        })
        .await
        .expect("join");
    });
    println!("block_in_place (for comparison): {:?}", per_op(start, N));

    for fsync in [true, false] {
        let store = FileConfig::new()
            .directory(dir.path())
            .clock(clock.shared())
            .fsync(fsync)
            .build()
            .expect("store");
        let key = block_on(store.create(&record)).expect("create");
        let start = Instant::now();
        for _ in 0..N {
            assert!(block_on(store.load(&key)).expect("load").is_some());
        }
        let inline = per_op(start, N);
        let task_store = store.clone();
        let (task_key, task_record) = (key.clone(), record.clone());
        let (load, save) = runtime
            .block_on(runtime.spawn(async move {
                let start = Instant::now();
                for _ in 0..N {
                    assert!(task_store.load(&task_key).await.expect("load").is_some());
                }
                let load = per_op(start, N);
                let rounds = if fsync { N / 4 } else { N };
                let start = Instant::now();
                for _ in 0..rounds {
                    task_store
                        .save(&task_key, &task_record)
                        .await
                        .expect("save");
                }
                (load, per_op(start, rounds))
            }))
            .expect("join");
        let current = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let start = Instant::now();
        current.block_on(async {
            for _ in 0..N {
                assert!(store.load(&key).await.expect("load").is_some());
            }
        });
        let on_current = per_op(start, N);
        if fsync {
            println!("store.load inline (no pool): {inline:?}");
            println!("store.load, multi-thread runtime (block_in_place): {load:?}");
            println!("store.load, current-thread runtime (spawn_blocking): {on_current:?}");
        }
        println!("store.save fsync={fsync}:        {save:?}");
    }
}
