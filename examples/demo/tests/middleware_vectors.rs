//! The 33 `middleware` scenarios of `vectors.json`, produced by real Django
//! (gen_vectors.py, `run_mw`), replayed through [`SessionLayer`]: same
//! status, same `Vary`, the same cookies with the same attributes and values
//! (attribute order and letter case aside), and the same key afterwards.
//!
//! Django's `db` engine is played by `MemoryStore` with Django's fixed keys
//! and frozen clock; `signed_cookies` by `session-backend-signed-cookie`.
//! These are `session-tower`'s vectors; they live in the demo, which brings
//! every backend, so that `session-tower` depends on no backend (not even
//! for its tests). The helpers (vectors.json among them, through
//! `session_core::testing`) are `session-tower`'s own test helpers.
//! Two signed-cookie scenarios assert our documented deviation (rules.md,
//! "Where we differ", K3): a bad or expired signed session cookie that the
//! view reads is **deleted**, where Django re-issues an empty signed cookie.

#[path = "../../../session-tower/tests/common/mod.rs"]
mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use common::{FixedKeys, parse_set_cookie, vectors};
use http::{Request, Response, StatusCode};
use serde_json::Value;
use session_core::{
    Config, ErrorKind, Expiry, MemoryStore, MockClock, Record, SameSite, Session, SessionStore,
};
use session_tower::{SessionFailure, SessionLayer};
use tower::{ServiceExt, service_fn};

const EXISTING: &str = "existingsessionkey00000000000001";
const NEW: &str = "newsessionkey0000000000000000001";
const SECRET: &str = "conformance-secret";

/// The views of gen_vectors.py.
#[derive(Debug, Clone, Copy)]
enum View {
    Set,
    Noop,
    Read,
    Flush,
    Set500,
    Expiry(i64),
    DeleteConcurrently,
    DelKey,
    Cycle,
}

/// Which view each scenario runs, and whether it starts with Django's
/// `make_existing` record.
fn plan(name: &str) -> (View, bool) {
    let view = match name {
        "db_new_session_modified"
        | "db_expire_at_browser_close_setting"
        | "db_custom_cookie_settings"
        | "db_samesite_false"
        | "db_cookie_age_3600"
        | "db_existing_modified"
        | "db_unknown_cookie_modified"
        | "signed_cookies_new"
        | "signed_cookies_browser_close" => View::Set,
        "db_no_cookie_untouched"
        | "db_existing_untouched"
        | "db_existing_save_every_request"
        | "db_no_cookie_save_every_request"
        | "db_unknown_cookie_untouched"
        | "db_unknown_cookie_save_every_request"
        | "signed_cookies_tampered_cookie_untouched" => View::Noop,
        "db_no_cookie_read_only"
        | "db_existing_read"
        | "db_unknown_cookie_read"
        | "signed_cookies_existing_read"
        | "signed_cookies_expired_cookie_read"
        | "signed_cookies_tampered_cookie_read" => View::Read,
        "db_flush_with_cookie"
        | "db_flush_without_cookie"
        | "db_samesite_none_delete"
        | "signed_cookies_flush_with_cookie" => View::Flush,
        "db_500_not_saved" => View::Set500,
        "db_set_expiry_0" => View::Expiry(0),
        "db_set_expiry_300" => View::Expiry(300),
        "db_set_expiry_negative" => View::Expiry(-10),
        "db_update_error_session_interrupted" => View::DeleteConcurrently,
        "db_existing_emptied_not_flushed" => View::DelKey,
        "db_existing_cycle_key" => View::Cycle,
        other => panic!("scenario {other} has no view here: add it"),
    };
    let existing =
        name.starts_with("db_existing_") || name == "db_update_error_session_interrupted";
    (view, existing)
}

/// Django's `override_settings` of a scenario as a `Config`.
fn config_of(settings: &Value) -> Config {
    let mut config = Config::default();
    let Some(map) = settings.as_object() else {
        return config;
    };
    for (key, value) in map {
        config = match key.as_str() {
            "SESSION_EXPIRE_AT_BROWSER_CLOSE" => {
                config.with_expire_at_browser_close(value.as_bool().unwrap())
            }
            "SESSION_SAVE_EVERY_REQUEST" => {
                config.with_save_every_request(value.as_bool().unwrap())
            }
            "SESSION_COOKIE_NAME" => config.with_cookie_name(value.as_str().unwrap()),
            "SESSION_COOKIE_DOMAIN" => config.with_cookie_domain(value.as_str().map(str::to_owned)),
            "SESSION_COOKIE_PATH" => config.with_cookie_path(value.as_str().unwrap()),
            "SESSION_COOKIE_SECURE" => config.with_cookie_secure(value.as_bool().unwrap()),
            "SESSION_COOKIE_HTTPONLY" => config.with_cookie_httponly(value.as_bool().unwrap()),
            "SESSION_COOKIE_AGE" => config.with_cookie_age(value.as_i64().unwrap()),
            "SESSION_COOKIE_SAMESITE" => config.with_cookie_samesite(match value.as_str() {
                Some("Lax") => Some(SameSite::Lax),
                Some("Strict") => Some(SameSite::Strict),
                Some("None") => Some(SameSite::None),
                _ => None,
            }),
            other => panic!("setting {other} not mapped"),
        };
    }
    config
}

