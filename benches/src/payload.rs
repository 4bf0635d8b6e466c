//! [`payload`]: deterministic session data of a chosen encoded size.

use session_core::Data;
use session_core::serde_json::{Value, json};
use session_core::signing::pyjson;

/// Characters of the generated tokens (URL-safe, never escaped in JSON).
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Deterministic session data whose compact JSON encoding (the JSON codec
/// the byte-storing backends use, [`pyjson::map_to_string`]) is `bytes`
/// bytes long, for any `bytes` from 40 up; smaller requests get the
/// smallest payload, 25 bytes.
///
/// It looks like a real session: Django's auth keys, a CSRF-like token,
/// preference flags, then cart items until the size is nearly reached,
/// then a `note` string filling the rest. Tokens and notes are
/// pseudo-random letters and digits from a fixed seed, so the data
/// compresses about as a real session does (the signed-cookie backend
/// compresses), and every call with the same `bytes` gives the same data.
pub fn payload(bytes: usize) -> Data {
    let mut tokens = Tokens(0x5eed_cafe_f00d_d00d);
    let mut data = Data::new();
    data.insert("_auth_user_id".into(), json!("12345"));
    let mut fields: Vec<(String, Value)> = vec![
        (
            "_auth_user_backend".into(),
            json!("django.contrib.auth.backends.ModelBackend"),
        ),
        ("_auth_user_hash".into(), json!(tokens.take(64))),
        ("csrf".into(), json!(tokens.take(32))),
        (
            "flags".into(),
            json!({"beta": true, "theme": "dark", "lang": "en-gb"}),
        ),
    ];
    let mut item = 0_u32;
    loop {
        let (name, value) = if fields.is_empty() {
            item += 1;
            (
                format!("cart_{item:04}"),
                json!({"sku": format!("SKU-{:05}", item * 37 % 100_000), "qty": item % 3 + 1,
                       "price_cents": 999 + item * 100, "ref": tokens.take(8)}),
            )
        } else {
            fields.remove(0)
        };
        // `,"name":value` plus a note of at least `,"note":""`.
        let grown = encoded_len(&data) + 1 + quoted(&name) + 1 + value_len(&value);
        if grown + NOTE_OVERHEAD > bytes {
            break;
        }
        data.insert(name, value);
    }
    let len = encoded_len(&data);
    if len + NOTE_OVERHEAD <= bytes {
        data.insert(
            "note".into(),
            json!(tokens.take(bytes - len - NOTE_OVERHEAD)),
        );
    }
    data
}

/// `,"note":""`.
const NOTE_OVERHEAD: usize = 10;

fn encoded_len(data: &Data) -> usize {
    pyjson::map_to_string(data).len()
}

fn quoted(name: &str) -> usize {
    pyjson::to_string(&Value::String(name.to_owned())).len()
}

fn value_len(value: &Value) -> usize {
    pyjson::to_string(value).len()
}

/// A small linear congruential generator: deterministic tokens, no
/// dependency on a random-number crate's stream staying the same.
struct Tokens(u64);

impl Tokens {
    fn take(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let index = (self.0 >> 33) as usize % ALPHABET.len();
                char::from(ALPHABET[index])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_is_met_within_ten_percent() {
        for bytes in crate::SIZES.into_iter().chain([40, 64, 500, 4096, 100_000]) {
            let len = encoded_len(&payload(bytes));
            assert!(
                len.abs_diff(bytes) * 10 <= bytes,
                "asked {bytes} bytes, got {len}"
            );
        }
    }

    #[test]
    fn the_payload_is_deterministic_and_grows_with_the_size() {
        assert_eq!(payload(1024), payload(1024));
        assert!(payload(16 * 1024).len() > payload(1024).len());
        assert!(payload(1024).contains_key("_auth_user_id"));
    }

    #[test]
    fn tiny_requests_get_the_smallest_payload() {
        assert_eq!(
            pyjson::map_to_string(&payload(0)),
            r#"{"_auth_user_id":"12345"}"#
        );
    }
}
