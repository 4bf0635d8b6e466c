//! [`RedisStore`]: sessions in Redis or Redis Cluster.

use std::fmt;
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use redis::Script;
use session_core::store::insert_with_fresh_key;
use session_core::time::OffsetDateTime;
use session_core::{
    Capabilities, Codec, CodecError, Error, Operation, Record, Result, SessionKey, SessionStore,
    SharedClock, SharedKeyGenerator,
};

use crate::NAME;
use crate::config::RedisConfig;
use crate::conn::{Conn, Handle};
use crate::error::RedisError;
use crate::value::{self, EXPIRY_BYTES};

/// Create: writes `ARGV[1]` for `ARGV[2]` ms unless a record live at
/// `ARGV[3]` (microseconds) holds the key (K4). 1 when written, 0 when taken.
/// Both scripts read only the expiry at the head of the old value
/// (`GETRANGE`; a missing key reads as empty, a stored value never is).
static CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local head = redis.call('GETRANGE', KEYS[1], 0, 24)
if head ~= '' then
  local expiry = tonumber(string.match(head, '^(%-?%d+):'))
  if expiry == nil or expiry > tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1",
    )
});

/// Save of a record with no life left: deletes the record live at
/// `ARGV[3]` (microseconds); 1 when one was, 0 when no live record holds
/// the key (L1). `ARGV[1]` and `ARGV[2]` are unused.
static SAVE_DEAD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local head = redis.call('GETRANGE', KEYS[1], 0, 24)
local expiry = tonumber(string.match(head, '^(%-?%d+):'))
if expiry == nil or expiry <= tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
return 1",
    )
});

/// Undoes a save that replaced a record already dead by the store's
/// clock: deletes the key if it still holds exactly `ARGV[1]` (what that
/// save wrote), so a later write is never removed. 1 when deleted.
static UNDO: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0",
    )
});

/// Sessions in Redis: one string per session under `<prefix><key>`,
/// holding `<expiry in µs>:<data in the codec>`, with a server TTL of the
/// record's remaining life in milliseconds (rounded up, never to seconds).
///
/// - **create** is one script, atomic on the server: `SET key value PX ttl`
///   unless a record live by this store's clock holds the key, which is a
///   collision: another key is drawn (K4).
/// - **save** is one command, `SET key value XX PX ttl GET`: it writes
///   only where the key holds a record, so a concurrent delete is never
///   undone (L1), and answers the record it replaced; if that one had
///   expired by this store's clock, the write is undone and the save is
///   *interrupted*. No script on the common path: a Lua call costs the
///   server about five times a `SET`.
/// - **load** is one `GET`; the expiry is decided by the injected clock
///   (E5), never by the server's TTL, which only frees memory.
/// - **exists** reads the expiry only (`GETRANGE`); **delete** is `DEL`.
/// - **clear_expired** returns 0: the server expires keys itself
///   ([`Capabilities::clear_expired`] is false).
///
/// A record with no life left is never written. Only `GET`, `GETRANGE`
/// and `DEL` are retried, once, after a temporary failure; every call is
/// bounded by the configured timeout. Clones share the connection.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Conn,
    prefix: String,
    codec: Codec,
    clock: SharedClock,
    keys: SharedKeyGenerator,
    /// Milliseconds added to every server TTL.
    grace_millis: i64,
}

impl RedisConfig {
    /// Builds the store. It connects on its first call (so building needs
    /// no server and no runtime); [`open`](Self::open) connects now.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// redis crate refuses the URL or the timeout is zero.
    pub fn build(self) -> Result<RedisStore> {
        let conn =
            Conn::new(&self.topology, self.timeout).map_err(|e| e.into_core(Operation::Open))?;
        Ok(RedisStore {
            inner: Arc::new(Inner {
                conn,
                prefix: self.prefix,
                codec: self.codec,
                clock: self.clock,
                keys: self.keys,
                grace_millis: i64::try_from(self.grace.as_millis()).unwrap_or(i64::MAX),
            }),
        })
    }

