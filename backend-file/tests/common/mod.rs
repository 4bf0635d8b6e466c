//! Helpers shared by the file store's tests: each test binary includes this
//! module and uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::time::UNIX_EPOCH;

use session_backend_file::{FileConfig, FileStore};
use session_core::serde_json::{Map, Value};
use session_core::time;
use session_core::{MockClock, Record, SessionKey};
use tempfile::TempDir;

/// Django's default session age, two weeks in seconds.
pub(crate) const AGE: i64 = 1_209_600;

/// A fresh temporary directory that only this user can access (mode 0700
/// on Unix), as the store requires of its directory: a plain `TempDir`
/// gets the umask's mode, typically 0755, which the store refuses.
pub(crate) fn private_tempdir() -> TempDir {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    let permissions = std::os::unix::fs::PermissionsExt::from_mode(0o700);
    #[cfg(unix)]
    builder.permissions(permissions);
    builder.tempdir().expect("a private temporary directory")
}

/// A mock clock at 2023-11-14 22:13:20 UTC.
pub(crate) fn clock() -> MockClock {
    MockClock::at_unix(1_700_000_000)
}

/// A store with the default configuration on `dir`, judging time by `clock`.
pub(crate) fn store(dir: &Path, clock: &MockClock) -> FileStore {
    FileConfig::new()
        .with_directory(dir)
        .with_clock(clock.shared())
        .build()
        .expect("store")
}

/// A record holding `{"v": value}`, live for `ttl_secs` from the clock's now.
pub(crate) fn record(clock: &MockClock, value: Value, ttl_secs: i64) -> Record {
    let mut data = Map::new();
    data.insert("v".to_owned(), value);
    Record::new(
        data,
        clock.shared().now() + time::Duration::seconds(ttl_secs),
    )
}

/// A key the test knows is valid.
pub(crate) fn key(raw: &str) -> SessionKey {
    SessionKey::parse(raw).expect("a valid key")
}

/// A file's modification time in nanoseconds since the Unix epoch.
pub(crate) fn mtime_nanos(path: &Path) -> i128 {
    let modified = std::fs::metadata(path)
        .expect("stat")
        .modified()
        .expect("mtime");
    match modified.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}
