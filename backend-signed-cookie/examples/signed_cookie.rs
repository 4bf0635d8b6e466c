//! Construct a signed-cookie store, save a session, and load it back from
//! the cookie value, as two requests of one browser would.
//!
//! Run with `cargo run -p session-backend-signed-cookie --example signed_cookie`.

use std::sync::Arc;

use session_backend_signed_cookie::SignedCookieConfig;
use session_core::{Config, Expiry, Session, SessionStore};

#[tokio::main(flavor = "current_thread")]
async fn main() -> session_core::Result<()> {
    let config = Arc::new(Config::default());
    // In production the secret comes from the environment, like Django's SECRET_KEY.
    let secret = std::env::var("SECRET_KEY")
        .unwrap_or_else(|_| "example-only-secret-key-change-me".to_owned());
    let store: Arc<dyn SessionStore> = Arc::new(
        SignedCookieConfig::new(&secret)
            .with_session_config(&config)
            .build()?,
    );

    // First request: no cookie. Log a user in and save.
    let session = Session::new(store.clone(), config.clone(), None);
    session.insert("_auth_user_id", "1").await?;
    session.insert("cart", vec!["apple", "pear"]).await?;
    session.set_expiry(Expiry::Seconds(3600)).await?;
    session.save().await?;
    let cookie = session.key().expect("a saved session has a key");
    println!("Set-Cookie: {}={}", config.cookie_name, cookie);
    println!(
        "({} bytes; the data is signed, not encrypted)",
        cookie.as_str().len()
    );

    // Second request: the browser sends the cookie back.
    let next = Session::new(store.clone(), config.clone(), Some(cookie.as_str()));
    let cart: Option<Vec<String>> = next.get("cart").await?;
    println!("cart = {cart:?}, expires in {} s", next.expiry_age().await?);

    // A tampered cookie loads as an empty session and its key is dropped.
    let tampered = cookie.as_str().replacen('e', "f", 1);
    let forged = Session::new(store, config, Some(&tampered));
    println!(
        "tampered cookie: {} entries, key kept: {}",
        forged.len().await?,
        forged.key().is_some()
    );
    Ok(())
}
