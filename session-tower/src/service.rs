//! [`SessionService`]: the middleware itself (Django's
//! `SessionMiddleware.process_request` / `process_response`).

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response, StatusCode};
use session_core::{Error, Session};
use tower_service::Service;

use crate::auth::logged_in;
use crate::cache_control::patch_cache_control;
use crate::cookies::Cookies;
use crate::error::{INTERRUPTED_MESSAGE, SessionFailure};
use crate::future::ResponseFuture;
use crate::request::RequestState;
use crate::response::{Action, Policy, SessionState, decide, failure_status};
use crate::session_cookie::{Lifetime, SessionCookie, session_cookie};
use crate::settings::Settings;
use crate::vary::patch_vary;

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
        let (state, request_cookies) = RequestState::read(&settings, req.headers());
        let session = Session::new(
            Arc::clone(&settings.store),
            Arc::clone(&settings.config),
            state.key.as_deref(),
        );
        let cookies = Cookies::new(
            request_cookies,
            Arc::clone(settings.store.clock()),
            settings.signing.clone(),
        );
        req.extensions_mut().insert(session.clone());
        req.extensions_mut().insert(cookies.clone());
        req.extensions_mut().insert(state.source);

        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let future = inner.call(req);
        ResponseFuture::new(async move {
            let response = future.await?;
            Ok(finish(&settings, &session, &cookies, &state, response).await)
        })
    }
}

/// Django's `process_response` (spec 5, rule M2): decides what to do
/// ([`decide`]), does it, then writes the cookies, `Vary` and
/// `Cache-Control`.
async fn finish<B: Default>(
    settings: &Settings,
    session: &Session,
    cookies: &Cookies,
    state: &RequestState,
    mut response: Response<B>,
) -> Response<B> {
    let policy = Policy {
        cookie: settings.cookie,
        header: settings.header.is_some(),
        save_every_request: settings.config.save_every_request,
    };
    let observed = SessionState {
        accessed: session.accessed(),
        modified: session.modified(),
        empty: session.is_empty(),
    };
    let action = decide(policy, state, observed, response.status());
    let done = apply(action, settings, session, cookies, state, &mut response).await;
    let Applied { vary, credentials } = match done {
        Ok(applied) => applied,
        Err(err) => return failure(err),
    };

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

/// What [`apply`] did that the rest of the response depends on.
struct Applied {
    /// `Vary` is to be patched.
    vary: bool,
    /// The session cookie or the token header was written (R21).
    credentials: bool,
}

/// Carries out `action`: queues the session cookie, sets the token header,
/// saves the session.
///
/// # Errors
/// The store's, from reading the session's expiry or saving it.
async fn apply<B>(
    action: Action,
    settings: &Settings,
    session: &Session,
    cookies: &Cookies,
    state: &RequestState,
    response: &mut Response<B>,
) -> Result<Applied, Error> {
    let config = &settings.config;
    let mut credentials = false;
    match action {
        Action::Nothing { vary } => Ok(Applied { vary, credentials }),
        Action::Forget { cookie, token } => {
            if cookie {
                cookies.push(session_cookie(config, SessionCookie::Delete));
                credentials = true;
            }
            if let (true, Some(name)) = (token, &settings.header) {
                response
                    .headers_mut()
                    .insert(name.clone(), HeaderValue::from_static(""));
                credentials = true;
            }
            Ok(Applied {
                vary: true,
                credentials,
            })
        }
        Action::SkipSave { vary } => {
            // Read for its errors only, as Django reads it before the status.
            Lifetime::of(session).await?;
            Ok(Applied { vary, credentials })
        }
        Action::Save { cookie, token } => {
            // Reading the expiry loads the data (an unknown key is dropped
            // here, so the save below creates a fresh one).
            let lifetime = Lifetime::of(session).await?;
            session.save().await?;
            let key = session
                .key()
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default();
            if cookie {
                let set = SessionCookie::Set {
                    key: &key,
                    lifetime,
                };
                cookies.push(session_cookie(config, set));
                credentials = true;
            }
            if let Some(name) = &settings.header
                && token
                && state.key.as_deref() != Some(key.as_str())
                && let Ok(value) = HeaderValue::from_str(&key)
            {
                response.headers_mut().insert(name.clone(), value);
                credentials = true;
            }
            Ok(Applied {
                vary: true,
                credentials,
            })
        }
    }
}

/// The response that replaces the handler's when the session cannot be
/// saved: 400 for an interrupted session (Django's `SessionInterrupted`),
/// 500 for a store failure.
fn failure<B: Default>(err: Error) -> Response<B> {
    let status = failure_status(&err);
    let message = if status == StatusCode::BAD_REQUEST {
        tracing::warn!(target: "session::middleware", error = %err, "session interrupted: deleted during the request");
        INTERRUPTED_MESSAGE.to_owned()
    } else {
        tracing::error!(target: "session::middleware", error = %err, "saving the session failed");
        err.to_string()
    };
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    response.extensions_mut().insert(SessionFailure {
        kind: err.kind(),
        message,
    });
    response
}
