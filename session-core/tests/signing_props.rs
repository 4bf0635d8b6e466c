//! Property tests of `session_core::signing`: round trips over arbitrary
//! JSON values (rule G1) and robustness against arbitrary, bit-flipped and
//! truncated input (rule G2).

use std::io::Write as _;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use proptest::prelude::*;
use serde_json::{Value, json};
use session_core::signing::{
    MaxAge, PayloadError, Signer, TimestampSigner, UnsignError, ZlibError, b62_decode, b62_encode,
    b64_decode, b64_encode, decode_payload, dumps, encode_payload, loads, pyjson,
};

const KEY: &str = "property-secret";
const SALT: &str = "django.core.signing";
const NOW: i64 = 1_700_000_000;
const NO_FALLBACKS: &[&str] = &[];

/// Arbitrary JSON: all integer ranges, finite floats (subnormals included),
/// arbitrary Unicode strings (control and astral characters included), and
/// nested arrays and insertion-ordered objects.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        any::<String>().prop_map(Value::String),
        "[\\u{0}-\\u{7f}\\u{e9}\\u{2019}\\u{1f600}]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

fn signed_sample(compress: bool) -> String {
    let value = json!({"user": {"id": 1, "roles": ["a", "b"]}, "note": "yyyyyyyyyyyyyyyyyyyyyyyyyyyy", "f": 1.5});
    dumps(&value, KEY, SALT, compress, NOW)
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// G1: dumps then loads returns the same value, compressed or not, at
    /// any timestamp.
    #[test]
    fn dumps_then_loads_round_trips(value in json_value(), compress in any::<bool>(), now in any::<i64>()) {
        let signed = dumps(&value, KEY, SALT, compress, now);
        let back = loads(&signed, KEY, SALT, None, NO_FALLBACKS, now);
        prop_assert_eq!(back.ok(), Some(value));
    }

    /// G1: Python-compatible JSON is pure printable ASCII and parses back with
    /// serde_json to the same value.
    #[test]
    fn pyjson_is_ascii_and_parses_back(value in json_value()) {
        let text = pyjson::to_string(&value);
        prop_assert!(text.bytes().all(|b| (0x20..0x7f).contains(&b)), "{}", text);
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        prop_assert_eq!(back, value);
    }

    /// G1: payload encoding and decoding are inverse, and compression is used
    /// only when it saves at least two bytes.
    #[test]
    fn payload_codec_round_trips(value in json_value()) {
        let json_len = pyjson::to_string(&value).len();
        let payload = encode_payload(&value, true);
        if let Some(compressed) = payload.strip_prefix('.') {
            let zlib = b64_decode(compressed).expect("base64");
            prop_assert!(zlib.len() + 1 < json_len);
        }
        prop_assert_eq!(decode_payload(&payload, usize::MAX).ok(), Some(value));
    }

    /// G1: base62 and base64 round-trip every input.
    #[test]
    fn b62_and_b64_round_trip(n in any::<i64>(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(b62_decode(&b62_encode(n)), Ok(n));
        prop_assert_eq!(b64_decode(&b64_encode(&bytes)).ok(), Some(bytes));
    }

    /// G1: Signer and TimestampSigner round-trip any value, including ones
    /// that contain the separator.
    #[test]
    fn signers_round_trip_any_value(value in any::<String>(), now in any::<i64>()) {
        let signer = Signer::new(KEY);
        prop_assert_eq!(signer.unsign(&signer.sign(&value)), Ok(value.clone()));
        let stamped = TimestampSigner::new(KEY);
        let signed = stamped.sign_at(&value, now);
        prop_assert_eq!(stamped.unsign_at(&signed, None, now).ok(), Some(value));
        prop_assert_eq!(stamped.timestamp_of(&signed).ok(), Some(now));
    }

    /// G2: expiry is exactly `now - ts > max_age`.
    #[test]
    fn expiry_is_age_strictly_greater_than_max_age(age in -1000i64..1000, max_age in -10i64..1000) {
        let signer = TimestampSigner::new(KEY);
        let signed = signer.sign_at("v", NOW);
        let result = signer.unsign_at(&signed, Some(MaxAge::from_secs(max_age)), NOW + age);
        prop_assert_eq!(result.is_err_and(|e| e.is_expired()), age > max_age);
    }

    /// G2: arbitrary strings never panic any decoder and never verify.
    #[test]
    fn arbitrary_input_never_panics_or_verifies(input in any::<String>()) {
        prop_assert!(loads(&input, KEY, SALT, Some(MaxAge::from_secs(10)), NO_FALLBACKS, NOW).is_err());
        prop_assert!(Signer::new(KEY).unsign(&input).is_err());
        prop_assert!(Signer::new(KEY).unsign_object(&input).is_err());
        let _ = TimestampSigner::new(KEY).unsign_at(&input, None, NOW);
        let _ = decode_payload(&input, 1024);
        let _ = b64_decode(&input);
        let _ = b62_decode(&input);
    }

    /// G2: arbitrary structured-looking input (`payload:ts:sig`) never
    /// verifies.
    #[test]
    fn forged_triples_never_verify(payload in "\\.?[A-Za-z0-9_-]{0,40}", ts in "-?[0-9A-Za-z]{0,8}", sig in "[A-Za-z0-9_-]{0,50}") {
        let input = format!("{payload}:{ts}:{sig}");
        prop_assert!(loads(&input, KEY, SALT, None, NO_FALLBACKS, NOW).is_err_and(|e| e.is_bad_signature()));
    }
}

/// G2: flipping any single bit of a valid signed value (compressed or not)
/// never panics and never verifies.
#[test]
fn single_bit_flips_never_verify() {
    for compress in [false, true] {
        let signed = signed_sample(compress);
        assert!(loads(&signed, KEY, SALT, None, NO_FALLBACKS, NOW).is_ok());
        let bytes = signed.as_bytes();
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.to_vec();
                flipped[index] ^= 1 << bit;
                let text = String::from_utf8_lossy(&flipped);
                let result = loads(&text, KEY, SALT, None, NO_FALLBACKS, NOW);
                assert!(result.is_err(), "flip {index}:{bit} verified: {text}");
            }
        }
    }
}

