//! A quick timing loop for a 1 KB session (not a benchmark suite; the
//! criterion benches live in `benches/`). Run in release mode:
//!
//! ```text
//! cargo test --release -p session-backend-signed-cookie --test timing -- --ignored --nocapture
//! ```

mod common;

use std::time::Instant;

use common::*;
use hmac::{Hmac, Mac};
use session_core::serde_json::{Value, json};
use session_core::signing::{decode_payload, encode_payload, pyjson};
use session_core::time::OffsetDateTime;
use session_core::{Record, SessionStore};
use sha2::Sha256;

/// About 1 KB of JSON in the shape of a real session: auth entries, a cart,
/// flags, a CSRF-like token (the token does not compress).
fn one_kb() -> Value {
    let items: Vec<Value> = (0..15)
        .map(|i| json!({"sku": format!("SKU-{i:05}"), "qty": i % 3 + 1, "price": 9.99 + f64::from(i)}))
        .collect();
    json!({
        "_auth_user_id": "12345",
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": "3f1c9a7e0b5d4c2a8e6f1b3d5c7a9e0f2b4d6c8a0e2f4b6d8c0a2e4f6b8d0c2a",
        "csrf": "Yq3LxP0vT9mK2sWd8nB5rJ7cF1hG4eZa",
        "cart": items,
        "flags": {"beta": true, "theme": "dark", "lang": "en-gb"},
        "_session_expiry": 3600,
    })
}

fn per_call(label: &str, iterations: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iterations / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    println!("{label:<44} {micros:>8.2} µs");
    micros
}

#[test]
#[ignore = "timing; run in release mode with --ignored --nocapture"]
fn one_kb_save_and_load() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    let value = one_kb();
    let json_len = pyjson::to_string(&value).len();
    let record = Record::new(
        data(&value),
        OffsetDateTime::from_unix_timestamp(FROZEN + 3600).expect("in range"),
    );
    const N: u32 = 20_000;
    println!("session JSON: {json_len} bytes");
    for (name, (store, _clock)) in [("django", django_store()), ("encrypted", encrypted_store())] {
        let key = runtime.block_on(store.create(&record)).expect("create");
        println!("{name} cookie: {} bytes", key.as_str().len());
        per_call(&format!("{name}: save (sign + compress)"), N, || {
            runtime.block_on(store.save(&key, &record)).expect("save");
        });
        per_call(
            &format!("{name}: load (verify + decompress + parse)"),
            N,
            || {
                runtime
                    .block_on(store.load(&key))
                    .expect("load")
                    .expect("live");
            },
        );
    }
    let bytes = pyjson::to_string(&value).into_bytes();
    let mut sink = 0u8;
    per_call("baseline: HMAC-SHA256 of the JSON bytes", N * 5, || {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"conformance-secret").expect("key");
        mac.update(&bytes);
        sink ^= mac.finalize().into_bytes()[0];
    });
    per_call("baseline: copy of the data map", N, || {
        let copy = Value::Object((*record.data).clone());
        sink ^= u8::from(copy.is_object());
    });
    per_call("part: compact JSON text", N, || {
        sink ^= pyjson::to_string(&value).as_bytes()[0];
    });
    per_call("part: payload, uncompressed (JSON + base64)", N, || {
        sink ^= encode_payload(&value, false).as_bytes()[0];
    });
    per_call(
        "part: payload, compressed (JSON + zlib + base64)",
        N,
        || {
            sink ^= encode_payload(&value, true).as_bytes()[0];
        },
    );
    let payload = encode_payload(&value, true);
    per_call("part: decode payload (base64 + inflate + JSON)", N, || {
        sink ^= u8::from(decode_payload(&payload, 1 << 20).is_ok());
    });
    println!("(sink {sink})");
}
