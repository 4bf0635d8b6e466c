//! [`SignedCookieConfig`]: how a [`SignedCookieStore`] is built.

use std::fmt;

use session_core::config::DEFAULT_COOKIE_AGE;
use session_core::{Config, Error, Operation, SharedClock, SystemClock};

use crate::error::CookieError;
use crate::store::SignedCookieStore;

/// Shortest secret key (and fallback key) accepted, in bytes: 16, the same
/// minimum as `session_core`'s Django codec.
///
/// The key is the only thing between a client and a forged session, so
/// an empty or short key is refused ([`ErrorKind::Config`](session_core::ErrorKind::Config)).
/// Sixteen bytes is a floor, not a recommendation: use what Django's
/// `check --deploy` asks for (at least 50 characters, at least 5 distinct,
/// randomly generated). Django's own test key `conformance-secret` (18
/// bytes) is accepted.
pub const MIN_SECRET_KEY_LENGTH: usize = session_core::codec::MIN_SECRET_KEY_LENGTH;

/// Longest `name=value` accepted, in bytes: the 4,096 bytes that browsers
/// are required to keep (RFC 6265 section 6.1). Larger cookies are dropped
/// silently by browsers, so saving one is an error here.
pub const MAX_COOKIE_SIZE: usize = 4096;

/// Django's salt for the value of a signed-cookie session:
/// `django.contrib.sessions.backends.signed_cookies`.
pub const SIGNED_COOKIES_SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// Largest decompressed payload read from a cookie: 4 MiB.
///
/// deflate expands at most about 1,032 times, so a cookie under
/// [`MAX_COOKIE_SIZE`] never decompresses to more than about 3.2 MB: every
/// cookie this store writes can be read back, and nothing larger is ever
/// allocated. Payloads are decompressed only after the signature (or AEAD
/// tag) has been verified.
pub const MAX_DECOMPRESSED_SIZE: usize = 4 * 1024 * 1024;

/// How the session data is written into the cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CookieFormat {
    /// Django's `signed_cookies` format, byte-compatible with Django 5.2:
    /// `signing.dumps(data, compress=True, salt=SIGNED_COOKIES_SALT)`.
    /// Signed, **not encrypted**: the client can read (but not change) the
    /// data.
    #[default]
    Django,
    /// AES-256-GCM: the client can neither read nor change the data. **Not
    /// readable by Django.** See the crate documentation for the format.
    Encrypted,
}

/// Settings of a [`SignedCookieStore`], built step by step.
///
/// ```
/// use session_backend_signed_cookie::SignedCookieConfig;
/// use session_core::Config;
///
/// let session_config = Config::default();
/// let store = SignedCookieConfig::new("a-long-random-secret-key-from-the-environment")
///     .fallback_keys(["the-previous-secret-key-still-accepted"])
///     .session_config(&session_config) // cookie name and age must match
///     .build()
///     .expect("valid settings");
/// # let _ = store;
/// ```
#[derive(Clone)]
pub struct SignedCookieConfig {
    pub(crate) secret_key: Vec<u8>,
    pub(crate) fallback_keys: Vec<Vec<u8>>,
    pub(crate) cookie_age: i64,
    pub(crate) cookie_name: String,
    pub(crate) clock: SharedClock,
    pub(crate) format: CookieFormat,
}

impl SignedCookieConfig {
    /// Settings signing with `secret_key` (Django's `SECRET_KEY`), with
    /// Django's defaults otherwise: no fallback keys, a cookie age of two
    /// weeks, the cookie name `sessionid`, the system clock and Django's
    /// format.
    pub fn new(secret_key: impl AsRef<[u8]>) -> Self {
        Self {
            secret_key: secret_key.as_ref().to_vec(),
            fallback_keys: Vec::new(),
            cookie_age: DEFAULT_COOKIE_AGE,
            cookie_name: Config::default().cookie_name,
            clock: SystemClock::shared(),
            format: CookieFormat::Django,
        }
    }

