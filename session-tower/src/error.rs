//! Errors of the cookie API and of the middleware.

use std::fmt;

use session_core::ErrorKind;
use session_core::codec::MIN_SECRET_KEY_LENGTH;
use session_core::signing::{BadSignature, UnsignError};

use crate::prefix::CookiePrefixError;

/// A cookie-signing secret that is too short to sign with: the secret key
/// or a fallback key has fewer than [`MIN_SECRET_KEY_LENGTH`] (16) bytes,
/// the same minimum as the signed-cookie session store and the primary key
/// of session-core's Django codec.
///
/// Returned by [`CookieSigning::new`](crate::CookieSigning::new),
/// [`CookieSigning::with_fallback_keys`](crate::CookieSigning::with_fallback_keys)
/// and [`SessionLayer::with_secret_key`](crate::SessionLayer::with_secret_key).
/// The message gives lengths only, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretKeyError {
    /// The secret key (Django's `SECRET_KEY`) is empty or too short.
    ShortSecretKey {
        /// Its length in bytes.
        len: usize,
    },
    /// A fallback key (Django's `SECRET_KEY_FALLBACKS`) is empty or too short.
    ShortFallbackKey {
        /// Its position among the fallback keys, from 0.
        index: usize,
        /// Its length in bytes.
        len: usize,
    },
}

impl fmt::Display for SecretKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretKeyError::ShortSecretKey { len } => write!(
                f,
                "the cookie-signing secret key is {len} bytes long; it must be at least \
                 {MIN_SECRET_KEY_LENGTH} bytes"
            ),
            SecretKeyError::ShortFallbackKey { index, len } => write!(
                f,
                "cookie-signing fallback key #{} is {len} bytes long; it must be at least \
                 {MIN_SECRET_KEY_LENGTH} bytes",
                index + 1
            ),
        }
    }
}

impl std::error::Error for SecretKeyError {}

/// A cookie could not be set (Django raises `ValueError` or `CookieError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// The name is empty or has a character outside
    /// `A-Za-z0-9!#$%&'*+-.^_`|~:` (Python's `Illegal key`).
    InvalidName(String),
    /// A date-time expiry and a max age were both given.
    ExpiresAndMaxAge,
    /// `Path`, `Domain` or a raw `expires` holds `;` or a control character,
    /// which would inject attributes or headers.
    InvalidAttribute(&'static str),
    /// A signed cookie was set but the layer has no secret key
    /// ([`SessionLayer::with_secret_key`](crate::SessionLayer::with_secret_key)).
    NoSecretKey,
    /// The name's `__Secure-`/`__Host-` prefix and the attributes disagree
    /// (rule R18): browsers would drop the cookie without telling anyone.
    Prefix(CookiePrefixError),
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieError::InvalidName(name) => write!(f, "Illegal key {name:?}"),
            CookieError::InvalidAttribute(which) => {
                write!(
                    f,
                    "cookie attribute {which} may not contain ';' or control characters"
                )
            }
            CookieError::ExpiresAndMaxAge => {
                f.write_str("'expires' and 'max_age' can't be used together.")
            }
            CookieError::NoSecretKey => {
                f.write_str("signed cookies need a secret key on the SessionLayer")
            }
            CookieError::Prefix(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for CookieError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CookieError::Prefix(err) => Some(err),
            _ => None,
        }
    }
}

/// A signed cookie could not be read (Django's `get_signed_cookie` raising).
#[derive(Debug)]
#[non_exhaustive]
pub enum SignedCookieError {
    /// The request has no cookie of that name (Django's `KeyError`).
    Missing(String),
    /// The signature is wrong, or older than `max_age`
    /// ([`BadSignature::Expired`], Django's `SignatureExpired`). Treat it as
    /// suspicious input.
    BadSignature(BadSignature),
    /// The signature is valid but what it covers cannot be read (a bad
    /// timestamp): only a holder of the key can produce this (Django raises
    /// `ValueError`).
    Malformed(UnsignError),
    /// The layer has no secret key.
    NoSecretKey,
}

impl SignedCookieError {
    /// True for an expired signature (Django's `SignatureExpired`).
    pub fn is_expired(&self) -> bool {
        matches!(self, SignedCookieError::BadSignature(bad) if bad.is_expired())
    }

    /// True for a wrong or expired signature.
    pub fn is_bad_signature(&self) -> bool {
        matches!(self, SignedCookieError::BadSignature(_))
    }
}

impl fmt::Display for SignedCookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Python's KeyError message: the repr of the key.
            SignedCookieError::Missing(name) => write!(f, "'{name}'"),
            SignedCookieError::BadSignature(bad) => bad.fmt(f),
            SignedCookieError::Malformed(err) => err.fmt(f),
            SignedCookieError::NoSecretKey => CookieError::NoSecretKey.fmt(f),
        }
    }
}

impl std::error::Error for SignedCookieError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SignedCookieError::BadSignature(bad) => Some(bad),
            SignedCookieError::Malformed(err) => Some(err),
            _ => None,
        }
    }
}

/// Why the middleware replaced the handler's response, attached to that
/// response's extensions so an outer layer can log it or render a page.
///
/// - [`ErrorKind::Interrupted`]: the session was deleted during the request
///   (rule L1, Django's `SessionInterrupted`); the response is a 400.
/// - any other kind: the store failed while saving; the response is a 500.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFailure {
    /// What went wrong.
    pub kind: ErrorKind,
    /// A message for logs or an error page.
    pub message: String,
}

/// Django's `SessionInterrupted` message.
pub const INTERRUPTED_MESSAGE: &str = "The request's session was deleted before the request completed. \
The user may have logged out in a concurrent request, for example.";
