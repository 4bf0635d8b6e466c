//! moka in front of a directory of session files: save, load back from
//! the cache, and load again from the files through a second instance.
//!
//! Run with `cargo run -p session-backend-cached-db --example cached_db`.

use std::sync::Arc;
use std::time::Duration;

use session_backend_cache::CacheStore;
use session_backend_cached_db::CachedDbConfig;
use session_backend_file::FileStore;
use session_core::{Config, Session, SessionStore};

fn open(dir: &std::path::Path) -> Result<Arc<dyn SessionStore>, session_core::Error> {
    let store = CachedDbConfig::new()
        .with_staleness(Duration::from_secs(2))
        .build(CacheStore::new(), FileStore::open(dir)?)?;
    Ok(Arc::new(store))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::Builder::new()
        .prefix("cached-db-example")
        .tempdir()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
    }
    let config = Arc::new(Config::default());
    let store = open(dir.path())?;

    let session = Session::new(store.clone(), config.clone(), None);
    session.insert("user_id", 42).await?;
    session.save().await?;
    let key = session.key().ok_or("the saved session has no key")?;

    // Served by this instance's cache.
    let next = Session::new(store, config.clone(), Some(key.as_str()));
    println!("from the cache: {:?}", next.get::<i64>("user_id").await?);

    // Another process: its own, empty cache, the same files.
    let other = Session::new(open(dir.path())?, config, Some(key.as_str()));
    println!("from the files: {:?}", other.get::<i64>("user_id").await?);
    Ok(())
}
