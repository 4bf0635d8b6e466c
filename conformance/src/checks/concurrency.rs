//! Concurrency, bounded and clock-free: isolation of concurrent sessions
//! (D1) and atomic saves (R2). The races of K4, L1 and L3 are in `races`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use session_core::{Session, SessionKey, SessionStore};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use super::races::join_all;
use crate::cx::{Checked, Cx, Expect, data, ensure, ensure_eq, fail, off, record, session};
use crate::harness::Harness;
use crate::report::Outcome;

/// Sessions in the isolation check.
const SESSIONS: usize = 500;

/// Saves `s` and returns its key; `None` after an error or without a key.
async fn saved(s: &Session) -> session_core::Result<Option<SessionKey>> {
    s.save().await.map(|()| s.key())
}

pub(crate) async fn d1_concurrent_sessions_stay_isolated<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    // Every session is saved before any is read back, and saved again
    // before any is read the second time: each phase overlaps all others.
    let phase = Arc::new(Barrier::new(SESSIONS));
    let mut set = JoinSet::new();
    for i in 0..SESSIONS {
        let (store, phase) = (store.clone(), phase.clone());
        set.spawn(async move {
            // Every task reaches both barriers, whatever fails, so none waits forever.
            let s = session(&store, None);
            let first = async {
                s.insert("owner", i).await?;
                s.insert("secret", format!("secret-{i}")).await?;
                saved(&s).await
            }
            .await;
            phase.wait().await;
            let second = match &first {
                Ok(Some(key)) => {
                    let t = session(&store, Some(key.as_str()));
                    let step = async {
                        let items = t.items().await?;
                        t.insert("step", 2).await?;
                        Ok::<_, session_core::Error>((items, saved(&t).await?))
                    }
                    .await;
                    Some(step)
                }
                _ => None,
            };
            phase.wait().await;
            let third = match &second {
                Some(Ok((_, Some(key)))) => Some(session(&store, Some(key.as_str())).items().await),
                _ => None,
            };
            (i, first, second, third)
        });
    }
    let mut keys = HashSet::new();
    for (i, first, second, third) in join_all("D1", set).await? {
        first.ok_or_fail("D1", "save of a concurrent session")?;
        let (first, key) = second
            .ok_or_else(|| fail("D1", format!("session {i}: its first save gave no key")))?
            .ok_or_fail("D1", "reload and save of a concurrent session")?;
        let key =
            key.ok_or_else(|| fail("D1", format!("session {i}: its second save gave no key")))?;
        let second = third
            .expect("a key was saved")
            .ok_or_fail("D1", "second reload of a concurrent session")?;
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
    if !store.capabilities().server_side {
        return off(
            "capabilities().server_side is false: every save returns a new key holding its own record, so no stored record is shared to tear",
        );
    }
    let padding = "x".repeat(4_000);
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
            let rec =
                loaded.ok_or_else(|| fail("R2", "the record vanished during concurrent saves"))?;
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
        for (rec, saved) in saves {
            saved.ok_or_fail("R2", "save of a live record during concurrent saves")?;
            written.push(rec);
        }
    }
    let last = store
        .load(&key)
        .await
        .ok_or_fail("R2", "load")?
        .ok_or_else(|| fail("R2", "the record vanished after concurrent saves"))?;
    ensure!(
        written.contains(&last),
        "R2",
        "the record after concurrent saves is none of the records written"
    );
    Ok(Outcome::Pass)
}
