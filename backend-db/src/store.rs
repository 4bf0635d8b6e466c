//! [`DbStore`]: sessions in Django's `django_session` table.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use session_core::store::insert_with_fresh_key;
use session_core::{
    Capabilities, Codec, CodecError, Error, Operation, Record, Result, SessionKey, SessionStore,
    SharedClock, SharedKeyGenerator,
};
use time::OffsetDateTime;
use tokio::runtime::RuntimeFlavor;

use crate::NAME;
use crate::datetime;
use crate::error::DbError;
use crate::lite::Lite;
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
use crate::pooled::Pooled;

mod open;
#[cfg(feature = "testing")]
mod raw;

/// Sessions in a `django_session` table: one row per session, the key as
/// primary key, `session_data` in the configured [`Codec`], `expire_date`
/// in Django's own format.
///
/// - **create** is one `INSERT`; a unique violation is a collision and
///   another key is drawn (K4). An expired row still holding the key is
///   removed first: it is gone for the contract, only not purged yet.
/// - **save** is one `UPDATE ... WHERE session_key = ? AND expire_date > ?`
///   that must change exactly one row, or the session was interrupted (L1).
/// - **load** and **exists** filter on `expire_date > now` (E5), `now`
///   being the injected clock's time bound as a parameter.
/// - **clear_expired** deletes in bounded batches (L6).
///
/// The embedded SQLite engine runs its blocking calls off the async
/// workers (`block_in_place` on a multi-threaded runtime, `spawn_blocking`
/// on a current-thread one) on a pool of connections, so readers run in
/// parallel under WAL.
///
/// Clones share the same pool.
#[derive(Clone)]
pub struct DbStore {
    inner: Arc<Inner>,
}

/// The engine under a store.
#[derive(Debug)]
enum Engine {
    /// Embedded SQLite on rusqlite.
    Lite(Lite),
    /// A sqlx pool.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    Pooled(Pooled),
}

struct Inner {
    engine: Engine,
    /// Whether the sqlx engine still has to migrate, on its first call.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    migrated: tokio::sync::OnceCell<()>,
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    migrate: bool,
    codec: Codec,
    clock: SharedClock,
    keys: SharedKeyGenerator,
    clear_batch: u32,
    durable: bool,
}

impl DbStore {
    /// Creates the table and its index if missing; on an existing table,
    /// checks that the columns fit and says what is wrong if not.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) naming the
    /// column at fault; engine errors.
    pub async fn migrate(&self) -> Result<()> {
        match &self.inner.engine {
            Engine::Lite(_) => {
                self.blocking(Operation::Open, |inner| inner.lite().migrate())
                    .await
            }
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            Engine::Pooled(pooled) => {
                pooled
                    .migrate()
                    .await
                    .map_err(|e| e.into_core(Operation::Open))?;
                let _ = self.inner.migrated.set(());
                Ok(())
            }
        }
    }

    /// The sqlx engine, migrated once if asked for, or `None` for rusqlite.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    async fn pooled(&self, operation: Operation) -> Result<Option<&Pooled>> {
        let Engine::Pooled(pooled) = &self.inner.engine else {
            return Ok(None);
        };
        if self.inner.migrate {
            self.inner
                .migrated
                .get_or_try_init(|| pooled.migrate())
                .await
                .map_err(|e| e.into_core(operation))?;
        }
        Ok(Some(pooled))
    }

    /// Without a sqlx engine there is never one.
    #[cfg(not(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql")))]
    async fn pooled(&self, _operation: Operation) -> Result<Option<&Never>> {
        Ok(None)
    }

    /// Runs `work` off the async workers: in place with `block_in_place` on
    /// a multi-threaded Tokio runtime, on the blocking pool on a
    /// current-thread one, inline outside Tokio.
    async fn blocking<T, F>(&self, operation: Operation, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, DbError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let outcome = match tokio::runtime::Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| work(&inner))
            }
            Ok(runtime) => runtime
                .spawn_blocking(move || work(&inner))
                .await
                .map_err(DbError::from)
                .and_then(|result| result),
            Err(_) => work(&inner),
        };
        outcome.map_err(|e| e.into_core(operation))
    }
}

impl Engine {
    /// The rusqlite engine, if it is this one.
    fn lite(&self) -> Option<&Lite> {
        match self {
            Engine::Lite(lite) => Some(lite),
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            Engine::Pooled(_) => None,
        }
    }
}

/// Stands for the sqlx engine in a build without one.
#[cfg(not(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql")))]
enum Never {}

impl Inner {
    /// The rusqlite engine; only called on the blocking paths, which only
    /// a rusqlite store takes.
    fn lite(&self) -> &Lite {
        match &self.engine {
            Engine::Lite(lite) => lite,
            #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
            Engine::Pooled(_) => unreachable!("the sqlx engine never runs blocking calls"),
        }
    }

    fn now(&self) -> String {
        datetime::format(self.clock.now())
    }

    /// The record of a row, or `None` (logged as suspicious) when it cannot be read.
    fn decode(&self, data: &str, expire: &str) -> Option<Record> {
        self.decode_at(data, datetime::parse(expire))
    }

