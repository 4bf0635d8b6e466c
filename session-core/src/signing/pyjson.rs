//! JSON exactly as Python writes it with
//! `json.dumps(obj, separators=(",", ":"))` (the default `ensure_ascii=True`),
//! which is what Django's `JSONSerializer` signs.
//!
//! Writer rules:
//! - compact: no whitespace, `,` between items and `:` after keys;
//! - object members in insertion order (serde_json's `preserve_order`);
//! - strings: `"` and `\` are escaped as `\"` and `\\`; `\n`, `\r`, `\t`,
//!   backspace and form feed as `\n`, `\r`, `\t`, `\b`, `\f`; every other
//!   character outside printable ASCII (`0x20..=0x7e`), including `DEL`
//!   (`0x7f`), as `\uXXXX` in lower-case hex, with astral characters as a
//!   UTF-16 surrogate pair (`😀` is `\ud83d\ude00`); `/` is not escaped;
//! - integers in decimal: the whole `i64` and `u64` range, and larger ones
//!   from their in-band form (see [`python`]);
//! - floats as Python's `repr`: the shortest digits that round-trip; plain
//!   notation with at least one fractional digit (`1.0`, `0.0001`,
//!   `123456789012345.0`) when the decimal exponent is in `-4..16`, otherwise
//!   scientific notation with a signed exponent of at least two digits and no
//!   `.0` (`1e+16`, `1e-07`, `1.7976931348623157e+308`); `-0.0` keeps its
//!   sign; `NaN`, `Infinity` and `-Infinity` (held in their in-band form,
//!   see [`python`]) as those bare words;
//! - a lone surrogate (held in its in-band form) as its `\udXXX` escape.
//!
//! The output is always pure ASCII, so its latin-1 and UTF-8 encodings are
//! the same bytes.

use serde_json::{Map, Value};

pub mod python;
mod read;

pub use python::{MARK, as_big_int, as_float, big_int, float};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `value` as Python's compact `json.dumps` would (see the module
/// rules). The result is ASCII-only.
pub fn to_string(value: &Value) -> String {
    let mut out = String::with_capacity(64);
    write_value(&mut out, value);
    out
}

/// Writes a JSON object, given as its map, exactly as [`to_string`] writes
/// `Value::Object(map)`, without copying the map into a `Value` first.
pub fn map_to_string(map: &Map<String, Value>) -> String {
    // Session data is rarely tiny: start big enough for a typical session
    // so the text is not regrown several times.
    let mut out = String::with_capacity(512);
    let mut stack = Vec::with_capacity(16);
    push_members(&mut stack, map);
    out.push('{');
    write_tasks(&mut out, &mut stack);
    out
}

/// Appends `value`, written as by [`to_string`], to `out`.
pub fn write_value(out: &mut String, value: &Value) {
    let mut stack = vec![Task::Value(value)];
    write_tasks(out, &mut stack);
}

/// What is left to write, innermost last: an explicit stack instead of
/// recursion, so arbitrarily deep values cannot overflow the call stack.
enum Task<'a> {
    Value(&'a Value),
    Key(&'a str),
    Raw(&'static str),
}

/// Pushes the members of an object whose `{` is already written, and its
/// closing `}`, so that they pop in order.
fn push_members<'a>(stack: &mut Vec<Task<'a>>, members: &'a Map<String, Value>) {
    stack.push(Task::Raw("}"));
    let count = members.len();
    for (index, (key, item)) in members.iter().rev().enumerate() {
        stack.push(Task::Value(item));
        stack.push(Task::Key(key));
        if index + 1 < count {
            stack.push(Task::Raw(","));
        }
    }
}

/// Writes what `stack` holds, popping it until it is empty.
fn write_tasks<'a>(out: &mut String, stack: &mut Vec<Task<'a>>) {
    while let Some(task) = stack.pop() {
        match task {
            Task::Raw(text) => out.push_str(text),
            Task::Key(key) => {
                write_str(out, key);
                out.push(':');
            }
            Task::Value(Value::Null) => out.push_str("null"),
            Task::Value(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
            Task::Value(Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    out.push_str(itoa::Buffer::new().format(i));
                } else if let Some(u) = n.as_u64() {
                    out.push_str(itoa::Buffer::new().format(u));
                } else if let Some(f) = n.as_f64() {
                    write_float(out, f);
                }
            }
            Task::Value(Value::String(s)) => match python::bare_number(s) {
                Some(bare) => out.push_str(bare),
                None => write_str(out, s),
            },
            Task::Value(Value::Array(items)) => {
                out.push('[');
                stack.push(Task::Raw("]"));
                for (index, item) in items.iter().enumerate().rev() {
                    stack.push(Task::Value(item));
                    if index > 0 {
                        stack.push(Task::Raw(","));
                    }
                }
            }
            Task::Value(Value::Object(members)) => {
                out.push('{');
                push_members(stack, members);
            }
        }
    }
}

