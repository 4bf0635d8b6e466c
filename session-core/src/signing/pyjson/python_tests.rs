//! D1 for what Python's `json` writes and Rust's JSON types cannot hold:
//! integers beyond 64 bits, `NaN`/`Infinity`/`-Infinity` and lone
//! surrogates are read into their in-band forms and written back byte for
//! byte. Expected texts are CPython 3.11's `json.dumps(json.loads(text),
//! separators=(",", ":"))`.

use serde_json::{Value, json};

use super::{MARK, as_big_int, as_float, big_int, float, from_latin1_slice, from_str, to_string};

/// `(input, what Python writes back)`.
const PYTHON_ROUND_TRIPS: &[(&str, &str)] = &[
    (
        r#"{"v":1180591620717411303424}"#,
        r#"{"v":1180591620717411303424}"#,
    ),
    (
        r#"{"v":-1180591620717411303424}"#,
        r#"{"v":-1180591620717411303424}"#,
    ),
    (
        r#"{"n":NaN,"i":Infinity,"m":-Infinity}"#,
        r#"{"n":NaN,"i":Infinity,"m":-Infinity}"#,
    ),
    (
        r#"{"s":"a\ud800b","t":"\udfff","u":"\ud83d\ude00","k\ud800":1,"w":"\ud800\ud800\udc00"}"#,
        r#"{"s":"a\ud800b","t":"\udfff","u":"\ud83d\ude00","k\ud800":1,"w":"\ud800\ud800\udc00"}"#,
    ),
    (
        "[1e400,-1e400,1e-400,18446744073709551616,-9223372036854775809,18446744073709551615,-0,1E5]",
        "[Infinity,-Infinity,0.0,18446744073709551616,-9223372036854775809,18446744073709551615,0,100000.0]",
    ),
    (r#""\udbff\udfff\ufdd0""#, r#""\udbff\udfff\ufdd0""#),
    (
        r#"["NaN","Infinity",123,"x:NaN", "1e400"]"#,
        r#"["NaN","Infinity",123,"x:NaN","1e400"]"#,
    ),
];

/// D1: every value Python's `json` writes is read and written back as
/// Python writes it, through both readers.
#[test]
fn python_values_round_trip_byte_for_byte() {
    for (input, expected) in PYTHON_ROUND_TRIPS {
        let value = from_str(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(to_string(&value), *expected, "from_str({input})");
        let value = from_latin1_slice(input.as_bytes()).expect("latin-1");
        assert_eq!(to_string(&value), *expected, "from_latin1_slice({input})");
    }
}

/// The in-band forms the typed API sees, and the helpers that make them.
#[test]
fn in_band_forms_are_marked_strings() {
    let value = from_str(r#"[1180591620717411303424,NaN,-Infinity,"a\ud800b"]"#).expect("json");
    assert_eq!(
        value,
        json!([
            format!("{MARK}1180591620717411303424"),
            format!("{MARK}NaN"),
            format!("{MARK}-Infinity"),
            format!("a{MARK}\u{10F800}b"),
        ])
    );
    assert_eq!(
        as_big_int(&value[0]).as_deref(),
        Some("1180591620717411303424")
    );
    assert!(as_float(&value[1]).is_some_and(f64::is_nan));
    assert_eq!(as_float(&value[2]), Some(f64::NEG_INFINITY));
    assert_eq!(as_float(&json!(1.5)), Some(1.5));
    assert_eq!(as_big_int(&json!(7)).as_deref(), Some("7"));
    assert_eq!(as_float(&json!("NaN")), None, "an ordinary string");

    assert_eq!(float(f64::INFINITY), json!(format!("{MARK}Infinity")));
    assert_eq!(float(0.5), json!(0.5));
    assert_eq!(big_int("12"), Some(json!(12)));
    assert_eq!(
        big_int("-99999999999999999999"),
        Some(json!(format!("{MARK}-99999999999999999999")))
    );
    assert_eq!(big_int("012"), None);
    assert_eq!(big_int("1.0"), None);
    let built = json!({"big": big_int("99999999999999999999"), "nan": float(f64::NAN)});
    assert_eq!(
        to_string(&built),
        r#"{"big":99999999999999999999,"nan":NaN}"#
    );
}

/// Strings that merely contain the mark, or the words, are plain strings.
#[test]
fn other_uses_of_the_mark_are_plain_characters() {
    for text in [
        format!("{MARK}"),
        format!("x{MARK}NaN"),
        format!("{MARK}nan"),
        format!("{MARK}1.5"),
        format!("{MARK}{MARK}"),
        "\u{10FFFF}".to_owned(),
    ] {
        let written = to_string(&Value::String(text.clone()));
        assert_eq!(
            from_str(&written).ok(),
            Some(Value::String(text)),
            "{written}"
        );
    }
}

/// Invalid JSON stays invalid: the rewrite never makes it readable.
#[test]
fn invalid_json_stays_invalid() {
    for text in [
        "NaNa",
        "[Infinit]",
        "-NaN",
        "{\"a\":nan}",
        "[1e]",
        "\"\\ud800",
    ] {
        assert!(from_str(text).is_err(), "{text}");
    }
}
