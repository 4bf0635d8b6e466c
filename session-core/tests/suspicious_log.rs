//! G2: session data that fails its signature is logged on
//! `session::suspicious` at WARN as Django's `SuspiciousSession` ("Session
//! data corrupted"); an undecodable payload under a valid signature is not
//! (Django logs nothing for it), and no log line carries the data.
//!
//! This test has its own binary and installs a global subscriber: tracing
//! caches a callsite's interest the first time any thread reaches it, so a
//! log capture must not run beside other tests.

use session_core::codec::{Codec, DjangoCodec};
use session_core::testing::{LogCapture, django_vectors, suspicious_lines};

#[test]
fn g2_bad_signatures_are_logged_as_django_logs_them() {
    let captured = LogCapture::install();

    let v = django_vectors();
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
        let warnings: Vec<&str> = suspicious_lines(&log)
            .into_iter()
            .filter(|l| l.contains("WARN"))
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
