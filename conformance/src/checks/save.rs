//! L1: saving creates, updates, and never resurrects.

use std::time::Duration;

use serde_json::json;
use session_core::{ErrorKind, KeyGenerator, RandomKeys, SessionKey, SessionStore};

use crate::cx::{
    Checked, Cx, Expect, OFF_CLIENT_SIDE, OFF_NO_CLEAR, data, ensure, ensure_eq, off, record,
    record_expiring, session, tick,
};
use crate::harness::Harness;
use crate::report::Outcome;

/// Asserts that `key` holds no live record, after an interrupted save.
async fn nothing_written<S: SessionStore>(
    store: &S,
    key: &SessionKey,
    what: &str,
) -> Result<(), crate::cx::Stop> {
    let loaded = store.load(key).await.ok_or_fail("L1", "load")?;
    ensure!(
        loaded.is_none(),
        "L1",
        "{what}: the refused save wrote a record (resurrection)"
    );
    ensure!(
        !store.exists(key).await.ok_or_fail("L1", "exists")?,
        "L1",
        "{what}: exists is true after the refused save"
    );
    Ok(())
}

pub(crate) async fn l1_save_after_delete_is_interrupted<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let key = store
        .create(&record(&*store, data([("v", json!(1))])))
        .await
        .ok_or_fail("L1", "create")?;
    store.delete(&key).await.ok_or_fail("L1", "delete")?;
    store
        .save(&key, &record(&*store, data([("v", json!(2))])))
        .await
        .err_kind(ErrorKind::Interrupted, "L1", "save after delete")?;
    nothing_written(&*store, &key, "save after delete").await?;
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_save_after_expiry_is_interrupted<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let key = store
        .create(&record_expiring(&*store, data([("v", json!(1))]), 10))
        .await
        .ok_or_fail("L1", "create")?;
    ctx.clock.advance(Duration::from_secs(10) - tick(&*store));
    let saved = store
        .save(&key, &record_expiring(&*store, data([("v", json!(2))]), 10))
        .await;
    ensure_eq!(
        saved.map_err(|e| e.kind()),
        Ok(key.clone()),
        "L1",
        "save one tick before expiry"
    );
    // The save above renewed the record for 10 s from then: move to exactly that instant.
    ctx.clock.advance_secs(10);
    store
        .save(&key, &record(&*store, data([("v", json!(3))])))
        .await
        .err_kind(
            ErrorKind::Interrupted,
            "L1",
            "save at the exact expiry instant",
        )?;
    nothing_written(&*store, &key, "save at the exact expiry instant").await?;
    ctx.clock.advance_secs(3600);
    store
        .save(&key, &record(&*store, data([("v", json!(4))])))
        .await
        .err_kind(ErrorKind::Interrupted, "L1", "save an hour after expiry")?;
    nothing_written(&*store, &key, "save an hour after expiry").await?;
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_save_after_clear_expired_is_interrupted<H: Harness>(
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
    let key = store
        .create(&record_expiring(&*store, data([("v", json!(1))]), 5))
        .await
        .ok_or_fail("L1", "create")?;
    ctx.clock.advance_secs(6);
    store
        .clear_expired()
        .await
        .ok_or_fail("L1", "clear_expired")?;
    store
        .save(&key, &record(&*store, data([("v", json!(2))])))
        .await
        .err_kind(
            ErrorKind::Interrupted,
            "L1",
            "save after clear_expired removed the record",
        )?;
    nothing_written(&*store, &key, "save after clear_expired").await?;
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_save_of_an_unknown_key_is_interrupted<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let unknown = RandomKeys.generate();
    store
        .save(&unknown, &record(&*store, data([("v", json!(1))])))
        .await
        .err_kind(
            ErrorKind::Interrupted,
            "L1",
            "save under a never-created key",
        )?;
    nothing_written(&*store, &unknown, "save under a never-created key").await?;
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_save_updates_a_live_record<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    let first = record_expiring(&*store, data([("v", json!(1)), ("keep", json!("a"))]), 100);
    let key = store.create(&first).await.ok_or_fail("L1", "create")?;
    ctx.clock.advance_secs(50);
    let second = record_expiring(&*store, data([("v", json!(2))]), 100);
    let new_key = store
        .save(&key, &second)
        .await
        .ok_or_fail("L1", "save of a live record")?;
    let loaded = store.load(&new_key).await.ok_or_fail("L1", "load")?;
    ensure_eq!(loaded, Some(second.clone()), "L1", "record after save");
    // The update moved the expiry: alive past the first record's end.
    ctx.clock.advance_secs(60);
    let loaded = store.load(&new_key).await.ok_or_fail("L1", "load")?;
    ensure_eq!(
        loaded,
        Some(second),
        "L1",
        "record 110 s after create, 60 s after a save that renewed it for 100 s"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_handle_save_creates_then_updates<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("L1", "insert")?;
    s.save().await.ok_or_fail("L1", "first save")?;
    ensure!(s.key().is_some(), "L1", "a saved session has no key");
    ensure_eq!(
        s.get::<i64>("x").await.ok_or_fail("L1", "get")?,
        Some(1),
        "L1",
        "data after save (Django's test_save_doesnt_clear_data)"
    );
    s.insert("y", 2).await.ok_or_fail("L1", "insert")?;
    s.save().await.ok_or_fail("L1", "second save")?;
    let second = s.key().expect("saved");
    let t = session(&store, Some(second.as_str()));
    ensure_eq!(
        t.items().await.ok_or_fail("L1", "items")?,
        vec![("x".to_owned(), json!(1)), ("y".to_owned(), json!(2))],
        "L1",
        "data reloaded after two saves"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_server_side_saves_keep_the_key<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(
            "capabilities().server_side is false: a client-side save returns the new signed data as the key, and no record exists on a server",
        );
    }
    let key = store
        .create(&record(&*store, data([("v", json!(1))])))
        .await
        .ok_or_fail("L1", "create")?;
    let saved = store
        .save(&key, &record(&*store, data([("v", json!(2))])))
        .await
        .ok_or_fail("L1", "save of a live record")?;
    ensure_eq!(saved, key, "L1", "key returned by save of a live record");
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("L1", "insert")?;
    s.save().await.ok_or_fail("L1", "first save")?;
    let first = s.key().expect("a saved session has a key");
    ensure!(
        store.exists(&first).await.ok_or_fail("L1", "exists")?,
        "L1",
        "exists after the first save is false (Django's test_save)"
    );
    s.insert("y", 2).await.ok_or_fail("L1", "insert")?;
    s.save().await.ok_or_fail("L1", "second save")?;
    ensure_eq!(
        s.key(),
        Some(first),
        "L1",
        "key after the second save of a session"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_handle_save_after_logout_elsewhere_is_interrupted<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    for logout in ["delete", "flush"] {
        let s1 = session(&store, None);
        s1.insert("user", 42).await.ok_or_fail("L1", "insert")?;
        s1.save().await.ok_or_fail("L1", "save")?;
        let key = s1.key().expect("saved");
        let s2 = session(&store, Some(key.as_str()));
        match logout {
            "delete" => s2
                .delete()
                .await
                .ok_or_fail("L1", "delete in another request")?,
            _ => s2
                .flush()
                .await
                .ok_or_fail("L1", "flush in another request")?,
        }
        s1.insert("user", 43).await.ok_or_fail("L1", "insert")?;
        s1.save().await.err_kind(
            ErrorKind::Interrupted,
            "L1",
            &format!("save of a session after a {logout} elsewhere"),
        )?;
        nothing_written(&*store, &key, &format!("save after a {logout} elsewhere")).await?;
        let s3 = session(&store, Some(key.as_str()));
        ensure_eq!(
            s3.len().await.ok_or_fail("L1", "len")?,
            0,
            "L1",
            "entries of the logged-out session after the refused save"
        );
    }
    Ok(Outcome::Pass)
}
