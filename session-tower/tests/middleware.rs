//! Middleware rules Django's own suite does not cover: the lazy store
//! (D4), Vary merging, a handler's own save, the login guard (M4), the plain
//! cookie API (M3) and hostile input. Header tokens are in `header_tokens.rs`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use common::{call, parse_set_cookie, request_with_cookies, set_cookies};
use http::{HeaderName, Request, Response, StatusCode, header};
use session_core::testing::ProbeStore;
use session_core::{Config, MemoryStore, MockClock, Session, SessionStore};
use session_tower::auth::{self, LoginRequiredLayer};
use session_tower::{CookieError, Cookies, SessionLayer, SetCookie};

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

fn vary(response: &Response<Body>) -> Option<&str> {
    response
        .headers()
        .get(header::VARY)
        .map(|v| v.to_str().unwrap())
}

/// D4: a request that never touches the session makes no store call, even
/// with a session cookie.
#[tokio::test]
async fn d4_untouched_session_makes_no_store_call() {
    let (_, store) = memory();
    let counting = ProbeStore::new(store);
    let layer = SessionLayer::new(counting.clone(), Config::default())
        .with_secret_key("a secret key of 32 bytes or more..")
        .unwrap();
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", "abcdefghijklmnopqrstuvwxyz012345")]),
        |req| async move {
            let cookies = req.extensions().get::<Cookies>().cloned().unwrap();
            cookies.set(SetCookie::new("a", "b")).unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    assert_eq!(counting.calls(), 0);
    assert_eq!(set_cookies(&response), ["a=b; Path=/"]);
    assert_eq!(vary(&response), None);
}

/// Vary is merged into the handler's own header, as `patch_vary_headers`.
#[tokio::test]
async fn vary_is_merged() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store, Config::default());
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        session_of(&req).get_value("x").await.unwrap();
        let mut response = Response::new(Body::empty());
        response
            .headers_mut()
            .insert(header::VARY, "Accept-Encoding, cookie".parse().unwrap());
        response
    })
    .await;
    assert_eq!(vary(&response), Some("Accept-Encoding, cookie"));
}

fn token() -> HeaderName {
    HeaderName::from_static("x-session-token")
}

/// M2 / L1: a handler that saves the session itself is saved again by the
/// middleware, as Django does (that second save is what notices a
/// concurrent logout); the cookie carries the key the handler saw, and a
/// change after the handler's save is stored.
#[tokio::test]
async fn handler_save_is_saved_again_as_django_does() {
    let (_, store) = memory();
    let probe = ProbeStore::new(store.clone());
    let layer = SessionLayer::new(probe.clone(), Config::default());
    let saved = call(&layer, request_with_cookies(&[]), |req| async move {
        let session = session_of(&req);
        auth::login(&session, "alice").await.unwrap();
        session.save().await.unwrap();
        Response::new(Body::from(session.key().unwrap().as_str().to_owned()))
    })
    .await;
    assert_eq!(
        probe.calls(),
        3,
        "cycle_key's create, the handler's save, the middleware's save"
    );
    let cookie = parse_set_cookie(&set_cookies(&saved)[0]).value;
    let body = axum::body::to_bytes(saved.into_body(), 1024).await.unwrap();
    assert_eq!(cookie.as_bytes(), &body[..], "the cookie is the saved key");

    let changed = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        |req| async move {
            let session = session_of(&req);
            session.insert("a", 1).await.unwrap();
            session.save().await.unwrap();
            session.insert("a", 2).await.unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        probe.calls(),
        3 + 3,
        "load, the handler's save, the middleware's"
    );
    let key = session_core::SessionKey::parse(&cookie).unwrap();
    let record = store.load(&key).await.unwrap().unwrap();
    assert_eq!(record.data["a"], 2);
}

