//! Signed-cookie sessions and plain signed cookies, signed on one side
//! and read on the other, under one pair of rotating keys.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use session_backend_signed_cookie::SignedCookieStore;
use session_core::time::{Duration, OffsetDateTime};
use session_core::{MemoryStore, MockClock};

use super::demo::{AGE, Demo, KINDS, OLD_SECRET, SECRET};
use super::python::{django, django_or_skip};

/// A deterministic string of `len` letters and digits that barely compresses.
fn incompressible(len: usize) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            char::from(alphabet[((state >> 33) % 62) as usize])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_cookie_sessions_with_django() {
    let Some(python) = django_or_skip("signed_cookie_sessions_with_django") else {
        return;
    };
    const T: i64 = 1_700_000_000;
    let clock = MockClock::at_unix(T);
    let store = SignedCookieStore::builder(SECRET)
        .with_fallback_keys([OLD_SECRET])
        .with_clock(clock.shared())
        .build()
        .expect("store");
    let demo = Demo::start(Arc::new(store), &[OLD_SECRET]).await;
    let new_keys = json!({"secret_key": SECRET, "cookie_age": AGE});
    let old_keys = json!({"secret_key": OLD_SECRET, "cookie_age": AGE});
    let kinds = format!(
        "{{{}}}",
        KINDS
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let near_4k = format!(r#"{{"blob":"{}"}}"#, incompressible(3800));
    let over_4k = format!(r#"{{"blob":"{}"}}"#, incompressible(4300));
    let datas = [
        r#"{"name":"\u00e9t\u00e9 \u4e2d \ud83d\ude00"}"#.to_owned(),
        kinds,
        near_4k.clone(),
    ];
    let (mut to_django, mut from_django) = (0, 0);

    // Rust → Django.
    let mut cookies = Vec::new();
    for data in &datas {
        let mut cookie: Option<String> = None;
        let parsed: Value = session_core::signing::pyjson::from_str(data).expect("json");
        for (key, value) in parsed.as_object().expect("object") {
            let text = session_core::signing::pyjson::to_string(value);
            let sent = cookie.as_deref().map(|c| ("sessionid", c));
            let (status, set, _) = demo
                .get("/session/set-json", &[("key", key), ("json", &text)], sent)
                .await;
            assert_eq!(status, StatusCode::OK);
            cookie = set.or(cookie);
        }
        cookies.push(cookie.expect("a session cookie"));
    }
    let near = "sessionid=".len() + cookies[2].len();
    assert!((3800..=4096).contains(&near), "near 4 KB: {near} bytes");
    let at = |offset: i64| T + offset;
    let mut commands: Vec<Value> = cookies
        .iter()
        .map(|c| json!({"op": "cookie_get", "value": c, "now": at(1)}))
        .collect();
    commands.push(json!({"op": "cookie_get", "value": cookies[0], "now": at(AGE - 1)}));
    commands.push(json!({"op": "cookie_get", "value": cookies[0], "now": at(AGE + 1)}));
    let got = django(python, new_keys.clone(), commands);
    for (data, got) in datas.iter().zip(&got) {
        assert_eq!(
            got["json"].as_str(),
            Some(data.as_str()),
            "signed here, read by Django"
        );
        to_django += 1;
    }
    assert_eq!(got[3]["loaded"], true, "one second before the cookie age");
    assert_eq!(got[4]["loaded"], false, "one second after the cookie age");
    let rotated = django(
        python,
        old_keys.clone(),
        vec![json!({"op": "cookie_get", "value": cookies[0], "now": at(1)})],
    );
    assert_eq!(
        rotated[0]["loaded"], false,
        "the old key alone does not verify the new signature"
    );
    to_django += 3;

    // Django → Rust, signed with the old key (a fallback here).
    let mut puts: Vec<Value> = datas
        .iter()
        .chain([&over_4k])
        .map(|d| json!({"op": "cookie_put", "data": d, "now": at(0)}))
        .collect();
    puts.push(json!({"op": "cookie_put", "data": r#"{"foo":"bar"}"#, "now": at(0)}));
    let written = django(python, old_keys, puts);
    let over = written[3]["value"].as_str().expect("value");
    assert!("sessionid=".len() + over.len() > 4096, "over 4 KB");
    clock.set(OffsetDateTime::from_unix_timestamp(at(1)).expect("t"));
    for (data, put) in datas.iter().chain([&over_4k]).zip(&written) {
        let value = put["value"].as_str().expect("value");
        assert_eq!(
            &demo.session_json(value).await,
            data,
            "signed by Django, read here"
        );
        from_django += 1;
    }
    let value = written[4]["value"].as_str().expect("value");
    let (_, resigned, _) = demo
        .get(
            "/session/set",
            &[("key", "w"), ("value", "x")],
            Some(("sessionid", value)),
        )
        .await;
    let resigned = resigned.expect("re-signed with the new key");
    let got = django(
        python,
        new_keys,
        vec![json!({"op": "cookie_get", "value": resigned, "now": at(2)})],
    );
    assert_eq!(
        got[0]["json"], r#"{"foo":"bar","w":"x"}"#,
        "re-signed here, read by Django"
    );
    clock.set(OffsetDateTime::from_unix_timestamp(at(AGE - 1)).expect("t"));
    assert_eq!(demo.session_json(value).await, r#"{"foo":"bar"}"#);
    clock.set(OffsetDateTime::from_unix_timestamp(at(AGE)).expect("t"));
    assert_eq!(demo.session_json(value).await, "{}", "at the cookie age");
    from_django += 3;
    eprintln!(
        "django_live signed-cookie sessions: {to_django} scenarios Rust -> Django, {from_django} Django -> Rust"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_cookies_with_django() {
    let Some(python) = django_or_skip("signed_cookies_with_django") else {
        return;
    };
    const T: i64 = 1_700_000_000;
    let clock = MockClock::at_unix(T);
    let store = MemoryStore::new().with_clock(clock.shared());
    let demo = Demo::start(Arc::new(store), &[OLD_SECRET]).await;
    let new_keys = json!({"secret_key": SECRET});
    let (mut to_django, mut from_django) = (0, 0);

    // Rust → Django: signed here at T + 0.25 (the timestamp is T).
    clock.set(OffsetDateTime::from_unix_timestamp(T).expect("t") + Duration::milliseconds(250));
    let (_, value, _) = demo
        .get(
            "/signed-cookie/set",
            &[("key", "c"), ("value", "value-1"), ("salt", "s")],
            Some(("c", "")),
        )
        .await;
    let value = value.expect("a signed cookie");
    let get = |now: f64, salt: &str, max_age: Option<f64>| json!({"op": "signed_get", "name": "c", "value": value, "salt": salt, "now": now, "max_age": max_age});
    let t = T as f64;
    let got = django(
        python,
        new_keys.clone(),
        vec![
            get(t + 10.0, "s", Some(10.0)),
            get(t + 10.000_001, "s", Some(10.0)),
            get(t + 9.5, "s", Some(9.4)),
            get(t + 10.0, "other", None),
            get(t + 1e6, "s", None),
        ],
    );
    let values: Vec<&Value> = got.iter().map(|g| &g["value"]).collect();
    assert_eq!(
        values,
        [
            &json!("value-1"),
            &Value::Null,
            &Value::Null,
            &Value::Null,
            &json!("value-1")
        ],
        "max_age 10 at 10.0 s and 10.000001 s, 9.4 at 9.5 s, another salt, no max_age"
    );
    let rotated = django(
        python,
        json!({"secret_key": "django-interop-secret-key-next-012345678", "fallback_keys": [SECRET]}),
        vec![get(t + 1.0, "s", None)],
    );
    assert_eq!(
        rotated[0]["value"], "value-1",
        "the new key as a fallback of the next one"
    );
    to_django += 6;

    // Django → Rust: signed by Django with the old key (a fallback here).
    let signed = django(
        python,
        json!({"secret_key": OLD_SECRET}),
        vec![json!({"op": "signed_set", "name": "c", "value": "value-2", "salt": "s", "now": t})],
    );
    let value = signed[0]["value"].as_str().expect("value").to_owned();
    let read = |salt: &'static str, max_age: Option<&'static str>| {
        let value = value.clone();
        let demo = &demo;
        async move {
            let mut query = vec![("key", "c"), ("salt", salt)];
            if let Some(age) = max_age {
                query.push(("max_age", age));
            }
            let (status, _, body) = demo
                .get("/signed-cookie/get", &query, Some(("c", &value)))
                .await;
            (status, body)
        }
    };
    let ok = (StatusCode::OK, "The value of c is value-2".to_owned());
    let expired = (StatusCode::BAD_REQUEST, "Signature expired".to_owned());
    clock.set(OffsetDateTime::from_unix_timestamp(T + 10).expect("t"));
    assert_eq!(read("s", Some("10")).await, ok, "10 s old, max_age 10");
    assert_eq!(read("s", None).await, ok, "no max_age");
    clock.set(OffsetDateTime::from_unix_timestamp(T + 10).expect("t") + Duration::microseconds(1));
    assert_eq!(
        read("s", Some("10")).await,
        expired,
        "10.000001 s old, max_age 10"
    );
    assert_eq!(read("s", Some("10.5")).await, ok, "max_age 10.5");
    assert_eq!(
        read("other", None).await,
        (StatusCode::BAD_REQUEST, "Bad signature".to_owned()),
        "another salt"
    );
    clock.set(OffsetDateTime::from_unix_timestamp(T + 9).expect("t") + Duration::milliseconds(500));
    assert_eq!(
        read("s", Some("9.4")).await,
        expired,
        "9.5 s old, max_age 9.4"
    );
    from_django += 6;
    eprintln!(
        "django_live signed cookies: {to_django} scenarios Rust -> Django, {from_django} Django -> Rust"
    );
}
