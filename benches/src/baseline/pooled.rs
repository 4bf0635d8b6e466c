//! The sqlx baselines: SQLite, PostgreSQL and MySQL/MariaDB through a sqlx
//! pool like the db store's, by primary key, with the same JSON bytes.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use session_core::time::{OffsetDateTime, PrimitiveDateTime};
use session_core::{Codec, Data, Operation};
use sqlx::Row;
use tokio::sync::OnceCell;

use crate::baseline::api::{Baseline, BaselineError, Counter};

/// How to connect to one database.
#[derive(Debug)]
enum Connect {
    Sqlite(sqlx::sqlite::SqliteConnectOptions),
    Postgres(sqlx::postgres::PgConnectOptions),
    MySql(sqlx::mysql::MySqlConnectOptions),
}

/// The pool of one database.
#[derive(Debug)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

/// The db store's sqlx engine alone: a sqlx pool with the store's default
/// options (4 connections on SQLite in WAL with `synchronous=NORMAL`, 8 on
/// a server; MySQL in UTC), sqlx's cached prepared statements by primary
/// key (`SELECT session_data, expire_date`, `INSERT`, `UPDATE`, `DELETE`)
/// and the JSON codec's encoding and decoding of the same bytes. The
/// table, Django's, is this baseline's own (SQLite: a private temporary
/// file; a server: `session_bench_raw_<pid>_<n>`, created on first use
/// and left for the next run of `sessions compare` to ignore). Not done
/// here and done by the store: the expiry filter, the collision retry, the
/// one-row check of save, the call timeout.
#[derive(Debug)]
pub struct SqlxBaseline {
    connect: Connect,
    /// The pool, made (and the table created) on first use: sqlx pools
    /// need the Tokio runtime, which [`baseline_for`](crate::baseline_for)'s
    /// caller may not be in.
    pool: OnceCell<Pool>,
    table: String,
    sql: Sql,
    keys: Counter,
    name: &'static str,
    /// The SQLite baseline's directory, removed when it is dropped.
    _dir: Option<tempfile::TempDir>,
}

#[derive(Debug)]
struct Sql {
    ddl: String,
    load: String,
    insert: String,
    update: String,
    delete: String,
}

