//! Reading what Python's `json.loads` reads: the text is rewritten so that
//! the values a [`serde_json::Value`] cannot hold become their in-band forms
//! (see [`python`](super::python)), then parsed by serde_json.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::python::{MARK, SURROGATE_BASE};

/// `text` with, outside strings, `NaN`, `Infinity`, `-Infinity`, integers
/// beyond `i64`/`u64` and floats beyond `f64` (which Python reads as
/// infinities) replaced by in-band strings, the integer `-0` by `0`, and, inside strings, each lone
/// surrogate escape replaced by its in-band pair. Borrowed when nothing
/// needs rewriting (the usual case). Invalid JSON stays invalid.
pub(crate) fn representable(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = Rewriter {
        text,
        out: None,
        copied: 0,
    };
    let mut at = 0;
    let mut in_string = false;
    while let Some(&byte) = bytes.get(at) {
        if in_string {
            match byte {
                b'"' => {
                    in_string = false;
                    at += 1;
                }
                b'\\' if bytes.get(at + 1) == Some(&b'u') => {
                    let Some(unit) = hex4(bytes, at + 2) else {
                        at += 2;
                        continue;
                    };
                    if (0xD800..0xDC00).contains(&unit)
                        && bytes.get(at + 6) == Some(&b'\\')
                        && bytes.get(at + 7) == Some(&b'u')
                        && hex4(bytes, at + 8).is_some_and(|low| (0xDC00..0xE000).contains(&low))
                    {
                        at += 12; // a surrogate pair: one astral character
                    } else if (0xD800..0xE000).contains(&unit) {
                        out.replace(at, at + 6, &lone_surrogate_escapes(unit));
                        at += 6;
                    } else {
                        at += 6;
                    }
                }
                b'\\' => at += 2,
                // Plain characters: on to the next quote or backslash.
                _ => {
                    let rest = bytes.get(at..).unwrap_or_default();
                    at += memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                }
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                at += 1;
            }
            b'N' | b'I' | b'-' if special_at(bytes, at).is_some() => {
                let name = special_at(bytes, at).unwrap_or_default();
                out.replace(at, at + name.len(), &marked(name));
                at += name.len();
            }
            b'-' | b'0'..=b'9' => {
                let end = at
                    + bytes[at..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
                        .count();
                let token = text.get(at..end).unwrap_or_default();
                if token == "-0" {
                    // Python's integer zero (serde_json would read a float -0.0).
                    out.replace(at, end, "0");
                } else if let Some(form) = out_of_range(token) {
                    out.replace(at, end, &marked(&form));
                }
                at = end;
            }
            _ => at += 1,
        }
    }
    out.finish()
}

/// The in-band text for a number token Rust cannot hold, or `None`.
fn out_of_range(token: &str) -> Option<String> {
    if super::python::is_int_literal(token) {
        let fits = token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok();
        return (!fits).then(|| token.to_owned());
    }
    let value: f64 = token.parse().ok()?;
    value
        .is_infinite()
        .then(|| if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned())
}

/// `NaN`, `Infinity` or `-Infinity` when one starts at `at`.
fn special_at(bytes: &[u8], at: usize) -> Option<&'static str> {
    let rest = bytes.get(at..)?;
    super::python::SPECIAL_FLOATS
        .into_iter()
        .find(|name| rest.starts_with(name.as_bytes()))
}

/// A JSON string literal of `MARK` followed by `rest` (ASCII).
fn marked(rest: &str) -> String {
    format!("\"\\u{:04x}{rest}\"", u32::from(MARK))
}

/// The escapes, inside a string, of `MARK` and the character that stands
/// for the lone surrogate `unit`.
fn lone_surrogate_escapes(unit: u16) -> String {
    let stand_in = char::from_u32(SURROGATE_BASE + u32::from(unit - 0xD800)).unwrap_or(MARK);
    let mut out = format!("\\u{:04x}", u32::from(MARK));
    let mut units = [0u16; 2];
    for unit in stand_in.encode_utf16(&mut units) {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out
}

fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// Copies `text` into a new string only once a part of it is replaced.
struct Rewriter<'a> {
    text: &'a str,
    out: Option<String>,
    copied: usize,
}

impl<'a> Rewriter<'a> {
    fn replace(&mut self, start: usize, end: usize, with: &str) {
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(self.text.len() + 32));
        out.push_str(self.text.get(self.copied..start).unwrap_or_default());
        out.push_str(with);
        self.copied = end;
    }

    fn finish(self) -> Cow<'a, str> {
        match self.out {
            None => Cow::Borrowed(self.text),
            Some(mut out) => {
                out.push_str(self.text.get(self.copied..).unwrap_or_default());
                Cow::Owned(out)
            }
        }
    }
}

/// Parses `text` (already [`representable`]) into a [`Value`] as serde_json's
/// own `Value` deserializer does, except that each object's map is built at
/// its final size: members are gathered on one stack shared by the whole
/// parse, then moved into a map with room for all of them, so no map is
/// regrown and rehashed as it fills and no buffer is allocated per object
/// (decoding session data is mostly building maps). A later duplicate key
/// replaces the earlier value in the earlier position, as in serde_json
/// and Python.
pub(crate) fn parse(text: &str) -> Result<Value, serde_json::Error> {
    let mut members = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Members(&mut members).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A seed building one value, gathering object members on the shared stack.
struct Members<'s>(&'s mut Vec<(String, Value)>);

impl<'de> DeserializeSeed<'de> for Members<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Members<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Members(&mut *self.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let start = self.0.len();
        while let Some(key) = access.next_key::<String>()? {
            let item = access.next_value_seed(Members(&mut *self.0))?;
            self.0.push((key, item));
        }
        let mut map = Map::with_capacity(self.0.len() - start);
        map.extend(self.0.drain(start..));
        Ok(Value::Object(map))
    }
}
