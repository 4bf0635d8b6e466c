//! [`Options`]: what a store needs besides its URL.

use std::fmt;

use session_core::{Config, SharedClock, SystemClock};

/// The environment variable [`Options::from_env`] (and so [`open`](crate::open))
/// reads the secret key from.
pub const SECRET_KEY_VAR: &str = "SESSION_SECRET_KEY";

/// What opening a store needs besides its URL: the secret key for the
/// signed-cookie store and `?codec=django`, the sessions' settings (whose
/// cookie name and age the file and signed-cookie stores must share), and
/// the clock.
///
/// ```
/// use session_stores::Options;
///
/// let options = Options::new()
///     .with_secret_key("a-long-random-secret-key-from-the-environment")
///     .with_config(session_core::Config::default());
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct Options {
    pub(crate) secret_key: Option<String>,
    pub(crate) fallback_keys: Vec<String>,
    pub(crate) config: Config,
    pub(crate) clock: SharedClock,
}

impl Options {
    /// No secret key, Django's default settings and the system clock.
    pub fn new() -> Self {
        Self {
            secret_key: None,
            fallback_keys: Vec::new(),
            config: Config::default(),
            clock: SystemClock::shared(),
        }
    }

    /// [`new`](Self::new) with the secret key read from `SESSION_SECRET_KEY`
    /// ([`SECRET_KEY_VAR`]) now, when it is set, valid UTF-8 and not empty.
    pub fn from_env() -> Self {
        let options = Self::new();
        match std::env::var(SECRET_KEY_VAR) {
            Ok(key) if !key.is_empty() => options.with_secret_key(key),
            _ => options,
        }
    }

    /// Signs (or encrypts) with `key`: Django's `SECRET_KEY`. The backends
    /// refuse a key under 16 bytes when they are opened.
    pub fn with_secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// Older keys still accepted when reading signed-cookie sessions
    /// (Django's `SECRET_KEY_FALLBACKS`).
    pub fn with_fallback_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        self.fallback_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The sessions' settings: the stores that depend on the cookie name
    /// and age (file, signed-cookie) take them from here.
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Judges every expiry by `clock` (tests pass a `MockClock`).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// Secrets stay out of logs: `Debug` shows whether there is a key and how
/// many fallback keys.
impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("fallback_keys", &self.fallback_keys.len())
            .field("config", &self.config)
            .field("clock", &self.clock)
            .finish()
    }
}
