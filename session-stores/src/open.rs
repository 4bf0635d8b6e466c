//! [`open`] and [`harness`]: from a URL to its backend's store or harness.

use std::sync::Arc;

use session_core::{MemoryStore, SessionStore};

use crate::error::{OpenError, UrlError};
use crate::list::{self, CACHED_DB, RECOGNISED};
use crate::memory;
use crate::options::Options;
use crate::redact::redact;
#[cfg(feature = "cached-db")]
use crate::tier::Tier;

/// A URL read into its backend's settings, with the [`Options`] applied.
enum Parsed {
    Memory,
    #[cfg(feature = "cache")]
    Cache(session_backend_cache::CacheConfig),
    /// The tier `cache` (moka, or Redis) in front of the store `durable` names.
    #[cfg(feature = "cached-db")]
    CachedDb {
        config: session_backend_cached_db::CachedDbConfig,
        cache: Tier,
        durable: Box<Parsed>,
    },
    #[cfg(feature = "db")]
    Db(session_backend_db::DbConfig),
    #[cfg(feature = "file")]
    File(session_backend_file::FileConfig),
    #[cfg(feature = "redis")]
    Redis(session_backend_redis::RedisConfig),
    #[cfg(feature = "signed-cookie")]
    SignedCookie(session_backend_signed_cookie::SignedCookieConfig),
    #[cfg(feature = "broken")]
    Broken(crate::broken::BrokenUrl),
}

/// Opens the store `url` names, with the secret key from
/// `SESSION_SECRET_KEY` ([`Options::from_env`]), Django's default settings
/// and the system clock.
///
/// | URL | store |
/// |---|---|
/// | `memory://` (`memory`, `mem`) | `session_core::MemoryStore`, in this process |
/// | `cache://?max_bytes=N` (`cache`, `moka`) | `session_backend_cache::CacheStore`, in this process |
/// | `cached-db+<URL>?staleness=S&cache_max_bytes=N` (`cached_db+`) | `session_backend_cached_db::CachedDbStore`: a `CacheStore` in front of the store `<URL>` opens |
/// | `cached-db+<URL>?cache=<redis URL>` | the same with Redis as the tier, shared by every process (prefix `session-cache:` unless the Redis URL sets one; percent-encode its own `?` and `&`) |
/// | `sqlite:///path.db?codec=django`, `sqlite::memory:` | `session_backend_db::DbStore` on embedded SQLite |
/// | `postgres://user:pw@host/db`, `mysql://user:pw@host/db` (`postgresql`, `mariadb`) | `session_backend_db::DbStore` on sqlx (features `postgres`, `mysql`); connects on first use |
/// | `file:///abs/dir?codec=django` (`file://`: the backend's default directory) | `session_backend_file::FileStore` |
/// | `signed-cookie://?format=encrypted` (`signed_cookies`, ...) | `session_backend_signed_cookie::SignedCookieStore` |
/// | `redis://[user:pw@]host:port/db?prefix=P`, `redis+cluster://h1:p1,h2:p2/` (`rediss`, `rediss+cluster`) | `session_backend_redis::RedisStore` (feature `redis`); connects on first use |
///
/// A bare name (`cache`) is the same as `cache://`. `codec=django` and the
/// signed-cookie store need a secret key. Unknown parameters are errors.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let store = session_stores::open("cache://?max_bytes=1048576").await.unwrap();
/// assert_eq!(store.name(), "cache");
/// # }
/// ```
///
/// # Errors
/// An [`OpenError`] that names the URL with its password redacted.
pub async fn open(url: &str) -> Result<Arc<dyn SessionStore>, OpenError> {
    open_with(url, &Options::from_env()).await
}

/// [`open`] with explicit [`Options`]: the secret key, the sessions'
/// settings and the clock.
///
/// # Errors
/// An [`OpenError`] that names the URL with its password redacted.
// Some bindings serve only the backends whose features are on.
#[cfg_attr(
    not(all(
        feature = "cache",
        feature = "db",
        feature = "file",
        feature = "signed-cookie"
    )),
    allow(unused_variables)
)]
pub async fn open_with(url: &str, options: &Options) -> Result<Arc<dyn SessionStore>, OpenError> {
    build(parse(url, options)?, url, options).await
}

