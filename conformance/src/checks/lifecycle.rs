//! L2..L6: flush, cycle_key, delete, exists and clear_expired.

use std::time::Duration;

use serde_json::{Value, json};
use session_core::{KeyGenerator, RandomKeys, SessionKey, SessionStore};

use crate::cx::{
    Checked, Cx, Expect, MALFORMED_KEYS, OFF_CLIENT_SIDE, OFF_NO_CLEAR, OFF_SERVER_SIDE, data,
    ensure, ensure_eq, off, record, record_expiring, session, tick,
};
use crate::harness::Harness;
use crate::report::Outcome;

pub(crate) async fn l2_flush_empties_data_and_drops_key<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("L2", "insert")?;
    s.save().await.ok_or_fail("L2", "save")?;
    let old = s.key().expect("saved");
    let t = session(&store, Some(old.as_str()));
    t.flush().await.ok_or_fail("L2", "flush")?;
    ensure!(t.key().is_none(), "L2", "flush kept the key");
    ensure!(
        t.accessed() && t.modified(),
        "L2",
        "after flush accessed={} modified={}: expected both true",
        t.accessed(),
        t.modified()
    );
    ensure!(t.is_empty(), "L2", "is_empty after flush is false");
    ensure_eq!(
        t.len().await.ok_or_fail("L2", "len")?,
        0,
        "L2",
        "entries after flush"
    );
    t.insert("y", 2).await.ok_or_fail("L2", "insert")?;
    t.save().await.ok_or_fail("L2", "save after flush")?;
    let new = t.key().expect("saved");
    ensure!(
        new != old,
        "L2",
        "a session saved after flush reused the old key"
    );
    let u = session(&store, Some(new.as_str()));
    ensure_eq!(
        u.items().await.ok_or_fail("L2", "items")?,
        vec![("y".to_owned(), json!(2))],
        "L2",
        "data saved after flush"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l2_flush_deletes_the_stored_record<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("L2", "insert")?;
    s.save().await.ok_or_fail("L2", "save")?;
    let old = s.key().expect("saved");
    s.flush().await.ok_or_fail("L2", "flush")?;
    ensure!(
        !store.exists(&old).await.ok_or_fail("L2", "exists")?,
        "L2",
        "exists of the flushed key is true"
    );
    ensure!(
        store.load(&old).await.ok_or_fail("L2", "load")?.is_none(),
        "L2",
        "the flushed key still loads its record"
    );
    let t = session(&store, Some(old.as_str()));
    ensure_eq!(
        t.get_value("x").await.ok_or_fail("L2", "get")?,
        None::<Value>,
        "L2",
        "another request with the flushed key"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l3_cycle_key_keeps_data_under_a_new_key<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    // Whether the key changed is checked by l3_cycle_key_deletes_the_old_record:
    // a client-side key re-signs the same data with the same timestamp
    // within a second (Django's signed_cookies cycle_key is a save).
    let s = session(&store, None);
    s.update([("a", json!(1)), ("b", json!("two"))])
        .await
        .ok_or_fail("L3", "update")?;
    s.save().await.ok_or_fail("L3", "save")?;
    let items = s.items().await.ok_or_fail("L3", "items")?;
    s.cycle_key().await.ok_or_fail("L3", "cycle_key")?;
    let new = s.key().expect("cycled");
    ensure!(
        s.modified(),
        "L3",
        "cycle_key did not mark the session modified"
    );
    ensure_eq!(
        s.items().await.ok_or_fail("L3", "items")?,
        items,
        "L3",
        "data after cycle_key"
    );
    let t = session(&store, Some(new.as_str()));
    ensure_eq!(
        t.items().await.ok_or_fail("L3", "items")?,
        items,
        "L3",
        "data reloaded under the new key"
    );
    // Django's test_cycle_with_no_session_cache: not loaded before cycling.
    let u = session(&store, Some(new.as_str()));
    u.cycle_key()
        .await
        .ok_or_fail("L3", "cycle_key of an unloaded session")?;
    let newer = u.key().expect("cycled");
    ensure_eq!(
        u.items().await.ok_or_fail("L3", "items")?,
        items,
        "L3",
        "data after cycle_key of an unloaded session"
    );
    let v = session(&store, Some(newer.as_str()));
    ensure_eq!(
        v.items().await.ok_or_fail("L3", "items")?,
        items,
        "L3",
        "data reloaded after cycle_key of an unloaded session"
    );
    // A new session gets a key.
    let w = session(&store, None);
    w.insert("n", 1).await.ok_or_fail("L3", "insert")?;
    w.cycle_key()
        .await
        .ok_or_fail("L3", "cycle_key of a new session")?;
    ensure!(
        w.key().is_some(),
        "L3",
        "cycle_key of a new session left it without a key"
    );
    Ok(Outcome::Pass)
}

/// Checks that `cycle_key` moved the record from `old` to `new`.
async fn cycled<S: SessionStore>(
    store: &S,
    old: &SessionKey,
    new: &SessionKey,
    what: &str,
) -> Result<(), crate::cx::Stop> {
    ensure!(new != old, "L3", "{what} kept the key");
    ensure!(
        !store.exists(old).await.ok_or_fail("L3", "exists")?,
        "L3",
        "exists of the old key after {what} is true"
    );
    ensure!(
        store.load(old).await.ok_or_fail("L3", "load")?.is_none(),
        "L3",
        "the old key still loads after {what} (fixation)"
    );
    ensure!(
        store.exists(new).await.ok_or_fail("L3", "exists")?,
        "L3",
        "exists of the new key after {what} is false"
    );
    Ok(())
}

pub(crate) async fn l3_cycle_key_deletes_the_old_record<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let s = session(&store, None);
    s.insert("user", 1).await.ok_or_fail("L3", "insert")?;
    s.save().await.ok_or_fail("L3", "save")?;
    let first = s.key().expect("saved");
    s.cycle_key().await.ok_or_fail("L3", "cycle_key")?;
    let second = s.key().expect("cycled");
    cycled(&*store, &first, &second, "cycle_key").await?;
    // Django's test_cycle_with_no_session_cache: a new request cycles
    // before any read.
    let u = session(&store, Some(second.as_str()));
    u.cycle_key()
        .await
        .ok_or_fail("L3", "cycle_key of an unloaded session")?;
    let third = u.key().expect("cycled");
    cycled(&*store, &second, &third, "cycle_key of an unloaded session").await?;
    Ok(Outcome::Pass)
}

