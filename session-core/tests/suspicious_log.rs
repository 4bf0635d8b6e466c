//! G2: session data that fails its signature is logged on
//! `session::suspicious` at WARN as Django's `SuspiciousSession` ("Session
//! data corrupted"); an undecodable payload under a valid signature is not
//! (Django logs nothing for it), and no log line carries the data.
//!
//! This test has its own binary and installs a global subscriber: tracing
//! caches a callsite's interest the first time any thread reaches it, so a
//! log capture must not run beside other tests.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use session_core::codec::{Codec, DjangoCodec};

/// The log text, as `session_conformance::logs::LogCapture` keeps it (that
/// crate depends on this one, so session-core's tests cannot use it).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn take(&self) -> String {
        let bytes = std::mem::take(&mut *self.0.lock().expect("lock"));
        String::from_utf8(bytes).expect("utf-8")
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn g2_bad_signatures_are_logged_as_django_logs_them() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let v = common::vectors();
    let secret = v["secret_key"].as_str().expect("secret");
    let plain = Codec::django(secret).expect("key");
    let with_fallback = Codec::Django(
        DjangoCodec::new(secret)
            .expect("key")
            .with_fallback_keys([v["old_secret_key"].as_str().expect("old key")]),
    );
    let mut checked = 0;
    for case in v["sessions"]["decode"].as_array().expect("decode cases") {
        let name = case["name"].as_str().expect("name");
        let input = case["input"].as_str().expect("input");
        let codec = if name.contains("SECRET_KEY_FALLBACKS") {
            &with_fallback
        } else {
            &plain
        };
        let _ = codec.decode(input);
        let log = captured.take();
        let warnings: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("WARN") && l.contains("session::suspicious"))
            .collect();
        let django_logged = case["logs"].as_array().expect("logs");
        assert_eq!(warnings.len(), django_logged.len(), "{name}: {log}");
        for (ours, theirs) in warnings.iter().zip(django_logged) {
            let message = theirs["message"].as_str().expect("message");
            assert!(ours.contains(message), "{name}: {ours:?} vs {message:?}");
        }
        if input.len() > 8 {
            assert!(!log.contains(input), "{name}: data logged: {log}");
        }
        checked += 1;
    }
    assert_eq!(checked, 8, "every sessions.decode vector");
}
