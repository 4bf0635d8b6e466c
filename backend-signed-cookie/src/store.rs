//! [`SignedCookieStore`]: the session key *is* the session.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use session_core::expiry::{self, StoredExpiry};
use session_core::serde_json::Value;
use session_core::signing::{MaxAge, TimestampSigner, UnsignError, b62_decode};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{
    Capabilities, Data, EXPIRY_KEY, Error, ErrorKind, Operation, Record, Result, SessionKey,
    SessionStore, SharedClock,
};

use crate::NAME;
use crate::config::{
    CookieFormat, MAX_COOKIE_SIZE, MAX_DECOMPRESSED_SIZE, SIGNED_COOKIES_SALT, SignedCookieConfig,
};
use crate::encrypted::{OpenError, Sealer};
use crate::error::CookieError;

/// What this store can promise: nothing is kept on the server, so nothing
/// can be revoked, counted or purged; the data travels with the key, so any
/// store with the same secret (another process, or this one restarted)
/// reads it.
pub const CAPABILITIES: Capabilities = Capabilities {
    server_side: false,
    clear_expired: false,
    durable: true,
    shared_across_processes: true,
};

/// A session store that keeps nothing: the key handed to the client is the
/// signed (optionally encrypted) session data.
///
/// - [`create`](SessionStore::create) and [`save`](SessionStore::save) both
///   return the newly signed data as the key (the old key is ignored: a
///   save is never *interrupted*); a cookie `name=value` over
///   [`MAX_COOKIE_SIZE`] bytes is an [`ErrorKind::TooLarge`] error.
/// - [`load`](SessionStore::load) verifies the signature (primary key, then
///   fallback keys) and its age against the cookie age, then the
///   per-session expiry stored in the data; any failure is `Ok(None)`.
/// - [`exists`](SessionStore::exists) is always false,
///   [`delete`](SessionStore::delete) does nothing, and
///   [`clear_expired`](SessionStore::clear_expired) returns 0.
///
/// Clones share the same keys. Build one with [`SignedCookieConfig`].
#[derive(Clone)]
pub struct SignedCookieStore {
    inner: Arc<Inner>,
}

struct Inner {
    clock: SharedClock,
    cookie_age: i64,
    cookie_name: String,
    codec: Codec,
}

enum Codec {
    Django(TimestampSigner),
    Encrypted(Sealer),
}

/// Why a cookie did not load; only for the log.
enum Rejection {
    Expired,
    Suspicious(&'static str),
}

impl SignedCookieStore {
    /// A store in Django's format with `secret_key` and every other setting
    /// at its default; see [`SignedCookieConfig`].
    ///
    /// # Errors
    /// As for [`SignedCookieConfig::build`].
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<Self> {
        SignedCookieConfig::new(secret_key).build()
    }

    /// Settings to build a store from, starting with `secret_key`.
    pub fn builder(secret_key: impl AsRef<[u8]>) -> SignedCookieConfig {
        SignedCookieConfig::new(secret_key)
    }