    /// Older keys that are still accepted when reading (Django's
    /// `SECRET_KEY_FALLBACKS`). New cookies are always signed (or encrypted)
    /// with the primary key, so a session read with a fallback key moves to
    /// the primary key on its next save.
    pub fn fallback_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        self.fallback_keys = keys.into_iter().map(|k| k.as_ref().to_vec()).collect();
        self
    }

    /// The cookie age in seconds (Django's `SESSION_COOKIE_AGE`), used as the
    /// signature's `max_age`. It must equal the
    /// [`Config::cookie_age`] the sessions use; [`session_config`](Self::session_config)
    /// copies it.
    pub fn cookie_age(mut self, seconds: i64) -> Self {
        self.cookie_age = seconds;
        self
    }

    /// The cookie name (Django's `SESSION_COOKIE_NAME`), counted in the
    /// 4,096-byte limit of `name=value`.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Copies the cookie name and age from the sessions' settings, which
    /// is the simplest way to keep them equal.
    pub fn session_config(self, config: &Config) -> Self {
        self.cookie_name(config.cookie_name.clone())
            .cookie_age(config.cookie_age)
    }

    /// The clock the store signs and judges expiry by (tests pass a
    /// [`MockClock`](session_core::MockClock)).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// How the data is written: Django's signed format (the default) or
    /// encrypted.
    pub fn format(mut self, format: CookieFormat) -> Self {
        self.format = format;
        self
    }

    /// Shorthand for [`format`](Self::format)`(`[`CookieFormat::Encrypted`]`)`.
    pub fn encrypted(self) -> Self {
        self.format(CookieFormat::Encrypted)
    }

    /// Checks the settings and builds the store.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// secret key or a fallback key is shorter than
    /// [`MIN_SECRET_KEY_LENGTH`] bytes, the cookie age is not positive, or
    /// the cookie name is not a valid cookie name.
    pub fn build(self) -> Result<SignedCookieStore, Error> {
        self.validate()
            .and_then(|()| SignedCookieStore::from_config(self))
            .map_err(|e| e.into_core(Operation::Open))
    }

    fn validate(&self) -> Result<(), CookieError> {
        let short = |which: String, len: usize| CookieError::ShortSecret {
            which,
            len,
            min: MIN_SECRET_KEY_LENGTH,
        };
        if self.secret_key.len() < MIN_SECRET_KEY_LENGTH {
            return Err(short("secret key".into(), self.secret_key.len()));
        }
        for (i, key) in self.fallback_keys.iter().enumerate() {
            if key.len() < MIN_SECRET_KEY_LENGTH {
                return Err(short(format!("fallback key #{}", i + 1), key.len()));
            }
        }
        if self.cookie_age <= 0 {
            return Err(CookieError::CookieAge(self.cookie_age));
        }
        if !is_cookie_name(&self.cookie_name) {
            return Err(CookieError::CookieName(self.cookie_name.clone()));
        }
        Ok(())
    }
}

/// An RFC 6265 cookie name: a non-empty token of visible ASCII without
/// separators.
fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'(' | b')'
                        | b'<'
                        | b'>'
                        | b'@'
                        | b','
                        | b';'
                        | b':'
                        | b'\\'
                        | b'"'
                        | b'/'
                        | b'['
                        | b']'
                        | b'?'
                        | b'='
                        | b'{'
                        | b'}'
                )
        })
}

/// Secrets stay out of logs: `Debug` shows only their count.
impl fmt::Debug for SignedCookieConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedCookieConfig")
            .field("secret_key", &"<redacted>")
            .field("fallback_keys", &self.fallback_keys.len())
            .field("cookie_age", &self.cookie_age)
            .field("cookie_name", &self.cookie_name)
            .field("clock", &self.clock)
            .field("format", &self.format)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::ErrorKind;

    const KEY: &str = "conformance-secret";

    #[test]
    fn refuses_short_keys_bad_ages_and_bad_names() {
        for bad in [
            SignedCookieConfig::new(""),
            SignedCookieConfig::new("fifteen-bytes!!"),
            SignedCookieConfig::new(KEY).fallback_keys([""]),
            SignedCookieConfig::new(KEY).fallback_keys([KEY, "short"]),
            SignedCookieConfig::new(KEY).cookie_age(0),
            SignedCookieConfig::new(KEY).cookie_age(-1),
            SignedCookieConfig::new(KEY).cookie_name(""),
            SignedCookieConfig::new(KEY).cookie_name("a b"),
            SignedCookieConfig::new(KEY).cookie_name("a=b"),
            SignedCookieConfig::new(KEY).cookie_name("a;b"),
        ] {
            let err = bad.clone().build().expect_err(&format!("{bad:?}"));
            assert_eq!(err.kind(), ErrorKind::Config, "{err}");
            assert_eq!(err.operation(), Operation::Open);
        }
        assert!(SignedCookieConfig::new("sixteen-bytes!!!").build().is_ok());
        assert!(
            SignedCookieConfig::new(KEY)
                .cookie_name("__Host-sid")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let config = SignedCookieConfig::new(KEY).fallback_keys(["old-secret-key-value"]);
        let shown = format!("{config:?}");
        assert!(
            !shown.contains(KEY) && !shown.contains("old-secret"),
            "{shown}"
        );
    }
}
