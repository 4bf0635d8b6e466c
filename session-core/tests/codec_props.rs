//! Property tests: every value round-trips through both record codecs (D1),
//! and no input makes decoding panic (G2).

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use session_core::Data;
use session_core::codec::Codec;
use session_core::time::OffsetDateTime;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        any::<String>().prop_map(Value::String),
        "[\\u{1F600}-\\u{1F64F}a-z ]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn data() -> impl Strategy<Value = Data> {
    prop::collection::vec((any::<String>(), json_value()), 0..8)
        .prop_map(|entries| entries.into_iter().collect())
}

fn codecs() -> [Codec; 2] {
    [
        Codec::Json,
        Codec::django("conformance-secret").expect("key"),
    ]
}

proptest! {
    /// D1: unicode, nesting, full-range integers, floats, null, empty
    /// strings and maps round-trip exactly, in insertion order.
    #[test]
    fn d1_codecs_round_trip_any_data(data in data(), now in 0i64..4_000_000_000) {
        let now = OffsetDateTime::from_unix_timestamp(now).expect("time");
        for codec in codecs() {
            let text = codec.encode(&data, now);
            let back = codec.decode(&text).expect("own output decodes");
            prop_assert_eq!(&back, &data);
            prop_assert_eq!(back.keys().collect::<Vec<_>>(), data.keys().collect::<Vec<_>>());
        }
    }

    /// G1: writing a data map directly gives the same bytes as writing it
    /// as a JSON object, signed or not (the stores use the direct form).
    #[test]
    fn g1_map_writers_match_value_writers(data in data()) {
        use session_core::signing::{encode_map_payload, encode_payload, pyjson};
        let value = Value::Object(data.clone());
        prop_assert_eq!(pyjson::map_to_string(&data), pyjson::to_string(&value));
        prop_assert_eq!(encode_map_payload(&data, true), encode_payload(&value, true));
        prop_assert_eq!(encode_map_payload(&data, false), encode_payload(&value, false));
    }

    /// G2: arbitrary text never panics either codec.
    #[test]
    fn g2_decoding_garbage_never_panics(text in any::<String>()) {
        for codec in codecs() {
            let _ = codec.decode(&text);
        }
    }

    /// G2: flipping any single bit of Django-format data makes it fail.
    #[test]
    fn g2_any_bit_flip_is_rejected(data in data(), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let codec = Codec::django("conformance-secret").expect("key");
        let text = codec.encode(&data, OffsetDateTime::UNIX_EPOCH);
        let mut bytes = text.into_bytes();
        let i = index.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(tampered) = String::from_utf8(bytes) {
            prop_assert!(codec.decode(&tampered).is_err(), "{}", tampered);
        }
    }
}
