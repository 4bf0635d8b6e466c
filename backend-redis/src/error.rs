//! The Redis backend's own failures and their mapping to
//! [`session_core::Error`], and [`RedisUrlError`], why a URL names no Redis
//! configuration.

use std::time::Duration;

use session_core::{Error, ErrorKind, Operation};

use crate::NAME;

/// Why [`RedisConfig::from_url`](crate::RedisConfig::from_url) refused a URL.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisUrlError {
    /// The text is not a URL.
    #[error("not a URL: {0}")]
    Syntax(#[from] url::ParseError),
    /// The scheme is not one of [`SCHEMES`](crate::SCHEMES).
    #[error("`{0}` is not a scheme of the redis backend (redis, rediss, redis+cluster)")]
    Scheme(String),
    /// `rediss://` in a build without the crate feature `tls`.
    #[error("TLS is not compiled in (enable the crate feature `tls`)")]
    TlsMissing,
    /// A URL with no host, or a cluster URL with an empty node.
    #[error("the URL names no Redis host")]
    NoHost,
    /// The path is not a database number (`/0` .. `/15` on a default server),
    /// or a cluster URL has a database number (a cluster has database 0 only).
    #[error("the path must be a database number, and a cluster URL has none")]
    Database,
    /// A query parameter the redis backend does not know.
    #[error("unknown parameter `{0}`")]
    UnknownParameter(String),
    /// A query parameter given more than once.
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
    /// A parameter with a value it cannot take.
    #[error("parameter `{name}`: bad value `{value}`")]
    Value {
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: String,
    },
    /// `codec=django` without a secret key.
    #[error("codec=django needs the secret key passed to from_url")]
    MissingSecret,
    /// The secret key is too short for Django's codec.
    #[error(transparent)]
    ShortSecret(#[from] session_core::codec::ShortSecretKey),
    /// The redis crate refused the connection settings.
    #[error("the redis client refused the settings: {0}")]
    Client(#[source] redis::RedisError),
}

/// What can go wrong in this backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RedisError {
    /// The server or the connection failed.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The call did not finish within the configured timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// A script answered something it never answers.
    #[error("unexpected answer from the server")]
    Answer,
    /// The configuration cannot make a client.
    #[error("the redis client cannot be built: {0}")]
    Client(#[source] redis::RedisError),
    /// The configuration has a zero timeout.
    #[error("the timeout must be above zero")]
    ZeroTimeout,
}

impl RedisError {
    /// True when the failure says nothing about the data and a second try
    /// may succeed: the connection dropped, was refused or timed out, or the
    /// server is loading, busy or failing over.
    pub(crate) fn is_temporary(&self) -> bool {
        match self {
            RedisError::Redis(e) => {
                e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                    || e.is_cluster_error()
                    || matches!(
                        e.code(),
                        Some("LOADING" | "BUSY" | "TRYAGAIN" | "CLUSTERDOWN" | "MASTERDOWN")
                    )
            }
            RedisError::Timeout(_) => true,
            RedisError::Answer | RedisError::Client(_) | RedisError::ZeroTimeout => false,
        }
    }

    /// The [`session_core::Error`] for this failure during `operation`, with
    /// this error kept as its source.
    pub(crate) fn into_core(self, operation: Operation) -> Error {
        let temporary = self.is_temporary();
        let kind = match &self {
            RedisError::Client(_) | RedisError::ZeroTimeout => ErrorKind::Config,
            RedisError::Redis(e) if e.code() == Some("OOM") => ErrorKind::TooLarge,
            _ if temporary => ErrorKind::Unavailable,
            _ => ErrorKind::Storage,
        };
        Error::new(kind, operation, NAME)
            .with_context(self.to_string())
            .set_temporary(temporary)
            .with_source(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: errors name the backend and the operation, keep their source,
    /// and say whether a retry can help.
    #[test]
    fn r1_errors_name_backend_and_operation() {
        let err = RedisError::Timeout(Duration::from_millis(5)).into_core(Operation::Load);
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert_eq!(err.operation(), Operation::Load);
        assert_eq!(err.backend(), "redis");
        assert!(err.is_temporary());
        assert!(std::error::Error::source(&err).is_some());
        let dropped =
            redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        let err = RedisError::from(dropped).into_core(Operation::Save);
        assert!(err.is_temporary());
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        let err = RedisError::Answer.into_core(Operation::Create);
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(!err.is_temporary());
        let err = RedisError::ZeroTimeout.into_core(Operation::Open);
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
