//! The store against Django 5.2's own output for this backend
//! (`sessions.signed_cookies_backend` in `testdata/django/vectors.json`),
//! and Django's algorithm (`signing.loads`) against the store's output.
//!
//! Rules: G1 (byte compatibility), G2 and K3 (bad cookies load as absent).

mod common;

use common::*;
use session_backend_signed_cookie::CookieFormat;
use session_core::serde_json::{Value, json};
use session_core::signing::{MaxAge, loads};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Record, SessionKey, SessionStore};

const NO_FALLBACKS: &[&str] = &[];

fn key(text: &str) -> SessionKey {
    SessionKey::parse(text).expect("a cookie-safe value")
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("in range")
}

fn foo_bar_cookie() -> &'static str {
    backend_vectors()["foo_bar"]["session_key_cookie_value"]
        .as_str()
        .expect("a string")
}

/// Django's `signing.loads(value, salt=..., max_age=AGE)` at the frozen
/// time with the vectors' secret and no fallbacks.
fn django_loads(value: &str, secret: &str) -> Option<Value> {
    loads(
        value,
        secret,
        SALT,
        Some(MaxAge::from_secs(AGE)),
        NO_FALLBACKS,
        FROZEN,
    )
    .ok()
}

/// G1: for each dict Django signed, the store writes the same value byte
/// for byte when it is not compressed (the same compression decision
/// otherwise; byte for byte too with the `zlib` feature, which `.ci/run`
/// tests), Django's algorithm verifies what the store writes, and the store
/// loads what Django wrote.
#[tokio::test]
async fn g1_store_output_matches_and_verifies_with_djangos_algorithm() {
    let (store, _clock) = django_store();
    for case in ["foo_bar", "empty", "auth_like", "compressible"] {
        let vector = &backend_vectors()[case];
        let dict = data(&vector["dict"]);
        let django_value = vector["session_key_cookie_value"].as_str().expect("string");
        assert_eq!(vector["equals_signing_dumps"], json!(true));

        let record = Record::new(dict.clone(), at(FROZEN + AGE));
        let ours = store.create(&record).await.expect("create");
        if django_value.starts_with('.') && !cfg!(feature = "zlib") {
            assert!(
                ours.as_str().starts_with('.'),
                "{case}: compression decision differs"
            );
        } else {
            assert_eq!(ours.as_str(), django_value, "{case}: not byte-identical");
        }
        // save() writes the same value as create().
        let saved = store.save(&key(django_value), &record).await.expect("save");
        assert_eq!(saved, ours, "{case}");

        let verified = django_loads(ours.as_str(), SECRET).expect("Django's loads accepts it");
        assert_eq!(verified, vector["dict"], "{case}");
        assert!(django_loads(ours.as_str(), OLD_SECRET).is_none(), "{case}");

        let loaded = store
            .load(&key(django_value))
            .await
            .expect("load")
            .expect(case);
        assert_eq!(*loaded.data, dict, "{case}");
        assert_eq!(loaded.expires_at, at(FROZEN + AGE), "{case}");
        let loaded = store.load(&ours).await.expect("load").expect(case);
        assert_eq!(*loaded.data, dict, "{case}");
    }
}

/// The cookie age. Django's algorithm (`signing.loads` with `max_age`)
/// reproduces every vector, including "an age exactly equal to the cookie
/// age is valid". The store applies rule E5 on top: the end of the cookie
/// age is the record's expiry, and a record is not live at its expiry
/// instant, so the store stops loading at that same instant (one second
/// earlier than Django at whole seconds) and loads up to the tick before.
#[tokio::test]
async fn cookie_age_boundaries() {
    for (case, store_loads_at_checked_at) in [
        ("load_at_signing_time", true),
        ("load_at_age_exactly_cookie_age", false), // Django: valid (E5 deviation)
        ("load_after_cookie_age", false),
    ] {
        let vector = &backend_vectors()[case];
        let checked_at = vector["checked_at"].as_i64().expect("an integer");
        let expected = data(&vector["loaded"]);
        let django = loads(
            foo_bar_cookie(),
            SECRET,
            SALT,
            Some(MaxAge::from_secs(AGE)),
            NO_FALLBACKS,
            checked_at,
        );
        match django {
            Ok(value) => assert_eq!(value, vector["loaded"], "{case}"),
            Err(_) => assert!(expected.is_empty(), "{case}: Django loads {expected:?}"),
        }

        let (store, clock) = django_store();
        clock.set(at(checked_at));
        let loaded = store.load(&key(foo_bar_cookie())).await.expect("load");
        assert_eq!(loaded.is_some(), store_loads_at_checked_at, "{case}");
        if let Some(record) = loaded {
            assert_eq!(*record.data, expected, "{case}");
            assert_eq!(record.expires_at, at(FROZEN + AGE), "{case}");
        }
        // One tick before the end of the cookie age, it still loads.
        clock.set(at(FROZEN + AGE) - Duration::microseconds(1));
        assert!(
            store
                .load(&key(foo_bar_cookie()))
                .await
                .expect("load")
                .is_some()
        );

        // Through the handle. Django keeps a bad key and re-issues `{}`;
        // here it is dropped (K3), so the session is empty *and* keyless.
        clock.set(at(checked_at));
        let session = session(&store, Some(foo_bar_cookie()));
        let data = session.data().await.expect("data");
        assert_eq!(!data.is_empty(), store_loads_at_checked_at, "{case}");
        assert_eq!(session.key().is_some(), store_loads_at_checked_at, "{case}");
        assert!(!session.modified(), "{case}");
    }
}