/// Appends a JSON string literal with Python's `ensure_ascii` escaping.
pub fn write_str(out: &mut String, text: &str) {
    out.push('"');
    // Runs of characters that need no escape are copied as whole slices;
    // the scan looks at bytes, and decodes a character only where a byte
    // outside printable ASCII starts one.
    let bytes = text.as_bytes();
    let mut run_start = 0;
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\' {
            index += 1;
            continue;
        }
        let Some(ch) = text.get(index..).and_then(|rest| rest.chars().next()) else {
            break; // unreachable: `index` is always at a character boundary
        };
        out.push_str(text.get(run_start..index).unwrap_or_default());
        index += ch.len_utf8();
        run_start = index;
        let escape = match ch {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{08}' => "\\b",
            '\u{0c}' => "\\f",
            _ => "",
        };
        if !escape.is_empty() {
            out.push_str(escape);
            continue;
        }
        // The in-band form of a lone surrogate: MARK and its stand-in.
        let lone = (ch == python::MARK)
            .then(|| text.get(index..).and_then(|rest| rest.chars().next()))
            .flatten()
            .and_then(|next| Some((next, python::lone_surrogate(next)?)));
        if let Some((next, unit)) = lone {
            index += next.len_utf8();
            run_start = index;
            push_unit(out, unit);
            continue;
        }
        let mut units = [0u16; 2];
        for unit in ch.encode_utf16(&mut units) {
            push_unit(out, *unit);
        }
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
    out.push('"');
}

/// Appends `\uXXXX` for one UTF-16 unit, in lower-case hex.
fn push_unit(out: &mut String, unit: u16) {
    out.push_str("\\u");
    for shift in [12u16, 8, 4, 0] {
        out.push(char::from(HEX[usize::from((unit >> shift) & 0xf)]));
    }
}

/// Appends a float as Python's `repr(float)` writes it.
pub fn write_float(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
        return;
    }
    if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like Python's repr:
    // `d[.ddd]e<exp>`, e.g. `1.5e0`, `1e16`, `-1e-7`.
    let scientific = format!("{value:e}");
    let (negative, unsigned) = match scientific.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, scientific.as_str()),
    };
    let (mantissa, exponent) = unsigned.split_once('e').unwrap_or((unsigned, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    if negative {
        out.push('-');
    }
    // Position of the decimal point relative to the start of `digits`.
    let point = exponent + 1;
    if !(-4 < point && point <= 16) {
        let (first, rest) = digits.split_first().unwrap_or((&b'0', &[]));
        out.push(char::from(*first));
        if !rest.is_empty() {
            out.push('.');
            out.extend(rest.iter().map(|&d| char::from(d)));
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(&magnitude.to_string());
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.extend(digits.iter().map(|&d| char::from(d)));
    } else {
        let point = point.unsigned_abs() as usize;
        for (index, digit) in digits.iter().enumerate() {
            if index == point {
                out.push('.');
            }
            out.push(char::from(*digit));
        }
        if digits.len() <= point {
            out.extend(std::iter::repeat_n('0', point - digits.len()));
            out.push_str(".0");
        }
    }
}

/// Parses JSON bytes the way Django does, `json.loads(data.decode("latin-1"))`:
/// each byte is one character `U+0000..=U+00FF`.
///
/// For ASCII input (everything [`to_string`] writes) this is plain UTF-8
/// parsing. Bytes `0x80..=0xFF` (from a foreign encoder that wrote raw UTF-8)
/// become the same mojibake characters Django sees, so both sides agree.
///
/// Everything Python's `json` writes is read, [`to_string`] writing it back
/// byte for byte: `NaN`, `Infinity`, `-Infinity`, integers of any size and
/// lone surrogate escapes (which Django writes without complaint) become
/// their in-band forms (see [`python`]); a float beyond `f64` becomes an
/// infinity, as in Python. The one difference from Python's parser: nesting
/// deeper than 128 levels is rejected.
///
/// # Errors
///
/// The [`serde_json::Error`] for invalid JSON.
pub fn from_latin1_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) if bytes.is_ascii() => from_str(text),
        _ => {
            let text: String = bytes.iter().map(|&b| char::from(b)).collect();
            from_str(&text)
        }
    }
}

/// Parses JSON text as Python's `json.loads` does, with the in-band forms
/// of [`from_latin1_slice`].
///
/// # Errors
///
/// The [`serde_json::Error`] for invalid JSON.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    read::parse(&read::representable(text))
}

#[cfg(test)]
mod python_tests;
#[cfg(test)]
mod tests;