    fn from_config(config: SignedCookieConfig) -> Result<Self, CookieError> {
        let codec = match config.format {
            CookieFormat::Django => Codec::Django(
                TimestampSigner::new(&config.secret_key)
                    .with_salt(SIGNED_COOKIES_SALT)
                    .with_fallback_keys(&config.fallback_keys)
                    .with_max_decompressed_size(MAX_DECOMPRESSED_SIZE),
            ),
            CookieFormat::Encrypted => Codec::Encrypted(Sealer::new(
                &config.secret_key,
                &config.fallback_keys,
                &config.cookie_name,
            )?),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                clock: config.clock,
                cookie_age: config.cookie_age,
                cookie_name: config.cookie_name,
                codec,
            }),
        })
    }

    /// The cookie name counted in the size limit.
    pub fn cookie_name(&self) -> &str {
        &self.inner.cookie_name
    }

    /// The cookie age in seconds: the `max_age` of every signature.
    pub fn cookie_age(&self) -> i64 {
        self.inner.cookie_age
    }

    /// The format cookies are written and read in.
    pub fn format(&self) -> CookieFormat {
        match self.inner.codec {
            Codec::Django(_) => CookieFormat::Django,
            Codec::Encrypted(_) => CookieFormat::Encrypted,
        }
    }

    /// Signs (or encrypts) `record` as of now and checks the cookie size.
    fn encode(&self, record: &Record, operation: Operation) -> Result<SessionKey> {
        let now = self.inner.clock.now();
        let value = match &self.inner.codec {
            Codec::Django(signer) => {
                // Django's `signing.dumps(data, compress=True, salt=...)` at
                // `int(time.time())`. Django's format has no room for
                // `record.expires_at`: load derives it from the data.
                signer.sign_map_at(&record.data, true, now.unix_timestamp())
            }
            Codec::Encrypted(sealer) => sealer
                .seal(&record.data, micros(now), micros(record.expires_at))
                .map_err(|e| e.into_core(operation))?,
        };
        let size = self.inner.cookie_name.len() + 1 + value.len();
        if size > MAX_COOKIE_SIZE {
            return Err(CookieError::TooLarge {
                size,
                name_len: self.inner.cookie_name.len(),
                value_len: value.len(),
                limit: MAX_COOKIE_SIZE,
            }
            .into_core(operation));
        }
        SessionKey::parse(&value).ok_or_else(|| {
            Error::new(ErrorKind::Serialization, operation, NAME)
                .with_context("the encoded session is not a valid cookie value")
        })
    }

    /// The live record a cookie holds, or why it holds none.
    fn decode(&self, cookie: &str, now: OffsetDateTime) -> Result<Record, Rejection> {
        match &self.inner.codec {
            Codec::Django(signer) => {
                let max_age = MaxAge::from_secs(self.inner.cookie_age);
                let value = signer
                    .unsign_object_at(cookie, Some(max_age), now.unix_timestamp())
                    .map_err(|e| unsign_rejection(&e))?;
                let Value::Object(data) = value else {
                    return Err(Rejection::Suspicious(
                        "the signed value is not a JSON object",
                    ));
                };
                let signed_at = django_timestamp(cookie)
                    .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts).ok())
                    .ok_or(Rejection::Suspicious("the timestamp is out of range"))?;
                // Django's get_expiry_date(modification=<signing time>): the
                // cookie age for none or 0 (browser close), else the
                // session's own.
                let stored = data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value);
                let own_expiry = expiry::expiry_date(stored, signed_at, self.inner.cookie_age);
                self.live(data, signed_at, own_expiry, now)
            }
            Codec::Encrypted(sealer) => {
                let opened = sealer.open(cookie).map_err(|e| match e {
                    OpenError::Malformed => {
                        Rejection::Suspicious("not an encrypted session cookie")
                    }
                    OpenError::Forged => Rejection::Suspicious("the cookie does not decrypt"),
                    OpenError::Payload(why) => Rejection::Suspicious(why),
                })?;
                let (Some(signed_at), Some(expires_at)) = (
                    from_micros(opened.signed_at_micros),
                    from_micros(opened.expires_at_micros),
                ) else {
                    return Err(Rejection::Suspicious("a timestamp is out of range"));
                };
                self.live(opened.data, signed_at, expires_at, now)
            }
        }
    }

    /// Applies both expiry rules to an authentic cookie's content. The
    /// record expires at the earlier of:
    ///
    /// - the end of the cookie age, `signed_at + cookie_age`;
    /// - the session's own expiry (unlike Django, which ignores it): in
    ///   Django's format computed from the data, in the encrypted format the
    ///   record's `expires_at` as sealed.
    ///
    /// and, as every record (rule E5), is not live once `expires_at <= now`.
    /// Django's signature check lets an age *exactly* equal to the cookie
    /// age through (`age > max_age` fails); here that instant is already
    /// the expiry, as it is for Django's database backend
    /// (`expire_date > now`).
    fn live(
        &self,
        data: Data,
        signed_at: OffsetDateTime,
        own_expiry: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Record, Rejection> {
        let deadline = signed_at
            .checked_add(Duration::seconds(self.inner.cookie_age))
            .ok_or(Rejection::Suspicious("the timestamp is out of range"))?;
        let expires_at = own_expiry.min(deadline);
        if expires_at <= now {
            return Err(Rejection::Expired);
        }
        Ok(Record::new(data, expires_at))
    }
}

