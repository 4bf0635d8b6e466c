//! Django's `django.core.signing.Signer`: `value:signature`.

use std::fmt;

use subtle::ConstantTimeEq;

use super::encoding::b64_encode;
use super::error::{BadSignature, InvalidSeparator};
use super::hmac::{Algorithm, KeyedMac};

/// Default decompression limit of [`Signer::unsign_object`] and friends:
/// 1 MiB of decompressed JSON.
pub const DEFAULT_MAX_DECOMPRESSED_SIZE: usize = 1024 * 1024;

/// One secret key with its HMAC state for the current salt and algorithm.
#[derive(Clone)]
struct SigningKey {
    secret: Vec<u8>,
    mac: KeyedMac,
}

impl SigningKey {
    fn new(secret: Vec<u8>, key_salt: &str, algorithm: Algorithm) -> Self {
        let mac = KeyedMac::new(key_salt, &secret, algorithm);
        SigningKey { secret, mac }
    }

    /// `b64(salted_hmac(salt + "signer", value, key))`.
    fn signature(&self, value: &str) -> String {
        b64_encode(&self.mac.mac(value.as_bytes()))
    }
}

/// Django's `Signer`: appends `sep + signature(value)` to a value and checks
/// it back.
///
/// Rules (spec 7.3):
/// - `signature(v) = b64(salted_hmac(salt + "signer", v, key, algorithm))`,
///   43 characters for SHA-256; the separator is not part of the MAC input;
/// - `sign(v) = v + sep + signature(v)`, always with the primary key;
/// - `unsign(s)` fails with [`BadSignature::NoSeparator`] if `sep` does not
///   occur in `s`, splits on the **last** `sep`, and compares the signature in
///   constant time against the primary key and then each fallback key,
///   failing with [`BadSignature::Mismatch`] if none matches.
///
/// Defaults: salt `django.core.signing.Signer`, separator `:`, algorithm
/// SHA-256, no fallback keys. Secret keys are bytes; a Django `str` key is
/// its UTF-8 encoding. Unlike Django there is no settings fallback: the key
/// given is the key used, even if empty, and fallback keys are exactly those
/// given with [`Signer::with_fallback_keys`] (Django's explicit
/// `fallback_keys=[]` behaviour).
///
/// The `Debug` output never shows key material.
#[derive(Clone)]
pub struct Signer {
    keys: Vec<SigningKey>,
    salt: String,
    sep: String,
    algorithm: Algorithm,
    max_decompressed_size: usize,
}

impl Signer {
    /// Django's default salt for a plain `Signer`: its module and class name.
    pub const DEFAULT_SALT: &'static str = "django.core.signing.Signer";

    /// The default separator.
    pub const DEFAULT_SEP: &'static str = ":";

    /// A signer with the given primary key and all defaults.
    pub fn new(key: impl AsRef<[u8]>) -> Self {
        Self::with_default_salt(key.as_ref(), Self::DEFAULT_SALT)
    }

    pub(crate) fn with_default_salt(key: &[u8], salt: &str) -> Self {
        let algorithm = Algorithm::default();
        let key_salt = format!("{salt}signer");
        Signer {
            keys: vec![SigningKey::new(key.to_vec(), &key_salt, algorithm)],
            salt: salt.to_owned(),
            sep: Self::DEFAULT_SEP.to_owned(),
            algorithm,
            max_decompressed_size: DEFAULT_MAX_DECOMPRESSED_SIZE,
        }
    }