pub(crate) async fn l4_delete_of_a_missing_key_is_ok<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    store
        .delete(&RandomKeys.generate())
        .await
        .ok_or_fail("L4", "delete of a never-created key")?;
    for raw in MALFORMED_KEYS {
        let key = SessionKey::parse(raw).expect("parses");
        store
            .delete(&key)
            .await
            .ok_or_fail("L4", &format!("delete of malformed key {raw:?}"))?;
    }
    let key = store
        .create(&record(&*store, data([("x", json!(1))])))
        .await
        .ok_or_fail("L4", "create")?;
    store.delete(&key).await.ok_or_fail("L4", "delete")?;
    store
        .delete(&key)
        .await
        .ok_or_fail("L4", "second delete of the same key")?;
    session(&store, None)
        .delete()
        .await
        .ok_or_fail("L4", "delete of a session without a key")?;
    let unknown = RandomKeys.generate();
    session(&store, Some(unknown.as_str()))
        .delete()
        .await
        .ok_or_fail("L4", "delete of a session with an unknown key")?;
    Ok(Outcome::Pass)
}

pub(crate) async fn l5_exists_iff_a_live_record_is_stored<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(
            "capabilities().server_side is false: a client-side store keeps no record, and l5_client_side_exists_is_always_false checks its exists",
        );
    }
    let key = store
        .create(&record_expiring(&*store, data([("x", json!(1))]), 10))
        .await
        .ok_or_fail("L5", "create")?;
    ensure!(
        store.exists(&key).await.ok_or_fail("L5", "exists")?,
        "L5",
        "exists of a live record is false"
    );
    ctx.clock.advance(Duration::from_secs(10) - tick(&*store));
    ensure!(
        store.exists(&key).await.ok_or_fail("L5", "exists")?,
        "L5",
        "exists one microsecond before expiry is false"
    );
    ctx.clock.advance(tick(&*store));
    ensure!(
        !store.exists(&key).await.ok_or_fail("L5", "exists")?,
        "L5",
        "exists at the exact expiry instant is true (expires_at == now is not live)"
    );
    ensure!(
        !store
            .exists(&RandomKeys.generate())
            .await
            .ok_or_fail("L5", "exists")?,
        "L5",
        "exists of a never-created key is true"
    );
    let other = store
        .create(&record(&*store, data([("x", json!(2))])))
        .await
        .ok_or_fail("L5", "create")?;
    ensure!(
        store.exists(&other).await.ok_or_fail("L5", "exists")?,
        "L5",
        "exists of a live record is false"
    );
    store.delete(&other).await.ok_or_fail("L5", "delete")?;
    ensure!(
        !store.exists(&other).await.ok_or_fail("L5", "exists")?,
        "L5",
        "exists of a deleted record is true"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l5_client_side_exists_is_always_false<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if store.capabilities().server_side {
        return off(OFF_SERVER_SIDE);
    }
    // L5: a client-side store's exists is always false.
    let key = store
        .create(&record(&*store, data([("x", json!(1))])))
        .await
        .ok_or_fail("L5", "create")?;
    let saved = store
        .save(&key, &record(&*store, data([("x", json!(2))])))
        .await
        .ok_or_fail("L5", "save")?;
    for (key, what) in [(&key, "a created key"), (&saved, "a saved key")] {
        ensure!(
            store.load(key).await.ok_or_fail("L5", "load")?.is_some(),
            "L5",
            "{what} does not load"
        );
        ensure!(
            !store.exists(key).await.ok_or_fail("L5", "exists")?,
            "L5",
            "exists of {what} of a client-side store is true: expected always false"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn l6_clear_expired_removes_exactly_the_expired<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (ctx, store) = cx.open().await?;
    let caps = store.capabilities();
    if !caps.server_side {
        return off(OFF_CLIENT_SIDE);
    }
    if !caps.clear_expired {
        return off(OFF_NO_CLEAR);
    }
    ensure_eq!(
        store
            .clear_expired()
            .await
            .ok_or_fail("L6", "clear_expired")?,
        0,
        "L6",
        "clear_expired of an empty store"
    );
    let mk =
        |name: &str, seconds: i64| record_expiring(&*store, data([("name", json!(name))]), seconds);
    let five = store
        .create(&mk("five", 5))
        .await
        .ok_or_fail("L6", "create")?;
    let ten = store
        .create(&mk("ten", 10))
        .await
        .ok_or_fail("L6", "create")?;
    let eleven = store
        .create(&mk("eleven", 11))
        .await
        .ok_or_fail("L6", "create")?;
    let default = store
        .create(&record(&*store, data([("name", json!("default"))])))
        .await
        .ok_or_fail("L6", "create")?;
    let renewed = store
        .create(&mk("renewed", 5))
        .await
        .ok_or_fail("L6", "create")?;
    store
        .save(&renewed, &mk("renewed", 60))
        .await
        .ok_or_fail("L6", "save")?;
    ctx.clock.advance_secs(10);
    let removed = store
        .clear_expired()
        .await
        .ok_or_fail("L6", "clear_expired")?;
    ensure_eq!(
        removed,
        2,
        "L6",
        "records removed by clear_expired at the instant two of five records expire"
    );
    for (key, name, live) in [
        (&five, "five", false),
        (&ten, "ten", false),
        (&eleven, "eleven", true),
        (&default, "default", true),
        (&renewed, "renewed", true),
    ] {
        let loaded = store.load(key).await.ok_or_fail("L6", "load")?;
        ensure_eq!(
            loaded.is_some(),
            live,
            "L6",
            "record {name:?} loads after clear_expired"
        );
        ensure_eq!(
            store.exists(key).await.ok_or_fail("L6", "exists")?,
            live,
            "L6",
            "exists of record {name:?} after clear_expired"
        );
    }
    ensure_eq!(
        store
            .clear_expired()
            .await
            .ok_or_fail("L6", "clear_expired")?,
        0,
        "L6",
        "a second clear_expired"
    );
    Ok(Outcome::Pass)
}