/// Sorts a signing failure: an expired signature is routine, anything else
/// was not written by this store with these keys (or is corrupt).
fn unsign_rejection(err: &UnsignError) -> Rejection {
    if err.is_expired() {
        Rejection::Expired
    } else if err.is_bad_signature() {
        Rejection::Suspicious("bad signature")
    } else {
        Rejection::Suspicious("valid signature over an undecodable payload")
    }
}

/// The timestamp of a verified `payload:ts:signature` value.
fn django_timestamp(cookie: &str) -> Option<i64> {
    let (stamped, _signature) = cookie.rsplit_once(':')?;
    let (_payload, timestamp) = stamped.rsplit_once(':')?;
    b62_decode(timestamp).ok()
}

fn micros(at: OffsetDateTime) -> i64 {
    let micros = at.unix_timestamp_nanos().div_euclid(1_000);
    i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
}

fn from_micros(micros: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok()
}

impl SignedCookieConfig {
    /// Checks the settings and builds the store.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// secret key or a fallback key is shorter than
    /// [`MIN_SECRET_KEY_LENGTH`](crate::MIN_SECRET_KEY_LENGTH) bytes, the
    /// cookie age is not positive, or the cookie name is not a valid cookie
    /// name.
    pub fn build(self) -> Result<SignedCookieStore> {
        self.validate()
            .and_then(|()| SignedCookieStore::from_config(self))
            .map_err(|e| e.into_core(Operation::Open))
    }
}

#[async_trait]
impl SessionStore for SignedCookieStore {
    fn name(&self) -> &str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        let now = self.inner.clock.now();
        match self.decode(key.as_str(), now) {
            Ok(record) => Ok(Some(record)),
            Err(Rejection::Expired) => {
                tracing::debug!(target: "session::store", backend = NAME, "session cookie expired");
                Ok(None)
            }
            Err(Rejection::Suspicious(reason)) => {
                tracing::warn!(target: "session::suspicious", backend = NAME, reason, "session cookie rejected");
                Ok(None)
            }
        }
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Create, NAME)?;
        self.encode(record, Operation::Create)
    }

    async fn save(&self, _key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, NAME)?;
        self.encode(record, Operation::Save)
    }

    async fn exists(&self, _key: &SessionKey) -> Result<bool> {
        Ok(false)
    }

    async fn delete(&self, _key: &SessionKey) -> Result<()> {
        Ok(())
    }

    async fn clear_expired(&self) -> Result<u64> {
        Ok(0)
    }
}

/// Secrets stay out of logs.
impl fmt::Debug for SignedCookieStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedCookieStore")
            .field("format", &self.format())
            .field("cookie_name", &self.inner.cookie_name)
            .field("cookie_age", &self.inner.cookie_age)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_from_verified_values() {
        assert_eq!(
            django_timestamp("eyJmb28iOiJiYXIifQ:1r31eq:SPqN"),
            Some(1_700_000_000)
        );
        assert_eq!(django_timestamp("no-separator"), None);
        assert_eq!(django_timestamp("one:sep"), None);
    }

    #[test]
    fn micros_saturate_instead_of_overflowing() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("in range");
        assert_eq!(from_micros(micros(at)), Some(at));
        assert_eq!(from_micros(i64::MAX), None);
    }
}
