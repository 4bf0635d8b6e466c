//! The reference store's own rules, checked directly at the store level.
//! (The whole conformance suite also runs on it, from `session-conformance`.)

use std::sync::Arc;

use serde_json::json;
use session_core::time::Duration;
use session_core::{
    Data, ErrorKind, KeyGenerator, MemoryStore, MockClock, RandomKeys, Record, SessionKey,
    SessionStore, key::FixedKey,
};

fn store() -> (MemoryStore, MockClock) {
    let clock = MockClock::at_unix(1_700_000_000);
    (MemoryStore::new().with_clock(clock.shared()), clock)
}

fn record(clock: &MockClock, value: i64, lives: i64) -> Record {
    let mut data = Data::new();
    data.insert("v".into(), json!(value));
    Record::new(
        data,
        session_core::Clock::now(clock) + Duration::seconds(lives),
    )
}

/// K4: when the generator repeats a taken key, create never overwrites the
/// holder and gives up with a key-collision error.
#[tokio::test]
async fn k4_create_never_overwrites_and_gives_up_on_collisions() {
    let (plain, clock) = store();
    let key = RandomKeys.generate();
    let store = plain.with_key_generator(FixedKey::shared(key.clone()));
    assert_eq!(
        store
            .create(&record(&clock, 1, 60))
            .await
            .expect("first create"),
        key
    );
    let err = store
        .create(&record(&clock, 2, 60))
        .await
        .expect_err("second create collides");
    assert_eq!(err.kind(), ErrorKind::KeyCollision);
    assert_eq!(
        store.load(&key).await.expect("load").expect("live").data["v"],
        json!(1)
    );

    // An expired record no longer holds its key.
    clock.advance_secs(60);
    assert_eq!(
        store
            .create(&record(&clock, 3, 60))
            .await
            .expect("key is free again"),
        key
    );
}

/// L4: deleting a missing or impossible key is not an error.
#[tokio::test]
async fn l4_delete_of_missing_key_is_ok() {
    let (store, _) = store();
    store
        .delete(&RandomKeys.generate())
        .await
        .expect("missing key");
    store
        .delete(&SessionKey::parse("../../etc/passwd").expect("parses"))
        .await
        .expect("invalid key");
}

/// L5 / E5: exists is true exactly while the record is live.
#[tokio::test]
async fn l5_exists_iff_live() {
    let (store, clock) = store();
    let key = store.create(&record(&clock, 1, 10)).await.expect("create");
    assert!(store.exists(&key).await.expect("exists"));
    clock.advance_secs(9);
    assert!(store.exists(&key).await.expect("exists"));
    clock.advance_secs(1);
    assert!(!store.exists(&key).await.expect("exists at expires_at"));
    assert_eq!(
        store.len(),
        1,
        "the engine still holds it; it just never shows"
    );
}

/// L6: clear_expired removes every expired record and no live one.
#[tokio::test]
async fn l6_clear_expired_removes_exactly_the_expired() {
    let (store, clock) = store();
    let short = store.create(&record(&clock, 1, 10)).await.expect("create");
    let exact = store.create(&record(&clock, 2, 20)).await.expect("create");
    let long = store.create(&record(&clock, 3, 30)).await.expect("create");
    clock.advance_secs(20);
    assert_eq!(store.clear_expired().await.expect("clear"), 2);
    assert_eq!(store.len(), 1);
    assert!(store.load(&short).await.expect("load").is_none());
    assert!(store.load(&exact).await.expect("load").is_none());
    assert!(store.load(&long).await.expect("load").is_some());
}

/// Records are shared, not copied, on load (the cache backend relies on
/// the same property for its speed).
#[tokio::test]
async fn loads_share_the_stored_data() {
    let (store, clock) = store();
    let key = store.create(&record(&clock, 1, 60)).await.expect("create");
    let a = store.load(&key).await.expect("load").expect("live");
    let b = store.load(&key).await.expect("load").expect("live");
    assert!(Arc::ptr_eq(&a.data, &b.data));
}

/// Yields the given keys in order, then repeats the last one.
#[derive(Debug)]
struct Scripted(std::sync::Mutex<Vec<SessionKey>>);

impl KeyGenerator for Scripted {
    fn generate(&self) -> SessionKey {
        let mut keys = self.0.lock().expect("lock");
        if keys.len() > 1 {
            keys.remove(0)
        } else {
            keys[0].clone()
        }
    }
}

/// K4: after a collision, create draws another key and uses it; the holder
/// of the taken key is untouched.
#[tokio::test]
async fn k4_create_draws_another_key_after_a_collision() {
    let (plain, clock) = store();
    let (taken, fresh) = (RandomKeys.generate(), RandomKeys.generate());
    let script = Scripted(std::sync::Mutex::new(vec![
        taken.clone(),
        taken.clone(),
        fresh.clone(),
    ]));
    let store = plain.with_key_generator(Arc::new(script));
    assert_eq!(
        store.create(&record(&clock, 1, 60)).await.expect("create"),
        taken
    );
    assert_eq!(
        store.create(&record(&clock, 2, 60)).await.expect("retried"),
        fresh
    );
    assert_eq!(
        store.load(&taken).await.expect("load").expect("live").data["v"],
        json!(1)
    );
    assert_eq!(
        store.load(&fresh).await.expect("load").expect("live").data["v"],
        json!(2)
    );
}
