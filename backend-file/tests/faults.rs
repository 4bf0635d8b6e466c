//! Disk faults (R1, R2): a full file system and a read-only one. Every write
//! error reaches the caller as a typed error and the previous record still
//! loads.
//!
//! The test mounts a 64 KiB tmpfs (root only). Where mounting is not
//! allowed it says so loudly and proves the same property with a directory
//! it cannot write to (`chmod 0555`, or `chattr +i` when running as root,
//! since root ignores permission bits). Setting `SESSION_FILE_TEST_NO_MOUNT=1`
//! forces that fallback.
//!
//! A write cut short part-way is proved everywhere, without privileges: a
//! child process runs with a 16 KiB file-size limit (`ulimit -f`, with
//! `SIGXFSZ` ignored so the write fails with `EFBIG` instead of killing the
//! process) and saves a record larger than that.

mod common;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{private_tempdir, record, store};
use session_core::serde_json::json;
use session_core::{ErrorKind, MockClock, SessionStore};

fn run(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Unmounts on drop, even when an assertion fails.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let path = self.0.to_string_lossy().into_owned();
        if !run("umount", &[&path]) {
            eprintln!("warning: could not unmount {path}");
        }
    }
}

#[tokio::test]
async fn r2_write_errors_surface_and_keep_the_previous_record() {
    let root = private_tempdir();
    let dir = root.path().join("mnt");
    std::os::unix::fs::DirBuilderExt::mode(&mut fs::DirBuilder::new(), 0o700)
        .create(&dir)
        .expect("mkdir a private directory");
    let path = dir.to_string_lossy().into_owned();
    let no_mount = std::env::var_os("SESSION_FILE_TEST_NO_MOUNT").is_some();
    if !no_mount
        && run(
            "mount",
            &["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", &path],
        )
    {
        let _mounted = Mounted(dir.clone());
        println!("FIGURE backend=file test=disk_faults mode=tmpfs");
        full_then_read_only(&dir).await;
    } else {
        if no_mount {
            eprintln!("!!!!!!!! SESSION_FILE_TEST_NO_MOUNT is set: not mounting a tmpfs:");
        } else {
            eprintln!("!!!!!!!! could not mount a tmpfs (not root, or the sandbox forbids mount):");
        }
        eprintln!("!!!!!!!! proving R2 with an unwritable directory instead of ENOSPC/EROFS");
        unwritable_directory(&dir).await;
    }
}

/// ENOSPC, then EROFS, on a real size-limited tmpfs.
async fn full_then_read_only(dir: &Path) {
    let clock = MockClock::at_unix(1_700_000_000);
    let store = store(dir, &clock);
    let before = record(&clock, json!("before"), 3600);
    let key = store.create(&before).await.expect("create");

    // Fill the file system to the last byte.
    let mut filler = File::create(dir.join("filler")).expect("filler");
    let chunk = vec![0u8; 4096];
    while filler.write_all(&chunk).is_ok() {}
    let _ = filler.write_all(&[0u8]);
    drop(filler);

    let bigger = record(&clock, json!("x".repeat(8192)), 3600);
    let err = store.save(&key, &bigger).await.expect_err("disk full");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(err.backend(), "file");
    println!("FIGURE backend=file test=disk_full error={err:?}");
    assert_eq!(store.load(&key).await.expect("load"), Some(before.clone()));
    let err = store.create(&bigger).await.expect_err("disk full");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    let mut names: Vec<_> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");

    // Read-only: saves and deletes fail, loads still work.
    let path = dir.to_string_lossy().into_owned();
    assert!(run("mount", &["-o", "remount,ro", &path]), "remount ro");
    let err = store
        .save(&key, &record(&clock, json!("small"), 3600))
        .await
        .expect_err("read-only");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    println!("FIGURE backend=file test=read_only error={err:?}");
    let err = store.delete(&key).await.expect_err("read-only");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(store.load(&key).await.expect("load"), Some(before));

    // Recovery: writable again with space, saving works.
    assert!(run("mount", &["-o", "remount,rw", &path]), "remount rw");
    fs::remove_file(dir.join("filler")).expect("rm filler");
    let after = record(&clock, json!("after"), 3600);
    store.save(&key, &after).await.expect("save after recovery");
    assert_eq!(store.load(&key).await.expect("load"), Some(after));
}