impl SqlxBaseline {
    /// SQLite through sqlx, on a new file in a private temporary directory.
    ///
    /// # Errors
    /// When the directory cannot be made.
    pub fn sqlite() -> Result<Self, BaselineError> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        let dir = tempfile::Builder::new()
            .prefix("session-bench-sqlx-")
            .tempdir()
            .map_err(|source| BaselineError::Io {
                engine: "sqlx sqlite",
                operation: Operation::Open,
                action: "making the directory",
                source,
            })?;
        let connect = SqliteConnectOptions::new()
            .filename(dir.path().join("bench.sqlite3"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let table = "django_session".to_owned();
        let sql = Sql::new(&table, Dialect::Sqlite);
        Ok(Self {
            _dir: Some(dir),
            ..Self::with(Connect::Sqlite(connect), table, sql, "sqlx sqlite")
        })
    }

    /// PostgreSQL at `url` (a libpq URL, as sqlx reads it).
    ///
    /// # Errors
    /// When sqlx cannot read the URL.
    pub fn postgres(url: &str) -> Result<Self, BaselineError> {
        let connect = url
            .parse::<sqlx::postgres::PgConnectOptions>()
            .map_err(sql_error("sqlx postgres", Operation::Open))?;
        let table = own_table();
        let sql = Sql::new(&table, Dialect::Postgres);
        Ok(Self::with(
            Connect::Postgres(connect),
            table,
            sql,
            "sqlx postgres",
        ))
    }

    /// MySQL or MariaDB at `url`, in UTC as the store connects.
    ///
    /// # Errors
    /// When sqlx cannot read the URL.
    pub fn mysql(url: &str) -> Result<Self, BaselineError> {
        let connect = url
            .parse::<sqlx::mysql::MySqlConnectOptions>()
            .map_err(sql_error("sqlx mysql", Operation::Open))?
            .timezone(Some("+00:00".to_owned()));
        let table = own_table();
        let sql = Sql::new(&table, Dialect::MySql);
        Ok(Self::with(
            Connect::MySql(connect),
            table,
            sql,
            "sqlx mysql",
        ))
    }

    fn with(connect: Connect, table: String, sql: Sql, name: &'static str) -> Self {
        Self {
            connect,
            pool: OnceCell::new(),
            table,
            sql,
            keys: Counter::default(),
            name,
            _dir: None,
        }
    }

    /// The table this baseline writes.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The pool, made and the table created on first use.
    async fn pool(&self, operation: Operation) -> Result<&Pool, BaselineError> {
        self.pool
            .get_or_try_init(|| async {
                let ddl = sqlx::raw_sql(&self.sql.ddl);
                let pool = match &self.connect {
                    Connect::Sqlite(c) => Pool::Sqlite(options(4).connect_lazy_with(c.clone())),
                    Connect::Postgres(c) => Pool::Postgres(options(8).connect_lazy_with(c.clone())),
                    Connect::MySql(c) => Pool::MySql(options(8).connect_lazy_with(c.clone())),
                };
                let done = match &pool {
                    Pool::Sqlite(pool) => ddl.execute(pool).await.map(drop),
                    Pool::Postgres(pool) => ddl.execute(pool).await.map(drop),
                    Pool::MySql(pool) => ddl.execute(pool).await.map(drop),
                };
                done.map(|()| pool).map_err(sql_error(self.name, operation))
            })
            .await
    }

    /// Runs a write: the key alone (delete), the key then the data and
    /// the expiry (insert), or the data, the expiry, then the key (update).
    async fn execute(
        &self,
        sql: &str,
        key: &str,
        data: Option<(&Data, Order)>,
        operation: Operation,
    ) -> Result<(), BaselineError> {
        let pool = self.pool(operation).await?;
        let text =
            data.map(|(d, order)| (Codec::Json.encode(d, OffsetDateTime::UNIX_EPOCH), order));
        let expires = OffsetDateTime::UNIX_EPOCH + Duration::from_secs(4_070_908_800);
        macro_rules! bound {
            ($expires:expr) => {
                match &text {
                    None => sqlx::query(sql).bind(key),
                    Some((t, Order::KeyFirst)) => sqlx::query(sql).bind(key).bind(t).bind($expires),
                    Some((t, Order::KeyLast)) => sqlx::query(sql).bind(t).bind($expires).bind(key),
                }
            };
        }
        let done = match pool {
            Pool::Sqlite(pool) => bound!("2099-01-01 00:00:00").execute(pool).await.map(drop),
            Pool::Postgres(pool) => bound!(expires).execute(pool).await.map(drop),
            Pool::MySql(pool) => bound!(PrimitiveDateTime::new(expires.date(), expires.time()))
                .execute(pool)
                .await
                .map(drop),
        };
        done.map_err(sql_error(self.name, operation))
    }
}

/// Where a write binds the key.
#[derive(Debug, Clone, Copy)]
enum Order {
    KeyFirst,
    KeyLast,
}

/// The SQL dialect of a pool.
#[derive(Debug, Clone, Copy)]
enum Dialect {
    Sqlite,
    Postgres,
    MySql,
}

impl Sql {
    /// Django's DDL and the four statements on `table` in `dialect`. The
    /// insert binds the key first; the update binds it last.
    fn new(table: &str, dialect: Dialect) -> Self {
        let (t, index) = match dialect {
            Dialect::MySql => (format!("`{table}`"), format!("`{table}_expire`")),
            _ => (format!("\"{table}\""), format!("\"{table}_expire\"")),
        };
        let p = |n: u8| match dialect {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
            Dialect::MySql => "?".to_owned(),
        };
        let (p1, p2, p3) = (p(1), p(2), p(3));
        let columns = "session_key varchar(40) NOT NULL PRIMARY KEY, session_data";
        let ddl = match dialect {
            Dialect::Sqlite => format!(
                "CREATE TABLE IF NOT EXISTS {t} ({columns} text NOT NULL, expire_date datetime NOT NULL); \
                 CREATE INDEX IF NOT EXISTS {index} ON {t} (expire_date)"
            ),
            Dialect::Postgres => format!(
                "CREATE TABLE IF NOT EXISTS {t} ({columns} text NOT NULL, \
                 expire_date timestamp with time zone NOT NULL); \
                 CREATE INDEX IF NOT EXISTS {index} ON {t} (expire_date)"
            ),
            Dialect::MySql => format!(
                "CREATE TABLE IF NOT EXISTS {t} ({columns} longtext NOT NULL, \
                 expire_date datetime(6) NOT NULL, INDEX {index} (expire_date))"
            ),
        };
        Self {
            ddl,
            load: format!("SELECT session_data, expire_date FROM {t} WHERE session_key = {p1}"),
            insert: format!(
                "INSERT INTO {t} (session_key, session_data, expire_date) VALUES ({p1}, {p2}, {p3})"
            ),
            update: format!(
                "UPDATE {t} SET session_data = {p1}, expire_date = {p2} WHERE session_key = {p3}"
            ),
            delete: format!("DELETE FROM {t} WHERE session_key = {p1}"),
        }
    }
}

/// The store's pool options: `size` connections, no idle timeout.
fn options<DB: sqlx::Database>(size: u32) -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(5))
}

/// A table of this process's own on a shared server.
fn own_table() -> String {
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000;
    format!("session_bench_raw_{}_{nanos}", std::process::id())
}

fn sql_error(
    engine: &'static str,
    operation: Operation,
) -> impl FnOnce(sqlx::Error) -> BaselineError {
    move |e| BaselineError::Sql {
        engine,
        operation,
        source: Box::new(e),
    }
}

#[async_trait]
impl Baseline for SqlxBaseline {
    fn name(&self) -> &str {
        self.name
    }

    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let key = self.keys.next_key();
        let data = Some((&**data, Order::KeyFirst));
        self.execute(&self.sql.insert, &key, data, Operation::Create)
            .await?;
        Ok(key)
    }

    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let op = Operation::Load;
        let pool = self.pool(op).await?;
        let sql = &self.sql.load;
        macro_rules! text {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(key)
                    .fetch_optional($pool)
                    .await
                    .and_then(|row| row.map(|r| r.try_get::<String, _>(0)).transpose())
            };
        }
        let text = match pool {
            Pool::Sqlite(pool) => text!(pool),
            Pool::Postgres(pool) => text!(pool),
            Pool::MySql(pool) => text!(pool),
        }
        .map_err(sql_error(self.name, op))?;
        let Some(text) = text else {
            return Ok(None);
        };
        let data = Codec::Json
            .decode(&text)
            .map_err(|e| BaselineError::Decode {
                engine: self.name,
                operation: op,
                reason: e.to_string(),
            })?;
        Ok(Some(Arc::new(data)))
    }

    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        let data = Some((&**data, Order::KeyLast));
        self.execute(&self.sql.update, key, data, Operation::Save)
            .await?;
        Ok(key.to_owned())
    }

    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        self.execute(&self.sql.delete, key, None, Operation::Delete)
            .await
    }
}