    /// [`build`](Self::build), then connects and checks that the server
    /// answers (`PING`), so a wrong URL fails here.
    ///
    /// # Errors
    /// As [`build`](Self::build), and the first connection's failure.
    pub async fn open(self) -> Result<RedisStore> {
        let store = self.build()?;
        store
            .inner
            .conn
            .run(true, |h| async move {
                h.query::<String>(&redis::cmd("PING")).await
            })
            .await
            .map_err(|e| e.into_core(Operation::Open))?;
        Ok(store)
    }
}

impl RedisStore {
    /// The Redis key of the session `key`: the prefix, then the key.
    pub fn redis_key(&self, key: &SessionKey) -> String {
        format!("{}{}", self.inner.prefix, key.as_str())
    }

    /// True on a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        self.inner.conn.is_cluster()
    }

    /// `GET` of a Redis key, retried once.
    pub(crate) async fn get_raw(
        &self,
        redis_key: &str,
        operation: Operation,
    ) -> Result<Option<Vec<u8>>> {
        let cmd = redis::Cmd::get(redis_key);
        self.inner
            .conn
            .run(true, |h| h.query(&cmd))
            .await
            .map_err(|e| e.into_core(operation))
    }

    /// `DEL` of a Redis key, retried once.
    pub(crate) async fn del_raw(&self, redis_key: &str, operation: Operation) -> Result<()> {
        let cmd = redis::Cmd::del(redis_key);
        self.inner
            .conn
            .run(true, |h| h.query::<i64>(&cmd))
            .await
            .map(drop)
            .map_err(|e| e.into_core(operation))
    }

    /// `SET key value PX ttl`, not retried.
    pub(crate) async fn set_raw(
        &self,
        redis_key: &str,
        text: &str,
        ttl_millis: i64,
        operation: Operation,
    ) -> Result<()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(redis_key).arg(text).arg("PX").arg(ttl_millis);
        self.inner
            .conn
            .run(false, |h| h.query::<()>(&cmd))
            .await
            .map_err(|e| e.into_core(operation))
    }

    /// Runs `script` on `redis_key` with `args`; true when it answered 1.
    pub(crate) async fn script<A: redis::ToRedisArgs>(
        &self,
        script: &Script,
        redis_key: &str,
        args: (&str, i64, A),
        operation: Operation,
    ) -> Result<bool> {
        let mut invocation = script.key(redis_key);
        invocation.arg(args.0).arg(args.1).arg(args.2);
        let answer: i64 = self
            .inner
            .conn
            .run(false, |h: Handle| h.invoke(&invocation))
            .await
            .map_err(|e| e.into_core(operation))?;
        match answer {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(RedisError::Answer.into_core(operation)),
        }
    }

    /// Save's write: `SET key text XX PX ttl GET`, one command that
    /// replaces the record only if the key holds one (L1) and answers the
    /// record it replaced. True when that record was live by the store's
    /// clock. When it was not (it had expired by this clock but the server
    /// still held it: a clock behind the server's, or the expiry grace),
    /// the write is undone before answering *interrupted*, and only if
    /// nothing was written after it ([`UNDO`]); until then a reader could
    /// see it, a window that exists only while the server holds a record
    /// this store's clock calls expired.
    async fn replace_live(&self, redis_key: &str, text: &str, ttl: i64) -> Result<bool> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(redis_key)
            .arg(text)
            .arg("XX")
            .arg("PX")
            .arg(ttl)
            .arg("GET");
        let replaced: Option<Vec<u8>> = self
            .inner
            .conn
            .run(false, |h| h.query(&cmd))
            .await
            .map_err(|e| e.into_core(Operation::Save))?;
        let Some(replaced) = replaced else {
            return Ok(false);
        };
        let now = self.now();
        if value::split(&replaced).is_some_and(|(expires_at, _)| expires_at > now) {
            return Ok(true);
        }
        self.script(&UNDO, redis_key, (text, 0, 0), Operation::Save)
            .await?;
        Ok(false)
    }

    /// The server TTL of something to hold until `until`: its remaining
    /// life in milliseconds, rounded up, plus the grace; zero or less when
    /// it has no life left (then it is not written).
    pub(crate) fn ttl_until(&self, until: OffsetDateTime) -> i64 {
        let life = value::ttl_millis(self.now(), until);
        if life <= 0 {
            life
        } else {
            life.saturating_add(self.inner.grace_millis)
        }
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    /// The encoded data of `record`, at the store's clock.
    pub(crate) fn encoded(&self, record: &Record) -> String {
        let data = self.inner.codec.encode(&record.data, self.now());
        value::encode(record.expires_at, &data)
    }

    /// The record in `bytes` if it is live at `now` (any record when `now`
    /// is `None`); a value that cannot be read is logged as suspicious and
    /// treated as absent.
    pub(crate) fn decode(&self, bytes: &[u8], now: Option<OffsetDateTime>) -> Option<Record> {
        let Some((expires_at, data)) = value::split(bytes) else {
            suspicious("the value has no expiry");
            return None;
        };
        if now.is_some_and(|now| expires_at <= now) {
            return None;
        }
        let Ok(text) = std::str::from_utf8(data) else {
            suspicious("the data is not UTF-8");
            return None;
        };
        match self.inner.codec.decode(text) {
            Ok(data) => Some(Record::new(data, expires_at)),
            // The codec has logged a bad signature itself.
            Err(CodecError::BadSignature(_)) => None,
            Err(_) => {
                suspicious("the data cannot be decoded");
                None
            }
        }
    }
}

