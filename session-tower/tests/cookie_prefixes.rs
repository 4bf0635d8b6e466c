//! R18: `__Secure-` and `__Host-` cookie names. Browsers silently drop a
//! prefixed cookie whose attributes break the prefix's rule, so:
//! - `SessionLayer::try_new` refuses such a session configuration;
//! - `SessionLayer::new` repairs it (Secure on; `__Host-`: no Domain,
//!   Path=/) and the emitted cookie satisfies the prefix;
//! - `Cookies::set` (and `set_signed`) refuse such a cookie, and
//!   `Cookies::delete_with` a `__Host-` deletion browsers would ignore.
//!
//! Prefixes match in any letter case, as in current browsers.

mod common;

use std::sync::Arc;

use axum::body::Body;
use common::{
    call, parse_set_cookie, request_with_cookies, set_cookies, signing_layer, with_cookies,
};
use http::Response;
use session_core::{Config, MemoryStore, MockClock, Session};
use session_tower::{
    ConfigError, CookieError, CookiePrefix, CookiePrefixError, CookieSigning, SessionLayer,
    SetCookie, check_cookie_prefix,
};

fn store() -> Arc<MemoryStore> {
    let clock = MockClock::at_unix(1_700_000_000);
    Arc::new(MemoryStore::new().with_clock(clock.shared()))
}

fn prefix_error(config: Config) -> CookiePrefixError {
    match SessionLayer::try_new(store(), config) {
        Err(ConfigError::CookiePrefix(err)) => err,
        other => panic!("expected a prefix error, got {other:?}"),
    }
}

#[test]
fn try_new_refuses_a_secure_prefix_without_secure() {
    let err = prefix_error(Config::default().with_cookie_name("__Secure-sid"));
    assert_eq!(
        err,
        CookiePrefixError::NotSecure {
            name: "__Secure-sid".into(),
            prefix: CookiePrefix::Secure,
        }
    );
    // Any letter case: browsers match prefixes case-insensitively.
    let lower = prefix_error(Config::default().with_cookie_name("__secure-sid"));
    assert!(matches!(lower, CookiePrefixError::NotSecure { .. }));
    // A __Secure- cookie may have a Domain and any Path.
    let ok = Config::default()
        .with_cookie_name("__Secure-sid")
        .with_cookie_secure(true)
        .with_cookie_domain(Some(".example.com".into()))
        .with_cookie_path("/app");
    assert!(SessionLayer::try_new(store(), ok).is_ok());
}

#[test]
fn try_new_refuses_each_broken_host_prefix_rule() {
    let host = Config::default()
        .with_cookie_name("__Host-sid")
        .with_cookie_secure(true);
    let not_secure = prefix_error(host.clone().with_cookie_secure(false));
    assert!(matches!(
        not_secure,
        CookiePrefixError::NotSecure {
            prefix: CookiePrefix::Host,
            ..
        }
    ));
    let domain = prefix_error(host.clone().with_cookie_domain(Some("example.com".into())));
    assert!(matches!(domain, CookiePrefixError::HostWithDomain { .. }));
    let path = prefix_error(host.clone().with_cookie_path("/app"));
    assert_eq!(
        path,
        CookiePrefixError::HostPath {
            name: "__Host-sid".into(),
            path: "/app".into(),
        }
    );
    let lower = prefix_error(Config::default().with_cookie_name("__HOST-sid"));
    assert!(matches!(lower, CookiePrefixError::NotSecure { .. }));
    let err = SessionLayer::try_new(store(), host.clone().with_cookie_path(""));
    assert!(err.unwrap_err().to_string().contains("Path=/"));
    assert!(SessionLayer::try_new(store(), host).is_ok());
    // Unprefixed names are unaffected.
    assert!(SessionLayer::try_new(store(), Config::default()).is_ok());
}

