//! D4: a session touches the store lazily, and loads at most once.

use serde_json::json;
use session_core::Expiry;
use session_core::testing::ProbeStore;

use crate::cx::{Checked, Cx, Expect, ensure_eq, session};
use crate::harness::Harness;
use crate::report::Outcome;

pub(crate) async fn d4_unused_session_never_touches_the_store<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let seed = session(&store, None);
    seed.insert("x", 1).await.ok_or_fail("D4", "insert")?;
    seed.save().await.ok_or_fail("D4", "save")?;
    let key = seed.key().expect("saved");
    let counting = ProbeStore::new(store.clone());
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
    let counting = ProbeStore::new(store.clone());
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
