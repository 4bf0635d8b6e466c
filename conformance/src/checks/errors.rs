//! R1, R2: typed errors naming backend and operation, corrupt records
//! load as absent, and acknowledged writes and deletes survive a reopen.

use serde_json::{Value, json};
use session_core::{ErrorKind, KeyGenerator, Operation, RandomKeys, SessionStore};

use crate::cx::{
    Checked, Cx, Expect, OFF_CLIENT_SIDE, OFF_NOT_DURABLE, OFF_SERVER_SIDE, data, ensure,
    ensure_eq, fail, off, record, record_expiring, session,
};
use crate::harness::{Corruption, Ctx, Harness};
use crate::report::Outcome;

/// Checks that `result` failed with `kind`, naming `backend` and `operation`.
fn names_backend<T: std::fmt::Debug>(
    result: session_core::Result<T>,
    kind: ErrorKind,
    operation: Operation,
    backend: &str,
    what: &str,
) -> Result<(), crate::cx::Stop> {
    let err = match result {
        Ok(value) => {
            return Err(fail(
                "R1",
                format!("{what}: expected Err({kind:?}), observed Ok({value:?})"),
            ));
        }
        Err(err) => err,
    };
    ensure_eq!(err.kind(), kind, "R1", "{what}: error kind");
    ensure_eq!(err.operation(), operation, "R1", "{what}: error operation");
    ensure_eq!(
        err.backend(),
        backend,
        "R1",
        "{what}: error backend (the store's name())"
    );
    let shown = err.to_string();
    ensure!(
        shown.contains(backend) && shown.contains(operation.as_str()),
        "R1",
        "{what}: message {shown:?} does not name the backend and the operation"
    );
    Ok(())
}

/// Incompressible text: no client-side store can fit 6,000 characters of it
/// in a 4,096-byte cookie.
fn incompressible(len: usize) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
                    [(x % 64) as usize],
            )
        })
        .collect()
}

pub(crate) async fn r1_errors_name_the_backend_and_operation<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let fixed = RandomKeys.generate();
    let ctx = Ctx::new().with_fixed_key(fixed.clone());
    let store = cx.open_in(&ctx).await?;
    let backend = store.name().to_owned();
    if !store.capabilities().server_side {
        return off(
            "capabilities().server_side is false: a client-side store has no record to interrupt or collide with; its typed error is checked by r1_oversized_client_side_record_is_too_large",
        );
    }
    names_backend(
        store
            .save(&RandomKeys.generate(), &record(&*store, data([])))
            .await,
        ErrorKind::Interrupted,
        Operation::Save,
        &backend,
        "save under a never-created key",
    )?;
    store
        .create(&record(&*store, data([])))
        .await
        .ok_or_fail("R1", "create")?;
    names_backend(
        store.create(&record(&*store, data([]))).await,
        ErrorKind::KeyCollision,
        Operation::Create,
        &backend,
        "create on a taken key",
    )?;
    Ok(Outcome::Pass)
}

pub(crate) async fn r1_oversized_client_side_record_is_too_large<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if store.capabilities().server_side {
        return off(OFF_SERVER_SIDE);
    }
    let backend = store.name().to_owned();
    // R1: a record that would make a cookie over 4,096 bytes is a clear error.
    let big = record(&*store, data([("blob", json!(incompressible(6_000)))]));
    names_backend(
        store.create(&big).await,
        ErrorKind::TooLarge,
        Operation::Create,
        &backend,
        "create of a record too large for a cookie",
    )?;
    let key = store
        .create(&record(&*store, data([("small", json!(1))])))
        .await
        .ok_or_fail("R1", "create")?;
    names_backend(
        store.save(&key, &big).await,
        ErrorKind::TooLarge,
        Operation::Save,
        &backend,
        "save of a record too large for a cookie",
    )?;
    Ok(Outcome::Pass)
}

