//! [`RedisConfig`]: how a [`RedisStore`](crate::RedisStore) is built.

use std::str::FromStr;
use std::time::Duration;

use session_core::{
    Codec, CodecNameError, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock,
};
use url::Url;

use crate::SCHEMES;
use crate::error::RedisUrlError;

/// The default key prefix: a session `abc...` is stored under `session:abc...`.
pub const DEFAULT_PREFIX: &str = "session:";

/// The default bound on one call, connecting and reconnecting included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// The cache key prefix of Django's `cache` and `cached_db` session
/// engines (`django.contrib.sessions.backends.cache.KEY_PREFIX`).
pub const DJANGO_CACHE_KEY_PREFIX: &str = "django.contrib.sessions.cache";

/// Which servers a store talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Topology {
    /// One server (or a proxy in front of several), as a redis crate URL.
    Single(String),
    /// A Redis Cluster, as the redis crate URLs of some of its nodes.
    Cluster(Vec<String>),
}

/// Settings of a [`RedisStore`](crate::RedisStore), built step by step or
/// read from a URL ([`from_url`](Self::from_url)).
///
/// ```
/// use std::time::Duration;
/// use session_backend_redis::RedisConfig;
///
/// let config = RedisConfig::new("redis://127.0.0.1:6379/2")
///     .with_prefix("myapp:session:")
///     .with_timeout(Duration::from_millis(500));
/// let same = RedisConfig::from_url(
///     "redis://127.0.0.1:6379/2?prefix=myapp:session:&timeout_ms=500",
///     None,
/// )
/// .expect("a redis URL");
/// assert_eq!(config.prefix(), same.prefix());
/// let cluster = RedisConfig::from_url("redis+cluster://10.0.0.1:7000,10.0.0.2:7000/", None)
///     .expect("a cluster URL");
/// # let _ = cluster;
/// ```
#[derive(Debug, Clone)]
pub struct RedisConfig {
    pub(crate) topology: Topology,
    pub(crate) prefix: String,
    pub(crate) codec: Codec,
    pub(crate) clock: SharedClock,
    pub(crate) keys: SharedKeyGenerator,
    pub(crate) timeout: Duration,
    pub(crate) grace: Duration,
}

impl RedisConfig {
    /// The defaults on the server at `url`, a URL of the redis crate
    /// (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS):
    /// keys under [`DEFAULT_PREFIX`], the JSON codec, a
    /// [`DEFAULT_TIMEOUT`] per call, the system clock and random keys.
    /// The URL is checked when the store is built.
    pub fn new(url: impl Into<String>) -> Self {
        Self::defaults(Topology::Single(url.into()))
    }

    /// The defaults on the Redis Cluster that `nodes` (redis crate URLs of
    /// some of its nodes) belong to; the client discovers the others.
    pub fn cluster<I, S>(nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::defaults(Topology::Cluster(
            nodes.into_iter().map(Into::into).collect(),
        ))
    }

    fn defaults(topology: Topology) -> Self {
        Self {
            topology,
            prefix: DEFAULT_PREFIX.to_owned(),
            codec: Codec::Json,
            clock: SystemClock::shared(),
            keys: RandomKeys::shared(),
            timeout: DEFAULT_TIMEOUT,
            grace: Duration::ZERO,
        }
    }

    /// Judges every expiry by `clock` (E5); tests pass a
    /// [`MockClock`](session_core::MockClock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use a fixed key to force collisions).
    pub fn with_key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// Stores a session `k` under the Redis key `<prefix>k` (default
    /// [`DEFAULT_PREFIX`]). Applications sharing one Redis use different
    /// prefixes.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Django's cache key layout: `<key_prefix>:<version>:django.contrib.sessions.cache<key>`,
    /// with Django's `CACHES[...]['KEY_PREFIX']` and `VERSION` (`""` and
    /// `1` by default, giving `:1:django.contrib.sessions.cache<key>`).
    /// Only the keys are Django's: see the README for what is shared.
    pub fn with_django_cache_layout(mut self, key_prefix: &str, version: i64) -> Self {
        self.prefix = format!("{key_prefix}:{version}:{DJANGO_CACHE_KEY_PREFIX}");
        self
    }

