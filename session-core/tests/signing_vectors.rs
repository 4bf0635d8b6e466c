//! `session_core::signing` primitives against the vectors recorded from
//! Django 5.2 (`testdata/django/vectors.json`), using the file's frozen time
//! as "now": base62, base64, salted_hmac, `Signer`, `TimestampSigner`, the
//! negative cases and key rotation. Objects, sessions and signed cookies are
//! in `signing_object_vectors.rs`.
//!
//! Rules (`docs/rules.md`, Signing): G1, byte compatibility with Django; G2,
//! tampered, truncated, garbage or expired data fails with a typed error,
//! never a panic.

mod common;

use common::*;
use serde_json::json;
use session_core::signing::{
    Algorithm, DEFAULT_DUMPS_SALT, MaxAge, PayloadError, Signer, TimestampSigner, UnsignError,
    b62_decode, b62_encode, b64_decode, b64_encode, loads, salted_hmac, salted_hmac_key,
};

/// G1: base62 timestamps encode and decode exactly as Django's table.
#[test]
fn b62_matches_django_table() {
    for row in list(&vectors()["primitives"], "b62") {
        let int = row["int"].as_i64().expect("int");
        assert_eq!(b62_encode(int), text(row, "b62"));
        assert_eq!(b62_decode(text(row, "b62")), Ok(int));
    }
    assert_eq!(
        b62_encode(now()),
        text(&vectors()["primitives"], "frozen_timestamp_b62")
    );
}

/// G1: unpadded URL-safe base64 matches Django's table both ways.
#[test]
fn b64_matches_django_table() {
    for row in list(&vectors()["primitives"], "b64_urlsafe_nopad") {
        let bytes = unhex(text(row, "bytes_hex"));
        assert_eq!(b64_encode(&bytes), text(row, "b64"));
        assert_eq!(b64_decode(text(row, "b64")).ok(), Some(bytes));
    }
}

/// G1: salted_hmac derives `H(key_salt ‖ secret)` and MACs with it, for
/// SHA-1, SHA-256 and SHA-512, including the signed-cookie key prefix.
#[test]
fn salted_hmac_matches_django_derivation() {
    for row in list(&vectors()["primitives"], "salted_hmac") {
        let (salt, secret) = (text(row, "key_salt"), text(row, "secret").as_bytes());
        let alg = algorithm(text(row, "algorithm"));
        assert_eq!(
            hex(&salted_hmac_key(salt, secret, alg)),
            text(row, "derived_key_hex")
        );
        let mac = salted_hmac(salt, text(row, "value").as_bytes(), secret, alg);
        assert_eq!(hex(&mac), text(row, "hmac_hex"));
        assert_eq!(b64_encode(&mac), text(row, "hmac_b64_nopad"));
    }
}

/// G1: Signer output (salts, separators, algorithms, empty and non-ASCII
/// values, values containing the separator) is byte-identical and verifies.
#[test]
fn signer_vectors_sign_and_verify() {
    for row in list(vectors(), "signer") {
        let mut signer = Signer::new(text(row, "key"))
            .with_algorithm(algorithm(text(row, "algorithm")))
            .with_sep(text(row, "sep"))
            .expect("valid separator");
        if let Some(salt) = row["salt_arg"].as_str() {
            signer = signer.with_salt(salt);
        }
        assert_eq!(signer.salt(), text(row, "effective_salt"));
        let value = text(row, "value");
        assert_eq!(signer.signature(value), text(row, "signature"));
        assert_eq!(signer.sign(value), text(row, "signed"));
        assert_eq!(signer.unsign(text(row, "signed")).as_deref(), Ok(value));
    }
}

/// G1: constants from Django's own signing tests: SHA-512 with a custom
/// key, a non-UTF-8 byte key, and separators outside the MAC.
#[test]
fn signer_matches_django_test_suite_constants() {
    let sha512 = Signer::new("predictable-secret").with_algorithm(Algorithm::Sha512);
    assert_eq!(
        sha512.signature("hello"),
        "Usf3uVQOZ9m6uPfVonKR-EBXjPe7bjMbp3_Fq8MfsptgkkM1ojidN0BxYaT5HAEN1VzO9_jVu7R-VkqknHYNvw"
    );
    let binary = Signer::new(b"\xe7");
    assert_eq!(
        binary.sign("foo"),
        "foo:EE4qGC5MEKyQG5msxYA0sBohAxLC0BJf8uRhemh0BGU"
    );
    for sep in ["/", "*sep*", ","] {
        let signer = Signer::new("predictable-secret")
            .with_sep(sep)
            .expect("valid separator");
        let expected = format!("foo{sep}jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0");
        assert_eq!(signer.sign("foo"), expected);
        assert_eq!(signer.unsign(&expected).as_deref(), Ok("foo"));
    }
}

