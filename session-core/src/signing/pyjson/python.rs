//! The in-band forms of Python values that Rust's JSON types cannot hold.
//!
//! Python's `json` module, and so Django, writes three things a
//! [`serde_json::Value`] cannot represent: integers beyond the `i64`/`u64`
//! range (Python's integers are unbounded), the floats `NaN`, `Infinity` and
//! `-Infinity`, and strings holding a lone UTF-16 surrogate (`"a\ud800b"`,
//! which a Rust `String` cannot hold). Session data Django wrote with them
//! must load, and be written back byte for byte (rule D1), so the JSON reader
//! turns each into a string that starts with [`MARK`], U+FDD0, one of the
//! noncharacters Unicode reserves for a program's internal use, and the
//! writer turns those strings back into what Python wrote:
//!
//! | Python writes | the data holds | helpers |
//! |---|---|---|
//! | `1180591620717411303424` (outside `i64`/`u64`) | `"\u{FDD0}1180591620717411303424"` | [`big_int`], [`as_big_int`] |
//! | `NaN`, `Infinity`, `-Infinity` (also `1e400`, which Python reads as infinity) | `"\u{FDD0}NaN"`, `"\u{FDD0}Infinity"`, `"\u{FDD0}-Infinity"` | [`float`], [`as_float`] |
//! | a lone surrogate `\udXXX` inside a string or key | U+FDD0 then the character U+10F800 + (XXX − 0x800) | none |
//!
//! So typed access sees a string where Python has such a number
//! (`session.get::<f64>` fails with a serialization error rather than
//! inventing a value), and an untyped read sees the marked string.
//!
//! The forms are not escaped: a string set from Rust that itself is `MARK`
//! followed by `NaN`, `Infinity`, `-Infinity` or an integer, or that holds
//! `MARK` directly followed by a character in U+10F800..=U+10FFFF (a
//! noncharacter followed by a private-use character), is written as the
//! Python value. Every other string, including any other use of U+FDD0, is
//! written and read back unchanged.
//!
//! Why not serde_json's `arbitrary_precision` feature for the integers:
//! Cargo unifies features, so enabling it here would switch it on for every
//! crate of an application using sessions, changing how their own
//! `serde_json` numbers compare (`1e16` and `1e+16` become different values)
//! and breaking `#[serde(untagged)]` and `#[serde(flatten)]` types that hold
//! numbers; and it cannot hold `NaN` or lone surrogates anyway.

use serde_json::Value;

/// U+FDD0, the first character of every in-band form (a noncharacter).
pub const MARK: char = '\u{FDD0}';

/// The first of the 2,048 characters U+10F800..=U+10FFFF that stand, after
/// [`MARK`], for the lone surrogates U+D800..=U+DFFF.
pub(crate) const SURROGATE_BASE: u32 = 0x10_F800;

/// Python's spellings of the non-finite floats.
pub(crate) const SPECIAL_FLOATS: [&str; 3] = ["NaN", "Infinity", "-Infinity"];

/// The value Python's `json` writes for `value`: a number for a finite
/// float, the in-band string for `NaN` and the infinities (which
/// `serde_json::to_value` would turn into `null`).
pub fn float(value: f64) -> Value {
    match serde_json::Number::from_f64(value) {
        Some(number) => Value::Number(number),
        None => Value::String(format!("{MARK}{}", special_float_name(value))),
    }
}

/// The float `value` stands for: a JSON number, or one of the in-band
/// strings for `NaN`, `Infinity` and `-Infinity`.
pub fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => match text.strip_prefix(MARK)? {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// The value holding the integer written in `digits` (an optional `-`, then
/// decimal digits without leading zeros): a JSON number when it fits `i64`
/// or `u64`, the in-band string otherwise. `None` when `digits` is not an
/// integer.
pub fn big_int(digits: &str) -> Option<Value> {
    if !is_int_literal(digits) {
        return None;
    }
    if let Ok(small) = digits.parse::<i64>() {
        return Some(Value::from(small));
    }
    if let Ok(small) = digits.parse::<u64>() {
        return Some(Value::from(small));
    }
    Some(Value::String(format!("{MARK}{digits}")))
}

/// The decimal digits of the integer `value` stands for, at any size: a
/// JSON integer, or the in-band string of one beyond `i64`/`u64`.
pub fn as_big_int(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        Value::String(text) => text
            .strip_prefix(MARK)
            .filter(|rest| is_int_literal(rest))
            .map(str::to_owned),
        _ => None,
    }
}

/// The bare JSON text a value string stands for, when it is an in-band
/// number form (`NaN`, `Infinity`, `-Infinity` or an integer).
pub(crate) fn bare_number(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(MARK)?;
    (SPECIAL_FLOATS.contains(&rest) || is_int_literal(rest)).then_some(rest)
}

/// The lone surrogate that `next`, following a [`MARK`], stands for.
pub(crate) fn lone_surrogate(next: char) -> Option<u16> {
    let offset = u32::from(next).checked_sub(SURROGATE_BASE)?;
    u16::try_from(0xD800 + offset).ok()
}

/// JSON's integer grammar: `-?(0|[1-9][0-9]*)`.
pub(crate) fn is_int_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    match digits.as_bytes() {
        [] => false,
        [b'0'] => true,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
    }
}

fn special_float_name(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}
