//! The `Session` handle against Django's table of `accessed` / `modified`
//! (spec §3.1) and the lifecycle rules, on the reference `MemoryStore`.

use std::sync::Arc;

use serde_json::{Value, json};
use session_core::testing::ProbeStore;
use session_core::{
    Config, ErrorKind, Expiry, MemoryStore, MockClock, Session, SessionKey, SessionStore,
};

struct Fixture {
    /// Counts the loads reaching the `MemoryStore`.
    store: Arc<ProbeStore<MemoryStore>>,
    clock: MockClock,
    config: Arc<Config>,
}

impl Fixture {
    fn new() -> Self {
        let clock = MockClock::at_unix(1_700_000_000);
        let inner = MemoryStore::new().with_clock(clock.shared());
        Self {
            store: ProbeStore::new(Arc::new(inner)),
            clock,
            config: Arc::new(Config::default()),
        }
    }

    fn session(&self, key: Option<&str>) -> Session {
        Session::new(self.store.clone(), self.config.clone(), key)
    }

    /// A stored session holding `{"a": 1}`; returns its key.
    async fn stored(&self) -> String {
        let s = self.session(None);
        s.insert("a", 1).await.expect("insert");
        s.save().await.expect("save");
        s.key().expect("key").to_string()
    }

    fn loads(&self) -> usize {
        self.store.loads()
    }
}

fn flags(s: &Session) -> (bool, bool) {
    (s.accessed(), s.modified())
}

/// D3 (§3.1): reads set `accessed` and never `modified`.
#[tokio::test]
async fn d3_reads_set_accessed_only() {
    let f = Fixture::new();
    let key = f.stored().await;
    for op in [
        "get",
        "get_or",
        "contains",
        "keys",
        "values",
        "items",
        "len",
        "data",
        "expiry_age",
        "browser_close",
    ] {
        let s = f.session(Some(&key));
        assert_eq!(flags(&s), (false, false), "{op}: fresh handle");
        match op {
            "get" => assert_eq!(s.get::<i64>("a").await.expect(op), Some(1)),
            "get_or" => assert_eq!(s.get_or("missing", 7).await.expect(op), 7),
            "contains" => assert!(s.contains("a").await.expect(op)),
            "keys" => assert_eq!(s.keys().await.expect(op), vec!["a".to_owned()]),
            "values" => assert_eq!(s.values().await.expect(op), vec![json!(1)]),
            "items" => assert_eq!(s.items().await.expect(op), vec![("a".to_owned(), json!(1))]),
            "len" => assert_eq!(s.len().await.expect(op), 1),
            "data" => assert_eq!(s.data().await.expect(op).len(), 1),
            "expiry_age" => assert_eq!(s.expiry_age().await.expect(op), 1_209_600),
            _ => assert!(!s.expire_at_browser_close().await.expect(op)),
        }
        assert_eq!(flags(&s), (true, false), "{op}");
    }
}

/// D3 (§3.1): insert, present removal, inserting setdefault, any update and
/// clear set `modified`; absent removal and existing setdefault do not.
#[tokio::test]
async fn d3_changes_set_modified_and_non_changes_do_not() {
    let f = Fixture::new();
    let key = f.stored().await;

    let s = f.session(Some(&key));
    s.insert("b", 2).await.expect("insert");
    assert_eq!(flags(&s), (true, true), "insert");

    let s = f.session(Some(&key));
    assert_eq!(s.remove("missing").await.expect("remove"), None);
    assert_eq!(
        flags(&s),
        (true, false),
        "remove of a missing key changes nothing"
    );
    assert_eq!(s.pop("missing", json!("d")).await.expect("pop"), json!("d"));
    assert_eq!(
        flags(&s),
        (true, false),
        "pop with default of a missing key"
    );
    assert_eq!(s.remove("a").await.expect("remove"), Some(json!(1)));
    assert_eq!(flags(&s), (true, true), "remove of a present key");

    let s = f.session(Some(&key));
    assert_eq!(s.setdefault("a", 9).await.expect("setdefault"), json!(1));
    assert_eq!(flags(&s), (true, false), "setdefault of an existing key");
    assert_eq!(s.setdefault("n", 9).await.expect("setdefault"), json!(9));
    assert_eq!(flags(&s), (true, true), "setdefault that inserts");

    let s = f.session(Some(&key));
    s.update(Vec::<(String, Value)>::new())
        .await
        .expect("update");
    assert_eq!(flags(&s), (true, true), "update, even empty");

    let loads_before = f.loads();
    let s = f.session(Some(&key));
    s.clear();
    assert_eq!(flags(&s), (true, true), "clear");
    assert_eq!(f.loads(), loads_before, "clear does not load");
    assert!(!s.is_empty(), "clear keeps the key");
}

