//! R33 and R30 on a real server this test starts itself (its own
//! `redis-server` on a free port in a temporary directory, append-only
//! with `appendfsync always`): writers run while the server is killed
//! (`SIGKILL`) and started again on the same port and directory. Calls
//! that fail meanwhile are typed temporary errors, nothing panics, the same
//! store serves requests again within 2 s of the server answering `PING`,
//! and every write acknowledged while the server was up is still there.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use session_backend_redis::{RedisConfig, RedisStore};
use session_core::serde_json::json;
use session_core::time::Duration as Span;
use session_core::{Data, ErrorKind, Record, SessionKey, SessionStore};

/// The server, killed when the test ends whatever happens.
struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16, dir: &Path) -> Self {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .arg("--dir")
            .arg(dir)
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting redis-server");
        Self { child }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// True when `redis-server` can be run here.
fn installed() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Waits until the server at `url` answers `PING`; the instant it did.
async fn pinged(url: &str) -> Instant {
    let client = redis::Client::open(url).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut conn) = client.get_multiplexed_async_connection().await
            && redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .is_ok()
        {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "redis-server did not answer in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// What the writers know: per key, the last value acknowledged and the
/// last one attempted (a failed save may or may not have reached the server).
type Ledger = Arc<Mutex<HashMap<SessionKey, (i64, i64)>>>;

fn record(store: &RedisStore, n: i64) -> Record {
    let data = Data::from_iter([("n".to_owned(), json!(n))]);
    Record::new(data, store.clock().now() + Span::days(1))
}

/// One writer: creates sessions and saves them again and again, counting.
async fn writer(store: RedisStore, ledger: Ledger, stop: Arc<std::sync::atomic::AtomicBool>) {
    let mut mine: Vec<SessionKey> = Vec::new();
    let mut i = 0_usize;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        i += 1;
        if mine.len() < 20 || i.is_multiple_of(4) {
            match store.create(&record(&store, 0)).await {
                Ok(key) => {
                    ledger.lock().unwrap().insert(key.clone(), (0, 0));
                    mine.push(key);
                }
                Err(e) => failed(&e),
            }
        } else {
            let key = mine[i % mine.len()].clone();
            let next = ledger.lock().unwrap()[&key].1 + 1;
            ledger.lock().unwrap().get_mut(&key).unwrap().1 = next;
            match store.save(&key, &record(&store, next)).await {
                Ok(_) => ledger.lock().unwrap().get_mut(&key).unwrap().0 = next,
                Err(e) => failed(&e),
            }
        }
        tokio::task::yield_now().await;
    }
}

/// A failure while the server is down is a typed temporary error.
fn failed(e: &session_core::Error) {
    assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
    assert!(e.is_temporary(), "{e}");
    assert_eq!(e.backend(), "redis");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_server_is_used_again_and_keeps_acknowledged_writes() {
    if !installed() {
        assert!(
            !session_conformance::required("redis"),
            "redis-server is not installed and SESSION_TEST_REQUIRE lists redis"
        );
        println!("skipped: redis: redis-server is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let mut server = Server::start(port, dir.path());
    pinged(&url).await;
    let store = RedisConfig::new(url.clone())
        .with_timeout(Duration::from_millis(500))
        .open()
        .await
        .unwrap();

    let ledger = Ledger::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(writer(store.clone(), ledger.clone(), stop.clone())))
        .collect();
    // Mid-run: once a few hundred writes have been acknowledged.
    while ledger
        .lock()
        .unwrap()
        .values()
        .map(|v| v.0 + 1)
        .sum::<i64>()
        < 300
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let key = SessionKey::parse("abcdefgh12345678abcdefgh12345678").unwrap();
    let err = store.load(&key).await.unwrap_err();
    failed(&err);

    let _server = Server::start(port, dir.path());
    let answered = pinged(&url).await;
    let recovered = loop {
        if store.load(&key).await.is_ok() {
            break answered.elapsed();
        }
        assert!(
            answered.elapsed() < Duration::from_secs(2),
            "no request succeeded within 2 s of the server answering PING"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    println!("requests succeed again {recovered:?} after the server answered PING");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for writer in writers {
        writer.await.expect("a writer panicked");
    }

    let ledger = ledger.lock().unwrap().clone();
    assert!(ledger.len() >= 20);
    for (key, (acknowledged, attempted)) in ledger {
        let loaded = store.load(&key).await.unwrap();
        let n = loaded
            .unwrap_or_else(|| panic!("an acknowledged session is gone (last ack {acknowledged})"))
            .data["n"]
            .as_i64()
            .unwrap();
        assert!(
            (acknowledged..=attempted).contains(&n),
            "holds {n}, acknowledged {acknowledged}, attempted up to {attempted}"
        );
    }
}
