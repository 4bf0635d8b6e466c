//! A forged signed cookie's text never reaches the logs or the response:
//! a quoted cookie value can carry CR/LF (`\015\012`), which would forge
//! log lines or reflect attacker text.
//!
//! This test has its own binary: tracing caches a callsite's interest the
//! first time any thread reaches it, so a log capture must not run beside
//! other tests that reach the same callsites.

mod common;

use axum::response::IntoResponse;
use common::{signing_layer, with_cookies};
use http::StatusCode;
use session_core::MockClock;
use session_core::testing::{LogCapture, suspicious_lines};
use session_tower::CookieSigning;

const SECRET: &str = "conformance-secret";

/// `value:timestamp:` then a "signature" that unquotes to CR, LF and a
/// forged log line.
const FORGED: &str = "\"v:1Z:\\015\\012ERROR forged line\"";

#[tokio::test]
async fn rejected_signature_is_logged_by_kind_and_answered_generically() {
    let capture = LogCapture::install();
    let layer = signing_layer(
        &MockClock::at_unix(1_700_000_000),
        CookieSigning::new(SECRET).unwrap(),
    );
    let (got, _) = with_cookies(&layer, &[("c", FORGED)], |c| c.get_signed("c", "", None)).await;
    let err = got.unwrap_err();
    assert!(err.is_bad_signature());
    assert!(
        err.to_string().contains("forged"),
        "the error itself keeps Django's message"
    );

    let log = capture.take();
    let rejected = suspicious_lines(&log);
    assert_eq!(rejected.len(), 1, "{log}");
    assert!(rejected[0].contains("signature mismatch"), "{log}");
    // A CR or LF that reached the log would start a line of its own, and
    // the text after it names the forgery.
    assert!(!log.contains("forged"), "client text logged: {log:?}");
    assert!(!log.contains('\r'), "{log:?}");

    let response = err.into_response();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(&body[..], b"Bad signature");
}
