//! Ports of Django's `signed_cookies_tests` (checklist 146..157), plus
//! the error cases that must never panic.

mod common;

use std::sync::Arc;

use common::{signing_layer, with_cookies};
use session_core::{Config, MemoryStore, MockClock};
use session_tower::{
    CookieSigning, MIN_SECRET_KEY_LENGTH, MaxAge, SecretKeyError, SessionLayer, SetCookie,
    SignedCookieError,
};

const SECRET: &str = "conformance-secret";

/// Signs `value` as cookie `name` with `salt` at `at`, returning the value.
async fn sign(
    signing: CookieSigning,
    at: i64,
    name: &'static str,
    value: &'static str,
    salt: &'static str,
) -> String {
    let layer = signing_layer(&MockClock::at_unix(at), signing);
    let (_, headers) = with_cookies(&layer, &[], move |c| {
        c.set_signed(SetCookie::new(name, value), salt).unwrap()
    })
    .await;
    let header = &headers[0];
    let start = name.len() + 1;
    header[start..header.find("; ").unwrap()].to_owned()
}

/// Reads `name` from a request carrying `value`, at `at`.
async fn read(
    signing: CookieSigning,
    at: i64,
    name: &'static str,
    value: String,
    salt: &'static str,
    max_age: Option<MaxAge>,
) -> Result<String, SignedCookieError> {
    let layer = signing_layer(&MockClock::at_unix(at), signing);
    let (got, _) = with_cookies(&layer, &[(name, &value)], move |c| {
        c.get_signed(name, salt, max_age)
    })
    .await;
    got
}

fn key() -> CookieSigning {
    CookieSigning::new(SECRET).unwrap()
}

/// Django 146 test_can_set_and_read_signed_cookies.
#[tokio::test]
async fn k146_can_set_and_read_signed_cookies() {
    let signed = sign(key(), 1_700_000_000, "c", "hello", "").await;
    assert!(signed.starts_with("hello:"));
    assert_eq!(
        read(key(), 1_700_000_000, "c", signed, "", None)
            .await
            .unwrap(),
        "hello"
    );
}

/// Django 147 test_can_use_salt.
#[tokio::test]
async fn k147_can_use_salt() {
    let signed = sign(key(), 1_700_000_000, "a", "hello", "one").await;
    assert_eq!(
        read(key(), 1_700_000_000, "a", signed.clone(), "one", None)
            .await
            .unwrap(),
        "hello"
    );
    let err = read(key(), 1_700_000_000, "a", signed, "two", None)
        .await
        .unwrap_err();
    assert!(err.is_bad_signature());
}

/// Django 148 test_salt_namespace_is_unambiguous (v2 salt).
#[tokio::test]
async fn k148_salt_namespace_is_unambiguous() {
    let signed = sign(key(), 1_700_000_000, "a", "hello", "bc").await;
    let err = read(key(), 1_700_000_000, "ab", signed, "c", None)
        .await
        .unwrap_err();
    assert!(err.is_bad_signature() && !err.is_expired());
}

fn legacy_signed(name: &str, salt: &str, value: &str, at: i64) -> String {
    key().signer(name, salt).legacy_signer().sign_at(value, at)
}

/// Django 149 test_expired_legacy_cookie_raises_signature_expired.
#[tokio::test]
async fn k149_expired_legacy_cookie_raises_signature_expired() {
    let value = legacy_signed("c", "", "hello", 123_456_789);
    let signing = key().with_legacy_salt_fallback(true);
    let err = read(
        signing,
        123_456_789 + 11,
        "c",
        value,
        "",
        Some(MaxAge::from_secs(10)),
    )
    .await
    .unwrap_err();
    assert!(err.is_expired(), "{err}");
}

