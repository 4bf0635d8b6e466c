//! Races, bounded and clock-free: forced key collisions (K4), logout
//! against save (L1), cycle_key against a stale save (L3), isolation of
//! concurrent sessions (D1) and atomic saves (R2).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use session_core::{ErrorKind, KeyGenerator, RandomKeys, SessionKey, SessionStore};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::cx::{
    Checked, Cx, Expect, OFF_CLIENT_SIDE, Stop, data, ensure, ensure_eq, fail, off, record, session,
};
use crate::harness::{Ctx, Harness};
use crate::report::Outcome;

/// Tasks in the K4 and L1 races.
pub(crate) const RACES: usize = 1_000;
/// Sessions in the isolation check and pairs in the cycle_key race.
const SESSIONS: usize = 500;

/// Waits for every task, turning a panic or cancellation into a failure.
async fn join_all<T: 'static>(rule: &'static str, mut set: JoinSet<T>) -> Result<Vec<T>, Stop> {
    let mut out = Vec::with_capacity(set.len());
    while let Some(joined) = set.join_next().await {
        out.push(joined.map_err(|e| fail(rule, format!("a task of the race failed: {e}")))?);
    }
    Ok(out)
}

/// Creates `n` records concurrently, returning their keys in order.
async fn create_many<S: SessionStore + 'static>(
    store: &Arc<S>,
    n: usize,
    rule: &'static str,
) -> Result<Vec<SessionKey>, Stop> {
    let mut set = JoinSet::new();
    for i in 0..n {
        let store = store.clone();
        set.spawn(async move {
            let rec = record(&*store, data([("i", json!(i))]));
            (i, store.create(&rec).await)
        });
    }
    let mut keys = vec![None; n];
    for (i, created) in join_all(rule, set).await? {
        keys[i] = Some(created.ok_or_fail(rule, "create")?);
    }
    Ok(keys.into_iter().flatten().collect())
}