    /// Replaces the fallback keys (tried, in order, after the primary key when
    /// verifying; never used to sign). Used for key rotation, like Django's
    /// `SECRET_KEY_FALLBACKS`.
    pub fn with_fallback_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let key_salt = self.key_salt();
        self.keys.truncate(1);
        for key in keys {
            self.keys.push(SigningKey::new(
                key.as_ref().to_vec(),
                &key_salt,
                self.algorithm,
            ));
        }
        self
    }

    /// Sets the salt (namespace). As in Django (`salt or default`), an empty
    /// salt means [`Signer::DEFAULT_SALT`].
    pub fn with_salt(self, salt: impl Into<String>) -> Self {
        self.with_salt_or(salt.into(), Self::DEFAULT_SALT)
    }

    pub(crate) fn with_salt_or(mut self, salt: String, default: &str) -> Self {
        self.salt = if salt.is_empty() {
            default.to_owned()
        } else {
            salt
        };
        self.rekey();
        self
    }

    /// Sets the separator.
    ///
    /// # Errors
    ///
    /// [`InvalidSeparator`] when `sep` is empty or made only of characters in
    /// the regex class `A-z0-9-_=` (Django's `_SEP_UNSAFE`), since such a
    /// separator could occur inside base64 or base62 text.
    pub fn with_sep(mut self, sep: impl Into<String>) -> Result<Self, InvalidSeparator> {
        let sep = sep.into();
        let unsafe_char = |c: char| matches!(c, 'A'..='z' | '0'..='9' | '-' | '=');
        if sep.chars().all(unsafe_char) {
            return Err(InvalidSeparator::new(sep));
        }
        self.sep = sep;
        Ok(self)
    }

    /// Sets the hash algorithm (default SHA-256).
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self.rekey();
        self
    }

    /// Sets the maximum decompressed size, in bytes, accepted by
    /// [`Signer::unsign_object`] (and the timestamped variants) for a
    /// `.`-prefixed (compressed) payload. Default
    /// [`DEFAULT_MAX_DECOMPRESSED_SIZE`]. Django has no limit; this one turns a
    /// zip bomb into [`PayloadError::TooLarge`](super::PayloadError::TooLarge).
    pub fn with_max_decompressed_size(mut self, bytes: usize) -> Self {
        self.max_decompressed_size = bytes;
        self
    }

    /// The salt in use.
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The separator in use.
    pub fn sep(&self) -> &str {
        &self.sep
    }

    /// The hash algorithm in use.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of fallback keys.
    pub fn fallback_key_count(&self) -> usize {
        self.keys.len().saturating_sub(1)
    }

    /// The maximum decompressed payload size in bytes.
    pub fn max_decompressed_size(&self) -> usize {
        self.max_decompressed_size
    }

    /// The signature of `value` under the primary key:
    /// `b64(salted_hmac(salt + "signer", value, key, algorithm))`.
    pub fn signature(&self, value: &str) -> String {
        self.keys
            .first()
            .map(|key| key.signature(value))
            .unwrap_or_default()
    }

    /// `value + sep + signature(value)`.
    pub fn sign(&self, value: &str) -> String {
        let signature = self.signature(value);
        let mut out = String::with_capacity(value.len() + self.sep.len() + signature.len());
        out.push_str(value);
        out.push_str(&self.sep);
        out.push_str(&signature);
        out
    }

    /// Verifies `signed` and returns the value before the last separator.
    ///
    /// # Errors
    ///
    /// [`BadSignature::NoSeparator`] or [`BadSignature::Mismatch`]; see the
    /// type-level rules.
    pub fn unsign(&self, signed: &str) -> Result<String, BadSignature> {
        self.unsign_str(signed).map(str::to_owned)
    }

    /// [`Signer::unsign`] without copying: the value borrows from `signed`.
    pub(crate) fn unsign_str<'a>(&self, signed: &'a str) -> Result<&'a str, BadSignature> {
        let Some((value, signature)) = signed.rsplit_once(self.sep.as_str()) else {
            return Err(BadSignature::NoSeparator {
                sep: self.sep.clone(),
            });
        };
        // As in Django, keys are tried in order and the first match wins;
        // each comparison is constant-time.
        let matches = |key: &SigningKey| {
            bool::from(key.signature(value).as_bytes().ct_eq(signature.as_bytes()))
        };
        if self.keys.iter().any(matches) {
            Ok(value)
        } else {
            Err(BadSignature::Mismatch {
                signature: signature.to_owned(),
            })
        }
    }

    fn key_salt(&self) -> String {
        format!("{}signer", self.salt)
    }

    /// Recomputes every key's HMAC state after a salt or algorithm change.
    fn rekey(&mut self) {
        let key_salt = self.key_salt();
        let algorithm = self.algorithm;
        for key in &mut self.keys {
            *key = SigningKey::new(std::mem::take(&mut key.secret), &key_salt, algorithm);
        }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key", &"<redacted>")
            .field("fallback_keys", &self.fallback_key_count())
            .field("salt", &self.salt)
            .field("sep", &self.sep)
            .field("algorithm", &self.algorithm)
            .field("max_decompressed_size", &self.max_decompressed_size)
            .finish()
    }
}
