//! How byte-oriented stores turn session data into text and back.
//!
//! A store picks one [`Codec`]:
//!
//! - [`Codec::Json`] (the default): ASCII-only compact JSON of the data map
//!   (Python's `json.dumps(separators=(",", ":"))`, non-ASCII as `\uXXXX`,
//!   written by [`signing::pyjson`](crate::signing::pyjson)). Readable by
//!   anything, but unsigned, so not by Django's session backends.
//! - [`Codec::Django`]: Django's `session_data` format, `signing.dumps(data,
//!   salt="django.contrib.sessions.SessionStore", compress=True)`, so a
//!   database table or a file directory can be shared with a Django
//!   application using the same `SECRET_KEY`.
//!
//! Decoding never panics. Data that fails its signature is logged as
//! suspicious (target `session::suspicious`, Django's `Session data
//! corrupted`); data with a valid signature that cannot be read is an error
//! too, logged at debug level as Django stays silent. Either way the store
//! treats the record as absent (rule K3).

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use crate::record::Data;
use crate::signing::{TimestampSigner, UnsignError};

/// The salt Django's server-side session backends sign `session_data` with:
/// `"django.contrib.sessions." + "SessionStore"`.
pub const DJANGO_SESSION_SALT: &str = "django.contrib.sessions.SessionStore";

/// Shortest secret key a Django codec accepts.
pub const MIN_SECRET_KEY_LENGTH: usize = 16;

/// The record encoding of a byte-oriented store.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Codec {
    /// ASCII-only compact JSON of the data map.
    #[default]
    Json,
    /// Django's signed `session_data` format.
    Django(DjangoCodec),
}

/// Why encoded data could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The signature did not verify with the secret key or any fallback key:
    /// tampered data, another salt, or another secret.
    #[error("session data corrupted: {0}")]
    BadSignature(#[source] UnsignError),
    /// The signature is valid but the signed payload cannot be decoded.
    #[error("undecodable session data: {0}")]
    Payload(#[source] UnsignError),
    /// The text is not JSON.
    #[error("session data is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The text decodes to JSON that is not an object.
    #[error("session data is not a JSON object")]
    NotAnObject,
}

/// Why a codec name (a store URL's `codec=` value) names no codec.
#[derive(Debug, thiserror::Error)]
pub enum CodecNameError {
    /// Neither `json` nor `django`.
    #[error("unknown codec `{0}`")]
    Unknown(String),
    /// `django` without a secret key to sign with.
    #[error("codec=django needs the secret key")]
    MissingSecret,
    /// `django` with a secret key that is too short.
    #[error(transparent)]
    ShortSecret(#[from] ShortSecretKey),
}

impl Codec {
    /// The codec a store URL's `codec=` value names: `json`, or `django`
    /// signed with `secret_key`. The one list of codec names every
    /// byte-storing backend's URL parser uses.
    ///
    /// # Errors
    /// [`CodecNameError`]: an unknown name, or `django` without a usable
    /// secret key.
    pub fn from_name(name: &str, secret_key: Option<&str>) -> Result<Self, CodecNameError> {
        match name {
            "json" => Ok(Codec::Json),
            "django" => Ok(Codec::django(
                secret_key.ok_or(CodecNameError::MissingSecret)?,
            )?),
            other => Err(CodecNameError::Unknown(other.to_owned())),
        }
    }

    /// Django's format signed with `secret_key` (Django's `SECRET_KEY`).
    ///
    /// # Errors
    /// [`ShortSecretKey`] when the key is shorter than
    /// [`MIN_SECRET_KEY_LENGTH`] bytes.
    pub fn django(secret_key: impl Into<String>) -> Result<Self, ShortSecretKey> {
        DjangoCodec::new(secret_key).map(Codec::Django)
    }

    /// Encodes `data` at `now` (the Django format carries a timestamp).
    pub fn encode(&self, data: &Data, now: OffsetDateTime) -> String {
        match self {
            // ASCII-only compact JSON; serde_json reads it back exactly.
            Codec::Json => crate::signing::pyjson::map_to_string(data),
            Codec::Django(django) => django.encode(data, now),
        }
    }

    /// Decodes text written by [`Codec::encode`] (or by Django, for
    /// [`Codec::Django`]).
    ///
    /// # Errors
    /// Any [`CodecError`]; a bad signature is also logged as suspicious.
    pub fn decode(&self, text: &str) -> Result<Data, CodecError> {
        let value = match self {
            Codec::Json => crate::signing::pyjson::from_str(text)?,
            Codec::Django(django) => django.decode_value(text)?,
        };
        match value {
            Value::Object(map) => Ok(map),
            _ => Err(CodecError::NotAnObject),
        }
    }
}

/// Django's `session_data` codec: a timestamp-signed, compressed payload.
#[derive(Clone)]
pub struct DjangoCodec {
    signer: Arc<TimestampSigner>,
}

/// A secret key too short to sign with.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the secret key must be at least {MIN_SECRET_KEY_LENGTH} bytes long")]
pub struct ShortSecretKey;

impl DjangoCodec {
    /// A codec signing with `secret_key` and Django's session salt.
    ///
    /// # Errors
    /// [`ShortSecretKey`] for a key under [`MIN_SECRET_KEY_LENGTH`] bytes.
    pub fn new(secret_key: impl Into<String>) -> Result<Self, ShortSecretKey> {
        let secret_key = secret_key.into();
        if secret_key.len() < MIN_SECRET_KEY_LENGTH {
            return Err(ShortSecretKey);
        }
        let signer = TimestampSigner::new(secret_key).with_salt(DJANGO_SESSION_SALT);
        Ok(Self {
            signer: Arc::new(signer),
        })
    }

    /// Also accepts data signed with these older keys (Django's
    /// `SECRET_KEY_FALLBACKS`); new data is always signed with the primary key.
    pub fn with_fallback_keys<I, K>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let signer = (*self.signer).clone().with_fallback_keys(keys);
        Self {
            signer: Arc::new(signer),
        }
    }

    /// Uses another salt, for data written by a Django session class not
    /// named `SessionStore` (Django's salt is `django.contrib.sessions.` plus
    /// the class's qualified name).
    pub fn with_salt(self, salt: impl Into<String>) -> Self {
        let signer = (*self.signer).clone().with_salt(salt);
        Self {
            signer: Arc::new(signer),
        }
    }

    fn encode(&self, data: &Data, now: OffsetDateTime) -> String {
        self.signer.sign_map_at(data, true, now.unix_timestamp())
    }

    fn decode_value(&self, text: &str) -> Result<Value, CodecError> {
        // Django's decode passes no max_age: session expiry is judged elsewhere.
        self.signer.unsign_object_at(text, None, 0).map_err(|err| {
            if err.is_bad_signature() {
                tracing::warn!(target: "session::suspicious", error = %err, "Session data corrupted");
                CodecError::BadSignature(err)
            } else {
                tracing::debug!(target: "session::suspicious", error = %err, "undecodable session data");
                CodecError::Payload(err)
            }
        })
    }
}

impl fmt::Debug for DjangoCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DjangoCodec")
            .field("salt", &self.signer.salt())
            .finish_non_exhaustive()
    }
}
