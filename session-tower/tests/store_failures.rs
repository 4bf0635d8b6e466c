//! R39: when the store fails, the middleware fails closed. A request is
//! never treated as authenticated with stale or empty data, nothing is
//! written over a record that could not be read, no session cookie is set,
//! and no error text reaches the client.
//!
//! Failures are injected with [`ProbeStore::fail_next`] and
//! [`ProbeStore::fail_until_cleared`] around a `MemoryStore`.
//!
//! Handlers see a store failure as an `Err` from the session call and answer
//! 500 with a fixed body, as the demo app's handlers do. The middleware's own
//! failure (the save after the handler) is a 500 with an empty body.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use common::{FixedKeys, call, parse_set_cookie, request_with_cookies, set_cookies};
use http::{Request, Response, StatusCode};
use session_core::testing::ProbeStore;
use session_core::{
    Config, ErrorKind, MemoryStore, MockClock, Operation, Session, SessionKey, SessionStore,
};
use session_tower::auth::{self, LoginRequiredLayer};
use session_tower::{Cookies, SessionFailure, SessionLayer, SetCookie};
use tower::ServiceExt;

type Probe = ProbeStore<MemoryStore>;

const NOW: i64 = 1_700_000_000;
/// The body the test handlers give a store failure.
const INTERNAL_ERROR: &str = "Internal Server Error";

fn setup() -> (Arc<Probe>, SessionLayer) {
    setup_with_keys(&[])
}

/// A layer over a probed `MemoryStore` that hands out `keys` first.
fn setup_with_keys(keys: &[&str]) -> (Arc<Probe>, SessionLayer) {
    let clock = MockClock::at_unix(NOW);
    let store = Arc::new(
        MemoryStore::new()
            .with_clock(clock.shared())
            .with_key_generator(Arc::new(FixedKeys::new(keys))),
    );
    let probe = ProbeStore::new(store);
    let layer = SessionLayer::new(probe.clone(), Config::default());
    (probe, layer)
}

fn session_of(req: &Request<Body>) -> Session {
    req.extensions()
        .get::<Session>()
        .cloned()
        .expect("SessionLayer installed")
}

/// What a handler answers for a store error (details go to the log only).
fn internal(err: &session_core::Error) -> Response<Body> {
    tracing::error!(error = %err, "session store failed");
    let mut response = Response::new(Body::from(INTERNAL_ERROR));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .expect("body is readable");
    String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
}

/// Checks the response is a 500 with body `expected`, no `Set-Cookie`, and
/// nothing of the store's error in its body.
async fn assert_fails_closed(response: Response<Body>, expected: &str) {
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(set_cookies(&response), Vec::<String>::new(), "no cookie");
    let body = body_text(response).await;
    assert_eq!(body, expected);
    assert!(!body.contains(Probe::INJECTED_CONTEXT));
    assert!(!body.contains("memory"), "the backend is not named");
}

