//! A save that the cache fails is logged on `session::store` at ERROR (as
//! Django logs "Error saving to cache"), naming the backend and operation
//! and never the key. One test: the capture is global.

use std::sync::Arc;

use session_backend_cache::CacheStore;
use session_backend_cached_db::CachedDbConfig;
use session_core::serde_json::json;
use session_core::testing::{LogCapture, ProbeStore, lines_on};
use session_core::{MemoryStore, Operation, Record, SessionStore, time};

#[tokio::test]
async fn a_cache_failure_on_save_is_logged_and_the_save_succeeds() {
    let logs = LogCapture::install();
    let cache = ProbeStore::new(Arc::new(CacheStore::new()));
    let store = CachedDbConfig::new()
        .build(cache.clone(), MemoryStore::new())
        .unwrap();
    let data = json!({"user": 1});
    let record = Record::new(
        data.as_object().unwrap().clone(),
        store.clock().now() + time::Duration::hours(1),
    );
    let key = store.create(&record).await.unwrap();
    logs.take();
    cache.fail_next(Operation::Save);
    store.save(&key, &record).await.unwrap();
    let log = logs.take();
    let lines = lines_on(&log, "session::store");
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("ERROR"), "{log}");
    assert!(
        lines[0].contains("cached-db") && lines[0].contains("save"),
        "{log}"
    );
    assert!(
        lines[0].contains(ProbeStore::<CacheStore>::INJECTED_CONTEXT),
        "{log}"
    );
    assert!(!log.contains(key.as_str()), "the key is a secret: {log}");
}
