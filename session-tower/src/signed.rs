//! Signed cookies in Django's format: `set_signed_cookie` and
//! `get_signed_cookie` (rule M3), built on
//! [`session_core::signing::CookieSigner`] with the layer's
//! [`CookieSigning`](crate::CookieSigning).

use session_core::signing::{BadSignature, MaxAge, UnsignError};

use crate::cookies::{Cookies, SetCookie};
use crate::error::{CookieError, SignedCookieError};

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
