//! Races that must stay atomic, bounded and clock-free: forced key
//! collisions (K4), logout against save (L1) and cycle_key against a stale
//! save (L3). Each runs on one store instance, and again with half its
//! tasks on a second instance over the same engine, as two processes would
//! have, when the store says it is shared across processes.

use std::sync::Arc;

use serde_json::json;
use session_core::{ErrorKind, KeyGenerator, RandomKeys, SessionKey, SessionStore};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use super::collision::OFF_NO_KEYS;
use crate::cx::{
    Checked, Cx, Expect, OFF_CLIENT_SIDE, OFF_NOT_SHARED, Stop, data, ensure, ensure_eq, fail, off,
    record, session,
};
use crate::harness::{Ctx, Harness};
use crate::report::Outcome;

/// Tasks in the K4 and L1 races.
pub(crate) const RACES: usize = 1_000;
/// Pairs in the cycle_key race.
const PAIRS: usize = 500;

/// Waits for every task, turning a panic or cancellation into a failure.
pub(crate) async fn join_all<T: 'static>(
    rule: &'static str,
    mut set: JoinSet<T>,
) -> Result<Vec<T>, Stop> {
    let mut out = Vec::with_capacity(set.len());
    while let Some(joined) = set.join_next().await {
        out.push(joined.map_err(|e| fail(rule, format!("a task of the race failed: {e}")))?);
    }
    Ok(out)
}

/// The two stores a race runs on: the same instance twice, or (`across`)
/// two instances opened with the same context. `None` when a capability
/// switches the race off, with the reason.
async fn instances<H: Harness>(
    cx: &Cx<'_, H>,
    ctx: &Ctx,
    across: bool,
    client_side_reason: &'static str,
) -> Result<Result<[Arc<H::Store>; 2], &'static str>, Stop> {
    let first = cx.open_in(ctx).await?;
    let caps = first.capabilities();
    if !caps.server_side {
        return Ok(Err(client_side_reason));
    }
    if !across {
        return Ok(Ok([first.clone(), first]));
    }
    if !caps.shared_across_processes {
        return Ok(Err(OFF_NOT_SHARED));
    }
    let second = cx.open_in(ctx).await?;
    Ok(Ok([first, second]))
}

