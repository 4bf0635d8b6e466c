//! Build a Redis store, save a session, load it back.
//!
//! `SESSION_TEST_REDIS_URL=redis://127.0.0.1:6379/ cargo run -p session-backend-redis --example redis`

use session_backend_redis::RedisConfig;
use session_core::{Data, Record, SessionStore, time::Duration};

#[tokio::main(flavor = "current_thread")]
async fn main() -> session_core::Result<()> {
    let url = std::env::var("SESSION_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let config = RedisConfig::from_url(&url, None)
        .expect("a redis URL")
        .with_prefix(format!("session-example-{}:", std::process::id()));
    let store = config.open().await?;

    let data = Data::from_iter([("user_id".to_owned(), 42.into())]);
    let expires = store.clock().now() + Duration::days(14);
    let key = store.create(&Record::new(data, expires)).await?;

    let mut data = Data::new();
    data.insert("user_id".to_owned(), 43.into());
    store.save(&key, &Record::new(data, expires)).await?;

    let loaded = store.load(&key).await?.expect("the session just saved");
    println!(
        "loaded: {}",
        session_core::serde_json::Value::Object((*loaded.data).clone())
    );
    store.delete(&key).await?;
    Ok(())
}
