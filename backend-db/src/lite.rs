//! The embedded SQLite engine on rusqlite: a small r2d2 pool of
//! connections in WAL mode, one prepared (cached) statement per operation.
//!
//! Every function here blocks; the store runs them off the async workers.

use std::fmt;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use crate::config::{DbConfig, Target};
use crate::error::{DbError, SchemaError};

/// Prepared statement texts for one table.
#[derive(Debug)]
struct Sql {
    load: String,
    exists: String,
    insert: String,
    delete_expired_key: String,
    update: String,
    delete: String,
    clear: String,
}

impl Sql {
    fn new(t: &str) -> Self {
        Self {
            load: format!(
                "SELECT session_data, expire_date FROM \"{t}\" WHERE session_key = ?1 AND expire_date > ?2"
            ),
            exists: format!("SELECT 1 FROM \"{t}\" WHERE session_key = ?1 AND expire_date > ?2"),
            insert: format!(
                "INSERT INTO \"{t}\" (session_key, session_data, expire_date) VALUES (?1, ?2, ?3)"
            ),
            delete_expired_key: format!(
                "DELETE FROM \"{t}\" WHERE session_key = ?1 AND expire_date <= ?2"
            ),
            update: format!(
                "UPDATE \"{t}\" SET session_data = ?1, expire_date = ?2 WHERE session_key = ?3 AND expire_date > ?4"
            ),
            delete: format!("DELETE FROM \"{t}\" WHERE session_key = ?1"),
            clear: format!(
                "DELETE FROM \"{t}\" WHERE rowid IN (SELECT rowid FROM \"{t}\" WHERE expire_date <= ?1 LIMIT ?2)"
            ),
        }
    }
}

/// Django's DDL for SQLite (the `ddl.sqlite_sqlmigrate` vector), for `table`.
pub(crate) fn create_table_sql(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS \"{table}\" (\"session_key\" varchar(40) NOT NULL PRIMARY KEY, \
         \"session_data\" text NOT NULL, \"expire_date\" datetime NOT NULL);\n\
         CREATE INDEX IF NOT EXISTS \"{table}_expire_date_a5c62663\" ON \"{table}\" (\"expire_date\");"
    )
}

/// A pool of rusqlite connections on one database and the statements of one table.
pub(crate) struct Lite {
    pool: Pool<SqliteConnectionManager>,
    table: String,
    sql: Sql,
}

impl fmt::Debug for Lite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lite")
            .field("table", &self.table)
            .field("connections", &self.pool.state().connections)
            .finish_non_exhaustive()
    }
}

