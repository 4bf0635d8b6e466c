//! K1..K3: which keys a store draws, accepts and drops.

use std::collections::HashSet;

use serde_json::{Value, json};
use session_core::{ErrorKind, KeyGenerator, RandomKeys, SessionKey, SessionStore};

use crate::cx::{
    Checked, Cx, Expect, MALFORMED_KEYS, OFF_CLIENT_SIDE, UNPARSEABLE_KEYS, data, ensure,
    ensure_eq, is_k1_key, off, record, session,
};
use crate::harness::{Ctx, Harness};
use crate::report::Outcome;

pub(crate) async fn k1_created_keys_are_32_lowercase_alphanumerics<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(
            "capabilities().server_side is false: a client-side store's key is its signed data, not a drawn key",
        );
    }
    let mut seen = HashSet::new();
    for i in 0..50 {
        let key = store
            .create(&record(&*store, data([("i", json!(i))])))
            .await
            .ok_or_fail("K1", "create")?;
        ensure!(
            is_k1_key(key.as_str()),
            "K1",
            "create returned key {:?}: expected 32 characters of [a-z0-9]",
            key.as_str()
        );
        ensure!(
            seen.insert(key.clone()),
            "K1",
            "create returned {:?} twice in 50 creates",
            key.as_str()
        );
    }
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("K1", "insert")?;
    s.save()
        .await
        .ok_or_fail("K1", "first save of a new session")?;
    let key = s.key().map(|k| k.as_str().to_owned()).unwrap_or_default();
    ensure!(
        is_k1_key(&key) && !seen.iter().any(|k| k.as_str() == key),
        "K1",
        "a session's first save gave key {key:?}: expected a fresh 32-character [a-z0-9] key"
    );
    // The keys come from the generator the store was given (the secure
    // RandomKeys by default), not from one of the store's own.
    let script: Vec<SessionKey> = (0..3).map(|_| RandomKeys.generate()).collect();
    let ctx = Ctx::new().with_scripted_keys(script.clone());
    let store = cx.open_in(&ctx).await?;
    for expected in &script[..2] {
        let key = store
            .create(&record(&*store, data([("scripted", json!(true))])))
            .await
            .ok_or_fail("K1", "create")?;
        ensure_eq!(
            key,
            *expected,
            "K1",
            "key of a create by a store given a scripted key generator (the store must draw from its generator)"
        );
    }
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("K1", "insert")?;
    s.save().await.ok_or_fail("K1", "save")?;
    ensure_eq!(
        s.key(),
        Some(script[2].clone()),
        "K1",
        "key of a session's first save on a store given a scripted key generator"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn k2_malformed_keys_never_reach_the_engine<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    // A live record, so a store that ignores the key cannot pass by being empty.
    let live = store
        .create(&record(&*store, data([("owner", json!("live"))])))
        .await
        .ok_or_fail("K2", "create")?;
    for raw in MALFORMED_KEYS {
        let key = SessionKey::parse(raw).expect("the suite's malformed keys parse");
        let what = format!("key {raw:?}");
        let loaded = store
            .load(&key)
            .await
            .ok_or_fail("K2", &format!("load of {what}"))?;
        ensure!(
            loaded.is_none(),
            "K2",
            "load of {what}: expected None, observed a record"
        );
        let exists = store
            .exists(&key)
            .await
            .ok_or_fail("K2", &format!("exists of {what}"))?;
        ensure!(
            !exists,
            "K2",
            "exists of {what}: expected false, observed true"
        );
        store
            .delete(&key)
            .await
            .ok_or_fail("K2", &format!("delete of {what}"))?;
    }
    ensure!(
        store.load(&live).await.ok_or_fail("K2", "load")?.is_some(),
        "K2",
        "the live record vanished while malformed keys were tried"
    );
    // Django's test_load_overlong_key: 1,240 characters.
    let overlong = "a".repeat(1_240);
    let key = SessionKey::parse(&overlong).expect("parses");
    ensure!(
        store
            .load(&key)
            .await
            .ok_or_fail("K2", "load of a 1,240-character key")?
            .is_none(),
        "K2",
        "load of a 1,240-character key returned a record"
    );
    for raw in MALFORMED_KEYS
        .iter()
        .chain(UNPARSEABLE_KEYS)
        .copied()
        .chain([overlong.as_str()])
    {
        let s = session(&store, Some(raw));
        let value = s.get_value("injected").await.ok_or_fail("K2", "get")?;
        ensure_eq!(
            value,
            None::<Value>,
            "K2",
            "session opened with key {raw:?}: get"
        );
        ensure!(
            s.key().is_none(),
            "K2",
            "session opened with key {raw:?} kept the key after loading"
        );
        s.insert("x", 1).await.ok_or_fail("K2", "insert")?;
        s.save().await.ok_or_fail("K2", "save")?;
        let key = s.key().map(|k| k.as_str().to_owned()).unwrap_or_default();
        ensure!(
            key != *raw,
            "K2",
            "session opened with key {raw:?} saved under that key"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn k2_saves_to_malformed_keys_write_nothing<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    for raw in MALFORMED_KEYS {
        let key = SessionKey::parse(raw).expect("the suite's malformed keys parse");
        let what = format!("key {raw:?}");
        store
            .save(&key, &record(&*store, data([("injected", json!(raw))])))
            .await
            .err_kind(ErrorKind::Interrupted, "K2", &format!("save to {what}"))?;
        let loaded = store
            .load(&key)
            .await
            .ok_or_fail("K2", &format!("load of {what}"))?;
        ensure!(
            loaded.is_none(),
            "K2",
            "load of {what} after a refused save: expected None, observed a record"
        );
        ensure!(
            !store.exists(&key).await.ok_or_fail("K2", "exists")?,
            "K2",
            "exists of {what} after a refused save is true"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn k2_keys_of_8_to_40_characters_are_accepted<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let random = RandomKeys.generate();
    for len in [8, 40] {
        let raw: String = random.as_str().chars().cycle().take(len).collect();
        let key = SessionKey::parse(&raw).expect("a server key");
        let ctx = Ctx::new().with_fixed_key(key.clone());
        let store = cx.open_in(&ctx).await?;
        if !store.capabilities().server_side {
            return off(OFF_CLIENT_SIDE);
        }
        let what = format!("{len}-character key");
        let created = store
            .create(&record(&*store, data([("len", json!(len))])))
            .await
            .ok_or_fail("K2", &format!("create with a generator yielding a {what}"))?;
        ensure_eq!(
            created,
            key,
            "K2",
            "create with a generator yielding a {what}"
        );
        let loaded = store.load(&key).await.ok_or_fail("K2", "load")?;
        ensure!(
            loaded.is_some_and(|r| r.data.get("len") == Some(&json!(len))),
            "K2",
            "load of a {what}: expected the record, observed none"
        );
        ensure!(
            store.exists(&key).await.ok_or_fail("K2", "exists")?,
            "K2",
            "exists of a {what}: expected true"
        );
        let saved = store
            .save(&key, &record(&*store, data([("len", json!(-1))])))
            .await
            .ok_or_fail("K2", &format!("save to a {what}"))?;
        ensure_eq!(saved, key, "K2", "save to a {what}");
        // The same letters in upper case are another, malformed key.
        let upper = SessionKey::parse(&raw.to_ascii_uppercase()).expect("parses");
        if upper != key {
            ensure!(
                store.load(&upper).await.ok_or_fail("K2", "load")?.is_none(),
                "K2",
                "load of the upper-case twin of a {what} returned its record (case-insensitive keys)"
            );
            ensure!(
                !store.exists(&upper).await.ok_or_fail("K2", "exists")?,
                "K2",
                "exists of the upper-case twin of a {what} is true"
            );
            store.delete(&upper).await.ok_or_fail("K2", "delete")?;
            ensure!(
                store.load(&key).await.ok_or_fail("K2", "load")?.is_some(),
                "K2",
                "delete of the upper-case twin of a {what} removed the record"
            );
        }
        let s = session(&store, Some(&raw));
        ensure_eq!(
            s.get::<i64>("len").await.ok_or_fail("K2", "get")?,
            Some(-1),
            "K2",
            "session opened with a {what}"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn k3_unknown_key_loads_empty_and_is_dropped<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let unknown = RandomKeys.generate();
    for raw in [unknown.as_str(), "1", "12345678", "../../etc/passwd"] {
        let s = session(&store, Some(raw));
        // Django's test_session_key_*: at least 8 characters are kept until
        // the load, shorter values never.
        let kept = s.key().map(|k| k.as_str().to_owned());
        ensure_eq!(
            kept.as_deref(),
            (raw.len() >= 8).then_some(raw),
            "K3",
            "key of a session opened with {raw:?}, before loading"
        );
        let cat = s.get_value("cat").await.ok_or_fail("K3", "get")?;
        ensure_eq!(
            cat,
            None::<Value>,
            "K3",
            "session opened with unknown key {raw:?}: get(\"cat\")"
        );
        ensure!(
            s.key().is_none(),
            "K3",
            "session opened with unknown key {raw:?} kept it after loading"
        );
        s.insert("cat", "meow").await.ok_or_fail("K3", "insert")?;
        s.save()
            .await
            .ok_or_fail("K3", "save of a session whose unknown key was dropped")?;
        let key = s.key().expect("a saved session has a key");
        ensure!(
            key.as_str() != raw,
            "K3",
            "session opened with unknown key {raw:?} was saved under it (fixation)"
        );
        if let Some(client) = SessionKey::parse(raw) {
            let adopted = store.load(&client).await.ok_or_fail("K3", "load")?;
            ensure!(
                adopted.is_none(),
                "K3",
                "the client's key {raw:?} loads a record after the save (fixation)"
            );
        }
        let again = session(&store, Some(key.as_str()));
        ensure_eq!(
            again.get::<String>("cat").await.ok_or_fail("K3", "get")?,
            Some("meow".to_owned()),
            "K3",
            "reload under the fresh key"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn k3_expired_key_is_dropped_not_adopted<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("K3", "insert")?;
    s.set_expiry(session_core::Expiry::Seconds(60))
        .await
        .ok_or_fail("K3", "set_expiry")?;
    s.save().await.ok_or_fail("K3", "save")?;
    let old = s.key().expect("saved");
    ctx.clock.advance_secs(60);
    let s = session(&store, Some(old.as_str()));
    ensure_eq!(
        s.get_value("x").await.ok_or_fail("K3", "get")?,
        None::<Value>,
        "K3",
        "session opened with a key expired 0 s ago: get"
    );
    ensure!(
        s.key().is_none(),
        "K3",
        "session opened with an expired key kept it after loading"
    );
    s.insert("y", 2).await.ok_or_fail("K3", "insert")?;
    s.save().await.ok_or_fail("K3", "save")?;
    let new = s.key().expect("saved");
    ensure!(
        new != old,
        "K3",
        "the expired key was adopted by the next save"
    );
    ensure!(
        store.load(&old).await.ok_or_fail("K3", "load")?.is_none(),
        "K3",
        "the expired key loads a record after the new session was saved"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn k3_load_never_creates_a_record<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let unknown = RandomKeys.generate();
    ensure!(
        store
            .load(&unknown)
            .await
            .ok_or_fail("K3", "load")?
            .is_none(),
        "K3",
        "load of a never-created key returned a record"
    );
    let s = session(&store, Some(unknown.as_str()));
    s.data()
        .await
        .ok_or_fail("K3", "load through the session")?;
    ensure!(
        s.key().is_none(),
        "K3",
        "the session kept the unknown key after loading"
    );
    ensure!(
        !store.exists(&unknown).await.ok_or_fail("K3", "exists")?,
        "K3",
        "exists of an unknown key is true after it was loaded: load created a record"
    );
    ensure!(
        store
            .load(&unknown)
            .await
            .ok_or_fail("K3", "load")?
            .is_none(),
        "K3",
        "an unknown key loads a record after it was loaded once"
    );
    Ok(Outcome::Pass)
}
