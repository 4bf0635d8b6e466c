//! `SessionLayer::new` repairing a broken `__Host-`/`__Secure-` session
//! cookie configuration logs exactly one warning (target `session::config`);
//! a valid configuration logs nothing.
//!
//! Its own binary: tracing caches a callsite's interest the first time any
//! thread reaches it, so a log capture must not run beside other tests that
//! reach the same callsite.

use std::sync::Arc;

use session_core::testing::{LogCapture, lines_on};
use session_core::{Config, MemoryStore};
use session_tower::SessionLayer;

#[test]
fn repairing_new_warns_once_and_valid_config_is_silent() {
    let capture = LogCapture::install();
    let broken = Config::default()
        .with_cookie_name("__Host-sid")
        .with_cookie_domain(Some("example.com".into()))
        .with_cookie_path("/app");
    let _layer = SessionLayer::new(Arc::new(MemoryStore::new()), broken);
    let log = capture.take();
    assert_eq!(log.lines().count(), 1, "one event: {log}");
    let warnings = lines_on(&log, "session::config");
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(warnings[0].contains("WARN"), "{log}");
    for rule in ["Secure", "Domain", "Path=/"] {
        assert!(warnings[0].contains(rule), "{rule} missing from {log}");
    }

    let valid = Config::default()
        .with_cookie_name("__Host-sid")
        .with_cookie_secure(true);
    let _layer = SessionLayer::new(Arc::new(MemoryStore::new()), valid);
    let _layer = SessionLayer::new(Arc::new(MemoryStore::new()), Config::default());
    let log = capture.take();
    assert!(log.is_empty(), "no further events: {log}");
}
