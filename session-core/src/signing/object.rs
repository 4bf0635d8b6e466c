//! Signed JSON values: Django's `sign_object`, `unsign_object`, `dumps` and
//! `loads`.

use serde_json::{Map, Value};

use super::encoding::{b64_decode, b64_encode};
use super::error::{PayloadError, UnsignError};
use super::max_age::MaxAge;
use super::pyjson;
use super::signer::Signer;
use super::timestamp::{TimestampSigner, unix_now};
use super::zlib;

/// The default salt of [`dumps`] and [`loads`], as in Django.
pub const DEFAULT_DUMPS_SALT: &str = "django.core.signing";

/// Encodes a JSON value as the (unsigned) payload of a signed object.
///
/// Rules (spec 7.5):
/// 1. the JSON text is [`pyjson::to_string`]: byte-identical to Django's
///    `json.dumps(obj, separators=(",", ":"))`, pure ASCII;
/// 2. if `compress` is set, the JSON is zlib-compressed (zlib format,
///    level 6), and the compressed bytes are used only if
///    `len(compressed) < len(json) - 1`;
/// 3. the bytes used are base64-encoded ([`b64_encode`]), with a `.` prefix
///    when they are compressed.
///
/// Uncompressed payloads are byte-identical to Django's. Compressed ones are
/// valid zlib that Django decodes, but the deflate bytes (and so, near the
/// threshold, the decision itself) depend on the deflate implementation.
pub fn encode_payload(obj: &Value, compress: bool) -> String {
    encode_json_payload(&pyjson::to_string(obj), compress)
}

/// [`encode_payload`] of `Value::Object(map)`, without copying the map:
/// what session stores sign their data with.
pub fn encode_map_payload(map: &Map<String, Value>, compress: bool) -> String {
    encode_json_payload(&pyjson::map_to_string(map), compress)
}

/// Steps 2 and 3 of [`encode_payload`], on JSON text already written.
fn encode_json_payload(json: &str, compress: bool) -> String {
    if compress && let Some(compressed) = zlib::compress_if_smaller(json.as_bytes()) {
        let mut out = String::with_capacity(1 + compressed.len().div_ceil(3) * 4);
        out.push('.');
        out.push_str(&b64_encode(&compressed));
        return out;
    }
    b64_encode(json.as_bytes())
}

/// Decodes a payload written by [`encode_payload`] (or by Django).
///
/// Rules (spec 7.6): a leading `.` means base64 then zlib-decompress; the
/// bytes are then read as latin-1 and parsed as JSON
/// ([`pyjson::from_latin1_slice`]). Call this only on a payload whose
/// signature was verified.
///
/// # Errors
///
/// [`PayloadError::Base64`], [`PayloadError::Zlib`], [`PayloadError::Json`],
/// or [`PayloadError::TooLarge`] when the decompressed JSON would exceed
/// `max_decompressed_size` bytes (Django has no limit).
pub fn decode_payload(payload: &str, max_decompressed_size: usize) -> Result<Value, PayloadError> {
    let (compressed, text) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let data = b64_decode(text).map_err(PayloadError::Base64)?;
    let json = if compressed {
        zlib::decompress_bounded(&data, max_decompressed_size)?
    } else {
        data
    };
    pyjson::from_latin1_slice(&json).map_err(PayloadError::Json)
}

impl Signer {
    /// Django's `Signer.sign_object`: `sign(encode_payload(obj, compress))`,
    /// giving `payload:signature` with no timestamp.
    pub fn sign_object(&self, obj: &Value, compress: bool) -> String {
        self.sign(&encode_payload(obj, compress))
    }

    /// Django's `Signer.unsign_object`: verifies the signature first, then
    /// decodes the payload with this signer's decompression limit.
    ///
    /// # Errors
    ///
    /// [`UnsignError::BadSignature`] if the signature check fails, otherwise
    /// [`UnsignError::Payload`] if the payload cannot be decoded.
    pub fn unsign_object(&self, signed: &str) -> Result<Value, UnsignError> {
        let payload = self.unsign_str(signed)?;
        Ok(decode_payload(payload, self.max_decompressed_size())?)
    }
}