/// D3: `set_expiry(Default)` without a stored expiry changes nothing;
/// with one, it removes it and marks the session modified.
#[tokio::test]
async fn d3_set_expiry_default_changes_only_when_present() {
    let f = Fixture::new();
    let key = f.stored().await;
    let s = f.session(Some(&key));
    s.set_expiry(Expiry::Default).await.expect("set_expiry");
    assert_eq!(flags(&s), (true, false));
    s.set_expiry(Expiry::Seconds(60)).await.expect("set_expiry");
    assert_eq!(flags(&s), (true, true));
    let s2 = f.session(Some(&key));
    s.save().await.expect("save");
    assert_eq!(
        s2.expiry_age().await.expect("age"),
        60,
        "the expiry survives a reload (E2)"
    );
    s2.set_expiry(Expiry::Default).await.expect("set_expiry");
    assert_eq!(flags(&s2), (true, true));
    assert_eq!(s2.get_value("_session_expiry").await.expect("get"), None);
}

/// D4: a session that is never used touches the store not at all, and one
/// used many times loads once.
#[tokio::test]
async fn d4_lazy_load_happens_at_most_once() {
    let f = Fixture::new();
    let key = f.stored().await;
    let untouched = f.session(Some(&key));
    assert!(!untouched.is_empty(), "a key makes the session non-empty");
    assert_eq!(
        flags(&untouched),
        (false, false),
        "is_empty touches no flag (§3.1)"
    );
    assert_eq!(untouched.key().map(|k| k.to_string()), Some(key.clone()));
    assert_eq!(f.loads(), 0);

    let s = f.session(Some(&key));
    let clones: Vec<Session> = (0..8).map(|_| s.clone()).collect();
    let tasks: Vec<_> = clones
        .into_iter()
        .map(|c| tokio::spawn(async move { c.get::<i64>("a").await }))
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("join").expect("get"), Some(1));
    }
    s.insert("b", 2).await.expect("insert");
    assert_eq!(
        f.loads(),
        1,
        "eight concurrent readers and a writer share one load"
    );

    let fresh = f.session(None);
    fresh.insert("x", 1).await.expect("insert");
    assert_eq!(f.loads(), 1, "a session without a key never loads");
}

/// K3: an unknown key loads empty and is dropped; saving then creates a
/// fresh key instead of adopting the client's.
#[tokio::test]
async fn k3_unknown_key_is_dropped_not_adopted() {
    let f = Fixture::new();
    let chosen = "attackerchosenkey0000000000000000";
    let s = f.session(Some(chosen));
    assert_eq!(s.get_value("a").await.expect("get"), None);
    assert!(s.key().is_none());
    assert!(s.is_empty());
    s.insert("a", 1).await.expect("insert");
    s.save().await.expect("save");
    let new_key = s.key().expect("key");
    assert_ne!(new_key.as_str(), chosen);
    assert!(
        !f.store
            .exists(&SessionKey::parse(chosen).expect("key"))
            .await
            .expect("exists")
    );
}

