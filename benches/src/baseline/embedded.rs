//! The embedded SQLite baseline: rusqlite through the same r2d2 pool of
//! WAL connections the db store uses, one cached prepared statement per
//! operation, by primary key, on Django's table in a private temporary file.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::OptionalExtension;
use session_core::time::OffsetDateTime;
use session_core::{Codec, Data, Operation};
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::baseline::api::{Baseline, BaselineError, Counter};

const ENGINE: &str = "rusqlite";

/// The `expire_date` every row gets: the baseline never expires anything.
const EXPIRES: &str = "2099-01-01 00:00:00";

/// Django's SQLite DDL, as the db store creates it.
const DDL: &str = "CREATE TABLE \"django_session\" (\"session_key\" varchar(40) NOT NULL PRIMARY KEY, \
     \"session_data\" text NOT NULL, \"expire_date\" datetime NOT NULL);\n\
     CREATE INDEX \"django_session_expire_date_a5c62663\" ON \"django_session\" (\"expire_date\");";

/// The db store's embedded engine alone: a pool of four rusqlite
/// connections (WAL, `synchronous=NORMAL`, a 5 s busy timeout, as the
/// store's defaults), each statement prepared once per connection and
/// cached, by primary key (`SELECT session_data, expire_date`, `INSERT`,
/// `UPDATE`, `DELETE`), and the JSON codec's encoding and decoding of the
/// same bytes. Blocking calls run as the store runs them (`block_in_place`
/// on a multi-threaded Tokio runtime). Not done here and done by the
/// store: the expiry filter and its clock, the collision retry of create,
/// the one-row check of save, the key's validation.
#[derive(Debug)]
pub struct RusqliteBaseline {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: Pool<SqliteConnectionManager>,
    keys: Counter,
    _dir: tempfile::TempDir,
}

fn sqlite_error(operation: Operation) -> impl FnOnce(rusqlite::Error) -> BaselineError {
    move |e| BaselineError::Sql {
        engine: ENGINE,
        operation,
        source: Box::new(e),
    }
}

fn pool_error(operation: Operation) -> impl FnOnce(r2d2::Error) -> BaselineError {
    move |e| BaselineError::Sql {
        engine: ENGINE,
        operation,
        source: Box::new(e),
    }
}

impl RusqliteBaseline {
    /// A baseline on a new database file in a private temporary directory,
    /// removed when it is dropped.
    ///
    /// # Errors
    /// When the directory, the database or its table cannot be made.
    pub fn new() -> Result<Self, BaselineError> {
        let op = Operation::Open;
        let mut builder = tempfile::Builder::new();
        builder.prefix("session-bench-sqlite-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir().map_err(|source| BaselineError::Io {
            engine: ENGINE,
            operation: op,
            action: "making the directory",
            source,
        })?;
        let manager =
            SqliteConnectionManager::file(dir.path().join("bench.sqlite3")).with_init(|conn| {
                conn.busy_timeout(Duration::from_secs(5))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")
            });
        let pool = Pool::builder()
            .max_size(4)
            .test_on_check_out(false)
            .min_idle(Some(1))
            .idle_timeout(None)
            .max_lifetime(None)
            .build(manager)
            .map_err(pool_error(op))?;
        pool.get()
            .map_err(pool_error(op))?
            .execute_batch(DDL)
            .map_err(sqlite_error(op))?;
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                keys: Counter::default(),
                _dir: dir,
            }),
        })
    }

    async fn blocking<T, F>(&self, work: F) -> Result<T, BaselineError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, BaselineError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| work(&inner))
            }
            Ok(runtime) => match runtime.spawn_blocking(move || work(&inner)).await {
                Ok(result) => result,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            },
            Err(_) => work(&inner),
        }
    }
}

impl Inner {
    /// Runs one cached statement with `params`: the rows changed.
    fn execute(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        operation: Operation,
    ) -> Result<usize, BaselineError> {
        let conn = self.pool.get().map_err(pool_error(operation))?;
        let mut stmt = conn.prepare_cached(sql).map_err(sqlite_error(operation))?;
        stmt.execute(params).map_err(sqlite_error(operation))
    }
}

fn encode(data: &Data) -> String {
    Codec::Json.encode(data, OffsetDateTime::UNIX_EPOCH)
}

#[async_trait]
impl Baseline for RusqliteBaseline {
    fn name(&self) -> &str {
        "rusqlite prepared SELECT/INSERT/UPDATE/DELETE by primary key"
    }

    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let data = Arc::clone(data);
        self.blocking(move |inner| {
            let key = inner.keys.next_key();
            inner.execute(
                "INSERT INTO \"django_session\" (session_key, session_data, expire_date) VALUES (?1, ?2, ?3)",
                (&key, encode(&data), EXPIRES),
                Operation::Create,
            )?;
            Ok(key)
        })
        .await
    }

    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let key = key.to_owned();
        self.blocking(move |inner| {
            let op = Operation::Load;
            let conn = inner.pool.get().map_err(pool_error(op))?;
            let mut stmt = conn
                .prepare_cached(
                    "SELECT session_data, expire_date FROM \"django_session\" WHERE session_key = ?1",
                )
                .map_err(sqlite_error(op))?;
            let text: Option<String> = stmt
                .query_row([&key], |row| row.get(0))
                .optional()
                .map_err(sqlite_error(op))?;
            let Some(text) = text else {
                return Ok(None);
            };
            let data = Codec::Json.decode(&text).map_err(|e| BaselineError::Decode {
                engine: ENGINE,
                operation: op,
                reason: e.to_string(),
            })?;
            Ok(Some(Arc::new(data)))
        })
        .await
    }

    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        let (key, data) = (key.to_owned(), Arc::clone(data));
        self.blocking(move |inner| {
            inner.execute(
                "UPDATE \"django_session\" SET session_data = ?1, expire_date = ?2 WHERE session_key = ?3",
                (encode(&data), EXPIRES, &key),
                Operation::Save,
            )?;
            Ok(key)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        let key = key.to_owned();
        self.blocking(move |inner| {
            inner.execute(
                "DELETE FROM \"django_session\" WHERE session_key = ?1",
                [&key],
                Operation::Delete,
            )?;
            Ok(())
        })
        .await
    }
}
