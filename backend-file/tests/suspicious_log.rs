//! R1/K3: a corrupt session file loads as absent and is logged on
//! `session::suspicious` at WARN with the backend and a reason, never its
//! contents; a missing or expired file is not suspicious.
//!
//! This test has its own binary and installs a global subscriber (the store
//! reads files on blocking threads): tracing caches a callsite's interest
//! the first time any thread reaches it, so a log capture must not run
//! beside other tests.

mod common;

use std::fs;

use common::private_tempdir;
use session_backend_file::FileConfig;
use session_core::serde_json::{Map, json};
use session_core::testing::{LogCapture, suspicious_lines};
use session_core::time;
use session_core::{MockClock, Record, SessionKey, SessionStore};

#[tokio::test(flavor = "current_thread")]
async fn r1_corrupt_files_are_logged_as_suspicious() {
    let captured = LogCapture::install();

    let dir = private_tempdir();
    let clock = MockClock::at_unix(1_700_000_000);
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_clock(clock.shared())
        .build()
        .expect("store");

    // Corrupt: logged once, as a warning naming the backend, without the
    // file's contents.
    let corrupt = SessionKey::parse("corruptcorruptcorrupt").expect("key");
    fs::write(
        dir.path().join(format!("sessionid{}", corrupt.as_str())),
        "{\"planted\":\"SECRETMARKER\"",
    )
    .expect("write");
    assert!(store.load(&corrupt).await.expect("load").is_none());
    let log = captured.take();
    let lines = suspicious_lines(&log);
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("WARN"), "{log}");
    assert!(lines[0].contains("backend=\"file\""), "{log}");
    assert!(lines[0].contains("reason="), "{log}");
    assert!(!log.contains("SECRETMARKER"), "contents logged: {log}");

    // Missing and expired: absent, and not suspicious.
    let missing = SessionKey::parse("missingmissingmissing").expect("key");
    assert!(store.load(&missing).await.expect("load").is_none());
    let mut data = Map::new();
    data.insert("v".to_owned(), json!(1));
    let short = Record::new(data, clock.shared().now() + time::Duration::seconds(10));
    let expired = store.create(&short).await.expect("create");
    clock.advance_secs(10);
    assert!(store.load(&expired).await.expect("load").is_none());
    let log = captured.take();
    assert!(suspicious_lines(&log).is_empty(), "{log}");
}
