//! What a store keeps for one session: the data and the instant it expires.

use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use crate::error::{Error, ErrorKind, Operation, Result};

/// Session data: string keys to JSON values, in insertion order (rule D1).
///
/// Insertion order is kept (serde_json's `preserve_order`) because Django
/// keeps it, and Django-compatible signatures cover the exact JSON bytes.
/// Integers keep their full `i64`/`u64` range; larger ones, and the other
/// values only Python's JSON writes, are held in the in-band forms of
/// [`pyjson::python`](crate::signing::pyjson::python).
pub type Data = serde_json::Map<String, serde_json::Value>;

/// The key inside the data under which a per-session expiry is kept (rule E2).
pub const EXPIRY_KEY: &str = "_session_expiry";

/// The deepest nesting session data may have (rule D1): the data map is
/// level 1 and every object or array inside adds one.
///
/// Every store refuses deeper data at `create` and `save` with
/// [`ErrorKind::Serialization`] (through [`Record::check_depth`]), before it
/// writes anything, so that whatever one store accepts every store reads
/// back: JSON readers stop at a fixed depth (serde_json at 128 levels), and
/// a store may wrap the data a level or two deeper. Without the limit a
/// store that encodes would acknowledge a save it could never load.
pub const MAX_DEPTH: usize = 100;

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

    /// Refuses data nested deeper than [`MAX_DEPTH`] with a
    /// [`ErrorKind::Serialization`] error naming `operation` and `backend`.
    /// Every store calls it first in `create` and `save`.
    pub fn check_depth(&self, operation: Operation, backend: &str) -> Result<()> {
        if exceeds_max_depth(&self.data) {
            return Err(
                Error::new(ErrorKind::Serialization, operation, backend.to_owned()).with_context(
                    format!("session data nested more than {MAX_DEPTH} levels deep"),
                ),
            );
        }
        Ok(())
    }
}

/// True when `data` nests deeper than [`MAX_DEPTH`]. Iterative, so any
/// depth is measured without recursion. The containers in the data (level
/// 2) are looked into in place and only their own containers (level 3 and
/// down) go to a work list, so data nested at most two levels deep, as
/// sessions usually are, is checked without allocating.
fn exceeds_max_depth(data: &Data) -> bool {
    // Level 2 is within the limit, so it needs no check of its own.
    const _: () = assert!(MAX_DEPTH >= 2);
    let mut pending: Vec<(&Value, usize)> = Vec::new();
    for value in data.values() {
        push_containers(value, 3, &mut pending);
    }
    while let Some((value, level)) = pending.pop() {
        if level > MAX_DEPTH {
            return true;
        }
        push_containers(value, level + 1, &mut pending);
    }
    false
}

/// Puts the objects and arrays `value` holds on `pending`, at `level`.
fn push_containers<'a>(value: &'a Value, level: usize, pending: &mut Vec<(&'a Value, usize)>) {
    let is_container = |v: &&Value| matches!(v, Value::Object(_) | Value::Array(_));
    match value {
        Value::Object(map) => pending.extend(map.values().filter(is_container).map(|v| (v, level))),
        Value::Array(items) => {
            pending.extend(items.iter().filter(is_container).map(|v| (v, level)))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Data whose deepest value sits `levels` levels down, the map itself
    /// being level 1.
    fn nested(levels: usize) -> Data {
        let mut value = Value::from(1);
        for i in 1..levels {
            value = if i % 2 == 0 {
                Value::Array(vec![value])
            } else {
                Value::Object(Data::from_iter([("k".to_owned(), value)]))
            };
        }
        Data::from_iter([("deep".to_owned(), value)])
    }

    #[test]
    fn d1_depth_limit_is_exact() {
        assert!(!exceeds_max_depth(&Data::new()));
        assert!(!exceeds_max_depth(&nested(1)));
        assert!(!exceeds_max_depth(&nested(2)));
        assert!(!exceeds_max_depth(&nested(3)));
        assert!(!exceeds_max_depth(&nested(MAX_DEPTH)));
        assert!(exceeds_max_depth(&nested(MAX_DEPTH + 1)));
        assert!(exceeds_max_depth(&nested(10 * MAX_DEPTH)));
        let at = OffsetDateTime::UNIX_EPOCH;
        let err = Record::new(nested(MAX_DEPTH + 1), at)
            .check_depth(Operation::Save, "memory")
            .expect_err("too deep");
        assert_eq!(err.kind(), ErrorKind::Serialization);
        assert_eq!(err.operation(), Operation::Save);
        assert_eq!(err.backend(), "memory");
        Record::new(nested(MAX_DEPTH), at)
            .check_depth(Operation::Create, "memory")
            .expect("at the limit");
    }

    /// The limit leaves room: data at the limit, wrapped in two more
    /// levels, still parses with serde_json's default reader.
    #[test]
    fn d1_data_at_the_limit_parses_back() {
        let data = nested(MAX_DEPTH);
        let wrapped = serde_json::json!({"outer": [data]});
        let text = serde_json::to_string(&wrapped).expect("encode");
        let back: Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, wrapped);
    }
}
