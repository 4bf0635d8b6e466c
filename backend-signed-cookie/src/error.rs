//! The signed-cookie backend's own failures and their mapping to
//! [`session_core::Error`], and [`SignedCookieUrlError`], why a URL names no
//! signed-cookie configuration.
//!
//! Loading never fails (a bad cookie loads as absent, rule K3), so the only
//! errors are a configuration the store refuses to start with and a session
//! too large for a cookie. None of them is temporary: retrying cannot help.

use session_core::{Error, ErrorKind, Operation};

use crate::NAME;

/// Why [`SignedCookieConfig::from_url`](crate::SignedCookieConfig::from_url)
/// refused a URL.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignedCookieUrlError {
    /// The text is not a URL.
    #[error("not a URL: {0}")]
    Syntax(#[from] url::ParseError),
    /// The scheme is not one of [`SCHEMES`](crate::SCHEMES).
    #[error("`{0}` is not a scheme of the signed-cookie backend (signed-cookie, signed_cookies)")]
    Scheme(String),
    /// The URL has a host, port, user, path or fragment: the sessions live
    /// in the cookies, so only query parameters mean something.
    #[error("signed-cookie URLs take no host, user, path or fragment, only `?format=`")]
    Location,
    /// A query parameter the signed-cookie backend does not know.
    #[error("unknown parameter `{0}` (the signed-cookie backend takes format)")]
    UnknownParameter(String),
    /// A query parameter given more than once.
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
    /// `format` is neither `django` nor `encrypted`.
    #[error("parameter `format`: `{0}` is not django or encrypted")]
    Format(String),
}

/// What can go wrong in this backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CookieError {
    /// The secret key (or a fallback key) is empty or too short to sign with.
    #[error("the {which} is {len} bytes long; it must be at least {min} bytes")]
    ShortSecret {
        /// `"secret key"` or `"fallback key #n"`.
        which: String,
        /// Its length in bytes.
        len: usize,
        /// The minimum, [`MIN_SECRET_KEY_LENGTH`](crate::MIN_SECRET_KEY_LENGTH).
        min: usize,
    },
    /// The cookie age is zero or negative.
    #[error("the cookie age must be a positive number of seconds, not {0}")]
    CookieAge(i64),
    /// The cookie name is empty or holds a character a cookie name cannot.
    #[error("{0:?} is not a valid cookie name")]
    CookieName(String),
    /// The cookie `name=value` would be longer than browsers keep.
    #[error(
        "the session cookie would be {size} bytes ({name_len}-byte name, '=', {value_len}-byte value), \
         over the {limit}-byte limit browsers keep; store less in the session or use a server-side backend"
    )]
    TooLarge {
        /// Length of `name=value`.
        size: usize,
        /// Length of the cookie name.
        name_len: usize,
        /// Length of the encoded value.
        value_len: usize,
        /// The limit, [`MAX_COOKIE_SIZE`](crate::MAX_COOKIE_SIZE).
        limit: usize,
    },
    /// The AEAD refused to encrypt (only possible for absurdly large input).
    #[error("the session could not be encrypted")]
    Encrypt,
    /// The operating system's random generator failed to give a nonce.
    #[error("the operating system's random generator failed")]
    Random,
    /// The encryption key could not be derived from the secret.
    #[error("the encryption key could not be derived from the secret key")]
    Key,
}

impl CookieError {
    /// The [`session_core::Error`] for this failure during `operation`, with
    /// this error kept as its source.
    pub(crate) fn into_core(self, operation: Operation) -> Error {
        let kind = match self {
            CookieError::ShortSecret { .. }
            | CookieError::CookieAge(_)
            | CookieError::CookieName(_)
            | CookieError::Key => ErrorKind::Config,
            CookieError::TooLarge { .. } => ErrorKind::TooLarge,
            CookieError::Encrypt => ErrorKind::Serialization,
            CookieError::Random => ErrorKind::Unavailable,
        };
        Error::new(kind, operation, NAME)
            .with_context(self.to_string())
            .with_source(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: errors name the backend and the operation and keep their source.
    #[test]
    fn r1_errors_name_backend_operation_and_kind() {
        let err = CookieError::TooLarge {
            size: 5000,
            name_len: 9,
            value_len: 4990,
            limit: 4096,
        }
        .into_core(Operation::Save);
        assert_eq!(err.kind(), ErrorKind::TooLarge);
        assert_eq!(err.operation(), Operation::Save);
        assert_eq!(err.backend(), "signed-cookie");
        assert!(!err.is_temporary());
        assert!(err.to_string().contains("5000 bytes"), "{err}");
        assert!(std::error::Error::source(&err).is_some());

        let err = CookieError::ShortSecret {
            which: "secret key".into(),
            len: 3,
            min: 16,
        }
        .into_core(Operation::Open);
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(
            CookieError::CookieAge(0).into_core(Operation::Open).kind(),
            ErrorKind::Config
        );
        assert_eq!(
            CookieError::Encrypt.into_core(Operation::Create).kind(),
            ErrorKind::Serialization
        );
    }
}
