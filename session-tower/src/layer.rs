//! [`SessionLayer`]: configuration of the session middleware.

use std::fmt;
use std::sync::Arc;

use http::HeaderName;
use session_core::{Config, SessionStore};
use tower_layer::Layer;

use crate::cookie_signing::CookieSigning;
use crate::error::SecretKeyError;
use crate::prefix::{self, ConfigError};
use crate::service::SessionService;
use crate::settings::Settings;

/// Django's `SessionMiddleware` as a tower [`Layer`] (rules M1, M2).
///
/// Wraps any service taking `http::Request<B>` and answering
/// `http::Response<ResB>` where `ResB: Default` (axum's `Body`, `Full`,
/// `Empty`, ...). See the crate documentation for the exact rules.
///
/// ```
/// use std::sync::Arc;
/// use session_core::{Config, MemoryStore};
/// use session_tower::SessionLayer;
///
/// let layer = SessionLayer::new(Arc::new(MemoryStore::new()), Config::default())
///     .with_secret_key("at least 16 bytes, better 50 random ones")?
///     .with_header_token(http::HeaderName::from_static("x-session-token"));
/// # let _ = layer;
/// # Ok::<(), session_tower::SecretKeyError>(())
/// ```
#[derive(Clone)]
pub struct SessionLayer {
    settings: Arc<Settings>,
}

impl SessionLayer {
    /// Sessions kept in `store`, with Django's settings in `config`; the key
    /// travels in the cookie `config.cookie_name`. No header token, no
    /// signed cookies until configured; `Cache-Control: private, no-store`
    /// on session-bearing responses (see
    /// [`with_cache_control`](SessionLayer::with_cache_control)).
    ///
    /// **Cookie prefixes (R18).** When `config.cookie_name` starts with
    /// `__Secure-` or `__Host-` (in any letter case) and the configuration
    /// breaks the prefix's rule, browsers would drop the session cookie
    /// without any error. This constructor repairs the configuration
    /// instead: it turns `cookie_secure` on, and for `__Host-` also clears
    /// `cookie_domain` and sets `cookie_path` to `/`; it logs one warning
    /// (target `session::config`) naming what it changed.
    /// [`try_new`](SessionLayer::try_new) refuses such a configuration
    /// instead.
    pub fn new(store: Arc<dyn SessionStore>, mut config: Config) -> Self {
        let fixed = prefix::force_config(&mut config);
        if !fixed.is_empty() {
            let problems: Vec<String> = fixed.iter().map(ToString::to_string).collect();
            tracing::warn!(
                target: "session::config",
                cookie = %config.cookie_name,
                problems = %problems.join("; "),
                "session cookie attributes forced to satisfy the cookie name prefix \
                 (Secure on; for __Host-: no Domain, Path=/); use SessionLayer::try_new to refuse instead"
            );
        }
        Self::build(store, config)
    }

    /// [`new`](SessionLayer::new), but a configuration whose cookie name
    /// prefix cannot work is refused rather than repaired: a `__Secure-`
    /// name needs `cookie_secure`; a `__Host-` name needs `cookie_secure`,
    /// no `cookie_domain` and `cookie_path == "/"` (prefixes matched in any
    /// letter case).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use session_core::{Config, MemoryStore};
    /// use session_tower::{ConfigError, SessionLayer};
    ///
    /// let config = Config::default().with_cookie_name("__Host-sessionid");
    /// let refused = SessionLayer::try_new(Arc::new(MemoryStore::new()), config.clone());
    /// assert!(matches!(refused, Err(ConfigError::CookiePrefix(_))));
    /// let layer = SessionLayer::try_new(Arc::new(MemoryStore::new()), config.with_cookie_secure(true))?;
    /// # let _ = layer;
    /// # Ok::<(), ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::CookiePrefix`] with the first rule broken.
    pub fn try_new(store: Arc<dyn SessionStore>, config: Config) -> Result<Self, ConfigError> {
        prefix::check_config(&config)?;
        Ok(Self::build(store, config))
    }

