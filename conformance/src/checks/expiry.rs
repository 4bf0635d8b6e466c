//! E1..E4: default age, stored per-session expiry and Django's getters.

use serde_json::{Value, json};
use session_core::time::{Duration, OffsetDateTime, UtcOffset};
use session_core::{Config, EXPIRY_KEY, Expiry, SessionStore, StoredExpiry};

use crate::cx::{Checked, Cx, Expect, ensure, ensure_eq, now, off, session, session_with, tick};
use crate::harness::Harness;
use crate::report::Outcome;

const AGE: i64 = session_core::config::DEFAULT_COOKIE_AGE;

/// The record stored for `key`, or a failure.
async fn stored<S: SessionStore>(
    store: &S,
    key: &session_core::SessionKey,
    rule: &'static str,
    what: &str,
) -> Result<session_core::Record, crate::cx::Stop> {
    store
        .load(key)
        .await
        .ok_or_fail(rule, what)?
        .ok_or_else(|| crate::cx::fail(rule, format!("{what}: expected a record, observed None")))
}

pub(crate) async fn e1_default_age_is_two_weeks_from_the_last_save<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (ctx, store) = cx.open().await?;
    let t0 = now(&*store);
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("E1", "insert")?;
    ensure_eq!(
        s.expiry_age().await.ok_or_fail("E1", "expiry_age")?,
        AGE,
        "E1",
        "default expiry_age"
    );
    ensure!(
        !s.expire_at_browser_close()
            .await
            .ok_or_fail("E1", "expire_at_browser_close")?,
        "E1",
        "a default session expires at browser close"
    );
    s.save().await.ok_or_fail("E1", "save")?;
    let key = s.key().expect("saved");
    let rec = stored(&*store, &key, "E1", "load after save").await?;
    ensure_eq!(
        rec.expires_at,
        t0 + Duration::seconds(AGE),
        "E1",
        "expires_at of a default session saved at {t0}"
    );
    ctx.clock.advance_secs(86_400);
    let t1 = now(&*store);
    let s = session(&store, Some(key.as_str()));
    s.insert("y", 2).await.ok_or_fail("E1", "insert")?;
    s.save().await.ok_or_fail("E1", "save a day later")?;
    let key = s.key().expect("saved");
    let rec = stored(&*store, &key, "E1", "load after the second save").await?;
    ensure_eq!(
        rec.expires_at,
        t1 + Duration::seconds(AGE),
        "E1",
        "expires_at after a save one day later (counted from the last save)"
    );
    ctx.clock.set(rec.expires_at - tick(&*store));
    ensure!(
        store.load(&key).await.ok_or_fail("E1", "load")?.is_some(),
        "E1",
        "a default session is gone one tick before two weeks after its last save"
    );
    ctx.clock.set(rec.expires_at);
    ensure!(
        store.load(&key).await.ok_or_fail("E1", "load")?.is_none(),
        "E1",
        "a default session still loads two weeks after its last save"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn e2_set_expiry_is_stored_in_djangos_representation<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let t0 = now(&*store); // 2023-11-14T22:13:20Z
    let plus2 = UtcOffset::from_hms(2, 0, 0).expect("offset");
    let cases: [(Expiry, Value, OffsetDateTime); 6] = [
        (
            Expiry::Seconds(300),
            json!(300),
            t0 + Duration::seconds(300),
        ),
        (Expiry::BrowserClose, json!(0), t0 + Duration::seconds(AGE)),
        (Expiry::Seconds(0), json!(0), t0 + Duration::seconds(AGE)),
        (
            Expiry::At((t0 + Duration::hours(1)).to_offset(plus2)),
            json!("2023-11-15T01:13:20+02:00"),
            t0 + Duration::hours(1),
        ),
        (
            Expiry::In(Duration::seconds(90)),
            json!("2023-11-14T22:14:50+00:00"),
            t0 + Duration::seconds(90),
        ),
        (
            Expiry::At(t0 + Duration::milliseconds(1_500)),
            json!("2023-11-14T22:13:21.500000+00:00"),
            t0 + Duration::milliseconds(1_500),
        ),
    ];
    for (expiry, repr, expires_at) in cases {
        let what = format!("set_expiry({expiry:?})");
        let s = session(&store, None);
        s.insert("x", 1).await.ok_or_fail("E2", "insert")?;
        s.set_expiry(expiry).await.ok_or_fail("E2", &what)?;
        s.save().await.ok_or_fail("E2", "save")?;
        let key = s.key().expect("saved");
        let rec = stored(&*store, &key, "E2", &format!("load after {what}")).await?;
        ensure_eq!(
            rec.data.get(EXPIRY_KEY),
            Some(&repr),
            "E2",
            "stored `_session_expiry` after {what}"
        );
        ensure_eq!(rec.expires_at, expires_at, "E2", "expires_at after {what}");
        let t = session(&store, Some(key.as_str()));
        let reloaded = t.expiry().await.ok_or_fail("E2", "expiry")?;
        ensure_eq!(
            reloaded,
            StoredExpiry::from_value(&repr),
            "E2",
            "expiry reloaded after {what}"
        );
    }
    // Default removes the stored expiry and goes back to the default age.
    let s = session(&store, None);
    s.set_expiry(Expiry::Seconds(10))
        .await
        .ok_or_fail("E2", "set_expiry")?;
    s.save().await.ok_or_fail("E2", "save")?;
    s.set_expiry(Expiry::Default)
        .await
        .ok_or_fail("E2", "set_expiry(Default)")?;
    s.save().await.ok_or_fail("E2", "save")?;
    let key = s.key().expect("saved");
    let rec = stored(&*store, &key, "E2", "load after set_expiry(Default)").await?;
    ensure!(
        !rec.data.contains_key(EXPIRY_KEY),
        "E2",
        "set_expiry(Default) left `_session_expiry` in the data"
    );
    ensure_eq!(
        rec.expires_at,
        t0 + Duration::seconds(AGE),
        "E2",
        "expires_at after set_expiry(Default)"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn e3_expiry_age_and_date_follow_django<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let m = now(&*store);
    let s = session(&store, None);
    ensure_eq!(
        s.expiry_age().await.ok_or_fail("E3", "expiry_age")?,
        AGE,
        "E3",
        "default expiry_age"
    );
    s.set_expiry(Expiry::BrowserClose)
        .await
        .ok_or_fail("E3", "set_expiry")?;
    ensure_eq!(
        s.expiry_age().await.ok_or_fail("E3", "expiry_age")?,
        AGE,
        "E3",
        "expiry_age of a browser-close session (Django's test_default_expiry)"
    );
    s.set_expiry(Expiry::Seconds(10))
        .await
        .ok_or_fail("E3", "set_expiry")?;
    ensure_eq!(
        s.expiry_date_at(m).await.ok_or_fail("E3", "expiry_date")?,
        m + Duration::seconds(10),
        "E3",
        "expiry_date(modification=m) after set_expiry(10)"
    );
    ensure_eq!(
        s.expiry_age_at(m).await.ok_or_fail("E3", "expiry_age")?,
        10,
        "E3",
        "expiry_age(modification=m) after set_expiry(10)"
    );
    ensure_eq!(
        s.expiry_age_at(m + Duration::seconds(5))
            .await
            .ok_or_fail("E3", "expiry_age")?,
        10,
        "E3",
        "an integer expiry_age ignores the modification time"
    );
    s.set_expiry(Expiry::In(Duration::seconds(10)))
        .await
        .ok_or_fail("E3", "set_expiry")?;
    ensure_eq!(
        s.expiry_date().await.ok_or_fail("E3", "expiry_date")?,
        m + Duration::seconds(10),
        "E3",
        "expiry_date after set_expiry(timedelta(10 s))"
    );
    ensure_eq!(
        s.expiry_age().await.ok_or_fail("E3", "expiry_age")?,
        10,
        "E3",
        "expiry_age after set_expiry(timedelta(10 s))"
    );
    s.set_expiry(Expiry::At(m + Duration::seconds(10)))
        .await
        .ok_or_fail("E3", "set_expiry")?;
    s.save().await.ok_or_fail("E3", "save")?;
    let key = s.key().expect("saved");
    let t = session(&store, Some(key.as_str()));
    ensure_eq!(
        t.expiry_date_at(m).await.ok_or_fail("E3", "expiry_date")?,
        m + Duration::seconds(10),
        "E3",
        "expiry_date of an instant after a reload (ISO round trip)"
    );
    ensure_eq!(
        t.expiry_age_at(m).await.ok_or_fail("E3", "expiry_age")?,
        10,
        "E3",
        "expiry_age of an instant after a reload"
    );
    for (offset_ms, age) in [(1_500, 1), (-500, -1), (-30_000, -30)] {
        t.set_expiry(Expiry::At(m + Duration::milliseconds(offset_ms)))
            .await
            .ok_or_fail("E3", "set_expiry")?;
        ensure_eq!(
            t.expiry_age_at(m).await.ok_or_fail("E3", "expiry_age")?,
            age,
            "E3",
            "expiry_age of an instant {offset_ms} ms away (floored)"
        );
    }
    t.set_expiry(Expiry::Default)
        .await
        .ok_or_fail("E3", "set_expiry")?;
    ensure_eq!(
        t.expiry_age().await.ok_or_fail("E3", "expiry_age")?,
        AGE,
        "E3",
        "expiry_age after set_expiry(None) (Django's test_custom_expiry_reset)"
    );
    let fresh = session(&store, None);
    ensure_eq!(
        fresh.expiry_age_for(m, Some(StoredExpiry::Seconds(5))),
        5,
        "E3",
        "expiry_age(expiry=5)"
    );
    ensure_eq!(
        fresh.expiry_date_for(m, None),
        m + Duration::seconds(AGE),
        "E3",
        "expiry_date(expiry=None)"
    );
    ensure!(
        !fresh.accessed(),
        "E3",
        "expiry_age/expiry_date with an explicit expiry marked the session accessed"
    );
    // A custom age, as Django's custom-database test uses (one day).
    let day = session_with(&store, Config::default().with_cookie_age(86_400), None);
    ensure_eq!(
        day.expiry_age().await.ok_or_fail("E3", "expiry_age")?,
        86_400,
        "E3",
        "expiry_age with cookie_age = 1 day"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn e3_custom_age_sets_the_stored_expiry<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (ctx, store) = cx.open().await?;
    // A client-side store derives the instant from its own configured age,
    // so only a server-side record shows the session's custom age.
    if !store.capabilities().server_side {
        return off(
            "capabilities().server_side is false: a client-side store derives expires_at from its own configured age, not the session's Config (the getters with a custom age are checked by e3_expiry_age_and_date_follow_django)",
        );
    }
    let m = now(&*store);
    let day = session_with(&store, Config::default().with_cookie_age(86_400), None);
    day.insert("x", 1).await.ok_or_fail("E3", "insert")?;
    day.save().await.ok_or_fail("E3", "save")?;
    let key = day.key().expect("saved");
    let rec = stored(&*store, &key, "E3", "load").await?;
    ensure_eq!(
        rec.expires_at,
        m + Duration::seconds(86_400),
        "E3",
        "expires_at with cookie_age = 1 day"
    );
    ctx.clock.set(rec.expires_at - tick(&*store));
    ensure!(
        store.load(&key).await.ok_or_fail("E3", "load")?.is_some(),
        "E3",
        "a session with cookie_age = 1 day is gone one tick before a day"
    );
    ctx.clock.set(rec.expires_at);
    ensure!(
        store.load(&key).await.ok_or_fail("E3", "load")?.is_none(),
        "E3",
        "a session with cookie_age = 1 day still loads a day after its save"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn e4_expire_at_browser_close_follows_django<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (ctx, store) = cx.open().await?;
    for setting in [false, true] {
        let config = Config::default().with_expire_at_browser_close(setting);
        let s = session_with(&store, config, None);
        for (expiry, expected) in [
            (Expiry::Seconds(10), false),
            (Expiry::BrowserClose, true),
            (Expiry::Default, setting),
        ] {
            s.set_expiry(expiry).await.ok_or_fail("E4", "set_expiry")?;
            let got = s
                .expire_at_browser_close()
                .await
                .ok_or_fail("E4", "expire_at_browser_close")?;
            ensure_eq!(
                got,
                expected,
                "E4",
                "expire_at_browser_close with the setting {setting} after set_expiry({expiry:?})"
            );
        }
    }
    let t0 = now(&*store);
    let s = session(&store, None);
    s.set_expiry(Expiry::BrowserClose)
        .await
        .ok_or_fail("E4", "set_expiry")?;
    s.save().await.ok_or_fail("E4", "save")?;
    let key = s.key().expect("saved");
    let rec = stored(&*store, &key, "E4", "load").await?;
    ensure_eq!(
        rec.expires_at,
        t0 + Duration::seconds(AGE),
        "E4",
        "a browser-close session's record expiry (kept for the default age)"
    );
    ctx.clock.set(rec.expires_at - tick(&*store));
    ensure!(
        store.load(&key).await.ok_or_fail("E4", "load")?.is_some(),
        "E4",
        "a browser-close session is gone before the default age"
    );
    Ok(Outcome::Pass)
}
