//! D2, D3: the session handle's dictionary API and flags, run on every
//! backend as Django runs its mixin tests on every store.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use session_core::{ErrorKind, Expiry};

use crate::cx::{Checked, Cx, Expect, ensure, ensure_eq, session};
use crate::harness::Harness;
use crate::report::Outcome;

pub(crate) async fn d2_dict_api_follows_django<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    // Django's test_values, test_keys and test_items start on an empty session.
    let empty = session(&store, None);
    ensure_eq!(
        empty.values().await.ok_or_fail("D2", "values")?,
        Vec::<Value>::new(),
        "D2",
        "values of an empty session"
    );
    ensure_eq!(
        empty.keys().await.ok_or_fail("D2", "keys")?,
        Vec::<String>::new(),
        "D2",
        "keys of an empty session"
    );
    ensure_eq!(
        empty.items().await.ok_or_fail("D2", "items")?,
        Vec::<(String, Value)>::new(),
        "D2",
        "items of an empty session"
    );
    ensure_eq!(
        empty.len().await.ok_or_fail("D2", "len")?,
        0,
        "D2",
        "len of an empty session"
    );
    ensure!(
        empty.accessed() && !empty.modified(),
        "D2",
        "after reading an empty session accessed={} modified={}: expected true, false",
        empty.accessed(),
        empty.modified()
    );
    let s = session(&store, None);
    ensure_eq!(
        s.get_value("x").await.ok_or_fail("D2", "get")?,
        None::<Value>,
        "D2",
        "get of a missing key"
    );
    ensure_eq!(
        s.get_or("x", 5).await.ok_or_fail("D2", "get_or")?,
        5,
        "D2",
        "get_or of a missing key"
    );
    ensure_eq!(
        s.insert("x", 1).await.ok_or_fail("D2", "insert")?,
        None::<Value>,
        "D2",
        "insert returns the previous value"
    );
    ensure_eq!(
        s.insert("x", 2).await.ok_or_fail("D2", "insert")?,
        Some(json!(1)),
        "D2",
        "insert returns the previous value"
    );
    ensure!(
        s.contains("x").await.ok_or_fail("D2", "contains")?,
        "D2",
        "contains of a present key is false"
    );
    ensure!(
        !s.contains("y").await.ok_or_fail("D2", "contains")?,
        "D2",
        "contains of a missing key is true"
    );
    ensure_eq!(
        s.keys().await.ok_or_fail("D2", "keys")?,
        vec!["x".to_owned()],
        "D2",
        "keys"
    );
    ensure_eq!(
        s.values().await.ok_or_fail("D2", "values")?,
        vec![json!(2)],
        "D2",
        "values"
    );
    ensure_eq!(
        s.items().await.ok_or_fail("D2", "items")?,
        vec![("x".to_owned(), json!(2))],
        "D2",
        "items"
    );
    ensure_eq!(s.len().await.ok_or_fail("D2", "len")?, 1, "D2", "len");
    ensure_eq!(
        s.pop("x", 0).await.ok_or_fail("D2", "pop")?,
        2,
        "D2",
        "pop of a present key"
    );
    ensure_eq!(
        s.pop("x", 7).await.ok_or_fail("D2", "pop")?,
        7,
        "D2",
        "pop of a missing key with a default"
    );
    ensure_eq!(
        s.remove("x").await.ok_or_fail("D2", "remove")?,
        None::<Value>,
        "D2",
        "remove of a missing key (Django's KeyError)"
    );
    ensure_eq!(
        s.setdefault("s", 1).await.ok_or_fail("D2", "setdefault")?,
        json!(1),
        "D2",
        "setdefault of a missing key"
    );
    ensure_eq!(
        s.setdefault("s", 2).await.ok_or_fail("D2", "setdefault")?,
        json!(1),
        "D2",
        "setdefault of a present key"
    );
    s.update([("u", 1), ("v", 2)])
        .await
        .ok_or_fail("D2", "update")?;
    s.extend([("w", 3)]).await.ok_or_fail("D2", "extend")?;
    ensure_eq!(
        s.keys().await.ok_or_fail("D2", "keys")?,
        vec!["s", "u", "v", "w"],
        "D2",
        "keys after update, in insertion order"
    );
    s.set_test_cookie()
        .await
        .ok_or_fail("D2", "set_test_cookie")?;
    ensure!(
        s.test_cookie_worked()
            .await
            .ok_or_fail("D2", "test_cookie_worked")?,
        "D2",
        "test_cookie_worked after set_test_cookie is false"
    );
    s.save().await.ok_or_fail("D2", "save")?;
    let key = s.key().expect("saved");
    let t = session(&store, Some(key.as_str()));
    ensure_eq!(
        t.keys().await.ok_or_fail("D2", "keys")?,
        vec!["s", "u", "v", "w", "testcookie"],
        "D2",
        "keys after a reload"
    );
    ensure!(
        t.test_cookie_worked()
            .await
            .ok_or_fail("D2", "test_cookie_worked")?,
        "D2",
        "test cookie lost in the reload"
    );
    ensure!(
        t.delete_test_cookie()
            .await
            .ok_or_fail("D2", "delete_test_cookie")?,
        "D2",
        "delete_test_cookie of a present cookie is false"
    );
    ensure!(
        !t.test_cookie_worked()
            .await
            .ok_or_fail("D2", "test_cookie_worked")?,
        "D2",
        "test_cookie_worked after delete_test_cookie is true"
    );
    ensure!(
        !t.delete_test_cookie()
            .await
            .ok_or_fail("D2", "delete_test_cookie")?,
        "D2",
        "delete_test_cookie of a missing cookie is true"
    );
    ensure!(!t.is_empty(), "D2", "a session with a key is_empty");
    t.clear();
    ensure_eq!(
        t.len().await.ok_or_fail("D2", "len")?,
        0,
        "D2",
        "len after clear"
    );
    ensure_eq!(t.key(), Some(key), "D2", "clear keeps the key");
    let fresh = session(&store, None);
    ensure!(fresh.is_empty(), "D2", "a fresh session is not empty");
    Ok(Outcome::Pass)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