/// `new` forces the attributes the prefix requires, and the session cookie
/// it emits satisfies them.
#[tokio::test]
async fn new_repairs_the_config_and_emits_a_valid_host_cookie() {
    let config = Config::default()
        .with_cookie_name("__Host-sid")
        .with_cookie_domain(Some(".example.com".into()))
        .with_cookie_path("/app");
    let layer = SessionLayer::new(store(), config);
    assert!(layer.config().cookie_secure);
    assert_eq!(layer.config().cookie_domain, None);
    assert_eq!(layer.config().cookie_path, "/");

    let response = call(&layer, request_with_cookies(&[]), |req| async move {
        let session = req.extensions().get::<Session>().cloned().unwrap();
        session.insert("n", 1).await.unwrap();
        Response::new(Body::empty())
    })
    .await;
    let header = &set_cookies(&response)[0];
    let cookie = parse_set_cookie(header);
    assert_eq!(cookie.name, "__Host-sid");
    assert!(cookie.attrs.contains_key("secure"), "{header}");
    assert!(!cookie.attrs.contains_key("domain"), "{header}");
    assert_eq!(cookie.attrs["path"].as_deref(), Some("/"));
    check_cookie_prefix(&cookie.name, true, None, "/").unwrap();

    let secure = SessionLayer::new(store(), Config::default().with_cookie_name("__Secure-sid"));
    assert!(secure.config().cookie_secure);
    let plain = SessionLayer::new(store(), Config::default());
    assert!(!plain.config().cookie_secure, "unprefixed: left alone");
}

fn layer() -> SessionLayer {
    signing_layer(
        &MockClock::at_unix(1_700_000_000),
        CookieSigning::new("a cookie-signing secret, long enough").unwrap(),
    )
}

/// `Cookies::set` refuses every broken prefix rule, and accepts valid ones.
#[tokio::test]
async fn set_refuses_cookies_browsers_would_drop() {
    let (results, emitted) = with_cookies(&layer(), &[], |c| {
        let host = || SetCookie::new("__Host-pref", "1").secure(true);
        vec![
            c.set(SetCookie::new("__Secure-pref", "1")),
            c.set(SetCookie::new("__Host-pref", "1")),
            c.set(host().domain("example.com")),
            c.set(host().path("/app")),
            c.set(host().path("")),
            c.set(SetCookie::new("__host-pref", "1")),
            c.set_signed(SetCookie::new("__Host-signed", "v"), "salt"),
            c.set(
                SetCookie::new("__Secure-pref", "1")
                    .secure(true)
                    .domain("example.com"),
            ),
            c.set(host()),
            c.set(SetCookie::new("plain", "1")),
        ]
    })
    .await;
    let prefix = |r: &Result<(), CookieError>| matches!(r, Err(CookieError::Prefix(_)));
    assert!(results[..7].iter().all(prefix), "{results:?}");
    assert!(matches!(
        &results[2],
        Err(CookieError::Prefix(
            CookiePrefixError::HostWithDomain { .. }
        ))
    ));
    assert!(matches!(
        &results[3],
        Err(CookieError::Prefix(CookiePrefixError::HostPath { .. }))
    ));
    assert!(results[7..].iter().all(Result::is_ok), "{results:?}");
    let names: Vec<String> = emitted.iter().map(|h| parse_set_cookie(h).name).collect();
    assert_eq!(names, ["__Secure-pref", "__Host-pref", "plain"]);
}

/// Deleting a `__Host-` cookie with a Domain or another Path would be
/// ignored by browsers: refused. Deletions of prefixed names (any case)
/// carry `Secure`.
#[tokio::test]
async fn delete_follows_the_prefix_rules() {
    let (results, emitted) = with_cookies(&layer(), &[], |c| {
        vec![
            c.delete_with("__Host-a", "/", Some("example.com"), None),
            c.delete_with("__Host-a", "/app", None, None),
            c.delete("__Host-a"),
            c.delete("__secure-b"),
        ]
    })
    .await;
    assert!(matches!(
        &results[0],
        Err(CookieError::Prefix(
            CookiePrefixError::HostWithDomain { .. }
        ))
    ));
    assert!(matches!(
        &results[1],
        Err(CookieError::Prefix(CookiePrefixError::HostPath { .. }))
    ));
    assert!(results[2..].iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        emitted[0],
        "__Host-a=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure"
    );
    assert!(parse_set_cookie(&emitted[1]).attrs.contains_key("secure"));
}
