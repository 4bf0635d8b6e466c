#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod auth;
mod cache_control;
mod cookie_signing;
mod cookies;
mod error;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod layer;
mod prefix;
mod request;
mod response;
mod service;
mod session_cookie;
mod settings;
mod signed;
mod vary;
pub mod wire;

pub use cache_control::PRIVATE_NO_STORE;
pub use cookie_signing::CookieSigning;
pub use cookies::{Cookies, Expires, SetCookie};
pub use error::{
    CookieError, INTERRUPTED_MESSAGE, SecretKeyError, SessionFailure, SignedCookieError,
};
#[cfg(feature = "axum")]
pub use extract::{MissingSessionLayer, Session};
pub use future::ResponseFuture;
pub use layer::SessionLayer;
pub use prefix::{ConfigError, CookiePrefix, CookiePrefixError, check_cookie_prefix};
pub use request::KeySource;
pub use service::SessionService;
pub use vary::patch_vary;

/// The `session-core` crate, re-exported.
pub use session_core;
pub use session_core::SameSite;
pub use session_core::codec::MIN_SECRET_KEY_LENGTH;
pub use session_core::signing::MaxAge;
