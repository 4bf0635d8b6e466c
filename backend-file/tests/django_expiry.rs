//! Files Django 5.2 wrote, read as Django reads them: integer expiries
//! (E5) and the values Python's `json` writes that Rust's JSON types cannot
//! hold (D1).
//!
//! The file contents were written by Django 5.2's file engine with
//! `SECRET_KEY = "django-insecure-shared-secret-key"` at `time.time() ==
//! 1700000000`: `s = SessionStore(); s["foo"] = "bar"; s.set_expiry(n);
//! s.save()` for each `n` (none for the last), and the Python values by
//! `s.update(json.loads(PYTHON_JSON)); s.save()`.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use session_backend_file::{FileConfig, FileStore};
use session_core::signing::pyjson;
use session_core::{Codec, Config, Expiry, MockClock, Session, SessionKey, SessionStore};

const SECRET: &str = "django-insecure-shared-secret-key";
const SAVED_AT: i64 = 1_700_000_000;
const AGE: i64 = 1_209_600;

/// `(set_expiry argument, session key, file content)`.
const DJANGO_FILES: [(Option<i64>, &str, &str); 4] = [
    (
        Some(-3600),
        "rtj2p8dspxet683hmrhmlx9gpunwm5o0",
        "eyJmb28iOiJiYXIiLCJfc2Vzc2lvbl9leHBpcnkiOi0zNjAwfQ:1r31eq:XlCp7vFM-Jn9cKpfiiX8SsaF39gsLETHutSeAlJLINo",
    ),
    (
        Some(3600),
        "vn3qtqvmi0wxay5ywwdujxl6igc32h4w",
        "eyJmb28iOiJiYXIiLCJfc2Vzc2lvbl9leHBpcnkiOjM2MDB9:1r31eq:xM8rLOkPu8Ek8jzlE_u5k23Yoqp4X2EywNGOrfYCI98",
    ),
    (
        Some(0),
        "8jcgkeac0er9za84b0i4vvobupfszpx8",
        "eyJmb28iOiJiYXIiLCJfc2Vzc2lvbl9leHBpcnkiOjB9:1r31eq:ImuIehI76iwuLzOxS8IaLbcStc24aknXT8Vp7KIbQ7s",
    ),
    (
        None,
        "0oz6m6mxp3ant019lu0ewa5biel5xd3y",
        "eyJmb28iOiJiYXIifQ:1r31eq:6so9ejaR6recrRpIxrec-6Ket9u0Z_eB_6zt6XaRgcE",
    ),
];

/// The data, as Python's `json.dumps(separators=(",", ":"))` writes it.
const PYTHON_JSON: &str = r#"{"big":1180591620717411303424,"neg":-1180591620717411303424,"nan":NaN,"inf":Infinity,"ninf":-Infinity,"lone":"a\ud800b","k\udfff":"\ud83d\ude00","n":1}"#;
const PYTHON_KEY: &str = "kmght3yjgayvzd24mql5qax7lglt77vr";
const PYTHON_FILE: &str = ".eJyrVkrKTFeyMjS0MDC1NDQzMjA3NDcxNDQ2MDYxMtFRyksFSurilE3MU7LyS_TTUcrMS1Oy8sxLy8zLLKkESoD5ugiBnPy8VCUrpcSY0hQLA4MkJR2lbCAzLQ2oSgkkZpwCJFMNDIASQCMNawGTIima:1r31eq:VqMCq7wUCOZDQe32efqjyGB2xGZKyycd5cZfXSN3zac";

/// A temporary directory only this user can use (0700).
fn private_dir() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().expect("a private temporary directory")
}

fn key(raw: &str) -> SessionKey {
    SessionKey::parse(raw).expect("a valid key")
}

fn store(dir: &Path, clock: &MockClock, age: i64) -> FileStore {
    FileConfig::new()
        .with_directory(dir)
        .with_clock(clock.shared())
        .with_cookie_age(age)
        .with_codec(Codec::django(SECRET).expect("codec"))
        .build()
        .expect("store")
}

/// Writes `content` as Django does: its save time as the modification time.
fn write_django_file(dir: &Path, raw_key: &str, content: &str) {
    let path = dir.join(format!("sessionid{raw_key}"));
    fs::write(&path, content).expect("write");
    fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(UNIX_EPOCH + Duration::from_secs(SAVED_AT as u64)))
        .expect("set mtime");
}

fn session_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .expect("list")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("sessionid"))
        })
        .count()
}

