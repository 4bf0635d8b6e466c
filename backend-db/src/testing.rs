//! The conformance harness of the db store, behind the `testing` feature.
//!
//! ```toml
//! [dev-dependencies]
//! session-backend-db = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Then `session_conformance::suite!(session_backend_db::testing::DbHarness::default());`
//! runs the whole suite on an embedded SQLite file, and
//! `session_conformance::run` runs it from a program (the `session-stores`
//! catalog builds the harness from a URL).

use std::path::PathBuf;

use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

use crate::NAME;
use crate::config::{DbConfig, Target};
use crate::store::DbStore;

/// Opens db stores on the suite's clock and key generator, one table per
/// check: `<table>_<namespace>`. On a SQLite file given to [`new`](Self::new)
/// every check shares the file and opening the same namespace twice gives two stores over one
/// table, as two processes would have; the table is dropped when the
/// check ends. An in-memory database is new at every open (the store says
/// it is not durable, so the suite skips the reopen checks).
#[derive(Debug, Clone)]
pub struct DbHarness {
    name: &'static str,
    /// The environment variable holding the server's URL, for a server harness.
    server_env: Option<&'static str>,
    config: DbConfig,
    /// When set, each check gets its own SQLite file in this directory,
    /// removed by `cleanup`.
    file_per_check: Option<PathBuf>,
}

/// One SQLite file per check, `session-db-<namespace>.sqlite3` in the
/// system temp directory, with the default options; `cleanup` removes it.
impl Default for DbHarness {
    fn default() -> Self {
        Self {
            name: NAME,
            server_env: None,
            config: DbConfig::sqlite_memory(),
            file_per_check: Some(std::env::temp_dir()),
        }
    }
}

impl DbHarness {
    /// A harness opening stores with `config` (its database, codec and
    /// options; its table name is the prefix of the per-check tables).
    /// The clock and key generator are always the suite's.
    pub fn new(config: DbConfig) -> Self {
        Self {
            name: NAME,
            server_env: None,
            config,
            file_per_check: None,
        }
    }

    /// Like [`default`](Self::default), through sqlx's SQLite driver.
    #[cfg(feature = "sqlx-sqlite")]
    pub fn sqlx_sqlite() -> Self {
        let mut harness = Self::default();
        harness.config = harness.config.with_sqlx_sqlite();
        harness
    }

    /// Like [`memory`](Self::memory), through sqlx's SQLite driver.
    #[cfg(feature = "sqlx-sqlite")]
    pub fn sqlx_sqlite_memory() -> Self {
        Self::new(DbConfig::sqlite_memory().with_sqlx_sqlite())
    }

    /// PostgreSQL at the URL in `SESSION_TEST_POSTGRES_URL`, read when a
    /// check opens a store; skipped (reported as `postgres`) when unset.
    #[cfg(feature = "postgres")]
    pub fn postgres() -> Self {
        Self::server("postgres", "SESSION_TEST_POSTGRES_URL")
    }

    /// MySQL or MariaDB at the URL in `SESSION_TEST_MYSQL_URL`, read when a
    /// check opens a store; skipped (reported as `mysql`) when unset.
    #[cfg(feature = "mysql")]
    pub fn mysql() -> Self {
        Self::server("mysql", "SESSION_TEST_MYSQL_URL")
    }

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn server(name: &'static str, var: &'static str) -> Self {
        Self {
            name,
            server_env: Some(var),
            config: DbConfig::sqlite_memory(),
            file_per_check: None,
        }
    }

    /// The configuration of `ctx`'s stores, or why there is none here.
    fn configured(&self, ctx: &Ctx) -> Result<DbConfig, Skip> {
        let Some(var) = self.server_env else {
            return Ok(self.config(ctx));
        };
        let url =
            session_conformance::env_url(var).ok_or_else(|| Skip(format!("{var} is not set")))?;
        let config = DbConfig::from_url(&url, None)
            .unwrap_or_else(|e| panic!("{var} is not a usable URL: {e}"));
        Ok(config
            .with_table(self.table(ctx))
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone()))
    }

    /// The SQLite file of `ctx`'s check, when the harness makes one per check.
    fn file(&self, ctx: &Ctx) -> Option<PathBuf> {
        let dir = self.file_per_check.as_ref()?;
        Some(dir.join(format!("session-db-{}.sqlite3", ctx.namespace)))
    }

    /// An in-memory SQLite database at every open.
    pub fn memory() -> Self {
        Self::new(DbConfig::sqlite_memory())
    }

    /// The table the stores of `ctx` use.
    pub fn table(&self, ctx: &Ctx) -> String {
        format!("{}_{}", self.config.table(), ctx.namespace)
    }

    fn config(&self, ctx: &Ctx) -> DbConfig {
        let config = match self.file(ctx) {
            Some(path) => self.config.clone().with_target(Target::SqliteFile(path)),
            None => self.config.clone(),
        };
        config
            .with_table(self.table(ctx))
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone())
    }
}

#[session_conformance::async_trait]
impl Harness for DbHarness {
    type Store = DbStore;

    fn name(&self) -> &'static str {
        self.name
    }

    async fn open(&self, ctx: &Ctx) -> Result<DbStore, Skip> {
        let store = self.configured(ctx)?.open().await;
        Ok(store.unwrap_or_else(|e| panic!("the harness's db could not be opened: {e}")))
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        let Ok(config) = self.configured(ctx) else {
            return Corruption::NotApplicable("the server is not configured");
        };
        if config.target == Target::SqliteMemory {
            return Corruption::NotApplicable("each open is a new in-memory database");
        }
        let store = self.open(ctx).await.expect("opened before");
        let sql = format!(
            "UPDATE {} SET session_data = 'not session data' WHERE session_key = ?",
            quoted(&store, &self.table(ctx))
        );
        let changed = store
            .execute_raw(sql, vec![key.as_str().to_owned()])
            .await
            .expect("corrupting the row");
        assert_eq!(changed, 1, "the row to corrupt exists");
        Corruption::Done
    }

    async fn cleanup(&self, ctx: &Ctx) {
        if let Some(path) = self.file(ctx) {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = path.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(name);
            }
            return;
        }
        let Ok(config) = self.configured(ctx) else {
            return;
        };
        if config.target == Target::SqliteMemory {
            return;
        }
        let store = config
            .with_migrate_on_open(false)
            .build()
            .expect("reopening the db");
        let sql = format!("DROP TABLE IF EXISTS {}", quoted(&store, &self.table(ctx)));
        store
            .execute_raw(sql, Vec::new())
            .await
            .expect("dropping the table");
    }
}

/// Caps the embedded SQLite database of `store` at its current size
/// (`PRAGMA max_page_count`), so that a write needing one more page fails
/// with `SQLITE_FULL`, as on a full disk. The cap is kept by a connection,
/// so give the store one (`with_pool_size(1)`).
///
/// # Panics
/// When `store` runs on a sqlx engine.
pub async fn fill_disk(store: &DbStore) -> session_core::Result<()> {
    store
        .execute_batch_raw("PRAGMA max_page_count = 1".to_owned())
        .await
}

/// `table` quoted for the store's database.
fn quoted(store: &DbStore, table: &str) -> String {
    if store.dialect() == "mysql" {
        format!("`{table}`")
    } else {
        format!("\"{table}\"")
    }
}
