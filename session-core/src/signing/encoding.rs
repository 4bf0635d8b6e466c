//! Text encodings used by Django's signing format: unpadded URL-safe base64
//! and base62 integers.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// URL-safe engine: emits no padding, accepts input with or without canonical
/// padding, and ignores non-zero trailing bits (as Python's decoder does).
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The base62 alphabet, in Django's order: digits, upper case, lower case.
const BASE62_ALPHABET: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A string that is not valid unpadded (or correctly padded) URL-safe base64.
///
/// The underlying decoder error is available through
/// [`std::error::Error::source`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base64")]
pub struct Base64Error {
    #[source]
    source: base64::DecodeError,
}

/// A string that is not a base62 integer as written by [`b62_encode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Base62Error {
    /// The string (after an optional leading `-`) has no digits.
    #[error("empty base62 number")]
    Empty,
    /// A character outside `0-9A-Za-z` was found.
    #[error("invalid base62 digit {0:?}")]
    InvalidDigit(char),
    /// The value does not fit in an `i64`.
    #[error("base62 number out of range for i64")]
    Overflow,
}

/// Encodes bytes as URL-safe base64 (`-` and `_` instead of `+` and `/`) with
/// all `=` padding stripped, exactly like Django's `signing.b64_encode`.
///
/// The output length is `ceil(4 * len / 3)`; for example `b"foo"` gives
/// `"Zm9v"` and `b"f"` gives `"Zg"`.
pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_LENIENT.encode(bytes)
}

/// Decodes URL-safe base64 as written by [`b64_encode`].
///
/// Rules:
/// - the alphabet is `A-Za-z0-9-_` only; `+`, `/`, whitespace and any other
///   character are rejected (Python silently discards characters outside the
///   alphabet; this decoder is stricter, which only matters for data that a
///   foreign signer produced, because the payload is decoded only after its
///   signature was verified);
/// - padding is optional, but if present it must not exceed the canonical
///   amount;
/// - non-zero unused bits in the last character are ignored, as in Python;
/// - a length of `4n + 1` data characters is rejected, as in Python.
///
/// # Errors
///
/// Returns [`Base64Error`] when any of those rules is broken.
pub fn b64_decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    URL_SAFE_LENIENT
        .decode(text.as_bytes())
        .map_err(|source| Base64Error { source })
}

/// Encodes an integer in base62 (alphabet `0-9A-Za-z`), exactly like Django's
/// `signing.b62_encode`: `0` is `"0"`, there are no leading zeros, and
/// negative numbers get a leading `-` (`-62` is `"-10"`).
///
/// Every `i64`, including `i64::MIN`, is encoded.
pub fn b62_encode(value: i64) -> String {
    if value == 0 {
        return "0".to_owned();
    }
    let mut magnitude = value.unsigned_abs();
    // u64::MAX needs 11 base62 digits; one more byte for the sign.
    let mut digits: Vec<u8> = Vec::with_capacity(12);
    while magnitude > 0 {
        // `magnitude % 62` is always a valid index into the 62-byte alphabet.
        digits.push(BASE62_ALPHABET[(magnitude % 62) as usize]);
        magnitude /= 62;
    }
    if value < 0 {
        digits.push(b'-');
    }
    digits.iter().rev().map(|&b| char::from(b)).collect()
}

/// Decodes a base62 integer written by [`b62_encode`].
///
/// Rules: an optional leading `-`, then one or more characters of
/// `0-9A-Za-z`. Leading zeros are accepted (`"007"` is 7, as in Django), and
/// `"-0"` is 0.
///
/// # Errors
///
/// - [`Base62Error::Empty`] for `""` or `"-"` (Django raises `IndexError` for
///   the former and returns 0 for the latter);
/// - [`Base62Error::InvalidDigit`] for any other character;
/// - [`Base62Error::Overflow`] when the value does not fit in `i64` (Python
///   integers are unbounded, so Django would accept it).
pub fn b62_decode(text: &str) -> Result<i64, Base62Error> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() {
        return Err(Base62Error::Empty);
    }
    // Accumulate the magnitude as i128 so that i64::MIN is representable.
    let mut magnitude: i128 = 0;
    for ch in digits.chars() {
        let digit = match ch {
            '0'..='9' => u32::from(ch) - u32::from('0'),
            'A'..='Z' => u32::from(ch) - u32::from('A') + 10,
            'a'..='z' => u32::from(ch) - u32::from('a') + 36,
            other => return Err(Base62Error::InvalidDigit(other)),
        };
        magnitude = magnitude * 62 + i128::from(digit);
        if magnitude > i128::from(i64::MAX) + 1 {
            return Err(Base62Error::Overflow);
        }
    }
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed).map_err(|_| Base62Error::Overflow)
}
