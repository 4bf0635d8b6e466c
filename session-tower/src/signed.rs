//! Signed cookies in Django's format: `set_signed_cookie` and
//! `get_signed_cookie` (rule M3), built on
//! [`session_core::signing::CookieSigner`].

use std::fmt;

use session_core::codec::MIN_SECRET_KEY_LENGTH;
use session_core::signing::{BadSignature, CookieSigner, MaxAge, UnsignError};

use crate::cookies::{Cookies, SetCookie};
use crate::error::{CookieError, SecretKeyError, SignedCookieError};

/// The keys signed cookies are signed with (Django's `SECRET_KEY`,
/// `SECRET_KEY_FALLBACKS` and `SIGNED_COOKIE_LEGACY_SALT_FALLBACK`).
///
/// The signing key is `"django.http.cookies"` followed by the secret; the
/// salt is `django.http.cookies.v2:{len(salt)}:{salt}{name}`. Fallback keys
/// are tried, in order, when verifying. The legacy salt (`{name}{salt}`,
/// ambiguous, CVE-2026-6873) is off unless enabled.
///
/// Every key must be at least [`MIN_SECRET_KEY_LENGTH`] (16) bytes long, as
/// for the signed-cookie session store: an empty or short secret would let
/// anyone forge cookies.
///
/// ```
/// use session_tower::{CookieSigning, SecretKeyError};
///
/// let signing = CookieSigning::new("a secret of 32 or more random bytes")?
///     .with_fallback_keys(["the previous secret, also long"])?;
/// assert!(matches!(
///     CookieSigning::new("short"),
///     Err(SecretKeyError::ShortSecretKey { len: 5 })
/// ));
/// # let _ = signing;
/// # Ok::<(), SecretKeyError>(())
/// ```
#[derive(Clone)]
pub struct CookieSigning {
    secret: Vec<u8>,
    fallbacks: Vec<Vec<u8>>,
    legacy_salt_fallback: bool,
}

impl CookieSigning {
    /// Signing with `secret` (Django's `SECRET_KEY`), no fallbacks, no legacy salt.
    ///
    /// # Errors
    /// [`SecretKeyError::ShortSecretKey`] when `secret` has fewer than
    /// [`MIN_SECRET_KEY_LENGTH`] bytes.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretKeyError> {
        let secret = secret.as_ref();
        if secret.len() < MIN_SECRET_KEY_LENGTH {
            return Err(SecretKeyError::ShortSecretKey { len: secret.len() });
        }
        Ok(Self {
            secret: secret.to_vec(),
            fallbacks: Vec::new(),
            legacy_salt_fallback: false,
        })
    }

    /// Old secrets still accepted when verifying (`SECRET_KEY_FALLBACKS`),
    /// replacing any given before.
    ///
    /// # Errors
    /// [`SecretKeyError::ShortFallbackKey`] for the first key with fewer
    /// than [`MIN_SECRET_KEY_LENGTH`] bytes.
    pub fn with_fallback_keys<I, K>(mut self, keys: I) -> Result<Self, SecretKeyError>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let mut fallbacks = Vec::new();
        for (index, key) in keys.into_iter().enumerate() {
            let key = key.as_ref();
            if key.len() < MIN_SECRET_KEY_LENGTH {
                return Err(SecretKeyError::ShortFallbackKey {
                    index,
                    len: key.len(),
                });
            }
            fallbacks.push(key.to_vec());
        }
        self.fallbacks = fallbacks;
        Ok(self)
    }

    /// Also accept cookies signed with the pre-5.2.15 salt
    /// (`SIGNED_COOKIE_LEGACY_SALT_FALLBACK`).
    pub fn with_legacy_salt_fallback(mut self, enabled: bool) -> Self {
        self.legacy_salt_fallback = enabled;
        self
    }

    /// The signer for cookie `name` under `salt`.
    pub fn signer(&self, name: &str, salt: &str) -> CookieSigner {
        CookieSigner::new(&self.secret, name, salt)
            .with_fallback_keys(&self.fallbacks)
            .with_legacy_fallback(self.legacy_salt_fallback)
    }
}

impl fmt::Debug for CookieSigning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieSigning")
            .field("secret", &"<redacted>")
            .field("fallbacks", &self.fallbacks.len())
            .field("legacy_salt_fallback", &self.legacy_salt_fallback)
            .finish()
    }
}

impl Cookies {
    /// Sets a signed cookie (Django's `set_signed_cookie(key, value, salt,
    /// **kwargs)`): the value becomes `value:timestamp:signature`, signed at
    /// the store clock's now; the other attributes are those of `cookie`.
    ///
    /// # Errors
    /// [`CookieError::NoSecretKey`] when the layer has no secret key; the
    /// errors of [`Cookies::set`].
    pub fn set_signed(&self, cookie: impl Into<SetCookie>, salt: &str) -> Result<(), CookieError> {
        let cookie = cookie.into();
        let signing = self.signing().ok_or(CookieError::NoSecretKey)?;
        let now = self.now();
        let signed = signing
            .signer(cookie.name(), salt)
            .sign_at(cookie.value(), now.unix_timestamp());
        self.set(cookie.with_value(signed))
    }

    /// Reads a signed cookie (Django's `get_signed_cookie(key, salt=...,
    /// max_age=...)`), checking its age against `max_age` at the store
    /// clock's now.
    ///
    /// # Errors
    /// [`SignedCookieError::Missing`], [`SignedCookieError::BadSignature`]
    /// (tampered, wrong name, salt or key, or expired),
    /// [`SignedCookieError::Malformed`], [`SignedCookieError::NoSecretKey`].
    pub fn get_signed(
        &self,
        name: &str,
        salt: &str,
        max_age: Option<MaxAge>,
    ) -> Result<String, SignedCookieError> {
        let raw = self
            .get(name)
            .ok_or_else(|| SignedCookieError::Missing(name.to_owned()))?;
        let signing = self.signing().ok_or(SignedCookieError::NoSecretKey)?;
        // The exact age, as Django's `time.time() - timestamp`.
        let now = self.now().unix_timestamp_nanos();
        signing
            .signer(name, salt)
            .unsign_at_nanos(raw, max_age, now)
            .map_err(|err| match err {
                UnsignError::BadSignature(bad) => {
                    // The kind only: the message would carry the client's
                    // signature, which may hold CR/LF or anything else.
                    tracing::warn!(target: "session::suspicious", cookie = ?name, reason = rejection_reason(&bad), "signed cookie rejected");
                    SignedCookieError::BadSignature(bad)
                }
                other => SignedCookieError::Malformed(other),
            })
    }

    /// [`get_signed`](Cookies::get_signed) with Django's `default=`: the
    /// value, or `default` when the cookie is missing or fails to verify.
    pub fn get_signed_or(
        &self,
        name: &str,
        salt: &str,
        max_age: Option<MaxAge>,
        default: impl Into<String>,
    ) -> String {
        self.get_signed(name, salt, max_age)
            .unwrap_or_else(|_| default.into())
    }
}

/// What went wrong with a signature, as a fixed word for logs (never the
/// client's text).
fn rejection_reason(bad: &BadSignature) -> &'static str {
    match bad {
        BadSignature::NoSeparator { .. } => "no separator",
        BadSignature::Mismatch { .. } => "signature mismatch",
        BadSignature::Expired { .. } => "signature expired",
        _ => "bad signature",
    }
}
