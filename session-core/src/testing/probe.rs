//! [`ProbeStore`]: a store wrapper that counts calls, can hold a save and can
//! make chosen operations fail, for tests of code built on top of a store
//! (the suite, HTTP layers, apps).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::{
    CacheTier, Cached, Capabilities, Error, ErrorKind, Operation, Record, Result, SessionKey,
    SessionStore, SharedClock,
};
use async_trait::async_trait;
use tokio::sync::Notify;

/// How long an injected failure lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failing {
    /// The next call of the operation fails, later ones go through.
    Once,
    /// Every call fails until [`ProbeStore::clear_failures`].
    UntilCleared,
}

/// Wraps a store, counts every call that reaches it, can hold the next
/// `save` until the test releases it, to interleave two requests in a
/// chosen order without sleeping, and can make an operation fail as a dead
/// server would ([`fail_next`](Self::fail_next),
/// [`fail_until_cleared`](Self::fail_until_cleared)).
#[derive(Debug)]
pub struct ProbeStore<S: ?Sized> {
    inner: Arc<S>,
    calls: AtomicUsize,
    loads: AtomicUsize,
    hold_next_save: AtomicBool,
    save_waiting: Notify,
    release_save: Notify,
    failing: Mutex<Vec<(Operation, Failing)>>,
    injected: AtomicUsize,
}

impl<S: ?Sized> ProbeStore<S> {
    /// The context of every injected error (its message ends with it), so a
    /// test can check that no response echoes it.
    pub const INJECTED_CONTEXT: &'static str = "failure injected by ProbeStore";
}

impl<S: SessionStore + ?Sized> ProbeStore<S> {
    /// A probe around `inner`, counting from zero.
    pub fn new(inner: Arc<S>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            calls: AtomicUsize::new(0),
            loads: AtomicUsize::new(0),
            hold_next_save: AtomicBool::new(false),
            save_waiting: Notify::new(),
            release_save: Notify::new(),
            failing: Mutex::new(Vec::new()),
            injected: AtomicUsize::new(0),
        })
    }

    /// The wrapped store, to look behind the probe's back.
    pub fn inner(&self) -> &Arc<S> {
        &self.inner
    }

    /// Calls of any method so far (`name`, `capabilities` and `clock`
    /// excluded), failed ones included.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Calls of `load` so far, failed ones included.
    pub fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }

    /// Makes the next `save` wait, once it has started, until [`release_save`](Self::release_save).
    pub fn hold_next_save(&self) {
        self.hold_next_save.store(true, Ordering::SeqCst);
    }

    /// Waits until a held `save` has started.
    pub async fn held_save_started(&self) {
        self.save_waiting.notified().await;
    }

    /// Lets a held `save` go on.
    pub fn release_save(&self) {
        self.release_save.notify_one();
    }

    /// Makes the next call of `operation` (one of `Load`, `Create`, `Save`,
    /// `Exists`, `Delete`, `ClearExpired`) fail; later calls go through.
    ///
    /// The failing call is counted, never reaches the wrapped store, and
    /// returns an [`Error`] of kind [`ErrorKind::Storage`] for that
    /// operation and the wrapped store's name, marked temporary, with
    /// context [`INJECTED_CONTEXT`](Self::INJECTED_CONTEXT). A failing `save`
    /// fails at once, without waiting for [`hold_next_save`](Self::hold_next_save).
    /// Arming an operation again replaces its previous setting. Arming any
    /// other [`Operation`] (a handle-level one such as `Insert`) has no
    /// effect: the store never performs it.
    pub fn fail_next(&self, operation: Operation) {
        self.arm(operation, Failing::Once);
    }

    /// Makes every call of `operation` fail, as [`fail_next`](Self::fail_next)
    /// describes, until [`clear_failures`](Self::clear_failures).
    pub fn fail_until_cleared(&self, operation: Operation) {
        self.arm(operation, Failing::UntilCleared);
    }

    /// Disarms every injected failure, one-shot or lasting.
    pub fn clear_failures(&self) {
        self.failing().clear();
    }

    /// How many calls have failed by injection so far.
    pub fn injected_failures(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }

    fn arm(&self, operation: Operation, how: Failing) {
        let mut failing = self.failing();
        failing.retain(|(op, _)| *op != operation);
        failing.push((operation, how));
    }

    fn failing(&self) -> std::sync::MutexGuard<'_, Vec<(Operation, Failing)>> {
        // A plain list, consistent after every statement.
        self.failing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call of `operation` and returns the injected error, if one
    /// is armed for it.
    fn enter(&self, operation: Operation) -> Result<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let armed = {
            let mut failing = self.failing();
            match failing.iter().position(|(op, _)| *op == operation) {
                Some(i) => {
                    if failing[i].1 == Failing::Once {
                        failing.remove(i);
                    }
                    true
                }
                None => false,
            }
        };
        if !armed {
            return Ok(());
        }
        self.injected.fetch_add(1, Ordering::SeqCst);
        Err(
            Error::new(ErrorKind::Storage, operation, self.inner.name().to_owned())
                .with_context(Self::INJECTED_CONTEXT)
                .set_temporary(true),
        )
    }
}

#[async_trait]
impl<S: SessionStore + ?Sized> SessionStore for ProbeStore<S> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn clock(&self) -> &SharedClock {
        self.inner.clock()
    }
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.enter(Operation::Load)?;
        self.inner.load(key).await
    }
    async fn create(&self, record: &Record) -> Result<SessionKey> {
        self.enter(Operation::Create)?;
        self.inner.create(record).await
    }
    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        self.enter(Operation::Save)?;
        if self.hold_next_save.swap(false, Ordering::SeqCst) {
            self.save_waiting.notify_one();
            self.release_save.notified().await;
        }
        self.inner.save(key, record).await
    }
    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        self.enter(Operation::Exists)?;
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<()> {
        self.enter(Operation::Delete)?;
        self.inner.delete(key).await
    }
    async fn clear_expired(&self) -> Result<u64> {
        self.enter(Operation::ClearExpired)?;
        self.inner.clear_expired().await
    }
}