/// Logs a value that cannot be loaded, without its key.
fn suspicious(reason: &'static str) {
    tracing::warn!(target: "session::suspicious", backend = NAME, reason, "redis value cannot be loaded; treated as absent");
}

/// Keys are secrets: show only the store's shape.
impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("cluster", &self.is_cluster())
            .field("prefix", &self.inner.prefix)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    fn name(&self) -> &str {
        NAME
    }

    /// Shared and durable (as durable as the server's persistence); no
    /// `clear_expired`, since the server expires keys by itself.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            clear_expired: false,
            ..Capabilities::SHARED_DURABLE
        }
    }

    fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        if !key.is_server_key() {
            return Ok(None);
        }
        let bytes = self.get_raw(&self.redis_key(key), Operation::Load).await?;
        Ok(bytes.and_then(|bytes| self.decode(&bytes, Some(self.now()))))
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Create, NAME)?;
        let text = self.encoded(record);
        let ttl = self.ttl_until(record.expires_at);
        if ttl <= 0 {
            // Dead on arrival: nothing to write, and no live record can
            // ever be found under the key.
            return Ok(self.inner.keys.generate());
        }
        let now = value::micros(self.now());
        insert_with_fresh_key(NAME, &*self.inner.keys, |key| {
            let text = &text;
            async move {
                let redis_key = self.redis_key(&key);
                self.script(&CREATE, &redis_key, (text, ttl, now), Operation::Create)
                    .await
            }
        })
        .await
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, NAME)?;
        if !key.is_server_key() {
            return Err(Error::interrupted(Operation::Save, NAME));
        }
        let text = self.encoded(record);
        let ttl = self.ttl_until(record.expires_at);
        let redis_key = self.redis_key(key);
        let saved = if ttl <= 0 {
            let args = (text.as_str(), ttl, value::micros(self.now()));
            self.script(&SAVE_DEAD, &redis_key, args, Operation::Save)
                .await?
        } else {
            self.replace_live(&redis_key, &text, ttl).await?
        };
        if saved {
            Ok(key.clone())
        } else {
            Err(Error::interrupted(Operation::Save, NAME))
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        if !key.is_server_key() {
            return Ok(false);
        }
        let cmd = redis::Cmd::getrange(self.redis_key(key), 0, EXPIRY_BYTES);
        let head: Vec<u8> = self
            .inner
            .conn
            .run(true, |h| h.query(&cmd))
            .await
            .map_err(|e| e.into_core(Operation::Exists))?;
        Ok(value::split(&head).is_some_and(|(expires_at, _)| expires_at > self.now()))
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        if !key.is_server_key() {
            return Ok(());
        }
        self.del_raw(&self.redis_key(key), Operation::Delete).await
    }

    async fn clear_expired(&self) -> Result<u64> {
        Ok(0)
    }
}
