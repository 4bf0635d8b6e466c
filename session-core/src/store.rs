//! The [`SessionStore`] trait: the contract every backend implements.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;

use crate::capability::Capabilities;
use crate::clock::SharedClock;
use crate::error::{Error, ErrorKind, Operation, Result};
use crate::key::{KeyGenerator, SessionKey};
use crate::record::Record;

/// How many fresh keys [`insert_with_fresh_key`] draws before it gives up
/// with [`ErrorKind::KeyCollision`] (rule K4). With 165-bit keys a single
/// collision is already a sign of a broken generator.
pub const CREATE_ATTEMPTS: usize = 10;

/// A place where sessions are kept: memory, a database, files, Redis, or the
/// client's cookie.
///
/// This is the contract for backend authors. Applications rarely call it
/// directly: they use the [`Session`](crate::Session) handle, which calls
/// these methods at most once per request for loading (D4) and turns the
/// results into Django's semantics. The conformance suite
/// (`session-conformance`) checks every rule listed here against a store.
///
/// # Contract
///
/// - **Keys (K1, K2).** Server-side stores accept only keys for which
///   [`SessionKey::is_server_key`] holds. Any other key is unknown: `load`
///   returns `None`, `exists` false, `delete` succeeds, and `save` fails as
///   interrupted, all without touching the engine. Stores generate keys with
///   their [`KeyGenerator`] and never adopt a key a client chose (K3).
/// - **Expiry (E5).** Every time comparison uses [`SessionStore::clock`]. A
///   record is live while `expires_at > now`; a store never returns, counts as
///   existing, or updates a record that is not live, even if the engine still
///   holds it. Engine-native expiry (TTL, moka eviction) only frees space.
/// - **Data (D1).** The data of a record round-trips exactly: what `load`
///   returns equals what was saved. A server-side store also returns the
///   saved `expires_at` to the microsecond. A client-side store, whose
///   format may have no room for it, derives `expires_at` from the data's
///   `_session_expiry` and its configured age, counted from when the value
///   was signed.
/// - **Errors (R1, R2).** Engine failures are [`Error`]s naming the backend
///   and operation, never panics. A record that cannot be decoded loads as
///   `None` and is logged on target `session::suspicious`. A failed `create`
///   or `save` leaves the previous record intact.
///
/// # Clones and sharing
///
/// Stores are shared behind `Arc<dyn SessionStore>` by many requests at once;
/// every method must be safe to call concurrently, and the atomicity each
/// method promises must hold across processes when
/// [`Capabilities::shared_across_processes`] is set.
#[async_trait]
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    /// The backend's short name, used in errors and reports (`"memory"`, `"redis"`).
    fn name(&self) -> &str;

    /// What this store supports.
    fn capabilities(&self) -> Capabilities;

    /// The clock this store judges expiry by. The [`Session`](crate::Session)
    /// handle uses the same clock to compute expiry dates.
    fn clock(&self) -> &SharedClock;

    /// The live record stored under `key`, or `None`.
    ///
    /// # Behaviour
    /// - `None` for a key the store cannot hold (K2), a missing record, an
    ///   expired record (E5), or one that cannot be decoded (R1, K3).
    /// - Never creates or extends a record.
    ///
    /// # Errors
    /// Only when the engine fails; never for a missing or bad record.
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>>;

    /// Stores `record` under a fresh key and returns that key.
    ///
    /// # Behaviour
    /// - Atomic insert-if-absent: an existing live record is never
    ///   overwritten. On a collision another key is drawn, up to
    ///   [`CREATE_ATTEMPTS`] times (K4); see [`insert_with_fresh_key`].
    /// - A client-side store returns the encoded record as the key.
    /// - Data nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) is refused
    ///   before anything is written ([`Record::check_depth`], D1).
    ///
    /// # Errors
    /// [`ErrorKind::KeyCollision`] when every attempt collided;
    /// [`ErrorKind::TooLarge`] when the record cannot be stored;
    /// [`ErrorKind::Serialization`] when it is nested too deep; engine errors.
    async fn create(&self, record: &Record) -> Result<SessionKey>;

    /// Replaces the live record stored under `key` and returns the key under
    /// which it can be found from now on (the same key for server-side
    /// stores; the new encoded record for a client-side store).
    ///
    /// # Behaviour
    /// - Atomic update-if-present: when no live record exists under `key` (it
    ///   was deleted, flushed, expired or cleared, or `key` is not a key of
    ///   this store) nothing is written (L1). There is no window in which a
    ///   concurrent delete can be undone.
    /// - Two saves of one key race as whole records: the last one written
    ///   wins and a load never sees a mix of the two (R2). Like Django,
    ///   there is no merge and no optimistic version check, so one
    ///   request's changes can replace another's made at the same time.
    /// - Data nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) is refused
    ///   before anything is written ([`Record::check_depth`], D1).
    ///
    /// # Errors
    /// [`ErrorKind::Interrupted`] when the record is gone (server-side stores);
    /// [`ErrorKind::TooLarge`]; [`ErrorKind::Serialization`] when it is
    /// nested too deep; engine errors, after which the previous record is
    /// intact (R2).
    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey>;

    /// True iff a live record is stored under `key` (L5). Always false for a
    /// client-side store.
    async fn exists(&self, key: &SessionKey) -> Result<bool>;

    /// Removes the record under `key`. A missing record, or a key the store
    /// cannot hold, is not an error (L4). A no-op for a client-side store.
    async fn delete(&self, key: &SessionKey) -> Result<()>;

    /// Removes every expired record and no live one (L6) and returns how many
    /// were removed, where the engine can tell. Returns `Ok(0)` without doing
    /// anything when [`Capabilities::clear_expired`] is false.
    async fn clear_expired(&self) -> Result<u64>;
}

/// An `Arc` of a store is a store, so `Arc<dyn SessionStore>` can be passed
/// wherever a generic store is expected (caching wrappers, the suite).
#[async_trait]
impl<S: SessionStore + ?Sized> SessionStore for Arc<S> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn clock(&self) -> &SharedClock {
        (**self).clock()
    }
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        (**self).load(key).await
    }
    async fn create(&self, record: &Record) -> Result<SessionKey> {
        (**self).create(record).await
    }
    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        (**self).save(key, record).await
    }
    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        (**self).exists(key).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<()> {
        (**self).delete(key).await
    }
    async fn clear_expired(&self) -> Result<u64> {
        (**self).clear_expired().await
    }
}

/// The create loop every server-side store shares (K4).
///
/// Draws a key from `keys` and calls `try_insert` with it, which must insert
/// atomically only if no live record holds the key and answer `Ok(true)`, or
/// answer `Ok(false)` when the key is taken. Gives up after
/// [`CREATE_ATTEMPTS`] collisions with [`ErrorKind::KeyCollision`]; an error
/// from `try_insert` ends the loop at once.
pub async fn insert_with_fresh_key<F, Fut>(
    backend: &str,
    keys: &dyn KeyGenerator,
    mut try_insert: F,
) -> Result<SessionKey>
where
    F: FnMut(SessionKey) -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    for _ in 0..CREATE_ATTEMPTS {
        let key = keys.generate();
        if try_insert(key.clone()).await? {
            return Ok(key);
        }
        tracing::warn!(target: "session::store", backend, "generated session key already in use; drawing another");
    }
    Err(Error::new(
        ErrorKind::KeyCollision,
        Operation::Create,
        backend.to_owned(),
    )
    .with_context(format!(
        "{CREATE_ATTEMPTS} generated keys were all taken; the key generator or the store is broken"
    )))
}
