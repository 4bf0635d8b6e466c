//! The weigher: an estimate of the memory one cached session occupies.

use std::mem::size_of;

use session_core::serde_json::{Map, Value};
use session_core::{Record, SessionKey};

/// Fixed cost of one entry: moka's entry and timer nodes, the `Record`, the
/// `Arc` around the data and the key's `Arc<str>` header (measured order of
/// magnitude, not exact).
const ENTRY_OVERHEAD: u64 = 192;

/// Cost of one slot in a map: the index table entry, the stored hash, the
/// key `String` and the value.
const MAP_SLOT: u64 = (size_of::<usize>() * 2 + size_of::<String>() + size_of::<Value>()) as u64;

/// Estimated bytes held by `record` under `key`, saturating at `u32::MAX`.
///
/// Walks the data once without recursion (no stack overflow on deeply nested
/// data) and without allocating beyond a small work list. Counts the length
/// of every string and map key plus a fixed cost per array and map slot.
pub(crate) fn record_weight(key: &SessionKey, record: &Record) -> u32 {
    let mut total = ENTRY_OVERHEAD.saturating_add(key.as_str().len() as u64);
    let mut pending: Vec<&Value> = Vec::new();
    total = total.saturating_add(map_weight(&record.data, &mut pending));
    while let Some(value) = pending.pop() {
        let weight = match value {
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
            Value::String(text) => text.len() as u64,
            Value::Array(items) => {
                pending.extend(items.iter());
                (items.len() as u64).saturating_mul(size_of::<Value>() as u64)
            }
            Value::Object(map) => map_weight(map, &mut pending),
        };
        total = total.saturating_add(weight);
    }
    u32::try_from(total).unwrap_or(u32::MAX)
}

/// The map's own weight (header, slots, key text); its values go to `pending`.
fn map_weight<'a>(map: &'a Map<String, Value>, pending: &mut Vec<&'a Value>) -> u64 {
    let mut weight = (size_of::<Map<String, Value>>() as u64)
        .saturating_add((map.len() as u64).saturating_mul(MAP_SLOT));
    for (key, value) in map {
        weight = weight.saturating_add(key.len() as u64);
        pending.push(value);
    }
    weight
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
