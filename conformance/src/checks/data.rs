//! D1: values round-trip exactly, through the store and through a session.

use serde_json::{Map, Value, json};
use session_core::signing::pyjson;
use session_core::{Data, ErrorKind, MAX_DEPTH, Record, SessionKey, SessionStore};

use crate::cx::{Checked, Cx, Expect, ensure, ensure_eq, record, session};
use crate::harness::Harness;
use crate::report::Outcome;

/// Values that lossy stores get wrong: unicode (astral plane too), control
/// characters, integers beyond 2^53 up to the full i64/u64 range, floats
/// that need 17 digits, null, empty values, deep nesting, an empty key.
pub(crate) fn tricky_data() -> Data {
    let mut deep = json!("bottom");
    for level in 0..32 {
        deep = json!({ format!("level{level}"): [deep] });
    }
    let pairs = [
        ("ascii", json!("plain text")),
        ("unicode ключ 🔑", json!("значение ✓ 😀 中文 \u{10FFFF} é")),
        (
            "control",
            json!("tab\tnewline\nreturn\r quote\" backslash\\ nul\u{0} bell\u{7}"),
        ),
        ("empty string", json!("")),
        ("i64 min", json!(i64::MIN)),
        ("i64 max", json!(i64::MAX)),
        ("u64 max", json!(u64::MAX)),
        ("2^53 + 1", json!(9_007_199_254_740_993_i64)),
        ("zero", json!(0)),
        ("minus one", json!(-1)),
        ("a tenth", json!(0.1)),
        ("a third", json!(1.0_f64 / 3.0)),
        ("smallest float", json!(5e-324)),
        ("largest float", json!(f64::MAX)),
        ("float one", json!(1.0)),
        ("negative float", json!(-2.5e-10)),
        ("null", Value::Null),
        ("true", json!(true)),
        ("false", json!(false)),
        ("empty map", json!({})),
        ("empty list", json!([])),
        (
            "nested",
            json!({"a": [1, {"b": [null, "c", {"d": {}}]}], "ключ": {"😀": [1.5, -7]}}),
        ),
        ("deep", deep),
        ("", json!("the empty key")),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The data with its keys in reverse order.
fn reversed(data: &Data) -> Data {
    data.iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Exact equality: the same entries, the same order, the same JSON text
/// (so `1.0` stays a float and `u64::MAX` stays an integer).
fn same(loaded: &Data, expected: &Data) -> bool {
    serde_json::to_string(loaded).ok() == serde_json::to_string(expected).ok()
}

fn describe_difference(loaded: &Data, expected: &Data) -> String {
    for (k, v) in expected {
        match loaded.get(k) {
            None => return format!("entry {k:?} is missing"),
            Some(got) if serde_json::to_string(got).ok() != serde_json::to_string(v).ok() => {
                return format!("entry {k:?}: expected {v}, observed {got}");
            }
            _ => {}
        }
    }
    if loaded.len() != expected.len() {
        let extra: Vec<_> = loaded
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .collect();
        return format!("unexpected entries {extra:?}");
    }
    let order: Vec<_> = loaded.keys().collect();
    format!("same entries, but in another order: {order:?}")
}

async fn round_trip<S: SessionStore>(
    store: &S,
    key: &session_core::SessionKey,
    rec: &Record,
    what: &str,
) -> Checked {
    let loaded = store.load(key).await.ok_or_fail("D1", what)?;
    let Some(loaded) = loaded else {
        return Err(crate::cx::fail(
            "D1",
            format!("{what}: expected the record, observed None"),
        ));
    };
    ensure!(
        same(&loaded.data, &rec.data),
        "D1",
        "{what}: {}",
        describe_difference(&loaded.data, &rec.data)
    );
    ensure_eq!(
        loaded.expires_at,
        rec.expires_at,
        "D1",
        "{what}: expires_at"
    );
    Ok(Outcome::Pass)
}

pub(crate) async fn d1_values_round_trip_exactly<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let first = record(&*store, tricky_data());
    let key = store.create(&first).await.ok_or_fail("D1", "create")?;
    round_trip(&*store, &key, &first, "load after create").await?;
    // Saved again in reverse order: order is part of the data.
    let second = record(&*store, reversed(&first.data));
    let key = store.save(&key, &second).await.ok_or_fail("D1", "save")?;
    round_trip(
        &*store,
        &key,
        &second,
        "load after a save in reverse key order",
    )
    .await?;
    let empty = record(&*store, Map::new());
    let key = store
        .create(&empty)
        .await
        .ok_or_fail("D1", "create of empty data")?;
    round_trip(&*store, &key, &empty, "load of empty data").await
}

pub(crate) async fn d1_handle_values_round_trip_through_save_and_load<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let expected = tricky_data();
    let s = session(&store, None);
    for (k, v) in &expected {
        s.insert(k.clone(), v).await.ok_or_fail("D1", "insert")?;
    }
    s.save().await.ok_or_fail("D1", "save")?;
    let key = s.key().expect("saved");
    let again = session(&store, Some(key.as_str()));
    let loaded = again.data().await.ok_or_fail("D1", "load")?;
    ensure!(
        same(&loaded, &expected),
        "D1",
        "reload through a new session: {}",
        describe_difference(&loaded, &expected)
    );
    ensure_eq!(
        again
            .get::<u64>("u64 max")
            .await
            .ok_or_fail("D1", "typed get")?,
        Some(u64::MAX),
        "D1",
        "get::<u64>"
    );
    ensure_eq!(
        again
            .get::<i64>("i64 min")
            .await
            .ok_or_fail("D1", "typed get")?,
        Some(i64::MIN),
        "D1",
        "get::<i64>"
    );
    ensure_eq!(
        again
            .get::<f64>("a third")
            .await
            .ok_or_fail("D1", "typed get")?,
        Some(1.0 / 3.0),
        "D1",
        "get::<f64>"
    );
    ensure_eq!(
        again
            .get::<String>("unicode ключ 🔑")
            .await
            .ok_or_fail("D1", "typed get")?,
        Some("значение ✓ 😀 中文 \u{10FFFF} é".to_owned()),
        "D1",
        "get::<String> of a unicode value"
    );
    Ok(Outcome::Pass)
}

/// What Python's `json` (so Django) writes that Rust's JSON types cannot
/// hold, in the in-band forms of [`pyjson`], and the text Python writes for
/// the data.
fn python_data() -> (Data, &'static str) {
    let mut data = Data::new();
    let mut put = |key: &str, value: Option<Value>| {
        data.insert(key.to_owned(), value.unwrap_or(Value::Null));
    };
    put("big", pyjson::big_int("1180591620717411303424"));
    put("negative big", pyjson::big_int("-1180591620717411303424"));
    put("nan", Some(pyjson::float(f64::NAN)));
    put("infinity", Some(pyjson::float(f64::INFINITY)));
    put("minus infinity", Some(pyjson::float(f64::NEG_INFINITY)));
    put(
        "lone surrogates",
        pyjson::from_str(r#""a\ud800b\udfff""#).ok(),
    );
    put(
        "nested",
        pyjson::from_str("[NaN,{\"n\":18446744073709551616}]").ok(),
    );
    let key = pyjson::from_str(r#""k\udc00""#)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    data.insert(key, json!(1));
    (
        data,
        r#"{"big":1180591620717411303424,"negative big":-1180591620717411303424,"nan":NaN,"infinity":Infinity,"minus infinity":-Infinity,"lone surrogates":"a\ud800b\udfff","nested":[NaN,{"n":18446744073709551616}],"k\udc00":1}"#,
    )
}

pub(crate) async fn d1_python_values_round_trip_exactly<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let (data, python_text) = python_data();
    ensure_eq!(
        pyjson::map_to_string(&data),
        python_text,
        "D1",
        "the Python JSON of the data (session_core::signing::pyjson)"
    );
    let first = record(&*store, data);
    let key = store.create(&first).await.ok_or_fail("D1", "create")?;
    round_trip(&*store, &key, &first, "load after create").await?;
    let second = record(&*store, reversed(&first.data));
    let key = store.save(&key, &second).await.ok_or_fail("D1", "save")?;
    round_trip(
        &*store,
        &key,
        &second,
        "load after a save in reverse key order",
    )
    .await?;
    // Through the session handle, as Django's values arrive in an application.
    let s = session(&store, Some(key.as_str()));
    s.insert("added", 1).await.ok_or_fail("D1", "insert")?;
    s.save()
        .await
        .ok_or_fail("D1", "save through the session")?;
    let again = session(&store, s.key().as_ref().map(SessionKey::as_str));
    let loaded = again.data().await.ok_or_fail("D1", "load")?;
    let mut expected = (*second.data).clone();
    expected.insert("added".to_owned(), json!(1));
    ensure!(
        same(&loaded, &expected),
        "D1",
        "reload through a new session: {}",
        describe_difference(&loaded, &expected)
    );
    Ok(Outcome::Pass)
}

/// Data whose deepest container sits `levels` levels down, the data map
/// itself being level 1 (objects and arrays alternate).
fn nested(levels: usize) -> Data {
    let mut value = json!("bottom");
    for level in 1..levels {
        value = if level % 2 == 0 {
            json!([value])
        } else {
            json!({ "k": value })
        };
    }
    Map::from_iter([("deep".to_owned(), value)])
}

pub(crate) async fn d1_nesting_to_the_limit_round_trips_and_deeper_is_refused<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let at_limit = record(&*store, nested(MAX_DEPTH));
    let key = store
        .create(&at_limit)
        .await
        .ok_or_fail("D1", "create of data nested MAX_DEPTH levels deep")?;
    round_trip(&*store, &key, &at_limit, "load of data at the depth limit").await?;
    let too_deep = record(&*store, nested(MAX_DEPTH + 1));
    store.create(&too_deep).await.err_kind(
        ErrorKind::Serialization,
        "D1",
        "create of data nested one level past MAX_DEPTH",
    )?;
    store.save(&key, &too_deep).await.err_kind(
        ErrorKind::Serialization,
        "D1",
        "save of data nested one level past MAX_DEPTH",
    )?;
    round_trip(
        &*store,
        &key,
        &at_limit,
        "load after the refused save (R2: the previous record is intact)",
    )
    .await
}
