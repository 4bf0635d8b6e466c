//! The demo against a live Django 5.2, in both directions: the file
//! backend with the Django codec, signed-cookie sessions and plain signed
//! cookies, sharing one directory and one set of keys.
//!
//! Django runs as `scripts/django-interop/django_side.py`, with Django
//! installed on the first run by `pip install 'Django>=5.2,<5.3'` into
//! `target/` (see [`django_python`]), so later runs start at once. Without
//! Python or PyPI every test here skips, with one line on stderr for all;
//! with `SESSION_TEST_REQUIRE=django` a skip is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use session_backend_file::FileConfig;
use session_backend_signed_cookie::SignedCookieStore;
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Codec, MemoryStore, MockClock, SessionStore};
use session_demo::{DemoOptions, app, start};

const SECRET: &str = "django-interop-secret-key-new-0123456789";
const OLD_SECRET: &str = "django-interop-secret-key-old-0123456789";
const AGE: i64 = 1_209_600;

/// A Python that imports Django 5.2: an interpreter and the directory
/// Django was installed into.
struct Python {
    program: PathBuf,
    site: Option<PathBuf>,
}

impl Python {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        if let Some(site) = &self.site {
            command.env("PYTHONPATH", site);
        }
        command
    }

    fn has_django(&self) -> bool {
        self.command()
            .args(["-c", "import django; assert django.VERSION[:2] == (5, 2)"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// Python with Django 5.2, installed on first use, or why there is none.
///
/// Django goes into `target/django-site` with `pip install --target` (no
/// virtual environment needed, and allowed on systems whose Python is
/// externally managed), else into a virtual environment in
/// `target/django-venv`; `$DJANGO_INTEROP_DIR` replaces `target`.
fn django_python() -> Result<&'static Python, &'static str> {
    static PYTHON: OnceLock<Result<Python, String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let base = std::env::var_os("DJANGO_INTEROP_DIR").map_or_else(
                || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
                PathBuf::from,
            );
            let site = Python {
                program: PathBuf::from("python3"),
                site: Some(base.join("django-site")),
            };
            let venv = Python {
                program: base.join("django-venv/bin/python"),
                site: None,
            };
            if site.has_django() {
                return Ok(site);
            }
            if venv.has_django() {
                return Ok(venv);
            }
            let spec = "Django>=5.2,<5.3";
            let target = base.join("django-site");
            let pip = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
                .arg(&target)
                .arg(spec)
                .env("PIP_ROOT_USER_ACTION", "ignore")
                .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
                // Installing into a directory of our own never touches the
                // system's packages, which is all the externally-managed
                // check (PEP 668, Debian's Python) protects.
                .env("PIP_BREAK_SYSTEM_PACKAGES", "1")
                .status();
            match pip {
                Err(e) => return Err(format!("python3 not found ({e})")),
                Ok(status) if status.success() && site.has_django() => return Ok(site),
                Ok(_) => {}
            }
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(base.join("django-venv"))
                .status()
                .is_ok_and(|s| s.success());
            let installed = made
                && Command::new(base.join("django-venv/bin/pip"))
                    .args(["install", "--quiet", spec])
                    .env("PIP_ROOT_USER_ACTION", "ignore")
                    .status()
                    .is_ok_and(|s| s.success());
            if installed && venv.has_django() {
                Ok(venv)
            } else {
                Err(format!(
                    "could not install {spec} with pip (--target or a venv)"
                ))
            }
        })
        .as_ref()
        .map_err(String::as_str)
}

/// Django's Python, or `None` after one loud line (a panic when
/// `SESSION_TEST_REQUIRE` names `django`).
fn django_or_skip(test: &str) -> Option<&'static Python> {
    match django_python() {
        Ok(python) => Some(python),
        Err(why) => {
            assert!(
                !session_conformance::required("django"),
                "{test}: no live Django: {why}"
            );
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                // Straight to the process's stderr: the test harness does not
                // capture it, so the skip shows in every run.
                let line = format!(
                    "SKIPPED the live Django checks (django_live): {why}; set SESSION_TEST_REQUIRE=django to fail instead\n"
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            });
            None
        }
    }
}

/// One run of the Django side with `settings`: the results of `commands`.
fn django(python: &Python, settings: Value, commands: Vec<Value>) -> Vec<Value> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/django-interop/django_side.py");
    let mut child = python
        .command()
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Django side");
    let request = json!({"settings": settings, "commands": commands}).to_string();
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), request.as_bytes())
        .expect("write the commands");
    let out = child.wait_with_output().expect("the Django side");
    assert!(
        out.status.success(),
        "the Django side failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).expect("JSON from the Django side");
    assert!(
        reply["django"]
            .as_str()
            .is_some_and(|v| v.starts_with("5.2"))
    );
    reply["results"].as_array().expect("results").clone()
}

/// The demo over `store`, and the HTTP client that talks to it.
struct Demo {
    base: String,
    client: Client,
}

impl Demo {
    async fn start(store: Arc<dyn SessionStore>, fallback_keys: &[&str]) -> Self {
        let mut options = DemoOptions::new(SECRET);
        options.fallback_keys = fallback_keys.iter().map(|k| (*k).to_owned()).collect();
        let router = app(store, &options).expect("app");
        let (addr, _task) = start("127.0.0.1:0".parse().expect("addr"), router)
            .await
            .expect("start");
        Self {
            base: format!("http://{addr}"),
            client: Client::new(),
        }
    }

    /// GETs `path` with `query`, sending `cookie` (`name=value`) if any:
    /// the status, the new value of cookie `name` if one was set, the body.
    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        cookie: Option<(&str, &str)>,
    ) -> (StatusCode, Option<String>, String) {
        let mut request = self.client.get(format!("{}{path}", self.base)).query(query);
        if let Some((name, value)) = cookie {
            request = request.header(COOKIE, format!("{name}={value}"));
        }
        let response = request.send().await.expect("request");
        let name = cookie.map_or("sessionid", |(name, _)| name);
        let set = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .find_map(|h| h.strip_prefix(&format!("{name}=")))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_owned());
        (response.status(), set, response.text().await.expect("body"))
    }

    /// The session under `key` as Python's JSON, `{}` when it does not load.
    async fn session_json(&self, key: &str) -> String {
        self.get("/session/json", &[], Some(("sessionid", key)))
            .await
            .2
    }
}

/// Values of every JSON kind, as Python's `json.dumps` writes them: also
/// those only Python writes.
const KINDS: &[(&str, &str)] = &[
    ("ascii", r#""plain text""#),
    ("non-ASCII", r#""\u00e9t\u00e9 \u4e2d \ud83d\ude00""#),
    ("integer", "42"),
    ("i64 min", "-9223372036854775808"),
    ("u64 max", "18446744073709551615"),
    ("beyond 64 bits", "1180591620717411303424"),
    ("negative beyond 64 bits", "-1180591620717411303424"),
    ("float", "0.1"),
    ("float 1e+16", "1e+16"),
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"),
    ("lone surrogate", r#""a\ud800b""#),
    ("null", "null"),
    ("true", "true"),
    ("nested", r#"[1,[2.5,{"k":[]}],"x",{}]"#),
    ("empty string", r#""""#),
];

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
        .directory(dir.path())
        .codec(Codec::django(SECRET).expect("codec"))
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
        .fallback_keys([OLD_SECRET])
        .clock(clock.shared())
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
