//! Ports of Django's `SessionMiddlewareTests` (checklist 101..112).

mod common;

use std::sync::Arc;

use axum::body::Body;
use common::{call, parse_set_cookie, request_with_cookies, set_cookies};
use http::{Request, Response, StatusCode, header};
use session_core::{Config, MemoryStore, MockClock, SameSite, Session, SessionKey, SessionStore};
use session_tower::SessionLayer;

const NOW: i64 = 1_700_000_000;

fn memory() -> (MockClock, Arc<MemoryStore>) {
    let clock = MockClock::at_unix(NOW);
    (
        clock.clone(),
        Arc::new(MemoryStore::new().with_clock(clock.shared())),
    )
}

fn session_of(req: &Request<Body>) -> Session {
    req.extensions()
        .get::<Session>()
        .cloned()
        .expect("SessionLayer installed")
}

/// The view of Django's middleware tests: `session["hello"] = "world"`.
async fn hello(req: Request<Body>) -> Response<Body> {
    session_of(&req).insert("hello", "world").await.unwrap();
    Response::new(Body::from("ok"))
}

fn vary(response: &Response<Body>) -> Option<&str> {
    response
        .headers()
        .get(header::VARY)
        .map(|v| v.to_str().unwrap())
}

/// Django 101 test_secure_session_cookie.
#[tokio::test]
async fn m101_secure_session_cookie() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store, Config::default().with_cookie_secure(true));
    let response = call(&layer, request_with_cookies(&[]), hello).await;
    let cookie = parse_set_cookie(&set_cookies(&response)[0]);
    assert!(cookie.attrs.contains_key("secure"));
    assert_eq!(vary(&response), Some("Cookie"));
}

/// Django 102 test_httponly_session_cookie and 104 test_no_httponly_session_cookie.
#[tokio::test]
async fn m102_m104_httponly_on_and_off() {
    for on in [true, false] {
        let (_, store) = memory();
        let layer = SessionLayer::new(store, Config::default().with_cookie_httponly(on));
        let response = call(&layer, request_with_cookies(&[]), hello).await;
        let raw = &set_cookies(&response)[0];
        assert_eq!(raw.contains("HttpOnly"), on, "{raw}");
    }
}

/// Django 103 test_samesite_session_cookie.
#[tokio::test]
async fn m103_samesite_session_cookie() {
    let (_, store) = memory();
    let config = Config::default().with_cookie_samesite(Some(SameSite::Strict));
    let layer = SessionLayer::new(store, config);
    let response = call(&layer, request_with_cookies(&[]), hello).await;
    let cookie = parse_set_cookie(&set_cookies(&response)[0]);
    assert_eq!(cookie.attrs["samesite"].as_deref(), Some("strict"));
}

/// Django 105 test_session_save_on_500 and 106 test_session_save_on_5xx.
#[tokio::test]
async fn m105_m106_no_save_on_5xx() {
    for status in [
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::SERVICE_UNAVAILABLE,
    ] {
        let (_, store) = memory();
        let layer = SessionLayer::new(store.clone(), Config::default());
        let response = call(&layer, request_with_cookies(&[]), move |req| async move {
            session_of(&req).insert("hello", "world").await.unwrap();
            let mut response = Response::new(Body::empty());
            *response.status_mut() = status;
            response
        })
        .await;
        assert_eq!(response.status(), status);
        assert!(set_cookies(&response).is_empty());
        assert_eq!(vary(&response), Some("Cookie"));
        assert!(store.is_empty(), "nothing saved on {status}");
    }
}

/// Django 107 test_session_update_error_redirect: a session deleted during
/// the request makes a 400, and the record is not resurrected (L1).
#[tokio::test]
async fn m107_session_update_error_is_400() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store.clone(), Config::default());
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        let session = session_of(&req);
        session.insert("hello", "world").await.unwrap();
        session.save().await.unwrap();
        let key = session.key().unwrap();
        session.store().delete(&key).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let failure = response
        .extensions()
        .get::<session_tower::SessionFailure>()
        .unwrap();
    assert_eq!(failure.message, session_tower::INTERRUPTED_MESSAGE);
    assert!(set_cookies(&response).is_empty());
    assert!(store.is_empty(), "no resurrection");
}

/// Django 108 test_session_delete_on_end and 109 ..._with_custom_domain_and_path.
#[tokio::test]
async fn m108_m109_delete_on_end() {
    let cases = [
        (
            Config::default(),
            "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax",
        ),
        (
            Config::default()
                .with_cookie_domain(Some(".example.local".into()))
                .with_cookie_path("/example/"),
            "sessionid=\"\"; Domain=.example.local; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/example/; SameSite=Lax",
        ),
    ];
    for (config, expected) in cases {
        let (_, store) = memory();
        let layer = SessionLayer::new(store, config);
        let response = call(
            &layer,
            request_with_cookies(&[("sessionid", "abc")]),
            |req| async move {
                session_of(&req).flush().await.unwrap();
                Response::new(Body::empty())
            },
        )
        .await;
        assert_eq!(set_cookies(&response), [expected]);
        assert_eq!(vary(&response), Some("Cookie"));
    }
}

/// Django 110 test_flush_empty_without_session_cookie_doesnt_set_cookie.
#[tokio::test]
async fn m110_flush_without_cookie_sets_no_cookie() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store, Config::default());
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        session_of(&req).flush().await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(vary(&response), Some("Cookie"));
}

/// Django 111 test_save_every_request_with_non_empty_session_renews_session_cookie.
#[tokio::test]
async fn m111_save_every_request_renews_cookie() {
    let (clock, store) = memory();
    let layer = SessionLayer::new(store, Config::default().with_save_every_request(true));
    let first = call(&layer, request_with_cookies(&[]), hello).await;
    let cookie = parse_set_cookie(&set_cookies(&first)[0]);
    clock.advance_secs(60);
    let second = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie.value)]),
        |_req| async { Response::new(Body::empty()) },
    )
    .await;
    let renewed = parse_set_cookie(&set_cookies(&second)[0]);
    assert_eq!(renewed.value, cookie.value);
    assert_ne!(renewed.attrs["expires"], cookie.attrs["expires"]);
    assert_eq!(vary(&second), Some("Cookie"));
}

/// Django 112 test_empty_session_saved: emptied with `del`, not flushed,
/// is still saved and the cookie re-sent.
#[tokio::test]
async fn m112_empty_session_saved() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store.clone(), Config::default());
    let first = call(&layer, request_with_cookies(&[]), hello).await;
    let key = parse_set_cookie(&set_cookies(&first)[0]).value;
    let second = call(
        &layer,
        request_with_cookies(&[("sessionid", &key)]),
        |req| async move {
            session_of(&req).remove("hello").await.unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    let cookie = parse_set_cookie(&set_cookies(&second)[0]);
    assert_eq!(cookie.value, key);
    assert!(key.len() > 8);
    assert_eq!(vary(&second), Some("Cookie"));
    let record = store
        .load(&SessionKey::parse(&key).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(record.data.is_empty());
}
