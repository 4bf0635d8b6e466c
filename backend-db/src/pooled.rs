//! The sqlx engines: SQLite, PostgreSQL and MySQL/MariaDB pools, the same
//! table and statements as the embedded engine, in each database's own
//! dialect and `expire_date` type (Django's: SQLite text, PostgreSQL
//! `timestamp with time zone`, MySQL `datetime(6)` in UTC).
//!
//! MySQL's affected-row count is of *changed* rows unless the client asks
//! for found rows; sqlx's MySQL driver always sets `CLIENT_FOUND_ROWS`, so
//! a save of identical data counts its row and is not taken as interrupted.

use std::future::Future;
use std::time::Duration;

use time::OffsetDateTime;
#[cfg(feature = "mysql")]
use time::PrimitiveDateTime;
#[cfg(any(feature = "postgres", feature = "mysql"))]
use time::UtcOffset;

#[cfg(feature = "sqlx-sqlite")]
use crate::datetime;
use crate::error::DbError;

/// A sqlx pool of one of the compiled-in databases.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SqlxPool {
    /// SQLite through sqlx.
    #[cfg(feature = "sqlx-sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlPool),
}

#[cfg(feature = "sqlx-sqlite")]
impl From<sqlx::SqlitePool> for SqlxPool {
    fn from(pool: sqlx::SqlitePool) -> Self {
        SqlxPool::Sqlite(pool)
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for SqlxPool {
    fn from(pool: sqlx::PgPool) -> Self {
        SqlxPool::Postgres(pool)
    }
}

#[cfg(feature = "mysql")]
impl From<sqlx::MySqlPool> for SqlxPool {
    fn from(pool: sqlx::MySqlPool) -> Self {
        SqlxPool::MySql(pool)
    }
}

/// Statement texts for one table in one dialect.
#[derive(Debug)]
struct Sql {
    load: String,
    exists: String,
    insert: String,
    delete_expired_key: String,
    update: String,
    delete: String,
    clear: String,
    ddl: Vec<String>,
}

impl Sql {
    fn new(pool: &SqlxPool, t: &str) -> Self {
        // (quoted table, placeholder style: numbered `$n` or `?`)
        let (q, dollar) = match pool {
            #[cfg(feature = "sqlx-sqlite")]
            SqlxPool::Sqlite(_) => (format!("\"{t}\""), false),
            #[cfg(feature = "postgres")]
            SqlxPool::Postgres(_) => (format!("\"{t}\""), true),
            #[cfg(feature = "mysql")]
            SqlxPool::MySql(_) => (format!("`{t}`"), false),
        };
        let p = |text: String| -> String { if dollar { numbered(&text) } else { text } };
        let (clear, ddl) = match pool {
            #[cfg(feature = "sqlx-sqlite")]
            SqlxPool::Sqlite(_) => (
                format!(
                    "DELETE FROM {q} WHERE rowid IN (SELECT rowid FROM {q} WHERE expire_date <= ? LIMIT ?)"
                ),
                vec![
                    format!(
                        "CREATE TABLE IF NOT EXISTS {q} (\"session_key\" varchar(40) NOT NULL PRIMARY KEY, \"session_data\" text NOT NULL, \"expire_date\" datetime NOT NULL)"
                    ),
                    format!(
                        "CREATE INDEX IF NOT EXISTS \"{t}_expire_date_a5c62663\" ON {q} (\"expire_date\")"
                    ),
                ],
            ),
            #[cfg(feature = "postgres")]
            SqlxPool::Postgres(_) => (
                format!(
                    "DELETE FROM {q} WHERE session_key IN (SELECT session_key FROM {q} WHERE expire_date <= ? LIMIT ?)"
                ),
                vec![
                    format!(
                        "CREATE TABLE IF NOT EXISTS {q} (\"session_key\" varchar(40) NOT NULL PRIMARY KEY, \"session_data\" text NOT NULL, \"expire_date\" timestamp with time zone NOT NULL)"
                    ),
                    format!(
                        "CREATE INDEX IF NOT EXISTS \"{t}_session_key_c0390e0f_like\" ON {q} (\"session_key\" varchar_pattern_ops)"
                    ),
                    format!(
                        "CREATE INDEX IF NOT EXISTS \"{t}_expire_date_a5c62663\" ON {q} (\"expire_date\")"
                    ),
                ],
            ),
            #[cfg(feature = "mysql")]
            SqlxPool::MySql(_) => (
                format!("DELETE FROM {q} WHERE expire_date <= ? LIMIT ?"),
                vec![format!(
                    "CREATE TABLE IF NOT EXISTS {q} (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL, INDEX `{t}_expire_date_a5c62663` (`expire_date`))"
                )],
            ),
        };
        Self {
            load: p(format!(
                "SELECT session_data, expire_date FROM {q} WHERE session_key = ? AND expire_date > ?"
            )),
            exists: p(format!(
                "SELECT 1 FROM {q} WHERE session_key = ? AND expire_date > ?"
            )),
            insert: p(format!(
                "INSERT INTO {q} (session_key, session_data, expire_date) VALUES (?, ?, ?)"
            )),
            delete_expired_key: p(format!(
                "DELETE FROM {q} WHERE session_key = ? AND expire_date <= ?"
            )),
            update: p(format!(
                "UPDATE {q} SET session_data = ?, expire_date = ? WHERE session_key = ? AND expire_date > ?"
            )),
            delete: p(format!("DELETE FROM {q} WHERE session_key = ?")),
            clear: p(clear),
            ddl,
        }
    }
}

/// A sqlx pool and the statements of one table.
#[derive(Debug)]
pub(crate) struct Pooled {
    pool: SqlxPool,
    sql: Sql,
    timeout: Duration,
}

/// `at` to the microsecond, the precision of every engine's column.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn micros(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.replace_nanosecond(at.nanosecond() / 1000 * 1000)
        .unwrap_or(at)
}

#[cfg(feature = "mysql")]
fn naive(at: OffsetDateTime) -> PrimitiveDateTime {
    let at = micros(at);
    PrimitiveDateTime::new(at.date(), at.time())
}

/// Runs one engine call for `$pool`'s database: binds `$time` values as
/// that database's `expire_date` type and reads it back as an instant.
macro_rules! each {
    ($self:ident, |$pool:ident, $t:ident, $read:ident| $body:expr) => {
        match &$self.pool {
            #[cfg(feature = "sqlx-sqlite")]
            SqlxPool::Sqlite($pool) => {
                let $t = datetime::format;
                let $read = |text: String| datetime::parse(&text);
                $body
            }
            #[cfg(feature = "postgres")]
            SqlxPool::Postgres($pool) => {
                let $t = micros;
                let $read = |at: OffsetDateTime| Some(at);
                $body
            }
            #[cfg(feature = "mysql")]
            SqlxPool::MySql($pool) => {
                let $t = naive;
                let $read = |at: PrimitiveDateTime| Some(at.assume_utc());
                $body
            }
        }
    };
}

impl Pooled {
    pub(crate) fn new(pool: SqlxPool, table: &str, timeout: Duration) -> Self {
        let sql = Sql::new(&pool, table);
        Self { pool, sql, timeout }
    }

