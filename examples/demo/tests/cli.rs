//! The `session-demo` binary itself: a clear error for an unusable store or
//! a short secret key, no password printed, and a real run on an ephemeral
//! port.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_session-demo");

#[test]
fn unavailable_store_is_a_clear_error() {
    for (url, expected) in [
        (
            "sqlite:///tmp/demo.db?codec=django",
            "is not built into this program yet",
        ),
        ("gopher://x", "unknown session backend `gopher`"),
    ] {
        let out = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--store", url])
            .env("SESSION_SECRET_KEY", "a-test-secret-key-long-enough")
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// A password in `--store` is never printed, whatever the error.
#[test]
fn store_url_credentials_are_redacted() {
    let out = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--store",
            "redis://admin:hunter2@db.internal:6379/0",
        ])
        .env("SESSION_SECRET_KEY", "a-test-secret-key-long-enough")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("redis://***@db.internal:6379/0"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2") && !stderr.contains("admin"),
        "{stderr}"
    );
}

/// A secret key under 16 bytes is refused before anything starts.
#[test]
fn short_secret_key_is_refused() {
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--store", "memory"])
        .env("SESSION_SECRET_KEY", "too-short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SESSION_SECRET_KEY is 9 bytes long; it must be at least 16 bytes"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("too-short"),
        "the key is not printed: {stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "nothing served"
    );
}

#[tokio::test]
async fn serves_on_an_ephemeral_port_and_warns_without_secret() {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--store", "memory"])
        .env_remove("SESSION_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    let body = reqwest::get(format!("{base}/session/get?key=k"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(body, "The value of k in session is Session data not found");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SESSION_SECRET_KEY is not set"), "{stderr}");
}
