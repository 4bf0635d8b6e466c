//! [`SignedCookieConfig`]: how a [`SignedCookieStore`](crate::SignedCookieStore) is built.

use std::fmt;

use session_core::config::DEFAULT_COOKIE_AGE;
use session_core::{Config, SharedClock, SystemClock};
use url::Url;

use crate::SCHEMES;
use crate::error::{CookieError, SignedCookieUrlError};

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

/// Settings of a [`SignedCookieStore`](crate::SignedCookieStore), built step
/// by step or read from a URL ([`from_url`](Self::from_url)).
///
/// ```
/// use session_backend_signed_cookie::SignedCookieConfig;
/// use session_core::Config;
///
/// let session_config = Config::default();
/// let store = SignedCookieConfig::new("a-long-random-secret-key-from-the-environment")
///     .with_fallback_keys(["the-previous-secret-key-still-accepted"])
///     .with_session_config(&session_config) // cookie name and age must match
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
    pub fn with_fallback_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        self.fallback_keys = keys.into_iter().map(|k| k.as_ref().to_vec()).collect();
        self
    }

    /// The cookie age in seconds (Django's `SESSION_COOKIE_AGE`), used as the
    /// signature's `max_age`. It must equal the
    /// [`Config::cookie_age`] the sessions use; [`with_session_config`](Self::with_session_config)
    /// copies it.
    pub fn with_cookie_age(mut self, seconds: i64) -> Self {
        self.cookie_age = seconds;
        self
    }

    /// The cookie name (Django's `SESSION_COOKIE_NAME`), counted in the
    /// 4,096-byte limit of `name=value`.
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Copies the cookie name and age from the sessions' settings, which
    /// is the simplest way to keep them equal.
    pub fn with_session_config(self, config: &Config) -> Self {
        self.with_cookie_name(config.cookie_name.clone())
            .with_cookie_age(config.cookie_age)
    }

    /// The clock the store signs and judges expiry by (tests pass a
    /// [`MockClock`](session_core::MockClock)).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// How the data is written: Django's signed format (the default) or
    /// encrypted.
    pub fn with_format(mut self, format: CookieFormat) -> Self {
        self.format = format;
        self
    }

    /// Shorthand for [`with_format`](Self::with_format)`(`[`CookieFormat::Encrypted`]`)`.
    pub fn with_encryption(self) -> Self {
        self.with_format(CookieFormat::Encrypted)
    }

    /// The settings a signed-cookie URL describes, signing with
    /// `secret_key`: `signed-cookie://` (or `signed_cookies://`, ...) with an
    /// optional `?format=django|encrypted`; everything else keeps its
    /// default. The caller supplies the key (the backend never reads the
    /// environment); [`build`](Self::build) checks its length.
    ///
    /// ```
    /// use session_backend_signed_cookie::{CookieFormat, SignedCookieConfig};
    ///
    /// let config = SignedCookieConfig::from_url(
    ///     "signed-cookie://?format=encrypted",
    ///     "a-long-random-secret-key-from-the-environment",
    /// )
    /// .expect("a signed-cookie URL");
    /// assert_eq!(config.format(), CookieFormat::Encrypted);
    /// ```
    ///
    /// # Errors
    /// A [`SignedCookieUrlError`] naming what is wrong: another scheme, a
    /// host, user, path or fragment, an unknown or repeated parameter, or a
    /// format other than `django` or `encrypted`.
    pub fn from_url(url: &str, secret_key: impl AsRef<[u8]>) -> Result<Self, SignedCookieUrlError> {
        let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
        if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            return Err(SignedCookieUrlError::Scheme(scheme.to_owned()));
        }
        let url = Url::parse(&format!("{}:{rest}", SCHEMES[0]))?;
        let located = url.host_str().is_some_and(|host| !host.is_empty())
            || url.port().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
            || !matches!(url.path(), "" | "/")
            || url.fragment().is_some();
        if located {
            return Err(SignedCookieUrlError::Location);
        }
        let mut config = Self::new(secret_key);
        let mut seen = Vec::new();
        for (name, value) in url.query_pairs() {
            if seen.contains(&name) {
                return Err(SignedCookieUrlError::Repeated(name.into_owned()));
            }
            match (&*name, &*value) {
                ("format", "django") => config.format = CookieFormat::Django,
                ("format", "encrypted") => config.format = CookieFormat::Encrypted,
                ("format", other) => return Err(SignedCookieUrlError::Format(other.to_owned())),
                _ => return Err(SignedCookieUrlError::UnknownParameter(name.into_owned())),
            }
            seen.push(name);
        }
        Ok(config)
    }

    /// The format the store writes.
    pub fn format(&self) -> CookieFormat {
        self.format
    }

    pub(crate) fn validate(&self) -> Result<(), CookieError> {
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
    use session_core::{ErrorKind, Operation};

    const KEY: &str = "conformance-secret";

    #[test]
    fn refuses_short_keys_bad_ages_and_bad_names() {
        for bad in [
            SignedCookieConfig::new(""),
            SignedCookieConfig::new("fifteen-bytes!!"),
            SignedCookieConfig::new(KEY).with_fallback_keys([""]),
            SignedCookieConfig::new(KEY).with_fallback_keys([KEY, "short"]),
            SignedCookieConfig::new(KEY).with_cookie_age(0),
            SignedCookieConfig::new(KEY).with_cookie_age(-1),
            SignedCookieConfig::new(KEY).with_cookie_name(""),
            SignedCookieConfig::new(KEY).with_cookie_name("a b"),
            SignedCookieConfig::new(KEY).with_cookie_name("a=b"),
            SignedCookieConfig::new(KEY).with_cookie_name("a;b"),
        ] {
            let err = bad.clone().build().expect_err(&format!("{bad:?}"));
            assert_eq!(err.kind(), ErrorKind::Config, "{err}");
            assert_eq!(err.operation(), Operation::Open);
        }
        assert!(SignedCookieConfig::new("sixteen-bytes!!!").build().is_ok());
        assert!(
            SignedCookieConfig::new(KEY)
                .with_cookie_name("__Host-sid")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let config = SignedCookieConfig::new(KEY).with_fallback_keys(["old-secret-key-value"]);
        let shown = format!("{config:?}");
        assert!(
            !shown.contains(KEY) && !shown.contains("old-secret"),
            "{shown}"
        );
    }
}
