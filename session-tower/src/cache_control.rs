//! `Cache-Control` for responses that carry a user's session (requirement
//! R21). Django's `SessionMiddleware` only patches `Vary: Cookie`; this
//! layer also keeps such responses out of every cache, unless turned off
//! with [`SessionLayer::with_cache_control`](crate::SessionLayer::with_cache_control).

use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue};

/// The `Cache-Control` value the session layer adds: no cache, shared or
/// private, may store the response.
pub const PRIVATE_NO_STORE: &str = "private, no-store";

/// Adds `Cache-Control: private, no-store` unless the response already has
/// a `Cache-Control` header of its own (the application's choice wins).
pub(crate) fn patch_cache_control(headers: &mut HeaderMap) {
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PRIVATE_NO_STORE));
    }
}
