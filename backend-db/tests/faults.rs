//! Storage faults on the embedded SQLite engine: a read-only database and a
//! full one give typed errors naming the backend and the operation, and
//! lose nothing already saved.
//!
//! The tests run as root, whom file modes do not stop, so the read-only
//! database is SQLite's own read-only open (`mode=ro` in a `file:` URI),
//! and the full disk is SQLite's page cap (`PRAGMA max_page_count`, through
//! `testing::fill_disk`), which fails a growing write with `SQLITE_FULL`
//! exactly as a full file system does.

use session_backend_db::DbConfig;
use session_backend_db::testing::fill_disk;
use session_core::{Data, ErrorKind, MockClock, Operation, Record, SessionStore, time};

fn record(clock: &MockClock, bytes: usize) -> Record {
    let data = Data::from_iter([("blob".to_owned(), "x".repeat(bytes).into())]);
    Record::new(
        data,
        session_core::Clock::now(clock) + time::Duration::days(1),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_refuses_writes_by_name_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.sqlite3");
    let clock = MockClock::at_unix(1_700_000_000);
    let writable = DbConfig::sqlite(&path)
        .with_clock(clock.shared())
        .build()
        .unwrap();
    let saved = record(&clock, 10);
    let key = writable.create(&saved).await.unwrap();

    let read_only = DbConfig::sqlite(format!("file:{}?mode=ro", path.display()))
        .with_clock(clock.shared())
        .build()
        .expect("a read-only database opens: its table is there");
    assert_eq!(
        read_only.load(&key).await.unwrap().unwrap().data,
        saved.data
    );
    let create = read_only.create(&record(&clock, 10)).await.unwrap_err();
    let save = read_only.save(&key, &record(&clock, 20)).await.unwrap_err();
    let delete = read_only.delete(&key).await.unwrap_err();
    for (err, operation) in [
        (create, Operation::Create),
        (save, Operation::Save),
        (delete, Operation::Delete),
    ] {
        assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
        assert_eq!(err.operation(), operation);
        assert_eq!(err.backend(), "db");
        assert!(!err.is_temporary(), "a retry cannot cure it: {err}");
        assert!(err.to_string().contains("readonly"), "{err}");
    }
    assert_eq!(
        writable.load(&key).await.unwrap().unwrap().data,
        saved.data,
        "nothing lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_refuses_growth_by_name_and_keeps_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::at_unix(1_700_000_000);
    let store = DbConfig::sqlite(dir.path().join("sessions.sqlite3"))
        .with_clock(clock.shared())
        .with_pool_size(1)
        .build()
        .unwrap();
    let mut earlier = Vec::new();
    for _ in 0..3 {
        let rec = record(&clock, 100);
        earlier.push((store.create(&rec).await.unwrap(), rec));
    }
    fill_disk(&store).await.unwrap();

    // A 16 KB record needs pages the database may no longer take.
    let create = store.create(&record(&clock, 16_384)).await.unwrap_err();
    let (key, _) = &earlier[0];
    let save = store.save(key, &record(&clock, 16_384)).await.unwrap_err();
    for (err, operation) in [(create, Operation::Create), (save, Operation::Save)] {
        assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
        assert_eq!(err.operation(), operation);
        assert_eq!(err.backend(), "db");
        assert!(err.is_temporary(), "space may be freed: {err}");
        assert!(err.to_string().contains("full"), "{err}");
    }
    for (key, rec) in &earlier {
        let loaded = store.load(key).await.unwrap().expect("an earlier row");
        assert_eq!(loaded.data, rec.data, "unchanged by the failed save");
    }
    // Deleting still works on a full database, and frees room.
    store.delete(&earlier[2].0).await.unwrap();
    assert!(store.load(&earlier[2].0).await.unwrap().is_none());
}

/// A SQLite file removed under a store (an application's cleanup, the test
/// harness's) is never recreated empty by a connection the pool opens
/// later: the call fails instead. The sqlx pool used to open every
/// connection with `create_if_missing`, leaving 4 KB files behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_database_file_is_not_recreated_by_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.sqlite3");
    let clock = MockClock::at_unix(1_700_000_000);
    // sqlx connects lazily: the first connection comes after the removal.
    let store = DbConfig::sqlite(&path)
        .with_sqlx_sqlite()
        .with_clock(clock.shared())
        .build()
        .unwrap();
    assert!(path.exists(), "build creates the file");
    std::fs::remove_file(&path).unwrap();
    let err = store.create(&record(&clock, 10)).await.unwrap_err();
    assert_eq!(err.operation(), Operation::Create, "{err}");
    assert_eq!(err.backend(), "db");
    assert!(!path.exists(), "recreated by a pool connection");
}
