//! The encrypted format: round trip, tampering, rotation, no confusion
//! with Django's format, and no plaintext visible to the client.

mod common;

use common::*;
use session_backend_signed_cookie::{CookieFormat, ENCRYPTED_PREFIX, SignedCookieConfig};
use session_core::serde_json::{Value, json};
use session_core::signing::{b64_decode, loads, pyjson};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Record, SessionKey, SessionStore};

fn record(value: Value, expires_at: OffsetDateTime) -> Record {
    Record::new(data(&value), expires_at)
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("in range")
}

/// Data and `expires_at` round-trip exactly, to the microsecond, and a
/// record stops loading exactly at its `expires_at`.
#[tokio::test]
async fn round_trip_is_exact() {
    let (store, clock) = encrypted_store();
    clock.advance(std::time::Duration::from_micros(250_001));
    let expires_at = clock_now(&store) + Duration::microseconds(3_600_000_007);
    let value = json!({
        "unicode": "ключ 😀", "big": u64::MAX, "neg": i64::MIN, "float": 1.5,
        "nested": {"a": [null, true, {}]}, "empty": "", "z": "z".repeat(300),
    });
    let original = record(value, expires_at);
    let cookie = store.create(&original).await.expect("create");
    assert!(cookie.as_str().starts_with(ENCRYPTED_PREFIX));
    assert_eq!(
        store.load(&cookie).await.expect("load"),
        Some(original.clone())
    );

    clock.set(expires_at - Duration::microseconds(1));
    assert!(store.load(&cookie).await.expect("load").is_some());
    clock.set(expires_at);
    assert!(
        store.load(&cookie).await.expect("load").is_none(),
        "E5: expires_at <= now"
    );
}

fn clock_now(store: &impl SessionStore) -> OffsetDateTime {
    store.clock().now()
}

/// A record created already expired never loads; the cookie age caps a
/// longer `expires_at`.
#[tokio::test]
async fn expiry_is_enforced_from_the_sealed_timestamps() {
    let (store, clock) = encrypted_store();
    let expired = store
        .create(&record(json!({"a": 1}), at(FROZEN)))
        .await
        .expect("create");
    assert!(store.load(&expired).await.expect("load").is_none());

    let far = store
        .create(&record(json!({"a": 1}), at(FROZEN + 10 * AGE)))
        .await
        .expect("create");
    let loaded = store.load(&far).await.expect("load").expect("live");
    assert_eq!(
        loaded.expires_at,
        at(FROZEN + AGE),
        "capped at the cookie age"
    );
    clock.set(at(FROZEN + AGE + 1));
    assert!(store.load(&far).await.expect("load").is_none());
}

/// Tampering with any part (prefix, nonce, ciphertext, tag) is rejected.
#[tokio::test]
async fn tampered_cookies_are_rejected() {
    let (store, _clock) = encrypted_store();
    let cookie = store
        .create(&record(json!({"user": "ada"}), at(FROZEN + 60)))
        .await
        .expect("create");
    let text = cookie.as_str();
    let body = &text[ENCRYPTED_PREFIX.len()..];
    let swap = |i: usize| {
        let mut bytes = text.as_bytes().to_vec();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).expect("ascii")
    };
    for bad in [
        format!("enc2.{body}"),
        format!("enc1{body}"),
        body.to_owned(),
        swap(ENCRYPTED_PREFIX.len()),
        swap(text.len() / 2),
        swap(text.len() - 1),
        text[..text.len() - 1].to_owned(),
        format!("{text}A"),
        format!("{text}="),
        text[..ENCRYPTED_PREFIX.len() + 20].to_owned(),
    ] {
        let key = SessionKey::parse(&bad).expect("cookie-safe");
        assert!(store.load(&key).await.expect("load").is_none(), "{bad}");
    }
}

