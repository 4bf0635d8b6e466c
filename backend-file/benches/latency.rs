//! Latency of `FileStore` for a ~1 KB session, next to the raw file-system
//! work it does. Run with:
//!
//! ```sh
//! cargo bench -p session-backend-file --bench latency
//! ```
//!
//! Each `store/*` benchmark is meant to be read against its `raw/*`
//! baseline, on a temporary directory:
//!
//! - `raw/read_parse`: `std::fs::read` of the encoded session plus a
//!   `serde_json` parse, against `store/load_hit`;
//! - `raw/write_fsync_rename`: write a temporary file, `fsync` it, rename it
//!   over the target and `fsync` the directory (the store's durable save),
//!   against `store/save` and `store/create` with the default `fsync(true)`;
//! - `raw/write_rename`: the same without either `fsync`;
//! - `raw/write_exchange` (Linux): the same, but swapping the files with
//!   `renameat2(RENAME_EXCHANGE)` and removing the old one, as the store's
//!   save does, against the `*_nofsync` variants (`FileConfig::fsync(false)`).
//!   On ext4 a rename *over* an existing file also starts writing the new
//!   file's data out (`auto_da_alloc`); an exchange does not, which is why
//!   `raw/write_rename` can be slower than the store without fsync.
//!
//! The store runs on a two-worker multi-threaded Tokio runtime, where its
//! blocking file calls go through `block_in_place`.

use std::fs;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use session_backend_file::{FileConfig, FileStore};
use session_core::serde_json::{self, Map, Value, json};
use session_core::time;
use session_core::{Codec, MockClock, Record, SessionKey, SessionStore};
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

/// Writes `text` to a temporary file, renames it over `target`, with the
/// store's two `fsync`s when `fsync` is set.
fn raw_write(dir: &Path, target: &Path, text: &str, fsync: bool) {
    let temp = dir.join("raw.tmp");
    let mut file = fs::File::create(&temp).expect("create");
    file.write_all(text.as_bytes()).expect("write");
    if fsync {
        file.sync_all().expect("fsync");
    }
    drop(file);
    fs::rename(&temp, target).expect("rename");
    if fsync {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .expect("fsync dir");
    }
}

fn bench_store(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &Runtime,
    store: &FileStore,
    record: &Record,
    suffix: &str,
) {
    let key = rt.block_on(store.create(record)).expect("create");
    group.bench_function(format!("store/save{suffix}"), |b| {
        b.to_async(rt)
            .iter(|| async { black_box(store.save(&key, record).await.expect("save")) });
    });
    // Only the create is timed; each new file is deleted again, untimed, so
    // the directory keeps the same size throughout.
    group.bench_function(format!("store/create{suffix}"), |b| {
        b.to_async(rt).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let created = store.create(record).await.expect("create");
                total += start.elapsed();
                store.delete(&created).await.expect("delete");
            }
            total
        });
    });
    rt.block_on(store.delete(&key)).expect("delete");
}

fn latency(c: &mut Criterion) {
    let rt = runtime();
    // Private (0700), as the store requires of its directory.
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let dir = builder.tempdir().expect("tempdir");
    let clock = MockClock::at_unix(1_700_000_000);
    let record = Record::new(data_1kb(), clock.shared().now() + time::Duration::hours(1));
    let text = Codec::Json.encode(&record.data, clock.shared().now());

    let mut group = c.benchmark_group("file_1kb");

    // Raw baselines: the same bytes, the same file-system calls, no store.
    let raw = dir.path().join("raw");
    fs::write(&raw, &text).expect("write");
    group.bench_function("raw/read_parse", |b| {
        b.iter(|| {
            let bytes = fs::read(&raw).expect("read");
            let map: Map<String, Value> = serde_json::from_slice(&bytes).expect("json");
            black_box(map)
        });
    });
    group.bench_function("raw/write_fsync_rename", |b| {
        b.iter(|| raw_write(dir.path(), &raw, &text, true));
    });
    group.bench_function("raw/write_rename", |b| {
        b.iter(|| raw_write(dir.path(), &raw, &text, false));
    });
    #[cfg(target_os = "linux")]
    group.bench_function("raw/write_exchange", |b| {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        let temp = dir.path().join("raw.tmp");
        b.iter(|| {
            let mut file = fs::File::create(&temp).expect("create");
            file.write_all(text.as_bytes()).expect("write");
            drop(file);
            renameat_with(CWD, &temp, CWD, &raw, RenameFlags::EXCHANGE).expect("exchange");
            fs::remove_file(&temp).expect("remove the old file");
        });
    });

    // The store with its defaults (fsync on).
    let store = FileConfig::new()
        .with_directory(dir.path())
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
    rt.block_on(store.delete(&key)).expect("delete");
    bench_store(&mut group, &rt, &store, &record, "");

    // The same without fsync.
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .with_fsync(false)
        .build()
        .expect("store");
    bench_store(&mut group, &rt, &store, &record, "_nofsync");
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
