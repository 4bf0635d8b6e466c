//! `session_core::signing` objects against the vectors recorded from
//! Django 5.2 (`testdata/django/vectors.json`), using the file's frozen time
//! as "now": `dumps`/`loads` (compressed too, byte-exact with the `zlib`
//! feature), `sign_object`, session encode and decode, the signed_cookies
//! backend's values and signed cookies. The primitives are in
//! `signing_vectors.rs`.
//!
//! Rules (`docs/rules.md`, Signing): G1, byte compatibility with Django; G2,
//! tampered, truncated, garbage or expired data fails with a typed error,
//! never a panic.

mod common;

use common::*;
use serde_json::json;
use session_core::signing::{
    CookieSigner, DEFAULT_DUMPS_SALT, MaxAge, Signer, dumps, legacy_signed_cookie_salt, loads,
    pyjson, signed_cookie_salt,
};

const SESSION_SALT: &str = "django.contrib.sessions.SessionStore";
const COOKIE_BACKEND_SALT: &str = "django.contrib.sessions.backends.signed_cookies";

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