fn clock_now(store: &impl SessionStore) -> OffsetDateTime {
    store.clock().now()
}

/// G2, K3: a tampered cookie loads as absent and its key is dropped.
#[tokio::test]
async fn g2_tampered_cookie_loads_as_absent() {
    let (store, _clock) = django_store();
    let cookie = foo_bar_cookie();
    let (payload, signature) = cookie.rsplit_once(':').expect("signed");
    let tampered_payload = cookie.replacen("eyJmb28iOiJiYXIifQ", "eyJmb28iOiJiYXoifQ", 1);
    let flipped_sig = format!(
        "{payload}:{}{}",
        &signature[..signature.len() - 1],
        if signature.ends_with('A') { 'B' } else { 'A' }
    );
    for bad in [
        tampered_payload.as_str(),
        flipped_sig.as_str(),
        payload,
        &cookie[..cookie.len() - 1],
        &format!("{cookie}A"),
        "eyJmb28iOiJiYXIifQ",
        "garbage-that-is-long-enough",
        "::::::::",
    ] {
        assert!(
            store.load(&key(bad)).await.expect("load").is_none(),
            "{bad}"
        );
        let session = session(&store, Some(bad));
        assert!(session.data().await.expect("data").is_empty(), "{bad}");
        assert!(session.key().is_none(), "{bad}: a bad key must be dropped");
    }
    assert_eq!(backend_vectors()["tampered_cookie"]["loaded"], json!({}));
}

/// Key rotation (Django's `SECRET_KEY_FALLBACKS`): a cookie signed with
/// the old key loads only when that key is a fallback.
#[tokio::test]
async fn rotation_vectors() {
    let with = &backend_vectors()["rotation_old_key_with_fallbacks"];
    let without = &backend_vectors()["rotation_old_key_without_fallbacks"];
    let old_cookie = key(with["cookie"].as_str().expect("string"));

    let (store, _clock) = store_with(SECRET, &[OLD_SECRET], CookieFormat::Django);
    let loaded = store
        .load(&old_cookie)
        .await
        .expect("load")
        .expect("fallback");
    assert_eq!(*loaded.data, data(&with["loaded"]));

    let (store, _clock) = django_store();
    assert!(store.load(&old_cookie).await.expect("load").is_none());
    assert_eq!(without["loaded"], json!({}));
}

/// Rotation through the handle: a session read with a fallback key and
/// saved again is re-signed with the primary key alone.
#[tokio::test]
async fn rotation_resigns_with_the_primary_key_on_save() {
    let old_cookie = backend_vectors()["rotation_old_key_with_fallbacks"]["cookie"]
        .as_str()
        .expect("string");
    let (store, clock) = store_with(SECRET, &[OLD_SECRET], CookieFormat::Django);
    clock.advance_secs(10);
    let session = session(&store, Some(old_cookie));
    assert_eq!(
        session.get::<String>("foo").await.expect("get").as_deref(),
        Some("bar")
    );
    session.insert("n", 1).await.expect("insert");
    session.save().await.expect("save");
    let new_key = session.key().expect("a key");
    assert_ne!(new_key.as_str(), old_cookie);

    let now = FROZEN + 10;
    let verified = loads(new_key.as_str(), SECRET, SALT, None, NO_FALLBACKS, now)
        .expect("verifies with the primary key alone");
    assert_eq!(verified, json!({"foo": "bar", "n": 1}));
    assert!(loads(new_key.as_str(), OLD_SECRET, SALT, None, NO_FALLBACKS, now).is_err());

    let (primary_only, primary_clock) = django_store();
    primary_clock.set(clock_now(&store));
    assert!(primary_only.load(&new_key).await.expect("load").is_some());
}

/// `exists` is always false and `delete` forgets nothing it could
/// reach (Django's `exists_always_false` and `after_delete`).
#[tokio::test]
async fn exists_is_false_and_flush_drops_the_key() {
    let (store, _clock) = django_store();
    let cookie = key(foo_bar_cookie());
    assert_eq!(
        store.exists(&cookie).await.expect("exists"),
        backend_vectors()["exists_always_false"]
            .as_bool()
            .expect("bool")
    );
    let after = &backend_vectors()["after_delete"];
    let session = session(&store, Some(foo_bar_cookie()));
    session.flush().await.expect("flush");
    assert_eq!(session.key().map(|k| k.to_string()), None);
    assert_eq!(after["session_key"], Value::Null);
    assert_eq!(
        session.modified(),
        after["modified"].as_bool().expect("bool")
    );
    assert_eq!(
        session.is_empty(),
        after["is_empty"].as_bool().expect("bool")
    );
}