fn signed_cookie_store(clock: &MockClock, config: &Config) -> Arc<dyn SessionStore> {
    let store = session_backend_signed_cookie::SignedCookieConfig::new(SECRET)
        .with_session_config(config)
        .with_clock(clock.shared())
        .build()
        .expect("signed-cookie store");
    Arc::new(store)
}

/// What a scenario produced.
#[derive(Debug)]
struct Outcome {
    status: StatusCode,
    set_cookie: Vec<String>,
    vary: Option<String>,
    key_after: Option<String>,
    failure: Option<SessionFailure>,
}

async fn run(
    name: &str,
    scenario: &Value,
    store: Arc<dyn SessionStore>,
    config: Config,
) -> Outcome {
    let (view, existing) = plan(name);
    if existing {
        let mut data = session_core::Data::new();
        data.insert("foo".into(), "bar".into());
        let expires = store.clock().now() + time::Duration::seconds(config.cookie_age);
        let key = store.create(&Record::new(data, expires)).await.unwrap();
        assert_eq!(key.as_str(), EXISTING);
    }
    let seen: Arc<Mutex<Option<Session>>> = Arc::default();
    let slot = Arc::clone(&seen);
    let handler = service_fn(move |req: Request<Body>| {
        let slot = Arc::clone(&slot);
        async move {
            let session = req
                .extensions()
                .get::<Session>()
                .cloned()
                .expect("session in extensions");
            *slot.lock().unwrap() = Some(session.clone());
            let mut status = StatusCode::OK;
            match view {
                View::Set => drop(session.insert("foo", "bar").await.unwrap()),
                View::Noop => {}
                View::Read => drop(session.get_value("foo").await.unwrap()),
                View::Flush => session.flush().await.unwrap(),
                View::Set500 => {
                    session.insert("foo", "bar").await.unwrap();
                    status = StatusCode::INTERNAL_SERVER_ERROR;
                }
                View::Expiry(n) => {
                    session.insert("foo", "bar").await.unwrap();
                    session.set_expiry(Expiry::Seconds(n)).await.unwrap();
                }
                View::DeleteConcurrently => {
                    session.insert("foo", "bar").await.unwrap();
                    let key = session.key().unwrap();
                    session.store().delete(&key).await.unwrap();
                }
                View::DelKey => drop(session.remove("foo").await.unwrap()),
                View::Cycle => {
                    session.insert("foo", "baz").await.unwrap();
                    session.cycle_key().await.unwrap();
                }
            }
            let mut response = Response::new(Body::from("ok"));
            *response.status_mut() = status;
            Ok::<_, Infallible>(response)
        }
    });
    let service = tower::Layer::layer(&SessionLayer::new(store, config), handler);
    let mut request = Request::get("/");
    let cookies = scenario["request_cookies"].as_object().unwrap();
    if !cookies.is_empty() {
        let header: Vec<String> = cookies
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
            .collect();
        request = request.header(http::header::COOKIE, header.join("; "));
    }
    let response = service
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let key_after = seen
        .lock()
        .unwrap()
        .as_ref()
        .and_then(|s| s.key())
        .map(|k| k.as_str().to_owned());
    Outcome {
        status: response.status(),
        set_cookie: response
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect(),
        vary: response
            .headers()
            .get(http::header::VARY)
            .map(|v| v.to_str().unwrap().to_owned()),
        key_after,
        failure: response.extensions().get::<SessionFailure>().cloned(),
    }
}

/// Our expected result where we differ from Django on purpose (K3).
fn expected_override(name: &str) -> Option<Value> {
    match name {
        "signed_cookies_expired_cookie_read" | "signed_cookies_tampered_cookie_read" => {
            Some(serde_json::json!({
                "status": 200,
                "set_cookie": ["Set-Cookie: sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"],
                "vary": "Cookie",
                "session_key_after": null,
            }))
        }
        _ => None,
    }
}

