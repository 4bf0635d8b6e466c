//! Latency of `SignedCookieStore` for a ~1 KB session, in Django's format
//! and in the encrypted format, next to the bare MAC over the session's
//! JSON bytes. Run with:
//!
//! ```sh
//! cargo bench -p session-backend-signed-cookie --bench latency
//! ```
//!
//! Baselines: `raw/hmac_sha256` is one HMAC-SHA256 of the compact JSON with
//! the key already set up (the `hmac` crate), `raw/salted_hmac` is Django's
//! `salted_hmac` (key derivation included). A `save` (the same work as a
//! `create`: the cookie *is* the data) serializes, compresses and signs or
//! encrypts; a `load` verifies or decrypts, decompresses and parses.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use session_backend_signed_cookie::{
    CookieFormat, SIGNED_COOKIES_SALT, SignedCookieConfig, SignedCookieStore,
};
use session_core::serde_json::{Value, json};
use session_core::signing::{Algorithm, pyjson, salted_hmac};
use session_core::time::OffsetDateTime;
use session_core::{MockClock, Record, SessionStore};
use sha2::Sha256;
use tokio::runtime::Runtime;

/// The secret of Django's vectors.
const SECRET: &str = "conformance-secret";
/// The vectors' frozen time (2023-11-14 22:13:20 UTC).
const FROZEN: i64 = 1_700_000_000;

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

/// A store of `format` with the vectors' secret at the frozen time.
fn store(format: CookieFormat) -> SignedCookieStore {
    SignedCookieConfig::new(SECRET)
        .with_clock(MockClock::at_unix(FROZEN).shared())
        .with_format(format)
        .build()
        .expect("valid settings")
}

fn latency(c: &mut Criterion) {
    let rt: Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let value = one_kb();
    let bytes = pyjson::to_string(&value).into_bytes();
    let record = Record::new(
        value.as_object().cloned().expect("an object"),
        OffsetDateTime::from_unix_timestamp(FROZEN + 3600).expect("in range"),
    );

    let mut group = c.benchmark_group("signed_cookie_1kb");

    // Baselines: one MAC over the session's JSON bytes.
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).expect("key");
    group.bench_function("raw/hmac_sha256", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&bytes));
            black_box(mac.finalize().into_bytes())
        });
    });
    let key_salt = format!("{SIGNED_COOKIES_SALT}signer");
    group.bench_function("raw/salted_hmac", |b| {
        b.iter(|| {
            black_box(salted_hmac(
                &key_salt,
                black_box(&bytes),
                SECRET.as_bytes(),
                Algorithm::Sha256,
            ))
        });
    });

    for (name, format) in [
        ("django", CookieFormat::Django),
        ("encrypted", CookieFormat::Encrypted),
    ] {
        let store = store(format);
        let key = rt.block_on(store.create(&record)).expect("create");
        group.bench_function(format!("{name}/save"), |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(store.save(&key, &record).await.expect("save")) });
        });
        group.bench_function(format!("{name}/load"), |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(store.load(&key).await.expect("load").expect("live")) });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = latency
}
criterion_main!(benches);
