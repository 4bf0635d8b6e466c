//! Django interop: a session file written by Django's file backend loads
//! through the store with the Django codec, and the store writes back the
//! modification time Django expects.

mod common;

use std::fs;
use std::time::{Duration, UNIX_EPOCH};

use common::{AGE, key, mtime_nanos, private_tempdir};
use session_backend_file::FileConfig;
use session_core::serde_json::{Map, Value, json};
use session_core::testing::django_vectors;
use session_core::{Codec, MockClock, SessionStore};

/// A file written by Django's file backend loads with the Django codec.
#[tokio::test]
async fn a_django_written_file_loads_with_the_django_codec() {
    let vectors = django_vectors();
    let file = &vectors["sessions"]["file_backend"];
    let (name, content, raw_key) = (
        file["file_name"].as_str().expect("file_name"),
        file["file_content"].as_str().expect("file_content"),
        file["session_key"].as_str().expect("session_key"),
    );
    let secret = vectors["secret_key"].as_str().expect("secret_key");
    let frozen = vectors["frozen_time_unix"].as_i64().expect("frozen time");

    let dir = private_tempdir();
    let path = dir.path().join(name);
    fs::write(&path, content).expect("write");
    // Django leaves the write time as mtime; the vectors were made at `frozen`.
    let written = UNIX_EPOCH + Duration::from_secs(frozen as u64);
    fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(written))
        .expect("set mtime");
    let clock = MockClock::at_unix(frozen + 60);
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .with_codec(Codec::django(secret).expect("codec"))
        .build()
        .expect("store");
    let loaded = store
        .load(&key(raw_key))
        .await
        .expect("load")
        .expect("live");
    assert_eq!(Value::Object((*loaded.data).clone()), json!({"foo": "bar"}));
    assert_eq!(loaded.expires_at.unix_timestamp(), frozen + AGE);

    // Django computes mtime + SESSION_COOKIE_AGE: ours writes the same expiry.
    store.save(&key(raw_key), &loaded).await.expect("save");
    assert_eq!(mtime_nanos(&path), i128::from(frozen) * 1_000_000_000);
    let text = fs::read_to_string(&path).expect("read");
    assert_eq!(text.split(':').count(), 3, "Django's signed format: {text}");

    // Another secret (or a JSON-codec store) does not load it.
    let json_store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .build()
        .expect("store");
    assert!(
        json_store
            .load(&key(raw_key))
            .await
            .expect("load")
            .is_none()
    );
}

/// E5 for Django-written files: a date-time `_session_expiry` in the data
/// ends the session at that date when it comes before `mtime + cookie_age`
/// (a Django file's mtime is its last save, so that sum alone would keep it
/// for two weeks); a later date does not extend it.
#[tokio::test]
async fn e5_a_django_files_date_expiry_is_enforced() {
    const SECRET: &str = "django-insecure-shared-secret-key";
    let dir = private_tempdir();
    let clock = MockClock::at_unix(1_700_000_000);
    let now = clock.shared().now();
    let codec = Codec::django(SECRET).expect("codec");
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .with_codec(codec.clone())
        .build()
        .expect("store");
    let saved_at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let write = |raw: &str, expiry: &str| {
        let mut data = Map::new();
        data.insert("_auth_user_id".to_owned(), json!("1"));
        data.insert("_session_expiry".to_owned(), json!(expiry));
        let path = dir.path().join(format!("sessionid{raw}"));
        fs::write(&path, codec.encode(&data, now)).expect("write");
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(saved_at))
            .expect("set mtime");
    };
    // Ends 30 s after the save, as Django's set_expiry(timedelta(seconds=30)) writes it.
    let soon = key("datedatedatedatedatedatedate0000");
    write(soon.as_str(), "2023-11-14T22:13:50+00:00");
    // A date past mtime + cookie_age: the cookie age still ends it.
    let late = key("latelatelatelatelatelatelate0000");
    write(late.as_str(), "2030-01-01T00:00:00+00:00");

    let loaded = store.load(&soon).await.expect("load").expect("live");
    assert_eq!(loaded.expires_at.unix_timestamp(), 1_700_000_030);
    let loaded = store.load(&late).await.expect("load").expect("live");
    assert_eq!(loaded.expires_at.unix_timestamp(), 1_700_000_000 + AGE);

    clock.advance_secs(29);
    assert!(store.exists(&soon).await.expect("exists"));
    clock.advance_secs(1);
    assert!(
        store.load(&soon).await.expect("load").is_none(),
        "at its date"
    );
    assert!(!store.exists(&soon).await.expect("exists"));
    assert_eq!(store.clear_expired().await.expect("clear"), 1);
    assert!(!dir.path().join(format!("sessionid{soon}")).exists());
    assert!(store.exists(&late).await.expect("exists"));
}