async fn check(name: &str) {
    let all = vectors();
    let scenario = &all["middleware"][name];
    assert!(scenario.is_object(), "scenario {name} is in vectors.json");
    let frozen = all["frozen_time_unix"].as_i64().unwrap();
    let at = if name == "signed_cookies_expired_cookie_read" {
        frozen + 1_209_600 + 1
    } else {
        frozen
    };
    let clock = MockClock::at_unix(at);
    let config = config_of(&scenario["settings"]);
    let store: Arc<dyn SessionStore> = if name.starts_with("signed_cookies_") {
        signed_cookie_store(&clock, &config)
    } else {
        Arc::new(
            MemoryStore::new()
                .with_clock(clock.shared())
                .with_key_generator(Arc::new(FixedKeys::new(if plan(name).1 {
                    &[EXISTING, NEW]
                } else {
                    &[NEW]
                }))),
        )
    };
    let outcome = run(name, scenario, store, config).await;
    let expected = expected_override(name).unwrap_or_else(|| scenario.clone());

    if let Some(exception) = expected["exception"].as_str() {
        assert_eq!(exception, "SessionInterrupted", "{name}");
        assert_eq!(outcome.status, StatusCode::BAD_REQUEST, "{name}");
        let failure = outcome.failure.expect("SessionFailure attached");
        assert_eq!(failure.kind, ErrorKind::Interrupted, "{name}");
        assert_eq!(
            failure.message,
            expected["message"].as_str().unwrap(),
            "{name}"
        );
        assert!(outcome.set_cookie.is_empty(), "{name}: no cookie on a 400");
        return;
    }
    assert_eq!(
        outcome.status.as_u16() as u64,
        expected["status"].as_u64().unwrap(),
        "{name}: status"
    );
    assert_eq!(
        outcome.vary.as_deref(),
        expected["vary"].as_str(),
        "{name}: Vary"
    );
    let got: Vec<_> = outcome
        .set_cookie
        .iter()
        .map(|h| parse_set_cookie(h))
        .collect();
    let want: Vec<_> = expected["set_cookie"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| parse_set_cookie(h.as_str().unwrap()))
        .collect();
    assert_eq!(
        got, want,
        "{name}: Set-Cookie\n got: {:?}",
        outcome.set_cookie
    );
    // Stronger than required: the header bytes are Django's too.
    let exact: Vec<String> = outcome
        .set_cookie
        .iter()
        .map(|h| format!("Set-Cookie: {h}"))
        .collect();
    let expected_exact: Vec<&str> = expected["set_cookie"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(exact, expected_exact, "{name}: byte-exact");
    assert_eq!(
        outcome.key_after.as_deref(),
        expected["session_key_after"].as_str(),
        "{name}: key after"
    );
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                check(stringify!($name)).await;
            }
        )*

        /// Every scenario of vectors.json is replayed here, and no other.
        #[test]
        fn all_33_scenarios_are_covered() {
            let ours: std::collections::BTreeSet<&str> = [$(stringify!($name)),*].into_iter().collect();
            let all = vectors();
            let theirs: std::collections::BTreeSet<&str> =
                all["middleware"].as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(ours, theirs);
            assert_eq!(ours.len(), 33);
        }
    };
}

scenarios!(
    db_new_session_modified,
    db_no_cookie_untouched,
    db_no_cookie_read_only,
    db_flush_with_cookie,
    db_flush_without_cookie,
    db_500_not_saved,
    db_expire_at_browser_close_setting,
    db_set_expiry_0,
    db_set_expiry_300,
    db_set_expiry_negative,
    db_custom_cookie_settings,
    db_samesite_false,
    db_samesite_none_delete,
    db_cookie_age_3600,
    db_existing_untouched,
    db_existing_read,
    db_existing_modified,
    db_existing_emptied_not_flushed,
    db_existing_cycle_key,
    db_existing_save_every_request,
    db_no_cookie_save_every_request,
    db_unknown_cookie_modified,
    db_unknown_cookie_untouched,
    db_unknown_cookie_read,
    db_unknown_cookie_save_every_request,
    db_update_error_session_interrupted,
    signed_cookies_new,
    signed_cookies_browser_close,
    signed_cookies_flush_with_cookie,
    signed_cookies_existing_read,
    signed_cookies_expired_cookie_read,
    signed_cookies_tampered_cookie_untouched,
    signed_cookies_tampered_cookie_read,
);
