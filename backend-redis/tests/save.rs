//! Save's one command (`SET XX PX GET`) on the real server, where the
//! server still holds a record this store's clock calls expired (a clock
//! behind the server's, or the expiry grace): the save is *interrupted*
//! and leaves nothing behind, and a save of a live record keeps its new
//! data and TTL. What this adds to the suite: it reads the server's keys
//! directly, not through the store.

use std::time::Duration;

use session_backend_redis::RedisConfig;
use session_backend_redis::testing::REDIS_URL_VAR;
use session_core::time::{Duration as Span, OffsetDateTime};
use session_core::{Clock, Data, ErrorKind, MockClock, Record, SessionStore};

fn data(user: i64) -> Data {
    Data::from_iter([("user_id".to_owned(), user.into())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_over_a_record_expired_by_the_clock_is_interrupted_and_leaves_nothing() {
    let Some(url) = session_conformance::env_url(REDIS_URL_VAR) else {
        assert!(
            !session_conformance::required("redis"),
            "{REDIS_URL_VAR} is not set and SESSION_TEST_REQUIRE lists redis"
        );
        println!("skipped: redis: {REDIS_URL_VAR} is not set");
        return;
    };
    let clock = MockClock::new(OffsetDateTime::now_utc());
    let store = RedisConfig::new(url.clone())
        .with_prefix(format!("session-save-{}:", std::process::id()))
        .with_clock(clock.shared())
        .with_expiry_grace(Duration::from_secs(60))
        .open()
        .await
        .unwrap();
    let mut raw = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let probe = raw.clone();
    let stored = |key: String| {
        let mut raw = probe.clone();
        async move {
            redis::cmd("EXISTS")
                .arg(key)
                .query_async::<i64>(&mut raw)
                .await
                .unwrap()
        }
    };

    // A live record: saved, with its new data and a fresh TTL.
    let key = store
        .create(&Record::new(data(1), clock.now() + Span::minutes(10)))
        .await
        .unwrap();
    let record = Record::new(data(2), clock.now() + Span::minutes(20));
    assert_eq!(store.save(&key, &record).await.unwrap(), key);
    assert_eq!(*store.load(&key).await.unwrap().unwrap().data, data(2));
    let pttl: i64 = redis::cmd("PTTL")
        .arg(store.redis_key(&key))
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(pttl > 20 * 60 * 1000, "the new life plus the grace: {pttl}");

    // The clock passes the expiry; the server, on its own clock and with
    // the grace, still holds the record.
    clock.advance(Duration::from_secs(21 * 60));
    assert_eq!(stored(store.redis_key(&key)).await, 1);
    let late = Record::new(data(3), clock.now() + Span::minutes(20));
    let err = store.save(&key, &late).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted, "{err}");
    assert_eq!(
        stored(store.redis_key(&key)).await,
        0,
        "the save's write was undone, and the dead record with it"
    );
    assert!(store.load(&key).await.unwrap().is_none());

    // A deleted record: nothing is written.
    let key = store
        .create(&Record::new(data(4), clock.now() + Span::minutes(10)))
        .await
        .unwrap();
    store.delete(&key).await.unwrap();
    let err = store
        .save(&key, &Record::new(data(5), clock.now() + Span::minutes(10)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Interrupted, "{err}");
    assert_eq!(stored(store.redis_key(&key)).await, 0);
}
