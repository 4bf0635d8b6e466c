//! The library against real stores and real engines: every operation makes
//! the store calls it names, measurements count what they ran, baselines do
//! real I/O, and every run cleans up after itself.

use std::sync::Arc;
use std::time::Duration;

use session_benches::{
    Baseline, EncryptedCookieBaseline, FileBaseline, Operation, SignedCookieBaseline, baseline_for,
    measure, measure_baseline, measure_baseline_ops, measure_ops, payload,
};
use session_core::key::FixedKey;
use session_core::signing::pyjson;
use session_core::testing::ProbeStore;
use session_core::{ErrorKind, MemoryStore, SessionKey, SessionStore};
use session_stores::{Options, open_with};

const SECRET: &str = "session-benches-test-secret-key";

fn private_dir() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().expect("a temporary directory")
}

/// (calls, loads) a run of `ops` operations makes with one task: the
/// prepared record (if any), the timed calls, the clean-up.
fn expected_calls(op: Operation, ops: usize) -> (usize, usize) {
    match op {
        Operation::Create => (2 * ops, 0),
        Operation::LoadHit => (1 + ops + 1, ops),
        Operation::LoadMiss => (ops, ops),
        Operation::Save => (1 + ops + 1, 0),
        Operation::Delete => (2 * ops, 0),
        Operation::RequestCycle => (1 + 2 * ops + 1, ops),
        Operation::CycleKey => (1 + 2 * ops + 1, 0),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_operation_makes_its_store_calls_and_leaves_nothing_behind() {
    for op in Operation::ALL {
        let memory = Arc::new(MemoryStore::new());
        let probe = ProbeStore::new(Arc::clone(&memory));
        let m = measure_ops(probe.clone(), op, 1024, 1, 10)
            .await
            .expect("measure");
        assert_eq!((m.ops, m.histogram.len()), (10, 10), "{op}");
        assert_eq!(
            (probe.calls(), probe.loads()),
            expected_calls(op, 10),
            "{op}"
        );
        assert_eq!(memory.len(), 0, "{op}: records left behind");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_cycle_saves_the_changed_data() {
    let key = SessionKey::parse("requestcycle0000000000000000000a").unwrap();
    let memory = Arc::new(MemoryStore::new().with_key_generator(FixedKey::shared(key.clone())));
    let probe = ProbeStore::new(Arc::clone(&memory));
    // The final clean-up fails, so the record the cycle saved stays.
    probe.fail_next(session_core::Operation::Delete);
    let err = measure_ops(probe.clone(), Operation::RequestCycle, 100, 1, 1)
        .await
        .unwrap_err();
    assert_eq!(err.operation(), session_core::Operation::Delete);
    let mut expected = payload(100);
    expected.insert("visits".into(), 0.into());
    let saved = memory.load(&key).await.unwrap().expect("the saved record");
    assert_eq!(*saved.data, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_are_shared_between_tasks_and_counted_once() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new());
    for (tasks, ops) in [(4, 10), (64, 100), (8, 3)] {
        let m = measure_ops(Arc::clone(&store), Operation::Save, 100, tasks, ops)
            .await
            .unwrap();
        assert_eq!((m.ops, m.histogram.len(), m.tasks), (ops, ops, tasks));
        assert!(m.elapsed > Duration::ZERO && m.median() <= m.p99());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_run_lasts_about_its_budget_in_rounds() {
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new());
    let budget = Duration::from_millis(60);
    // 16 KB creates run in rounds of at most 64 MiB: 4096 records, far
    // fewer than 60 ms of creates, so this run needs several rounds.
    let m = measure(Arc::clone(&store), Operation::Create, 16 * 1024, 1, budget)
        .await
        .unwrap();
    assert!(
        m.elapsed >= budget && m.elapsed < budget * 4,
        "{:?}",
        m.elapsed
    );
    assert_eq!(m.ops, m.histogram.len());
    assert!(m.ops > 0 && m.ops_per_sec() > 0.0);
    assert!((m.time_per_op().as_secs_f64() * m.ops_per_sec() - 1.0).abs() < 1e-3);
}

/// A budgeted `Delete` prepares its records (untimed creates) under a
/// budget of its own: a signed cookie deletes nothing, so filling 100 ms
/// with its deletes would take well over a million cookies signed first,
/// and a file store's create (an fsync) is slower than its delete. Both
/// finish in a bounded time with every prepared record deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budgeted_delete_prepares_within_a_bound_and_cleans_up() {
    let dir = private_dir();
    let options = Options::new().with_secret_key(SECRET);
    let budget = Duration::from_millis(100);
    for url in [
        "signed-cookie://".to_owned(),
        format!("file://{}", dir.path().display()),
    ] {
        let store = open_with(&url, &options).await.expect("open");
        let started = std::time::Instant::now();
        let m = measure(store, Operation::Delete, 1024, 1, budget)
            .await
            .expect("measure");
        let took = started.elapsed();
        // The timed budget, three budgets of preparation and a round
        // over, with room for a loaded machine; unbounded, the signed
        // cookie alone takes tens of seconds.
        assert!(took < Duration::from_secs(10), "{url}: {took:?}");
        assert!(m.ops > 0, "{url}: {m:?}");
        assert_eq!(m.ops, m.histogram.len(), "{url}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "files left behind"
    );
}

/// Every operation on every embedded backend of the catalog (and on the
/// servers the `SESSION_TEST_*` variables name, the Redis Cluster
/// included), and on its baseline: no prepared record fails to load,
/// nothing is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalog_backend_and_its_baseline_run_every_operation() {
    let dir = private_dir();
    let file_url = format!("file://{}", dir.path().display());
    // The db backend's SQLite files live beside, not among, the sessions.
    let db_dir = private_dir();
    let sqlite = format!("sqlite://{}/db.sqlite3", db_dir.path().display());
    let sqlx_sqlite = format!(
        "sqlite://{}/sqlx.sqlite3?engine=sqlx",
        db_dir.path().display()
    );
    let options = Options::new().with_secret_key(SECRET);
    let mut urls = vec![
        "memory://".to_owned(),
        "cache://".to_owned(),
        file_url.clone(),
        "signed-cookie://".to_owned(),
        "signed-cookie://?format=encrypted".to_owned(),
        sqlite,
        sqlx_sqlite,
    ];
    // The servers too, when the test servers run (scripts/test-servers).
    for var in [
        "SESSION_TEST_POSTGRES_URL",
        "SESSION_TEST_MYSQL_URL",
        "SESSION_TEST_REDIS_URL",
    ] {
        urls.extend(std::env::var(var).ok().filter(|url| !url.is_empty()));
    }
    let cluster = std::env::var(session_backend_redis::testing::CLUSTER_URLS_VAR);
    if let Ok(nodes) = cluster.as_deref().map(str::trim)
        && !nodes.is_empty()
    {
        urls.push(session_backend_redis::testing::cluster_url(nodes));
    }
    for url in &urls {
        let url = url.as_str();
        let store = open_with(url, &options).await.expect("open");
        let baseline = baseline_for(url).expect("baseline").expect("a baseline");
        for op in Operation::ALL {
            for tasks in [1, 3] {
                let m = measure_ops(Arc::clone(&store), op, 1024, tasks, 6).await;
                assert_eq!(
                    m.map(|m| m.ops).map_err(|e| e.to_string()),
                    Ok(6),
                    "{url} {op}"
                );
                let m = measure_baseline_ops(Arc::clone(&baseline), op, 1024, tasks, 6).await;
                assert_eq!(
                    m.map(|m| m.ops).map_err(|e| e.to_string()),
                    Ok(6),
                    "{url} baseline {op}"
                );
            }
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "files left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_cookie_cannot_hold_16_kb_and_says_so() {
    let store = open_with("signed-cookie://", &Options::new().with_secret_key(SECRET))
        .await
        .unwrap();
    let err = measure_ops(store, Operation::Create, 16 * 1024, 1, 1)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge);
}

#[test]
fn baselines_are_found_by_url_or_name_through_the_catalog() {
    let name = |url: &str| baseline_for(url).unwrap().map(|b| b.name().to_owned());
    assert_eq!(name("memory").as_deref(), Some("Mutex<HashMap> get/insert"));
    assert_eq!(
        name("cache://?max_bytes=1000000").as_deref(),
        Some("moka get/insert")
    );
    assert_eq!(name("moka://").as_deref(), Some("moka get/insert"));
    assert_eq!(
        name("file:///tmp/x").as_deref(),
        Some("file read/write+fsync+rename/unlink")
    );
    assert_eq!(
        name("signed_cookies").as_deref(),
        Some("JSON+zlib+base64+HMAC-SHA256")
    );
    assert_eq!(
        name("signed-cookie://?format=encrypted").as_deref(),
        Some("JSON+zlib+AES-256-GCM+base64")
    );
    let rusqlite = "rusqlite prepared SELECT/INSERT/UPDATE/DELETE by primary key";
    assert_eq!(name("sqlite:///tmp/x.sqlite3").as_deref(), Some(rusqlite));
    assert_eq!(name("sqlite::memory:").as_deref(), Some(rusqlite));
    assert_eq!(
        name("sqlite:///tmp/x.sqlite3?engine=sqlx").as_deref(),
        Some("sqlx sqlite")
    );
    // Server pools connect lazily: naming them needs no server.
    assert_eq!(
        name("postgres://u:p@127.0.0.1:1/db?table=t&timeout_ms=10").as_deref(),
        Some("sqlx postgres")
    );
    assert_eq!(
        name("mariadb://u:p@127.0.0.1:1/db").as_deref(),
        Some("sqlx mysql")
    );
    assert_eq!(
        name("redis://localhost:6379/0?prefix=x:").as_deref(),
        Some("redis GET/SET/DEL")
    );
    assert_eq!(
        name("redis+cluster://h:1,h:2/?prefix=x:").as_deref(),
        Some("redis cluster GET/SET/DEL")
    );
    assert_eq!(name("nonsense://"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_baseline_does_real_file_io() {
    let baseline = FileBaseline::new().unwrap();
    let data = Arc::new(payload(1024));
    let key = baseline.create(&data).await.unwrap();
    let path = baseline.directory().join(&key);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        pyjson::map_to_string(&data)
    );
    assert_eq!(baseline.load(&key).await.unwrap(), Some(Arc::clone(&data)));
    let other = Arc::new(payload(100));
    assert_eq!(baseline.save(&key, &other).await.unwrap(), key);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        pyjson::map_to_string(&other)
    );
    baseline.delete(&key).await.unwrap();
    assert!(!path.exists());
    assert_eq!(baseline.load(&key).await.unwrap(), None);
    assert_eq!(baseline.load(&baseline.missing_key()).await.unwrap(), None);
    // Nothing but the directory is left after a measured run.
    let baseline: Arc<dyn Baseline> = Arc::new(FileBaseline::new().unwrap().with_fsync(false));
    let m = measure_baseline(
        Arc::clone(&baseline),
        Operation::Create,
        1024,
        2,
        Duration::from_millis(20),
    )
    .await
    .unwrap();
    assert!(m.ops >= 2);
}

#[tokio::test]
async fn the_cookie_baselines_round_trip_and_refuse_tampering() {
    let data = Arc::new(payload(1024));
    let baselines: [Box<dyn Baseline>; 2] = [
        Box::new(SignedCookieBaseline::new(SECRET.as_bytes())),
        Box::new(EncryptedCookieBaseline::new(SECRET.as_bytes())),
    ];
    for baseline in baselines {
        let cookie = baseline.create(&data).await.unwrap();
        // Compressed: a 1 KB session fits a cookie with room to spare.
        assert!(cookie.len() < 1024, "{}: {}", baseline.name(), cookie.len());
        assert_eq!(
            baseline.load(&cookie).await.unwrap(),
            Some(Arc::clone(&data))
        );
        let mut tampered = cookie.into_bytes();
        let middle = tampered.len() / 2;
        tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            baseline.load(&tampered).await.unwrap(),
            None,
            "{}",
            baseline.name()
        );
        assert_eq!(baseline.load(&baseline.missing_key()).await.unwrap(), None);
    }
}