/// Creates `n` records concurrently, task `i` on `stores[i % 2]`, returning
/// their keys in order.
async fn create_many<S: SessionStore + 'static>(
    stores: &[Arc<S>; 2],
    n: usize,
    rule: &'static str,
) -> Result<Vec<SessionKey>, Stop> {
    let mut set = JoinSet::new();
    for i in 0..n {
        let store = stores[i % 2].clone();
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

async fn forced_key_creates<H: Harness>(cx: &Cx<'_, H>, across: bool) -> Checked {
    let fixed = RandomKeys.generate();
    let ctx = Ctx::new().with_fixed_key(fixed.clone());
    let stores = match instances(cx, &ctx, across, OFF_NO_KEYS).await? {
        Ok(stores) => stores,
        Err(reason) => return off(reason),
    };
    // Every create starts once all are spawned, so the first ones overlap.
    let start = Arc::new(Barrier::new(RACES));
    let mut set = JoinSet::new();
    for i in 0..RACES {
        let (store, start) = (stores[i % 2].clone(), start.clone());
        set.spawn(async move {
            start.wait().await;
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
    let place = if across {
        " over two store instances"
    } else {
        ""
    };
    ensure!(
        winners.len() == 1,
        "K4",
        "{} of {RACES} concurrent creates on one forced key{place} succeeded: expected exactly 1",
        winners.len()
    );
    for (n, store) in stores.iter().enumerate() {
        let loaded = store.load(&fixed).await.ok_or_fail("K4", "load")?;
        let holder = loaded.and_then(|r| r.data.get("writer").cloned());
        ensure_eq!(
            holder,
            Some(json!(winners[0])),
            "K4",
            "writer of the stored record seen by instance {n} (a later create overwrote the winner)"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn k4_concurrent_creates_with_one_forced_key_leave_one_holder<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    forced_key_creates(cx, false).await
}

pub(crate) async fn k4_cross_instance_creates_with_one_forced_key_leave_one_holder<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    forced_key_creates(cx, true).await
}

async fn logout_save_races<H: Harness>(cx: &Cx<'_, H>, across: bool) -> Checked {
    let stores = match instances(cx, &Ctx::new(), across, OFF_CLIENT_SIDE).await? {
        Ok(stores) => stores,
        Err(reason) => return off(reason),
    };
    let keys = create_many(&stores, RACES, "L1").await?;
    let mut set = JoinSet::new();
    for (i, key) in keys.iter().enumerate() {
        // The delete runs on one instance, the stale save on the other.
        let (deleter, saver) = (stores[i % 2].clone(), stores[(i + 1) % 2].clone());
        let key = key.clone();
        let save_first = i % 2 == 0;
        set.spawn(async move {
            // Alternate which side is spawned first and let the scheduler mix them.
            let logout = {
                let key = key.clone();
                async move { deleter.delete(&key).await }
            };
            let stale = async move {
                for _ in 0..(i % 3) {
                    tokio::task::yield_now().await;
                }
                let rec = record(&*saver, data([("stale", json!(i))]));
                saver.save(&key, &rec).await
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
    let place = if across {
        " over two store instances"
    } else {
        ""
    };
    for (n, store) in stores.iter().enumerate() {
        let mut resurrected = 0;
        for key in &keys {
            if store.load(key).await.ok_or_fail("L1", "load")?.is_some() {
                resurrected += 1;
            }
        }
        ensure!(
            resurrected == 0,
            "L1",
            "{resurrected} of {RACES} sessions are alive (seen by instance {n}) after logout-versus-save races{place}: a save after the delete resurrected them"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn l1_logout_save_races_resurrect_nothing<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    logout_save_races(cx, false).await
}

pub(crate) async fn l1_cross_instance_logout_save_races_resurrect_nothing<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    logout_save_races(cx, true).await
}

async fn cycle_key_races<H: Harness>(cx: &Cx<'_, H>, across: bool) -> Checked {
    let stores = match instances(cx, &Ctx::new(), across, OFF_CLIENT_SIDE).await? {
        Ok(stores) => stores,
        Err(reason) => return off(reason),
    };
    let keys = create_many(&stores, PAIRS, "L3").await?;
    let mut set = JoinSet::new();
    for (i, key) in keys.iter().enumerate() {
        // The login runs on one instance, the stale request on the other.
        let login = session(&stores[i % 2], Some(key.as_str()));
        let stale = session(&stores[(i + 1) % 2], Some(key.as_str()));
        let key = key.clone();
        set.spawn(async move {
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
    let place = if across {
        " on another store instance"
    } else {
        ""
    };
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
        let new = new.expect("cycled");
        for (n, store) in stores.iter().enumerate() {
            ensure!(
                store.load(&old).await.ok_or_fail("L3", "load")?.is_none(),
                "L3",
                "pair {i}: the old key is alive (seen by instance {n}) after cycle_key raced a stale save{place}"
            );
            let rec = store.load(&new).await.ok_or_fail("L3", "load")?;
            let stale_seen = rec.as_ref().map(|r| r.data.contains_key("stale"));
            ensure_eq!(
                stale_seen,
                Some(false),
                "L3",
                "pair {i}: the new key's record seen by instance {n} holds the stale save's write{place} (or is missing)"
            );
        }
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn l3_cycle_key_beats_a_stale_concurrent_save<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    cycle_key_races(cx, false).await
}

pub(crate) async fn l3_cross_instance_cycle_key_beats_a_stale_save<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    cycle_key_races(cx, true).await
}
