//! `Cache-Control` for responses that carry a user's session (requirement
//! R21). Django's `SessionMiddleware` only patches `Vary: Cookie`; this
//! layer also keeps such responses out of every cache, unless turned off
//! with [`SessionLayer::with_cache_control`](crate::SessionLayer::with_cache_control).

use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue};
use session_core::Session;

use crate::auth::USER_ID_KEY;

/// The `Cache-Control` value the session layer adds: no cache, shared or
/// private, may store the response.
pub const PRIVATE_NO_STORE: &str = "private, no-store";

/// Whether the session, as the handler left it, belongs to a logged-in user
/// (holds [`USER_ID_KEY`]). Only a session whose data is already loaded is
/// looked at: this never touches the store (a lazy session that the handler
/// did not use stays unloaded and counts as not logged in).
pub(crate) async fn logged_in(session: &Session) -> bool {
    if !session.is_loaded() {
        return false;
    }
    // Loaded: `contains` reads the data in memory, no store I/O.
    session.contains(USER_ID_KEY).await.unwrap_or(false)
}

/// Adds `Cache-Control: private, no-store` unless the response already has
/// a `Cache-Control` header of its own (the application's choice wins).
pub(crate) fn patch_cache_control(headers: &mut HeaderMap) {
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PRIVATE_NO_STORE));
    }
}
