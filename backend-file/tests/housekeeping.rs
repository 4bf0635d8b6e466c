//! `clear_expired` keeps going past a file it cannot remove (L6, R1): the
//! other expired files still go, and the failure is reported once the scan
//! is over, without the session key.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use common::{private_tempdir, record, store};
use session_core::serde_json::json;
use session_core::{ErrorKind, MockClock, Operation, SessionKey, SessionStore};

/// Makes one file impossible to remove (`chattr +i`, which stops root too)
/// or, for other users, to read (`chmod 000`); undone on drop.
struct Stuck {
    path: PathBuf,
    immutable: bool,
}

impl Stuck {
    fn new(path: PathBuf) -> Option<Self> {
        let as_string = path.to_string_lossy().into_owned();
        let chattr = Command::new("chattr")
            .args(["+i", &as_string])
            .output()
            .is_ok_and(|out| out.status.success());
        if chattr {
            return Some(Self {
                path,
                immutable: true,
            });
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).ok()?;
        // Root reads it anyway: then nothing here can make it fail.
        if fs::read(&path).is_ok() {
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
            return None;
        }
        Some(Self {
            path,
            immutable: false,
        })
    }
}

impl Drop for Stuck {
    fn drop(&mut self) {
        let as_string = self.path.to_string_lossy().into_owned();
        if self.immutable {
            let _ = Command::new("chattr").args(["-i", &as_string]).status();
        } else {
            let _ = fs::set_permissions(&self.path, fs::Permissions::from_mode(0o600));
        }
    }
}

#[tokio::test]
async fn l6_one_stuck_file_does_not_stop_clear_expired() {
    let dir = private_tempdir();
    let clock = MockClock::at_unix(1_700_000_000);
    let store = store(dir.path(), &clock);
    let mut expired: Vec<SessionKey> = Vec::new();
    for _ in 0..4 {
        expired.push(
            store
                .create(&record(&clock, json!(1), 60))
                .await
                .expect("create"),
        );
    }
    let live = store
        .create(&record(&clock, json!(1), 3600))
        .await
        .expect("create");
    // The listing order is the file system's: whichever file comes first,
    // the others must still be handled.
    let stuck_key = expired[1].clone();
    let Some(stuck) = Stuck::new(dir.path().join(format!("sessionid{stuck_key}"))) else {
        eprintln!("!!!!!!!! SKIPPED: neither chattr +i nor chmod 000 can make a file stick here");
        return;
    };
    clock.advance_secs(61);

    let err = store
        .clear_expired()
        .await
        .expect_err("one file could not be handled");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(err.operation(), Operation::ClearExpired);
    let message = err.to_string();
    assert!(
        message.contains("removed 3 session files") && message.contains("1 entries"),
        "{message}"
    );
    assert!(!message.contains(stuck_key.as_str()), "no key in errors");
    for key in &expired {
        let present = dir.path().join(format!("sessionid{key}")).exists();
        assert_eq!(present, *key == stuck_key, "only the stuck file is left");
    }
    assert!(store.exists(&live).await.expect("exists"));
    assert!(!matches!(store.load(&stuck_key).await, Ok(Some(_))));

    // Once the file can be handled again, the next scan removes it.
    drop(stuck);
    assert_eq!(store.clear_expired().await.expect("clear"), 1);
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    assert!(store.exists(&live).await.expect("exists"));
}
