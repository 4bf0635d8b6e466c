//! Django's `TimestampSigner`: `value:timestamp:signature`, with `max_age`.

use std::time::{SystemTime, UNIX_EPOCH};

use super::encoding::{b62_decode, b62_encode};
use super::error::{BadSignature, InvalidSeparator, PayloadError, UnsignError};
use super::hmac::Algorithm;
use super::max_age::{MaxAge, NANOS_PER_SEC};
use super::signer::Signer;

/// The current Unix time in whole seconds, truncated toward zero like
/// Python's `int(time.time())`. Only the convenience methods that do not take
/// an explicit `now` use this clock.
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs())
            .map(|secs| -secs)
            .unwrap_or(i64::MIN),
    }
}

/// Django's `TimestampSigner`: a [`Signer`] over `value + sep + b62(now)`.
///
/// Rules (spec 7.4):
/// - `sign_at(v, now) = Signer.sign(v + sep + b62(now))`, giving `v:ts:sig`;
///   the MAC covers `v:ts`;
/// - `unsign_at(s, max_age, now)`: the [`Signer`] check first
///   ([`BadSignature`]), then split off the timestamp on the last separator
///   and decode it ([`PayloadError`] if that fails, which only a key holder
///   can cause), then, if `max_age` is set and `now - ts > max_age`,
///   [`BadSignature::Expired`].
///
/// Default salt `django.core.signing.TimestampSigner`; the other defaults
/// and the key rules are the [`Signer`]'s. Every operation has a variant
/// taking an explicit `now` (Unix seconds); [`TimestampSigner::sign`] and
/// [`TimestampSigner::unsign`] read the system clock instead.
#[derive(Debug, Clone)]
pub struct TimestampSigner {
    signer: Signer,
}

impl TimestampSigner {
    /// Django's default salt for a `TimestampSigner`.
    pub const DEFAULT_SALT: &'static str = "django.core.signing.TimestampSigner";

    /// A timestamp signer with the given primary key and all defaults.
    pub fn new(key: impl AsRef<[u8]>) -> Self {
        TimestampSigner {
            signer: Signer::with_default_salt(key.as_ref(), Self::DEFAULT_SALT),
        }
    }

