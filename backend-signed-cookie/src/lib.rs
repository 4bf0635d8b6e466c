#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod config;
mod encrypted;
mod error;
pub mod store;

pub use config::{
    CookieFormat, MAX_COOKIE_SIZE, MAX_DECOMPRESSED_SIZE, MIN_SECRET_KEY_LENGTH,
    SIGNED_COOKIES_SALT, SignedCookieConfig,
};
pub use encrypted::ENCRYPTED_PREFIX;
pub use store::{CAPABILITIES, SignedCookieStore};