    /// [`decode`](Self::decode) with the expiry already read.
    fn decode_at(&self, data: &str, expires_at: Option<OffsetDateTime>) -> Option<Record> {
        let Some(expires_at) = expires_at else {
            suspicious("expire_date is not a date");
            return None;
        };
        match self.codec.decode(data) {
            Ok(data) => Some(Record::new(data, expires_at)),
            // The codec has logged a bad signature itself.
            Err(CodecError::BadSignature(_)) => None,
            Err(_) => {
                suspicious("session_data cannot be decoded");
                None
            }
        }
    }
}

/// Logs a row that cannot be loaded, without its key.
fn suspicious(reason: &'static str) {
    tracing::warn!(target: "session::suspicious", backend = NAME, reason, "session row cannot be loaded; treated as absent");
}

/// Keys are secrets: show only the store's shape.
impl fmt::Debug for DbStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbStore")
            .field("engine", &self.inner.engine)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for DbStore {
    fn name(&self) -> &str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        if self.inner.durable {
            Capabilities::SHARED_DURABLE
        } else {
            Capabilities::IN_PROCESS
        }
    }

    fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        if !key.is_server_key() {
            return Ok(None);
        }
        #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
        if let Some(pooled) = self.pooled(Operation::Load).await? {
            let row = pooled
                .load(key.as_str(), self.inner.clock.now())
                .await
                .map_err(|e| e.into_core(Operation::Load))?;
            return Ok(row.and_then(|(data, at)| self.inner.decode_at(&data, at)));
        }
        let key = key.as_str().to_owned();
        self.blocking(Operation::Load, move |inner| {
            let row = inner.lite().load(&key, &inner.now())?;
            Ok(row.and_then(|(data, expire)| inner.decode(&data, &expire)))
        })
        .await
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Create, NAME)?;
        let data = self
            .inner
            .codec
            .encode(&record.data, self.inner.clock.now());
        #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
        if let Some(pooled) = self.pooled(Operation::Create).await? {
            return insert_with_fresh_key(NAME, &*self.inner.keys, |key| {
                let data = &data;
                async move {
                    pooled
                        .insert(
                            key.as_str(),
                            data,
                            record.expires_at,
                            self.inner.clock.now(),
                        )
                        .await
                        .map_err(|e| e.into_core(Operation::Create))
                }
            })
            .await;
        }
        let expire = datetime::format(record.expires_at);
        insert_with_fresh_key(NAME, &*self.inner.keys, |key| {
            let (data, expire) = (data.clone(), expire.clone());
            async move {
                self.blocking(Operation::Create, move |inner| {
                    inner
                        .lite()
                        .insert(key.as_str(), &data, &expire, &inner.now())
                })
                .await
            }
        })
        .await
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, NAME)?;
        if !key.is_server_key() {
            return Err(Error::interrupted(Operation::Save, NAME));
        }
        let data = self
            .inner
            .codec
            .encode(&record.data, self.inner.clock.now());
        let updated = if let Some(pooled) = self.pooled(Operation::Save).await? {
            updated(pooled, key, &data, record, self.inner.clock.now()).await?
        } else {
            let expire = datetime::format(record.expires_at);
            let owned = key.as_str().to_owned();
            self.blocking(Operation::Save, move |inner| {
                inner.lite().update(&owned, &data, &expire, &inner.now())
            })
            .await?
        };
        if updated {
            Ok(key.clone())
        } else {
            Err(Error::interrupted(Operation::Save, NAME))
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        if !key.is_server_key() {
            return Ok(false);
        }
        #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
        if let Some(pooled) = self.pooled(Operation::Exists).await? {
            return pooled
                .exists(key.as_str(), self.inner.clock.now())
                .await
                .map_err(|e| e.into_core(Operation::Exists));
        }
        let key = key.as_str().to_owned();
        self.blocking(Operation::Exists, move |inner| {
            inner.lite().exists(&key, &inner.now())
        })
        .await
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        if !key.is_server_key() {
            return Ok(());
        }
        #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
        if let Some(pooled) = self.pooled(Operation::Delete).await? {
            return pooled
                .delete(key.as_str())
                .await
                .map_err(|e| e.into_core(Operation::Delete));
        }
        let key = key.as_str().to_owned();
        self.blocking(Operation::Delete, move |inner| inner.lite().delete(&key))
            .await
    }

    async fn clear_expired(&self) -> Result<u64> {
        #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
        if let Some(pooled) = self.pooled(Operation::ClearExpired).await? {
            return pooled
                .clear_expired(self.inner.clock.now(), self.inner.clear_batch)
                .await
                .map_err(|e| e.into_core(Operation::ClearExpired));
        }
        self.blocking(Operation::ClearExpired, |inner| {
            inner.lite().clear_expired(&inner.now(), inner.clear_batch)
        })
        .await
    }
}

/// The sqlx engine's save: true when the live row was replaced.
#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
async fn updated(
    pooled: &Pooled,
    key: &SessionKey,
    data: &str,
    record: &Record,
    now: OffsetDateTime,
) -> Result<bool> {
    pooled
        .update(key.as_str(), data, record.expires_at, now)
        .await
        .map_err(|e| e.into_core(Operation::Save))
}

/// Without a sqlx engine there is nothing to call.
#[cfg(not(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql")))]
async fn updated(
    pooled: &Never,
    _key: &SessionKey,
    _data: &str,
    _record: &Record,
    _now: OffsetDateTime,
) -> Result<bool> {
    match *pooled {}
}
