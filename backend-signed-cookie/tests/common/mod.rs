//! Helpers shared by the backend's own tests.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use session_backend_signed_cookie::{CookieFormat, SignedCookieConfig, SignedCookieStore};
use session_core::serde_json::Value;
use session_core::testing::django_vectors;
use session_core::{Config, Data, MockClock, Session, SessionStore};

/// The secrets of Django's vectors, shared with the conformance harness.
#[allow(unused_imports)] // each test binary uses a different part of this module
pub(crate) use session_backend_signed_cookie::testing::{OLD_SECRET, SECRET};
/// The vectors' frozen time (2023-11-14 22:13:20 UTC).
pub(crate) const FROZEN: i64 = 1_700_000_000;
/// Django's default cookie age.
pub(crate) const AGE: i64 = 1_209_600;
/// Django's signed_cookies salt.
pub(crate) const SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// The `sessions.signed_cookies_backend` section of Django's vectors.
pub(crate) fn backend_vectors() -> &'static Value {
    &django_vectors()["sessions"]["signed_cookies_backend"]
}

/// A JSON object as session data.
pub(crate) fn data(value: &Value) -> Data {
    value.as_object().cloned().expect("a JSON object")
}

/// A store at the frozen time with `secret` and `fallbacks`.
pub(crate) fn store_with(
    secret: &str,
    fallbacks: &[&str],
    format: CookieFormat,
) -> (SignedCookieStore, MockClock) {
    let clock = MockClock::at_unix(FROZEN);
    let store = SignedCookieConfig::new(secret)
        .with_fallback_keys(fallbacks)
        .with_clock(clock.shared())
        .with_format(format)
        .build()
        .expect("valid settings");
    (store, clock)
}

/// A Django-format store with the vectors' secret at the frozen time.
pub(crate) fn django_store() -> (SignedCookieStore, MockClock) {
    store_with(SECRET, &[], CookieFormat::Django)
}

/// An encrypted store with the vectors' secret at the frozen time.
pub(crate) fn encrypted_store() -> (SignedCookieStore, MockClock) {
    store_with(SECRET, &[], CookieFormat::Encrypted)
}

/// A session handle on `store` for `key`, with Django's default settings.
pub(crate) fn session(store: &SignedCookieStore, key: Option<&str>) -> Session {
    let store: Arc<dyn SessionStore> = Arc::new(store.clone());
    Session::new(store, Arc::new(Config::default()), key)
}
