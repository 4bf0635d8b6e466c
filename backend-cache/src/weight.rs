//! The weigher: an estimate of the memory one cached session occupies.

use std::mem::size_of;

use session_core::serde_json::{Map, Value};
use session_core::{Cached, Record, SessionKey};

/// Fixed cost of one entry: moka's entry and timer nodes, the `Record`, the
/// `Arc` around the data and the key's `Arc<str>` header (measured order of
/// magnitude, not exact).
const ENTRY_OVERHEAD: u64 = 192;

/// Cost of one slot in a map: the index table entry, the stored hash, the
/// key `String` and the value.
const MAP_SLOT: u64 = (size_of::<usize>() * 2 + size_of::<String>() + size_of::<Value>()) as u64;

/// A copy as moka holds it: the record and the instant it is served
/// until, with its weight, computed once when the copy is written (the
/// size check and moka's weigher both read it).
#[derive(Clone)]
pub(crate) struct Weighed {
    /// The copy.
    pub(crate) cached: Cached,
    /// [`record_weight`] of the copy under its key.
    pub(crate) weight: u32,
}

/// Estimated bytes held by `record` under `key`, saturating at `u32::MAX`.
///
/// Walks the data once without recursion (no stack overflow on deeply nested
/// data). Counts the length of every string and map key plus a fixed cost
/// per array and map slot. Values two levels down (a map or list in the
/// session, and what it holds) are weighed in place; only containers deeper
/// than that go to a work list, so typical session data is weighed without
/// allocating.
pub(crate) fn record_weight(key: &SessionKey, record: &Record) -> u32 {
    let mut pending: Vec<&Value> = Vec::new();
    let mut total = ENTRY_OVERHEAD
        .saturating_add(key.as_str().len() as u64)
        .saturating_add(map_header(&record.data));
    for (name, value) in record.data.iter() {
        total = total
            .saturating_add(name.len() as u64)
            .saturating_add(own_weight(value, &mut pending));
    }
    while let Some(value) = pending.pop() {
        total = total.saturating_add(own_weight(value, &mut pending));
    }
    u32::try_from(total).unwrap_or(u32::MAX)
}

/// The weight of `value` itself: its text, or its header and slots with
/// the weight of its scalar members (and map keys); its containers go to
/// `pending`.
fn own_weight<'a>(value: &'a Value, pending: &mut Vec<&'a Value>) -> u64 {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        Value::String(text) => text.len() as u64,
        Value::Array(items) => {
            let mut weight = (items.len() as u64).saturating_mul(size_of::<Value>() as u64);
            for item in items {
                weight = weight.saturating_add(member(item, pending));
            }
            weight
        }
        Value::Object(map) => {
            let mut weight = map_header(map);
            for (name, value) in map {
                weight = weight
                    .saturating_add(name.len() as u64)
                    .saturating_add(member(value, pending));
            }
            weight
        }
    }
}

/// A member's weight when it is a scalar; a container goes to `pending`
/// and is weighed from there.
fn member<'a>(value: &'a Value, pending: &mut Vec<&'a Value>) -> u64 {
    match value {
        Value::Array(_) | Value::Object(_) => {
            pending.push(value);
            0
        }
        scalar => own_weight(scalar, pending),
    }
}

/// A map's header and its slots, without the keys' text.
fn map_header(map: &Map<String, Value>) -> u64 {
    (size_of::<Map<String, Value>>() as u64)
        .saturating_add((map.len() as u64).saturating_mul(MAP_SLOT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::serde_json::json;
    use session_core::time::OffsetDateTime;

    fn record(value: Value) -> Record {
        let data = match value {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Record::new(data, OffsetDateTime::UNIX_EPOCH)
    }

    fn key() -> SessionKey {
        SessionKey::parse("abcdefgh12345678").expect("valid key")
    }

    /// The weight is the sum of its parts: the entry, the key, each map's
    /// header and slots, each array's slots, the text of strings and keys.
    #[test]
    fn weight_is_the_sum_of_its_parts() {
        let value = size_of::<Value>() as u64;
        let map = size_of::<Map<String, Value>>() as u64;
        let data = json!({"a": "xy", "b": [1, "z", [null, "uv"]], "c": {"d": "e", "f": {"g": []}}});
        let expected = ENTRY_OVERHEAD
            + 16
            + (map + 3 * MAP_SLOT)
            + (1 + 2)
            + (1 + 3 * value + 1 + (2 * value + 2))
            + (1 + (map + 2 * MAP_SLOT) + 1 + 1 + 1 + (map + MAP_SLOT) + 1);
        assert_eq!(u64::from(record_weight(&key(), &record(data))), expected);
    }

    #[test]
    fn weight_grows_with_content() {
        let small = record_weight(&key(), &record(json!({"a": 1})));
        let large = record_weight(&key(), &record(json!({"a": "x".repeat(10_000)})));
        assert!(large >= small + 10_000, "{small} {large}");
    }

    /// The weigher does not recurse: a 100,000-deep value is weighed on a
    /// thread with a 64 KiB stack. (Building and dropping such a value does
    /// recurse inside serde_json, so that happens on a large stack.)
    #[test]
    fn deep_nesting_is_weighed_without_recursion() {
        let big_stack = std::thread::Builder::new().stack_size(512 << 20);
        let handle = big_stack.spawn(|| {
            let mut value = json!(1);
            for _ in 0..100_000 {
                value = Value::Array(vec![value]);
            }
            let record = record(json!({ "deep": value }));
            let small_stack = std::thread::Builder::new().stack_size(64 << 10);
            let weigher = small_stack
                .spawn(move || (record_weight(&key(), &record), record))
                .expect("spawn");
            let (weight, record) = weigher.join().expect("weigher did not overflow");
            drop(record);
            weight
        });
        let weight = handle.expect("spawn").join().expect("join");
        assert!(u64::from(weight) > 100_000 * size_of::<Value>() as u64);
    }
}
