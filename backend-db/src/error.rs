//! The database backend's own failures and their mapping to
//! [`session_core::Error`], and [`DbUrlError`], why a URL names no database
//! configuration.

use session_core::{Error, ErrorKind, Operation};

use crate::NAME;

/// Why [`DbConfig::from_url`](crate::DbConfig::from_url) refused a URL.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbUrlError {
    /// The text is not a URL.
    #[error("not a URL: {0}")]
    Syntax(#[from] url::ParseError),
    /// The scheme is not one of [`SCHEMES`](crate::SCHEMES).
    #[error("`{0}` is not a scheme of the db backend (sqlite, postgres, mysql)")]
    Scheme(String),
    /// The scheme names an engine this build was compiled without.
    #[error("the `{0}` engine is not compiled in (enable the crate feature `{0}`)")]
    EngineMissing(&'static str),
    /// A SQLite URL with a host, user or fragment, or with no path.
    #[error("sqlite URLs are `sqlite://<path>` or `sqlite::memory:`")]
    SqlitePath,
    /// A query parameter the db backend does not know.
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
}

/// What is wrong with an existing table that [`migrate`](crate::DbStore::migrate) checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A column the backend needs is missing.
    #[error("the table has no column `{0}`")]
    MissingColumn(&'static str),
    /// A column has a type the backend cannot use.
    #[error("column `{column}` has type `{found}`, expected {expected}")]
    ColumnType {
        /// The column.
        column: &'static str,
        /// Its declared type.
        found: String,
        /// What would do.
        expected: &'static str,
    },
    /// `session_key` is not the primary key (or unique), so create could
    /// not detect a collision.
    #[error("`session_key` is not the table's primary key")]
    NotPrimaryKey,
}

/// What can go wrong in this backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    /// The embedded SQLite engine failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// No connection could be had from the pool in time.
    #[error("no database connection within the timeout: {0}")]
    Pool(#[from] r2d2::Error),
    /// A sqlx engine failed.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    #[error("sqlx: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// The call did not finish within the configured timeout.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    #[error("no answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The blocking task running the statement panicked or was cancelled.
    #[error("the database task did not finish: {0}")]
    Join(#[from] tokio::task::JoinError),
    /// The existing table does not fit.
    #[error("table `{table}`: {problem}")]
    Schema {
        /// The table's name.
        table: String,
        /// What is wrong.
        problem: SchemaError,
    },
    /// The table name is not a plain SQL identifier.
    #[error("table name must be 1 to 63 ASCII letters, digits or `_`, not starting with a digit")]
    TableName,
    /// The pool size is zero.
    #[error("the pool needs at least one connection")]
    PoolSize,
}

impl DbError {
    /// The [`session_core::Error`] for this failure during `operation`, with
    /// this error kept as its source.
    pub(crate) fn into_core(self, operation: Operation) -> Error {
        let (kind, temporary) = match &self {
            DbError::Sqlite(e) => sqlite_kind(e),
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            DbError::Sqlx(e) => sqlx_kind(e),
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            DbError::Timeout(_) => (ErrorKind::Unavailable, true),
            DbError::Pool(_) => (ErrorKind::Unavailable, true),
            DbError::Join(_) => (ErrorKind::Storage, false),
            DbError::Schema { .. } | DbError::TableName | DbError::PoolSize => {
                (ErrorKind::Config, false)
            }
        };
        Error::new(kind, operation, NAME)
            .with_context(self.to_string())
            .set_temporary(temporary)
            .with_source(self)
    }
}

/// The kind of a SQLite failure, and whether a retry can help.
fn sqlite_kind(error: &rusqlite::Error) -> (ErrorKind, bool) {
    use rusqlite::ErrorCode as C;
    match error.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => (ErrorKind::Unavailable, true),
        Some(C::CannotOpen | C::SystemIoFailure) => (ErrorKind::Unavailable, true),
        Some(C::DiskFull) => (ErrorKind::Storage, true),
        Some(C::TooBig) => (ErrorKind::TooLarge, false),
        _ => (ErrorKind::Storage, false),
    }
}

/// The kind of a sqlx failure, and whether a retry can help.
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
fn sqlx_kind(error: &sqlx::Error) -> (ErrorKind, bool) {
    use sqlx::Error as E;
    match error {
        E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => {
            (ErrorKind::Unavailable, true)
        }
        E::Database(e) => {
            let code = e.code();
            let temporary = matches!(
                code.as_deref(),
                // PostgreSQL: serialization failure, deadlock, out of
                // resources (disk full 53100), admin shutdown; MySQL: lock
                // wait timeout, deadlock; SQLite: disk full.
                Some(
                    "40001"
                        | "40P01"
                        | "57P01"
                        | "57P02"
                        | "57P03"
                        | "1205"
                        | "1213"
                        | "5"
                        | "6"
                        | "13"
                )
            ) || code
                .as_deref()
                .is_some_and(|c| c.starts_with("53") || c.starts_with("08"));
            // SQLite busy or locked: the database is there, only taken.
            if matches!(code.as_deref(), Some("5" | "6" | "517" | "262")) {
                return (ErrorKind::Unavailable, true);
            }
            (ErrorKind::Storage, temporary)
        }
        _ => (ErrorKind::Storage, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: errors name the backend and the operation, keep their source,
    /// and say whether a retry can help.
    #[test]
    fn r1_errors_name_backend_and_operation() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        let err = DbError::from(busy).into_core(Operation::Save);
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert_eq!(err.operation(), Operation::Save);
        assert_eq!(err.backend(), "db");
        assert!(err.is_temporary());
        assert!(std::error::Error::source(&err).is_some());
        let err = DbError::TableName.into_core(Operation::Open);
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(!err.is_temporary());
    }
}
