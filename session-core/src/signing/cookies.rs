//! The signing layer of Django's signed cookies
//! (`HttpResponse.set_signed_cookie` / `HttpRequest.get_signed_cookie`).
//!
//! Cookie quoting and headers are not handled here; this is only how the
//! cookie value is signed and verified.

use super::error::UnsignError;
use super::max_age::MaxAge;
use super::timestamp::TimestampSigner;

/// The prefix Django puts before `SECRET_KEY` (and each fallback key) to make
/// the cookie-signing key.
pub const SIGNED_COOKIE_KEY_PREFIX: &str = "django.http.cookies";

/// The cookie-signing key: the bytes `django.http.cookies` followed by the
/// secret key.
pub fn signed_cookie_key(secret: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(SIGNED_COOKIE_KEY_PREFIX.len() + secret.len());
    key.extend_from_slice(SIGNED_COOKIE_KEY_PREFIX.as_bytes());
    key.extend_from_slice(secret);
    key
}

/// The signer salt of a signed cookie since Django 5.2.15 (CVE-2026-6873):
/// `django.http.cookies.v2:{len(salt)}:{salt}{cookie_name}`, where the length
/// counts characters (Unicode scalar values, as Python's `len`).
///
/// For example `("content", "rock")` gives `django.http.cookies.v2:4:rockcontent`.
pub fn signed_cookie_salt(cookie_name: &str, salt: &str) -> String {
    format!(
        "django.http.cookies.v2:{}:{salt}{cookie_name}",
        salt.chars().count()
    )
}

/// The legacy (before 5.2.15) signer salt: `{cookie_name}{salt}`. It is
/// ambiguous: cookie `a` with salt `bc` and cookie `ab` with salt `c` share it.
pub fn legacy_signed_cookie_salt(cookie_name: &str, salt: &str) -> String {
    format!("{cookie_name}{salt}")
}

/// Signs and verifies one signed cookie's value as Django does.
///
/// Rules (spec 6):
/// - the key is [`signed_cookie_key`]`(secret)`, and each fallback key is
///   prefixed the same way;
/// - signing uses a [`TimestampSigner`] with the v2 salt
///   ([`signed_cookie_salt`]), giving `value:ts:sig`;
/// - verifying uses the v2 salt; if that fails with a bad signature that is
///   **not** an expiry, and the legacy fallback is enabled, it is retried with
///   the legacy salt ([`legacy_signed_cookie_salt`]) and that result is
///   returned.
///
/// The legacy fallback is off by default (Django 6.1's default; Django 5.2
/// defaults `SIGNED_COOKIE_LEGACY_SALT_FALLBACK` to on).
#[derive(Debug, Clone)]
pub struct CookieSigner {
    current: TimestampSigner,
    legacy: TimestampSigner,
    legacy_fallback: bool,
}

impl CookieSigner {
    /// A signer for cookie `cookie_name` with the given `salt` (Django's
    /// default salt is `""`) and secret key.
    pub fn new(secret: impl AsRef<[u8]>, cookie_name: &str, salt: &str) -> Self {
        let key = signed_cookie_key(secret.as_ref());
        CookieSigner {
            current: TimestampSigner::new(&key).with_salt(signed_cookie_salt(cookie_name, salt)),
            legacy: TimestampSigner::new(&key)
                .with_salt(legacy_signed_cookie_salt(cookie_name, salt)),
            legacy_fallback: false,
        }
    }

    /// Replaces the fallback secret keys (each gets the cookie key prefix).
    pub fn with_fallback_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let keys: Vec<Vec<u8>> = keys
            .into_iter()
            .map(|key| signed_cookie_key(key.as_ref()))
            .collect();
        self.current = self.current.with_fallback_keys(&keys);
        self.legacy = self.legacy.with_fallback_keys(&keys);
        self
    }

    /// Enables or disables the retry with the legacy salt
    /// (`SIGNED_COOKIE_LEGACY_SALT_FALLBACK`).
    pub fn with_legacy_fallback(mut self, enabled: bool) -> Self {
        self.legacy_fallback = enabled;
        self
    }

    /// The v2-salt signer used for signing and the first verification.
    pub fn signer(&self) -> &TimestampSigner {
        &self.current
    }

    /// The legacy-salt signer used for the optional retry.
    pub fn legacy_signer(&self) -> &TimestampSigner {
        &self.legacy
    }

    /// The signed cookie value at time `now_unix`: `value:ts:sig`.
    pub fn sign_at(&self, value: &str, now_unix: i64) -> String {
        self.current.sign_at(value, now_unix)
    }

    /// Verifies a signed cookie value at time `now_unix` and returns the
    /// original value.
    ///
    /// # Errors
    ///
    /// [`UnsignError::BadSignature`] (tampered, wrong name or salt, expired)
    /// or [`UnsignError::Payload`] (valid signature over a bad timestamp).
    pub fn unsign_at(
        &self,
        signed: &str,
        max_age: Option<MaxAge>,
        now_unix: i64,
    ) -> Result<String, UnsignError> {
        self.unsign_at_nanos(signed, max_age, i128::from(now_unix) * 1_000_000_000)
    }

    /// [`CookieSigner::unsign_at`] at `now_unix_nanos` nanoseconds since the
    /// epoch, comparing the exact age with `max_age` as Django does
    /// (`time.time() - timestamp > max_age`).
    ///
    /// # Errors
    ///
    /// As for [`CookieSigner::unsign_at`].
    pub fn unsign_at_nanos(
        &self,
        signed: &str,
        max_age: Option<MaxAge>,
        now_unix_nanos: i128,
    ) -> Result<String, UnsignError> {
        match self
            .current
            .unsign_at_nanos(signed, max_age, now_unix_nanos)
        {
            Err(err) if self.legacy_fallback && err.is_bad_signature() && !err.is_expired() => {
                self.legacy.unsign_at_nanos(signed, max_age, now_unix_nanos)
            }
            result => result,
        }
    }
}
