//! E5: expiry enforced to the instant, for every kind of expiry.

use std::time::Duration as StdDuration;

use serde_json::json;
use session_core::time::Duration;
use session_core::{Expiry, SessionStore};

use crate::cx::{Checked, Cx, Expect, data, ensure, now, record_expiring, session, tick};
use crate::harness::Harness;
use crate::report::Outcome;

const AGE: i64 = session_core::config::DEFAULT_COOKIE_AGE;

pub(crate) async fn e5_expired_record_is_never_returned<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    let key = store
        .create(&record_expiring(&*store, data([("x", json!(1))]), 10))
        .await
        .ok_or_fail("E5", "create")?;
    let gone = store
        .create(&record_expiring(&*store, data([("x", json!(2))]), -5))
        .await
        .ok_or_fail("E5", "create of a record that expired 5 s ago")?;
    ensure!(
        store.load(&gone).await.ok_or_fail("E5", "load")?.is_none(),
        "E5",
        "a record created already expired loads"
    );
    ctx.clock
        .advance(StdDuration::from_secs(10) - tick(&*store));
    ensure!(
        store.load(&key).await.ok_or_fail("E5", "load")?.is_some(),
        "E5",
        "a record is gone one tick before its expiry"
    );
    ctx.clock.advance(tick(&*store));
    ensure!(
        store.load(&key).await.ok_or_fail("E5", "load")?.is_none(),
        "E5",
        "a record loads at its exact expiry instant (expires_at == now is not live)"
    );
    ctx.clock.advance_secs(AGE * 2);
    ensure!(
        store.load(&key).await.ok_or_fail("E5", "load")?.is_none(),
        "E5",
        "a record loads four weeks after its expiry"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn e5_every_expiry_kind_is_enforced_at_its_boundary<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (ctx, store) = cx.open().await?;
    let t0 = now(&*store);
    let kinds = [
        (Expiry::In(Duration::seconds(20)), 20),
        (Expiry::Seconds(30), 30),
        (Expiry::At(t0 + Duration::seconds(45)), 45),
        (Expiry::BrowserClose, AGE),
        (Expiry::Default, AGE),
    ];
    let mut keys = Vec::new();
    for (expiry, _) in &kinds {
        let s = session(&store, None);
        s.insert("kind", format!("{expiry:?}"))
            .await
            .ok_or_fail("E5", "insert")?;
        s.set_expiry(*expiry).await.ok_or_fail("E5", "set_expiry")?;
        s.save().await.ok_or_fail("E5", "save")?;
        keys.push(s.key().expect("saved"));
    }
    for (i, (expiry, lifetime)) in kinds.iter().enumerate() {
        let boundary = t0 + Duration::seconds(*lifetime);
        ctx.clock.set(boundary - tick(&*store));
        for (j, (other, other_lifetime)) in kinds.iter().enumerate().skip(i) {
            let s = session(&store, Some(keys[j].as_str()));
            let live = s.contains("kind").await.ok_or_fail("E5", "contains")?;
            ensure!(
                live,
                "E5",
                "a session with {other:?} (lifetime {other_lifetime} s) is gone one tick before {lifetime} s"
            );
        }
        ctx.clock.set(boundary);
        let s = session(&store, Some(keys[i].as_str()));
        let live = s.contains("kind").await.ok_or_fail("E5", "contains")?;
        ensure!(
            !live,
            "E5",
            "a session with {expiry:?} still loads at its expiry instant, {lifetime} s after its save"
        );
        ensure!(
            s.key().is_none(),
            "E5",
            "a session with {expiry:?} kept its expired key"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn e5_handle_drops_an_expired_session<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    for expiry in [
        Expiry::In(Duration::seconds(-10)),
        Expiry::Seconds(-10),
        Expiry::At(now(&*store) - Duration::seconds(1)),
    ] {
        let s = session(&store, None);
        s.insert("foo", "bar").await.ok_or_fail("E5", "insert")?;
        s.set_expiry(expiry).await.ok_or_fail("E5", "set_expiry")?;
        s.save()
            .await
            .ok_or_fail("E5", "save of an already expired session")?;
        let key = s.key().expect("saved");
        let t = session(&store, Some(key.as_str()));
        let has = t.contains("foo").await.ok_or_fail("E5", "contains")?;
        ensure!(
            !has,
            "E5",
            "a session saved with set_expiry({expiry:?}) still holds its data (Django's test_actual_expiry)"
        );
    }
    Ok(Outcome::Pass)
}

pub(crate) async fn e5_integer_expiry_ends_at_its_instant<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    let t0 = now(&*store);
    // A client-side store ends every session at the cookie age at the latest
    // (Django's signed_cookies checks the signature's age against it).
    let mut lifetimes = vec![1, AGE - 1];
    if store.capabilities().server_side {
        lifetimes.push(AGE + 3600);
    }
    let mut keys = Vec::new();
    for seconds in lifetimes.iter().copied().chain([-3600]) {
        ctx.clock.set(t0);
        let s = session(&store, None);
        s.insert("foo", "bar").await.ok_or_fail("E5", "insert")?;
        s.set_expiry(Expiry::Seconds(seconds))
            .await
            .ok_or_fail("E5", "set_expiry")?;
        s.save().await.ok_or_fail("E5", "save")?;
        keys.push((seconds, s.key()));
    }
    for (seconds, key) in &keys {
        let Some(key) = key else {
            continue;
        };
        let loads_at = |offset: Duration| {
            let store = store.clone();
            let ctx_clock = ctx.clock.clone();
            async move {
                ctx_clock.set(t0 + offset);
                session(&store, Some(key.as_str()))
                    .contains("foo")
                    .await
                    .ok_or_fail("E5", "contains")
            }
        };
        if *seconds < 0 {
            ensure!(
                !loads_at(Duration::ZERO).await?,
                "E5",
                "a session saved with set_expiry({seconds}) loads"
            );
            continue;
        }
        let boundary = Duration::seconds(*seconds);
        ensure!(
            loads_at(boundary - tick(&*store)).await?,
            "E5",
            "a session saved with set_expiry({seconds}) is gone one tick before {seconds} s"
        );
        ensure!(
            !loads_at(boundary).await?,
            "E5",
            "a session saved with set_expiry({seconds}) still loads {seconds} s after its save"
        );
    }
    Ok(Outcome::Pass)
}