    /// How session data is written: [`Codec::Json`] by default, or
    /// [`Codec::django`] for Django's signed format.
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Bounds each call, connecting and reconnecting included (default
    /// [`DEFAULT_TIMEOUT`]): a server that accepts and never answers
    /// fails the call after `timeout` with a temporary error.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long, by the server's clock, a record stays in Redis past its
    /// expiry before the server frees it (default zero: the TTL is the
    /// record's remaining life, in milliseconds rounded up).
    ///
    /// Correctness never depends on this: every read and write judges
    /// expiry by the injected clock. The grace only keeps the server's
    /// real-time TTL from freeing a record that an injected clock running
    /// behind the real one (a test clock) still considers live; the
    /// conformance harness sets a minute.
    pub fn with_expiry_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The bound on one call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// True for a Redis Cluster configuration.
    pub fn is_cluster(&self) -> bool {
        matches!(self.topology, Topology::Cluster(_))
    }

    /// The redis crate URLs the store connects to: the one server's, or
    /// those of the cluster nodes it was given. They hold the credentials.
    pub fn server_urls(&self) -> Vec<&str> {
        match &self.topology {
            Topology::Single(url) => vec![url.as_str()],
            Topology::Cluster(nodes) => nodes.iter().map(String::as_str).collect(),
        }
    }

    /// The settings a Redis URL describes:
    ///
    /// - `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS
    ///   (crate feature `tls`), as the redis crate reads them;
    /// - `redis+cluster://[user:password@]host1:port1,host2:port2[/]` (or
    ///   `rediss+cluster://`): some nodes of a Redis Cluster, which share
    ///   the credentials.
    ///
    /// Parameters: `prefix` (the key prefix), `layout=django` (Django's
    /// cache key layout, instead of `prefix`), `codec=json|django`,
    /// `timeout_ms`, and the redis crate's own `protocol=resp2|resp3`.
    /// `codec=django` signs with `secret_key`, which the caller supplies.
    ///
    /// # Errors
    /// A [`RedisUrlError`] naming what is wrong.
    pub fn from_url(url: &str, secret_key: Option<&str>) -> Result<Self, RedisUrlError> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            RedisUrlError::Scheme(url.split(':').next().unwrap_or_default().to_owned())
        })?;
        let scheme = scheme.to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) {
            return Err(RedisUrlError::Scheme(scheme));
        }
        let (base, cluster) = match scheme.split_once('+') {
            Some((base, _)) => (base, true),
            None => (scheme.as_str(), false),
        };
        if base == "rediss" && !cfg!(feature = "tls") {
            return Err(RedisUrlError::TlsMissing);
        }
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = location.split_once('/').unwrap_or((location, ""));
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((userinfo, hosts)) => (format!("{userinfo}@"), hosts),
            None => (String::new(), authority),
        };
        let query = Url::parse(&format!("x:?{query}"))?;
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for (name, value) in query.query_pairs() {
            if ours.iter().chain(&theirs).any(|(n, _)| *n == name) {
                return Err(RedisUrlError::Repeated(name.into_owned()));
            }
            if name == "protocol" {
                theirs.push((name, value));
            } else {
                ours.push((name, value));
            }
        }
        let suffix = if theirs.is_empty() {
            String::new()
        } else {
            let pairs = theirs.iter().map(|(n, v)| format!("{n}={v}"));
            format!("?{}", pairs.collect::<Vec<_>>().join("&"))
        };
        let mut config = if cluster {
            if !path.is_empty() {
                return Err(RedisUrlError::Database);
            }
            let mut nodes = Vec::new();
            for host in hosts.split(',') {
                nodes.push(node_url(base, &userinfo, host, "", &suffix)?);
            }
            Self::cluster(nodes)
        } else {
            if !path.is_empty() && path.parse::<u16>().is_err() {
                return Err(RedisUrlError::Database);
            }
            Self::new(node_url(base, &userinfo, hosts, path, &suffix)?)
        };
        let names = |n: &str| ours.iter().any(|(name, _)| name == n);
        if names("layout") && names("prefix") {
            return Err(RedisUrlError::Value {
                name: "layout",
                value: "with a prefix (the layout decides the prefix)".to_owned(),
            });
        }
        for (name, value) in ours {
            config.parameter(&name, &value, secret_key)?;
        }
        Ok(config)
    }

    /// Applies one of this crate's URL parameters.
    fn parameter(
        &mut self,
        name: &str,
        value: &str,
        secret_key: Option<&str>,
    ) -> Result<(), RedisUrlError> {
        let bad = |name: &'static str| RedisUrlError::Value {
            name,
            value: value.to_owned(),
        };
        match name {
            "prefix" => self.prefix = value.to_owned(),
            "layout" if value == "django" => {
                self.prefix = format!(":1:{DJANGO_CACHE_KEY_PREFIX}");
            }
            "layout" => return Err(bad("layout")),
            "codec" => self.codec = codec(value, secret_key)?,
            "timeout_ms" => {
                let ms: u64 = value
                    .parse()
                    .ok()
                    .filter(|ms| *ms > 0)
                    .ok_or_else(|| bad("timeout_ms"))?;
                self.timeout = Duration::from_millis(ms);
            }
            _ => return Err(RedisUrlError::UnknownParameter(name.to_owned())),
        }
        Ok(())
    }
}