/// G1: unsafe separators are rejected with Django's ValueError message.
#[test]
fn unsafe_separators_are_rejected_with_django_message() {
    for sep in ["", "-", "abc", "A-z0-9_=", "[\\]^`"] {
        assert!(Signer::new("k").with_sep(sep).is_err(), "{sep:?}");
    }
    let case = list(vectors(), "negative")
        .iter()
        .find(|c| c["name"] == "invalid_separator_constructor")
        .expect("case");
    let err = Signer::new(secret())
        .with_sep(text(case, "input"))
        .expect_err("unsafe");
    assert_eq!(err.to_string(), text(&case["result"], "message"));
    let err = Signer::new("k").with_sep("\\").expect_err("unsafe");
    assert_eq!(
        err.to_string(),
        r"Unsafe Signer separator: '\\' (cannot be empty or consist of only A-z0-9-_=)"
    );
}

/// G1: TimestampSigner output at the frozen time is byte-identical, and
/// the MAC covers `value:ts`.
#[test]
fn timestamp_signer_vectors_sign_at_frozen_time() {
    for row in list(vectors(), "timestamp_signer") {
        let mut signer = TimestampSigner::new(text(row, "key"));
        if let Some(salt) = row["salt_arg"].as_str() {
            signer = signer.with_salt(salt);
        }
        assert_eq!(signer.salt(), text(row, "effective_salt"));
        let (value, signed) = (text(row, "value"), text(row, "signed"));
        assert_eq!(signer.sign_at(value, now()), signed);
        assert_eq!(
            signer.unsign_at(signed, None, now()).ok().as_deref(),
            Some(value)
        );
        assert_eq!(signer.timestamp_of(signed).ok(), Some(now()));
        let stamped = format!("{value}:{}", text(row, "timestamp_b62"));
        assert_eq!(signer.signer().sign(&stamped), signed);
    }
}

/// G2: every recorded negative case fails with Django's error class:
/// tampering, wrong key or salt and missing separators are BadSignature
/// (same message); bad base64, zlib or JSON behind a valid signature are
/// payload errors; max_age boundaries (equal age passes, future passes)
/// match.
#[test]
fn negative_cases_fail_with_djangos_error_class() {
    for case in list(vectors(), "negative") {
        let name = text(case, "name");
        let input = text(case, "input");
        let checked_at = case["checked_at"].as_i64().unwrap_or_else(now);
        let max_age = case["max_age"].as_i64().map(MaxAge::from_secs);
        let outcome = match name {
            "invalid_separator_constructor" => continue,
            "wrong_salt" => loads(input, secret(), "other", None, NO_FALLBACKS, now()),
            "wrong_key" => loads(
                input,
                "not-the-secret",
                DEFAULT_DUMPS_SALT,
                None,
                NO_FALLBACKS,
                now(),
            ),
            "plain_signer_tampered" | "no_separator" => plain(Signer::new(secret()).unsign(input)),
            "timestamp_signer_expired" => {
                stamped(TimestampSigner::new(secret()).unsign_at(input, max_age, checked_at))
            }
            _ => loads(
                input,
                secret(),
                DEFAULT_DUMPS_SALT,
                max_age,
                NO_FALLBACKS,
                checked_at,
            ),
        };
        let specific = match (&outcome, name) {
            (Err(UnsignError::Payload(PayloadError::Zlib(_))), "valid_sig_bad_zlib") => true,
            (Err(UnsignError::Payload(PayloadError::Json(_))), "valid_sig_bad_json") => true,
            (Err(UnsignError::Payload(PayloadError::Base64(_))), "valid_sig_bad_base64") => true,
            (_, n) => !n.starts_with("valid_sig"),
        };
        assert!(specific, "{name}: {outcome:?}");
        assert_outcome(outcome, &case["result"], name);
    }
}

/// G1: fallback keys verify values signed with an old key, an empty list
/// disables them, and signing always uses the primary key.
#[test]
fn key_rotation_verifies_with_fallbacks_and_signs_with_primary() {
    let rot = &vectors()["key_rotation"];
    let (old, new) = (text(rot, "old_key"), text(rot, "new_key"));
    let signed = text(rot, "signed_with_old_key");
    let load = |fallbacks: &[&str]| loads(signed, new, DEFAULT_DUMPS_SALT, None, fallbacks, now());
    assert_outcome(load(&[]), &rot["loads_new_key_no_fallback"], "no fallback");
    assert_outcome(
        load(&[]),
        &rot["loads_settings_no_fallbacks"],
        "settings none",
    );
    assert_outcome(
        load(&[]),
        &rot["loads_settings_fallbacks_but_explicit_empty_list"],
        "empty",
    );
    assert_outcome(
        load(&[old]),
        &rot["loads_new_key_with_fallback_arg"],
        "fallback arg",
    );
    assert_outcome(
        load(&["unrelated", old]),
        &rot["loads_settings_fallbacks"],
        "settings",
    );
    let fresh = TimestampSigner::new(new)
        .with_salt(DEFAULT_DUMPS_SALT)
        .with_fallback_keys([old])
        .sign_object_at(&json!({"foo": "bar"}), false, now());
    assert_eq!(fresh, text(rot, "new_dumps_uses_primary_key"));
}
