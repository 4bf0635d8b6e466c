//! The cookie, signed-cookie and session views of the Django notes.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use session_core::serde_json::Value;
use session_tower::{Cookies, Session, SetCookie, SignedCookieError};

/// A failure answered as plain text.
pub(crate) struct Failure(StatusCode, String);

impl Failure {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self(StatusCode::BAD_REQUEST, message.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

impl From<session_core::Error> for Failure {
    fn from(err: session_core::Error) -> Self {
        tracing::error!(error = %err, "session store failed");
        Self(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Session store error: {err}"),
        )
    }
}

impl From<session_tower::CookieError> for Failure {
    fn from(err: session_tower::CookieError) -> Self {
        Self::bad_request(format!("Invalid cookie: {err}"))
    }
}

pub(crate) async fn index() -> &'static str {
    "session-demo: Django's cookie and session views\n\
     GET  /cookie/set?key=&value=&max_age=   /cookie/get?key=   /cookie/delete?key=\n\
     GET  /signed-cookie/set?key=&value=&salt=   /signed-cookie/get?key=&salt=\n\
     GET  /session/set?key=&value=   /session/get?key=   /session/delete?key=   /session/flush\n\
     POST /login (username, next)   GET /mine   POST /logout\n\
     POST /api/login {\"username\": ...}   GET /api/mine (header x-session-token)\n"
}

#[derive(Deserialize)]
pub(crate) struct CookieSet {
    key: String,
    #[serde(default)]
    value: String,
    max_age: Option<i64>,
}

pub(crate) async fn cookie_set(
    cookies: Cookies,
    Query(q): Query<CookieSet>,
) -> Result<&'static str, Failure> {
    let mut cookie = SetCookie::new(q.key, q.value);
    if let Some(age) = q.max_age {
        cookie = cookie.max_age(age);
    }
    cookies.set(cookie)?;
    Ok("Setting a cookie")
}

#[derive(Deserialize)]
pub(crate) struct Key {
    key: String,
}

pub(crate) async fn cookie_get(cookies: Cookies, Query(q): Query<Key>) -> String {
    let value = cookies.get(&q.key).unwrap_or("Cookie not found");
    format!("The value of {} is {value}", q.key)
}

pub(crate) async fn cookie_delete(
    cookies: Cookies,
    Query(q): Query<Key>,
) -> Result<&'static str, Failure> {
    cookies.delete(&q.key)?;
    Ok("Deleting a cookie")
}

#[derive(Deserialize)]
pub(crate) struct SignedSet {
    key: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    salt: String,
}

pub(crate) async fn signed_cookie_set(
    cookies: Cookies,
    Query(q): Query<SignedSet>,
) -> Result<&'static str, Failure> {
    cookies.set_signed(SetCookie::new(q.key, q.value), &q.salt)?;
    Ok("Setting a signed cookie")
}

#[derive(Deserialize)]
pub(crate) struct SignedGet {
    key: String,
    #[serde(default)]
    salt: String,
}

pub(crate) async fn signed_cookie_get(
    cookies: Cookies,
    Query(q): Query<SignedGet>,
) -> Result<String, Failure> {
    match cookies.get_signed(&q.key, &q.salt, None) {
        Ok(value) => Ok(format!("The value of {} is {value}", q.key)),
        Err(SignedCookieError::Missing(_)) => {
            Ok(format!("The value of {} is Cookie not found", q.key))
        }
        Err(err @ SignedCookieError::BadSignature(_)) => {
            Err(Failure::bad_request(format!("Bad signature: {err}")))
        }
        Err(err) => Err(Failure(StatusCode::INTERNAL_SERVER_ERROR, err.to_string())),
    }
}

#[derive(Deserialize)]
pub(crate) struct SessionSet {
    key: String,
    #[serde(default)]
    value: String,
}

pub(crate) async fn session_set(
    session: Session,
    Query(q): Query<SessionSet>,
) -> Result<&'static str, Failure> {
    session.insert(q.key, q.value).await?;
    Ok("Session data set")
}

pub(crate) async fn session_get(session: Session, Query(q): Query<Key>) -> Result<String, Failure> {
    let value = match session.get_value(&q.key).await? {
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
        None => "Session data not found".to_owned(),
    };
    Ok(format!("The value of {} in session is {value}", q.key))
}

pub(crate) async fn session_delete(
    session: Session,
    Query(q): Query<Key>,
) -> Result<&'static str, Failure> {
    session.remove(&q.key).await?;
    Ok("Session key deleted")
}

pub(crate) async fn session_flush(session: Session) -> Result<&'static str, Failure> {
    session.flush().await?;
    Ok("Session data cleared")
}
