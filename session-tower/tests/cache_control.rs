//! R21: `Cache-Control: private, no-store` on responses that belong to a
//! logged-in session or carry session credentials (a session cookie set,
//! refreshed or deleted; a token header sent or cleared). Django's
//! middleware only patches `Vary`; this is a documented deviation, on by
//! default and turned off with `SessionLayer::with_cache_control(false)`.

mod common;

use std::sync::Arc;

use axum::body::Body;
use common::{call, parse_set_cookie, request_with_cookies, set_cookies};
use http::header::CACHE_CONTROL;
use http::{HeaderName, HeaderValue, Request, Response};
use session_core::testing::ProbeStore;
use session_core::{Config, MemoryStore, MockClock, Session};
use session_tower::auth;
use session_tower::{PRIVATE_NO_STORE, SessionLayer};

type Probe = ProbeStore<MemoryStore>;

fn probe() -> Arc<Probe> {
    let clock = MockClock::at_unix(1_700_000_000);
    ProbeStore::new(Arc::new(MemoryStore::new().with_clock(clock.shared())))
}

fn layer() -> (Arc<Probe>, SessionLayer) {
    let probe = probe();
    let layer = SessionLayer::new(probe.clone(), Config::default());
    (probe, layer)
}

fn token() -> HeaderName {
    HeaderName::from_static("x-session-token")
}

fn session_of(req: &Request<Body>) -> Session {
    req.extensions().get::<Session>().cloned().unwrap()
}

fn cache_control(response: &Response<Body>) -> Option<&str> {
    response
        .headers()
        .get(CACHE_CONTROL)
        .map(|v| v.to_str().unwrap())
}

/// Logs `alice` in with a browser and returns the response.
async fn login(layer: &SessionLayer) -> Response<Body> {
    call(layer, request_with_cookies(&[]), |req| async move {
        auth::login(&session_of(&req), "alice").await.unwrap();
        Response::new(Body::empty())
    })
    .await
}

/// Reads the user id (no change, so no cookie) with session cookie `key`.
async fn read_user(layer: &SessionLayer, key: &str) -> Response<Body> {
    call(
        layer,
        request_with_cookies(&[("sessionid", key)]),
        |req| async move {
            let user = auth::user_id(&session_of(&req)).await.unwrap();
            Response::new(Body::from(user.unwrap_or_default()))
        },
    )
    .await
}

/// A logged-in user's pages are private: the login response (it sets the
/// cookie) and a later read-only page (no cookie at all) both get the header.
#[tokio::test]
async fn logged_in_responses_are_private_no_store() {
    let (_, layer) = layer();
    let login = login(&layer).await;
    assert_eq!(cache_control(&login), Some(PRIVATE_NO_STORE));
    let key = parse_set_cookie(&set_cookies(&login)[0]).value;

    let page = read_user(&layer, &key).await;
    assert!(set_cookies(&page).is_empty(), "read-only: no cookie");
    assert_eq!(cache_control(&page), Some("private, no-store"));
}

/// An anonymous session that is only read sends no credentials and has no
/// user: no header. Once it is written (the cookie is set), it gets one.
#[tokio::test]
async fn anonymous_session_gets_the_header_only_with_a_cookie() {
    let (_, layer) = layer();
    let created = call(&layer, request_with_cookies(&[]), |req| async move {
        session_of(&req).insert("cart", 1).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert_eq!(set_cookies(&created).len(), 1);
    assert_eq!(cache_control(&created), Some(PRIVATE_NO_STORE));
    let key = parse_set_cookie(&set_cookies(&created)[0]).value;

    let read = read_user(&layer, &key).await;
    assert!(set_cookies(&read).is_empty());
    assert_eq!(read.headers()["vary"], "Cookie");
    assert_eq!(cache_control(&read), None);
}

/// A handler that never touches the session: no store call, no `Vary`, no
/// `Cache-Control`, even for a logged-in user's cookie.
#[tokio::test]
async fn untouched_session_gets_nothing_and_is_never_loaded() {
    let (probe, layer) = layer();
    let key = parse_set_cookie(&set_cookies(&login(&layer).await)[0]).value;
    let calls = probe.calls();
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &key)]),
        |_req| async move { Response::new(Body::from("static")) },
    )
    .await;
    assert_eq!(probe.calls(), calls, "the store is not asked");
    assert_eq!(cache_control(&response), None);
    assert!(response.headers().get("vary").is_none());
}