/// K2 / Django: keys under 8 characters are dropped at once; 8 are kept
/// (`sessions.short_key_rejected`, `eight_char_key_accepted`).
#[tokio::test]
async fn k2_short_keys_are_dropped_like_django() {
    let f = Fixture::new();
    assert!(f.session(Some("1234567")).key().is_none());
    assert_eq!(
        f.session(Some("12345678")).key().map(|k| k.to_string()),
        Some("12345678".to_owned())
    );
    for bad in ["", "../../../etc/passwd", "ABCDEFGHIJ", "abc\0defghi"] {
        let s = f.session(Some(bad));
        assert_eq!(s.len().await.expect("len"), 0, "{bad:?}");
        assert!(s.key().is_none(), "{bad:?}");
    }
}

/// L1: saving a session whose record was deleted meanwhile is interrupted
/// and writes nothing.
#[tokio::test]
async fn l1_save_after_concurrent_logout_is_interrupted() {
    let f = Fixture::new();
    let key = f.stored().await;
    let request_a = f.session(Some(&key));
    request_a.insert("cart", 3).await.expect("insert");
    f.session(Some(&key)).flush().await.expect("logout");
    let err = request_a.save().await.expect_err("must not resurrect");
    assert_eq!(err.kind(), ErrorKind::Interrupted);
    assert!(f.store.inner().is_empty(), "nothing was written");
}

/// L1 / E5: saving a session whose record expired meanwhile is interrupted.
#[tokio::test]
async fn l1_save_after_expiry_is_interrupted() {
    let f = Fixture::new();
    let key = f.stored().await;
    let s = f.session(Some(&key));
    s.insert("b", 2).await.expect("insert");
    f.clock.advance_secs(1_209_600);
    assert!(s.save().await.expect_err("expired").is_interrupted());
}

/// L2: flush empties the data, deletes the record and drops the key.
#[tokio::test]
async fn l2_flush_deletes_record_and_drops_key() {
    let f = Fixture::new();
    let key = f.stored().await;
    let s = f.session(Some(&key));
    s.flush().await.expect("flush");
    assert!(s.key().is_none());
    assert!(s.is_empty());
    assert_eq!(flags(&s), (true, true));
    assert!(
        !f.store
            .exists(&SessionKey::parse(&key).expect("key"))
            .await
            .expect("exists")
    );
}

/// L3: cycle_key keeps the data under a new key and deletes the old record.
#[tokio::test]
async fn l3_cycle_key_moves_data_and_deletes_old_record() {
    let f = Fixture::new();
    let key = f.stored().await;
    let s = f.session(Some(&key));
    s.cycle_key().await.expect("cycle");
    let new_key = s.key().expect("key");
    assert_ne!(new_key.as_str(), key);
    assert!(s.modified());
    assert_eq!(s.get::<i64>("a").await.expect("get"), Some(1));
    assert!(
        !f.store
            .exists(&SessionKey::parse(&key).expect("key"))
            .await
            .expect("exists")
    );
    let reloaded = f.session(Some(new_key.as_str()));
    assert_eq!(reloaded.get::<i64>("a").await.expect("get"), Some(1));
}

/// E1 / E5: a record saved now expires after the default age exactly.
#[tokio::test]
async fn e5_default_age_expires_exactly_on_time() {
    let f = Fixture::new();
    let key = f.stored().await;
    f.clock.advance_secs(1_209_599);
    assert_eq!(
        f.session(Some(&key)).len().await.expect("len"),
        1,
        "one second left"
    );
    f.clock.advance_secs(1);
    let s = f.session(Some(&key));
    assert_eq!(
        s.len().await.expect("len"),
        0,
        "expired at expires_at == now"
    );
    assert!(s.key().is_none());
}