impl TimestampSigner {
    /// Django's `TimestampSigner.sign_object` at an explicit time:
    /// `payload:ts:signature`.
    pub fn sign_object_at(&self, obj: &Value, compress: bool, now_unix: i64) -> String {
        self.sign_at(&encode_payload(obj, compress), now_unix)
    }

    /// [`TimestampSigner::sign_object_at`] of `Value::Object(map)`, without
    /// copying the map.
    pub fn sign_map_at(&self, map: &Map<String, Value>, compress: bool, now_unix: i64) -> String {
        self.sign_at(&encode_map_payload(map, compress), now_unix)
    }

    /// [`TimestampSigner::sign_object_at`] with the system clock.
    pub fn sign_object(&self, obj: &Value, compress: bool) -> String {
        self.sign_object_at(obj, compress, unix_now())
    }

    /// Django's `TimestampSigner.unsign_object` at an explicit time: verifies
    /// the signature and the age first, then decodes the payload.
    ///
    /// # Errors
    ///
    /// [`UnsignError::BadSignature`] (including expiry) or
    /// [`UnsignError::Payload`].
    pub fn unsign_object_at(
        &self,
        signed: &str,
        max_age: Option<MaxAge>,
        now_unix: i64,
    ) -> Result<Value, UnsignError> {
        let payload = self.unsign_str(signed, max_age, now_unix)?;
        Ok(decode_payload(
            payload,
            self.signer().max_decompressed_size(),
        )?)
    }

    /// [`TimestampSigner::unsign_object_at`] with the system clock.
    ///
    /// # Errors
    ///
    /// As for [`TimestampSigner::unsign_object_at`].
    pub fn unsign_object(
        &self,
        signed: &str,
        max_age: Option<MaxAge>,
    ) -> Result<Value, UnsignError> {
        self.unsign_object_at(signed, max_age, unix_now())
    }
}

/// Django's `signing.dumps` at an explicit time: a [`TimestampSigner`] with
/// `key` and `salt` (Django's default is [`DEFAULT_DUMPS_SALT`]; an empty
/// salt means `django.core.signing.TimestampSigner`, as in Django) signs
/// [`encode_payload`]`(obj, compress)`, giving `payload:ts:signature`.
///
/// For example, `dumps(&json!("hello"), "conformance-secret",
/// DEFAULT_DUMPS_SALT, false, 1_700_000_000)` is
/// `ImhlbGxvIg:1r31eq:WF9eDkeVZNs4CUT8z-d1P-2jeggWVof68eGupxxuuGU`.
///
/// Build a [`TimestampSigner`] once instead when signing repeatedly: it
/// caches the derived HMAC keys.
pub fn dumps(
    obj: &Value,
    key: impl AsRef<[u8]>,
    salt: &str,
    compress: bool,
    now_unix: i64,
) -> String {
    TimestampSigner::new(key)
        .with_salt(salt)
        .sign_object_at(obj, compress, now_unix)
}

/// Django's `signing.loads` at an explicit time.
///
/// Verifies with `key` and then each of `fallback_keys` (pass `&[] as
/// &[&str]` for none), checks `max_age` if given, and only then decodes the
/// payload (with [`DEFAULT_MAX_DECOMPRESSED_SIZE`](super::DEFAULT_MAX_DECOMPRESSED_SIZE)
/// as the decompression limit). Salt rules as for [`dumps`].
///
/// # Errors
///
/// [`UnsignError::BadSignature`] (no separator, mismatch, expired) or
/// [`UnsignError::Payload`] (valid signature, undecodable content).
pub fn loads<K: AsRef<[u8]>>(
    signed: &str,
    key: impl AsRef<[u8]>,
    salt: &str,
    max_age: Option<MaxAge>,
    fallback_keys: &[K],
    now_unix: i64,
) -> Result<Value, UnsignError> {
    TimestampSigner::new(key)
        .with_salt(salt)
        .with_fallback_keys(fallback_keys)
        .unsign_object_at(signed, max_age, now_unix)
}