pub(crate) async fn k4_concurrent_creates_with_one_forced_key_leave_one_holder<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let fixed = RandomKeys.generate();
    let ctx = Ctx::new().with_fixed_key(fixed.clone());
    let store = cx.open_in(&ctx).await?;
    if !store.capabilities().server_side {
        return off("capabilities().server_side is false: a client-side store draws no keys");
    }
    let mut set = JoinSet::new();
    for i in 0..RACES {
        let store = store.clone();
        set.spawn(async move {
            let rec = record(&*store, data([("writer", json!(i))]));
            (i, store.create(&rec).await)
        });
    }
    let mut winners = Vec::new();
    for (i, result) in join_all("K4", set).await? {
        match result {
            Ok(key) => {
                ensure_eq!(key, fixed, "K4", "key returned by a concurrent create");
                winners.push(i);
            }
            Err(e) if e.kind() == ErrorKind::KeyCollision => {}
            Err(e) => {
                return Err(fail(
                    "K4",
                    format!(
                        "concurrent create {i}: expected Ok or Err(KeyCollision), observed Err({:?}): {e}",
                        e.kind()
                    ),
                ));
            }
        }
    }
    ensure!(
        winners.len() == 1,
        "K4",
        "{} of {RACES} concurrent creates on one forced key succeeded: expected exactly 1",
        winners.len()
    );
    let loaded = store.load(&fixed).await.ok_or_fail("K4", "load")?;
    let holder = loaded.and_then(|r| r.data.get("writer").cloned());
    ensure_eq!(
        holder,
        Some(json!(winners[0])),
        "K4",
        "writer of the stored record (a later create overwrote the winner)"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_logout_save_races_resurrect_nothing<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let keys = create_many(&store, RACES, "L1").await?;
    let mut set = JoinSet::new();
    for (i, key) in keys.iter().enumerate() {
        let (store, key) = (store.clone(), key.clone());
        let save_first = i % 2 == 0;
        set.spawn(async move {
            // Alternate which side is spawned first and let the scheduler mix them.
            let logout = {
                let (store, key) = (store.clone(), key.clone());
                async move { store.delete(&key).await }
            };
            let stale = async move {
                for _ in 0..(i % 3) {
                    tokio::task::yield_now().await;
                }
                let rec = record(&*store, data([("stale", json!(i))]));
                store.save(&key, &rec).await
            };
            let (deleted, saved) = if save_first {
                let saved = tokio::spawn(stale);
                let deleted = tokio::spawn(logout);
                (deleted.await, saved.await)
            } else {
                let deleted = tokio::spawn(logout);
                let saved = tokio::spawn(stale);
                (deleted.await, saved.await)
            };
            (i, deleted, saved)
        });
    }
    for (i, deleted, saved) in join_all("L1", set).await? {
        let deleted = deleted.map_err(|e| fail("L1", format!("delete task {i} failed: {e}")))?;
        deleted.ok_or_fail("L1", "delete")?;
        match saved.map_err(|e| fail("L1", format!("save task {i} failed: {e}")))? {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(fail(
                    "L1",
                    format!(
                        "save racing a delete: expected Ok or Err(Interrupted), observed Err({:?}): {e}",
                        e.kind()
                    ),
                ));
            }
        }
    }
    let mut resurrected = 0;
    for key in &keys {
        if store.load(key).await.ok_or_fail("L1", "load")?.is_some() {
            resurrected += 1;
        }
    }
    ensure!(
        resurrected == 0,
        "L1",
        "{resurrected} of {RACES} sessions are alive after logout-versus-save races: a save after the delete resurrected them"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn l3_cycle_key_beats_a_stale_concurrent_save<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if !store.capabilities().server_side {
        return off(OFF_CLIENT_SIDE);
    }
    let keys = create_many(&store, SESSIONS, "L3").await?;
    let mut set = JoinSet::new();
    for (i, key) in keys.iter().enumerate() {
        let (store, key) = (store.clone(), key.clone());
        set.spawn(async move {
            let login = session(&store, Some(key.as_str()));
            let stale = session(&store, Some(key.as_str()));
            // Both requests have loaded the session before either writes.
            let loaded = (login.len().await, stale.len().await);
            let cycle = {
                let login = login.clone();
                async move { login.cycle_key().await }
            };
            let stale_save = async move {
                for _ in 0..(i % 3) {
                    tokio::task::yield_now().await;
                }
                stale.insert("stale", i).await?;
                stale.save().await
            };
            // Alternate which side is spawned first, so both orders occur.
            let (cycled, saved) = if i % 2 == 0 {
                let cycled = tokio::spawn(cycle);
                let saved = tokio::spawn(stale_save);
                (cycled.await, saved.await)
            } else {
                let saved = tokio::spawn(stale_save);
                let cycled = tokio::spawn(cycle);
                (cycled.await, saved.await)
            };
            (i, key, loaded, cycled, saved, login.key())
        });
    }
    for (i, old, loaded, cycled, saved, new) in join_all("L3", set).await? {
        loaded.0.ok_or_fail("L3", "load")?;
        loaded.1.ok_or_fail("L3", "load")?;
        cycled
            .map_err(|e| fail("L3", format!("cycle_key task {i} failed: {e}")))?
            .ok_or_fail("L3", "cycle_key")?;
        match saved.map_err(|e| fail("L3", format!("save task {i} failed: {e}")))? {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(fail(
                    "L3",
                    format!(
                        "stale save racing cycle_key: expected Ok or Err(Interrupted), observed Err({:?}): {e}",
                        e.kind()
                    ),
                ));
            }
        }
        ensure!(
            store.load(&old).await.ok_or_fail("L3", "load")?.is_none(),
            "L3",
            "pair {i}: the old key is alive after cycle_key raced a stale save"
        );
        let new = new.expect("cycled");
        let rec = store.load(&new).await.ok_or_fail("L3", "load")?;
        let stale_seen = rec.as_ref().map(|r| r.data.contains_key("stale"));
        ensure_eq!(
            stale_seen,
            Some(false),
            "L3",
            "pair {i}: the new key's record holds the stale save's write (or is missing)"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn d1_concurrent_sessions_stay_isolated<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let mut set = JoinSet::new();
    for i in 0..SESSIONS {
        let store = store.clone();
        set.spawn(async move {
            let check = async {
                let s = session(&store, None);
                s.insert("owner", i).await?;
                s.insert("secret", format!("secret-{i}")).await?;
                s.save().await?;
                let key = s.key().expect("saved");
                let t = session(&store, Some(key.as_str()));
                let first = t.items().await?;
                t.insert("step", 2).await?;
                t.save().await?;
                let key = t.key().expect("saved");
                let second = session(&store, Some(key.as_str())).items().await?;
                Ok::<_, session_core::Error>((key, first, second))
            };
            (i, check.await)
        });
    }
    let mut keys = HashSet::new();
    for (i, result) in join_all("D1", set).await? {
        let (key, first, second) = result.ok_or_fail("D1", "a concurrent session")?;
        let mine = vec![
            ("owner".to_owned(), json!(i)),
            ("secret".to_owned(), json!(format!("secret-{i}"))),
        ];
        ensure_eq!(
            first,
            mine,
            "D1",
            "session {i} reloaded among {SESSIONS} concurrent sessions"
        );
        let mut with_step = mine.clone();
        with_step.push(("step".to_owned(), json!(2)));
        ensure_eq!(
            second,
            with_step,
            "D1",
            "session {i} after its second save among {SESSIONS} concurrent sessions"
        );
        ensure!(
            keys.insert(key),
            "D1",
            "two concurrent sessions ended with the same key"
        );
    }
    Ok(Outcome::Pass)
}

/// A record whose `a`, `b` and `c` all name writer `w`: a torn write mixes them.
fn whole(w: usize, n: usize, padding: &str) -> session_core::Data {
    data([
        ("a", json!(w)),
        ("pad", json!(padding)),
        ("b", json!(w)),
        ("n", json!(n)),
        ("c", json!(w)),
    ])
}

pub(crate) async fn r2_concurrent_saves_never_tear_a_record<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    const WRITERS: usize = 32;
    const SAVES: usize = 8;
    const READERS: usize = 8;
    const READS: usize = 256;
    let (_ctx, store) = cx.open().await?;
    let server_side = store.capabilities().server_side;
    let padding = "x".repeat(if server_side { 4_000 } else { 200 });
    let key = store
        .create(&record(&*store, whole(usize::MAX, 0, &padding)))
        .await
        .ok_or_fail("R2", "create")?;
    let writing = Arc::new(AtomicUsize::new(WRITERS));
    // Everyone starts together, so readers overlap every writer.
    let start = Arc::new(Barrier::new(WRITERS + READERS));
    let mut set = JoinSet::new();
    for w in 0..WRITERS {
        let (store, key, padding) = (store.clone(), key.clone(), padding.clone());
        let (writing, start) = (writing.clone(), start.clone());
        set.spawn(async move {
            start.wait().await;
            let mut out = Vec::new();
            for n in 0..SAVES {
                let rec = record(&*store, whole(w, n, &padding));
                out.push((rec.clone(), store.save(&key, &rec).await));
            }
            writing.fetch_sub(1, Ordering::SeqCst);
            (Vec::new(), out)
        });
    }
    for _ in 0..READERS {
        let (store, key, writing) = (store.clone(), key.clone(), writing.clone());
        let start = start.clone();
        set.spawn(async move {
            start.wait().await;
            // Read for as long as anyone writes, up to a bound.
            let mut seen = Vec::new();
            while writing.load(Ordering::SeqCst) > 0 && seen.len() < READS {
                seen.push(store.load(&key).await);
                tokio::task::yield_now().await;
            }
            (seen, Vec::new())
        });
    }
    let consistent = |d: &session_core::Data| {
        d.get("a") == d.get("b") && d.get("b") == d.get("c") && d.len() == 5
    };
    let mut written = Vec::new();
    for (seen, saves) in join_all("R2", set).await? {
        for loaded in seen {
            let loaded = loaded.ok_or_fail("R2", "load during concurrent saves")?;
            if server_side {
                let rec = loaded
                    .ok_or_else(|| fail("R2", "the record vanished during concurrent saves"))?;
                ensure!(
                    consistent(&rec.data),
                    "R2",
                    "a load during concurrent saves returned a torn record: {:?}",
                    rec.data
                        .iter()
                        .filter(|(k, _)| *k != "pad")
                        .collect::<Vec<_>>()
                );
            }
        }
        for (rec, saved) in saves {
            let new_key =
                saved.ok_or_fail("R2", "save of a live record during concurrent saves")?;
            written.push((rec, new_key));
        }
    }
    if server_side {
        let last = store
            .load(&key)
            .await
            .ok_or_fail("R2", "load")?
            .ok_or_else(|| fail("R2", "the record vanished after concurrent saves"))?;
        ensure!(
            written.iter().any(|(rec, _)| *rec == last),
            "R2",
            "the record after concurrent saves is none of the records written"
        );
    } else {
        for (rec, new_key) in &written {
            let loaded = store.load(new_key).await.ok_or_fail("R2", "load")?;
            ensure_eq!(
                loaded.as_ref(),
                Some(rec),
                "R2",
                "a client-side key returned by a concurrent save"
            );
        }
    }
    Ok(Outcome::Pass)
}