/// E5: in a file Django wrote, a negative integer expiry (`set_expiry(-3600)`)
/// has ended the session, as in Django: not loaded, not existing, not saved
/// over, removed by `clear_expired`. Zero (browser close) and no expiry live
/// until `mtime + cookie_age`; a positive integer ends it at `mtime + n`
/// (Django's file engine never ends it: a documented deviation).
#[tokio::test]
async fn e5_django_files_integer_expiries_are_enforced() {
    let dir = private_dir();
    for (_, raw, content) in DJANGO_FILES {
        write_django_file(dir.path(), raw, content);
    }
    let clock = MockClock::at_unix(SAVED_AT + 60);
    let store = store(dir.path(), &clock, AGE);
    let expiry_of = |n: Option<i64>| {
        DJANGO_FILES
            .iter()
            .find(|(m, _, _)| *m == n)
            .map(|(_, raw, _)| key(raw))
            .expect("a file")
    };
    let (past, hour, zero, default) = (
        expiry_of(Some(-3600)),
        expiry_of(Some(3600)),
        expiry_of(Some(0)),
        expiry_of(None),
    );

    assert!(store.load(&past).await.expect("load").is_none());
    assert!(!store.exists(&past).await.expect("exists"));
    let live = store.load(&hour).await.expect("load").expect("live");
    assert_eq!(live.expires_at.unix_timestamp(), SAVED_AT + 3600);
    let mut forged = live.clone();
    forged.expires_at += session_core::time::Duration::hours(1);
    let err = store.save(&past, &forged).await.expect_err("interrupted");
    assert_eq!(err.kind(), session_core::ErrorKind::Interrupted);
    for key in [&zero, &default] {
        let live = store.load(key).await.expect("load").expect("live");
        assert_eq!(live.expires_at.unix_timestamp(), SAVED_AT + AGE);
    }
    assert_eq!(store.clear_expired().await.expect("clear"), 1);
    assert_eq!(session_files(dir.path()), 3);

    clock.set(session_core::time::OffsetDateTime::from_unix_timestamp(SAVED_AT + 3600).expect("t"));
    assert!(
        !store.exists(&hour).await.expect("exists"),
        "at mtime + 3600"
    );
    assert!(store.exists(&zero).await.expect("exists"));
    assert_eq!(store.clear_expired().await.expect("clear"), 1);
    clock.set(session_core::time::OffsetDateTime::from_unix_timestamp(SAVED_AT + AGE).expect("t"));
    assert!(store.load(&zero).await.expect("load").is_none());
    assert_eq!(store.clear_expired().await.expect("clear"), 2);
    assert_eq!(session_files(dir.path()), 0);
}

/// E5: a positive integer expiry written here reads back at the same
/// instant, shorter or longer than the cookie age, and the file's mtime is
/// the save time, as Django writes it.
#[tokio::test]
async fn e5_integer_expiries_written_here_read_back_exactly() {
    let dir = private_dir();
    let clock = MockClock::at_unix(SAVED_AT);
    let store: Arc<dyn SessionStore> = Arc::new(store(dir.path(), &clock, AGE));
    let config = Arc::new(Config::default());
    for seconds in [1, 3600, AGE + 3600] {
        let session = Session::new(store.clone(), config.clone(), None);
        session.insert("foo", "bar").await.expect("insert");
        session
            .set_expiry(Expiry::Seconds(seconds))
            .await
            .expect("expiry");
        session.save().await.expect("save");
        let key = session.key().expect("saved");
        let loaded = store.load(&key).await.expect("load").expect("live");
        assert_eq!(loaded.expires_at.unix_timestamp(), SAVED_AT + seconds);
        let path = dir.path().join(format!("sessionid{key}"));
        let mtime = fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(mtime, UNIX_EPOCH + Duration::from_secs(SAVED_AT as u64));
    }
}

/// Django's `FileSessionTests.test_clearsessions_command`, ported: with
/// `SESSION_COOKIE_AGE = 0`, sessions saved with `set_expiry(3600)`,
/// `set_expiry(-3600)` and no expiry leave three files, of which
/// `clear_expired` removes two; the same for the three files as Django
/// wrote them.
#[tokio::test]
async fn django_test_clearsessions_command() {
    let dir = private_dir();
    let clock = MockClock::at_unix(SAVED_AT);
    let store: Arc<dyn SessionStore> = Arc::new(store(dir.path(), &clock, 0));
    let config = Arc::new(Config::default().with_cookie_age(0));
    assert_eq!(session_files(dir.path()), 0);
    for expiry in [Some(3600), Some(-3600), None] {
        let session = Session::new(store.clone(), config.clone(), None);
        session.insert("foo", "bar").await.expect("insert");
        if let Some(seconds) = expiry {
            session
                .set_expiry(Expiry::Seconds(seconds))
                .await
                .expect("expiry");
        }
        session.save().await.expect("save");
    }
    assert_eq!(session_files(dir.path()), 3);
    store.clear_expired().await.expect("clear");
    assert_eq!(session_files(dir.path()), 1);

    // The same three sessions, written by Django.
    let django_dir = private_dir();
    for (expiry, raw, content) in DJANGO_FILES {
        if expiry != Some(0) {
            write_django_file(django_dir.path(), raw, content);
        }
    }
    let django_store = self::store(django_dir.path(), &clock, 0);
    assert_eq!(session_files(django_dir.path()), 3);
    django_store.clear_expired().await.expect("clear");
    assert_eq!(session_files(django_dir.path()), 1);
    let hour = DJANGO_FILES[1].1;
    assert!(django_store.exists(&key(hour)).await.expect("exists"));
}

/// D1: a file Django wrote holding integers beyond 64 bits, `NaN`,
/// `Infinity`, `-Infinity` and lone surrogates loads, and saved back holds
/// exactly the JSON Django wrote.
#[tokio::test]
async fn d1_a_django_file_with_python_values_saves_back_what_django_wrote() {
    let dir = private_dir();
    write_django_file(dir.path(), PYTHON_KEY, PYTHON_FILE);
    let clock = MockClock::at_unix(SAVED_AT + 60);
    let store = store(dir.path(), &clock, AGE);
    let loaded = store
        .load(&key(PYTHON_KEY))
        .await
        .expect("load")
        .expect("a Django file with Python values loads");
    assert_eq!(pyjson::map_to_string(&loaded.data), PYTHON_JSON);
    assert_eq!(
        pyjson::as_big_int(&loaded.data["big"]).as_deref(),
        Some("1180591620717411303424")
    );
    store.save(&key(PYTHON_KEY), &loaded).await.expect("save");
    let text = fs::read_to_string(dir.path().join(format!("sessionid{PYTHON_KEY}"))).expect("read");
    let codec = Codec::django(SECRET).expect("codec");
    let data = codec.decode(&text).expect("decodes");
    assert_eq!(pyjson::map_to_string(&data), PYTHON_JSON);
}
