//! Django's `session_data` format and `set_expiry` storage, checked against
//! vectors produced by real Django 5.2 (`testdata/django/vectors.json`).

use std::sync::Arc;

use serde_json::{Value, json};
use session_core::codec::{Codec, CodecError, DJANGO_SESSION_SALT, DjangoCodec};
use session_core::expiry::{StoredExpiry, expiry_age, expiry_date, format_iso, parse_iso};
use session_core::testing::django_vectors as vectors;
use session_core::time::OffsetDateTime;
use session_core::{Config, Data, Expiry, MemoryStore, MockClock, Session, SessionStore};

fn frozen(v: &Value) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(v["frozen_time_unix"].as_i64().expect("frozen time"))
        .expect("valid time")
}

fn django_codec(v: &Value) -> Codec {
    Codec::django(v["secret_key"].as_str().expect("secret")).expect("long enough")
}

fn as_data(value: &Value) -> Data {
    value.as_object().expect("a dict").clone()
}

/// G1: every `sessions.encode` vector decodes to Django's dict, and every
/// uncompressed one is produced byte for byte (compressed ones too with the
/// `zlib` feature); compressed ones round-trip.
#[test]
fn g1_django_session_data_encodes_and_decodes_like_django() {
    let v = vectors();
    let codec = django_codec(v);
    let now = frozen(v);
    let cases = v["sessions"]["encode"].as_array().expect("encode cases");
    assert!(cases.len() >= 5);
    for case in cases {
        let encoded = case["encoded"].as_str().expect("encoded");
        let dict = as_data(&case["dict"]);
        assert_eq!(
            codec.decode(encoded).expect(encoded),
            as_data(&case["decoded"]),
            "{encoded}"
        );
        let ours = codec.encode(&dict, now);
        if cfg!(feature = "zlib") || !encoded.starts_with('.') {
            assert_eq!(ours, encoded);
        } else {
            // miniz_oxide deflates differently from zlib; the decision matches.
            assert!(
                ours.starts_with('.'),
                "Django compressed {encoded}; we did not: {ours}"
            );
        }
        assert_eq!(codec.decode(&ours).expect("own output decodes"), dict);
    }
}

/// G2: every `sessions.decode` vector of bad data is an error, never a
/// panic; signature failures and undecodable payloads are told apart as
/// Django tells them apart (it logs only the former).
#[test]
fn g2_corrupt_session_data_is_rejected_and_classified() {
    let v = vectors();
    let plain = django_codec(v);
    let with_fallback = Codec::Django(
        DjangoCodec::new(v["secret_key"].as_str().expect("secret"))
            .expect("key")
            .with_fallback_keys([v["old_secret_key"].as_str().expect("old key")]),
    );
    for case in v["sessions"]["decode"].as_array().expect("decode cases") {
        let name = case["name"].as_str().expect("name");
        let input = case["input"].as_str().expect("input");
        let expected = as_data(&case["decoded"]);
        let logged = !case["logs"].as_array().expect("logs").is_empty();
        let codec = if name.contains("SECRET_KEY_FALLBACKS") {
            &with_fallback
        } else {
            &plain
        };
        match codec.decode(input) {
            Ok(data) => assert_eq!(data, expected, "{name}"),
            Err(CodecError::BadSignature(_)) => {
                assert!(
                    expected.is_empty() && logged,
                    "{name}: bad signature but Django decoded it"
                )
            }
            Err(CodecError::Payload(_)) => assert!(expected.is_empty() && !logged, "{name}"),
            Err(other) => panic!("{name}: unexpected {other}"),
        }
    }
}

/// G2: data signed with another salt or key does not decode.
#[test]
fn g2_other_salt_or_key_is_rejected() {
    let v = vectors();
    let now = frozen(v);
    let data = as_data(&json!({"foo": "bar"}));
    let other_salt = Codec::Django(
        DjangoCodec::new("conformance-secret")
            .expect("key")
            .with_salt("other.Store"),
    );
    let ours = django_codec(v);
    assert!(matches!(
        ours.decode(&other_salt.encode(&data, now)),
        Err(CodecError::BadSignature(_))
    ));
    let other_key = Codec::django("another-secret-key-entirely").expect("key");
    assert!(matches!(
        ours.decode(&other_key.encode(&data, now)),
        Err(CodecError::BadSignature(_))
    ));
    assert_eq!(
        DJANGO_SESSION_SALT,
        v["sessions"]["key_salts"]["db"].as_str().expect("salt")
    );
    assert!(
        Codec::django("short").is_err(),
        "a short secret key is refused"
    );
}

/// D1: the JSON codec refuses what is not a JSON object instead of panicking.
#[test]
fn d1_json_codec_rejects_non_objects() {
    let codec = Codec::Json;
    for bad in ["", "[]", "1", "\"x\"", "{", "null", "\u{0}"] {
        assert!(codec.decode(bad).is_err(), "{bad:?}");
    }
}