impl Lite {
    /// Opens the pool: WAL (on a file), the configured `synchronous` level
    /// and a busy timeout equal to the call timeout.
    pub(crate) fn open(config: &DbConfig) -> Result<Self, DbError> {
        let (manager, size, wal) = match &config.target {
            Target::SqliteFile(path) => {
                // The file is created here, once: the pool's connections
                // open it without the create flag, so a connection the pool
                // adds later never recreates a database removed meanwhile.
                drop(Connection::open(path)?);
                let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let manager = SqliteConnectionManager::file(path).with_flags(flags);
                (manager, config.pool_size, true)
            }
            Target::SqliteMemory => (SqliteConnectionManager::memory(), 1, false),
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            _ => unreachable!("sqlx targets open a sqlx pool"),
        };
        if size == 0 {
            return Err(DbError::PoolSize);
        }
        let busy = config.timeout;
        let synchronous = config.synchronous.as_sql();
        let manager = manager.with_init(move |conn| {
            conn.busy_timeout(busy)?;
            if wal {
                conn.pragma_update(None, "journal_mode", "WAL")?;
            }
            conn.pragma_update(None, "synchronous", synchronous)?;
            Ok(())
        });
        // No idle timeout and no maximum lifetime: an in-memory database
        // lives exactly as long as its one connection. No test on
        // checkout: a local SQLite connection does not go stale, and a
        // failing one reports its error on the statement itself.
        let pool = Pool::builder()
            .max_size(size)
            .test_on_check_out(false)
            .min_idle(Some(1))
            .idle_timeout(None)
            .max_lifetime(None)
            .connection_timeout(config.timeout)
            .build(manager)?;
        Ok(Self {
            pool,
            table: config.table.clone(),
            sql: Sql::new(&config.table),
        })
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<SqliteConnectionManager>, DbError> {
        Ok(self.pool.get()?)
    }

    /// Creates the table and its index if missing, then checks the columns.
    pub(crate) fn migrate(&self) -> Result<(), DbError> {
        let conn = self.conn()?;
        conn.execute_batch(&create_table_sql(&self.table))?;
        let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{}\")", self.table))?;
        let columns: Vec<(String, String, i64)> = stmt
            .query_map([], |row| Ok((row.get(1)?, row.get(2)?, row.get(5)?)))?
            .collect::<Result<_, _>>()?;
        let schema = |problem| DbError::Schema {
            table: self.table.clone(),
            problem,
        };
        for (name, expected) in [
            ("session_key", "text or varchar"),
            ("session_data", "text"),
            ("expire_date", "datetime or text"),
        ] {
            let Some((_, found, pk)) = columns.iter().find(|(n, _, _)| n == name) else {
                return Err(schema(SchemaError::MissingColumn(name)));
            };
            let upper = found.to_ascii_uppercase();
            let fits = match name {
                "expire_date" => {
                    upper.contains("DATE") || upper.contains("TEXT") || upper.contains("TIME")
                }
                _ => upper.contains("CHAR") || upper.contains("TEXT") || upper.contains("CLOB"),
            };
            if !fits {
                return Err(schema(SchemaError::ColumnType {
                    column: name,
                    found: found.clone(),
                    expected,
                }));
            }
            if name == "session_key" && *pk != 1 {
                return Err(schema(SchemaError::NotPrimaryKey));
            }
        }
        Ok(())
    }

    /// The live row's `(session_data, expire_date)`.
    pub(crate) fn load(&self, key: &str, now: &str) -> Result<Option<(String, String)>, DbError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&self.sql.load)?;
        Ok(stmt
            .query_row(params![key, now], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?)
    }

    /// True iff a live row holds `key`.
    pub(crate) fn exists(&self, key: &str, now: &str) -> Result<bool, DbError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&self.sql.exists)?;
        Ok(stmt.exists(params![key, now])?)
    }

    /// Inserts the row unless a live row holds `key`; true when inserted.
    /// An expired row under the key is removed first (it is gone for the
    /// contract, only not purged yet).
    pub(crate) fn insert(
        &self,
        key: &str,
        data: &str,
        expire: &str,
        now: &str,
    ) -> Result<bool, DbError> {
        let conn = self.conn()?;
        let mut insert = conn.prepare_cached(&self.sql.insert)?;
        match insert.execute(params![key, data, expire]) {
            Ok(_) => return Ok(true),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {}
            Err(e) => return Err(e.into()),
        }
        let removed = conn
            .prepare_cached(&self.sql.delete_expired_key)?
            .execute(params![key, now])?;
        if removed == 0 {
            return Ok(false);
        }
        match insert.execute(params![key, data, expire]) {
            Ok(_) => Ok(true),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces the live row under `key`; false when there is none (L1).
    pub(crate) fn update(
        &self,
        key: &str,
        data: &str,
        expire: &str,
        now: &str,
    ) -> Result<bool, DbError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&self.sql.update)?;
        Ok(stmt.execute(params![data, expire, key, now])? == 1)
    }

    /// Deletes the row under `key`, if any.
    pub(crate) fn delete(&self, key: &str) -> Result<(), DbError> {
        let conn = self.conn()?;
        conn.prepare_cached(&self.sql.delete)?
            .execute(params![key])?;
        Ok(())
    }

    /// Deletes the rows expired at `now`, `batch` per statement; the count.
    pub(crate) fn clear_expired(&self, now: &str, batch: u32) -> Result<u64, DbError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&self.sql.clear)?;
        let mut total = 0u64;
        loop {
            let removed = stmt.execute(params![now, batch])?;
            total += removed as u64;
            if removed < batch as usize {
                return Ok(total);
            }
        }
    }

    /// Runs `sql` with `params` on a pooled connection (the testing harness
    /// and tests write raw rows through it).
    #[cfg(feature = "testing")]
    pub(crate) fn execute(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<usize, DbError> {
        Ok(self.conn()?.execute(sql, params)?)
    }

    /// Runs `sql` without parameters on a pooled connection, ignoring any
    /// rows (a `PRAGMA`), for the testing harness.
    #[cfg(feature = "testing")]
    pub(crate) fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        Ok(self.conn()?.execute_batch(sql)?)
    }
}
