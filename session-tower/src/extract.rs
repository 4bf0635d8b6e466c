//! axum extractors (feature `axum`).

use std::ops::{Deref, DerefMut};

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::cookies::Cookies;
use crate::error::{CookieError, SignedCookieError};

/// The request's session, as an axum extractor: Django's `request.session`.
///
/// Derefs to [`session_core::Session`], so every method of the handle is
/// available (`session.insert(..)`, `session.get::<T>(..)`, `flush`, ...).
/// Needs [`SessionLayer`](crate::SessionLayer) around the route.
#[derive(Debug, Clone)]
pub struct Session(pub session_core::Session);

impl Session {
    /// The session handle.
    pub fn into_inner(self) -> session_core::Session {
        self.0
    }
}

impl Deref for Session {
    type Target = session_core::Session;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// The rejection of the extractors when [`SessionLayer`](crate::SessionLayer)
/// is not installed: a 500, since this is a programming error.
#[derive(Debug, Clone, Copy)]
pub struct MissingSessionLayer;

impl std::fmt::Display for MissingSessionLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the session extractors need a SessionLayer around the route")
    }
}

impl std::error::Error for MissingSessionLayer {}

impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<session_core::Session>()
            .cloned()
            .map(Session)
            .ok_or(MissingSessionLayer)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Cookies {
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Cookies>()
            .cloned()
            .ok_or(MissingSessionLayer)
    }
}

/// A cookie that cannot be set is a bug in the handler: 500, with a fixed
/// body (the name may have come from the client); the error is logged.
impl IntoResponse for CookieError {
    fn into_response(self) -> Response {
        // The message quotes a bad name as a Rust string literal: control
        // characters are escaped.
        tracing::error!(target: "session::cookies", error = %self, "setting a cookie failed");
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
    }
}

/// A missing, tampered or expired signed cookie is the client's input: 400.
/// A missing secret key or a validly signed but unreadable value is the
/// server's problem: 500. The body is a fixed text (`Missing cookie`, `Bad
/// signature`, `Signature expired`, `Internal Server Error`): the error's
/// message may quote the client's signature and is not echoed.
impl IntoResponse for SignedCookieError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            SignedCookieError::Missing(_) => (StatusCode::BAD_REQUEST, "Missing cookie"),
            err if err.is_expired() => (StatusCode::BAD_REQUEST, "Signature expired"),
            SignedCookieError::BadSignature(_) => (StatusCode::BAD_REQUEST, "Bad signature"),
            // Fixed texts (no secret key, undecodable timestamp): safe to log.
            err => {
                tracing::error!(target: "session::cookies", error = %err, "reading a signed cookie failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        };
        (status, body).into_response()
    }
}
