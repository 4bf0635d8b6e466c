//! E5 on the real server: a record expiring in 1,500 ms has a server TTL
//! in milliseconds (not whole seconds), is never served past its expiry,
//! and is gone from the server once it has expired. What this adds to the
//! suite: the suite runs on a mock clock, this on the server's own TTL.

use std::time::Duration;

use session_backend_redis::RedisConfig;
use session_backend_redis::testing::REDIS_URL_VAR;
use session_core::time::{Duration as Span, OffsetDateTime};
use session_core::{Data, Record, SessionStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_expiring_in_1500_ms_is_never_served_late_and_then_gone() {
    let Some(url) = session_conformance::env_url(REDIS_URL_VAR) else {
        assert!(
            !session_conformance::required("redis"),
            "{REDIS_URL_VAR} is not set and SESSION_TEST_REQUIRE lists redis"
        );
        println!("skipped: redis: {REDIS_URL_VAR} is not set");
        return;
    };
    let prefix = format!("session-ttl-{}:", std::process::id());
    let store = RedisConfig::new(url.clone())
        .with_prefix(prefix)
        .open()
        .await
        .unwrap();
    let mut raw = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();

    let data = Data::from_iter([("user_id".to_owned(), 7.into())]);
    let expires_at = OffsetDateTime::now_utc() + Span::milliseconds(1_500);
    let key = store.create(&Record::new(data, expires_at)).await.unwrap();
    let redis_key = store.redis_key(&key);
    let pttl: i64 = redis::cmd("PTTL")
        .arg(&redis_key)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(
        (1_000..=1_500).contains(&pttl),
        "the server TTL is the remaining life in milliseconds, not whole seconds: {pttl}"
    );

    let mut served = 0;
    loop {
        let asked_at = OffsetDateTime::now_utc();
        let loaded = store.load(&key).await.unwrap();
        if loaded.is_some() {
            served += 1;
            assert!(
                asked_at < expires_at,
                "served {} past its expiry",
                asked_at - expires_at
            );
        } else {
            assert!(
                OffsetDateTime::now_utc() >= expires_at,
                "gone before its expiry"
            );
        }
        if asked_at > expires_at + Span::milliseconds(20) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(served > 0, "the record was served while live");
    assert!(!store.exists(&key).await.unwrap());
    let exists: i64 = redis::cmd("EXISTS")
        .arg(&redis_key)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(exists, 0, "gone from the server after its expiry");
    let pttl: i64 = redis::cmd("PTTL")
        .arg(&redis_key)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(pttl, -2, "no such key");
}