/// Logs `user` in (and stores `n = 1`) through the middleware, with no
/// failure armed, and returns the session cookie's value.
async fn logged_in(layer: &SessionLayer, user: &'static str) -> String {
    let response = call(layer, request_with_cookies(&[]), move |req| async move {
        let session = session_of(&req);
        auth::login(&session, user).await.unwrap();
        session.insert("n", 1).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    parse_set_cookie(&set_cookies(&response)[0]).value
}

/// The stored data of `key`, read behind the probe's back.
async fn stored(probe: &Probe, key: &str) -> Option<session_core::Data> {
    let key = SessionKey::parse(key).unwrap();
    probe
        .inner()
        .load(&key)
        .await
        .unwrap()
        .map(|record| (*record.data).clone())
}

fn alice_with_n(n: i64) -> session_core::Data {
    let mut data = session_core::Data::new();
    data.insert(auth::USER_ID_KEY.into(), "alice".into());
    data.insert("n".into(), n.into());
    data
}

/// (a) A load error when the handler reads the session: the handler gets an
/// `Err` and stops; 500 with a fixed body, no cookie, nothing
/// written, and the handler's later side effects never happen.
#[tokio::test]
async fn load_error_on_read_is_500_without_cookie_or_side_effects() {
    let (probe, layer) = setup();
    let cookie = logged_in(&layer, "alice").await;
    let calls = probe.calls();
    let effects = Arc::new(AtomicUsize::new(0));
    probe.fail_next(Operation::Load);

    let seen = Arc::clone(&effects);
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        move |req| async move {
            let session = session_of(&req);
            let n: i64 = match session.get("n").await {
                Ok(n) => n.unwrap_or_default(),
                Err(err) => return internal(&err),
            };
            seen.fetch_add(1, Ordering::SeqCst);
            session.insert("n", n + 1).await.unwrap();
            Response::new(Body::from("counted"))
        },
    )
    .await;

    assert_fails_closed(response, INTERNAL_ERROR).await;
    assert_eq!(effects.load(Ordering::SeqCst), 0, "the handler stopped");
    assert_eq!(probe.injected_failures(), 1);
    assert_eq!(probe.calls() - calls, 1, "the failed load only: no write");
    assert_eq!(stored(&probe, &cookie).await, Some(alice_with_n(1)));
}

/// (a) A handler that swallows the load errors and answers 200 anyway: the
/// session it could not read is never written over (no save, create or
/// delete reaches the store) and no cookie is set.
#[tokio::test]
async fn swallowed_load_error_writes_nothing() {
    let (probe, layer) = setup();
    let cookie = logged_in(&layer, "alice").await;
    let calls = probe.calls();
    probe.fail_until_cleared(Operation::Load);

    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        |req| async move {
            let session = session_of(&req);
            let user = auth::user_id(&session).await.ok().flatten();
            assert_eq!(user, None, "no user without data");
            // Writing needs the data, so it fails too and changes nothing.
            assert!(session.insert("n", 99).await.is_err());
            assert!(!session.modified());
            Response::new(Body::from("ok"))
        },
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK, "the handler's choice");
    assert_eq!(set_cookies(&response), Vec::<String>::new());
    assert_eq!(
        probe.calls() - calls,
        probe.injected_failures(),
        "only failed loads reached the store"
    );
    assert_eq!(probe.injected_failures(), 2);
    probe.clear_failures();
    assert_eq!(stored(&probe, &cookie).await, Some(alice_with_n(1)));
}

/// A session layer around a login guard around a route that counts its
/// invocations.
fn guarded(
    layer: &SessionLayer,
    guard: LoginRequiredLayer,
    runs: &Arc<AtomicUsize>,
) -> impl tower::Service<
    Request<Body>,
    Response = Response<Body>,
    Error = Infallible,
    Future = impl Send,
> + Clone {
    let runs = Arc::clone(runs);
    let route = tower::service_fn(move |_req: Request<Body>| {
        runs.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(Response::new(Body::from("secret"))) }
    });
    tower::Layer::layer(layer, tower::Layer::layer(&guard, route))
}

