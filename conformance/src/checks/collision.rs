//! K4: creating never overwrites; a collision draws another key.

use serde_json::json;
use session_core::{ErrorKind, KeyGenerator, RandomKeys, SessionStore};

use crate::cx::{Checked, Cx, Expect, data, ensure_eq, off, record, record_expiring, session};
use crate::harness::{Ctx, Harness};
use crate::report::Outcome;

/// Why the K4 checks are off for a client-side store.
pub(crate) const OFF_NO_KEYS: &str =
    "capabilities().server_side is false: a client-side store draws no keys";

pub(crate) async fn k4_create_never_overwrites_a_taken_key<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let fixed = RandomKeys.generate();
    let ctx = Ctx::new().with_fixed_key(fixed.clone());
    let store = cx.open_in(&ctx).await?;
    if !store.capabilities().server_side {
        return off(OFF_NO_KEYS);
    }
    let first = record(&*store, data([("owner", json!("first"))]));
    let key = store
        .create(&first)
        .await
        .ok_or_fail("K4", "first create")?;
    ensure_eq!(
        key,
        fixed,
        "K4",
        "first create with a generator stuck on one key"
    );
    store
        .create(&record(&*store, data([("owner", json!("second"))])))
        .await
        .err_kind(
            ErrorKind::KeyCollision,
            "K4",
            "second create on the taken key",
        )?;
    let s = session(&store, None);
    s.insert("owner", "third")
        .await
        .ok_or_fail("K4", "insert")?;
    s.save().await.err_kind(
        ErrorKind::KeyCollision,
        "K4",
        "a session's first save on the taken key",
    )?;
    let loaded = store.load(&fixed).await.ok_or_fail("K4", "load")?;
    ensure_eq!(
        loaded.map(|r| r.data),
        Some(first.data.clone()),
        "K4",
        "the first record after two colliding creates"
    );
    // An expired record no longer holds its key; a live one always does.
    let short = record_expiring(&*store, data([("owner", json!("short"))]), 5);
    store.save(&fixed, &short).await.ok_or_fail("K4", "save")?;
    store
        .create(&record(&*store, data([("owner", json!("fourth"))])))
        .await
        .err_kind(
            ErrorKind::KeyCollision,
            "K4",
            "create on a key whose record is live for 5 more seconds",
        )?;
    Ok(Outcome::Pass)
}

pub(crate) async fn k4_create_draws_another_key_after_a_collision<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let taken = RandomKeys.generate();
    let fresh = RandomKeys.generate();
    let fresher = RandomKeys.generate();
    // create, create (collides, retries), a session's save (collides, retries).
    let script = [
        taken.clone(),
        taken.clone(),
        fresh.clone(),
        taken.clone(),
        fresher.clone(),
    ];
    let ctx = Ctx::new().with_scripted_keys(script);
    let store = cx.open_in(&ctx).await?;
    if !store.capabilities().server_side {
        return off(OFF_NO_KEYS);
    }
    let first = record(&*store, data([("owner", json!("first"))]));
    let key = store
        .create(&first)
        .await
        .ok_or_fail("K4", "first create")?;
    ensure_eq!(key, taken, "K4", "first create's key");
    let second = record(&*store, data([("owner", json!("second"))]));
    let key = store.create(&second).await.ok_or_fail(
        "K4",
        "a create whose first drawn key is taken (it must draw another)",
    )?;
    ensure_eq!(
        key,
        fresh,
        "K4",
        "key of a create whose first drawn key collided"
    );
    let s = session(&store, None);
    s.insert("owner", "third")
        .await
        .ok_or_fail("K4", "insert")?;
    s.save().await.ok_or_fail(
        "K4",
        "a session's first save whose first drawn key is taken (it must draw another)",
    )?;
    ensure_eq!(
        s.key(),
        Some(fresher.clone()),
        "K4",
        "key of a session's first save whose first drawn key collided"
    );
    for (key, rec, what) in [
        (&taken, &first, "the record under the taken key"),
        (&fresh, &second, "the record created after the collision"),
    ] {
        let loaded = store.load(key).await.ok_or_fail("K4", "load")?;
        ensure_eq!(
            loaded.map(|r| r.data),
            Some(rec.data.clone()),
            "K4",
            "{what}"
        );
    }
    let loaded = store.load(&fresher).await.ok_or_fail("K4", "load")?;
    ensure_eq!(
        loaded.and_then(|r| r.data.get("owner").cloned()),
        Some(json!("third")),
        "K4",
        "the session saved after the collision"
    );
    Ok(Outcome::Pass)
}
