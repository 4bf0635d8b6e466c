#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod expiry;
mod login;
mod views;

/// Compiles the workspace README's Rust snippets (its quickstart) as
/// doctests of this crate, so `cargo test --workspace` checks them.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderName;
use axum::routing::{get, post};
use session_core::{Config, SessionStore};
use session_tower::auth::LoginRequiredLayer;
use session_tower::{CookieSigning, SecretKeyError, SessionLayer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The header carrying the session token of clients without cookies.
pub const TOKEN_HEADER: &str = "x-session-token";

/// Where browsers are sent to log in.
pub const LOGIN_URL: &str = "/login";

/// How the demo app is set up, besides its store.
#[derive(Clone)]
pub struct DemoOptions {
    /// Signs signed cookies (and, with the signed-cookie store, sessions);
    /// at least [`session_tower::MIN_SECRET_KEY_LENGTH`] (16) bytes.
    pub secret_key: String,
    /// Older keys signed cookies signed with still verify against (Django's
    /// `SECRET_KEY_FALLBACKS`); new ones are signed with `secret_key`.
    pub fallback_keys: Vec<String>,
    /// The session settings.
    pub config: Config,
}

impl DemoOptions {
    /// Django's default settings with `secret_key`.
    pub fn new(secret_key: impl Into<String>) -> Self {
        Self {
            secret_key: secret_key.into(),
            fallback_keys: Vec::new(),
            config: Config::default(),
        }
    }
}

impl std::fmt::Debug for DemoOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoOptions")
            .field("secret_key", &"<redacted>")
            .field("fallback_keys", &self.fallback_keys.len())
            .field("config", &self.config)
            .finish()
    }
}

/// The demo's routes behind the session layer, over `store`.
///
/// # Errors
/// [`SecretKeyError`] when `options.secret_key` or a fallback key is
/// shorter than 16 bytes.
pub fn app(store: Arc<dyn SessionStore>, options: &DemoOptions) -> Result<Router, SecretKeyError> {
    let sessions = SessionLayer::new(store, options.config.clone())
        .with_cookie_signing(
            CookieSigning::new(&options.secret_key)?.with_fallback_keys(&options.fallback_keys)?,
        )
        .with_header_token(HeaderName::from_static(TOKEN_HEADER));
    let router = Router::new()
        .route("/", get(views::index))
        .route("/cookie/set", get(views::cookie_set))
        .route("/cookie/get", get(views::cookie_get))
        .route("/cookie/delete", get(views::cookie_delete))
        .route("/signed-cookie/set", get(views::signed_cookie_set))
        .route("/signed-cookie/get", get(views::signed_cookie_get))
        .route("/session/set", get(views::session_set))
        .route("/session/get", get(views::session_get))
        .route("/session/delete", get(views::session_delete))
        .route("/session/flush", get(views::session_flush))
        .route("/session/set-expiry", get(expiry::set_expiry))
        .route("/session/cycle-key", get(expiry::cycle_key))
        .route("/session/set-json", get(expiry::set_json))
        .route("/session/json", get(expiry::data_json))
        .route(LOGIN_URL, get(login::login_page).post(login::login))
        .route(
            "/mine",
            get(login::mine).route_layer(LoginRequiredLayer::redirect_to(LOGIN_URL)),
        )
        .route(
            "/mine/notes",
            post(login::add_note)
                .layer(DefaultBodyLimit::max(login::NOTE_LIMIT))
                .route_layer(LoginRequiredLayer::redirect_to(LOGIN_URL)),
        )
        .route("/logout", post(login::logout))
        .route("/api/login", post(login::api_login))
        .route(
            "/api/mine",
            get(login::api_mine).route_layer(LoginRequiredLayer::unauthorized()),
        )
        .layer(sessions);
    Ok(router)
}

/// Serves `app` on `listener` until the task is dropped or fails.
///
/// # Errors
/// The listener's I/O errors.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}

/// Binds `addr` (port 0 for an ephemeral port), serves `app` on a new task,
/// and returns the bound address and the task: what tests use to drive the
/// demo over real HTTP.
///
/// # Errors
/// The bind error.
pub async fn start(
    addr: SocketAddr,
    app: Router,
) -> std::io::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((local, tokio::spawn(serve(listener, app))))
}