/// (b) The login guard cannot read the session: 500 with an empty body, no
/// cookie, and the protected route never runs, neither for the redirecting
/// guard nor for the 401 one. With the store back, the same cookie passes.
#[tokio::test]
async fn login_guard_with_load_error_is_500_and_never_runs_the_route() {
    let (probe, layer) = setup();
    let cookie = logged_in(&layer, "alice").await;
    let runs = Arc::new(AtomicUsize::new(0));
    let request = || {
        Request::get("/mine")
            .header(http::header::COOKIE, format!("sessionid={cookie}"))
            .body(Body::empty())
            .unwrap()
    };

    for guard in [
        LoginRequiredLayer::redirect_to("/login"),
        LoginRequiredLayer::unauthorized(),
    ] {
        probe.fail_next(Operation::Load);
        let response = guarded(&layer, guard.clone(), &runs)
            .oneshot(request())
            .await
            .unwrap();
        assert!(response.headers().get(http::header::LOCATION).is_none());
        assert_fails_closed(response, "").await;
        assert_eq!(runs.load(Ordering::SeqCst), 0, "{guard:?}");
    }
    assert_eq!(probe.injected_failures(), 2);

    let response = guarded(&layer, LoginRequiredLayer::unauthorized(), &runs)
        .oneshot(request())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// (c) The middleware's save after a change fails: 500 with an empty body
/// and a [`SessionFailure`] for the logs, no cookie at all (not even the
/// handler's own), and the record saved before still loads unchanged.
#[tokio::test]
async fn save_error_after_a_change_is_500_and_keeps_the_previous_record() {
    let (probe, layer) = setup();
    let cookie = logged_in(&layer, "alice").await;
    probe.fail_next(Operation::Save);

    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        |req| async move {
            let session = session_of(&req);
            session.insert("n", 2).await.unwrap();
            let cookies = req.extensions().get::<Cookies>().cloned().unwrap();
            cookies.set(SetCookie::new("theme", "dark")).unwrap();
            Response::new(Body::from("saved, the handler thinks"))
        },
    )
    .await;

    let failure = response
        .extensions()
        .get::<SessionFailure>()
        .cloned()
        .expect("SessionFailure attached");
    assert_eq!(failure.kind, ErrorKind::Storage);
    assert!(
        failure.message.contains(Probe::INJECTED_CONTEXT),
        "for logs"
    );
    assert_fails_closed(response, "").await;
    assert_eq!(probe.injected_failures(), 1);
    assert_eq!(stored(&probe, &cookie).await, Some(alice_with_n(1)));

    // The next request sees the old data.
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        |req| async move {
            let n: Option<i64> = session_of(&req).get("n").await.unwrap();
            Response::new(Body::from(n.unwrap().to_string()))
        },
    )
    .await;
    assert_eq!(body_text(response).await, "1");
}

/// A create error for a brand-new session, in the middleware's save or in
/// the handler's login (`cycle_key`): 500, no cookie, nothing stored.
#[tokio::test]
async fn create_error_for_a_new_session_is_500_without_cookie() {
    let (probe, layer) = setup();

    probe.fail_next(Operation::Create);
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        session_of(&req).insert("cart", 3).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    assert_eq!(
        response.extensions().get::<SessionFailure>().unwrap().kind,
        ErrorKind::Storage
    );
    assert_fails_closed(response, "").await;
    assert_eq!(probe.inner().len(), 0);

    probe.fail_next(Operation::Create);
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        match auth::login(&session_of(&req), "alice").await {
            Ok(()) => Response::new(Body::from("Logged in")),
            Err(err) => internal(&err),
        }
    })
    .await;
    assert_fails_closed(response, INTERNAL_ERROR).await;
    assert_eq!(probe.inner().len(), 0);
    assert_eq!(probe.injected_failures(), 2);
}

/// A delete error while login cycles the key: the login fails, nobody is
/// logged in, the old record is kept as it was and no cookie is set.
#[tokio::test]
async fn delete_error_while_login_cycles_the_key_logs_nobody_in() {
    const OLD: &str = "oldkey00000000000000000000000000";
    const NEW: &str = "newkey00000000000000000000000000";
    let (probe, layer) = setup_with_keys(&[OLD, NEW]);
    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        session_of(&req).insert("cart", 3).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    let cookie = parse_set_cookie(&set_cookies(&response)[0]).value;
    assert_eq!(cookie, OLD);

    probe.fail_next(Operation::Delete);
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        |req| async move {
            match auth::login(&session_of(&req), "alice").await {
                Ok(()) => Response::new(Body::from("Logged in")),
                Err(err) => internal(&err),
            }
        },
    )
    .await;
    assert_fails_closed(response, INTERNAL_ERROR).await;
    assert_eq!(probe.injected_failures(), 1);
    let mut cart = session_core::Data::new();
    cart.insert("cart".into(), 3.into());
    assert_eq!(
        stored(&probe, OLD).await,
        Some(cart.clone()),
        "kept as it was"
    );
    // cycle_key had created the new record before the delete failed; it
    // holds the old data, no user, and no client was given its key.
    assert_eq!(stored(&probe, NEW).await, Some(cart));
    assert_eq!(guard_status(&layer, OLD).await, StatusCode::UNAUTHORIZED);
}