/// The SQLite row vector: what Django stores for `{"foo": "bar"}`.
#[test]
fn g1_db_row_session_data_matches_django() {
    let v = vectors();
    let row = &v["sessions"]["db_row_sqlite"];
    let ours = django_codec(v).encode(&as_data(&json!({"foo": "bar"})), frozen(v));
    assert_eq!(ours, row["session_data"].as_str().expect("session_data"));
}

fn expiry_arg(arg: &Value, now: OffsetDateTime) -> Expiry {
    match arg {
        Value::Null => Expiry::Default,
        Value::Number(n) if n.as_i64() == Some(0) => Expiry::BrowserClose,
        Value::Number(n) => Expiry::Seconds(n.as_i64().expect("int")),
        Value::String(s) => Expiry::At(parse_iso(s).expect("iso")),
        Value::Object(o) => {
            let secs = o["timedelta_seconds"].as_f64().expect("seconds");
            let at = now + session_core::time::Duration::seconds_f64(secs);
            Expiry::In(at - now)
        }
        other => panic!("unexpected set_expiry argument {other}"),
    }
}

/// E2, E3, E4: every `sessions.expiry` vector — `set_expiry` stores Django's
/// representation, and age, date, browser-close and the encoded data match.
#[tokio::test]
async fn e2_set_expiry_stores_and_reports_like_django() {
    let v = vectors();
    let now = frozen(v);
    let codec = django_codec(v);
    let clock = MockClock::new(now);
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new().with_clock(clock.shared()));
    let config = Arc::new(Config::default());
    for case in v["sessions"]["expiry"].as_array().expect("expiry cases") {
        let name = case["name"].as_str().expect("name");
        let session = Session::new(store.clone(), config.clone(), None);
        session.insert("x", 1).await.expect("insert");
        session
            .set_expiry(expiry_arg(&case["set_expiry_arg"], now))
            .await
            .expect("set_expiry");
        let stored = session.get_value("_session_expiry").await.expect("get");
        match &case["stored__session_expiry"] {
            Value::String(s) if s == "<absent>" => assert_eq!(stored, None, "{name}"),
            expected => assert_eq!(stored.as_ref(), Some(expected), "{name}"),
        }
        assert_eq!(
            session.expiry_age().await.expect("age"),
            case["get_expiry_age"].as_i64().expect("age"),
            "{name}"
        );
        assert_eq!(
            format_iso(session.expiry_date().await.expect("date")),
            case["get_expiry_date"].as_str().expect("date"),
            "{name}"
        );
        assert_eq!(
            session.expire_at_browser_close().await.expect("close"),
            case["get_expire_at_browser_close"].as_bool().expect("bool"),
            "{name}"
        );
        let data = session.data().await.expect("data");
        assert_eq!(
            codec.encode(&data, now),
            case["encoded"].as_str().expect("encoded"),
            "{name}"
        );
    }
}

/// E3: Django's `get_expiry_age` / `get_expiry_date` with explicit
/// `modification` and `expiry` arguments (`sessions.expiry_kwargs`).
#[test]
fn e3_expiry_functions_with_explicit_arguments() {
    let v = vectors();
    let k = &v["sessions"]["expiry_kwargs"];
    let modification = parse_iso(k["modification"].as_str().expect("modification")).expect("iso");
    let age = 1_209_600;
    let at = |secs: f64| {
        StoredExpiry::Date(modification + session_core::time::Duration::seconds_f64(secs))
    };
    let int = |key: &str| k[key].as_i64().expect(key);
    assert_eq!(
        expiry_age(Some(StoredExpiry::Seconds(50)), modification, age),
        int("age_expiry_int_50")
    );
    assert_eq!(expiry_age(None, modification, age), int("age_expiry_none"));
    assert_eq!(
        expiry_age(Some(StoredExpiry::Seconds(0)), modification, age),
        int("age_expiry_zero")
    );
    assert_eq!(
        expiry_age(Some(at(30.0)), modification, age),
        int("age_expiry_datetime_plus_30s")
    );
    assert_eq!(
        expiry_age(Some(at(30.9)), modification, age),
        int("age_expiry_iso_string_plus_30_9s")
    );
    assert_eq!(
        expiry_age(Some(at(-30.0)), modification, age),
        int("age_expiry_datetime_in_past")
    );
    let date = |stored| format_iso(expiry_date(stored, modification, age));
    assert_eq!(
        date(Some(StoredExpiry::Seconds(50))),
        k["date_expiry_int_50"].as_str().expect("date")
    );
    assert_eq!(date(None), k["date_expiry_none"].as_str().expect("date"));
    assert_eq!(
        date(Some(StoredExpiry::Seconds(0))),
        k["date_expiry_zero"].as_str().expect("date")
    );
    // Django with USE_TZ=False stores a naive date (frozen time + 10 s);
    // it is read as UTC.
    let naive = k["use_tz_false_timedelta_10s_stored"]
        .as_str()
        .expect("naive date");
    assert_eq!(
        parse_iso(naive).expect("naive ISO parses"),
        frozen(v) + session_core::time::Duration::seconds(10)
    );
}
