//! R33: a server that accepts connections and never answers fails every
//! call within the configured timeout, as a temporary error; nothing hangs.

use std::time::{Duration, Instant};

use session_backend_redis::RedisConfig;
use session_core::time::Duration as Span;
use session_core::{Data, ErrorKind, Operation, Record, SessionKey, SessionStore};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_millis(400);
/// Scheduling slack on a loaded two-core machine.
const SLACK: Duration = Duration::from_millis(300);

/// A listener that accepts every connection and keeps it open, silent.
async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("redis://127.0.0.1:{port}/")
}

fn check(err: &session_core::Error, operation: Operation, took: Duration) {
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert_eq!(err.operation(), operation);
    assert_eq!(err.backend(), "redis");
    assert!(err.is_temporary(), "{err}");
    assert!(
        took >= TIMEOUT - Duration::from_millis(50) && took <= TIMEOUT + SLACK,
        "{operation:?} failed after {took:?}, the timeout is {TIMEOUT:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_to_a_silent_server_fails_within_the_timeout() {
    let url = silent_server().await;
    let config = RedisConfig::from_url(&url, None)
        .unwrap()
        .with_timeout(TIMEOUT);

    let started = Instant::now();
    let err = config.clone().open().await.unwrap_err();
    check(&err, Operation::Open, started.elapsed());

    let store = config.build().unwrap();
    let key = SessionKey::parse("abcdefgh12345678abcdefgh12345678").unwrap();
    let record = Record::new(Data::new(), store.clock().now() + Span::days(1));
    for operation in [
        Operation::Load,
        Operation::Exists,
        Operation::Delete,
        Operation::Create,
        Operation::Save,
    ] {
        let started = Instant::now();
        let err = match operation {
            Operation::Load => store.load(&key).await.map(drop),
            Operation::Exists => store.exists(&key).await.map(drop),
            Operation::Delete => store.delete(&key).await,
            Operation::Create => store.create(&record).await.map(drop),
            _ => store.save(&key, &record).await.map(drop),
        }
        .unwrap_err();
        // Idempotent calls retry once, within the same bound.
        check(&err, operation, started.elapsed());
    }
}

/// Nothing listening at all: refused at once, a temporary error.
#[tokio::test]
async fn a_refused_connection_is_a_temporary_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let store = RedisConfig::new(format!("redis://127.0.0.1:{port}/"))
        .with_timeout(TIMEOUT)
        .build()
        .unwrap();
    let key = SessionKey::parse("abcdefgh12345678abcdefgh12345678").unwrap();
    let started = Instant::now();
    let err = store.load(&key).await.unwrap_err();
    assert!(started.elapsed() <= TIMEOUT + SLACK);
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert!(err.is_temporary());
}
