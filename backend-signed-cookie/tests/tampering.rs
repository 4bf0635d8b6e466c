//! G2: no altered cookie loads, in either format. Every single-bit flip of
//! a valid cookie is tried exhaustively, then random data, positions and
//! garbage with proptest. Loading must never panic.

mod common;

use common::*;
use proptest::prelude::*;
use session_backend_signed_cookie::SignedCookieStore;
use session_core::serde_json::{Value, json};
use session_core::time::OffsetDateTime;
use session_core::{Record, SessionKey, SessionStore};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

fn record(value: Value) -> Record {
    Record::new(
        data(&value),
        OffsetDateTime::from_unix_timestamp(FROZEN + AGE).expect("in range"),
    )
}

/// Flips `bit` of byte `index` and loads the result, if it is still a
/// cookie value at all. Returns whether the store was asked.
async fn flipped_is_rejected(
    store: &SignedCookieStore,
    cookie: &str,
    index: usize,
    bit: u8,
) -> bool {
    let mut bytes = cookie.as_bytes().to_vec();
    bytes[index] ^= 1 << bit;
    let Ok(text) = String::from_utf8(bytes) else {
        return false; // not even text: no cookie can carry it
    };
    let Some(key) = SessionKey::parse(&text) else {
        return false; // not a cookie value: never reaches the store
    };
    let loaded = store.load(&key).await.expect("load never fails");
    assert!(
        loaded.is_none(),
        "bit {bit} of byte {index} flipped and still loads: {text}"
    );
    true
}

async fn every_bit_flip_is_rejected(store: &SignedCookieStore, cookie: &SessionKey) {
    assert!(
        store.load(cookie).await.expect("load").is_some(),
        "the original loads"
    );
    let mut asked = 0;
    for index in 0..cookie.as_str().len() {
        for bit in 0..8 {
            if flipped_is_rejected(store, cookie.as_str(), index, bit).await {
                asked += 1;
            }
        }
    }
    // Most flips stay within visible ASCII and reach the store.
    assert!(
        asked > cookie.as_str().len() * 4,
        "only {asked} flips reached the store"
    );
}

/// Exhaustive over all bytes and bits of a compressed and of an
/// uncompressed Django-format cookie (one written by Django, one by us).
#[tokio::test]
async fn g2_every_single_bit_flip_of_a_django_cookie_is_rejected() {
    let (store, _clock) = django_store();
    let django = backend_vectors()["auth_like"]["session_key_cookie_value"]
        .as_str()
        .expect("string");
    every_bit_flip_is_rejected(&store, &SessionKey::parse(django).expect("cookie")).await;
    let ours = store
        .create(&record(json!({"user": "ada", "_session_expiry": 600})))
        .await
        .expect("create");
    assert!(!ours.as_str().starts_with('.'));
    every_bit_flip_is_rejected(&store, &ours).await;
}

/// Exhaustive over all bytes and bits of an encrypted cookie.
#[tokio::test]
async fn g2_every_single_bit_flip_of_an_encrypted_cookie_is_rejected() {
    let (store, _clock) = encrypted_store();
    let cookie = store
        .create(&record(json!({"user": "ada", "cart": [1, 2, 3]})))
        .await
        .expect("create");
    every_bit_flip_is_rejected(&store, &cookie).await;
}

fn session_data() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
        Just(Value::Null),
    ];
    let value = leaf.prop_recursive(2, 16, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(Value::from)
    });
    prop::collection::vec(("[a-z_]{1,8}", value), 0..6)
        .prop_map(|entries| Value::Object(entries.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// G2: for random data, one random bit flip anywhere is rejected, in
    /// both formats, and the unaltered cookie round-trips.
    #[test]
    fn g2_random_bit_flips_are_rejected(value in session_data(), pick in any::<prop::sample::Index>(), bit in 0u8..8) {
        block_on(async {
            for (store, _clock) in [django_store(), encrypted_store()] {
                let cookie = store.create(&record(value.clone())).await.expect("create");
                let loaded = store.load(&cookie).await.expect("load").expect("round trip");
                assert_eq!(Value::Object((*loaded.data).clone()), value);
                let index = pick.index(cookie.as_str().len());
                flipped_is_rejected(&store, cookie.as_str(), index, bit).await;
            }
        });
    }

    /// G2: garbage never loads and never panics.
    #[test]
    fn g2_garbage_never_loads(text in "[!#-+\\--:<-\\[\\]-~]{1,300}") {
        block_on(async {
            for (store, _clock) in [django_store(), encrypted_store()] {
                let key = SessionKey::parse(&text).expect("cookie-safe by construction");
                assert!(store.load(&key).await.expect("load").is_none());
            }
        });
    }

    /// G2: garbage in the shape of a real cookie never loads either.
    #[test]
    fn g2_well_shaped_garbage_never_loads(
        payload in "\\.?[A-Za-z0-9_-]{0,200}",
        stamp in "[0-9A-Za-z]{1,8}",
        signature in "[A-Za-z0-9_-]{43}",
        blob in "[A-Za-z0-9_-]{0,200}",
    ) {
        block_on(async {
            let (store, _clock) = django_store();
            let key = SessionKey::parse(&format!("{payload}:{stamp}:{signature}")).expect("cookie-safe");
            assert!(store.load(&key).await.expect("load").is_none());
            let (store, _clock) = encrypted_store();
            let key = SessionKey::parse(&format!("enc1.{blob}")).expect("cookie-safe");
            assert!(store.load(&key).await.expect("load").is_none());
        });
    }
}
