//! Helpers shared by the vector tests (`signing_vectors.rs`,
//! `signing_object_vectors.rs`): the recorded vectors (from
//! `session_core::testing`) and checks of outcomes against them.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use serde_json::Value;
use session_core::signing::{Algorithm, BadSignature, UnsignError};
pub(crate) use session_core::testing::django_vectors as vectors;

/// No fallback keys.
pub(crate) const NO_FALLBACKS: &[&str] = &[];

pub(crate) fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {value}"))
}

pub(crate) fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list"))
}

pub(crate) fn now() -> i64 {
    vectors()["frozen_time_unix"].as_i64().expect("frozen time")
}

pub(crate) fn secret() -> &'static str {
    text(vectors(), "secret_key")
}

pub(crate) fn old_secret() -> &'static str {
    text(vectors(), "old_secret_key")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

pub(crate) fn algorithm(name: &str) -> Algorithm {
    name.parse().expect("known algorithm")
}

/// Checks an outcome against a recorded `{"ok": v}` or
/// `{"error": class, "message": m}`: Django's `BadSignature` and
/// `SignatureExpired` must be our bad-signature errors with the same message;
/// any other exception (JSONDecodeError, zlib.error, ValueError) raised after
/// a valid signature must be our payload error.
pub(crate) fn assert_outcome(actual: Result<Value, UnsignError>, expected: &Value, case: &str) {
    if let Some(ok) = expected.get("ok") {
        match actual {
            Ok(value) => assert_eq!(&value, ok, "{case}"),
            Err(err) => panic!("{case}: expected {ok}, got error {err}"),
        }
        return;
    }
    let class = text(expected, "error");
    let err = match actual {
        Ok(value) => panic!("{case}: expected {class}, got {value}"),
        Err(err) => err,
    };
    match class {
        "BadSignature" | "SignatureExpired" => {
            let bad = err
                .as_bad_signature()
                .unwrap_or_else(|| panic!("{case}: expected {class}, got payload error {err:?}"));
            assert_eq!(bad.is_expired(), class == "SignatureExpired", "{case}");
            assert_eq!(bad.to_string(), text(expected, "message"), "{case}");
        }
        _ => assert!(
            err.as_payload().is_some(),
            "{case}: expected payload error, got {err:?}"
        ),
    }
}

pub(crate) fn plain(result: Result<String, BadSignature>) -> Result<Value, UnsignError> {
    result.map(Value::String).map_err(UnsignError::from)
}

pub(crate) fn stamped(result: Result<String, UnsignError>) -> Result<Value, UnsignError> {
    result.map(Value::String)
}
