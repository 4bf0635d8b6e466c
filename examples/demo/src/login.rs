//! Login, the page that needs it, logout, and the token API for clients
//! without cookies (the notes' mobile case).

use axum::Json;
use axum::extract::{Form, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
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
