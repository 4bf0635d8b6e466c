//! `session_core::signing` against the vectors recorded from Django 5.2
//! (`testdata/django/vectors.json`), using the file's frozen time as "now".
//!
//! Rules (DESIGN.md §3, Signing): G1, byte compatibility with Django; G2,
//! tampered, truncated, garbage or expired data fails with a typed error,
//! never a panic.

use std::sync::OnceLock;

use serde_json::{Value, json};
use session_core::signing::{
    Algorithm, BadSignature, CookieSigner, DEFAULT_DUMPS_SALT, MaxAge, PayloadError, Signer,
    TimestampSigner, UnsignError, b62_decode, b62_encode, b64_decode, b64_encode, dumps,
    legacy_signed_cookie_salt, loads, pyjson, salted_hmac, salted_hmac_key, signed_cookie_salt,
};

const SESSION_SALT: &str = "django.contrib.sessions.SessionStore";
const COOKIE_BACKEND_SALT: &str = "django.contrib.sessions.backends.signed_cookies";
const NO_FALLBACKS: &[&str] = &[];

fn vectors() -> &'static Value {
    static VECTORS: OnceLock<Value> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/django/vectors.json"
        );
        let text = std::fs::read_to_string(path).expect("vectors.json is readable");
        serde_json::from_str(&text).expect("vectors.json is JSON")
    })
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {value}"))
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list"))
}

fn now() -> i64 {
    vectors()["frozen_time_unix"].as_i64().expect("frozen time")
}

fn secret() -> &'static str {
    text(vectors(), "secret_key")
}

fn old_secret() -> &'static str {
    text(vectors(), "old_secret_key")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn algorithm(name: &str) -> Algorithm {
    name.parse().expect("known algorithm")
}