pub(crate) async fn d2_typed_access_goes_through_serde<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let user = User {
        id: u64::MAX,
        name: "Zoë".to_owned(),
        roles: vec!["admin".to_owned()],
    };
    let s = session(&store, None);
    s.insert("user", &user)
        .await
        .ok_or_fail("D2", "insert of a struct")?;
    s.save().await.ok_or_fail("D2", "save")?;
    let key = s.key().expect("saved");
    let t = session(&store, Some(key.as_str()));
    ensure_eq!(
        t.get::<User>("user").await.ok_or_fail("D2", "typed get")?,
        Some(user),
        "D2",
        "get::<User> after a reload"
    );
    ensure_eq!(
        t.get::<User>("missing")
            .await
            .ok_or_fail("D2", "typed get")?,
        None::<User>,
        "D2",
        "get::<User> of a missing key"
    );
    t.get::<u64>("user").await.err_kind(
        ErrorKind::Serialization,
        "D2",
        "get::<u64> of a struct",
    )?;
    ensure_eq!(
        t.get_value("user").await.ok_or_fail("D2", "get")?,
        Some(json!({"id": u64::MAX, "name": "Zoë", "roles": ["admin"]})),
        "D2",
        "the struct as JSON"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn d3_reads_mark_accessed_but_not_modified<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let fresh = session(&store, None);
    ensure!(
        !fresh.accessed() && !fresh.modified(),
        "D3",
        "a fresh session is accessed={} modified={}: expected both false",
        fresh.accessed(),
        fresh.modified()
    );
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("D3", "insert")?;
    s.save().await.ok_or_fail("D3", "save")?;
    let key = s.key().expect("saved");
    let k = key.as_str();
    macro_rules! read {
        ($what:literal, |$t:ident| $read:expr) => {{
            let $t = session(&store, Some(k));
            ensure!(
                !$t.accessed(),
                "D3",
                "a session opened with a key is accessed before any read"
            );
            $read.await.ok_or_fail("D3", $what)?;
            ensure!(
                $t.accessed(),
                "D3",
                "{} did not mark the session accessed",
                $what
            );
            ensure!(
                !$t.modified(),
                "D3",
                "{} marked the session modified",
                $what
            );
        }};
    }
    read!("get", |t| t.get_value("x"));
    read!("get of a missing key", |t| t.get_value("nope"));
    read!("contains", |t| t.contains("x"));
    read!("keys", |t| t.keys());
    read!("values", |t| t.values());
    read!("items", |t| t.items());
    read!("len", |t| t.len());
    read!("data", |t| t.data());
    read!("expiry_age", |t| t.expiry_age());
    read!("expiry_date", |t| t.expiry_date());
    read!("expire_at_browser_close", |t| t.expire_at_browser_close());
    let t = session(&store, Some(k));
    let _ = t.is_empty();
    let _ = t.expiry_age_for(session_core::time::OffsetDateTime::UNIX_EPOCH, None);
    ensure!(
        !t.accessed(),
        "D3",
        "is_empty or expiry_age_for with an explicit expiry marked the session accessed"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn d3_writes_mark_modified_only_on_change<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let s = session(&store, None);
    s.insert("x", 1).await.ok_or_fail("D3", "insert")?;
    s.save().await.ok_or_fail("D3", "save")?;
    ensure!(
        s.modified(),
        "D3",
        "save cleared modified (Django never does)"
    );
    let k = s.key().expect("saved");
    let k = k.as_str();
    macro_rules! write {
        ($what:literal, $modifies:expr, |$t:ident| $write:expr) => {{
            let $t = session(&store, Some(k));
            $write.await.ok_or_fail("D3", $what)?;
            ensure!(
                $t.accessed(),
                "D3",
                "{} did not mark the session accessed",
                $what
            );
            ensure_eq!($t.modified(), $modifies, "D3", "modified after {}", $what);
        }};
    }
    write!("insert", true, |t| t.insert("y", 2));
    write!("insert of the same value", true, |t| t.insert("x", 1));
    write!("remove of a present key", true, |t| t.remove("x"));
    write!("remove of a missing key", false, |t| t.remove("nope"));
    write!("pop of a missing key with a default", false, |t| t
        .pop("nope", 0));
    write!("pop of a present key", true, |t| t.pop("x", 0));
    write!("setdefault of a present key", false, |t| t
        .setdefault("x", 5));
    write!("setdefault of a missing key", true, |t| t
        .setdefault("z", 5));
    write!("update with no entries", true, |t| t
        .update(Vec::<(String, i32)>::new()));
    write!("set_expiry(Default) without a stored expiry", false, |t| t
        .set_expiry(Expiry::Default));
    write!("set_expiry(Seconds(10))", true, |t| t
        .set_expiry(Expiry::Seconds(10)));
    let t = session(&store, Some(k));
    t.clear();
    ensure!(
        t.accessed() && t.modified(),
        "D3",
        "clear did not mark the session accessed and modified"
    );
    Ok(Outcome::Pass)
}
