//! End-to-end: the demo served on 127.0.0.1 (ephemeral port) over each
//! embedded backend, driven by a real HTTP client that keeps cookies.
//!
//! Every backend runs the same flows; where the signed-cookie backend
//! cannot do what a server-side store does (revoke a cookie, notice a
//! concurrent logout), the test asserts its documented behaviour instead.

mod common;

use common::{Demo, bare, browser, set_cookie_value, text, within};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use session_core::{SessionKey, SessionStore};
use session_demo::TOKEN_HEADER;

async fn cookies_set_get_delete(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = browser();
    let get = |c: &Client| c.get(demo.url("/cookie/get?key=my_cookie")).send();
    assert_eq!(
        text(get(&client).await.unwrap()).await.1,
        "The value of my_cookie is Cookie not found"
    );
    let set = client
        .get(demo.url("/cookie/set?key=my_cookie&value=cookie_value&max_age=3600"))
        .send()
        .await
        .unwrap();
    let header = set.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        header.starts_with("my_cookie=cookie_value; expires="),
        "{header}"
    );
    assert!(header.ends_with("; Max-Age=3600; Path=/"), "{header}");
    assert_eq!(text(set).await.1, "Setting a cookie");
    assert_eq!(
        text(get(&client).await.unwrap()).await.1,
        "The value of my_cookie is cookie_value"
    );
    let deleted = client
        .get(demo.url("/cookie/delete?key=my_cookie"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.headers()[SET_COOKIE],
        "my_cookie=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    );
    assert_eq!(
        text(get(&client).await.unwrap()).await.1,
        "The value of my_cookie is Cookie not found"
    );
    let bad = client
        .get(demo.url("/cookie/set?key=bad%20name&value=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // A prefixed name the demo's plain (not Secure) cookies cannot satisfy
    // is the client's mistake: 400, never a 500 (R18).
    for path in [
        "/cookie/set?key=__Secure-x&value=1",
        "/cookie/set?key=__host-x&value=1",
        "/signed-cookie/set?key=__Host-x&value=1",
    ] {
        let refused = client.get(demo.url(path)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(!refused.headers().contains_key(SET_COOKIE), "{path}");
        assert_eq!(
            text(refused).await.1,
            "Invalid cookie name prefix",
            "{path}"
        );
    }
    assert_eq!(
        demo.probe.calls(),
        0,
        "cookie views never touch the session store"
    );
}

async fn signed_cookie_round_trip_and_tampering(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = browser();
    let set = client
        .get(demo.url("/signed-cookie/set?key=content&value=Sunck&salt=rock"))
        .send()
        .await
        .unwrap();
    let signed = set_cookie_value(&set, "content").unwrap();
    assert!(signed.starts_with("Sunck:"), "{signed}");
    let read = client
        .get(demo.url("/signed-cookie/get?key=content&salt=rock"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        text(read).await,
        (StatusCode::OK, "The value of content is Sunck".to_owned())
    );
    let wrong_salt = client
        .get(demo.url("/signed-cookie/get?key=content&salt=paper"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_salt.status(), StatusCode::BAD_REQUEST);

    let tampered = format!("Sunck2{}", &signed["Sunck".len()..]);
    let forged = bare()
        .get(demo.url("/signed-cookie/get?key=content&salt=rock"))
        .header(COOKIE, format!("content={tampered}"))
        .send()
        .await
        .unwrap();
    // A fixed body: the client's signature (which could hold anything) is
    // not echoed.
    assert_eq!(
        text(forged).await,
        (StatusCode::BAD_REQUEST, "Bad signature".to_owned())
    );
    let missing = bare()
        .get(demo.url("/signed-cookie/get?key=content"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        text(missing).await.1,
        "The value of content is Cookie not found"
    );
    assert_eq!(demo.probe.calls(), 0);
}

async fn session_views(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = browser();
    let get = || client.get(demo.url("/session/get?key=my_key")).send();
    assert_eq!(
        text(get().await.unwrap()).await.1,
        "The value of my_key in session is Session data not found"
    );
    let set = client
        .get(demo.url("/session/set?key=my_key&value=my_value"))
        .send()
        .await
        .unwrap();
    assert!(set_cookie_value(&set, "sessionid").is_some());
    assert_eq!(set.headers()["vary"], "Cookie, x-session-token");
    assert_eq!(
        text(get().await.unwrap()).await.1,
        "The value of my_key in session is my_value"
    );
    client
        .get(demo.url("/session/delete?key=my_key"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        text(get().await.unwrap()).await.1,
        "The value of my_key in session is Session data not found"
    );
    client
        .get(demo.url("/session/set?key=my_key&value=again"))
        .send()
        .await
        .unwrap();
    let flushed = client.get(demo.url("/session/flush")).send().await.unwrap();
    assert_eq!(
        set_cookie_value(&flushed, "sessionid").as_deref(),
        Some("\"\"")
    );
    assert_eq!(text(flushed).await.1, "Session data cleared");
    assert_eq!(
        text(get().await.unwrap()).await.1,
        "The value of my_key in session is Session data not found"
    );
}

async fn login_mine_logout_old_cookie(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = browser();
    let anonymous = client.get(demo.url("/mine")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::FOUND);
    assert_eq!(anonymous.headers()[LOCATION], "/login?next=/mine");

    let login = client
        .post(demo.url("/login"))
        .form(&[("username", "alice"), ("next", "/mine")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FOUND);
    assert_eq!(login.headers()[LOCATION], "/mine");
    assert!(
        login.headers().get(TOKEN_HEADER).is_none(),
        "a browser's HttpOnly key is never in a header"
    );
    let cookie = set_cookie_value(&login, "sessionid").expect("session cookie");
    let mine = client.get(demo.url("/mine")).send().await.unwrap();
    assert_eq!(
        text(mine).await,
        (StatusCode::OK, "Welcome, alice".to_owned())
    );

    let logout = client.post(demo.url("/logout")).send().await.unwrap();
    assert_eq!(
        set_cookie_value(&logout, "sessionid").as_deref(),
        Some("\"\"")
    );
    assert_eq!(text(logout).await.1, "Logged out");
    let after = client.get(demo.url("/mine")).send().await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::FOUND,
        "the browser's cookie is gone"
    );

    let replay = bare()
        .get(demo.url("/mine"))
        .header(COOKIE, format!("sessionid={cookie}"))
        .send()
        .await
        .unwrap();
    if demo.server_side() {
        assert_eq!(
            replay.status(),
            StatusCode::FOUND,
            "the old cookie is refused"
        );
        // The unknown cookie is deleted on the way (Django's rule).
        assert_eq!(
            set_cookie_value(&replay, "sessionid").as_deref(),
            Some("\"\"")
        );
    } else {
        // A signed-cookie session cannot be revoked (no server-side record):
        // the old cookie stays valid until it ages out, as in Django.
        assert_eq!(
            text(replay).await,
            (StatusCode::OK, "Welcome, alice".to_owned())
        );
    }

    let open_redirect = client
        .post(demo.url("/login"))
        .form(&[("username", "alice"), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(open_redirect.headers()[LOCATION], "/mine");
}

async fn token_login_and_use(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = bare();
    let calls_before = demo.probe.calls();
    // An empty token header: "I use tokens, give me one".
    let login = client
        .post(demo.url("/api/login"))
        .header(TOKEN_HEADER, "")
        .json(&serde_json::json!({ "username": "bob" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert!(login.headers().get(SET_COOKIE).is_none());
    let header_token = login.headers()[TOKEN_HEADER].to_str().unwrap().to_owned();
    let body: serde_json::Value = login.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    if demo.server_side() {
        assert_eq!(token, header_token, "the body's token is the session key");
        assert_eq!(
            demo.probe.calls() - calls_before,
            3,
            "cycle_key's create, the handler's save, the middleware's save (as Django)"
        );
    }
    // On the signed-cookie store every save signs anew; both values carry
    // the login and work as tokens (checked below for the body's one).

    // Without the header, the token is in the body (and the cookie), not in
    // a header.
    let plain = client
        .post(demo.url("/api/login"))
        .json(&serde_json::json!({ "username": "bob" }))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get(TOKEN_HEADER).is_none());
    let cookie = set_cookie_value(&plain, "sessionid").unwrap();
    let body: serde_json::Value = plain.json().await.unwrap();
    assert_eq!(body["token"].as_str(), Some(cookie.as_str()));

    for t in [&token, &cookie] {
        let mine = client
            .get(demo.url("/api/mine"))
            .header(TOKEN_HEADER, t)
            .send()
            .await
            .unwrap();
        assert_eq!(mine.status(), StatusCode::OK);
        assert!(
            mine.headers().get(SET_COOKIE).is_none(),
            "no cookie for token clients"
        );
        let body: serde_json::Value = mine.json().await.unwrap();
        assert_eq!(body["username"], "bob");
    }
    let none = client.get(demo.url("/api/mine")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let forged = client
        .get(demo.url("/api/mine"))
        .header(TOKEN_HEADER, "x".repeat(32))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let in_query = client
        .get(demo.url(&format!("/api/mine?token={token}&{TOKEN_HEADER}={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        in_query.status(),
        StatusCode::UNAUTHORIZED,
        "never read from the URL"
    );
    // Browsers hitting a token-authenticated guard get a redirect, token clients a 401.
    let mine = client
        .get(demo.url("/mine"))
        .header(TOKEN_HEADER, "y".repeat(32))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), StatusCode::UNAUTHORIZED);
}

async fn untouched_session_makes_no_store_call(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = browser();
    client
        .get(demo.url("/session/set?key=a&value=b"))
        .send()
        .await
        .unwrap();
    let before = demo.probe.calls();
    assert!(before > 0);
    for path in [
        "/cookie/get?key=a",
        "/cookie/set?key=c&value=d",
        "/signed-cookie/get?key=absent",
        "/",
    ] {
        let response = client.get(demo.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers().get("vary").is_none(),
            "{path}: untouched, no Vary"
        );
    }
    assert_eq!(
        demo.probe.calls(),
        before,
        "requests that never use the session touch no store"
    );
}

/// Two concurrent requests on one session; one logs out while the other is
/// saving. On a server-side store the saving one answers 400 and the session
/// stays gone (L1). The signed-cookie store has nothing to revoke: the
/// saving request re-signs the data it loaded and logs the browser back in.
async fn concurrent_logout_interrupts_the_other_request(backend: &str) {
    let demo = Demo::start(backend).await;
    let client = browser();
    let login = client
        .post(demo.url("/login"))
        .form(&[("username", "carol")])
        .send()
        .await
        .unwrap();
    let cookie = set_cookie_value(&login, "sessionid").unwrap();

    demo.probe.hold_next_save();
    let mut slow = {
        let client = client.clone();
        let url = demo.url("/session/set?key=cart&value=3");
        tokio::spawn(async move { client.get(url).send().await.unwrap() })
    };
    within("the slow request's held save to start", async {
        tokio::select! {
            () = demo.probe.held_save_started() => {}
            done = &mut slow => panic!("the slow request ended before saving: {done:?}"),
        }
    })
    .await;
    let logout = client.post(demo.url("/logout")).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(
        set_cookie_value(&logout, "sessionid").as_deref(),
        Some("\"\""),
        "the logout deletes the browser's cookie"
    );
    demo.probe.release_save();
    let slow = within("the slow request's answer", slow).await.unwrap();

    let key = SessionKey::parse(&cookie).unwrap();
    let replay = || {
        bare()
            .get(demo.url("/mine"))
            .header(COOKIE, format!("sessionid={cookie}"))
            .send()
    };
    if demo.server_side() {
        assert_eq!(
            slow.status(),
            StatusCode::BAD_REQUEST,
            "the interrupted request answers 400"
        );
        assert!(slow.headers().get(SET_COOKIE).is_none());
        assert!(
            demo.probe.inner().load(&key).await.unwrap().is_none(),
            "no resurrected session"
        );
        assert_eq!(replay().await.unwrap().status(), StatusCode::FOUND);
        let mine = client.get(demo.url("/mine")).send().await.unwrap();
        assert_eq!(
            mine.status(),
            StatusCode::FOUND,
            "the browser stays logged out"
        );
    } else {
        // No revocation: nothing on the server to delete, so the slow
        // request saves what it loaded (the login, plus its cart) and sends
        // the browser a new, valid, logged-in cookie after the logout's
        // deletion.
        assert_eq!(slow.status(), StatusCode::OK);
        let resigned = set_cookie_value(&slow, "sessionid").expect("a new session cookie");
        assert_ne!(resigned, "\"\"");
        assert_ne!(
            resigned, cookie,
            "the data changed (the cart), so the cookie did"
        );
        let mine = client.get(demo.url("/mine")).send().await.unwrap();
        assert_eq!(
            text(mine).await,
            (StatusCode::OK, "Welcome, carol".to_owned()),
            "the browser is logged in again"
        );
        let cart = client
            .get(demo.url("/session/get?key=cart"))
            .send()
            .await
            .unwrap();
        assert_eq!(text(cart).await.1, "The value of cart in session is 3");
        // And the cookie the logout was meant to end still verifies: a
        // logout cannot invalidate a copy of a signed cookie.
        assert!(demo.probe.inner().load(&key).await.unwrap().is_some());
        assert_eq!(
            text(replay().await.unwrap()).await,
            (StatusCode::OK, "Welcome, carol".to_owned())
        );
    }
}

macro_rules! per_backend {
    ($($backend:ident => $url:literal),* $(,)?) => {
        $(
            mod $backend {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn cookies_set_get_delete() { super::cookies_set_get_delete($url).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn signed_cookie_round_trip_and_tampering() { super::signed_cookie_round_trip_and_tampering($url).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn session_views() { super::session_views($url).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn login_mine_logout_old_cookie() { super::login_mine_logout_old_cookie($url).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn token_login_and_use() { super::token_login_and_use($url).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn untouched_session_makes_no_store_call() { super::untouched_session_makes_no_store_call($url).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn concurrent_logout_interrupts_the_other_request() { super::concurrent_logout_interrupts_the_other_request($url).await }
            }
        )*
    };
}

per_backend!(
    memory => "memory",
    cache => "cache",
    file => "file",
    signed_cookie => "signed-cookie",
);
