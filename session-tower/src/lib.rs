#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod auth;
mod cookies;
mod error;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod layer;
mod service;
mod signed;
mod vary;
pub mod wire;

pub use cookies::{Cookies, Expires, SetCookie};
pub use error::{
    CookieError, INTERRUPTED_MESSAGE, SecretKeyError, SessionFailure, SignedCookieError,
};
#[cfg(feature = "axum")]
pub use extract::{MissingSessionLayer, Session};
pub use future::ResponseFuture;
pub use layer::{KeySource, SessionLayer};
pub use service::SessionService;
pub use signed::CookieSigning;
pub use vary::patch_vary;

/// The `session-core` crate, re-exported.
pub use session_core;
pub use session_core::SameSite;
pub use session_core::codec::MIN_SECRET_KEY_LENGTH;
pub use session_core::signing::MaxAge;
