//! The demo's side: the app served over a store, an HTTP client for it,
//! the keys both sides share, and values of every JSON kind.

use std::sync::Arc;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use session_core::SessionStore;
use session_demo::{DemoOptions, app, start};

/// The secret key both sides sign with.
pub(crate) const SECRET: &str = "django-interop-secret-key-new-0123456789";
/// The key signed with before `SECRET`: a fallback on both sides.
pub(crate) const OLD_SECRET: &str = "django-interop-secret-key-old-0123456789";
/// `SESSION_COOKIE_AGE` on both sides.
pub(crate) const AGE: i64 = 1_209_600;

/// The demo over `store`, and the HTTP client that talks to it.
pub(crate) struct Demo {
    base: String,
    client: Client,
}

impl Demo {
    pub(crate) async fn start(store: Arc<dyn SessionStore>, fallback_keys: &[&str]) -> Self {
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
    pub(crate) async fn get(
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
    pub(crate) async fn session_json(&self, key: &str) -> String {
        self.get("/session/json", &[], Some(("sessionid", key)))
            .await
            .2
    }
}

/// Values of every JSON kind, as Python's `json.dumps` writes them: also
/// those only Python writes.
pub(crate) const KINDS: &[(&str, &str)] = &[
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
