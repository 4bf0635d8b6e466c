#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod config;
mod encrypted;
mod error;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{
    CookieFormat, MAX_COOKIE_SIZE, MAX_DECOMPRESSED_SIZE, MIN_SECRET_KEY_LENGTH,
    SIGNED_COOKIES_SALT, SignedCookieConfig,
};
pub use encrypted::ENCRYPTED_PREFIX;
pub use error::SignedCookieUrlError;
pub use store::{CAPABILITIES, SignedCookieStore};

/// The backend's name, as [`SessionStore::name`](session_core::SessionStore::name)
/// and its errors give it.
pub const NAME: &str = "signed-cookie";

/// The URL schemes [`SignedCookieConfig::from_url`] answers to; the first
/// is the canonical one (`signed-cookie://?format=encrypted`).
pub const SCHEMES: &[&str] = &[
    "signed-cookie",
    "signed_cookie",
    "signed_cookies",
    "signed-cookies",
];
