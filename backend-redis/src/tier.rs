//! [`CacheTier`] for [`RedisStore`]: Redis as the cache tier of a two-tier
//! store (`session-backend-cached-db`), shared by every process.

use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use session_core::{CacheTier, Cached, Operation, Result, SessionKey};

use crate::store::RedisStore;
use crate::value;

/// What `remove` leaves under a key: a marker no copy is written over.
const TOMBSTONE: &str = "removed";

/// How long the marker stays: longer than any call that read the durable
/// store before the removal can take to put its copy (the timeouts of
/// both tiers), so such a late copy is refused.
pub(crate) const TOMBSTONE_LIFE: Duration = Duration::from_secs(30);

/// Put: writes `ARGV[1]` for `ARGV[2]` ms unless the key holds the
/// tombstone `ARGV[3]`; when `ARGV[2]` is not above zero, drops the older
/// copy instead. 1 when done, 0 when refused.
static PUT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[3] then return 0 end
if tonumber(ARGV[2]) <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1",
    )
});

/// A copy is the string `<until in µs>:<expiry in µs>:<data>` under the
/// store's prefix, with a server TTL until `until`. A `RedisStore` used as
/// a tier should have a prefix of its own (the catalog uses
/// `session-cache:`): a copy is not a session record.
///
/// The tier is shared by every process, so a copy one process read from
/// the durable store before another process deleted the record could be
/// put after that process removed the copy, and be served to all. So
/// `remove` leaves a short-lived tombstone (30 s, `TOMBSTONE_LIFE`) and `put`
/// never writes over one: a removed key is not cached again for that long
/// (its loads go to the durable store, which is always right).
#[async_trait]
impl CacheTier for RedisStore {
    async fn get(&self, key: &SessionKey) -> Result<Option<Cached>> {
        if !key.is_server_key() {
            return Ok(None);
        }
        let Some(bytes) = self.get_raw(&self.redis_key(key), Operation::Get).await? else {
            return Ok(None);
        };
        if bytes == TOMBSTONE.as_bytes() {
            return Ok(None);
        }
        let copy = value::split(&bytes).and_then(|(until, rest)| {
            let record = self.decode(rest, None)?;
            Some(Cached { record, until })
        });
        Ok(copy)
    }

    /// A copy whose `until` has passed is not written, and the older copy
    /// is dropped, so it cannot be served in the new one's place; nothing
    /// is written over a tombstone.
    async fn put(&self, key: &SessionKey, cached: Cached) -> Result<()> {
        if !key.is_server_key() {
            return Ok(());
        }
        let ttl = self.ttl_until(cached.until);
        let text = if ttl > 0 {
            value::encode(cached.until, &self.encoded(&cached.record))
        } else {
            String::new()
        };
        let args = (text.as_str(), ttl, TOMBSTONE);
        self.script(&PUT, &self.redis_key(key), args, Operation::Insert)
            .await
            .map(drop)
    }

    async fn remove(&self, key: &SessionKey) -> Result<()> {
        if !key.is_server_key() {
            return Ok(());
        }
        let life = i64::try_from(TOMBSTONE_LIFE.as_millis()).unwrap_or(i64::MAX);
        self.set_raw(&self.redis_key(key), TOMBSTONE, life, Operation::Delete)
            .await
    }

    /// Every process using the same Redis sees the same copies.
    fn shared_across_processes(&self) -> bool {
        true
    }
}
