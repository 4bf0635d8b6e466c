//! Build a db store on an embedded SQLite file, save a session, load it back.
//!
//! `cargo run -p session-backend-db --example db`

use session_backend_db::DbConfig;
use session_core::{Data, Record, SessionStore, time::Duration};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> session_core::Result<()> {
    let path =
        std::env::temp_dir().join(format!("session-db-example-{}.sqlite3", std::process::id()));
    let store = DbConfig::sqlite(&path).build()?;

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

    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    Ok(())
}
