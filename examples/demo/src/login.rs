//! Login, the page that needs it, logout, and the token API for clients
//! without cookies (the notes' mobile case).

use axum::Json;
use axum::extract::{Form, FromRequest, Query, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use session_core::serde_json::Value;
use session_tower::Session;
use session_tower::auth;

use crate::views::Failure;

#[derive(Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

pub(crate) async fn login_page(Query(q): Query<Next>) -> String {
    let next = q.next.as_deref().and_then(safe_next).unwrap_or("/mine");
    format!("Please log in: POST /login with form fields username and next (next={next})\n")
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    next: Option<String>,
}

pub(crate) async fn login(
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, Failure> {
    let username = form.username.trim();
    if username.is_empty() {
        return Err(Failure::bad_request("username is required"));
    }
    auth::login(&session, username).await?;
    let next = form.next.as_deref().and_then(safe_next).unwrap_or("/mine");
    Ok((StatusCode::FOUND, [(header::LOCATION, next.to_owned())]).into_response())
}

pub(crate) async fn mine(session: Session) -> Result<String, Failure> {
    let user = auth::user_id(&session).await?.unwrap_or_default();
    Ok(format!("Welcome, {user}"))
}

/// The largest note `POST /mine/notes` takes, in bytes.
pub(crate) const NOTE_LIMIT: usize = 1024;

/// How many notes a session keeps (the oldest are dropped).
const NOTES_KEPT: usize = 20;

/// Where the notes are kept in the session.
const NOTES_KEY: &str = "notes";

/// Appends the request's body, a UTF-8 note, to the session's `notes`.
///
/// The user is read before the body: the session is loaded (and an
/// anonymous client redirected by the guard) before the client sends its
/// body, so a client that asked `Expect: 100-continue` gets its
/// `100 Continue` only from a request that has loaded a logged-in session.
/// The save comes after the body, in the middleware: if the session was
/// deleted meanwhile (a logout in another process), the answer is 400 and
/// nothing is written (rule L1).
pub(crate) async fn add_note(session: Session, request: Request) -> Result<String, Failure> {
    let user = auth::user_id(&session).await?.unwrap_or_default();
    let note = match String::from_request(request, &()).await {
        Ok(note) => note,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(Failure::too_large("The note is too long"));
        }
        Err(_) => return Err(Failure::bad_request("The note must be UTF-8 text")),
    };
    if note.trim().is_empty() {
        return Err(Failure::bad_request("The note is empty"));
    }
    let mut notes = match session.get_value(NOTES_KEY).await? {
        Some(Value::Array(notes)) => notes,
        _ => Vec::new(),
    };
    notes.push(Value::String(note));
    let excess = notes.len().saturating_sub(NOTES_KEPT);
    notes.drain(..excess);
    let count = notes.len();
    session.insert(NOTES_KEY, notes).await?;
    Ok(format!("{user} has {count} notes"))
}

pub(crate) async fn logout(session: Session) -> Result<&'static str, Failure> {
    auth::logout(&session).await?;
    Ok("Logged out")
}

#[derive(Deserialize)]
pub(crate) struct ApiLogin {
    username: String,
}

pub(crate) async fn api_login(
    session: Session,
    Json(body): Json<ApiLogin>,
) -> Result<Response, Failure> {
    let username = body.username.trim();
    if username.is_empty() {
        return Err(Failure::bad_request("username is required"));
    }
    auth::login(&session, username).await?;
    // Saved here so the token holds the login even on the signed-cookie
    // store, whose key is the signed data. The middleware saves again after
    // the handler, as Django's does: on server-side stores the key stays the
    // same; on signed cookies the header or cookie may carry a newer
    // signature of the same data, and both work.
    session.save().await?;
    let token = session
        .key()
        .map(|k| k.as_str().to_owned())
        .unwrap_or_default();
    Ok(Json(serde_json::json!({ "token": token })).into_response())
}

pub(crate) async fn api_mine(session: Session) -> Result<Response, Failure> {
    let user = auth::user_id(&session).await?.unwrap_or_default();
    Ok(Json(serde_json::json!({ "username": user })).into_response())
}

/// A `next` that stays on this site: a path starting with one `/` (not
/// `//` or `/\`, which browsers read as another host), without control
/// characters. Anything else is ignored (Django's
/// `url_has_allowed_host_and_scheme`).
fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_stay_on_site() {
        assert_eq!(safe_next("/mine?x=1"), Some("/mine?x=1"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "mine",
            "/a\r\nb",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