    /// `work`, failing with [`DbError::Timeout`] when it takes longer than
    /// the configured timeout (a server that accepts and never answers).
    async fn timed<T>(
        &self,
        work: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, DbError> {
        match tokio::time::timeout(self.timeout, work).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(DbError::Timeout(self.timeout)),
        }
    }

    /// Creates the table and its indexes if missing, then checks the
    /// columns by selecting them.
    pub(crate) async fn migrate(&self) -> Result<(), DbError> {
        let started = tokio::time::Instant::now();
        for ddl in &self.sql.ddl {
            loop {
                let done = each!(self, |pool, _t, _r| {
                    self.timed(sqlx::query(ddl).execute(pool)).await.map(|_| ())
                });
                match done {
                    // SQLite answers a schema change racing another
                    // connection's with "locked" at once, past its busy
                    // handler: retried within the timeout.
                    Err(DbError::Sqlx(e)) if busy(&e) && started.elapsed() < self.timeout => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    done => {
                        done?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The live row's data and expiry; `Ok(Some((data, None)))` when the
    /// expiry cannot be read.
    pub(crate) async fn load(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(String, Option<OffsetDateTime>)>, DbError> {
        each!(self, |pool, t, read| {
            let row = self
                .timed(
                    sqlx::query_as(&self.sql.load)
                        .bind(key)
                        .bind(t(now))
                        .fetch_optional(pool),
                )
                .await?;
            Ok(row.map(|(data, expire): (String, _)| (data, read(expire))))
        })
    }

    /// True iff a live row holds `key`.
    pub(crate) async fn exists(&self, key: &str, now: OffsetDateTime) -> Result<bool, DbError> {
        each!(self, |pool, t, _r| {
            let row = self
                .timed(
                    sqlx::query(&self.sql.exists)
                        .bind(key)
                        .bind(t(now))
                        .fetch_optional(pool),
                )
                .await?;
            Ok(row.is_some())
        })
    }

    /// Inserts the row unless a live row holds `key`; true when inserted.
    pub(crate) async fn insert(
        &self,
        key: &str,
        data: &str,
        expire: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, DbError> {
        each!(self, |pool, t, _r| {
            let insert = || {
                sqlx::query(&self.sql.insert)
                    .bind(key)
                    .bind(data)
                    .bind(t(expire))
                    .execute(pool)
            };
            match self.timed(insert()).await {
                Ok(_) => return Ok(true),
                Err(DbError::Sqlx(e)) if unique_violation(&e) => {}
                Err(e) => return Err(e),
            }
            let removed = self
                .timed(
                    sqlx::query(&self.sql.delete_expired_key)
                        .bind(key)
                        .bind(t(now))
                        .execute(pool),
                )
                .await?
                .rows_affected();
            if removed == 0 {
                return Ok(false);
            }
            match self.timed(insert()).await {
                Ok(_) => Ok(true),
                Err(DbError::Sqlx(e)) if unique_violation(&e) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }

    /// Replaces the live row under `key`; false when there is none (L1).
    pub(crate) async fn update(
        &self,
        key: &str,
        data: &str,
        expire: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, DbError> {
        each!(self, |pool, t, _r| {
            let done = self
                .timed(
                    sqlx::query(&self.sql.update)
                        .bind(data)
                        .bind(t(expire))
                        .bind(key)
                        .bind(t(now))
                        .execute(pool),
                )
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Deletes the row under `key`, if any.
    pub(crate) async fn delete(&self, key: &str) -> Result<(), DbError> {
        each!(self, |pool, _t, _r| {
            self.timed(sqlx::query(&self.sql.delete).bind(key).execute(pool))
                .await?;
            Ok(())
        })
    }

    /// Deletes the rows expired at `now`, `batch` per statement; the count.
    pub(crate) async fn clear_expired(
        &self,
        now: OffsetDateTime,
        batch: u32,
    ) -> Result<u64, DbError> {
        let mut total = 0;
        loop {
            let removed = each!(self, |pool, t, _r| {
                self.timed(
                    sqlx::query(&self.sql.clear)
                        .bind(t(now))
                        .bind(i64::from(batch))
                        .execute(pool),
                )
                .await?
                .rows_affected()
            });
            total += removed;
            if removed < u64::from(batch) {
                return Ok(total);
            }
        }
    }

    /// Runs `sql` with text parameters and `?` placeholders (numbered here
    /// for PostgreSQL, as every statement of this file is), for the harness
    /// and tests.
    #[cfg(feature = "testing")]
    pub(crate) async fn execute(&self, sql: &str, params: &[String]) -> Result<u64, DbError> {
        let sql = if self.dialect() == "postgres" {
            numbered(sql)
        } else {
            sql.to_owned()
        };
        each!(self, |pool, _t, _r| {
            let mut query = sqlx::query(&sql);
            for param in params {
                query = query.bind(param);
            }
            Ok(self.timed(query.execute(pool)).await?.rows_affected())
        })
    }

    /// The database's dialect, for the harness: `"sqlite"`, `"postgres"` or `"mysql"`.
    #[cfg(feature = "testing")]
    pub(crate) fn dialect(&self) -> &'static str {
        match &self.pool {
            #[cfg(feature = "sqlx-sqlite")]
            SqlxPool::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            SqlxPool::Postgres(_) => "postgres",
            #[cfg(feature = "mysql")]
            SqlxPool::MySql(_) => "mysql",
        }
    }
}

/// True for SQLite's busy or locked answer.
fn busy(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e)
        if matches!(e.code().as_deref(), Some("5" | "6" | "517" | "262")))
}

/// True for a primary-key (unique) violation on any database.
fn unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// `?` placeholders as PostgreSQL's `$1`, `$2`, ... (no statement here has
/// a `?` inside a quoted string).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered("UPDATE t SET a = ?, b = ? WHERE k = ? AND e > ?"),
            "UPDATE t SET a = $1, b = $2 WHERE k = $3 AND e > $4"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }
}
