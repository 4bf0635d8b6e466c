//! Django's `login`, `logout` and `login_required` (rule M4).
//!
//! The user is identified by a string id stored in the session under
//! [`USER_ID_KEY`] (Django's `_auth_user_id`), so a session written by
//! Django's auth is understood here and the other way round (Django also
//! stores the backend and a password hash, which this module does not check).

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response, StatusCode, header};
use session_core::serde_json::Value;
use session_core::{Result, Session};
use tower_layer::Layer;
use tower_service::Service;

use crate::future::ResponseFuture;
use crate::request::KeySource;

/// The session entry holding the logged-in user's id (Django's `SESSION_KEY`).
pub const USER_ID_KEY: &str = "_auth_user_id";

/// Whether the session, as the handler left it, belongs to a logged-in user
/// (holds [`USER_ID_KEY`]); asked by the layer's `Cache-Control` (rule R21).
/// Only a session whose data is already loaded is looked at: this never
/// touches the store (a lazy session that the handler did not use stays
/// unloaded and counts as not logged in).
pub(crate) async fn logged_in(session: &Session) -> bool {
    if !session.is_loaded() {
        return false;
    }
    // Loaded: `contains` reads the data in memory, no store I/O.
    session.contains(USER_ID_KEY).await.unwrap_or(false)
}

/// Logs `user_id` in: if the session belongs to another user it is flushed
/// (nothing of theirs is kept), otherwise its key is cycled against session
/// fixation (rule L3); then the id is stored.
///
/// Django cycles only when nobody was logged in and keeps the key when the
/// same user logs in again; here the key changes on every login.
///
/// # Errors
/// The store's errors.
pub async fn login(session: &Session, user_id: &str) -> Result<()> {
    match session.get_value(USER_ID_KEY).await? {
        Some(current) if current != user_id => session.flush().await?,
        _ => session.cycle_key().await?,
    }
    session.insert(USER_ID_KEY, user_id).await?;
    Ok(())
}

/// Logs out: flushes the session (rule L2), so its record is deleted, its
/// key dropped and the cookie deleted by the middleware.
///
/// # Errors
/// The store's errors.
pub async fn logout(session: &Session) -> Result<()> {
    session.flush().await
}

/// The logged-in user's id, if any (a string, or a number as text).
///
/// # Errors
/// The store's errors.
pub async fn user_id(session: &Session) -> Result<Option<String>> {
    Ok(match session.get_value(USER_ID_KEY).await? {
        Some(Value::String(id)) => Some(id),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// A guard for routes that need a logged-in user (Django's
/// `login_required`). Place it inside a [`SessionLayer`](crate::SessionLayer).
///
/// Without a user it answers, instead of calling the route:
/// - `401 Unauthorized` when the request authenticated with the token
///   header ([`KeySource::Header`]) or the guard was built with
///   [`LoginRequiredLayer::unauthorized`];
/// - otherwise `302 Found` to the login URL with `?next=<path and query>`,
///   encoded as Django's `redirect_to_login` does (`/` kept, space as `+`).
#[derive(Debug, Clone)]
pub struct LoginRequiredLayer {
    login_url: Option<Arc<str>>,
}

impl LoginRequiredLayer {
    /// Redirects browsers to `login_url` (Django's `LOGIN_URL`).
    pub fn redirect_to(login_url: impl Into<String>) -> Self {
        Self {
            login_url: Some(Arc::from(login_url.into())),
        }
    }

    /// Always answers 401 (for API routes).
    pub fn unauthorized() -> Self {
        Self { login_url: None }
    }
}

impl<S> Layer<S> for LoginRequiredLayer {
    type Service = LoginRequired<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LoginRequired {
            inner,
            login_url: self.login_url.clone(),
        }
    }
}

/// The service made by [`LoginRequiredLayer`].
#[derive(Debug, Clone)]
pub struct LoginRequired<S> {
    inner: S,
    login_url: Option<Arc<str>>,
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for LoginRequired<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqB: Send + 'static,
    ResB: Default + Send + 'static,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<ResB, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        let session = req.extensions().get::<Session>().cloned();
        let from_header = req.extensions().get::<KeySource>() == Some(&KeySource::Header);
        let next = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let login_url = self.login_url.clone().filter(|_| !from_header);
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(async move {
            let Some(session) = session else {
                tracing::error!(target: "session::auth", "LoginRequired used without SessionLayer");
                return Ok(status(StatusCode::INTERNAL_SERVER_ERROR));
            };
            match user_id(&session).await {
                Ok(Some(_)) => inner.call(req).await,
                Ok(None) => Ok(match login_url {
                    Some(url) => redirect(&login_redirect_url(&url, &next)),
                    None => status(StatusCode::UNAUTHORIZED),
                }),
                Err(err) => {
                    tracing::error!(target: "session::auth", error = %err, "reading the session failed");
                    Ok(status(StatusCode::INTERNAL_SERVER_ERROR))
                }
            }
        })
    }
}

/// `login_url` with `next=<next>` added to its query, encoded like Python's
/// `urlencode({"next": next}, safe="/")`.
pub fn login_redirect_url(login_url: &str, next: &str) -> String {
    let sep = if login_url.contains('?') { '&' } else { '?' };
    format!("{login_url}{sep}next={}", quote_plus(next))
}

/// Python's `quote_plus(text, safe="/")`.
fn quote_plus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn status<B: Default>(status: StatusCode) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    response
}

fn redirect<B: Default>(location: &str) -> Response<B> {
    let mut response = status(StatusCode::FOUND);
    match HeaderValue::from_str(location) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
        }
        Err(_) => *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_encoded_like_django() {
        assert_eq!(login_redirect_url("/login", "/mine"), "/login?next=/mine");
        assert_eq!(
            login_redirect_url("/login?x=1", "/a b?c=d&e=\u{e9}"),
            "/login?x=1&next=/a+b%3Fc%3Dd%26e%3D%C3%A9"
        );
    }
}
