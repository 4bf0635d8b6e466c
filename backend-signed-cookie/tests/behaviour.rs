//! The backend's own rules: per-session expiry enforced (E5, unlike Django),
//! the 4,096-byte limit, refused secrets, the client-side capabilities,
//! and durability across stores.

mod common;

use common::*;
use session_backend_signed_cookie::{CookieFormat, MAX_COOKIE_SIZE, SignedCookieConfig};
use session_core::serde_json::json;
use session_core::signing::dumps;
use session_core::time::{Duration, OffsetDateTime};
use session_core::{ErrorKind, Expiry, Operation, Record, SessionKey, SessionStore};

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("in range")
}

/// Saves a session holding `user` with `expiry` at the frozen time, in
/// `format`, and returns whether it loads `after` seconds later.
async fn loads_after(format: CookieFormat, expiry: Expiry, after: i64) -> bool {
    let (store, clock) = store_with(SECRET, &[], format);
    let first = session(&store, None);
    first.insert("user", "ada").await.expect("insert");
    first.set_expiry(expiry).await.expect("set_expiry");
    first.save().await.expect("save");
    let cookie = first.key().expect("key");
    clock.advance_secs(after);
    let next = session(&store, Some(cookie.as_str()));
    let loaded = next.contains("user").await.expect("read");
    assert_eq!(
        loaded,
        next.key().is_some(),
        "a dropped key goes with empty data (K3)"
    );
    loaded
}

/// E5: `set_expiry(60)` ends the session 60 s after the save; Django's
/// signed_cookies would keep loading it for two weeks.
#[tokio::test]
async fn e5_per_session_expiry_is_enforced() {
    for format in [CookieFormat::Django, CookieFormat::Encrypted] {
        assert!(
            loads_after(format, Expiry::Seconds(60), 59).await,
            "{format:?}"
        );
        assert!(
            !loads_after(format, Expiry::Seconds(60), 60).await,
            "{format:?}"
        );
        assert!(
            !loads_after(format, Expiry::Seconds(60), 61).await,
            "{format:?}"
        );
        assert!(
            !loads_after(format, Expiry::Seconds(-1), 0).await,
            "{format:?}"
        );
        let in_30 = Expiry::At(at(FROZEN + 30));
        assert!(loads_after(format, in_30, 29).await, "{format:?}");
        assert!(!loads_after(format, in_30, 30).await, "{format:?}");
        let duration = Expiry::In(Duration::seconds(90));
        assert!(loads_after(format, duration, 89).await, "{format:?}");
        assert!(!loads_after(format, duration, 90).await, "{format:?}");
    }
}

/// Default and browser-close sessions live for the cookie age, and end
/// at it exactly (E5); a longer per-session expiry cannot outlive it.
#[tokio::test]
async fn default_and_browser_close_sessions_live_for_the_cookie_age() {
    for format in [CookieFormat::Django, CookieFormat::Encrypted] {
        for expiry in [
            Expiry::Default,
            Expiry::BrowserClose,
            Expiry::Seconds(AGE * 2),
        ] {
            assert!(
                loads_after(format, expiry, AGE - 1).await,
                "{format:?} {expiry:?}"
            );
            assert!(
                !loads_after(format, expiry, AGE).await,
                "{format:?} {expiry:?}"
            );
        }
    }
}

/// A cookie Django wrote with `_session_expiry` (an int and a date): its
/// expiry counts from the signing time, and `expires_at` says so.
#[tokio::test]
async fn djangos_own_expiry_values_are_enforced() {
    let (store, clock) = django_store();
    for (expiry, expires_at) in [
        (json!(60), at(FROZEN + 60)),
        (json!("2023-11-14T22:14:20+00:00"), at(FROZEN + 60)),
        (json!("2023-11-15T00:14:20+02:00"), at(FROZEN + 60)),
        (json!(0), at(FROZEN + AGE)),
    ] {
        let value = json!({"foo": "bar", "_session_expiry": expiry});
        let cookie = dumps(&value, SECRET, SALT, true, FROZEN);
        let key = SessionKey::parse(&cookie).expect("cookie");
        clock.set(at(FROZEN));
        let record = store.load(&key).await.expect("load").expect("live");
        assert_eq!(record.expires_at, expires_at, "{expiry}");
        clock.set(expires_at - Duration::seconds(1));
        assert!(store.load(&key).await.expect("load").is_some(), "{expiry}");
        clock.set(expires_at + Duration::seconds(1));
        assert!(store.load(&key).await.expect("load").is_none(), "{expiry}");
    }
}

/// Incompressible text of `len` characters.
fn noise(len: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            char::from(alphabet[(state >> 33) as usize % alphabet.len()])
        })
        .collect()
}