/// Django 150 test_legacy_salt_namespace_is_accepted_by_default (with the
/// fallback on, as Django 5.2's default).
#[tokio::test]
async fn k150_legacy_salt_namespace_is_accepted_when_enabled() {
    let value = legacy_signed("a", "bc", "hello", 1_700_000_000);
    let signing = key().with_legacy_salt_fallback(true);
    assert_eq!(
        read(signing, 1_700_000_000, "ab", value, "c", None)
            .await
            .unwrap(),
        "hello"
    );
}

/// Django 151 test_legacy_salt_namespace_not_accepted (our default).
#[tokio::test]
async fn k151_legacy_salt_namespace_not_accepted() {
    let value = legacy_signed("a", "bc", "hello", 1_700_000_000);
    let err = read(key(), 1_700_000_000, "ab", value, "c", None)
        .await
        .unwrap_err();
    assert!(err.is_bad_signature() && !err.is_expired());
}

/// Django 152 test_expired_new_style_cookie_does_not_fallback_to_legacy_salt.
#[tokio::test]
async fn k152_expired_new_style_cookie_does_not_fallback_to_legacy_salt() {
    let value = sign(key(), 123_456_789, "c", "hello", "").await;
    let signing = key().with_legacy_salt_fallback(true);
    let err = read(
        signing,
        123_456_789 + 11,
        "c",
        value,
        "",
        Some(MaxAge::from_secs(10)),
    )
    .await
    .unwrap_err();
    assert!(err.is_expired());
}

/// Django 153 test_detects_tampering and 154 test_default_argument_suppresses_exceptions.
#[tokio::test]
async fn k153_k154_detects_tampering_and_default_suppresses() {
    let value = sign(key(), 1_700_000_000, "c", "hello", "").await;
    let tampered = format!("{}$$", &value[..value.len() - 2]);
    let err = read(key(), 1_700_000_000, "c", tampered.clone(), "", None)
        .await
        .unwrap_err();
    assert!(err.is_bad_signature());
    let layer = signing_layer(&MockClock::at_unix(1_700_000_000), key());
    let (got, _) = with_cookies(&layer, &[("c", &tampered)], |c| {
        (
            c.get_signed("c", "", None).ok(),
            c.get_signed_or("c", "", None, "default"),
        )
    })
    .await;
    assert_eq!(got, (None, "default".to_owned()));
}

/// Django 155 test_max_age_argument.
#[tokio::test]
async fn k155_max_age_argument() {
    let value = sign(key(), 123_456_789, "c", "hello", "").await;
    for ok in [
        MaxAge::from_secs(12),
        MaxAge::from_secs(11),
        MaxAge::from_duration(std::time::Duration::from_secs(11)),
    ] {
        let got = read(key(), 123_456_789 + 11, "c", value.clone(), "", Some(ok)).await;
        assert_eq!(got.unwrap(), "hello");
    }
    for expired in [
        MaxAge::from_secs(10),
        MaxAge::from_duration(std::time::Duration::from_secs(10)),
    ] {
        let err = read(
            key(),
            123_456_789 + 11,
            "c",
            value.clone(),
            "",
            Some(expired),
        )
        .await
        .unwrap_err();
        assert!(err.is_expired());
    }
}

/// Django's age is `time.time() - timestamp`, with a fraction: a signature
/// 100.3 s old is past a `max_age` of 100 s (`Signature age 100.29999995 >
/// 100 seconds`), and one 100 s old exactly is not. Judged by the injected
/// clock, to its microsecond.
#[tokio::test]
async fn max_age_compares_the_exact_age() {
    let value = sign(key(), 123_456_789, "c", "hello", "").await;
    let read_at = |nanos_after: i64| {
        let value = value.clone();
        async move {
            let at = session_core::time::OffsetDateTime::from_unix_timestamp(123_456_789).unwrap()
                + session_core::time::Duration::nanoseconds(nanos_after);
            let layer = signing_layer(&MockClock::new(at), key());
            let (got, _) = with_cookies(&layer, &[("c", &value)], |c| {
                c.get_signed("c", "", Some(MaxAge::from_secs(100)))
            })
            .await;
            got
        }
    };
    assert_eq!(read_at(100_000_000_000).await.unwrap(), "hello");
    let err = read_at(100_000_001_000).await.unwrap_err();
    assert!(err.is_expired(), "1 µs past the maximum age");
    let err = read_at(100_300_000_000).await.unwrap_err();
    assert!(err.is_expired(), "100.3 s old");
    assert_eq!(err.to_string(), "Signature age 100 > 100 seconds");
}

