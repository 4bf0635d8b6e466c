//! The sqlx pool a [`DbConfig`] names, made lazily (no connection yet).

use std::time::Duration;

use crate::config::{DbConfig, Target};
use crate::error::DbError;
use crate::pooled::SqlxPool;

/// The sqlx pool for `config`, or `None` when it names the rusqlite engine.
pub(crate) fn sqlx_pool(config: &DbConfig) -> Result<Option<SqlxPool>, DbError> {
    match &config.target {
        Target::Pool(pool) => Ok(Some(pool.clone())),
        #[cfg(any(feature = "postgres", feature = "mysql"))]
        Target::Server(url) => server(url, config).map(Some),
        #[cfg(feature = "sqlx-sqlite")]
        Target::SqliteFile(_) | Target::SqliteMemory if config.sqlx_sqlite => {
            sqlite(config).map(Some)
        }
        _ => Ok(None),
    }
}

/// Pool options shared by every database: size and the acquire timeout
/// (which bounds connecting to a server that never answers).
fn options<DB: sqlx::Database>(size: u32, timeout: Duration) -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(timeout)
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn server(url: &str, config: &DbConfig) -> Result<SqlxPool, DbError> {
    use std::str::FromStr;
    let size = config.pool_size.max(1) * 2;
    #[cfg(feature = "postgres")]
    if url.starts_with("postgres:") {
        let connect = sqlx::postgres::PgConnectOptions::from_str(url)?;
        return Ok(SqlxPool::Postgres(
            options(size, config.timeout).connect_lazy_with(connect),
        ));
    }
    #[cfg(feature = "mysql")]
    if url.starts_with("mysql:") {
        let connect =
            sqlx::mysql::MySqlConnectOptions::from_str(url)?.timezone(Some("+00:00".to_owned()));
        return Ok(SqlxPool::MySql(
            options(size, config.timeout).connect_lazy_with(connect),
        ));
    }
    Err(DbError::PoolSize)
}

#[cfg(feature = "sqlx-sqlite")]
fn sqlite(config: &DbConfig) -> Result<SqlxPool, DbError> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

    use crate::config::Synchronous;
    let synchronous = match config.synchronous {
        Synchronous::Off => SqliteSynchronous::Off,
        Synchronous::Normal => SqliteSynchronous::Normal,
        Synchronous::Full => SqliteSynchronous::Full,
    };
    let (connect, size, min) = match &config.target {
        Target::SqliteFile(path) => {
            // The file is created here, once, as the rusqlite engine does:
            // the pool's connections open it without `create_if_missing`,
            // so a connection the pool opens after the file was removed
            // (an application's cleanup, the test harness) fails instead
            // of leaving a new empty database behind.
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| DbError::Sqlx(e.into()))?;
            let connect = SqliteConnectOptions::new()
                .filename(path)
                .journal_mode(SqliteJournalMode::Wal);
            (connect, config.pool_size, 0)
        }
        // An in-memory database lives as long as its one connection.
        _ => (SqliteConnectOptions::new().in_memory(true), 1, 1),
    };
    let connect = connect
        .busy_timeout(config.timeout)
        .synchronous(synchronous);
    let pool = options(size, config.timeout)
        .min_connections(min)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(connect);
    Ok(SqlxPool::Sqlite(pool))
}
