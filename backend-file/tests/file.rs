//! File-specific tests: Django's layout, expiry in the modification time,
//! key checks before the file system, corrupt files, clear_expired,
//! configuration.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::{AGE, clock, key, mtime_nanos, private_tempdir, record, store};
use session_backend_file::{FileConfig, FileStore};
use session_core::key::FixedKey;
use session_core::serde_json::json;
use session_core::time;
use session_core::{Codec, ErrorKind, MockClock, SessionKey, SessionStore};

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Django's layout: `<cookie_name><key>`, no extension, content exactly the
/// codec's output, modification time `expires_at - cookie_age`.
#[tokio::test]
async fn files_follow_djangos_layout_and_mtime_encodes_expiry() {
    let dir = private_tempdir();
    let clock = clock();
    let store = store(dir.path(), &clock);
    let saved = record(&clock, json!({"ü": [1, u64::MAX]}), 300);
    let key = store.create(&saved).await.expect("create");
    let file = dir.path().join(format!("sessionid{key}"));
    assert_eq!(names(dir.path()), vec![format!("sessionid{key}")]);
    assert_eq!(store.path_of(&key), Some(file.clone()));
    let content = fs::read_to_string(&file).expect("read");
    assert_eq!(
        content,
        Codec::Json.encode(&saved.data, clock.shared().now())
    );
    let expected_mtime = (saved.expires_at - time::Duration::seconds(AGE)).unix_timestamp_nanos();
    assert_eq!(mtime_nanos(&file), expected_mtime);
    assert_eq!(store.load(&key).await.expect("load"), Some(saved.clone()));

    // Saving rewrites whole and moves the expiry.
    let newer = record(&clock, json!("second"), 900);
    store.save(&key, &newer).await.expect("save");
    assert_eq!(store.load(&key).await.expect("load"), Some(newer.clone()));
    assert_eq!(names(dir.path()).len(), 1, "no temporary file left behind");

    // A second store over the same directory sees it (durable, shared).
    let again = store_with_name(dir.path(), &clock, "sessionid");
    assert_eq!(again.load(&key).await.expect("load"), Some(newer));
    store.delete(&key).await.expect("delete");
    assert!(names(dir.path()).is_empty());
    store
        .delete(&key)
        .await
        .expect("deleting a missing session is fine (L4)");
}

fn store_with_name(dir: &Path, clock: &MockClock, name: &str) -> FileStore {
    FileConfig::new()
        .with_directory(dir)
        .with_cookie_name(name)
        .with_clock(clock.shared())
        .build()
        .expect("store")
}

/// E5: expiry is judged by the injected clock against mtime + cookie_age,
/// to the boundary; an expired file blocks neither loads nor creation.
#[tokio::test]
async fn expiry_is_judged_by_the_injected_clock() {
    let dir = private_tempdir();
    let clock = clock();
    let fixed = key("fixedfixedfixedfixedfixedfixed00");
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .with_key_generator(FixedKey::shared(fixed.clone()))
        .build()
        .expect("store");
    store
        .create(&record(&clock, json!(1), 60))
        .await
        .expect("create");
    clock.advance(Duration::from_micros(59_999_999));
    assert!(store.exists(&fixed).await.expect("exists"));
    clock.advance(Duration::from_micros(1));
    assert!(store.load(&fixed).await.expect("load").is_none());
    assert!(!store.exists(&fixed).await.expect("exists"));
    let err = store
        .save(&fixed, &record(&clock, json!(2), 60))
        .await
        .expect_err("expired");
    assert!(err.is_interrupted());
    // The expired file does not block its key.
    let fresh = record(&clock, json!(3), 60);
    store.create(&fresh).await.expect("create over expired");
    assert_eq!(store.load(&fixed).await.expect("load"), Some(fresh));
    let err = store
        .create(&record(&clock, json!(4), 60))
        .await
        .expect_err("live");
    assert_eq!(err.kind(), ErrorKind::KeyCollision);
}

