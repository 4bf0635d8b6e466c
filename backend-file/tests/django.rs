//! Django interop: a session file written by Django's file backend loads
//! through the store with the Django codec, and the store writes back the
//! modification time Django expects.

use std::fs;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use session_backend_file::FileConfig;
use session_core::serde_json::{Value, json};
use session_core::{Codec, MockClock, SessionKey, SessionStore};
use tempfile::TempDir;

const AGE: i64 = 1_209_600;

fn key(raw: &str) -> SessionKey {
    SessionKey::parse(raw).expect("a valid key")
}

fn mtime_unix(path: &Path) -> i128 {
    let modified = fs::metadata(path).expect("stat").modified().expect("mtime");
    match modified.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// A file written by Django's file backend loads with the Django codec.
#[tokio::test]
async fn a_django_written_file_loads_with_the_django_codec() {
    let vectors: Value = session_core::serde_json::from_str(
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/django/vectors.json"
        ))
        .expect("vectors"),
    )
    .expect("json");
    let file = &vectors["sessions"]["file_backend"];
    let (name, content, raw_key) = (
        file["file_name"].as_str().expect("file_name"),
        file["file_content"].as_str().expect("file_content"),
        file["session_key"].as_str().expect("session_key"),
    );
    let secret = vectors["secret_key"].as_str().expect("secret_key");
    let frozen = vectors["frozen_time_unix"].as_i64().expect("frozen time");

    let dir = TempDir::new().expect("tempdir");
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
        .directory(dir.path())
        .clock(clock.shared())
        .codec(Codec::django(secret).expect("codec"))
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
    assert_eq!(mtime_unix(&path), i128::from(frozen) * 1_000_000_000);
    let text = fs::read_to_string(&path).expect("read");
    assert_eq!(text.split(':').count(), 3, "Django's signed format: {text}");

    // Another secret (or a JSON-codec store) does not load it.
    let json_store = FileConfig::new()
        .directory(dir.path())
        .clock(clock.shared())
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
