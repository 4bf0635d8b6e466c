//! [`SessionService`]: the middleware itself (Django's
//! `SessionMiddleware.process_request` / `process_response`).

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response, StatusCode};
use session_core::{Error, Session};
use tower_service::Service;

use crate::cache::{logged_in, patch_cache_control};
use crate::cookies::{Cookies, deletion_spec};
use crate::error::{INTERRUPTED_MESSAGE, SessionFailure};
use crate::future::ResponseFuture;
use crate::layer::{KeySource, Settings};
use crate::vary::patch_vary;
use crate::wire::{self, CookieSpec};

/// The service made by [`SessionLayer`](crate::SessionLayer).
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    settings: Arc<Settings>,
}

impl<S> SessionService<S> {
    pub(crate) fn new(inner: S, settings: Arc<Settings>) -> Self {
        Self { inner, settings }
    }
}

impl<S> std::fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// What the middleware remembers about the request.
struct RequestState {
    /// The request carried the session cookie, whatever its value.
    cookie_present: bool,
    source: KeySource,
    key: Option<String>,
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for SessionService<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ResB: Default + Send + 'static,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<ResB, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqB>) -> Self::Future {
        let settings = Arc::clone(&self.settings);
        let config = &settings.config;
        let request_cookies = wire::parse_request_cookies(req.headers());
        let cookie = settings
            .cookie
            .then(|| request_cookies.get(&config.cookie_name))
            .flatten()
            .map(str::to_owned);
        let header = settings
            .header
            .as_ref()
            .and_then(|name| req.headers().get(name))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned());
        let cookie_present = cookie.is_some();
        let (key, source) = match (header, cookie) {
            (Some(token), _) => (Some(token), KeySource::Header),
            (None, Some(value)) => (Some(value), KeySource::Cookie),
            (None, None) => (None, KeySource::None),
        };
        let session = Session::new(
            Arc::clone(&settings.store),
            Arc::clone(&settings.config),
            key.as_deref(),
        );
        let cookies = Cookies::new(
            request_cookies,
            Arc::clone(settings.store.clock()),
            settings.signing.clone(),
        );
        req.extensions_mut().insert(session.clone());
        req.extensions_mut().insert(cookies.clone());
        req.extensions_mut().insert(source);
        let state = RequestState {
            cookie_present,
            source,
            key,
        };

        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let future = inner.call(req);
        ResponseFuture::new(async move {
            let response = future.await?;
            Ok(finish(&settings, &session, &cookies, &state, response).await)
        })
    }
}

/// Django's `process_response` (spec 5, rule M2).
async fn finish<B: Default>(
    settings: &Settings,
    session: &Session,
    cookies: &Cookies,
    state: &RequestState,
    mut response: Response<B>,
) -> Response<B> {
    let config = &settings.config;
    let accessed = session.accessed();
    let modified = session.modified();
    let empty = session.is_empty();
    let mut vary = false;
    // The layer writes the session cookie or token header (R21).
    let mut credentials = false;
    let delete_cookie = settings.cookie && state.cookie_present && empty;
    let discard_token = state.source == KeySource::Header && empty;

    if delete_cookie || discard_token {
        if delete_cookie {
            cookies.push(deletion_spec(
                &config.cookie_name,
                &config.cookie_path,
                config.cookie_domain.as_deref(),
                config.cookie_samesite,
            ));
            credentials = true;
        }
        if let (true, Some(name)) = (discard_token, &settings.header) {
            response
                .headers_mut()
                .insert(name.clone(), HeaderValue::from_static(""));
            credentials = true;
        }
        vary = true;
    } else {
        vary |= accessed;
        if (modified || config.save_every_request) && !empty {
            // Reading the expiry loads the data (an unknown key is dropped
            // here, so the save below creates a fresh one).
            let lifetime = match cookie_lifetime(session).await {
                Ok(lifetime) => lifetime,
                Err(err) => return failure(err),
            };
            if response.status().as_u16() < 500 {
                // Saved even if the handler saved already, as Django does:
                // that second save is what detects a concurrent logout (L1).
                if let Err(err) = session.save().await {
                    return failure(err);
                }
                let key = session
                    .key()
                    .map(|k| k.as_str().to_owned())
                    .unwrap_or_default();
                if settings.cookie && state.source != KeySource::Header {
                    let (max_age, expires) = lifetime;
                    cookies.push(CookieSpec {
                        name: config.cookie_name.clone(),
                        value: key.clone(),
                        max_age,
                        expires,
                        path: config.cookie_path.clone(),
                        domain: config.cookie_domain.clone(),
                        secure: config.cookie_secure,
                        httponly: config.cookie_httponly,
                        samesite: config.cookie_samesite,
                        partitioned: false,
                    });
                    credentials = true;
                }
                // The key goes in the header only to clients that use
                // header transport, never to a browser using the cookie
                // (an HttpOnly key must not become readable by scripts).
                let token_client = state.source == KeySource::Header || !settings.cookie;
                if let Some(name) = &settings.header
                    && token_client
                    && state.key.as_deref() != Some(key.as_str())
                    && let Ok(value) = HeaderValue::from_str(&key)
                {
                    response.headers_mut().insert(name.clone(), value);
                    credentials = true;
                }
                vary = true;
            }
        }
    }

    cookies.write_to(response.headers_mut());
    if vary {
        let mut names: Vec<&str> = Vec::with_capacity(2);
        if settings.cookie {
            names.push("Cookie");
        }
        if let Some(name) = &settings.header {
            names.push(name.as_str());
        }
        patch_vary(response.headers_mut(), &names);
    }
    // R21: a response carrying session credentials or a logged-in user's
    // page is kept out of caches, unless the application chose otherwise.
    if settings.cache_control && (credentials || logged_in(session).await) {
        patch_cache_control(response.headers_mut());
    }
    response
}

/// `(max_age, expires)` of the session cookie: none for a browser-close
/// session, else the expiry age and now + age as an HTTP date.
async fn cookie_lifetime(session: &Session) -> session_core::Result<(Option<i64>, Option<String>)> {
    if session.expire_at_browser_close().await? {
        return Ok((None, None));
    }
    let age = session.expiry_age().await?;
    let now = session.store().clock().now();
    Ok((
        Some(age),
        Some(wire::http_date(wire::add_seconds(now, age))),
    ))
}

/// The response that replaces the handler's when the session cannot be
/// saved: 400 for an interrupted session (Django's `SessionInterrupted`),
/// 500 for a store failure.
fn failure<B: Default>(err: Error) -> Response<B> {
    let (status, message) = if err.is_interrupted() {
        tracing::warn!(target: "session::middleware", error = %err, "session interrupted: deleted during the request");
        (StatusCode::BAD_REQUEST, INTERRUPTED_MESSAGE.to_owned())
    } else {
        tracing::error!(target: "session::middleware", error = %err, "saving the session failed");
        (StatusCode::INTERNAL_SERVER_ERROR, err.to_string())
    };
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    response.extensions_mut().insert(SessionFailure {
        kind: err.kind(),
        message,
    });
    response
}
