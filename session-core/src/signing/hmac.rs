//! Django's `salted_hmac`: a hash-derived HMAC key per purpose ("key salt").

use std::fmt;
use std::str::FromStr;

use ::hmac::digest::{Digest, Key, KeyInit};
use ::hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// The hash function used both to derive the HMAC key and for the HMAC itself.
///
/// The default is [`Algorithm::Sha256`], which is what Django's `Signer` uses
/// unless told otherwise (Django's bare `salted_hmac` function defaults to
/// SHA-1, but no signing path relies on that default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// SHA-1 (20-byte MAC, 27 base64 characters).
    Sha1,
    /// SHA-256 (32-byte MAC, 43 base64 characters). The default.
    #[default]
    Sha256,
    /// SHA-512 (64-byte MAC, 86 base64 characters).
    Sha512,
}

impl Algorithm {
    /// The `hashlib` name of the algorithm: `"sha1"`, `"sha256"` or `"sha512"`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// The digest (and therefore MAC) length in bytes: 20, 32 or 64.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An algorithm name that is not one of `sha1`, `sha256` or `sha512`.
///
/// The message mirrors Django's `InvalidAlgorithm`:
/// `'whatever' is not an algorithm accepted by the hashlib module.`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an algorithm accepted by the hashlib module.")]
pub struct InvalidAlgorithm(pub String);

impl FromStr for Algorithm {
    type Err = InvalidAlgorithm;

    /// Parses a `hashlib` name; only the exact lower-case names `sha1`,
    /// `sha256` and `sha512` are accepted.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "sha1" => Ok(Algorithm::Sha1),
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            other => Err(InvalidAlgorithm(other.to_owned())),
        }
    }
}

/// The derived HMAC key of `salted_hmac`: `H(key_salt ‖ secret)`, the full
/// digest of the UTF-8 key salt followed by the secret bytes.
///
/// This intermediate value is exposed so that it can be checked against
/// Django's vectors; it is as secret as the secret itself.
pub fn salted_hmac_key(key_salt: &str, secret: &[u8], algorithm: Algorithm) -> Vec<u8> {
    fn derive<D: Digest>(key_salt: &str, secret: &[u8]) -> Vec<u8> {
        D::new()
            .chain_update(key_salt.as_bytes())
            .chain_update(secret)
            .finalize()
            .to_vec()
    }
    match algorithm {
        Algorithm::Sha1 => derive::<Sha1>(key_salt, secret),
        Algorithm::Sha256 => derive::<Sha256>(key_salt, secret),
        Algorithm::Sha512 => derive::<Sha512>(key_salt, secret),
    }
}

/// Django's `salted_hmac(key_salt, value, secret, algorithm).digest()`.
///
/// Rules (spec 7.1): `K = H(key_salt ‖ secret)` using the full digest, then
/// the result is `HMAC-H(K, value)`, with the same `H` for both steps. The
/// output is `algorithm.digest_len()` bytes.
///
/// Django secret keys are `str`; pass their UTF-8 bytes as `secret`.
pub fn salted_hmac(key_salt: &str, value: &[u8], secret: &[u8], algorithm: Algorithm) -> Vec<u8> {
    KeyedMac::new(key_salt, secret, algorithm).mac(value)
}

/// An HMAC whose derived key is already absorbed, so that each MAC costs only
/// a clone of the inner and outer hash states plus the message hashing.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl KeyedMac {
    /// Derives `K = H(key_salt ‖ secret)` and keys an HMAC with it.
    pub(crate) fn new(key_salt: &str, secret: &[u8], algorithm: Algorithm) -> Self {
        let derived = salted_hmac_key(key_salt, secret, algorithm);
        match algorithm {
            Algorithm::Sha1 => KeyedMac::Sha1(keyed(&derived)),
            Algorithm::Sha256 => KeyedMac::Sha256(keyed(&derived)),
            Algorithm::Sha512 => KeyedMac::Sha512(keyed(&derived)),
        }
    }

    /// `HMAC-H(K, value)`.
    pub(crate) fn mac(&self, value: &[u8]) -> Vec<u8> {
        match self {
            KeyedMac::Sha1(mac) => mac
                .clone()
                .chain_update(value)
                .finalize()
                .into_bytes()
                .to_vec(),
            KeyedMac::Sha256(mac) => mac
                .clone()
                .chain_update(value)
                .finalize()
                .into_bytes()
                .to_vec(),
            KeyedMac::Sha512(mac) => mac
                .clone()
                .chain_update(value)
                .finalize()
                .into_bytes()
                .to_vec(),
        }
    }
}

impl fmt::Debug for KeyedMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algorithm = match self {
            KeyedMac::Sha1(_) => Algorithm::Sha1,
            KeyedMac::Sha256(_) => Algorithm::Sha256,
            KeyedMac::Sha512(_) => Algorithm::Sha512,
        };
        write!(f, "KeyedMac({algorithm}, <redacted>)")
    }
}

/// Keys an HMAC with a derived key no longer than the hash block size.
///
/// HMAC pads such keys with zero bytes up to the block size (RFC 2104), so
/// copying the key into a zeroed block-sized array gives the same MAC as
/// `new_from_slice`, without a fallible call. Every digest used here is at
/// most half its block size.
fn keyed<M: KeyInit>(derived: &[u8]) -> M {
    let mut block = Key::<M>::default();
    for (dst, src) in block.iter_mut().zip(derived) {
        *dst = *src;
    }
    M::new(&block)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// G1 (Django `TestSigner.test_invalid_algorithm`): an unknown algorithm
    /// name is refused with Django's message; the three known names parse.
    #[test]
    fn g1_invalid_algorithm_is_refused_with_djangos_message() {
        let err = "whatever"
            .parse::<Algorithm>()
            .expect_err("not an algorithm");
        assert_eq!(
            err.to_string(),
            "'whatever' is not an algorithm accepted by the hashlib module."
        );
        for (name, algorithm) in [
            ("sha1", Algorithm::Sha1),
            ("sha256", Algorithm::Sha256),
            ("sha512", Algorithm::Sha512),
        ] {
            assert_eq!(name.parse::<Algorithm>(), Ok(algorithm));
            assert_eq!(algorithm.to_string(), name);
        }
        assert!(
            "SHA256".parse::<Algorithm>().is_err(),
            "names are case-sensitive: Django looks them up with getattr(hashlib, name)"
        );
    }
}
