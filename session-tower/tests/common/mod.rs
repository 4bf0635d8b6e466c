//! Shared helpers for the session-tower tests.
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// The Django vectors shipped in `testdata/django/vectors.json`.
pub use session_core::testing::django_vectors as vectors;
use session_core::{KeyGenerator, RandomKeys, SessionKey};

/// Hands out the given keys in order, then random ones (Django's
/// `fixed_session_keys` in gen_vectors.py).
#[derive(Debug)]
pub struct FixedKeys(pub Mutex<VecDeque<String>>);

impl FixedKeys {
    pub fn new(keys: &[&str]) -> Self {
        Self(Mutex::new(keys.iter().map(|k| (*k).to_owned()).collect()))
    }
}

impl KeyGenerator for FixedKeys {
    fn generate(&self) -> SessionKey {
        let next = self.0.lock().unwrap().pop_front();
        match next.and_then(|k| SessionKey::parse(&k)) {
            Some(key) => key,
            None => RandomKeys.generate(),
        }
    }
}

/// A `Set-Cookie` value taken apart: name, value, and attributes by
/// lower-case name (flags map to `None`). Attribute order and letter case
/// of attribute names do not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCookie {
    pub name: String,
    pub value: String,
    pub attrs: BTreeMap<String, Option<String>>,
}

pub fn parse_set_cookie(header: &str) -> ParsedCookie {
    let header = header.strip_prefix("Set-Cookie: ").unwrap_or(header);
    let mut parts = header.split("; ");
    let first = parts.next().unwrap_or_default();
    let (name, value) = first.split_once('=').unwrap_or((first, ""));
    let attrs = parts
        .map(|attr| match attr.split_once('=') {
            Some((k, v)) => {
                let k = k.to_ascii_lowercase();
                // SameSite values compare case-insensitively (Django emits
                // them as configured).
                let v = if k == "samesite" {
                    v.to_ascii_lowercase()
                } else {
                    v.to_owned()
                };
                (k, Some(v))
            }
            None => (attr.to_ascii_lowercase(), None),
        })
        .collect();
    ParsedCookie {
        name: name.to_owned(),
        value: value.to_owned(),
        attrs,
    }
}

/// Runs `handler` behind `layer` for `request` and returns the response.
pub async fn call<F, Fut>(
    layer: &session_tower::SessionLayer,
    request: http::Request<axum::body::Body>,
    handler: F,
) -> http::Response<axum::body::Body>
where
    F: FnOnce(http::Request<axum::body::Body>) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = http::Response<axum::body::Body>> + Send + 'static,
{
    use tower::ServiceExt;
    let service = tower::service_fn(move |req| {
        let handler = handler.clone();
        async move { Ok::<_, std::convert::Infallible>(handler(req).await) }
    });
    tower::Layer::layer(layer, service)
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {})
}

/// A GET request to `/` carrying `cookies` (pairs written as given).
pub fn request_with_cookies(cookies: &[(&str, &str)]) -> http::Request<axum::body::Body> {
    let mut builder = http::Request::get("/");
    if !cookies.is_empty() {
        let header: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        builder = builder.header(http::header::COOKIE, header.join("; "));
    }
    builder
        .body(axum::body::Body::empty())
        .expect("valid request")
}

/// Every `Set-Cookie` value of a response.
pub fn set_cookies<B>(response: &http::Response<B>) -> Vec<String> {
    response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

use std::sync::Arc;

use axum::body::Body;
use http::Response;
use session_core::{Config, MemoryStore, MockClock};
use session_tower::{CookieSigning, Cookies, SessionLayer};

/// A layer over a `MemoryStore` on `clock`, with cookie signing.
pub fn signing_layer(clock: &MockClock, signing: CookieSigning) -> SessionLayer {
    let store = MemoryStore::new().with_clock(clock.shared());
    SessionLayer::new(Arc::new(store), Config::default()).with_cookie_signing(signing)
}

/// Runs `f` with the request's [`Cookies`] and returns what it returned and
/// the response's `Set-Cookie` values.
pub async fn with_cookies<T: Send + 'static>(
    layer: &SessionLayer,
    cookies: &[(&str, &str)],
    f: impl FnOnce(&Cookies) -> T + Clone + Send + 'static,
) -> (T, Vec<String>) {
    let out: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&out);
    let response = call(
        layer,
        request_with_cookies(cookies),
        move |req| async move {
            let cookies = req.extensions().get::<Cookies>().cloned().unwrap();
            *slot.lock().unwrap() = Some(f(&cookies));
            Response::new(Body::empty())
        },
    )
    .await;
    let value = out.lock().unwrap().take().unwrap();
    (value, set_cookies(&response))
}
