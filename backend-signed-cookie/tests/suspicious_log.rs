//! Suspicious-cookie logging. This test has its own binary: tracing caches
//! a callsite's interest the first time any thread reaches it, so a log
//! capture must not run beside other tests that reach the same callsites.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use session_core::serde_json::json;
use session_core::time::OffsetDateTime;
use session_core::{Record, SessionKey, SessionStore};

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("in range")
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A bad signature is logged on `session::suspicious`; an expired cookie
/// is not suspicious. The cookie value never appears in the log.
#[test]
fn bad_signatures_are_logged_as_suspicious() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let forged = "eyJmb28iOiJiYXoifQ:1r31eq:SPqNChnFm2SQ8Rzg-vVoSo82iIhIo2BIwboORgmiYrY";
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        runtime.block_on(async {
            let (store, clock) = django_store();
            let key = SessionKey::parse(forged).expect("key");
            assert!(store.load(&key).await.expect("load").is_none());
            let record = Record::new(data(&json!({"a": 1})), at(FROZEN + AGE));
            let cookie = store.create(&record).await.expect("create");
            clock.advance_secs(AGE + 1);
            assert!(store.load(&cookie).await.expect("load").is_none());
        });
    });
    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    let suspicious: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("session::suspicious"))
        .collect();
    assert_eq!(suspicious.len(), 1, "{log}");
    assert!(
        suspicious[0].contains("WARN") && suspicious[0].contains("bad signature"),
        "{log}"
    );
    assert!(
        log.contains("session::store") && log.contains("expired"),
        "{log}"
    );
    assert!(!log.contains("eyJmb28iOiJiYXoifQ"), "{log}");
}
