//! Suspicious-cookie logging. This test has its own binary: tracing caches
//! a callsite's interest the first time any thread reaches it, so a log
//! capture must not run beside other tests that reach the same callsites.

mod common;

use common::*;
use session_core::serde_json::json;
use session_core::testing::{LogCapture, suspicious_lines};
use session_core::time::OffsetDateTime;
use session_core::{Record, SessionKey, SessionStore};

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("in range")
}

/// A bad signature is logged on `session::suspicious`; an expired cookie
/// is not suspicious. The cookie value never appears in the log.
#[tokio::test(flavor = "current_thread")]
async fn bad_signatures_are_logged_as_suspicious() {
    let captured = LogCapture::install();
    let forged = "eyJmb28iOiJiYXoifQ:1r31eq:SPqNChnFm2SQ8Rzg-vVoSo82iIhIo2BIwboORgmiYrY";
    let (store, clock) = django_store();
    let key = SessionKey::parse(forged).expect("key");
    assert!(store.load(&key).await.expect("load").is_none());
    let record = Record::new(data(&json!({"a": 1})), at(FROZEN + AGE));
    let cookie = store.create(&record).await.expect("create");
    clock.advance_secs(AGE + 1);
    assert!(store.load(&cookie).await.expect("load").is_none());
    let log = captured.take();
    let suspicious = suspicious_lines(&log);
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
