//! Error types of the signing module.
//!
//! Django separates two kinds of failure, and so does this module:
//!
//! - [`BadSignature`] (including expiry): the value was not produced by a
//!   holder of the key, or is too old. Django logs these as suspicious
//!   (`django.security.SuspiciousSession`).
//! - [`PayloadError`]: the signature is valid but what it covers cannot be
//!   decoded (bad base64, bad zlib, too large, bad JSON, bad timestamp).
//!   Django treats these silently (a `ValueError` rather than
//!   `BadSignature`).
//!
//! [`UnsignError`] is either of the two and is returned by every operation
//! that goes past the signature check.

use std::fmt;

use super::encoding::{Base62Error, Base64Error};
use super::max_age::MaxAge;

/// The signature check failed: Django's `BadSignature` and its subclass
/// `SignatureExpired`.
///
/// The `Display` messages are Django's, byte for byte (for the `Expired`
/// variant, as long as `max_age` is a whole number of seconds; see
/// [`MaxAge`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadSignature {
    /// The separator does not occur in the value at all:
    /// `No ":" found in value` (with the signer's actual separator).
    #[error("No \"{sep}\" found in value")]
    NoSeparator {
        /// The separator that was looked for.
        sep: String,
    },
    /// The signature after the last separator matches neither the primary
    /// key nor any fallback key: `Signature "<sig>" does not match`.
    #[error("Signature \"{signature}\" does not match")]
    Mismatch {
        /// The signature text found in the value (attacker-controlled).
        signature: String,
    },
    /// A valid timestamped signature older than `max_age`
    /// (Django's `SignatureExpired`): `Signature age <age> > <max_age> seconds`.
    #[error("Signature age {age} > {max_age} seconds")]
    Expired {
        /// `now - timestamp` in whole seconds, rounded down (the comparison
        /// with `max_age` used the exact age), saturated to the `i64` range.
        age: i64,
        /// The maximum age that was exceeded.
        max_age: MaxAge,
    },
}

impl BadSignature {
    /// True for [`BadSignature::Expired`], Django's `SignatureExpired`.
    pub fn is_expired(&self) -> bool {
        matches!(self, BadSignature::Expired { .. })
    }
}

/// A validly signed value whose content cannot be decoded.
///
/// These can only be produced by a holder of the key (a bug or a foreign
/// encoder), never by tampering, and Django does not log them as suspicious.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The payload is not valid unpadded URL-safe base64.
    #[error("signed payload is not valid base64")]
    Base64(#[source] Base64Error),
    /// The `.`-prefixed payload is not a valid zlib stream.
    #[error("signed payload is not valid zlib data")]
    Zlib(#[source] ZlibError),
    /// The decompressed payload would exceed the configured limit.
    #[error("decompressed payload exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes that was exceeded.
        limit: usize,
    },
    /// The payload bytes (read as latin-1) are not valid JSON.
    #[error("signed payload is not valid JSON")]
    Json(#[source] serde_json::Error),
    /// A timestamp-signed value has no separator before the signature's
    /// covered timestamp.
    #[error("signed value has no timestamp")]
    MissingTimestamp,
    /// The timestamp is not a base62 integer that fits in `i64`.
    #[error("signed value has an invalid timestamp")]
    Timestamp(#[source] Base62Error),
}

/// A zlib stream that could not be decompressed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZlibError {
    /// The stream is corrupt (bad header, bad block, bad checksum).
    #[error("invalid zlib stream")]
    Corrupt(#[source] flate2::DecompressError),
    /// The stream ended before its end marker and checksum:
    /// Python's `incomplete or truncated stream`.
    #[error("incomplete or truncated zlib stream")]
    Truncated,
}

/// Any failure of an operation that verifies a signature and then decodes
/// what it covers.
///
/// Match on the variant to tell suspicious input ([`UnsignError::BadSignature`],
/// to be logged) from a validly signed but undecodable value
/// ([`UnsignError::Payload`], silent in Django).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnsignError {
    /// The signature is missing, wrong or expired.
    #[error(transparent)]
    BadSignature(#[from] BadSignature),
    /// The signature is valid but the payload cannot be decoded.
    #[error(transparent)]
    Payload(#[from] PayloadError),
}

impl UnsignError {
    /// True when the signature check failed (including expiry).
    pub fn is_bad_signature(&self) -> bool {
        matches!(self, UnsignError::BadSignature(_))
    }

    /// True for an expired signature (Django's `SignatureExpired`).
    pub fn is_expired(&self) -> bool {
        matches!(self, UnsignError::BadSignature(bad) if bad.is_expired())
    }

    /// The signature failure, if this is one.
    pub fn as_bad_signature(&self) -> Option<&BadSignature> {
        match self {
            UnsignError::BadSignature(bad) => Some(bad),
            UnsignError::Payload(_) => None,
        }
    }

    /// The payload failure, if this is one.
    pub fn as_payload(&self) -> Option<&PayloadError> {
        match self {
            UnsignError::Payload(payload) => Some(payload),
            UnsignError::BadSignature(_) => None,
        }
    }
}

/// A separator rejected by [`Signer::with_sep`](super::Signer::with_sep):
/// empty, or made only of characters in the regex class `A-z0-9-_=` (which
/// also spans `[`, `\`, `]`, `^`, `_` and the backtick).
///
/// The message is Django's:
/// `Unsafe Signer separator: '-' (cannot be empty or consist of only A-z0-9-_=)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSeparator {
    sep: String,
}

impl InvalidSeparator {
    pub(crate) fn new(sep: String) -> Self {
        InvalidSeparator { sep }
    }

    /// The rejected separator.
    pub fn sep(&self) -> &str {
        &self.sep
    }
}

impl fmt::Display for InvalidSeparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Python's repr() of a str made of these characters: single quotes,
        // with only the backslash needing an escape.
        f.write_str("Unsafe Signer separator: '")?;
        for ch in self.sep.chars() {
            if ch == '\\' {
                f.write_str("\\\\")?;
            } else {
                write!(f, "{ch}")?;
            }
        }
        f.write_str("' (cannot be empty or consist of only A-z0-9-_=)")
    }
}

impl std::error::Error for InvalidSeparator {}
