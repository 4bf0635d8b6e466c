//! What the conformance suite cannot see: Django's row format, batching,
//! SQLite under concurrent writers, MariaDB's affected-row count, and
//! servers that are down or never answer.
//!
//! Forced-key collisions and a save after a delete made through another
//! store instance (another pool) are suite checks
//! (`k4_cross_instance_creates_with_one_forced_key_leave_one_holder`,
//! `l1_save_after_delete_is_interrupted`) run on every engine by
//! `tests/conformance.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use session_backend_db::DbConfig;
use session_core::testing::django_vectors;
use session_core::time::OffsetDateTime;
use session_core::{
    Codec, Data, ErrorKind, MockClock, Operation, Record, SessionKey, SessionStore,
};

fn data(n: i64) -> Data {
    Data::from_iter([("n".to_owned(), n.into())])
}

/// A SQLite file in a fresh temporary directory.
fn sqlite_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.sqlite3");
    (dir, path)
}

/// Django's own row (vectors `db_row_sqlite`) loads, and a row written here
/// has exactly Django's `expire_date` text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_sqlite_row_loads_and_ours_matches_its_format() {
    let v = django_vectors();
    let row = &v["sessions"]["db_row_sqlite"];
    let (_dir, path) = sqlite_file();
    let clock = MockClock::at_unix(v["frozen_time_unix"].as_i64().unwrap());
    let codec = Codec::django(v["secret_key"].as_str().unwrap()).unwrap();
    let store = DbConfig::sqlite(&path)
        .with_codec(codec)
        .with_clock(clock.shared())
        .build()
        .unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "INSERT INTO django_session VALUES (?1, ?2, ?3)",
        [
            row["session_key"].as_str().unwrap(),
            row["session_data"].as_str().unwrap(),
            row["expire_date_raw"].as_str().unwrap(),
        ],
    )
    .unwrap();
    let key = SessionKey::parse(row["session_key"].as_str().unwrap()).unwrap();
    let loaded = store.load(&key).await.unwrap().expect("Django's row loads");
    assert_eq!(loaded.data["foo"], "bar");
    assert_eq!(loaded.expires_at.unix_timestamp(), 1_701_209_600);

    let ours = store
        .create(&Record::new(data(1), loaded.expires_at))
        .await
        .unwrap();
    let text: String = raw
        .query_row(
            "SELECT expire_date FROM django_session WHERE session_key = ?1",
            [ours.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(text, row["expire_date_raw"].as_str().unwrap());
    // Django's own purge query sees our row as it sees its own.
    clock.advance_secs(1_209_600);
    let expired: i64 = raw
        .query_row(
            "SELECT count(*) FROM django_session WHERE expire_date <= ?1",
            ["2023-11-28 22:13:20"],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(expired, 2);
}

/// `clear_expired` removes exactly the expired rows, over several batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_expired_works_in_batches() {
    let (_dir, path) = sqlite_file();
    let clock = MockClock::at_unix(1_700_000_000);
    let store = DbConfig::sqlite(&path)
        .with_clock(clock.shared())
        .with_clear_batch(3)
        .build()
        .unwrap();
    let now = clock.shared().now();
    let mut live = Vec::new();
    for i in 0..10 {
        store
            .create(&Record::new(data(i), now + Duration::from_secs(10)))
            .await
            .unwrap();
    }
    for i in 0..4 {
        live.push(
            store
                .create(&Record::new(data(i), now + Duration::from_secs(100)))
                .await
                .unwrap(),
        );
    }
    clock.advance_secs(10);
    assert_eq!(store.clear_expired().await.unwrap(), 10);
    assert_eq!(store.clear_expired().await.unwrap(), 0);
    for key in &live {
        assert!(store.exists(key).await.unwrap());
    }
    let raw = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = raw
        .query_row("SELECT count(*) FROM django_session", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 4);
}

/// Eight threads writing at once to one SQLite file never see a busy error.
#[test]
fn eight_concurrent_sqlite_writers_never_see_busy() {
    let (_dir, path) = sqlite_file();
    let store = DbConfig::sqlite(&path).with_pool_size(8).build().unwrap();
    let expires = OffsetDateTime::now_utc() + Duration::from_secs(3600);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    for i in 0..40 {
                        let key = store.create(&Record::new(data(i), expires)).await?;
                        store.save(&key, &Record::new(data(t), expires)).await?;
                        store.load(&key).await?.expect("just written");
                    }
                    Ok::<_, session_core::Error>(())
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().expect("no busy error");
    }
}

/// MariaDB counts only changed rows unless the client asks for found rows:
/// saving the very same data and expiry must still succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_data_save_succeeds_on_mysql() {
    let Some(url) = session_conformance::env_url("SESSION_TEST_MYSQL_URL") else {
        assert!(
            !session_conformance::required("mysql"),
            "SESSION_TEST_MYSQL_URL is not set"
        );
        eprintln!("skipped: SESSION_TEST_MYSQL_URL is not set");
        return;
    };
    // Through the application's own pool, which the store shares.
    let pool = sqlx::MySqlPool::connect(&url).await.unwrap();
    let table = format!("t_identical_{}", std::process::id());
    let store = DbConfig::from_pool(pool.clone())
        .with_table(&table)
        .open()
        .await
        .unwrap();
    let record = Record::new(data(1), OffsetDateTime::now_utc() + Duration::from_secs(60));
    let key = store.create(&record).await.unwrap();
    store.save(&key, &record).await.expect("identical save");
    store.save(&key, &record).await.expect("and again");
    store.delete(&key).await.unwrap();
    let err = store.save(&key, &record).await.unwrap_err();
    assert!(err.is_interrupted());
    sqlx::query(&format!("DROP TABLE `{table}`"))
        .execute(&pool)
        .await
        .unwrap();
}

/// A server that refuses connections: a temporary `Unavailable` error
/// naming the backend and the operation, within the timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_server_is_a_typed_temporary_error() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for url in [
        format!("postgres://u:p@127.0.0.1:{port}/db?timeout_ms=1000"),
        format!("mysql://u:p@127.0.0.1:{port}/db?timeout_ms=1000"),
    ] {
        let store = DbConfig::from_url(&url, None).unwrap().build().unwrap();
        let started = Instant::now();
        let err = store
            .load(&SessionKey::parse("abcdefghijklmnopqrstuvwxyz012345").unwrap())
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{url}: {err}");
        assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
        assert_eq!(err.operation(), Operation::Load);
        assert_eq!(err.backend(), "db");
        assert!(err.is_temporary());
        assert!(!err.to_string().contains("u:p"), "no password in {err}");
    }
}

/// A server that accepts connections and never answers fails the call
/// within the configured timeout, as a temporary error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_answering_server_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds every connection, sending nothing.
    let held = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = Arc::clone(&held);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            keep.lock().unwrap().push(stream);
        }
    });
    for url in [
        format!("postgres://u:p@127.0.0.1:{port}/db?timeout_ms=500"),
        format!("mysql://u:p@127.0.0.1:{port}/db?timeout_ms=500"),
    ] {
        let store = DbConfig::from_url(&url, None).unwrap().build().unwrap();
        let started = Instant::now();
        let err = store
            .create(&Record::new(
                data(1),
                OffsetDateTime::now_utc() + Duration::from_secs(60),
            ))
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{url}: took {took:?}: {err}");
        assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
        assert_eq!(err.operation(), Operation::Create);
        assert!(err.is_temporary());
    }
    assert!(!held.lock().unwrap().is_empty(), "the listener was reached");
}
