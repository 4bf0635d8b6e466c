//! Construct a file store in its default private directory, save a session,
//! and load it back by its key.
//!
//! Run with `cargo run -p session-backend-file --example file_session`.

use std::sync::Arc;

use session_backend_file::FileConfig;
use session_core::{Config, Session, SessionStore};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Arc::new(Config::default());
    // No directory given: `<temp dir>/session-files-<euid>`, created with
    // mode 0700. A directory of your own must be private too (owned by this
    // user, mode 0700); the cookie name and age come from the session config.
    let file_store = FileConfig::new().with_session_config(&config).build()?;
    let directory = file_store.directory().to_owned();
    let store: Arc<dyn SessionStore> = Arc::new(file_store);

    // First request: no cookie yet. Saving creates the file under a fresh key.
    let session = Session::new(store.clone(), config.clone(), None);
    session.insert("user_id", 42).await?;
    session.save().await?;
    let Some(key) = session.key() else {
        return Err("the saved session has no key".into());
    };
    println!(
        "saved {}",
        directory.join(format!("sessionid{key}")).display()
    );

    // Next request: the cookie brings the key back.
    let next = Session::new(store.clone(), config, Some(key.as_str()));
    let user_id: Option<i64> = next.get("user_id").await?;
    println!("loaded user_id = {user_id:?}");

    // Logout removes the file.
    next.flush().await?;
    Ok(())
}