/// The guard: redirect with `?next=` for browsers, 401 for header clients
/// and `unauthorized()` guards, pass-through when logged in.
#[tokio::test]
async fn login_required_guard() {
    use tower::ServiceExt;
    let (_, store) = memory();
    let session_layer = SessionLayer::new(store, Config::default()).with_header_token(token());
    let app = |guard: LoginRequiredLayer| {
        let inner = tower::service_fn(|_req: Request<Body>| async {
            Ok::<_, std::convert::Infallible>(Response::new(Body::from("secret")))
        });
        tower::Layer::layer(&session_layer, tower::Layer::layer(&guard, inner))
    };
    let browser = app(LoginRequiredLayer::redirect_to("/login"))
        .oneshot(Request::get("/mine?tab=a%20b").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::FOUND);
    assert_eq!(
        browser.headers()[header::LOCATION],
        "/login?next=/mine%3Ftab%3Da%2520b"
    );

    let api = app(LoginRequiredLayer::redirect_to("/login"))
        .oneshot(
            Request::get("/api")
                .header(token(), "nosuchkey0000000000")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    let api = app(LoginRequiredLayer::unauthorized())
        .oneshot(Request::get("/api").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);

    let login = call(
        &session_layer,
        request_with_cookies(&[]),
        |req| async move {
            auth::login(&session_of(&req), "bob").await.unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    let key = parse_set_cookie(&set_cookies(&login)[0]).value;
    let ok = app(LoginRequiredLayer::redirect_to("/login"))
        .oneshot(request_with_cookies(&[("sessionid", &key)]))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

/// M4: login cycles the key (fixation) and a different user's data is flushed.
#[tokio::test]
async fn login_cycles_key_and_flushes_other_user() {
    let (_, store) = memory();
    let session = Session::new(store.clone(), Arc::new(Config::default()), None);
    session.insert("cart", 3).await.unwrap();
    session.save().await.unwrap();
    let anonymous = session.key().unwrap();
    auth::login(&session, "alice").await.unwrap();
    let alice = session.key().unwrap();
    assert_ne!(anonymous, alice);
    assert_eq!(
        session.get::<i64>("cart").await.unwrap(),
        Some(3),
        "data kept"
    );
    assert!(
        !store.exists(&anonymous).await.unwrap(),
        "old record deleted"
    );
    auth::login(&session, "bob").await.unwrap();
    assert_eq!(
        session.get::<i64>("cart").await.unwrap(),
        None,
        "alice's data gone"
    );
    assert_eq!(
        auth::user_id(&session).await.unwrap().as_deref(),
        Some("bob")
    );
}

/// The plain cookie API: Django's `set_cookie` rules and errors.
#[tokio::test]
async fn set_cookie_rules() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store, Config::default());
    let response = call(
        &layer,
        request_with_cookies(&[("in", "\"a\\073b\"")]),
        |req| async move {
            let c = req.extensions().get::<Cookies>().cloned().unwrap();
            assert_eq!(c.get("in"), Some("a;b"));
            let at = time::OffsetDateTime::from_unix_timestamp(NOW + 100).unwrap();
            c.set(SetCookie::new("dt", "v").expires_at(at)).unwrap();
            assert_eq!(
                c.set(SetCookie::new("both", "v").expires_at(at).max_age(1)),
                Err(CookieError::ExpiresAndMaxAge)
            );
            assert!(matches!(
                c.set(SetCookie::new("bad name", "v")),
                Err(CookieError::InvalidName(_))
            ));
            assert!(matches!(
                c.set(SetCookie::new("", "v")),
                Err(CookieError::InvalidName(_))
            ));
            c.set(SetCookie::new("raw", "x").expires_raw("Wed, 01 Jan 2031 00:00:00 GMT"))
                .unwrap();
            c.set(
                cookie::Cookie::build(("from_crate", "v"))
                    .path("/p")
                    .secure(true)
                    .http_only(true)
                    .same_site(cookie::SameSite::Strict)
                    .max_age(time::Duration::seconds(5))
                    .build(),
            )
            .unwrap();
            c.set(SetCookie::new("raw", "replaced")).unwrap();
            assert_eq!(
                c.set(SetCookie::new("p", "v").path("/; Domain=evil")),
                Err(CookieError::InvalidAttribute("Path"))
            );
            assert!(
                c.set(SetCookie::new("d", "v").domain("x\r\nSet-Cookie: a=b"))
                    .is_err()
            );
            assert!(c.delete_with("d", "/\n", None, None).is_err());
            c.set(SetCookie::new("newline", "a\r\nSet-Cookie: evil=1"))
                .unwrap();
            Response::new(Body::empty())
        },
    )
    .await;
    assert_eq!(
        set_cookies(&response),
        [
            "dt=v; expires=Tue, 14 Nov 2023 22:15:01 GMT; Max-Age=101; Path=/",
            "raw=replaced; Path=/",
            "from_crate=v; expires=Tue, 14 Nov 2023 22:13:25 GMT; HttpOnly; Max-Age=5; Path=/p; SameSite=Strict; Secure",
            "newline=\"a\\015\\012Set-Cookie: evil=1\"; Path=/",
        ]
    );
}

/// Arbitrary bytes in the Cookie header never panic.
#[tokio::test]
async fn hostile_cookie_headers_never_panic() {
    let (_, store) = memory();
    let layer = SessionLayer::new(store, Config::default()).with_header_token(token());
    let calls = Arc::new(AtomicUsize::new(0));
    for raw in [
        &b"sessionid=\"\\"[..],
        b"sessionid=\xff\xfe; a=\"\\777\"",
        b";;;===;sessionid",
        b"sessionid=../../etc/passwd",
        b"sessionid=\"\\0\\00\\000\\\"",
    ] {
        let request = Request::get("/")
            .header(header::COOKIE, http::HeaderValue::from_bytes(raw).unwrap())
            .header(token(), http::HeaderValue::from_bytes(b"\xff..").unwrap())
            .body(Body::empty())
            .unwrap();
        let calls = Arc::clone(&calls);
        let response = call(&layer, request, move |req| async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let session = session_of(&req);
            session.get_value("x").await.unwrap();
            session.insert("x", 1).await.unwrap();
            Response::new(Body::empty())
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}
