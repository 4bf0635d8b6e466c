#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod capability;
pub mod clock;
pub mod codec;
pub mod config;
pub mod error;
pub mod expiry;
pub mod key;
pub mod memory;
pub mod record;
#[doc = include_str!("../docs/rules.md")]
pub mod rules {}
pub mod session;
pub mod signing;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tier;

pub use capability::Capabilities;
pub use clock::{Clock, MockClock, SharedClock, SystemClock};
pub use codec::{Codec, CodecError, CodecNameError, DjangoCodec};
pub use config::{Config, SameSite};
pub use error::{BoxError, Error, ErrorKind, Operation, Result};
pub use expiry::{Expiry, StoredExpiry};
pub use key::{KeyGenerator, RandomKeys, SessionKey, SharedKeyGenerator};
pub use memory::MemoryStore;
pub use record::{Data, EXPIRY_KEY, MAX_DEPTH, Record};
pub use session::Session;
pub use store::{SessionStore, insert_with_fresh_key};
pub use tier::{CacheTier, Cached};

/// Re-exported so stores and applications name the same JSON and time types.
pub use serde_json;
pub use time;
