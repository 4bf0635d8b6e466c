//! [`CookieSigning`]: the keys signed cookies are signed with, and the
//! [`CookieSigner`] for one cookie.

use std::fmt;

use session_core::codec::MIN_SECRET_KEY_LENGTH;
use session_core::signing::CookieSigner;

use crate::error::SecretKeyError;

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
