//! The encrypted cookie format ([`CookieFormat::Encrypted`](crate::CookieFormat::Encrypted)).
//!
//! ```text
//! cookie     = "enc1." b64url_nopad(nonce ‖ ciphertext ‖ tag)
//! nonce      = 12 random bytes (OS generator), fresh for every cookie
//! plaintext  = flags(1) ‖ signed_at(i64 BE, Unix µs) ‖ expires_at(i64 BE, Unix µs) ‖ body
//! body       = Python-compatible compact JSON of the data, zlib-compressed
//!              when that saves 2 bytes or more (flags bit 0), as Django does
//! cipher     = AES-256-GCM, associated data
//!              "session-backend-signed-cookie/enc1" ‖ 0x00 ‖ cookie name
//! key        = HMAC-SHA256(key = secret, message = "session-backend-signed-cookie/aes-256-gcm/v1")
//! ```
//!
//! The cookie contains no `:`, so Django's `signing.loads` (and this
//! crate's Django format) rejects it at once, and the `enc1.` prefix names
//! the version for future formats. The primary key encrypts; every key
//! (primary, then fallbacks) is tried to decrypt. The timestamps sit inside
//! the authenticated plaintext, so neither can be changed by the client,
//! and the cookie name is authenticated with it: a value sealed for one
//! cookie name does not open under another (say, copied from another
//! application's cookie that uses the same secret).

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use session_core::Data;
use session_core::serde_json::Value;
use session_core::signing::{b64_decode, b64_encode, decode_payload, encode_map_payload, pyjson};
use sha2::Sha256;

use crate::config::MAX_DECOMPRESSED_SIZE;
use crate::error::CookieError;

/// The prefix of every encrypted cookie: format version 1.
pub const ENCRYPTED_PREFIX: &str = "enc1.";

const KEY_LABEL: &[u8] = b"session-backend-signed-cookie/aes-256-gcm/v1";
/// The fixed part of the associated data; the cookie name follows a NUL
/// (a cookie name never holds one).
const AAD_PREFIX: &[u8] = b"session-backend-signed-cookie/enc1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + 8 + 8;
const FLAG_COMPRESSED: u8 = 1;

/// AES-256-GCM ciphers for the primary key and each fallback key.
#[derive(Clone)]
pub(crate) struct Sealer {
    /// The primary key's cipher first; never empty.
    ciphers: Vec<Aes256Gcm>,
    /// The associated data: [`AAD_PREFIX`], NUL, the cookie name.
    aad: Vec<u8>,
}

/// A decrypted cookie.
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) data: Data,
    pub(crate) signed_at_micros: i64,
    pub(crate) expires_at_micros: i64,
}

/// Why a cookie could not be opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    /// Not `enc1.` followed by canonical base64 of a long enough blob.
    #[error("not an encrypted session cookie")]
    Malformed,
    /// No key authenticates it: tampered, forged, or another secret.
    #[error("the cookie does not decrypt with any key")]
    Forged,
    /// It authenticates, but what it holds cannot be read.
    #[error("the decrypted session cannot be decoded: {0}")]
    Payload(&'static str),
}

impl Sealer {
    /// Ciphers keyed from `primary` and then `fallbacks`, for cookies named
    /// `cookie_name`.
    pub(crate) fn new(
        primary: &[u8],
        fallbacks: &[Vec<u8>],
        cookie_name: &str,
    ) -> Result<Self, CookieError> {
        let ciphers = std::iter::once(primary)
            .chain(fallbacks.iter().map(Vec::as_slice))
            .map(cipher_for)
            .collect::<Result<Vec<_>, _>>()?;
        let mut aad = Vec::with_capacity(AAD_PREFIX.len() + 1 + cookie_name.len());
        aad.extend_from_slice(AAD_PREFIX);
        aad.push(0);
        aad.extend_from_slice(cookie_name.as_bytes());
        Ok(Self { ciphers, aad })
    }

    /// Encrypts `data` with the primary key.
    pub(crate) fn seal(
        &self,
        data: &Data,
        signed_at_micros: i64,
        expires_at_micros: i64,
    ) -> Result<String, CookieError> {
        let payload = encode_map_payload(data, true);
        let (flags, body) = match payload.strip_prefix('.') {
            Some(compressed) => (FLAG_COMPRESSED, compressed),
            None => (0, payload.as_str()),
        };
        let body = b64_decode(body).map_err(|_| CookieError::Encrypt)?;
        let mut plaintext = Vec::with_capacity(HEADER_LEN + body.len());
        plaintext.push(flags);
        plaintext.extend_from_slice(&signed_at_micros.to_be_bytes());
        plaintext.extend_from_slice(&expires_at_micros.to_be_bytes());
        plaintext.extend_from_slice(&body);

        let mut nonce = [0u8; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| CookieError::Random)?;
        let cipher = self.ciphers.first().ok_or(CookieError::Encrypt)?;
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plaintext,
                    aad: &self.aad,
                },
            )
            .map_err(|_| CookieError::Encrypt)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        let mut out = String::with_capacity(ENCRYPTED_PREFIX.len() + blob.len().div_ceil(3) * 4);
        out.push_str(ENCRYPTED_PREFIX);
        URL_SAFE_NO_PAD.encode_string(&blob, &mut out);
        Ok(out)
    }

    /// Authenticates and decrypts `cookie` with the primary key, then each
    /// fallback key, and decodes what it holds.
    pub(crate) fn open(&self, cookie: &str) -> Result<Opened, OpenError> {
        let body = cookie
            .strip_prefix(ENCRYPTED_PREFIX)
            .ok_or(OpenError::Malformed)?;
        // Strict decoding: canonical, unpadded, no stray trailing bits, so
        // that one cookie has exactly one spelling.
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Malformed)?;
        if blob.len() < NONCE_LEN + TAG_LEN + HEADER_LEN {
            return Err(OpenError::Malformed);
        }
        let (nonce, sealed) = blob
            .split_at_checked(NONCE_LEN)
            .ok_or(OpenError::Malformed)?;
        let nonce = Nonce::from_slice(nonce);
        let plaintext = self
            .ciphers
            .iter()
            .find_map(|cipher| {
                cipher
                    .decrypt(
                        nonce,
                        Payload {
                            msg: sealed,
                            aad: &self.aad,
                        },
                    )
                    .ok()
            })
            .ok_or(OpenError::Forged)?;
        decode_plaintext(&plaintext)
    }
}