/// A cookie that can never be a key is dropped without a store call and
/// deleted, as Django deletes it, even when the handler never used the
/// session: that deletion carries credentials, so it is not cacheable.
#[tokio::test]
async fn deleting_an_impossible_cookie_is_private_no_store() {
    let (probe, layer) = layer();
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", "abc")]),
        |_req| async move { Response::new(Body::from("static")) },
    )
    .await;
    assert_eq!(probe.calls(), 0, "the store is not asked");
    assert_eq!(parse_set_cookie(&set_cookies(&response)[0]).value, "\"\"");
    assert_eq!(cache_control(&response), Some(PRIVATE_NO_STORE));
}

/// Logout deletes the cookie: the response carries credentials' removal and
/// is kept out of caches too.
#[tokio::test]
async fn logout_response_is_private_no_store() {
    let (_, layer) = layer();
    let key = parse_set_cookie(&set_cookies(&login(&layer).await)[0]).value;
    let logout = call(
        &layer,
        request_with_cookies(&[("sessionid", &key)]),
        |req| async move {
            auth::logout(&session_of(&req)).await.unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    assert_eq!(parse_set_cookie(&set_cookies(&logout)[0]).value, "\"\"");
    assert_eq!(cache_control(&logout), Some(PRIVATE_NO_STORE));
}

/// The application's own `Cache-Control` is kept as it is.
#[tokio::test]
async fn application_cache_control_wins() {
    let (_, layer) = layer();
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        auth::login(&session_of(&req), "alice").await.unwrap();
        let mut response = Response::new(Body::empty());
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    })
    .await;
    assert_eq!(set_cookies(&response).len(), 1);
    let values: Vec<_> = response.headers().get_all(CACHE_CONTROL).iter().collect();
    assert_eq!(values, ["no-cache"]);
}

/// `with_cache_control(false)`: Django's behaviour, no header at all.
#[tokio::test]
async fn turned_off_adds_no_header() {
    let (_, layer) = layer();
    let layer = layer.with_cache_control(false);
    assert!(!layer.cache_control());
    let login = login(&layer).await;
    assert_eq!(set_cookies(&login).len(), 1);
    assert_eq!(cache_control(&login), None);
    let key = parse_set_cookie(&set_cookies(&login)[0]).value;
    assert_eq!(cache_control(&read_user(&layer, &key).await), None);
}

/// Header-token (API) clients: the response issuing the token and a later
/// authenticated read both get the header; an anonymous token read does not.
#[tokio::test]
async fn header_token_clients_get_it_too() {
    let (_, layer) = layer();
    let layer = layer.with_header_token(token());
    assert!(SessionLayer::new(probe(), Config::default()).cache_control());
    let request = |key: &str| {
        Request::get("/")
            .header(token(), key)
            .body(Body::empty())
            .unwrap()
    };
    let login = call(&layer, request(""), |req| async move {
        auth::login(&session_of(&req), "bob").await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert!(
        set_cookies(&login).is_empty(),
        "token clients get no cookie"
    );
    let key = login.headers()[token()].to_str().unwrap().to_owned();
    assert_eq!(cache_control(&login), Some(PRIVATE_NO_STORE));

    let read = call(&layer, request(&key), |req| async move {
        let user = auth::user_id(&session_of(&req)).await.unwrap();
        assert_eq!(user.as_deref(), Some("bob"));
        Response::new(Body::empty())
    })
    .await;
    assert!(read.headers().get(token()).is_none(), "key unchanged");
    assert_eq!(cache_control(&read), Some(PRIVATE_NO_STORE));

    // An anonymous token session, read without change: no credentials sent,
    // no user, no header.
    let cart = call(&layer, request(""), |req| async move {
        session_of(&req).insert("cart", 1).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    let cart_key = cart.headers()[token()].to_str().unwrap().to_owned();
    assert_eq!(cache_control(&cart), Some(PRIVATE_NO_STORE), "token issued");
    let anonymous = call(&layer, request(&cart_key), |req| async move {
        assert_eq!(auth::user_id(&session_of(&req)).await.unwrap(), None);
        Response::new(Body::empty())
    })
    .await;
    assert!(anonymous.headers().get(token()).is_none());
    assert_eq!(cache_control(&anonymous), None);
}
