//! What a store keeps for one session: the data and the instant it expires.

use std::sync::Arc;

use time::OffsetDateTime;

/// Session data: string keys to JSON values, in insertion order (rule D1).
///
/// Insertion order is kept (serde_json's `preserve_order`) because Django
/// keeps it, and Django-compatible signatures cover the exact JSON bytes.
/// Integers keep their full `i64`/`u64` range.
pub type Data = serde_json::Map<String, serde_json::Value>;

/// The key inside the data under which a per-session expiry is kept (rule E2).
pub const EXPIRY_KEY: &str = "_session_expiry";

/// One stored session.
///
/// `expires_at` is absolute and computed by the [`Session`](crate::Session)
/// handle at save time from the data's expiry and the configured age (Django's
/// `get_expiry_date()`). A store must never return a record whose
/// `expires_at` is at or before its clock's now (rule E5), whether or not the
/// engine has removed it yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The session data, shared rather than copied: a store that keeps
    /// records in memory hands out the same `Arc` on every load, and the
    /// [`Session`](crate::Session) handle copies it only on its first change.
    pub data: Arc<Data>,
    /// The instant from which the record no longer loads.
    pub expires_at: OffsetDateTime,
}

impl Record {
    /// A record holding `data` until `expires_at`.
    pub fn new(data: impl Into<Arc<Data>>, expires_at: OffsetDateTime) -> Self {
        Self {
            data: data.into(),
            expires_at,
        }
    }

    /// True when the record is still live at `now`: `expires_at > now`, the
    /// comparison Django's database backend uses on load.
    pub fn is_live_at(&self, now: OffsetDateTime) -> bool {
        self.expires_at > now
    }
}