/// Opens the store `parsed` describes; errors quote `url`.
// Some bindings serve only the backends whose features are on.
#[cfg_attr(
    not(all(feature = "cache", feature = "file", feature = "signed-cookie")),
    allow(unused_variables)
)]
async fn build(
    parsed: Parsed,
    url: &str,
    options: &Options,
) -> Result<Arc<dyn SessionStore>, OpenError> {
    let failed = |error| OpenError::Open {
        url: redact(url.trim()),
        error,
    };
    let store: Arc<dyn SessionStore> = match parsed {
        Parsed::Memory => Arc::new(MemoryStore::new().with_clock(options.clock.clone())),
        #[cfg(feature = "cache")]
        Parsed::Cache(config) => Arc::new(config.build().map_err(failed)?),
        #[cfg(feature = "cached-db")]
        Parsed::CachedDb {
            config,
            cache,
            durable,
        } => {
            let durable = Box::pin(build(*durable, url, options)).await?;
            cache.store(config, durable).map_err(failed)?
        }
        #[cfg(feature = "db")]
        Parsed::Db(config) => Arc::new(config.build().map_err(failed)?),
        #[cfg(feature = "file")]
        Parsed::File(config) => Arc::new(config.build().map_err(failed)?),
        #[cfg(feature = "redis")]
        Parsed::Redis(config) => Arc::new(config.build().map_err(failed)?),
        #[cfg(feature = "signed-cookie")]
        Parsed::SignedCookie(config) => Arc::new(config.build().map_err(failed)?),
        #[cfg(feature = "broken")]
        Parsed::Broken(broken) => broken.open().await.map_err(failed)?,
    };
    Ok(store)
}

/// The conformance harness of any backend, its stores behind
/// `Arc<dyn SessionStore>`: what [`harness`] gives.
#[cfg(feature = "testing")]
pub type DynHarness = Box<dyn session_conformance::Harness<Store = Arc<dyn SessionStore>>>;

/// The conformance harness of the backend `url` names, configured by the
/// URL, with [`Options::from_env`]: `session_conformance::run(&harness)`
/// then tests that backend.
///
/// Each check opens its own isolated stores (the file harness makes one
/// sub-directory of the URL's directory per check) on the suite's mock
/// clock. Never point it at data you want to keep.
///
/// # Errors
/// An [`OpenError`] that names the URL with its password redacted.
#[cfg(feature = "testing")]
pub async fn harness(url: &str) -> Result<DynHarness, OpenError> {
    harness_with(url, &Options::from_env()).await
}

/// [`harness`] with explicit [`Options`].
///
/// # Errors
/// An [`OpenError`] that names the URL with its password redacted.
#[cfg(feature = "testing")]
pub async fn harness_with(url: &str, options: &Options) -> Result<DynHarness, OpenError> {
    harness_of(parse(url, options)?).await
}

/// The harness of the backend `parsed` describes.
#[cfg(feature = "testing")]
async fn harness_of(parsed: Parsed) -> Result<DynHarness, OpenError> {
    use session_conformance::{Erased, MemoryHarness};
    let harness: DynHarness = match parsed {
        Parsed::Memory => Box::new(Erased(MemoryHarness)),
        #[cfg(feature = "cache")]
        Parsed::Cache(config) => Box::new(Erased(
            session_backend_cache::testing::CacheHarness::new(config),
        )),
        #[cfg(feature = "cached-db")]
        Parsed::CachedDb {
            config,
            cache,
            durable,
        } => {
            let durable = Box::pin(harness_of(*durable)).await?;
            cache.harness(config, durable)
        }
        #[cfg(feature = "db")]
        Parsed::Db(config) => Box::new(Erased(session_backend_db::testing::DbHarness::new(config))),
        #[cfg(feature = "file")]
        Parsed::File(config) => Box::new(Erased(session_backend_file::testing::FileHarness::new(
            config,
        ))),
        #[cfg(feature = "redis")]
        Parsed::Redis(config) => Box::new(Erased(
            session_backend_redis::testing::RedisHarness::new(config),
        )),
        #[cfg(feature = "signed-cookie")]
        Parsed::SignedCookie(config) => Box::new(Erased(
            session_backend_signed_cookie::testing::SignedCookieHarness::new(config),
        )),
        #[cfg(feature = "broken")]
        Parsed::Broken(broken) => Box::new(broken.harness()),
    };
    Ok(harness)
}