fn decode_plaintext(plaintext: &[u8]) -> Result<Opened, OpenError> {
    let truncated = OpenError::Payload("truncated header");
    let (&flags, rest) = plaintext.split_first().ok_or(truncated)?;
    let (signed_at, rest) = rest
        .split_first_chunk::<8>()
        .ok_or(OpenError::Payload("truncated header"))?;
    let (expires_at, body) = rest
        .split_first_chunk::<8>()
        .ok_or(OpenError::Payload("truncated header"))?;
    let value = match flags {
        0 => pyjson::from_latin1_slice(body).map_err(|_| OpenError::Payload("invalid JSON"))?,
        FLAG_COMPRESSED => {
            let mut payload = String::with_capacity(1 + body.len().div_ceil(3) * 4);
            payload.push('.');
            payload.push_str(&b64_encode(body));
            decode_payload(&payload, MAX_DECOMPRESSED_SIZE)
                .map_err(|_| OpenError::Payload("invalid compressed JSON"))?
        }
        _ => return Err(OpenError::Payload("unknown flags")),
    };
    let Value::Object(data) = value else {
        return Err(OpenError::Payload("not a JSON object"));
    };
    Ok(Opened {
        data,
        signed_at_micros: i64::from_be_bytes(*signed_at),
        expires_at_micros: i64::from_be_bytes(*expires_at),
    })
}

/// AES-256-GCM keyed by `HMAC-SHA256(secret, KEY_LABEL)`: a key of its own,
/// independent of the Django signing keys derived from the same secret.
fn cipher_for(secret: &[u8]) -> Result<Aes256Gcm, CookieError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).map_err(|_| CookieError::Key)?;
    mac.update(KEY_LABEL);
    let key = mac.finalize().into_bytes();
    Aes256Gcm::new_from_slice(&key).map_err(|_| CookieError::Key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::serde_json::json;

    fn data(value: Value) -> Data {
        match value {
            Value::Object(map) => map,
            _ => Data::new(),
        }
    }

    #[test]
    fn round_trip_compressed_and_plain_and_rotation() {
        let old = Sealer::new(b"conformance-secret-old", &[], "sessionid").expect("keys");
        let new = Sealer::new(
            b"conformance-secret",
            &[b"conformance-secret-old".to_vec()],
            "sessionid",
        )
        .expect("keys");
        for value in [json!({"a": 1}), json!({"z": "z".repeat(500)}), json!({})] {
            let data = data(value);
            let cookie = old.seal(&data, 1, 2).expect("seal");
            assert!(cookie.starts_with(ENCRYPTED_PREFIX) && !cookie.contains(':'));
            let opened = new.open(&cookie).expect("fallback opens");
            assert_eq!(opened.data, data);
            assert_eq!((opened.signed_at_micros, opened.expires_at_micros), (1, 2));
            let fresh = new.seal(&data, 3, 4).expect("seal");
            assert!(matches!(old.open(&fresh), Err(OpenError::Forged)));
        }
    }

    #[test]
    fn malformed_plaintexts_are_errors_not_panics() {
        for bad in [&b""[..], &[0], &[0; 16], &[9; 17], &[0; 17], &[1; 20]] {
            assert!(decode_plaintext(bad).is_err(), "{bad:?}");
        }
        let mut ok = vec![0u8; 17];
        ok.extend_from_slice(b"{}");
        assert!(decode_plaintext(&ok).is_ok());
        ok.truncate(17);
        ok.extend_from_slice(b"[1]");
        assert!(decode_plaintext(&ok).is_err());
    }

    #[test]
    fn nonces_differ_between_cookies() {
        let sealer = Sealer::new(b"conformance-secret", &[], "sessionid").expect("keys");
        let data = data(json!({"a": 1}));
        let first = sealer.seal(&data, 1, 2).expect("seal");
        let second = sealer.seal(&data, 1, 2).expect("seal");
        assert_ne!(first, second);
    }
}
