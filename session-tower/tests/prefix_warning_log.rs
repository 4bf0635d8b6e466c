//! `SessionLayer::new` repairing a broken `__Host-`/`__Secure-` session
//! cookie configuration logs exactly one warning (target `session::config`);
//! a valid configuration logs nothing.
//!
//! Its own binary: tracing caches a callsite's interest the first time any
//! thread reaches it, so a log capture must not run beside other tests that
//! reach the same callsite.

mod common;

use std::sync::Arc;

use common::capture::Capture;

use session_core::{Config, MemoryStore};
use session_tower::SessionLayer;

#[test]
fn repairing_new_warns_once_and_valid_config_is_silent() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let broken = Config::default()
        .with_cookie_name("__Host-sid")
        .with_cookie_domain(Some("example.com".into()))
        .with_cookie_path("/app");
    let _layer = SessionLayer::new(Arc::new(MemoryStore::new()), broken);
    let logs = capture.0.lock().unwrap().clone();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].starts_with("session::config"), "{logs:?}");
    for rule in ["Secure", "Domain", "Path=/"] {
        assert!(logs[0].contains(rule), "{rule} missing from {logs:?}");
    }

    let valid = Config::default()
        .with_cookie_name("__Host-sid")
        .with_cookie_secure(true);
    let _layer = SessionLayer::new(Arc::new(MemoryStore::new()), valid);
    let _layer = SessionLayer::new(Arc::new(MemoryStore::new()), Config::default());
    assert_eq!(capture.0.lock().unwrap().len(), 1, "no further warnings");
}
