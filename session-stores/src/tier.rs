//! The cache tier of a cached-db URL: a new moka cache by default, or the
//! Redis named by `cache=<redis URL>`, shared by every process.

use std::sync::Arc;

use session_backend_cache::CacheConfig;
use session_backend_cached_db::CachedDbConfig;
use session_core::SessionStore;

/// The prefix of a Redis tier whose URL sets none: copies never share
/// names with the sessions of a Redis store on the same server.
#[cfg(feature = "redis")]
pub(crate) const REDIS_TIER_PREFIX: &str = "session-cache:";

/// Where a cached-db store keeps its copies.
pub(crate) enum Tier {
    /// A moka cache in this process.
    Moka(CacheConfig),
    /// Redis, shared by every process using it.
    #[cfg(feature = "redis")]
    Redis(session_backend_redis::RedisConfig),
}

/// Takes the `cache` parameter out of a cached-db URL's query: the URL
/// without it, and its value.
///
/// # Errors
/// When `cache` is given twice.
#[cfg(feature = "redis")]
pub(crate) fn take_cache(
    url: &str,
) -> Result<(String, Option<String>), session_backend_redis::RedisUrlError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut cache = None;
    let mut rest = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name != "cache" {
            rest.append_pair(&name, &value);
        } else if cache.replace(value.into_owned()).is_some() {
            return Err(session_backend_redis::RedisUrlError::Repeated(
                "cache".to_owned(),
            ));
        }
    }
    if cache.is_none() {
        return Ok((url.to_owned(), None));
    }
    let rest = rest.finish();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{rest}")
    };
    Ok((url, cache))
}

impl Tier {
    /// The cached-db store: this tier in front of `durable`.
    pub(crate) fn store(
        self,
        config: CachedDbConfig,
        durable: Arc<dyn SessionStore>,
    ) -> session_core::Result<Arc<dyn SessionStore>> {
        Ok(match self {
            Tier::Moka(cache) => Arc::new(config.build(cache.build()?, durable)?),
            #[cfg(feature = "redis")]
            Tier::Redis(redis) => Arc::new(config.build(redis.build()?, durable)?),
        })
    }

    /// The cached-db harness: over `durable`, a tier per opened store on
    /// the check's clock (a new moka cache, or Redis under the check's own
    /// prefix, shared by the check's stores as by processes).
    #[cfg(feature = "testing")]
    pub(crate) fn harness(
        self,
        config: CachedDbConfig,
        durable: Box<dyn session_conformance::Harness<Store = Arc<dyn SessionStore>>>,
    ) -> Box<dyn session_conformance::Harness<Store = Arc<dyn SessionStore>>> {
        use session_backend_cached_db::testing::CachedDbHarness;
        use session_conformance::{Ctx, Erased};
        match self {
            Tier::Moka(cache) => {
                let tier = move |ctx: &Ctx| {
                    cache
                        .clone()
                        .with_clock(ctx.shared_clock())
                        .build()
                        .unwrap_or_else(|e| panic!("the URL's cache configuration is invalid: {e}"))
                };
                Box::new(Erased(
                    CachedDbHarness::new(durable, tier).with_config(config),
                ))
            }
            #[cfg(feature = "redis")]
            Tier::Redis(redis) => {
                let tier = move |ctx: &Ctx| {
                    let prefix = format!("{}{}:", redis.prefix(), ctx.namespace);
                    redis
                        .clone()
                        .with_prefix(prefix)
                        .with_clock(ctx.shared_clock())
                        .with_expiry_grace(session_backend_redis::testing::GRACE)
                        .build()
                        .unwrap_or_else(|e| panic!("the URL's cache configuration is invalid: {e}"))
                };
                Box::new(Erased(
                    CachedDbHarness::new(durable, tier).with_config(config),
                ))
            }
        }
    }
}
