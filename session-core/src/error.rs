//! The one error type every store and the [`Session`](crate::Session) handle return.
//!
//! An [`Error`] says *what kind* of failure happened ([`ErrorKind`]), *which
//! operation* failed ([`Operation`]), *which backend* failed (its name), and
//! keeps the engine's own error as its [`source`](std::error::Error::source).
//! [`Error::is_temporary`] tells a caller whether retrying can help. Errors
//! are never flattened to strings (rule R1).

use std::borrow::Cow;
use std::fmt;

/// A boxed error from an engine or a library, kept as the source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, independent of the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The record being saved vanished since it was loaded: it was deleted,
    /// flushed, expired or cleared (rule L1). Nothing was written. The HTTP
    /// layer answers 400, as Django's `SessionInterrupted`.
    Interrupted,
    /// Every generated key collided with an existing record (rule K4). With a
    /// working random generator this means the engine is misbehaving.
    KeyCollision,
    /// The engine could not be reached or timed out (connection refused, pool
    /// exhausted, server restarting). Retrying may succeed.
    Unavailable,
    /// The engine answered with an error (disk full, permission denied,
    /// constraint violation, protocol error). Retrying will not help by itself.
    Storage,
    /// A record could not be encoded for storage, or a value could not be
    /// converted to or from the type the caller asked for.
    Serialization,
    /// The record is larger than the backend can store (for example a signed
    /// cookie over 4,096 bytes).
    TooLarge,
    /// The store does not support this operation.
    Unsupported,
    /// The store was configured with values it cannot work with (a short
    /// secret key, a missing directory, a malformed URL).
    Config,
}

impl ErrorKind {
    /// A short lower-case description, used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Interrupted => "session interrupted",
            ErrorKind::KeyCollision => "no free session key",
            ErrorKind::Unavailable => "backend unavailable",
            ErrorKind::Storage => "storage error",
            ErrorKind::Serialization => "serialization error",
            ErrorKind::TooLarge => "session too large",
            ErrorKind::Unsupported => "unsupported operation",
            ErrorKind::Config => "invalid configuration",
        }
    }
}

/// The operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// [`SessionStore::load`](crate::SessionStore::load).
    Load,
    /// [`SessionStore::create`](crate::SessionStore::create).
    Create,
    /// [`SessionStore::save`](crate::SessionStore::save).
    Save,
    /// [`SessionStore::exists`](crate::SessionStore::exists).
    Exists,
    /// [`SessionStore::delete`](crate::SessionStore::delete).
    Delete,
    /// [`SessionStore::clear_expired`](crate::SessionStore::clear_expired).
    ClearExpired,
    /// Opening or configuring a store.
    Open,
    /// Reading a value out of a session as a Rust type.
    Get,
    /// Putting a Rust value into a session.
    Insert,
}

impl Operation {
    /// The operation's name as it appears in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Load => "load",
            Operation::Create => "create",
            Operation::Save => "save",
            Operation::Exists => "exists",
            Operation::Delete => "delete",
            Operation::ClearExpired => "clear_expired",
            Operation::Open => "open",
            Operation::Get => "get",
            Operation::Insert => "insert",
        }
    }
}

/// A failure of a store or of the session handle.
///
/// Display reads `<backend> <operation>: <kind>[: <context>]`, for example
/// `redis save: backend unavailable: connection refused`.
pub struct Error {
    kind: ErrorKind,
    operation: Operation,
    backend: Cow<'static, str>,
    context: Option<Cow<'static, str>>,
    temporary: bool,
    source: Option<BoxError>,
}

impl Error {
    /// A new error. [`ErrorKind::Unavailable`] errors are temporary; others are
    /// not unless [`Error::set_temporary`] says so.
    pub fn new(
        kind: ErrorKind,
        operation: Operation,
        backend: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            kind,
            operation,
            backend: backend.into(),
            context: None,
            temporary: kind == ErrorKind::Unavailable,
            source: None,
        }
    }

    /// The *session interrupted* error of rule L1.
    pub fn interrupted(operation: Operation, backend: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Interrupted, operation, backend).with_context(
            "the session was deleted before the request completed; \
             the user may have logged out in a concurrent request",
        )
    }

    /// Adds a human-readable detail to the message.
    pub fn with_context(mut self, context: impl Into<Cow<'static, str>>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// Keeps `source` as the cause of this error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Marks whether retrying the operation may succeed.
    pub fn set_temporary(mut self, temporary: bool) -> Self {
        self.temporary = temporary;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Which operation failed.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The name of the backend that failed (`"memory"`, `"redis"`, ...).
    pub fn backend(&self) -> &str {
        &self.backend
    }

    /// True when retrying the same operation later may succeed.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// True for the *session interrupted* error of rule L1.
    pub fn is_interrupted(&self) -> bool {
        self.kind == ErrorKind::Interrupted
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.backend,
            self.operation.as_str(),
            self.kind.as_str()
        )?;
        if let Some(context) = &self.context {
            write!(f, ": {context}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind)
            .field("operation", &self.operation)
            .field("backend", &self.backend)
            .field("temporary", &self.temporary);
        if let Some(context) = &self.context {
            d.field("context", context);
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: an error names backend and operation, keeps its source, and says
    /// whether a retry can help.
    #[test]
    fn r1_error_names_backend_operation_and_keeps_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::new(ErrorKind::Unavailable, Operation::Save, "redis").with_source(io);
        assert_eq!(err.to_string(), "redis save: backend unavailable");
        assert!(err.is_temporary());
        let source = std::error::Error::source(&err).expect("source kept");
        assert_eq!(source.to_string(), "refused");

        let err = Error::new(ErrorKind::Storage, Operation::Create, "file");
        assert!(!err.is_temporary());
        assert!(Error::interrupted(Operation::Save, "db").is_interrupted());
    }
}
