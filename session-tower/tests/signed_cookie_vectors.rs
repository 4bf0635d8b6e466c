//! The `signed_cookies` section of vectors.json (real Django output):
//! `set_signed_cookie` headers, `get_signed_cookie` outcomes, key rotation
//! and `delete_cookie` headers, through the [`Cookies`] API.

mod common;

use common::{signing_layer, vectors, with_cookies};
use serde_json::Value;
use session_core::MockClock;
use session_tower::{CookieSigning, MaxAge, SameSite, SetCookie, SignedCookieError};

const SECRET: &str = "conformance-secret";
const OLD_SECRET: &str = "conformance-secret-old";

fn frozen() -> i64 {
    vectors()["frozen_time_unix"].as_i64().unwrap()
}

/// Django's `set_signed_cookie` for each case: the exact header.
#[tokio::test]
async fn vectors_set_signed_cookie_headers() {
    let all = vectors();
    let clock = MockClock::at_unix(frozen());
    let layer = signing_layer(&clock, CookieSigning::new(SECRET).unwrap());
    for case in all["signed_cookies"]["cases"].as_array().unwrap() {
        let name = case["cookie_name"].as_str().unwrap().to_owned();
        let value = case["value"].as_str().unwrap().to_owned();
        let salt = case["salt"].as_str().unwrap().to_owned();
        let max_age = match &case["kwargs"]["max_age"] {
            Value::Number(n) => Some(n.as_i64().unwrap()),
            Value::Object(td) => Some(td["timedelta_seconds"].as_f64().unwrap() as i64),
            _ => None,
        };
        let (result, headers) = with_cookies(&layer, &[], move |cookies| {
            let mut cookie = SetCookie::new(name, value);
            if let Some(age) = max_age {
                cookie = cookie.max_age(age);
            }
            cookies.set_signed(cookie, &salt)
        })
        .await;
        result.unwrap();
        let expected = case["set_cookie_header"].as_str().unwrap();
        assert_eq!(format!("Set-Cookie: {}", headers[0]), expected, "{case}");
    }
}

/// Django's `get_signed_cookie` outcomes: value, or the error class and message.
#[tokio::test]
async fn vectors_get_signed_cookie_reads() {
    let all = vectors();
    for read in all["signed_cookies"]["reads"].as_array().unwrap() {
        let at = read["checked_at"].as_i64().unwrap_or(frozen());
        let clock = MockClock::at_unix(at);
        let legacy = read["SIGNED_COOKIE_LEGACY_SALT_FALLBACK"]
            .as_bool()
            .unwrap_or(false);
        let layer = signing_layer(
            &clock,
            CookieSigning::new(SECRET)
                .unwrap()
                .with_legacy_salt_fallback(legacy),
        );
        let cookies: Vec<(String, String)> = read["cookies"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let pairs: Vec<(&str, &str)> = cookies
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let key = read["key"].as_str().unwrap().to_owned();
        let salt = read["salt"].as_str().unwrap().to_owned();
        let max_age = read["max_age"].as_i64().map(MaxAge::from_secs);
        let has_default = read.get("default").is_some();
        let (got, _) = with_cookies(&layer, &pairs, move |c| {
            if has_default {
                Ok(c.get_signed(&key, &salt, max_age).ok())
            } else {
                c.get_signed(&key, &salt, max_age).map(Some)
            }
        })
        .await;
        check_read(read["name"].as_str().unwrap(), &read["result"], got);
    }
}

fn check_read(name: &str, expected: &Value, got: Result<Option<String>, SignedCookieError>) {
    if let Some(ok) = expected.get("ok") {
        assert_eq!(got.unwrap(), ok.as_str().map(str::to_owned), "{name}");
        return;
    }
    let err = got.expect_err(name);
    let class = expected["error"].as_str().unwrap();
    match class {
        "KeyError" => assert!(matches!(err, SignedCookieError::Missing(_)), "{name}"),
        "SignatureExpired" => assert!(err.is_expired(), "{name}: {err}"),
        "BadSignature" => assert!(err.is_bad_signature() && !err.is_expired(), "{name}: {err}"),
        other => panic!("{name}: unexpected class {other}"),
    }
    assert_eq!(
        err.to_string(),
        expected["message"].as_str().unwrap(),
        "{name}"
    );
}

/// Rotation: a cookie signed with the old secret is read with it as a fallback.
#[tokio::test]
async fn vectors_rotation() {
    let all = vectors();
    let rotation = &all["signed_cookies"]["rotation"];
    let old = rotation["signed_with_old_key"].as_str().unwrap().to_owned();
    let clock = MockClock::at_unix(frozen());
    for (fallbacks, expected) in [
        (vec![OLD_SECRET], &rotation["read_with_fallbacks"]),
        (vec![], &rotation["read_without_fallbacks"]),
    ] {
        let layer = signing_layer(
            &clock,
            CookieSigning::new(SECRET)
                .unwrap()
                .with_fallback_keys(fallbacks)
                .unwrap(),
        );
        let (got, _) = with_cookies(&layer, &[("content", &old)], |c| {
            c.get_signed("content", "rock", None).map(Some)
        })
        .await;
        check_read("rotation", expected, got);
    }
    // And signing with the old secret gives Django's old cookie.
    let layer = signing_layer(&clock, CookieSigning::new(OLD_SECRET).unwrap());
    let (_, headers) = with_cookies(&layer, &[], |c| {
        c.set_signed(SetCookie::new("content", "Sunck"), "rock")
            .unwrap()
    })
    .await;
    assert_eq!(headers, [format!("content={old}; Path=/")]);
}

/// `delete_cookie` headers, including the forced `Secure`.
#[tokio::test]
async fn vectors_delete_cookie_headers() {
    let all = vectors();
    let clock = MockClock::at_unix(frozen());
    let layer = signing_layer(&clock, CookieSigning::new(SECRET).unwrap());
    for case in all["signed_cookies"]["delete_cookie"].as_array().unwrap() {
        let name = case["cookie_name"].as_str().unwrap().to_owned();
        let kw = case["kwargs"].clone();
        let (result, headers) = with_cookies(&layer, &[], move |c| {
            let samesite = match kw["samesite"].as_str() {
                Some("Lax") => Some(SameSite::Lax),
                Some("None") => Some(SameSite::None),
                Some("Strict") => Some(SameSite::Strict),
                _ => None,
            };
            c.delete_with(
                &name,
                kw["path"].as_str().unwrap_or("/"),
                kw["domain"].as_str(),
                samesite,
            )
        })
        .await;
        result.unwrap();
        assert_eq!(
            format!("Set-Cookie: {}", headers[0]),
            case["set_cookie_header"].as_str().unwrap()
        );
    }
}
