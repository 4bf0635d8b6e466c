//! The `sessions` binary against servers that are not there: a port where
//! nothing listens (the connection is refused) and a listener that accepts
//! and never answers, for PostgreSQL, MySQL and Redis URLs, with every
//! subcommand that opens a store. Each run is one line on stderr, a
//! non-zero exit, no password, and it ends within a few seconds: the
//! backends' default timeouts (5 s for a database connection, 3 s for a
//! Redis call) and the command's own 5-second limit per call.
//!
//! No server is needed: the test makes its own unreachable ones.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PASSWORD: &str = "hunter2";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz012345";
/// A safety bound: the configured limits are 3 to 5 seconds.
const BOUND: Duration = Duration::from_secs(15);

/// A local port where nothing listens: bound once, then released.
fn refused() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// A listener that accepts every connection and never writes a byte; the
/// accepted sockets stay open for as long as the test process runs.
fn silent() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut open: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            open.push(stream);
        }
    });
    addr
}

/// The URLs of each server backend at `addr`, each with a password.
fn urls(addr: SocketAddr) -> [String; 3] {
    [
        format!("postgres://app:{PASSWORD}@{addr}/sessions"),
        format!("mysql://app:{PASSWORD}@{addr}/sessions"),
        format!("redis://admin:{PASSWORD}@{addr}/0"),
    ]
}

/// Runs `sessions args` and measures how long it took.
fn sessions(args: Vec<String>) -> (Vec<String>, Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_sessions"))
        .args(&args)
        .env("SESSION_SECRET_KEY", "an-unreachable-test-secret-key")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the sessions binary runs");
    (args, output, started.elapsed())
}

/// Every subcommand that opens a store, against every URL, all at once
/// (they wait on timeouts, not on the CPU); checks each run and prints
/// how long each took.
fn check_all(case: &str, addr: SocketAddr) {
    let mut runs = Vec::new();
    for url in urls(addr) {
        let url = url.as_str();
        for args in [
            vec!["conformance", url],
            vec!["clear-expired", url],
            vec!["inspect", url, KEY],
            vec!["bench", "--quick", url],
        ] {
            let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
            runs.push(std::thread::spawn(move || sessions(args)));
        }
    }
    for run in runs {
        let (args, output, elapsed) = run.join().unwrap();
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        let scheme = args
            .iter()
            .find_map(|arg| arg.split_once("://"))
            .map_or("", |(scheme, _)| scheme);
        println!(
            "{case}: {} {scheme}: {:.1} s: {}",
            args[0],
            elapsed.as_secs_f64(),
            err.trim()
        );
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(err.starts_with("sessions: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains(PASSWORD), "{args:?}: {err}");
        assert!(err.contains("***@"), "{args:?}: redacted URL: {err}");
        assert!(!out.contains(PASSWORD), "{args:?}: {out}");
        assert!(elapsed < BOUND, "{args:?}: {elapsed:?}: {err}");
    }
}

#[test]
fn a_refused_connection_is_one_line_in_seconds() {
    check_all("refused", refused());
}

#[test]
fn a_server_that_never_answers_is_one_line_in_seconds() {
    check_all("silent", silent());
}
