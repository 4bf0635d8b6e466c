//! The `sessions` binary on each subcommand: every URL form of the catalog,
//! refused URLs with their password redacted, and the exit status on
//! success (0), failure (1) and bad input (2).

use std::path::Path;
use std::process::{Command, Output};

use session_backend_file::FileConfig;
use session_core::{Data, MockClock, Record, SessionStore};

const SECRET: &str = "a-command-line-test-secret-key";

fn sessions(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sessions"))
        .args(args)
        .env("SESSION_SECRET_KEY", SECRET)
        .output()
        .expect("the sessions binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A failure is one line on stderr, `sessions: ...`, never a panic.
fn one_line_error(output: &Output) -> String {
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    assert!(err.starts_with("sessions: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("cli").tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    dir
}

fn file_url(dir: &Path) -> String {
    format!("file://{}/", dir.display())
}

#[test]
fn every_catalog_url_form_opens() {
    let dir = private_dir();
    let file = file_url(dir.path());
    let django = format!("{file}?codec=django");
    for url in [
        "memory://",
        "memory",
        "mem://",
        "cache://",
        "cache://?max_bytes=1048576",
        "moka://",
        file.as_str(),
        django.as_str(),
        "file://",
        "signed-cookie://",
        "signed_cookies://",
        "signed-cookie://?format=encrypted",
    ] {
        let output = sessions(&["clear-expired", url]);
        assert_eq!(code(&output), 0, "{url}: {}", stderr(&output));
        assert!(stdout(&output).contains("removed"), "{url}");
    }
}

#[test]
fn refused_urls_are_bad_input_with_one_line() {
    let dir = private_dir();
    let relative = "file://relative/dir";
    let bad_codec = format!("{}?codec=pickle", file_url(dir.path()));
    for (url, says) in [
        ("nope://", "unknown session backend `nope`"),
        ("cache://?bogus=1", "unknown parameter `bogus`"),
        ("cache://?max_bytes=lots", "max_bytes"),
        ("memory://host", "memory URLs take no host"),
        ("signed-cookie://?format=rot13", "format"),
        (relative, "file"),
        (bad_codec.as_str(), "codec"),
    ] {
        let output = sessions(&["clear-expired", url]);
        assert_eq!(code(&output), 2, "{url}: {}", stderr(&output));
        let err = one_line_error(&output);
        assert!(err.contains(says), "{url}: {err}");
    }
}

#[test]
fn a_missing_secret_is_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_sessions"))
        .args(["clear-expired", "signed-cookie://"])
        .env_remove("SESSION_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(one_line_error(&output).contains("SESSION_SECRET_KEY"));
}

#[test]
fn passwords_never_show() {
    for url in [
        "redis://admin:hunter2@127.0.0.1:1/0",
        "postgres://app:hunter2@db.example/sessions",
        "nope://user:hunter2@host/",
    ] {
        for args in [
            vec!["clear-expired", url],
            vec!["conformance", url],
            vec!["inspect", url, "abc"],
            vec!["bench", url],
        ] {
            let output = sessions(&args);
            // Bad input (2) for the unknown scheme, a failure (1) for a server
            // that is not there: either way one line, and no password in it.
            assert!(matches!(code(&output), 1 | 2), "{args:?}");
            let err = one_line_error(&output);
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("***@"), "{err}");
            assert!(!stdout(&output).contains("hunter2"));
        }
    }
}

#[test]
fn bad_flags_and_missing_arguments_exit_2() {
    for args in [
        vec!["bogus"],
        vec!["conformance"],
        vec!["bench"],
        vec!["inspect", "memory://"],
        vec!["compare", "--fast"],
    ] {
        assert_eq!(code(&sessions(&args)), 2, "{args:?}");
    }
}

#[test]
fn conformance_passes_a_good_store() {
    let output = sessions(&["conformance", "memory://"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("0 failed"), "{out}");
    assert!(out.contains("rule  pass  fail  off  skipped"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("E5 ")), "{out}");
}

#[test]
fn conformance_fails_a_broken_store() {
    // The suite's own broken store that returns expired records (E5).
    let output = sessions(&["conformance", "broken://returns-expired"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("[E5] returns-expired: "), "{out}");
    assert!(one_line_error(&output).contains("conformance check(s) failed"));
}

#[test]
fn conformance_json_is_a_verdict_per_rule_and_check() {
    let output = sessions(&["conformance", "--json", "broken://delete-is-noop"]);
    assert_eq!(code(&output), 1);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["success"], false);
    assert_eq!(report["backend"], "delete-is-noop");
    assert!(report["rules"]["L2"]["failed"].as_u64().unwrap() > 0);
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["status"] == "fail"));
    assert!(checks.iter().all(|c| c["rules"].is_array()));
}

#[test]
fn an_unknown_broken_store_is_bad_input() {
    let output = sessions(&["conformance", "broken://fine-actually"]);
    assert_eq!(code(&output), 2);
    one_line_error(&output);
}

/// A session saved by the real file store in `dir`, on `clock`.
fn saved_session(dir: &Path, clock: Option<MockClock>) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = FileConfig::new().with_directory(dir);
        if let Some(clock) = clock {
            config = config.with_clock(clock.shared());
        }
        let store = config.build().unwrap();
        let mut data = Data::new();
        data.insert("user_id".into(), 42.into());
        data.insert("name".into(), "Zoë".into());
        let expires = store.clock().now() + session_core::time::Duration::hours(1);
        let key = store.create(&Record::new(data, expires)).await.unwrap();
        key.as_str().to_owned()
    })
}

#[test]
fn inspect_shows_data_and_expiry_or_says_why_not() {
    let dir = private_dir();
    let url = file_url(dir.path());
    let key = saved_session(dir.path(), None);
    let output = sessions(&["inspect", &url, &key]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.starts_with("expires 20"), "{out}");
    assert!(
        out.contains("\"user_id\": 42") && out.contains("Zoë"),
        "{out}"
    );

    let missing = sessions(&["inspect", &url, "abcdefghijklmnopqrstuvwxyz012345"]);
    assert_eq!(code(&missing), 1);
    assert!(one_line_error(&missing).contains("no live session"));

    let garbage = sessions(&["inspect", "signed-cookie://", "not.a.signed.value"]);
    assert_eq!(code(&garbage), 1);
    assert!(one_line_error(&garbage).contains("no live session"));

    let bad = sessions(&["inspect", &url, "a key; with spaces"]);
    assert_eq!(code(&bad), 2);
    assert!(one_line_error(&bad).contains("not a session key"));
}

#[test]
fn clear_expired_counts_what_it_removed() {
    let dir = private_dir();
    let url = file_url(dir.path());
    // Saved an hour before a day ago: expired by now.
    let past =
        MockClock::at_unix(session_core::time::OffsetDateTime::now_utc().unix_timestamp() - 90_000);
    saved_session(dir.path(), Some(past));
    let live = saved_session(dir.path(), None);
    let output = sessions(&["clear-expired", &url]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "1 expired session(s) removed");
    assert_eq!(code(&sessions(&["inspect", &url, &live])), 0);
}

#[test]
fn an_unwritable_report_directory_is_one_line() {
    let output = sessions(&[
        "bench",
        "--quick",
        "--report",
        "/proc/sessions-report",
        "memory://",
    ]);
    assert_eq!(code(&output), 1);
    assert!(one_line_error(&output).contains("cannot write the report"));
}
