//! [`ProbeStore`]: a store wrapper that counts calls and can hold a save,
//! for tests of code built on top of a store (the suite, HTTP layers, apps).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use session_core::{Capabilities, Record, Result, SessionKey, SessionStore, SharedClock};
use tokio::sync::Notify;

/// Wraps a store, counts every call that reaches it, and can hold the next
/// `save` until the test releases it, to interleave two requests in a
/// chosen order without sleeping.
#[derive(Debug)]
pub struct ProbeStore<S: ?Sized> {
    inner: Arc<S>,
    calls: AtomicUsize,
    loads: AtomicUsize,
    hold_next_save: AtomicBool,
    save_waiting: Notify,
    release_save: Notify,
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
        })
    }

    /// The wrapped store, to look behind the probe's back.
    pub fn inner(&self) -> &Arc<S> {
        &self.inner
    }

    /// Calls of any method so far (`name`, `capabilities` and `clock` excluded).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Calls of `load` so far.
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

    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
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
        self.tick();
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(key).await
    }
    async fn create(&self, record: &Record) -> Result<SessionKey> {
        self.tick();
        self.inner.create(record).await
    }
    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        self.tick();
        if self.hold_next_save.swap(false, Ordering::SeqCst) {
            self.save_waiting.notify_one();
            self.release_save.notified().await;
        }
        self.inner.save(key, record).await
    }
    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        self.tick();
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<()> {
        self.tick();
        self.inner.delete(key).await
    }
    async fn clear_expired(&self) -> Result<u64> {
        self.tick();
        self.inner.clear_expired().await
    }
}
