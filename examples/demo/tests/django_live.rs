//! The demo against a live Django 5.2, in both directions: the file
//! backend with the Django codec, signed-cookie sessions and plain signed
//! cookies, sharing one directory and one set of keys; and the db backend
//! on Django's `django_session` table (`db.rs`), on SQLite and PostgreSQL.
//!
//! Django runs as `scripts/django-interop/django_side.py`, with Django
//! installed on the first run by `pip install 'Django>=5.2,<5.3'
//! 'psycopg[binary]>=3.1,<4'` into
//! `target/` (see `python::django_python`), so later runs start at once. Without
//! Python or PyPI every test here skips, with one line on stderr for all;
//! with `SESSION_TEST_REQUIRE=django` a skip is a failure.

#[path = "django_live/cookies.rs"]
mod cookies;
#[path = "django_live/db.rs"]
mod db;
#[path = "django_live/demo.rs"]
mod demo;
#[path = "django_live/python.rs"]
mod python;

use std::path::Path;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use session_backend_file::FileConfig;
use session_core::Codec;
use session_core::time::{Duration, OffsetDateTime};

use demo::{AGE, Demo, KINDS, SECRET};
use python::{django, django_or_skip};

fn one(value: &str) -> String {
    format!(r#"{{"v":{value}}}"#)
}

fn file_settings(dir: &Path) -> Value {
    json!({"secret_key": SECRET, "file_path": dir, "cookie_age": AGE})
}

fn private_dir() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir().expect("a private directory")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_backend_with_django() {
    let Some(python) = django_or_skip("file_backend_with_django") else {
        return;
    };
    let dir = private_dir();
    let store = FileConfig::new()
        .with_directory(dir.path())
        .with_codec(Codec::django(SECRET).expect("codec"))
        .build()
        .expect("store");
    let demo = Demo::start(Arc::new(store), &[]).await;
    let settings = file_settings(dir.path());
    let (mut to_django, mut from_django) = (0, 0);

    // Rust → Django: every JSON kind, set through the demo.
    let mut keys = Vec::new();
    for (_, value) in KINDS {
        let (status, key, _) = demo
            .get("/session/set-json", &[("key", "v"), ("json", value)], None)
            .await;
        assert_eq!(status, StatusCode::OK, "{value}");
        keys.push(key.expect("a session cookie"));
    }
    let gets = keys
        .iter()
        .map(|k| json!({"op": "file_get", "key": k}))
        .collect();
    for (((kind, value), got), key) in KINDS
        .iter()
        .zip(django(python, settings.clone(), gets))
        .zip(&keys)
    {
        assert_eq!(
            got["json"],
            one(value),
            "Django reads {kind} as written here"
        );
        assert_eq!(demo.session_json(key).await, one(value), "{kind} here");
        to_django += 1;
    }

    // Django → Rust: every kind, written by Django, read and saved back here.
    let puts = KINDS
        .iter()
        .map(|(_, v)| json!({"op": "file_put", "data": one(v)}))
        .collect();
    let written = django(python, settings.clone(), puts);
    let mut gets = Vec::new();
    for ((kind, value), put) in KINDS.iter().zip(&written) {
        let key = put["key"].as_str().expect("key");
        assert_eq!(
            demo.session_json(key).await,
            one(value),
            "{kind} written by Django"
        );
        let (status, _, _) = demo
            .get(
                "/session/set",
                &[("key", "w"), ("value", "x")],
                Some(("sessionid", key)),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        gets.push(json!({"op": "file_get", "key": key}));
        from_django += 1;
    }
    for ((kind, value), got) in KINDS.iter().zip(django(python, settings.clone(), gets)) {
        let expected = format!(r#"{{"v":{value},"w":"x"}}"#);
        assert_eq!(
            got["json"], expected,
            "{kind} saved back here, read by Django"
        );
    }

    // Every set_expiry form, both ways.
    let soon = OffsetDateTime::now_utc() + Duration::hours(1);
    let date = session_core::expiry::format_iso(soon.replace_nanosecond(0).expect("ns"));
    let forms: [(&str, Value, bool); 5] = [
        ("seconds", json!(3600), true),
        ("seconds", json!(0), true),
        ("seconds", json!(-3600), false),
        ("date", json!(date), true),
        ("default", Value::Null, true),
    ];
    let mut gets = Vec::new();
    for (param, value, _) in &forms {
        let (_, key, _) = demo
            .get("/session/set", &[("key", "foo"), ("value", "bar")], None)
            .await;
        let key = key.expect("key");
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let query: Vec<(&str, &str)> = match *param {
            "default" => vec![("seconds", "60")],
            other => vec![(other, text.as_str())],
        };
        demo.get("/session/set-expiry", &query, Some(("sessionid", &key)))
            .await;
        if *param == "default" {
            demo.get("/session/set-expiry", &[], Some(("sessionid", &key)))
                .await;
        }
        gets.push((key.clone(), json!({"op": "file_get", "key": key})));
    }
    let got = django(
        python,
        settings.clone(),
        gets.iter().map(|(_, c)| c.clone()).collect(),
    );
    for (((param, value, live), got), (key, _)) in forms.iter().zip(got).zip(&gets) {
        assert_eq!(
            got["loaded"], *live,
            "set_expiry({param} {value}) here, loaded by Django"
        );
        let ours = demo.session_json(key).await;
        if *live {
            assert_eq!(
                got["json"].as_str(),
                Some(ours.as_str()),
                "set_expiry({value})"
            );
        } else {
            assert_eq!(ours, "{}", "set_expiry({value}) here");
        }
        to_django += 1;
    }
    let puts = forms
        .iter()
        .map(|(param, value, _)| match *param {
            "default" => json!({"op": "file_put", "data": r#"{"foo":"bar"}"#, "expiry": null}),
            _ => json!({"op": "file_put", "data": r#"{"foo":"bar"}"#, "expiry": value}),
        })
        .collect();
    for ((param, value, live), put) in forms.iter().zip(django(python, settings.clone(), puts)) {
        let ours = demo.session_json(put["key"].as_str().expect("key")).await;
        assert_eq!(
            ours != "{}",
            *live,
            "set_expiry({param} {value}) by Django, loaded here: {ours}"
        );
        from_django += 1;
    }

    // cycle_key and flush from either side.
    let (_, k1, _) = demo
        .get("/session/set", &[("key", "foo"), ("value", "bar")], None)
        .await;
    let k1 = k1.expect("key");
    let (_, k2, _) = demo
        .get("/session/cycle-key", &[], Some(("sessionid", &k1)))
        .await;
    let k2 = k2.expect("a new key");
    let (_, k3, _) = demo
        .get("/session/set", &[("key", "foo"), ("value", "bar")], None)
        .await;
    let k3 = k3.expect("key");
    demo.get("/session/flush", &[], Some(("sessionid", &k3)))
        .await;
    let got = django(
        python,
        settings.clone(),
        [&k1, &k2, &k3]
            .iter()
            .map(|k| json!({"op": "file_get", "key": k}))
            .collect(),
    );
    assert_eq!(
        (&got[0]["loaded"], &got[0]["file_exists"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        got[1]["json"], r#"{"foo":"bar"}"#,
        "cycled here, read by Django"
    );
    assert_eq!(got[2]["file_exists"], false, "flushed here");
    to_django += 2;
    let made = django(
        python,
        settings.clone(),
        vec![
            json!({"op": "file_put", "data": r#"{"foo":"bar"}"#}),
            json!({"op": "file_put", "data": r#"{"foo":"bar"}"#}),
        ],
    );
    let (d1, d2) = (
        made[0]["key"].as_str().expect("key"),
        made[1]["key"].as_str().expect("key"),
    );
    let changed = django(
        python,
        settings,
        vec![
            json!({"op": "file_cycle", "key": d1}),
            json!({"op": "file_flush", "key": d2}),
        ],
    );
    let cycled = changed[0]["key"].as_str().expect("key");
    assert_eq!(
        demo.session_json(d1).await,
        "{}",
        "the key Django cycled away"
    );
    assert_eq!(
        demo.session_json(cycled).await,
        r#"{"foo":"bar"}"#,
        "cycled by Django"
    );
    assert_eq!(demo.session_json(d2).await, "{}", "flushed by Django");
    from_django += 2;
    eprintln!(
        "django_live file backend: {to_django} scenarios Rust -> Django, {from_django} Django -> Rust"
    );
}