/// The fallback: a directory the process cannot create files in.
async fn unwritable_directory(dir: &Path) {
    let clock = MockClock::at_unix(1_700_000_000);
    let store = store(dir, &clock);
    let before = record(&clock, json!("before"), 3600);
    let key = store.create(&before).await.expect("create");
    let path = dir.to_string_lossy().into_owned();
    let probe = dir.join("probe");
    let mut undo: Vec<Vec<&str>> = Vec::new();
    assert!(run("chmod", &["0555", &path]));
    undo.push(vec!["chmod", "0755", &path]);
    if File::create(&probe).is_ok() {
        let _ = fs::remove_file(&probe);
        eprintln!("!!!!!!!! chmod 0555 does not stop this user (root); trying chattr +i");
        if !run("chattr", &["+i", &path]) || File::create(&probe).is_ok() {
            let _ = fs::remove_file(&probe);
            run("chmod", &["0755", &path]);
            eprintln!("!!!!!!!! SKIPPED: no way to make a directory unwritable here");
            return;
        }
        undo.push(vec!["chattr", "-i", &path]);
    }
    println!("FIGURE backend=file test=disk_faults mode=unwritable_directory");
    let result = store
        .save(&key, &record(&clock, json!("after"), 3600))
        .await;
    let loaded = store.load(&key).await;
    for cmd in undo.iter().rev() {
        run(cmd[0], &cmd[1..]);
    }
    let err = result.expect_err("unwritable");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(loaded.expect("load"), Some(before));
}

/// The directory the size-limited child works in.
const CHILD_DIR: &str = "SESSION_FILE_TEST_LIMITED_DIR";

/// A write that fails part-way (the file-size limit, `EFBIG`) is a typed
/// error, leaves no temporary file, and the previous record still loads
/// (R1, R2). Runs [`child_writes_past_the_file_size_limit`] in a child
/// process, so it needs no privileges and never skips.
#[test]
fn r2_a_write_cut_short_keeps_the_previous_record() {
    let dir = private_tempdir();
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new("bash")
        .args(["-c", r#"trap '' XFSZ; ulimit -f 16 && exec "$0" "$@""#])
        .arg(exe)
        .args([
            "--exact",
            "child_writes_past_the_file_size_limit",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DIR, dir.path())
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed") && stdout.contains("CHILD DONE"),
        "the size-limited child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
}

/// Runs in a child process with a 16 KiB file-size limit; does nothing
/// unless run by [`r2_a_write_cut_short_keeps_the_previous_record`].
#[tokio::test]
#[ignore = "run in a size-limited child process by r2_a_write_cut_short_keeps_the_previous_record"]
async fn child_writes_past_the_file_size_limit() {
    let Some(dir) = std::env::var_os(CHILD_DIR).map(PathBuf::from) else {
        return;
    };
    let clock = MockClock::at_unix(1_700_000_000);
    let store = store(&dir, &clock);
    let before = record(&clock, json!("before"), 3600);
    let key = store.create(&before).await.expect("create under the limit");

    let bigger = record(&clock, json!("x".repeat(64 * 1024)), 3600);
    let err = store.save(&key, &bigger).await.expect_err("past the limit");
    // EFBIG: the store names it "too large", like an oversized record.
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert_eq!(err.backend(), "file");
    println!("FIGURE backend=file test=write_cut_short error={err:?}");
    assert_eq!(store.load(&key).await.expect("load"), Some(before.clone()));
    let err = store.create(&bigger).await.expect_err("past the limit");
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");

    let names: Vec<_> = fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "only the session file, no temporary file: {names:?}"
    );

    let after = record(&clock, json!("after"), 3600);
    store
        .save(&key, &after)
        .await
        .expect("a small save still works");
    assert_eq!(store.load(&key).await.expect("load"), Some(after));
    println!("CHILD DONE");
}
