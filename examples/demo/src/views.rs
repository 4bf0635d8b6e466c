//! The cookie, signed-cookie and session views of the Django notes.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use session_core::serde_json::Value;
use session_tower::{CookieError, Cookies, MaxAge, Session, SetCookie, SignedCookieError};

/// A failure answered as plain text. Bodies are fixed texts: neither the
/// client's input nor a store's error message is echoed (details go to the
/// server log).
pub(crate) struct Failure(StatusCode, &'static str);

/// The body of every 500.
const INTERNAL_ERROR: &str = "Internal Server Error";

impl Failure {
    pub(crate) fn bad_request(message: &'static str) -> Self {
        Self(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn too_large(message: &'static str) -> Self {
        Self(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    fn internal() -> Self {
        Self(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_ERROR)
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
        Self::internal()
    }
}

impl From<CookieError> for Failure {
    fn from(err: CookieError) -> Self {
        match err {
            CookieError::InvalidName(_) => Self::bad_request("Invalid cookie name"),
            CookieError::InvalidAttribute(_) => Self::bad_request("Invalid cookie attribute"),
            CookieError::ExpiresAndMaxAge => {
                Self::bad_request("Invalid cookie: expires and max_age together")
            }
            // A `__Secure-`/`__Host-` name the demo's plain cookies cannot
            // satisfy (they are not `Secure`): the client's choice, so 400.
            CookieError::Prefix(_) => Self::bad_request("Invalid cookie name prefix"),
            other => {
                tracing::error!(error = %other, "setting a cookie failed");
                Self::internal()
            }
        }
    }
}

pub(crate) async fn index() -> &'static str {
    "session-demo: Django's cookie and session views\n\
     GET  /cookie/set?key=&value=&max_age=   /cookie/get?key=   /cookie/delete?key=\n\
     GET  /signed-cookie/set?key=&value=&salt=   /signed-cookie/get?key=&salt=&max_age=\n\
     GET  /session/set?key=&value=   /session/get?key=   /session/delete?key=   /session/flush\n\
     GET  /session/set-expiry?seconds=|date=   /session/cycle-key   /session/set-json?key=&json=   /session/json\n\
     POST /login (username, next)   GET /mine   POST /mine/notes (body: a note)   POST /logout\n\
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
    /// Seconds, with a fraction if wanted (Django's `max_age`).
    max_age: Option<f64>,
}

pub(crate) async fn signed_cookie_get(
    cookies: Cookies,
    Query(q): Query<SignedGet>,
) -> Result<String, Failure> {
    let max_age = match q.max_age {
        None => None,
        Some(secs) => match std::time::Duration::try_from_secs_f64(secs) {
            Ok(age) => Some(MaxAge::from_duration(age)),
            Err(_) => return Err(Failure::bad_request("Invalid max_age")),
        },
    };
    match cookies.get_signed(&q.key, &q.salt, max_age) {
        Ok(value) => Ok(format!("The value of {} is {value}", q.key)),
        Err(SignedCookieError::Missing(_)) => {
            Ok(format!("The value of {} is Cookie not found", q.key))
        }
        // Not the error's message: it quotes the client's signature.
        Err(err) if err.is_expired() => Err(Failure::bad_request("Signature expired")),
        Err(SignedCookieError::BadSignature(_)) => Err(Failure::bad_request("Bad signature")),
        Err(err) => {
            tracing::error!(error = %err, "reading a signed cookie failed");
            Err(Failure::internal())
        }
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

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;
    use session_core::{Error, ErrorKind, Operation};

    use super::*;

    async fn body(failure: Failure) -> (StatusCode, String) {
        let response = failure.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn store_errors_are_not_sent_to_clients() {
        let err = Error::new(ErrorKind::Storage, Operation::Save, "file").with_source(
            std::io::Error::other("/var/lib/sessions/secret-path: disk full"),
        );
        assert!(err.to_string().contains("file"));
        let (status, text) = body(Failure::from(err)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(text, "Internal Server Error");
    }

    #[tokio::test]
    async fn cookie_errors_do_not_echo_the_name() {
        let (status, text) = body(Failure::from(CookieError::InvalidName(
            "<script>\r\n".into(),
        )))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(text, "Invalid cookie name");
    }
}