/// K2: keys that are not server keys never reach the file system, and
/// nothing outside the directory is read, written or removed.
#[tokio::test]
async fn invalid_keys_touch_nothing() {
    let root = private_tempdir();
    let dir = root.path().join("sessions");
    fs::create_dir(&dir).expect("mkdir");
    // The store refuses a directory other users can list (the default 0755).
    #[cfg(unix)]
    fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("chmod 0700");
    let outside = root.path().join("secret");
    fs::write(&outside, "{\"stolen\":true}").expect("write");
    fs::write(dir.join("sessionidABCDEFGHIJKLMNOP"), "{\"upper\":true}").expect("write");
    let clock = clock();
    let store = store(&dir, &clock);
    let before = (names(root.path()), names(&dir), mtime_nanos(&outside));
    for raw in [
        "../secret",
        "../../secret",
        "/etc/passwd",
        "ABCDEFGHIJKLMNOP",
        "abc/../../secret",
        "..",
        "sessionid/../../secret",
        "short",
    ] {
        let Some(bad) = SessionKey::parse(raw) else {
            continue;
        };
        assert!(store.path_of(&bad).is_none());
        assert!(store.load(&bad).await.expect("load").is_none(), "{raw}");
        assert!(!store.exists(&bad).await.expect("exists"), "{raw}");
        store.delete(&bad).await.expect("delete");
        let err = store
            .save(&bad, &record(&clock, json!(1), 60))
            .await
            .expect_err("interrupted");
        assert!(err.is_interrupted(), "{raw}");
    }
    assert_eq!(
        (names(root.path()), names(&dir), mtime_nanos(&outside)),
        before
    );
    assert_eq!(
        fs::read_to_string(&outside).expect("read"),
        "{\"stolen\":true}"
    );
}

/// R1/K3: corrupt, empty, half-written, oversized and non-file entries load
/// as absent, never panic, and do not count as existing.
#[tokio::test]
async fn corrupt_files_load_as_absent() {
    let dir = private_tempdir();
    let clock = clock();
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .with_max_file_bytes(1024)
        .build()
        .expect("store");
    let good = store
        .create(&record(&clock, json!("ok"), 60))
        .await
        .expect("create");
    let full = Codec::Json.encode(
        &record(&clock, json!("a".repeat(50)), 60).data,
        clock.shared().now(),
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("emptyemptyemptyempty", Vec::new()),
        (
            "halfhalfhalfhalfhalf",
            full.as_bytes()[..full.len() / 2].to_vec(),
        ),
        ("garbagegarbagegarbage", vec![0xff, 0x00, 0x13, 0x37, 0xfe]),
        ("notanobjectnotanobject", b"[1,2,3]".to_vec()),
        ("nulnulnulnulnulnul", b"{\"a\":\"\0".to_vec()),
        (
            "signedsignedsigned",
            b"eyJmb28iOiJiYXIifQ:1r31eq:AAAA".to_vec(),
        ),
        ("hugehugehugehuge", vec![b' '; 4096]),
    ];
    for (raw, bytes) in &cases {
        fs::write(dir.path().join(format!("sessionid{raw}")), bytes).expect("write");
    }
    fs::create_dir(dir.path().join("sessionidadirectoryadirectory")).expect("mkdir");
    let fifo = dir.path().join("sessionidafifoafifoafifo");
    let fifo_made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let special = ["adirectoryadirectory", "afifoafifoafifo"];
    for raw in cases.iter().map(|(k, _)| *k).chain(special) {
        if raw == "afifoafifoafifo" && !fifo_made {
            continue;
        }
        let k = key(raw);
        assert!(
            store.load(&k).await.expect("load").is_none(),
            "{raw} loaded"
        );
        assert!(!store.exists(&k).await.expect("exists"), "{raw} exists");
    }
    assert!(store.load(&good).await.expect("load").is_some());
}