    fn build(store: Arc<dyn SessionStore>, config: Config) -> Self {
        Self {
            settings: Arc::new(Settings {
                store,
                config: Arc::new(config),
                cookie: true,
                header: None,
                signing: None,
                cache_control: true,
            }),
        }
    }

    /// Also accepts the session key in request header `name`, and returns a
    /// new or changed key in response header `name`. A request carrying the
    /// header uses it (rather than a cookie), and gets no session cookie (a
    /// cookie it also sent is deleted if the session ends empty).
    /// When such a session ends empty (logout), the response carries the
    /// header with an empty value: the client should forget its token. The
    /// key is never read from the URL.
    ///
    /// The key is returned in the header only to clients using header
    /// transport: requests that carried the header (an empty value asks for
    /// a first token), or every request when cookies are off
    /// ([`without_cookie`](SessionLayer::without_cookie)). A browser using
    /// the cookie never sees its (`HttpOnly`) key in a header that scripts
    /// could read.
    pub fn with_header_token(mut self, name: HeaderName) -> Self {
        self.settings_mut().header = Some(name);
        self
    }

    /// Turns the session cookie off: keys travel only in the token header.
    pub fn without_cookie(mut self) -> Self {
        self.settings_mut().cookie = false;
        self
    }

    /// Whether the layer adds `Cache-Control: private, no-store` (rule R21;
    /// on by default, which Django does not do).
    ///
    /// When on, the header is added to a response that has no
    /// `Cache-Control` of its own (the application's header always wins)
    /// and that either
    /// - belongs to a logged-in session: the session, as the handler left
    ///   it, is loaded and holds [`USER_ID_KEY`](crate::auth::USER_ID_KEY)
    ///   (`_auth_user_id`); or
    /// - carries session credentials: the layer sets, refreshes or deletes
    ///   the session cookie, or sends (or clears) the token header.
    ///
    /// A response whose handler never used the session gets nothing (the
    /// session is not loaded to decide) unless the layer deletes a session
    /// cookie, or clears a token, that could never be a key (dropped
    /// without a store call); nor does a response the layer replaces with
    /// a 400/500 because saving failed.
    pub fn with_cache_control(mut self, enabled: bool) -> Self {
        self.settings_mut().cache_control = enabled;
        self
    }

    /// Whether `Cache-Control: private, no-store` is added
    /// ([`with_cache_control`](SessionLayer::with_cache_control)).
    pub fn cache_control(&self) -> bool {
        self.settings.cache_control
    }

    /// The secret key of signed cookies (Django's `SECRET_KEY`).
    ///
    /// # Errors
    /// [`SecretKeyError::ShortSecretKey`] when `secret` has fewer than 16
    /// bytes ([`session_core::codec::MIN_SECRET_KEY_LENGTH`]).
    pub fn with_secret_key(self, secret: impl AsRef<[u8]>) -> Result<Self, SecretKeyError> {
        Ok(self.with_cookie_signing(CookieSigning::new(secret)?))
    }

    /// Full signed-cookie settings: secret, fallback keys, legacy salt.
    pub fn with_cookie_signing(mut self, signing: CookieSigning) -> Self {
        self.settings_mut().signing = Some(Arc::new(signing));
        self
    }

    /// The store sessions are kept in.
    pub fn store(&self) -> &Arc<dyn SessionStore> {
        &self.settings.store
    }

    /// The session settings (after [`new`](SessionLayer::new) repaired a
    /// broken cookie prefix, the repaired ones).
    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// The token header, if enabled.
    pub fn header_token(&self) -> Option<&HeaderName> {
        self.settings.header.as_ref()
    }

    fn settings_mut(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService::new(inner, Arc::clone(&self.settings))
    }
}

impl fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings.fmt(f)
    }
}