/// The logout view, answering 500 when the store fails.
async fn logout_view(req: Request<Body>) -> Response<Body> {
    match auth::logout(&session_of(&req)).await {
        Ok(()) => Response::new(Body::from("Logged out")),
        Err(err) => internal(&err),
    }
}

/// The status an `unauthorized` login guard answers for `cookie`.
async fn guard_status(layer: &SessionLayer, cookie: &str) -> StatusCode {
    let runs = Arc::new(AtomicUsize::new(0));
    guarded(layer, LoginRequiredLayer::unauthorized(), &runs)
        .oneshot(request_with_cookies(&[("sessionid", cookie)]))
        .await
        .unwrap()
        .status()
}

/// (d) A delete error during logout is never a silent success: the view
/// answers 500 with a fixed body, the cookie is neither deleted nor
/// replaced, nothing is saved (status 500), and the record is still there,
/// as the store could not delete it, so the user knows the logout failed
/// (Django behaves the same). Logging out again once the store is back
/// works.
#[tokio::test]
async fn delete_error_during_logout_is_500_not_a_silent_success() {
    let (probe, layer) = setup();
    let cookie = logged_in(&layer, "alice").await;
    let calls = probe.calls();
    probe.fail_next(Operation::Delete);

    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        logout_view,
    )
    .await;
    assert_fails_closed(response, INTERNAL_ERROR).await;
    assert_eq!(probe.calls() - calls, 1, "the failed delete only: no save");
    assert_eq!(stored(&probe, &cookie).await, Some(alice_with_n(1)));

    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        logout_view,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let deleted = parse_set_cookie(&set_cookies(&response)[0]);
    assert_eq!(
        (deleted.name.as_str(), deleted.value.as_str()),
        ("sessionid", "\"\"")
    );
    assert_eq!(stored(&probe, &cookie).await, None);
    assert_eq!(
        guard_status(&layer, &cookie).await,
        StatusCode::UNAUTHORIZED
    );
}

/// (d) A view that ignores the logout's delete error and answers 200 still
/// logs the user out: `flush` emptied the data before the delete failed, so
/// the middleware saves the empty session over the record and the cookie no
/// longer authenticates. If the save fails too (a dead store), the response
/// becomes a 500.
#[tokio::test]
async fn swallowed_delete_error_still_logs_out_or_fails() {
    let (probe, layer) = setup();
    let careless = |req: Request<Body>| async move {
        let _ = auth::logout(&session_of(&req)).await;
        Response::new(Body::from("Logged out"))
    };

    let cookie = logged_in(&layer, "alice").await;
    assert_eq!(guard_status(&layer, &cookie).await, StatusCode::OK);
    probe.fail_next(Operation::Delete);
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        careless,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(probe.injected_failures(), 1);
    assert_eq!(
        stored(&probe, &cookie).await,
        Some(session_core::Data::new())
    );
    assert_eq!(
        guard_status(&layer, &cookie).await,
        StatusCode::UNAUTHORIZED
    );

    // A dead store: delete and save both fail.
    let cookie = logged_in(&layer, "alice").await;
    probe.fail_until_cleared(Operation::Delete);
    probe.fail_until_cleared(Operation::Save);
    let response = call(
        &layer,
        request_with_cookies(&[("sessionid", &cookie)]),
        careless,
    )
    .await;
    assert_eq!(
        response.extensions().get::<SessionFailure>().unwrap().kind,
        ErrorKind::Storage
    );
    assert_fails_closed(response, "").await;
    assert_eq!(probe.injected_failures(), 3);
    probe.clear_failures();
}