/// Rotation: the primary key encrypts, fallbacks decrypt; a session read
/// with a fallback key is re-encrypted with the primary one on save.
#[tokio::test]
async fn rotation_reencrypts_with_the_primary_key() {
    let (old_store, _clock) = store_with(OLD_SECRET, &[], CookieFormat::Encrypted);
    let old_cookie = old_store
        .create(&record(json!({"foo": "bar"}), at(FROZEN + AGE)))
        .await
        .expect("create");

    let (rotated, _clock) = store_with(SECRET, &[OLD_SECRET], CookieFormat::Encrypted);
    let (primary_only, _clock) = encrypted_store();
    assert!(
        primary_only
            .load(&old_cookie)
            .await
            .expect("load")
            .is_none()
    );

    let session = session(&rotated, Some(old_cookie.as_str()));
    assert_eq!(
        session.get::<String>("foo").await.expect("get").as_deref(),
        Some("bar")
    );
    session.insert("n", 1).await.expect("insert");
    session.save().await.expect("save");
    let new_key = session.key().expect("key");
    let loaded = primary_only
        .load(&new_key)
        .await
        .expect("load")
        .expect("primary");
    assert_eq!(
        Value::Object((*loaded.data).clone()),
        json!({"foo": "bar", "n": 1})
    );
    assert!(old_store.load(&new_key).await.expect("load").is_none());
}

/// The cookie name is authenticated: a value sealed for one cookie name
/// (another application's cookie under the same secret, say) does not open
/// as a session under another name, while the same name opens it.
#[tokio::test]
async fn a_cookie_sealed_for_one_name_does_not_open_under_another() {
    let clock = session_core::MockClock::at_unix(FROZEN);
    let named = |name: &str| {
        SignedCookieConfig::new(SECRET)
            .with_cookie_name(name)
            .with_clock(clock.shared())
            .with_encryption()
            .build()
            .expect("valid settings")
    };
    let (admin, app, admin_again) = (named("admin_sid"), named("app_sid"), named("admin_sid"));
    let rec = record(json!({"_auth_user_id": "1"}), at(FROZEN + AGE));
    let sealed = admin.create(&rec).await.expect("create");
    assert!(app.load(&sealed).await.expect("load").is_none());
    assert_eq!(admin_again.load(&sealed).await.expect("load"), Some(rec));
    // With the default name too: the name is always bound, never optional.
    let (default_name, _clock) = encrypted_store();
    assert!(default_name.load(&sealed).await.expect("load").is_none());
}

/// Never confused with Django's format, in either direction.
#[tokio::test]
async fn not_readable_as_djangos_format() {
    let (encrypted, _clock) = encrypted_store();
    let (django, _clock) = django_store();
    let rec = record(json!({"foo": "bar"}), at(FROZEN + AGE));
    let sealed = encrypted.create(&rec).await.expect("create");
    assert!(!sealed.as_str().contains(':'));
    assert!(loads(sealed.as_str(), SECRET, SALT, None, &[] as &[&str], FROZEN).is_err());
    assert!(django.load(&sealed).await.expect("load").is_none());

    let signed = django.create(&rec).await.expect("create");
    assert!(encrypted.load(&signed).await.expect("load").is_none());
}

/// The client cannot read the data: neither the JSON, nor any 6-byte
/// piece of it, nor Django's base64 payload appears in the cookie.
#[tokio::test]
async fn the_cookie_does_not_contain_the_data() {
    let (store, _clock) = encrypted_store();
    for value in [
        json!({"secret_token": "hunter2-hunter2", "user": 42}),
        json!({"data": "z".repeat(400)}),
    ] {
        let cookie = store
            .create(&record(value.clone(), at(FROZEN + AGE)))
            .await
            .expect("create");
        let text = cookie.as_str();
        let json_text = pyjson::to_string(&value);
        let blob = b64_decode(&text[ENCRYPTED_PREFIX.len()..]).expect("base64");
        for window in json_text.as_bytes().windows(6) {
            assert!(
                !contains(&blob, window),
                "{:?} visible",
                String::from_utf8_lossy(window)
            );
            assert!(!contains(text.as_bytes(), window));
        }
        let django_payload = session_core::signing::encode_payload(&value, true);
        for window in django_payload.as_bytes().windows(8) {
            assert!(!contains(text.as_bytes(), window));
        }
        // A fresh nonce every time: the same data never gives the same cookie.
        let again = store
            .create(&record(value, at(FROZEN + AGE)))
            .await
            .expect("create");
        assert_ne!(again, cookie);
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
