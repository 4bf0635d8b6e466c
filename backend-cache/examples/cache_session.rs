//! Construct a cache store, save a session, and load it back by its key.
//!
//! Run with `cargo run -p session-backend-cache --example cache_session`.

use std::sync::Arc;

use session_backend_cache::CacheConfig;
use session_core::{Config, Session, SessionStore};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), session_core::Error> {
    let store: Arc<dyn SessionStore> =
        Arc::new(CacheConfig::new().with_max_bytes(16 << 20).build()?);
    let config = Arc::new(Config::default());

    // First request: no cookie yet. Saving creates the record under a fresh key.
    let session = Session::new(store.clone(), config.clone(), None);
    session.insert("user_id", 42).await?;
    session.save().await?;
    let Some(key) = session.key() else {
        eprintln!("the saved session has no key");
        return Ok(());
    };

    // Next request: the cookie brings the key back.
    let next = Session::new(store, config, Some(key.as_str()));
    let user_id: Option<i64> = next.get("user_id").await?;
    println!("loaded user_id = {user_id:?}");
    Ok(())
}
