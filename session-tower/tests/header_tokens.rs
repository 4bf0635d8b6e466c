//! Header tokens (clients without cookies): who gets the key in the
//! response header. Only clients using header transport do; a browser
//! using the session cookie never sees its `HttpOnly` key in a header.

mod common;

use std::sync::Arc;

use axum::body::Body;
use common::{call, parse_set_cookie, request_with_cookies, set_cookies};
use http::{HeaderName, Request, Response, StatusCode, header};
use session_core::{Config, MemoryStore, MockClock, Session};
use session_tower::auth;
use session_tower::{KeySource, SessionLayer};

fn memory() -> Arc<MemoryStore> {
    let clock = MockClock::at_unix(1_700_000_000);
    Arc::new(MemoryStore::new().with_clock(clock.shared()))
}

fn token() -> HeaderName {
    HeaderName::from_static("x-session-token")
}

fn session_of(req: &Request<Body>) -> Session {
    req.extensions().get::<Session>().cloned().unwrap()
}

fn with_token(key: &str) -> Request<Body> {
    Request::get("/")
        .header(token(), key)
        .body(Body::empty())
        .unwrap()
}

async fn login(layer: &SessionLayer, request: Request<Body>) -> Response<Body> {
    call(layer, request, |req| async move {
        auth::login(&session_of(&req), "alice").await.unwrap();
        Response::new(Body::empty())
    })
    .await
}

fn vary(response: &Response<Body>) -> Option<&str> {
    response
        .headers()
        .get(header::VARY)
        .map(|v| v.to_str().unwrap())
}

/// A browser (no token header) logging in, with no session or with an
/// existing cookie, gets its key in the cookie only, never in the header.
#[tokio::test]
async fn cookie_client_never_sees_the_token_header() {
    let layer = SessionLayer::new(memory(), Config::default()).with_header_token(token());
    let first = login(&layer, request_with_cookies(&[])).await;
    assert!(first.headers().get(token()).is_none(), "no key in a header");
    let cookie = parse_set_cookie(&set_cookies(&first)[0]);
    assert_eq!(cookie.name, "sessionid");
    assert!(cookie.attrs.contains_key("httponly"));
    assert_eq!(vary(&first), Some("Cookie, x-session-token"));

    // Logging in again cycles the key: still only in the cookie.
    let again = login(
        &layer,
        request_with_cookies(&[("sessionid", &cookie.value)]),
    )
    .await;
    let cycled = parse_set_cookie(&set_cookies(&again)[0]).value;
    assert_ne!(cycled, cookie.value);
    assert!(again.headers().get(token()).is_none());

    // Logging out deletes the cookie and sends no empty token header.
    let logout = call(
        &layer,
        request_with_cookies(&[("sessionid", &cycled)]),
        |req| async move {
            auth::logout(&session_of(&req)).await.unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    assert_eq!(parse_set_cookie(&set_cookies(&logout)[0]).value, "\"\"");
    assert!(logout.headers().get(token()).is_none());
}

/// A token client: an empty header on the first request asks for a token;
/// the key comes back in the header and no cookie is set; the header is
/// used next time; an unchanged key is not repeated; logout empties the
/// header; the query string is never read.
#[tokio::test]
async fn token_client_gets_the_header() {
    let store = memory();
    let layer = SessionLayer::new(store.clone(), Config::default()).with_header_token(token());
    let first = login(&layer, with_token("")).await;
    let key = first.headers()[token()].to_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    assert!(
        set_cookies(&first).is_empty(),
        "no cookie for header clients"
    );
    assert_eq!(vary(&first), Some("Cookie, x-session-token"));

    let mine = call(&layer, with_token(&key), |req| async move {
        assert_eq!(
            req.extensions().get::<KeySource>(),
            Some(&KeySource::Header)
        );
        let user = auth::user_id(&session_of(&req)).await.unwrap().unwrap();
        session_of(&req).insert("seen", true).await.unwrap();
        Response::new(Body::from(user))
    })
    .await;
    assert!(set_cookies(&mine).is_empty());
    assert!(
        mine.headers().get(token()).is_none(),
        "unchanged key is not repeated"
    );

    // Logging in again with the token cycles the key: the new one comes back.
    let again = login(&layer, with_token(&key)).await;
    let cycled = again.headers()[token()].to_str().unwrap().to_owned();
    assert_ne!(cycled, key);

    let logout = call(&layer, with_token(&cycled), |req| async move {
        auth::logout(&session_of(&req)).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert_eq!(logout.headers()[token()], "");
    assert!(set_cookies(&logout).is_empty());
    assert!(store.is_empty());

    let query = Request::get(format!("/?x-session-token={key}&sessionid={key}"))
        .body(Body::empty())
        .unwrap();
    let response = call(&layer, query, |req| async move {
        assert_eq!(session_of(&req).key(), None);
        Response::new(Body::empty())
    })
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// Header-only mode (cookies off): every client is a token client, so a
/// first request without the header gets its key in the header, and a
/// cookie is neither read nor set.
#[tokio::test]
async fn header_only_mode_sends_the_header() {
    let layer = SessionLayer::new(memory(), Config::default())
        .with_header_token(token())
        .without_cookie();
    let first = login(&layer, request_with_cookies(&[])).await;
    let key = first.headers()[token()].to_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    assert!(set_cookies(&first).is_empty());
    assert_eq!(vary(&first), Some("x-session-token"));

    let cookie_only = call(
        &layer,
        request_with_cookies(&[("sessionid", &key)]),
        |req| async move {
            assert_eq!(session_of(&req).key(), None, "cookies are not read");
            Response::new(Body::empty())
        },
    )
    .await;
    assert!(set_cookies(&cookie_only).is_empty());
}