/// The size limit is exactly 4,096 bytes of `name=value`, counting the
/// cookie name; over it, create and save fail with TooLarge.
#[tokio::test]
async fn cookies_over_4096_bytes_are_too_large() {
    let clock = session_core::MockClock::at_unix(FROZEN);
    let name = "a-longer-cookie-name";
    let store = SignedCookieConfig::new(SECRET)
        .with_cookie_name(name)
        .with_clock(clock.shared())
        .build()
        .expect("valid");
    let (mut fits, mut too_large) = (0, 0);
    for len in (3_800..4_300).step_by(3) {
        let value = json!({"d": noise(len)});
        let expected = dumps(&value, SECRET, SALT, true, FROZEN);
        let record = Record::new(data(&value), at(FROZEN + AGE));
        let result = store.create(&record).await;
        if name.len() + 1 + expected.len() <= MAX_COOKIE_SIZE {
            assert_eq!(result.expect("fits").as_str(), expected);
            fits += 1;
        } else {
            let err = result.expect_err("too large");
            assert_eq!(err.kind(), ErrorKind::TooLarge);
            assert_eq!(err.operation(), Operation::Create);
            assert_eq!(err.backend(), "signed-cookie");
            assert!(err.to_string().contains("4096"), "{err}");
            let err = store
                .save(&SessionKey::parse("old").expect("key"), &record)
                .await;
            assert_eq!(err.expect_err("too large").operation(), Operation::Save);
            too_large += 1;
        }
    }
    assert!(
        fits > 0 && too_large > 0,
        "the range must straddle the limit"
    );
}

/// Through the handle: a save that would be too large fails and the
/// session keeps its previous key (and a new session stays keyless).
#[tokio::test]
async fn a_too_large_save_keeps_the_previous_key() {
    for format in [CookieFormat::Django, CookieFormat::Encrypted] {
        let (store, _clock) = store_with(SECRET, &[], format);
        let first = session(&store, None);
        first.insert("small", 1).await.expect("insert");
        first.save().await.expect("save");
        let key = first.key().expect("key");

        let next = session(&store, Some(key.as_str()));
        next.insert("big", noise(5_000)).await.expect("insert");
        let err = next.save().await.expect_err("too large");
        assert_eq!(err.kind(), ErrorKind::TooLarge, "{format:?}");
        assert_eq!(next.key(), Some(key.clone()), "{format:?}");
        assert!(store.load(&key).await.expect("load").is_some());

        let fresh = session(&store, None);
        fresh.insert("big", noise(5_000)).await.expect("insert");
        assert_eq!(
            fresh.save().await.expect_err("too large").kind(),
            ErrorKind::TooLarge
        );
        assert_eq!(fresh.key(), None, "{format:?}");
    }
}

/// Empty and short secrets are refused; Django's 18-byte test key is fine.
#[test]
fn short_secrets_are_refused() {
    for format in [CookieFormat::Django, CookieFormat::Encrypted] {
        for secret in ["", "x", "fifteen-bytes!!"] {
            let err = SignedCookieConfig::new(secret)
                .with_format(format)
                .build()
                .expect_err(secret);
            assert_eq!(err.kind(), ErrorKind::Config);
            assert_eq!(err.backend(), "signed-cookie");
            assert_eq!(err.operation(), Operation::Open);
        }
        let err = SignedCookieConfig::new(SECRET)
            .with_fallback_keys(["short"])
            .with_format(format)
            .build()
            .expect_err("short fallback");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            SignedCookieConfig::new(SECRET)
                .with_format(format)
                .build()
                .is_ok()
        );
    }
}

/// Client-side: exists is false, delete and clear_expired do nothing, and
/// save never fails as interrupted, whatever the old key.
#[tokio::test]
async fn client_side_operations() {
    let (store, _clock) = django_store();
    let caps = store.capabilities();
    assert!(!caps.server_side && !caps.clear_expired);
    assert!(caps.durable && caps.shared_across_processes);
    let record = Record::new(data(&json!({"a": 1})), at(FROZEN + AGE));
    let key = store.create(&record).await.expect("create");
    assert!(!store.exists(&key).await.expect("exists"));
    store.delete(&key).await.expect("delete");
    assert!(
        store.load(&key).await.expect("load").is_some(),
        "nothing to delete"
    );
    assert_eq!(store.clear_expired().await.expect("clear"), 0);
    for old in ["abcdefgh12345678", "garbage", key.as_str()] {
        let saved = store
            .save(&SessionKey::parse(old).expect("key"), &record)
            .await;
        assert_eq!(saved.expect("never interrupted"), key);
    }
}

/// Durable: another store with the same secret (a restart, another
/// process) reads the cookie; one with another secret does not.
#[tokio::test]
async fn another_store_with_the_same_secret_reads_the_cookie() {
    for format in [CookieFormat::Django, CookieFormat::Encrypted] {
        let (first, _clock) = store_with(SECRET, &[], format);
        let record = Record::new(data(&json!({"a": 1})), at(FROZEN + AGE));
        let key = first.create(&record).await.expect("create");
        let (second, _clock) = store_with(SECRET, &[], format);
        assert_eq!(
            second.load(&key).await.expect("load").expect("durable"),
            record
        );
        let (other, _clock) = store_with("another-secret-key-entirely", &[], format);
        assert!(other.load(&key).await.expect("load").is_none());
    }
}

/// L3: cycle_key keeps the data; the old cookie cannot be revoked and
/// still loads until it expires (documented: no revocation).
#[tokio::test]
async fn cycle_key_keeps_data_and_cannot_revoke() {
    let (store, clock) = django_store();
    let first = session(&store, None);
    first.insert("user", "ada").await.expect("insert");
    first.save().await.expect("save");
    let old = first.key().expect("key");
    clock.advance_secs(1);
    first.cycle_key().await.expect("cycle");
    let new = first.key().expect("key");
    assert_ne!(old, new, "re-signed at a later second");
    assert!(store.load(&new).await.expect("load").is_some());
    assert!(
        store.load(&old).await.expect("load").is_some(),
        "no revocation"
    );
}