/// Django 156 test_set_signed_cookie_max_age_argument.
#[tokio::test]
async fn k156_set_signed_cookie_max_age_argument() {
    let layer = signing_layer(&MockClock::at_unix(1_700_000_000), key());
    let (_, headers) = with_cookies(&layer, &[], |c| {
        c.set_signed(SetCookie::new("c", "value").max_age(100), "")
            .unwrap();
        c.set_signed(SetCookie::new("d", "value").max_age(2 * 3600), "")
            .unwrap();
    })
    .await;
    assert!(headers[0].contains("Max-Age=100"), "{headers:?}");
    assert!(headers[1].contains("Max-Age=7200"), "{headers:?}");
}

/// Django 157 test_signed_cookies_with_binary_key. Django's key is the one
/// byte `b"\xe7"`; ours must have 16 bytes at least, so it is that byte 16
/// times: still not UTF-8.
#[tokio::test]
async fn k157_signed_cookies_with_binary_key() {
    let binary = || CookieSigning::new([0xe7u8; 16]).unwrap();
    let value = sign(binary(), 1_700_000_000, "c", "hello", "").await;
    assert_eq!(
        read(binary(), 1_700_000_000, "c", value, "", None)
            .await
            .unwrap(),
        "hello"
    );
}

/// A missing cookie, and a layer without secret, are errors, never panics.
#[tokio::test]
async fn missing_cookie_and_missing_secret() {
    let err = read(key(), 0, "c", String::new(), "", None).await;
    assert!(err.is_err());
    let store = MemoryStore::new();
    let layer = SessionLayer::new(Arc::new(store), Config::default());
    let (got, headers) = with_cookies(&layer, &[("c", "x:y:z")], |c| {
        (
            c.set_signed(SetCookie::new("c", "v"), "").is_err(),
            matches!(
                c.get_signed("c", "", None),
                Err(SignedCookieError::NoSecretKey)
            ),
            matches!(
                c.get_signed("absent", "", None),
                Err(SignedCookieError::Missing(_))
            ),
        )
    })
    .await;
    assert_eq!(got, (true, true, true));
    assert!(headers.is_empty());
}

/// Secrets shorter than 16 bytes (the signed-cookie store's minimum) are
/// refused, for the key and for every fallback key; the error names the
/// key and its length, never its bytes.
#[test]
fn short_secrets_are_refused() {
    assert_eq!(MIN_SECRET_KEY_LENGTH, 16);
    for short in ["", "s", "fifteen bytes!!"] {
        assert_eq!(
            CookieSigning::new(short).unwrap_err(),
            SecretKeyError::ShortSecretKey { len: short.len() }
        );
        let layer = SessionLayer::new(Arc::new(MemoryStore::new()), Config::default());
        assert!(layer.with_secret_key(short).is_err());
    }
    assert!(CookieSigning::new("sixteen bytes!!!").is_ok());
    let err = key()
        .with_fallback_keys(["an old key, long enough", "old"])
        .unwrap_err();
    assert_eq!(err, SecretKeyError::ShortFallbackKey { index: 1, len: 3 });
    assert_eq!(
        err.to_string(),
        "cookie-signing fallback key #2 is 3 bytes long; it must be at least 16 bytes"
    );
    let layer = SessionLayer::new(Arc::new(MemoryStore::new()), Config::default());
    assert!(layer.with_secret_key(SECRET).is_ok());
}
