//! The `session-demo` binary itself: a clear error for an unusable store or
//! a short secret key, no password printed, and a real run on an ephemeral
//! port.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_session-demo");

#[test]
fn unavailable_store_is_a_clear_error() {
    for (url, expected) in [
        // Redis is built in now (and connects on first use); TLS is not.
        (
            "rediss://127.0.0.1:6379/0",
            "TLS is not compiled in (enable the crate feature `tls`)",
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

/// A password in `--store` is never printed, whatever the error (here an
/// unknown parameter: the store connects on first use, so the URL must be
/// refused before that).
#[test]
fn store_url_credentials_are_redacted() {
    let out = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--store",
            "redis://admin:hunter2@db.internal:6379/0?bogus=1",
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

/// How long the test waits for the server's address line and its answer: a
/// safety net so that a bug fails the test instead of hanging CI.
const LIMIT: Duration = Duration::from_secs(30);

/// Kills the server when the test ends, even by a panic.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serves_on_an_ephemeral_port_and_warns_without_secret() {
    let mut server = Server(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--store", "memory"])
            .env_remove("SESSION_SECRET_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = server.0.stdout.take().unwrap();
    let mut stderr = server.0.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = tx.send(read);
    });
    let line = rx
        .recv_timeout(LIMIT)
        .unwrap_or_else(|e| panic!("no address line from the server within {LIMIT:?}: {e}"))
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    let client = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
    let body = client
        .get(format!("{base}/session/get?key=k"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    server.0.kill().unwrap();
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert_eq!(body, "The value of k in session is Session data not found");
    assert!(err.contains("SESSION_SECRET_KEY is not set"), "{err}");
}
