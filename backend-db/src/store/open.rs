//! Opening a [`DbStore`]: [`DbConfig::build`] and [`DbConfig::open`].

use std::sync::Arc;

use session_core::{Operation, Result};

use super::{DbStore, Engine, Inner};
use crate::config::{DbConfig, Target};
use crate::error::DbError;
use crate::lite::Lite;
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
use crate::pooled::Pooled;

impl DbConfig {
    /// Opens the database and, unless switched off, migrates the table.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) for a bad
    /// table name, a zero pool size or an incompatible existing table;
    /// [`ErrorKind::Unavailable`](session_core::ErrorKind::Unavailable)
    /// when the database cannot be opened.
    ///
    /// A sqlx engine connects lazily: its pool connects, and the table is
    /// migrated, on the first call. [`open`](Self::open) does both now.
    pub fn build(self) -> Result<DbStore> {
        let open = |e: DbError| e.into_core(Operation::Open);
        if !valid_table(&self.table) {
            return Err(open(DbError::TableName));
        }
        let engine = engine(&self).map_err(open)?;
        let lite_migrate = self.migrate && matches!(engine, Engine::Lite(_));
        let store = DbStore {
            inner: Arc::new(Inner {
                engine,
                #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
                migrated: tokio::sync::OnceCell::new(),
                #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
                migrate: self.migrate,
                codec: self.codec,
                clock: self.clock,
                keys: self.keys,
                clear_batch: self.clear_batch,
                durable: !matches!(self.target, Target::SqliteMemory),
            }),
        };
        if let (true, Some(lite)) = (lite_migrate, store.inner.engine.lite()) {
            lite.migrate().map_err(open)?;
        }
        Ok(store)
    }

    /// [`build`](Self::build), then connects and migrates at once (unless
    /// migration is switched off), so a wrong URL or table fails here.
    ///
    /// # Errors
    /// As [`build`](Self::build), and engine errors of the first connection.
    pub async fn open(self) -> Result<DbStore> {
        let migrate = self.migrate;
        let store = self.build()?;
        if migrate {
            store.migrate().await?;
        }
        Ok(store)
    }
}

/// The engine `config` names: rusqlite unless sqlx is asked for.
fn engine(config: &DbConfig) -> Result<Engine, DbError> {
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    if let Some(pool) = crate::connect::sqlx_pool(config)? {
        return Ok(Engine::Pooled(Pooled::new(
            pool,
            &config.table,
            config.timeout,
        )));
    }
    Ok(Engine::Lite(Lite::open(config)?))
}

/// 1 to 63 ASCII letters, digits or `_`, not starting with a digit: safe
/// to quote into SQL on every engine.
fn valid_table(table: &str) -> bool {
    (1..=63).contains(&table.len())
        && table
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !table.as_bytes()[0].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use session_core::ErrorKind;

    use super::valid_table;
    use crate::DbConfig;

    #[test]
    fn table_names_are_safe_to_quote() {
        for good in ["django_session", "s", "_t", "T1_x"] {
            assert!(valid_table(good), "{good}");
        }
        let long = "t".repeat(64);
        for bad in ["", "1t", "a-b", "a\"b", "a b", "ñ", long.as_str()] {
            assert!(!valid_table(bad), "{bad}");
        }
        assert!(valid_table(&"t".repeat(63)));
        let err = DbConfig::sqlite_memory()
            .with_table("sessions; DROP TABLE x")
            .build()
            .expect_err("an unsafe table name");
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