    /// Replaces the fallback keys; see [`Signer::with_fallback_keys`].
    pub fn with_fallback_keys<I, K>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        self.map(|s| s.with_fallback_keys(keys))
    }

    /// Sets the salt. An empty salt means [`TimestampSigner::DEFAULT_SALT`],
    /// as in Django.
    pub fn with_salt(self, salt: impl Into<String>) -> Self {
        self.map(|s| s.with_salt_or(salt.into(), Self::DEFAULT_SALT))
    }

    /// Sets the separator; see [`Signer::with_sep`].
    ///
    /// # Errors
    ///
    /// [`InvalidSeparator`] as for [`Signer::with_sep`].
    pub fn with_sep(self, sep: impl Into<String>) -> Result<Self, InvalidSeparator> {
        Ok(TimestampSigner {
            signer: self.signer.with_sep(sep)?,
        })
    }

    /// Sets the hash algorithm (default SHA-256).
    pub fn with_algorithm(self, algorithm: Algorithm) -> Self {
        self.map(|s| s.with_algorithm(algorithm))
    }

    /// Sets the decompression limit; see [`Signer::with_max_decompressed_size`].
    pub fn with_max_decompressed_size(self, bytes: usize) -> Self {
        self.map(|s| s.with_max_decompressed_size(bytes))
    }

    fn map(self, f: impl FnOnce(Signer) -> Signer) -> Self {
        TimestampSigner {
            signer: f(self.signer),
        }
    }

    /// The underlying plain signer (same key, salt and separator), which
    /// signs and verifies `value:ts` as a whole.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The salt in use.
    pub fn salt(&self) -> &str {
        self.signer.salt()
    }

    /// The separator in use.
    pub fn sep(&self) -> &str {
        self.signer.sep()
    }

    /// `value + sep + b62(now_unix) + sep + signature`.
    pub fn sign_at(&self, value: &str, now_unix: i64) -> String {
        let sep = self.signer.sep();
        let timestamp = b62_encode(now_unix);
        let mut stamped = String::with_capacity(value.len() + sep.len() + timestamp.len());
        stamped.push_str(value);
        stamped.push_str(sep);
        stamped.push_str(&timestamp);
        self.signer.sign(&stamped)
    }

    /// [`TimestampSigner::sign_at`] with the system clock ([`unix_now`]).
    pub fn sign(&self, value: &str) -> String {
        self.sign_at(value, unix_now())
    }

    /// Verifies `signed` and returns the value before the timestamp.
    ///
    /// # Errors
    ///
    /// [`UnsignError::BadSignature`] for a missing separator, a wrong
    /// signature or an expired one; [`UnsignError::Payload`] for a validly
    /// signed value without a decodable timestamp.
    pub fn unsign_at(
        &self,
        signed: &str,
        max_age: Option<MaxAge>,
        now_unix: i64,
    ) -> Result<String, UnsignError> {
        self.unsign_str(signed, max_age, now_unix)
            .map(str::to_owned)
    }

    /// [`TimestampSigner::unsign_at`] with the system clock ([`unix_now`]).
    ///
    /// # Errors
    ///
    /// As for [`TimestampSigner::unsign_at`].
    pub fn unsign(&self, signed: &str, max_age: Option<MaxAge>) -> Result<String, UnsignError> {
        self.unsign_at(signed, max_age, unix_now())
    }

    /// [`TimestampSigner::unsign_at`] at `now_unix_nanos` nanoseconds
    /// since the epoch: the age is compared with `max_age` exactly, as
    /// Django compares `time.time() - timestamp` (a signature 100.3 s old
    /// is past a `max_age` of 100 s). [`TimestampSigner::unsign_at`] is
    /// this at a whole second.
    ///
    /// # Errors
    ///
    /// As for [`TimestampSigner::unsign_at`].
    pub fn unsign_at_nanos(
        &self,
        signed: &str,
        max_age: Option<MaxAge>,
        now_unix_nanos: i128,
    ) -> Result<String, UnsignError> {
        self.unsign_str_nanos(signed, max_age, now_unix_nanos)
            .map(str::to_owned)
    }

    /// The timestamp (Unix seconds) of a validly signed value, without any
    /// age check.
    ///
    /// # Errors
    ///
    /// As for [`TimestampSigner::unsign_at`] without `max_age`.
    pub fn timestamp_of(&self, signed: &str) -> Result<i64, UnsignError> {
        let stamped = self.signer.unsign_str(signed)?;
        Ok(self.split_timestamp(stamped)?.1)
    }

    pub(crate) fn unsign_str<'a>(
        &self,
        signed: &'a str,
        max_age: Option<MaxAge>,
        now_unix: i64,
    ) -> Result<&'a str, UnsignError> {
        self.unsign_str_nanos(signed, max_age, i128::from(now_unix) * NANOS_PER_SEC)
    }

    fn unsign_str_nanos<'a>(
        &self,
        signed: &'a str,
        max_age: Option<MaxAge>,
        now_unix_nanos: i128,
    ) -> Result<&'a str, UnsignError> {
        let stamped = self.signer.unsign_str(signed)?;
        let (value, timestamp) = self.split_timestamp(stamped)?;
        if let Some(max_age) = max_age {
            let age_nanos = now_unix_nanos - i128::from(timestamp) * NANOS_PER_SEC;
            if max_age.is_exceeded_by_nanos(age_nanos) {
                // Whole seconds for the message, saturated to the i64 range.
                let secs = age_nanos.div_euclid(NANOS_PER_SEC);
                let age = i64::try_from(secs).unwrap_or(if secs > 0 { i64::MAX } else { i64::MIN });
                return Err(BadSignature::Expired { age, max_age }.into());
            }
        }
        Ok(value)
    }

    fn split_timestamp<'a>(&self, stamped: &'a str) -> Result<(&'a str, i64), PayloadError> {
        let (value, timestamp) = stamped
            .rsplit_once(self.signer.sep())
            .ok_or(PayloadError::MissingTimestamp)?;
        let timestamp = b62_decode(timestamp).map_err(PayloadError::Timestamp)?;
        Ok((value, timestamp))
    }
}