/// Finds the backend of `url` and hands the URL to its parser.
// Some bindings serve only the backends whose features are on.
#[cfg_attr(
    not(all(
        feature = "cache",
        feature = "db",
        feature = "file",
        feature = "signed-cookie"
    )),
    allow(unused_variables)
)]
fn parse(url: &str, options: &Options) -> Result<Parsed, OpenError> {
    let url = url.trim();
    let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
    let mut scheme = scheme.to_ascii_lowercase();
    // `cached-db+<URL>`: the scheme is the part before the `+`.
    if let Some((head, _)) = url.split_once('+')
        && CACHED_DB.iter().any(|s| s.eq_ignore_ascii_case(head))
    {
        scheme = head.to_ascii_lowercase();
    }
    #[cfg(feature = "broken")]
    if scheme == crate::broken::SCHEME {
        return crate::broken::BrokenUrl::from_url(url)
            .map(Parsed::Broken)
            .map_err(|problem| OpenError::Url {
                url: redact(url),
                problem: UrlError::Broken(problem),
            });
    }
    let Some(info) = list::find(&scheme) else {
        let url = redact(url);
        return Err(if RECOGNISED.contains(&scheme.as_str()) {
            OpenError::NotBuilt { url, scheme }
        } else {
            OpenError::UnknownScheme { url, scheme }
        });
    };
    let refused = |problem| OpenError::Url {
        url: redact(url),
        problem,
    };
    let no_secret = || OpenError::MissingSecret {
        url: redact(url),
        backend: info.name,
    };
    let clock = options.clock.clone();
    match info.name {
        memory::NAME => {
            memory::check(url).map_err(|e| refused(UrlError::Memory(e)))?;
            Ok(Parsed::Memory)
        }
        #[cfg(feature = "cache")]
        session_backend_cache::NAME => {
            let config = session_backend_cache::CacheConfig::from_url(url)
                .map_err(|e| refused(UrlError::Cache(e)))?;
            Ok(Parsed::Cache(config.with_clock(clock)))
        }
        #[cfg(feature = "cached-db")]
        session_backend_cached_db::NAME => {
            #[cfg(feature = "redis")]
            let (url, redis) =
                crate::tier::take_cache(url).map_err(|e| refused(UrlError::Redis(e)))?;
            let split = session_backend_cached_db::CachedDbConfig::from_url(&url)
                .map_err(|e| refused(UrlError::CachedDb(e)))?;
            let durable = parse(&split.durable, options).map_err(|e| e.quoting(&url))?;
            let mut cache = session_backend_cache::CacheConfig::new().with_clock(clock.clone());
            if let Some(bytes) = split.config.cache_max_bytes() {
                cache = cache.with_max_bytes(bytes);
            }
            #[cfg_attr(not(feature = "redis"), allow(unused_mut))]
            let mut tier = Tier::Moka(cache);
            #[cfg(feature = "redis")]
            if let Some(redis) = redis {
                use session_backend_redis::{DEFAULT_PREFIX, RedisConfig};
                let config = RedisConfig::from_url(&redis, options.secret_key.as_deref())
                    .map_err(|e| refused(UrlError::Redis(e)))?;
                let config = if config.prefix() == DEFAULT_PREFIX {
                    config.with_prefix(crate::tier::REDIS_TIER_PREFIX)
                } else {
                    config
                };
                tier = Tier::Redis(config.with_clock(clock));
            }
            Ok(Parsed::CachedDb {
                config: split.config,
                cache: tier,
                durable: Box::new(durable),
            })
        }
        #[cfg(feature = "db")]
        session_backend_db::NAME => {
            use session_backend_db::{DbConfig, DbUrlError};
            // The server engines are built only with this crate's features.
            let built = match scheme.as_str() {
                "postgres" | "postgresql" => cfg!(feature = "postgres"),
                "mysql" | "mariadb" => cfg!(feature = "mysql"),
                _ => true,
            };
            if !built {
                return Err(OpenError::NotBuilt {
                    url: redact(url),
                    scheme,
                });
            }
            let config = match DbConfig::from_url(url, options.secret_key.as_deref()) {
                Ok(config) => config,
                Err(DbUrlError::MissingSecret) => return Err(no_secret()),
                Err(e) => return Err(refused(UrlError::Db(e))),
            };
            Ok(Parsed::Db(config.with_clock(clock)))
        }
        #[cfg(feature = "file")]
        session_backend_file::NAME => {
            use session_backend_file::{FileConfig, FileUrlError};
            let config = match FileConfig::from_url(url, options.secret_key.as_deref()) {
                Ok(config) => config,
                Err(FileUrlError::MissingSecret) => return Err(no_secret()),
                Err(e) => return Err(refused(UrlError::File(e))),
            };
            Ok(Parsed::File(
                config
                    .with_session_config(&options.config)
                    .with_clock(clock),
            ))
        }
        #[cfg(feature = "redis")]
        session_backend_redis::NAME => {
            use session_backend_redis::{RedisConfig, RedisUrlError};
            let config = match RedisConfig::from_url(url, options.secret_key.as_deref()) {
                Ok(config) => config,
                Err(RedisUrlError::MissingSecret) => return Err(no_secret()),
                Err(e) => return Err(refused(UrlError::Redis(e))),
            };
            Ok(Parsed::Redis(config.with_clock(clock)))
        }
        #[cfg(feature = "signed-cookie")]
        session_backend_signed_cookie::NAME => {
            let secret = options.secret_key.as_deref().ok_or_else(no_secret)?;
            let config = session_backend_signed_cookie::SignedCookieConfig::from_url(url, secret)
                .map_err(|e| refused(UrlError::SignedCookie(e)))?;
            Ok(Parsed::SignedCookie(
                config
                    .with_fallback_keys(&options.fallback_keys)
                    .with_session_config(&options.config)
                    .with_clock(clock),
            ))
        }
        _ => Err(OpenError::UnknownScheme {
            url: redact(url),
            scheme,
        }),
    }
}