/// D2: typed access through serde, and a clear error for the wrong type.
#[tokio::test]
async fn d2_typed_access_round_trips_and_reports_type_errors() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Cart {
        items: Vec<u32>,
        note: String,
    }
    let f = Fixture::new();
    let s = f.session(None);
    let cart = Cart {
        items: vec![1, 2],
        note: "ünï 😀".into(),
    };
    s.insert("cart", &cart).await.expect("insert");
    s.insert("big", u64::MAX).await.expect("insert");
    s.insert("neg", i64::MIN).await.expect("insert");
    s.save().await.expect("save");
    let r = f.session(Some(s.key().expect("key").as_str()));
    assert_eq!(r.get::<Cart>("cart").await.expect("get"), Some(cart));
    assert_eq!(r.get::<u64>("big").await.expect("get"), Some(u64::MAX));
    assert_eq!(r.get::<i64>("neg").await.expect("get"), Some(i64::MIN));
    let err = r.get::<u8>("big").await.expect_err("does not fit");
    assert_eq!(err.kind(), ErrorKind::Serialization);
    assert_eq!(
        r.keys().await.expect("keys"),
        ["cart", "big", "neg"],
        "insertion order kept (D1)"
    );
}

/// §3.2: Django's test-cookie helpers.
#[tokio::test]
async fn d2_test_cookie_helpers() {
    let f = Fixture::new();
    let s = f.session(None);
    assert!(!s.test_cookie_worked().await.expect("worked"));
    s.set_test_cookie().await.expect("set");
    assert!(s.test_cookie_worked().await.expect("worked"));
    assert!(s.delete_test_cookie().await.expect("delete"));
    assert!(!s.delete_test_cookie().await.expect("delete again"));
    assert!(!s.test_cookie_worked().await.expect("worked"));
}

/// E4: browser-close sessions report the default age and are still stored
/// for it; the configured default applies without a per-session expiry.
#[tokio::test]
async fn e4_browser_close_still_keeps_record_for_default_age() {
    let f = Fixture::new();
    let s = f.session(None);
    s.set_expiry(Expiry::BrowserClose).await.expect("set");
    assert!(s.expire_at_browser_close().await.expect("close"));
    assert_eq!(s.expiry_age().await.expect("age"), 1_209_600);
    s.save().await.expect("save");
    f.clock.advance_secs(1_209_599);
    assert_eq!(
        f.session(Some(s.key().expect("key").as_str()))
            .len()
            .await
            .expect("len"),
        1
    );

    let at_close = Config::default().with_expire_at_browser_close(true);
    let s = Session::new(f.store.clone(), Arc::new(at_close), None);
    assert!(s.expire_at_browser_close().await.expect("close"));
    s.set_expiry(Expiry::Seconds(10)).await.expect("set");
    assert!(
        !s.expire_at_browser_close().await.expect("close"),
        "set_expiry(10) overrides the setting"
    );
}

/// L1 (Django's `UpdateError`): saving a handle that was never loaded,
/// whose record vanished meanwhile, is interrupted; it neither resurrects
/// the record nor quietly starts a new session.
#[tokio::test]
async fn l1_save_of_unloaded_handle_after_logout_is_interrupted() {
    let f = Fixture::new();
    let key = f.stored().await;
    let unloaded = f.session(Some(&key));
    f.session(Some(&key)).flush().await.expect("logout");
    let err = unloaded
        .save()
        .await
        .expect_err("vanished before it was loaded");
    assert!(err.is_interrupted());
    assert!(f.store.inner().is_empty(), "nothing was written");
}

/// D3 (§3.5): `save` reads the data, so it marks the session accessed.
#[tokio::test]
async fn d3_save_marks_accessed() {
    let f = Fixture::new();
    let key = f.stored().await;
    let s = f.session(Some(&key));
    s.save().await.expect("save");
    assert_eq!(flags(&s), (true, false));
}

/// D2: a typed `pop` of a value of another type fails and keeps the entry.
#[tokio::test]
async fn d2_typed_pop_of_wrong_type_keeps_the_entry() {
    let f = Fixture::new();
    let key = f.stored().await;
    let s = f.session(Some(&key));
    let err = s
        .pop::<String>("a", String::new())
        .await
        .expect_err("1 is not a string");
    assert_eq!(err.kind(), ErrorKind::Serialization);
    assert_eq!(s.get_value("a").await.expect("get"), Some(json!(1)));
    assert!(!s.modified());
    assert_eq!(s.pop::<i64>("a", 0).await.expect("pop"), 1);
    assert!(s.modified());
}
