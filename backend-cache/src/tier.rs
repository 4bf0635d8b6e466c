//! [`CacheTier`] for [`CacheStore`]: the moka cache as the cache tier of a
//! two-tier store (`session-backend-cached-db`).

use async_trait::async_trait;
use moka::ops::compute::Op;
use session_core::{CacheTier, Cached, Operation, Result, SessionKey};

use crate::store::CacheStore;

/// Copies are held under the same per-key compute lock as the store's own
/// writes, bounded by the same byte limit, and freed by moka a grace
/// period after their `until`. A `CacheStore` used as a tier should not
/// also be used as a session store: both use the same keys.
#[async_trait]
impl CacheTier for CacheStore {
    async fn get(&self, key: &SessionKey) -> Result<Option<Cached>> {
        if !key.is_server_key() {
            return Ok(None);
        }
        Ok(self.cache.get(key).await.map(|entry| entry.cached))
    }

    /// A copy larger than the whole bound is refused with `TooLarge`, and
    /// any older copy under `key` is dropped, so it cannot be served in the
    /// new one's place.
    async fn put(&self, key: &SessionKey, cached: Cached) -> Result<()> {
        if !key.is_server_key() {
            return Ok(());
        }
        let (op, refused) = match self.weigh(key, cached, Operation::Save) {
            Ok(entry) => (Op::Put(entry), None),
            Err(too_large) => (Op::Remove, Some(too_large)),
        };
        self.cache
            .entry(key.clone())
            .and_compute_with(|_| std::future::ready(op))
            .await;
        refused.map_or(Ok(()), Err)
    }

    async fn remove(&self, key: &SessionKey) -> Result<()> {
        session_core::SessionStore::delete(self, key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::time::Duration;
    use session_core::{Clock, Data, ErrorKind, MockClock, Record, SessionStore};
    use std::sync::Arc;

    fn copy(clock: &MockClock, bytes: usize, until_secs: i64) -> Cached {
        let mut data = Data::new();
        data.insert("x".into(), "y".repeat(bytes).into());
        Cached {
            record: Record {
                data: Arc::new(data),
                expires_at: clock.now() + Duration::hours(1),
            },
            until: clock.now() + Duration::seconds(until_secs),
        }
    }

    #[tokio::test]
    async fn copies_are_held_until_their_bound_and_replaced_whole() {
        let clock = MockClock::at_unix(1_700_000_000);
        let tier = CacheStore::builder()
            .with_clock(clock.shared())
            .with_max_bytes(4096)
            .build()
            .unwrap();
        let key = SessionKey::parse("abcdefgh12345678").unwrap();
        tier.put(&key, copy(&clock, 10, 5)).await.unwrap();
        let held = CacheTier::get(&tier, &key).await.unwrap().unwrap();
        assert_eq!(held, copy(&clock, 10, 5));
        assert!(held.is_fresh_at(clock.now()));
        clock.advance(std::time::Duration::from_secs(5));
        assert!(!held.is_fresh_at(clock.now()), "stale at its bound");
        assert!(
            SessionStore::load(&tier, &key).await.unwrap().is_none(),
            "the store itself judges `until` too"
        );

        // Too large: refused, and the older copy is gone.
        let err = tier.put(&key, copy(&clock, 10_000, 5)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge);
        assert!(CacheTier::get(&tier, &key).await.unwrap().is_none());

        tier.put(&key, copy(&clock, 10, 5)).await.unwrap();
        tier.remove(&key).await.unwrap();
        assert!(CacheTier::get(&tier, &key).await.unwrap().is_none());
        tier.remove(&key).await.unwrap();
    }
}
