//! The signed-cookie baselines: the whole encoding of a cookie with the
//! same primitives the store uses, and nothing else (no timestamp, no
//! expiry, no size check, no key validation).

use std::sync::Arc;

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use session_backend_signed_cookie::{ENCRYPTED_PREFIX, SIGNED_COOKIES_SALT};
use session_core::serde_json::Value;
use session_core::signing::{
    Algorithm, b64_decode, b64_encode, decode_payload, encode_map_payload, pyjson, salted_hmac_key,
};
use session_core::{Data, Operation};
use sha2::Sha256;

use crate::baseline::api::{Baseline, BaselineError};
use crate::baseline::zlib;

/// The most a cookie may decompress to (the store's limit).
const MAX_DECOMPRESSED: usize = 4 << 20;
const NONCE_LEN: usize = 12;

/// The signed-cookie store's Django format without the store: compact JSON,
/// zlib, URL-safe base64 (session-core's `encode_map_payload`), then an
/// HMAC-SHA256 with Django's derived key for the signed-cookies salt, as
/// `payload:signature`. A load splits, verifies the HMAC in constant time,
/// and decodes with `decode_payload` and the JSON parser. Delete is a no-op,
/// as for the store (the client drops the cookie).
#[derive(Debug)]
pub struct SignedCookieBaseline {
    mac: Hmac<Sha256>,
}

impl SignedCookieBaseline {
    /// A baseline signing with `secret` (only its length-independent cost
    /// matters: the derived key is hashed once here).
    pub fn new(secret: &[u8]) -> Self {
        let key = salted_hmac_key(
            &format!("{SIGNED_COOKIES_SALT}signer"),
            secret,
            Algorithm::Sha256,
        );
        let mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes keys of any length");
        Self { mac }
    }

    fn sign(&self, data: &Data) -> String {
        let payload = encode_map_payload(data, true);
        let mut mac = self.mac.clone();
        mac.update(payload.as_bytes());
        let signature = b64_encode(&mac.finalize().into_bytes());
        format!("{payload}:{signature}")
    }
}

#[async_trait]
impl Baseline for SignedCookieBaseline {
    fn name(&self) -> &str {
        "JSON+zlib+base64+HMAC-SHA256"
    }
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        Ok(self.sign(data))
    }
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let Some((payload, signature)) = key.rsplit_once(':') else {
            return Ok(None);
        };
        let Ok(signature) = b64_decode(signature) else {
            return Ok(None);
        };
        let mut mac = self.mac.clone();
        mac.update(payload.as_bytes());
        if mac.verify_slice(&signature).is_err() {
            return Ok(None);
        }
        match decode_payload(payload, MAX_DECOMPRESSED) {
            Ok(Value::Object(data)) => Ok(Some(Arc::new(data))),
            Ok(_) => Err(decode_error("not a JSON object".into())),
            Err(e) => Err(decode_error(e.to_string())),
        }
    }
    async fn save(&self, _key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        Ok(self.sign(data))
    }
    async fn delete(&self, _key: &str) -> Result<(), BaselineError> {
        Ok(())
    }
}

fn decode_error(reason: String) -> BaselineError {
    BaselineError::Decode {
        engine: "signed-cookie",
        operation: Operation::Load,
        reason,
    }
}

/// The signed-cookie store's encrypted format without the store: compact
/// JSON, zlib when it saves two bytes, AES-256-GCM with a fresh random
/// nonce from the OS, URL-safe base64 behind `enc1.`. A load decodes,
/// decrypts, decompresses and parses. No timestamps in the plaintext, no
/// associated data, one key.
pub struct EncryptedCookieBaseline {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for EncryptedCookieBaseline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedCookieBaseline")
            .finish_non_exhaustive()
    }
}

impl EncryptedCookieBaseline {
    /// A baseline encrypting with a key derived from `secret` by SHA-256.
    pub fn new(secret: &[u8]) -> Self {
        let key = salted_hmac_key("session-benches/aes-256-gcm", secret, Algorithm::Sha256);
        let cipher = Aes256Gcm::new_from_slice(&key).expect("SHA-256 gives a 32-byte key");
        Self { cipher }
    }

    fn seal(&self, data: &Data, operation: Operation) -> Result<String, BaselineError> {
        let json = pyjson::map_to_string(data);
        let mut plaintext = Vec::with_capacity(1 + json.len());
        match zlib::compress_if_smaller(json.as_bytes()) {
            Some(compressed) => {
                plaintext.push(1);
                plaintext.extend_from_slice(&compressed);
            }
            None => {
                plaintext.push(0);
                plaintext.extend_from_slice(json.as_bytes());
            }
        }
        let failed = || BaselineError::Encrypt {
            engine: "signed-cookie encrypted",
            operation,
        };
        let mut blob = vec![0_u8; NONCE_LEN];
        OsRng.try_fill_bytes(&mut blob).map_err(|_| failed())?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&blob), plaintext.as_slice())
            .map_err(|_| failed())?;
        blob.extend_from_slice(&sealed);
        let mut out = String::with_capacity(ENCRYPTED_PREFIX.len() + blob.len().div_ceil(3) * 4);
        out.push_str(ENCRYPTED_PREFIX);
        URL_SAFE_NO_PAD.encode_string(&blob, &mut out);
        Ok(out)
    }
}

#[async_trait]
impl Baseline for EncryptedCookieBaseline {
    fn name(&self) -> &str {
        "JSON+zlib+AES-256-GCM+base64"
    }
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.seal(data, Operation::Create)
    }
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let Some(blob) = key
            .strip_prefix(ENCRYPTED_PREFIX)
            .and_then(|body| URL_SAFE_NO_PAD.decode(body).ok())
        else {
            return Ok(None);
        };
        let Some((nonce, sealed)) = blob.split_at_checked(NONCE_LEN) else {
            return Ok(None);
        };
        let Ok(plaintext) = self.cipher.decrypt(Nonce::from_slice(nonce), sealed) else {
            return Ok(None);
        };
        let json = match plaintext.split_first() {
            Some((1, compressed)) => zlib::decompress(compressed, MAX_DECOMPRESSED)
                .ok_or_else(|| decode_error("invalid compressed JSON".into()))?,
            Some((0, json)) => json.to_vec(),
            _ => return Err(decode_error("unknown flags".into())),
        };
        match pyjson::from_latin1_slice(&json) {
            Ok(Value::Object(data)) => Ok(Some(Arc::new(data))),
            Ok(_) => Err(decode_error("not a JSON object".into())),
            Err(e) => Err(decode_error(e.to_string())),
        }
    }
    async fn save(&self, _key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.seal(data, Operation::Save)
    }
    async fn delete(&self, _key: &str) -> Result<(), BaselineError> {
        Ok(())
    }
}