/// G2: every strict prefix (and suffix) of a valid signed value fails with
/// a bad signature.
#[test]
fn truncations_never_verify() {
    for compress in [false, true] {
        let signed = signed_sample(compress);
        for cut in 0..signed.len() {
            let prefix = loads(&signed[..cut], KEY, SALT, None, NO_FALLBACKS, NOW);
            assert!(prefix.is_err_and(|e| e.is_bad_signature()), "prefix {cut}");
            let suffix = loads(&signed[cut + 1..], KEY, SALT, None, NO_FALLBACKS, NOW);
            assert!(suffix.is_err_and(|e| e.is_bad_signature()), "suffix {cut}");
        }
    }
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).expect("in-memory write");
    encoder.finish().expect("in-memory finish")
}

/// G2: a validly signed zip bomb (10 MiB of JSON in ~10 KiB) is refused with
/// a payload error instead of being inflated; the limit is configurable and
/// a payload of exactly the limit is accepted.
#[test]
fn zip_bomb_is_refused_by_the_decompression_limit() {
    let mut json = Vec::with_capacity(10 << 20);
    json.push(b'"');
    json.resize((10 << 20) - 1, b'a');
    json.push(b'"');
    let payload = format!(".{}", b64_encode(&zlib(&json)));
    assert!(payload.len() < 20_000);
    let signed = TimestampSigner::new(KEY)
        .with_salt(SALT)
        .sign_at(&payload, NOW);
    let result = loads(&signed, KEY, SALT, None, NO_FALLBACKS, NOW);
    assert!(
        matches!(
            result,
            Err(UnsignError::Payload(PayloadError::TooLarge {
                limit: 1_048_576
            }))
        ),
        "{result:?}"
    );
    let exact = TimestampSigner::new(KEY)
        .with_salt(SALT)
        .with_max_decompressed_size(json.len());
    assert_eq!(
        exact
            .unsign_object_at(&signed, None, NOW)
            .ok()
            .map(|v| v.as_str().map(str::len)),
        Some(Some(json.len() - 2))
    );
    let short = exact.with_max_decompressed_size(json.len() - 1);
    assert!(
        short
            .unsign_object_at(&signed, None, NOW)
            .is_err_and(|e| !e.is_bad_signature())
    );
    let tiny = Signer::new(KEY).with_max_decompressed_size(0);
    assert!(tiny.unsign_object(&tiny.sign(&payload)).is_err());
}

/// G2: truncated or corrupt zlib behind a valid signature is a payload
/// error, and bytes after the end of the stream are ignored (as Python does).
#[test]
fn bad_zlib_behind_a_valid_signature_is_a_payload_error() {
    let stream = zlib(br#"{"a":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}"#);
    let signer = Signer::new(KEY);
    for cut in 0..stream.len() {
        let payload = format!(".{}", b64_encode(&stream[..cut]));
        let result = signer.unsign_object(&signer.sign(&payload));
        assert!(
            result.as_ref().is_err_and(|e| e.as_payload().is_some()),
            "cut {cut}: {result:?}"
        );
    }
    let truncated = format!(".{}", b64_encode(&stream[..stream.len() - 1]));
    let result = signer.unsign_object(&signer.sign(&truncated));
    assert!(
        matches!(
            result,
            Err(UnsignError::Payload(PayloadError::Zlib(
                ZlibError::Truncated
            )))
        ),
        "{result:?}"
    );
    let mut trailing = stream.clone();
    trailing.extend_from_slice(b"trailing garbage");
    let payload = format!(".{}", b64_encode(&trailing));
    assert!(signer.unsign_object(&signer.sign(&payload)).is_ok());
}

/// G1: key material never appears in `Debug` output, for any signer type.
#[test]
fn debug_output_never_shows_keys() {
    let primary = "primary-SECRET-do-not-print";
    let fallback = "fallback-SECRET-do-not-print";
    let signer = Signer::new(primary).with_fallback_keys([fallback]);
    let stamped = TimestampSigner::new(primary).with_fallback_keys([fallback]);
    let cookie = session_core::signing::CookieSigner::new(primary, "name", "salt")
        .with_fallback_keys([fallback]);
    for text in [
        format!("{signer:?}"),
        format!("{stamped:?}"),
        format!("{cookie:?}"),
    ] {
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
