//! Raw SQL on a store's own connections, for the testing harness: the
//! dialect, statements with text parameters, and parameterless batches.

use session_core::{Operation, Result};

use super::{DbStore, Engine};

impl DbStore {
    /// The SQL dialect of the store's database: `"sqlite"`, `"postgres"` or `"mysql"`.
    pub(crate) fn dialect(&self) -> &'static str {
        match &self.inner.engine {
            Engine::Lite(_) => "sqlite",
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            Engine::Pooled(pooled) => pooled.dialect(),
        }
    }

    /// Runs raw SQL (`?` placeholders, text parameters; the table quoted
    /// with `"` is requoted for MySQL by the caller) on one pooled
    /// connection, for tests and the harness.
    pub(crate) async fn execute_raw(&self, sql: String, params: Vec<String>) -> Result<usize> {
        #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
        if let Some(pooled) = self.pooled(Operation::Save).await? {
            let changed = pooled
                .execute(&sql, &params)
                .await
                .map_err(|e| e.into_core(Operation::Save))?;
            return Ok(usize::try_from(changed).unwrap_or(usize::MAX));
        }
        self.blocking(Operation::Save, move |inner| {
            let params: Vec<&dyn rusqlite::ToSql> =
                params.iter().map(|p| p as &dyn rusqlite::ToSql).collect();
            inner.lite().execute(&sql, &params)
        })
        .await
    }

    /// Runs `sql` (statements without parameters whose rows are ignored,
    /// such as a `PRAGMA`) on one pooled connection of the embedded engine.
    pub(crate) async fn execute_batch_raw(&self, sql: String) -> Result<()> {
        assert!(
            self.inner.engine.lite().is_some(),
            "the embedded SQLite engine only"
        );
        self.blocking(Operation::Save, move |inner| {
            inner.lite().execute_batch(&sql)
        })
        .await
    }
}
