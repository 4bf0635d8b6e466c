//! D4: a session touches the store lazily, and loads at most once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use serde_json::json;
use session_core::{Capabilities, Expiry, Record, Result, SessionKey, SessionStore, SharedClock};

use crate::cx::{Checked, Cx, Expect, ensure_eq, session};
use crate::harness::Harness;
use crate::report::Outcome;

/// A store that counts the calls made to the store it wraps.
#[derive(Debug)]
struct Counting<S> {
    inner: Arc<S>,
    loads: AtomicUsize,
    calls: AtomicUsize,
}

impl<S> Counting<S> {
    fn new(inner: Arc<S>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            loads: AtomicUsize::new(0),
            calls: AtomicUsize::new(0),
        })
    }
    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl<S: SessionStore> SessionStore for Counting<S> {
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
        self.count();
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(key).await
    }
    async fn create(&self, record: &Record) -> Result<SessionKey> {
        self.count();
        self.inner.create(record).await
    }
    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        self.count();
        self.inner.save(key, record).await
    }
    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        self.count();
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<()> {
        self.count();
        self.inner.delete(key).await
    }
    async fn clear_expired(&self) -> Result<u64> {
        self.count();
        self.inner.clear_expired().await
    }
}

pub(crate) async fn d4_unused_session_never_touches_the_store<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let seed = session(&store, None);
    seed.insert("x", 1).await.ok_or_fail("D4", "insert")?;
    seed.save().await.ok_or_fail("D4", "save")?;
    let key = seed.key().expect("saved");
    let counting = Counting::new(store.clone());
    let s = session(&counting, Some(key.as_str()));
    let _ = (
        s.key(),
        s.accessed(),
        s.modified(),
        s.is_empty(),
        s.is_loaded(),
    );
    drop(s);
    ensure_eq!(
        counting.calls(),
        0,
        "D4",
        "store calls made by a session that was never used"
    );
    let s = session(&counting, None);
    s.insert("y", 2).await.ok_or_fail("D4", "insert")?;
    s.get_value("y").await.ok_or_fail("D4", "get")?;
    s.flush().await.ok_or_fail("D4", "flush")?;
    ensure_eq!(
        counting.calls(),
        0,
        "D4",
        "store calls made by a session without a key that was read, written and flushed"
    );
    let s = session(&counting, Some(key.as_str()));
    s.clear();
    s.len().await.ok_or_fail("D4", "len")?;
    ensure_eq!(
        counting.loads(),
        0,
        "D4",
        "loads made by a session cleared before its first read"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn d4_store_is_loaded_at_most_once<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let seed = session(&store, None);
    seed.insert("x", 1).await.ok_or_fail("D4", "insert")?;
    seed.save().await.ok_or_fail("D4", "save")?;
    let key = seed.key().expect("saved");
    let counting = Counting::new(store.clone());
    let s = session(&counting, Some(key.as_str()));
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.get_value("x").await })
        })
        .collect();
    for reader in readers {
        let value = reader
            .await
            .map_err(|e| crate::cx::fail("D4", format!("a reader task failed: {e}")))?;
        ensure_eq!(
            value.ok_or_fail("D4", "get")?,
            Some(json!(1)),
            "D4",
            "concurrent get through clones"
        );
    }
    s.contains("x").await.ok_or_fail("D4", "contains")?;
    s.insert("y", 2).await.ok_or_fail("D4", "insert")?;
    s.items().await.ok_or_fail("D4", "items")?;
    s.set_expiry(Expiry::Seconds(100))
        .await
        .ok_or_fail("D4", "set_expiry")?;
    s.expiry_age().await.ok_or_fail("D4", "expiry_age")?;
    s.save().await.ok_or_fail("D4", "save")?;
    s.get_value("y").await.ok_or_fail("D4", "get")?;
    ensure_eq!(
        counting.loads(),
        1,
        "D4",
        "loads made by one session over 16 concurrent reads, writes and a save"
    );
    Ok(Outcome::Pass)
}