/// A probe around a cache tier is a cache tier, so a two-tier store can be
/// tested with a failing cache: [`get`](CacheTier::get) counts and fails as
/// a `Load`, [`put`](CacheTier::put) as a `Save` (without holding it), and
/// [`remove`](CacheTier::remove) as a `Delete`.
#[async_trait]
impl<S: SessionStore + CacheTier + ?Sized> CacheTier for ProbeStore<S> {
    async fn get(&self, key: &SessionKey) -> Result<Option<Cached>> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.enter(Operation::Load)?;
        CacheTier::get(&*self.inner, key).await
    }
    async fn put(&self, key: &SessionKey, cached: Cached) -> Result<()> {
        self.enter(Operation::Save)?;
        CacheTier::put(&*self.inner, key, cached).await
    }
    async fn remove(&self, key: &SessionKey) -> Result<()> {
        self.enter(Operation::Delete)?;
        CacheTier::remove(&*self.inner, key).await
    }
    fn shared_across_processes(&self) -> bool {
        CacheTier::shared_across_processes(&*self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Data, MemoryStore};

    fn record() -> Record {
        let mut data = Data::new();
        data.insert("user".into(), "alice".into());
        Record {
            data: Arc::new(data),
            expires_at: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    fn assert_injected(err: &Error, operation: Operation) {
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert_eq!(err.operation(), operation);
        assert_eq!(err.backend(), "memory");
        assert!(err.is_temporary());
        assert!(
            err.to_string()
                .ends_with(ProbeStore::<MemoryStore>::INJECTED_CONTEXT),
            "{err}"
        );
    }

    #[tokio::test]
    async fn fail_next_fails_one_call_of_that_operation_only() {
        let probe = ProbeStore::new(Arc::new(MemoryStore::new()));
        let key = probe.create(&record()).await.unwrap();

        probe.fail_next(Operation::Load);
        // Other operations are not affected.
        assert!(probe.exists(&key).await.unwrap());
        let err = probe.load(&key).await.unwrap_err();
        assert_injected(&err, Operation::Load);
        assert_eq!(probe.loads(), 1, "a failed load is counted");
        assert!(probe.load(&key).await.unwrap().is_some(), "one-shot");
        assert_eq!(probe.injected_failures(), 1);
        assert_eq!(probe.calls(), 4);
    }

    #[tokio::test]
    async fn a_failing_call_never_reaches_the_store() {
        let probe = ProbeStore::new(Arc::new(MemoryStore::new()));
        let key = probe.create(&record()).await.unwrap();

        probe.fail_next(Operation::Create);
        assert_injected(
            &probe.create(&record()).await.unwrap_err(),
            Operation::Create,
        );
        assert_eq!(probe.inner().len(), 1, "nothing created");

        probe.fail_next(Operation::Save);
        let mut changed = record();
        changed.data = Arc::new(Data::new());
        assert_injected(
            &probe.save(&key, &changed).await.unwrap_err(),
            Operation::Save,
        );
        let stored = probe.inner().load(&key).await.unwrap().unwrap();
        assert_eq!(stored.data, record().data, "the stored record is unchanged");

        probe.fail_next(Operation::Delete);
        assert_injected(&probe.delete(&key).await.unwrap_err(), Operation::Delete);
        assert!(probe.inner().exists(&key).await.unwrap(), "not deleted");

        probe.fail_next(Operation::Exists);
        assert_injected(&probe.exists(&key).await.unwrap_err(), Operation::Exists);
        probe.fail_next(Operation::ClearExpired);
        assert_injected(
            &probe.clear_expired().await.unwrap_err(),
            Operation::ClearExpired,
        );
        assert_eq!(probe.injected_failures(), 5);
    }

    #[tokio::test]
    async fn fail_until_cleared_lasts_until_cleared() {
        let probe = ProbeStore::new(Arc::new(MemoryStore::new()));
        let key = probe.create(&record()).await.unwrap();
        probe.fail_until_cleared(Operation::Save);
        probe.fail_next(Operation::Delete);
        for _ in 0..3 {
            assert_injected(
                &probe.save(&key, &record()).await.unwrap_err(),
                Operation::Save,
            );
        }
        probe.clear_failures();
        probe.save(&key, &record()).await.unwrap();
        probe.delete(&key).await.unwrap();
        assert_eq!(probe.injected_failures(), 3);
    }

    #[tokio::test]
    async fn arming_again_replaces_the_setting() {
        let probe = ProbeStore::new(Arc::new(MemoryStore::new()));
        let key = probe.create(&record()).await.unwrap();
        probe.fail_until_cleared(Operation::Load);
        probe.fail_next(Operation::Load);
        assert!(probe.load(&key).await.is_err());
        assert!(probe.load(&key).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_failing_save_does_not_consume_the_hold() {
        let probe = ProbeStore::new(Arc::new(MemoryStore::new()));
        let key = probe.create(&record()).await.unwrap();
        probe.hold_next_save();
        probe.fail_next(Operation::Save);
        assert!(probe.save(&key, &record()).await.is_err());
        let saving = {
            let probe = Arc::clone(&probe);
            let key = key.clone();
            tokio::spawn(async move { probe.save(&key, &record()).await })
        };
        probe.held_save_started().await;
        probe.release_save();
        saving.await.unwrap().unwrap();
    }
}