pub(crate) async fn r1_corrupt_record_loads_as_absent<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    let s = session(&store, None);
    s.insert("user", 42).await.ok_or_fail("R1", "insert")?;
    s.save().await.ok_or_fail("R1", "save")?;
    let key = s.key().expect("saved");
    if let Corruption::NotApplicable(reason) = cx.h.corrupt(&ctx, &key).await {
        return off(&format!(
            "the harness cannot corrupt a stored record: {reason}"
        ));
    }
    let loaded = store.load(&key).await.ok_or_fail(
        "R1",
        "load of a corrupt record (must be Ok(None), not an error)",
    )?;
    ensure!(loaded.is_none(), "R1", "a corrupt record loads as a record");
    let t = session(&store, Some(key.as_str()));
    ensure_eq!(
        t.get_value("user").await.ok_or_fail("R1", "get")?,
        None::<Value>,
        "R1",
        "session opened on a corrupt record"
    );
    ensure!(
        t.key().is_none(),
        "R1",
        "session opened on a corrupt record kept the key (K3)"
    );
    t.insert("user", 43).await.ok_or_fail("R1", "insert")?;
    t.save()
        .await
        .ok_or_fail("R1", "save after a corrupt record was dropped")?;
    ensure!(
        t.key().is_some_and(|k| k != key),
        "R1",
        "the session's save reused the corrupt record's key"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn r2_acknowledged_saves_survive_reopen<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    if !store.capabilities().durable {
        return off(OFF_NOT_DURABLE);
    }
    let a1 = record(&*store, data([("v", json!(1))]));
    let a = store.create(&a1).await.ok_or_fail("R2", "create")?;
    let a2 = record_expiring(&*store, crate::checks::data::tricky_data(), 100);
    let a = store.save(&a, &a2).await.ok_or_fail("R2", "save")?;
    let s = session(&store, None);
    s.insert("via", "session")
        .await
        .ok_or_fail("R2", "insert")?;
    s.save().await.ok_or_fail("R2", "save")?;
    let c = s.key().expect("saved");
    drop(s);
    drop(store);
    let reopened = cx.open_in(&ctx).await?;
    let loaded = reopened
        .load(&a)
        .await
        .ok_or_fail("R2", "load after reopen")?;
    ensure_eq!(
        loaded,
        Some(a2),
        "R2",
        "a saved record after reopening the store"
    );
    let t = session(&reopened, Some(c.as_str()));
    ensure_eq!(
        t.get::<String>("via").await.ok_or_fail("R2", "get")?,
        Some("session".to_owned()),
        "R2",
        "a session saved before reopening"
    );
    ctx.clock.advance_secs(100);
    ensure!(
        reopened.load(&a).await.ok_or_fail("R2", "load")?.is_none(),
        "R2",
        "a reopened store returns a record at its expiry instant"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn r2_deleted_records_stay_deleted_after_reopen<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (ctx, store) = cx.open().await?;
    let caps = store.capabilities();
    if !caps.server_side {
        return off(OFF_CLIENT_SIDE);
    }
    if !caps.durable {
        return off(OFF_NOT_DURABLE);
    }
    let deleted = store
        .create(&record(&*store, data([("v", json!("deleted"))])))
        .await
        .ok_or_fail("R2", "create")?;
    store.delete(&deleted).await.ok_or_fail("R2", "delete")?;
    let s = session(&store, None);
    s.insert("v", "flushed").await.ok_or_fail("R2", "insert")?;
    s.save().await.ok_or_fail("R2", "save")?;
    let flushed = s.key().expect("saved");
    s.flush().await.ok_or_fail("R2", "flush")?;
    let t = session(&store, None);
    t.insert("v", "cycled").await.ok_or_fail("R2", "insert")?;
    t.save().await.ok_or_fail("R2", "save")?;
    let cycled = t.key().expect("saved");
    t.cycle_key().await.ok_or_fail("R2", "cycle_key")?;
    let kept = t.key().expect("cycled");
    drop((s, t, store));
    let reopened = cx.open_in(&ctx).await?;
    for (key, what) in [
        (&deleted, "a deleted record"),
        (&flushed, "a flushed session"),
        (&cycled, "the old key of a cycled session"),
    ] {
        let back = reopened.load(key).await.ok_or_fail("R2", "load")?;
        ensure!(
            back.is_none(),
            "R2",
            "{what} is back after reopening the store"
        );
    }
    let loaded = reopened.load(&kept).await.ok_or_fail("R2", "load")?;
    ensure!(
        loaded.is_some_and(|r| r.data.get("v") == Some(&json!("cycled"))),
        "R2",
        "the new key of a cycled session is lost after reopening the store"
    );
    Ok(Outcome::Pass)
}