/// One node's URL for the redis crate, checked by its parser.
fn node_url(
    scheme: &str,
    userinfo: &str,
    host: &str,
    path: &str,
    query: &str,
) -> Result<String, RedisUrlError> {
    if host.is_empty() {
        return Err(RedisUrlError::NoHost);
    }
    let url = format!("{scheme}://{userinfo}{host}/{path}{query}");
    if Url::parse(&url)?.host_str().is_none_or(str::is_empty) {
        return Err(RedisUrlError::NoHost);
    }
    redis::Client::open(url.as_str()).map_err(RedisUrlError::Client)?;
    Ok(url)
}

/// [`RedisConfig::from_url`] without a secret key.
impl FromStr for RedisConfig {
    type Err = RedisUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Self::from_url(url, None)
    }
}

/// The codec a URL's `codec` parameter names ([`Codec::from_name`]).
fn codec(name: &str, secret_key: Option<&str>) -> Result<Codec, RedisUrlError> {
    Codec::from_name(name, secret_key).map_err(|e| match e {
        CodecNameError::Unknown(value) => RedisUrlError::Value {
            name: "codec",
            value,
        },
        CodecNameError::MissingSecret => RedisUrlError::MissingSecret,
        CodecNameError::ShortSecret(short) => RedisUrlError::ShortSecret(short),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_node_urls() {
        let c = RedisConfig::from_url(
            "redis://u:p%40ss@127.0.0.1:6380/3?prefix=app:&timeout_ms=250",
            None,
        )
        .unwrap();
        assert_eq!(
            c.topology,
            Topology::Single("redis://u:p%40ss@127.0.0.1:6380/3".into())
        );
        assert_eq!(
            (c.prefix(), c.timeout()),
            ("app:", Duration::from_millis(250))
        );
        let c =
            RedisConfig::from_url("redis://localhost?layout=django&protocol=resp3", None).unwrap();
        assert_eq!(c.prefix(), ":1:django.contrib.sessions.cache");
        assert_eq!(
            c.topology,
            Topology::Single("redis://localhost/?protocol=resp3".into())
        );
        assert_eq!(c.server_urls(), ["redis://localhost/?protocol=resp3"]);
        assert!(!c.is_cluster());
    }

    #[test]
    fn cluster_urls() {
        let c = RedisConfig::from_url(
            "redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001/?prefix=s:",
            None,
        )
        .unwrap();
        assert_eq!(
            c.topology,
            Topology::Cluster(vec![
                "redis://:pw@10.0.0.1:7000/".into(),
                "redis://:pw@10.0.0.2:7001/".into()
            ])
        );
        assert_eq!(
            c.server_urls(),
            ["redis://:pw@10.0.0.1:7000/", "redis://:pw@10.0.0.2:7001/"]
        );
        assert!(c.is_cluster());
        assert!(matches!(
            RedisConfig::from_url("redis+cluster://10.0.0.1:7000,/", None),
            Err(RedisUrlError::NoHost)
        ));
        assert!(matches!(
            RedisConfig::from_url("redis+cluster://10.0.0.1:7000/2", None),
            Err(RedisUrlError::Database)
        ));
    }

    #[test]
    fn bad_urls_are_refused_without_quoting_them() {
        for (url, expected) in [
            ("redis://h?x=1", "unknown parameter `x`"),
            (
                "redis://h?prefix=a&prefix=b",
                "parameter `prefix` is given twice",
            ),
            (
                "redis://h?codec=django",
                "codec=django needs the secret key passed to from_url",
            ),
            (
                "redis://h?timeout_ms=0",
                "parameter `timeout_ms`: bad value `0`",
            ),
            (
                "redis://h?layout=rails",
                "parameter `layout`: bad value `rails`",
            ),
            ("redis://:hunter2@/", "the URL names no Redis host"),
            (
                "redis://h/db",
                "the path must be a database number, and a cluster URL has none",
            ),
            (
                "postgres://h",
                "`postgres` is not a scheme of the redis backend (redis, rediss, redis+cluster)",
            ),
        ] {
            let err = RedisConfig::from_url(url, None).unwrap_err();
            assert_eq!(err.to_string(), expected, "{url}");
            assert!(!err.to_string().contains("hunter2"));
        }
        #[cfg(not(feature = "tls"))]
        assert!(matches!(
            RedisConfig::from_url("rediss://h", None),
            Err(RedisUrlError::TlsMissing)
        ));
    }
}