/// L6: clear_expired removes expired and corrupt session files and stale
/// temporary files, keeps live sessions, fresh temporaries and foreign files.
#[tokio::test]
async fn clear_expired_removes_expired_corrupt_and_stale_temps() {
    let dir = private_tempdir();
    let clock = clock();
    let store = store(dir.path(), &clock);
    let short = store
        .create(&record(&clock, json!(1), 60))
        .await
        .expect("create");
    let long = store
        .create(&record(&clock, json!(2), 3600))
        .await
        .expect("create");
    fs::write(dir.path().join("sessionidcorruptcorruptcorrupt"), b"{oops").expect("write");
    fs::write(dir.path().join("sessionidemptyemptyempty"), b"").expect("write");
    let temp = format!("sessionid{long}_out_abc123");
    fs::write(dir.path().join(&temp), b"{}").expect("write");
    for foreign in ["notes.txt", "sessionidUPPER", "othercookieabcdefgh12"] {
        fs::write(dir.path().join(foreign), b"keep").expect("write");
    }
    clock.advance_secs(61);
    assert_eq!(
        store.clear_expired().await.expect("clear"),
        3,
        "1 expired + 2 corrupt"
    );
    let left = names(dir.path());
    assert!(left.contains(&format!("sessionid{long}")));
    assert!(!left.contains(&format!("sessionid{short}")));
    assert!(left.contains(&temp), "a fresh temporary file is kept");
    assert_eq!(left.len(), 5, "{left:?}");

    // With a zero stale age, the leftover temporary goes (not counted).
    let eager = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .with_stale_temp_age(Duration::ZERO)
        .build()
        .expect("store");
    // No wait: a temporary file is stale once unchanged for *at least* the
    // stale age (judged by its real change time), and any file is that.
    assert_eq!(eager.clear_expired().await.expect("clear"), 0);
    assert!(!names(dir.path()).contains(&temp));
    assert!(eager.exists(&long).await.expect("exists"));
    assert_eq!(names(dir.path()).len(), 4);
}

/// Construction: the directory must exist and be a directory; the cookie
/// name must be a plain file-name prefix.
#[test]
fn configuration_is_checked_at_construction() {
    let dir = private_tempdir();
    let missing = FileConfig::new()
        .with_directory(dir.path().join("missing"))
        .build();
    assert_eq!(missing.expect_err("missing").kind(), ErrorKind::Config);
    let file = dir.path().join("file");
    fs::write(&file, b"").expect("write");
    assert_eq!(
        FileStore::open(&file).expect_err("a file").kind(),
        ErrorKind::Config
    );
    for bad in ["", "a/b", "..", "a\0b"] {
        let built = FileConfig::new()
            .with_directory(dir.path())
            .with_cookie_name(bad)
            .build();
        assert_eq!(built.expect_err(bad).kind(), ErrorKind::Config);
    }
    let negative = FileConfig::new()
        .with_directory(dir.path())
        .with_cookie_age(-1)
        .build();
    assert_eq!(negative.expect_err("age").kind(), ErrorKind::Config);
    let default = FileConfig::new().build().expect("the temp dir exists");
    assert!(
        default.directory().starts_with(std::env::temp_dir())
            && default.directory() != std::env::temp_dir(),
        "a private subdirectory of the temp dir, not the temp dir itself"
    );
    assert_eq!(default.cookie_name(), "sessionid");
    assert_eq!(default.cookie_age(), AGE);

    // The session settings' cookie name and age, copied so they cannot differ.
    let session = session_core::Config::default()
        .with_cookie_name("app_sid")
        .with_cookie_age(3600);
    let copied = FileConfig::new()
        .with_directory(dir.path())
        .with_session_config(&session)
        .build()
        .expect("store");
    assert_eq!(
        (copied.cookie_name(), copied.cookie_age()),
        ("app_sid", 3600)
    );
}

/// Outside a Tokio runtime the store still works (the I/O runs inline).
#[test]
fn works_outside_a_tokio_runtime() {
    let dir = private_tempdir();
    let clock = clock();
    let store = store(dir.path(), &clock);
    let saved = record(&clock, json!(7), 60);
    let key = block_on(store.create(&saved)).expect("create");
    assert_eq!(block_on(store.load(&key)).expect("load"), Some(saved));
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