/// Checks an outcome against a recorded `{"ok": v}` or
/// `{"error": class, "message": m}`: Django's `BadSignature` and
/// `SignatureExpired` must be our bad-signature errors with the same message;
/// any other exception (JSONDecodeError, zlib.error, ValueError) raised after
/// a valid signature must be our payload error.
fn assert_outcome(actual: Result<Value, UnsignError>, expected: &Value, case: &str) {
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

fn plain(result: Result<String, BadSignature>) -> Result<Value, UnsignError> {
    result.map(Value::String).map_err(UnsignError::from)
}

fn stamped(result: Result<String, UnsignError>) -> Result<Value, UnsignError> {
    result.map(Value::String)
}

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

/// G1: the JSON text of every dumps object is Django's byte for byte.
#[test]
fn pyjson_writes_django_json_for_every_dumps_object() {
    for row in list(vectors(), "dumps") {
        let json = pyjson::to_string(&row["object"]);
        assert_eq!(json, text(row, "json_bytes"), "{}", row["name"]);
        assert_eq!(Some(json.len() as u64), row["json_len"].as_u64());
    }
}

/// G1: every dumps vector that Django left uncompressed is reproduced
/// byte for byte, with or without `compress`, for both salts.
#[test]
fn uncompressed_dumps_are_byte_exact() {
    let mut checked = 0;
    for row in list(vectors(), "dumps") {
        let compress = row["compress"] == true;
        let ours = dumps(&row["object"], secret(), text(row, "salt"), compress, now());
        if row["compressed_applied"] == false {
            assert_eq!(ours, text(row, "signed"), "{}", row["name"]);
            checked += 1;
        }
    }
    assert_eq!(checked, 38);
}

/// G1: we compress exactly when Django did (`zlib_len < json_len - 1`), mark
/// it with `.`, and our compressed output decodes to the object. (The deflate
/// bytes themselves come from miniz_oxide and differ from zlib's.)
#[test]
fn compression_decision_matches_django() {
    for row in list(vectors(), "dumps") {
        let (json_len, zlib_len) = (row["json_len"].as_u64(), row["zlib_len"].as_u64());
        let (json_len, zlib_len) = (json_len.expect("len"), zlib_len.expect("len"));
        let applied = row["compressed_applied"] == true;
        assert_eq!(applied, row["compress"] == true && zlib_len + 1 < json_len);
        assert_eq!(text(row, "signed").starts_with('.'), applied);
        let salt = text(row, "salt");
        let ours = dumps(
            &row["object"],
            secret(),
            salt,
            row["compress"] == true,
            now(),
        );
        assert_eq!(ours.starts_with('.'), applied, "{}", row["name"]);
        let back = loads(&ours, secret(), salt, None, NO_FALLBACKS, now()).expect("loads");
        assert_eq!(back, row["object"]);
    }
}

/// G1: with the `zlib` feature, compressed output is Django's byte for byte
/// too: every dumps vector, compressed or not, is reproduced exactly.
#[cfg(feature = "zlib")]
#[test]
fn compressed_dumps_are_byte_exact_with_zlib() {
    for row in list(vectors(), "dumps") {
        let ours = dumps(
            &row["object"],
            secret(),
            text(row, "salt"),
            row["compress"] == true,
            now(),
        );
        assert_eq!(ours, text(row, "signed"), "{}", row["name"]);
    }
}

/// G1: every Django dumps output, compressed or not, loads to its object.
#[test]
fn django_dumps_outputs_load_to_their_objects() {
    for row in list(vectors(), "dumps") {
        let salt = text(row, "salt");
        let loaded = loads(
            text(row, "signed"),
            secret(),
            salt,
            None,
            NO_FALLBACKS,
            now(),
        );
        assert_eq!(
            loaded.ok().as_ref(),
            Some(&row["loads_roundtrip"]),
            "{}",
            row["name"]
        );
        assert_eq!(row["loads_roundtrip"], row["object"]);
    }
    assert_eq!(
        dumps(&json!("hello"), secret(), DEFAULT_DUMPS_SALT, false, now()),
        "ImhlbGxvIg:1r31eq:WF9eDkeVZNs4CUT8z-d1P-2jeggWVof68eGupxxuuGU"
    );
}

/// G1: sign_object through a plain Signer (no timestamp) matches Django and
/// Django's output (compressed too) unsigns to the object.
#[test]
fn plain_signer_sign_object_matches_django() {
    let signer = Signer::new(secret());
    for row in list(vectors(), "sign_object_plain_signer") {
        let signed = text(row, "signed");
        if !signed.starts_with('.') {
            assert_eq!(
                signer.sign_object(&row["object"], row["compress"] == true),
                signed
            );
        }
        assert_eq!(
            signer.unsign_object(signed).ok().as_ref(),
            Some(&row["object"])
        );
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

/// G1: session encode (salt `django.contrib.sessions.SessionStore`,
/// compressed) is byte-exact where uncompressed, compresses when Django did,
/// and Django's encodings decode to the same dicts.
#[test]
fn session_encode_matches_django() {
    for row in list(&vectors()["sessions"], "encode") {
        let encoded = text(row, "encoded");
        let ours = dumps(&row["dict"], secret(), SESSION_SALT, true, now());
        assert_eq!(
            ours.starts_with('.'),
            encoded.starts_with('.'),
            "{}",
            row["dict"]
        );
        if !encoded.starts_with('.') {
            assert_eq!(ours, encoded);
        }
        for signed in [encoded, ours.as_str()] {
            let decoded = loads(signed, secret(), SESSION_SALT, None, NO_FALLBACKS, now());
            assert_eq!(decoded.ok().as_ref(), Some(&row["decoded"]));
        }
    }
}

/// G2: session decode of garbage, the empty string, another salt or an old
/// key is a BadSignature (Django logs it); a valid signature over a bad
/// payload is a payload error (Django is silent); fallbacks rescue an old
/// key. Nothing panics.
#[test]
fn session_decode_failures_are_classified() {
    for row in list(&vectors()["sessions"], "decode") {
        let name = text(row, "name");
        let fallbacks: &[&str] = if name.ends_with("SECRET_KEY_FALLBACKS") {
            &[old_secret()]
        } else {
            &[]
        };
        let result = loads(
            text(row, "input"),
            secret(),
            SESSION_SALT,
            None,
            fallbacks,
            now(),
        );
        let logged = !list(row, "logs").is_empty();
        match result {
            Ok(value) => assert_eq!(value, row["decoded"], "{name}"),
            Err(err) => {
                assert_eq!(row["decoded"], json!({}), "{name}");
                assert_eq!(err.is_bad_signature(), logged, "{name}: {err:?}");
            }
        }
    }
}

/// G1: the signed_cookies backend's cookie value is `dumps(data,
/// compress=True, salt=...backends.signed_cookies)`.
#[test]
fn signed_cookies_backend_values_match_django() {
    let backend = &vectors()["sessions"]["signed_cookies_backend"];
    for label in ["foo_bar", "empty", "auth_like", "compressible"] {
        let row = &backend[label];
        let value = text(row, "session_key_cookie_value");
        let ours = dumps(&row["dict"], secret(), COOKIE_BACKEND_SALT, true, now());
        assert_eq!(ours.starts_with('.'), value.starts_with('.'), "{label}");
        if !value.starts_with('.') {
            assert_eq!(ours, value, "{label}");
        }
        let loaded = loads(
            value,
            secret(),
            COOKIE_BACKEND_SALT,
            None,
            NO_FALLBACKS,
            now(),
        );
        assert_eq!(loaded.ok().as_ref(), Some(&row["dict"]), "{label}");
    }
}

/// G2: the signed_cookies backend's load: an age equal to the cookie age
/// passes, one second more expires, a tampered cookie fails, and fallback
/// keys rescue a cookie signed with the old key.
#[test]
fn signed_cookies_backend_loads_match_django() {
    let backend = &vectors()["sessions"]["signed_cookies_backend"];
    let cookie = text(&backend["foo_bar"], "session_key_cookie_value");
    let cookie_age = Some(MaxAge::from_secs(1_209_600));
    let load = |value: &str, fallbacks: &[&str], at: i64| {
        loads(
            value,
            secret(),
            COOKIE_BACKEND_SALT,
            cookie_age,
            fallbacks,
            at,
        )
        .unwrap_or(json!({}))
    };
    for label in [
        "load_at_signing_time",
        "load_at_age_exactly_cookie_age",
        "load_after_cookie_age",
    ] {
        let row = &backend[label];
        let at = row["checked_at"].as_i64().expect("time");
        assert_eq!(load(cookie, &[], at), row["loaded"], "{label}");
    }
    let err = loads(
        cookie,
        secret(),
        COOKIE_BACKEND_SALT,
        cookie_age,
        NO_FALLBACKS,
        now() + 1_209_601,
    );
    assert!(err.is_err_and(|e| e.is_expired()));
    let tampered = format!("{}A", &cookie[..cookie.len() - 1]);
    assert_eq!(
        load(&tampered, &[], now()),
        backend["tampered_cookie"]["loaded"]
    );
    let with = &backend["rotation_old_key_with_fallbacks"];
    assert_eq!(
        load(text(with, "cookie"), &[old_secret()], now()),
        with["loaded"]
    );
    let without = &backend["rotation_old_key_without_fallbacks"];
    assert_eq!(load(text(without, "cookie"), &[], now()), without["loaded"]);
}

/// G1: signed cookie values use key `django.http.cookies` + SECRET_KEY and
/// the v2 salt (legacy salt for the legacy values), byte for byte.
#[test]
fn signed_cookie_values_match_django_salts() {
    for case in list(&vectors()["signed_cookies"], "cases") {
        let (name, salt, value) = (
            text(case, "cookie_name"),
            text(case, "salt"),
            text(case, "value"),
        );
        assert_eq!(
            signed_cookie_salt(name, salt),
            text(case, "effective_signer_salt")
        );
        assert_eq!(
            legacy_signed_cookie_salt(name, salt),
            text(case, "legacy_effective_signer_salt")
        );
        let signer = CookieSigner::new(secret(), name, salt);
        assert_eq!(signer.sign_at(value, now()), text(case, "signed_value"));
        assert_eq!(
            signer.legacy_signer().sign_at(value, now()),
            text(case, "legacy_signed_value")
        );
        let read = signer.unsign_at(text(case, "signed_value"), None, now());
        assert_eq!(read.ok().as_deref(), Some(value));
    }
}

/// G2: signed cookie reads: wrong salt or name, tampering and expiry fail
/// with Django's error; the legacy salt is retried only when enabled and
/// never after an expiry.
#[test]
fn signed_cookie_reads_match_django() {
    let section = &vectors()["signed_cookies"];
    let legacy_default = section["legacy_fallback_default"] == true;
    for read in list(section, "reads") {
        let name = text(read, "name");
        let key = text(read, "key");
        let Some(cookie) = read["cookies"][key].as_str() else {
            continue; // a missing cookie is the request layer's concern
        };
        let legacy = read["SIGNED_COOKIE_LEGACY_SALT_FALLBACK"]
            .as_bool()
            .unwrap_or(legacy_default);
        let signer =
            CookieSigner::new(secret(), key, text(read, "salt")).with_legacy_fallback(legacy);
        let max_age = read["max_age"].as_i64().map(MaxAge::from_secs);
        let at = read["checked_at"].as_i64().unwrap_or_else(now);
        let outcome = stamped(signer.unsign_at(cookie, max_age, at));
        if read.get("default").is_some() {
            assert!(
                outcome.is_err(),
                "{name}: a default is returned only on error"
            );
            continue;
        }
        assert_outcome(outcome, &read["result"], name);
    }
}

/// G1: a signed cookie made with the old key verifies only with fallbacks.
#[test]
fn signed_cookie_rotation_matches_django() {
    let rotation = &vectors()["signed_cookies"]["rotation"];
    let cookie = text(rotation, "signed_with_old_key");
    let old_signer = CookieSigner::new(old_secret(), "content", "rock");
    assert_eq!(old_signer.sign_at("Sunck", now()), cookie);
    let with = CookieSigner::new(secret(), "content", "rock").with_fallback_keys([old_secret()]);
    assert_outcome(
        stamped(with.unsign_at(cookie, None, now())),
        &rotation["read_with_fallbacks"],
        "with",
    );
    let without = CookieSigner::new(secret(), "content", "rock");
    let outcome = stamped(without.unsign_at(cookie, None, now()));
    assert_outcome(outcome, &rotation["read_without_fallbacks"], "without");
}
