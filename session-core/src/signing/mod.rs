//! Django-compatible signing (`django.core.signing`, Django 5.2).
//!
//! What is byte-compatible with Django (rule G1):
//! - [`salted_hmac`]: `HMAC-H(H(key_salt ‖ secret), value)`;
//! - [`b64_encode`] (URL-safe, unpadded) and [`b62_encode`] (timestamps);
//! - [`Signer`] (`value:sig`) and [`TimestampSigner`] (`value:ts:sig`), with
//!   salts, custom separators, SHA-1/256/512, fallback keys for rotation,
//!   constant-time comparison and `max_age` (an age equal to `max_age`
//!   passes);
//! - the JSON text of signed objects ([`pyjson`]: compact, ASCII-escaped,
//!   insertion-ordered, Python float repr), and therefore every
//!   uncompressed [`dumps`] / [`Signer::sign_object`] output;
//! - the compression *decision* rule (`len(zlib) < len(json) - 1`) and the
//!   `.` prefix;
//! - [`CookieSigner`]: the key prefix and the v2 and legacy salts of signed
//!   cookies;
//! - the `Display` messages of [`BadSignature`] and [`InvalidSeparator`].
//!
//! What is not byte-compatible:
//! - compressed payloads: the deflate bytes depend on the implementation.
//!   Django uses zlib at level 6; this crate uses `flate2`'s default backend
//!   (miniz_oxide), whose streams are different but valid, so each side
//!   reads the other's output. Near the threshold the two may also disagree
//!   on *whether* compressing saves 2 bytes. Enable this crate's `zlib`
//!   feature (flate2 on C zlib) and the output is Django's byte for byte:
//!   CI checks every compressed vector that way. The `zlib-rs` backend is
//!   not byte-exact;
//! - decoding is stricter or bounded where Django is lenient, and only for
//!   values whose signature is valid (so only a key holder can notice):
//!   base64 with characters outside the URL-safe alphabet is rejected
//!   (Python drops them), decompressed payloads are limited
//!   ([`DEFAULT_MAX_DECOMPRESSED_SIZE`] by default; Django has no limit),
//!   and timestamps must fit in `i64`. JSON reads everything Python's
//!   `json` writes: `NaN`, `Infinity`, integers beyond 64 bits and lone
//!   surrogates come back in [`pyjson`]'s in-band forms and are written
//!   back byte for byte.
//!
//! Failures (rule G2) are never panics: [`BadSignature`] (suspicious:
//! tampered, wrong key or salt, expired) is kept apart from [`PayloadError`]
//! (a valid signature over undecodable content), and [`UnsignError`] holds
//! either.
//!
//! Time: every operation has a form taking an explicit `now` in Unix seconds
//! (`sign_at`, `unsign_at`, `dumps`, `loads`, ...). Only the convenience
//! forms without `now` read the system clock ([`unix_now`]).
//!
//! Performance: each signer caches the derived HMAC key state of its keys,
//! so build a [`Signer`] or [`TimestampSigner`] once and reuse it. zlib
//! compressor and decompressor state is kept per thread and reset before each
//! use, because allocating it afresh dominates the cost for small payloads.

mod cookies;
mod encoding;
mod error;
mod hmac;
mod max_age;
mod object;
pub mod pyjson;
mod signer;
mod timestamp;
mod zlib;

pub use cookies::{
    CookieSigner, SIGNED_COOKIE_KEY_PREFIX, legacy_signed_cookie_salt, signed_cookie_key,
    signed_cookie_salt,
};
pub use encoding::{Base62Error, Base64Error, b62_decode, b62_encode, b64_decode, b64_encode};
pub use error::{BadSignature, InvalidSeparator, PayloadError, UnsignError, ZlibError};
pub use hmac::{Algorithm, InvalidAlgorithm, salted_hmac, salted_hmac_key};
pub use max_age::MaxAge;
pub use object::{
    DEFAULT_DUMPS_SALT, decode_payload, dumps, encode_map_payload, encode_payload, loads,
};
pub use signer::{DEFAULT_MAX_DECOMPRESSED_SIZE, Signer};
pub use timestamp::{TimestampSigner, unix_now};
