//! The conformance harness of the Redis store, behind the `testing` feature.
//!
//! ```toml
//! [dev-dependencies]
//! session-backend-redis = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Then `session_conformance::suite!(session_backend_redis::testing::RedisHarness::default());`
//! runs the whole suite on the server at `SESSION_TEST_REDIS_URL`, and
//! `RedisHarness::cluster()` on the cluster at `SESSION_TEST_REDIS_CLUSTER_URLS`.

use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::{Operation, SessionKey};

use crate::config::{RedisConfig, Topology};
use crate::store::RedisStore;
use crate::value;

/// The variable holding the single server's URL.
pub const REDIS_URL_VAR: &str = "SESSION_TEST_REDIS_URL";

/// The variable holding the cluster's node URLs, separated by commas.
pub const CLUSTER_URLS_VAR: &str = "SESSION_TEST_REDIS_CLUSTER_URLS";

/// The catalog's cluster URL (`redis+cluster://h1:p1,h2:p2/`) for the node
/// URLs of `SESSION_TEST_REDIS_CLUSTER_URLS` (`redis://h1:p1,redis://h2:p2`;
/// credentials, if any, taken from the first), for a store or tool that
/// takes one URL.
pub fn cluster_url(nodes: &str) -> String {
    let mut scheme = "redis";
    let mut userinfo = "";
    let mut hosts = Vec::new();
    for (i, node) in nodes.split(',').map(str::trim).enumerate() {
        let (node_scheme, rest) = node.split_once("://").unwrap_or(("redis", node));
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let (user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
        if i == 0 {
            scheme = node_scheme;
            userinfo = user;
        }
        hosts.push(host);
    }
    let at = if userinfo.is_empty() { "" } else { "@" };
    format!("{scheme}+cluster://{userinfo}{at}{}/", hosts.join(","))
}

/// The expiry grace of the harness's stores: the suite's mock clock stands
/// still while real time passes, so a record a check still considers live
/// must not be freed by the server's real-time TTL.
pub const GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Opens Redis stores on the suite's clock and key generator, one key
/// prefix per check (`<prefix><namespace>:`), so checks never see each
/// other's keys and two opens of one context share their records, as two
/// processes would. `cleanup` deletes the check's keys on every node.
#[derive(Debug, Clone)]
pub struct RedisHarness {
    name: &'static str,
    /// Where the configuration comes from.
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    /// The URL (or URLs) in an environment variable, read at each open.
    Env { var: &'static str, cluster: bool },
    /// A configuration given by the caller.
    Config(RedisConfig),
}

/// The server at `SESSION_TEST_REDIS_URL`, reported as `redis`; skipped
/// when the variable is unset.
impl Default for RedisHarness {
    fn default() -> Self {
        Self {
            name: "redis",
            source: Source::Env {
                var: REDIS_URL_VAR,
                cluster: false,
            },
        }
    }
}

impl RedisHarness {
    /// The Redis Cluster at `SESSION_TEST_REDIS_CLUSTER_URLS`, reported as
    /// `redis-cluster`; skipped when the variable is unset.
    pub fn cluster() -> Self {
        Self {
            name: "redis-cluster",
            source: Source::Env {
                var: CLUSTER_URLS_VAR,
                cluster: true,
            },
        }
    }

    /// A harness opening stores with `config` (its server, codec and
    /// timeout; its prefix is the prefix of the per-check prefixes). The
    /// clock and key generator are always the suite's.
    /// Reported as `redis`, or `redis-cluster` for a cluster.
    pub fn new(config: RedisConfig) -> Self {
        Self {
            name: if config.is_cluster() {
                "redis-cluster"
            } else {
                "redis"
            },
            source: Source::Config(config),
        }
    }

    /// The configuration of `ctx`'s stores, or why there is none here.
    pub fn config(&self, ctx: &Ctx) -> Result<RedisConfig, Skip> {
        let base = match &self.source {
            Source::Config(config) => config.clone(),
            Source::Env { var, cluster } => {
                let value = session_conformance::env_url(var)
                    .ok_or_else(|| Skip(format!("{var} is not set")))?;
                if *cluster {
                    RedisConfig::cluster(value.split(',').map(str::trim))
                } else {
                    RedisConfig::new(value.trim())
                }
            }
        };
        let prefix = format!("{}{}:", base.prefix(), ctx.namespace);
        Ok(base
            .with_prefix(prefix)
            .with_expiry_grace(GRACE)
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone()))
    }
}

#[session_conformance::async_trait]
impl Harness for RedisHarness {
    type Store = RedisStore;

    fn name(&self) -> &'static str {
        self.name
    }

    async fn open(&self, ctx: &Ctx) -> Result<RedisStore, Skip> {
        let store = self.config(ctx)?.build();
        Ok(store.unwrap_or_else(|e| panic!("the harness's redis could not be opened: {e}")))
    }

    /// Keeps the expiry and replaces the data by text no codec reads.
    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        let store = self.open(ctx).await.expect("opened before");
        let redis_key = store.redis_key(key);
        let bytes = store
            .get_raw(&redis_key, Operation::Load)
            .await
            .expect("reading the record to corrupt")
            .expect("the record to corrupt exists");
        let (expires_at, _) = value::split(&bytes).expect("a record of this store");
        let ttl = store.ttl_until(expires_at);
        let text = value::encode(expires_at, "not session data");
        store
            .set_raw(&redis_key, &text, ttl, Operation::Save)
            .await
            .expect("corrupting the record");
        Corruption::Done
    }

    async fn cleanup(&self, ctx: &Ctx) {
        let Ok(config) = self.config(ctx) else {
            return;
        };
        let nodes = match &config.topology {
            Topology::Single(url) => vec![url.clone()],
            Topology::Cluster(nodes) => nodes.clone(),
        };
        for node in nodes {
            delete_prefixed(&node, config.prefix())
                .await
                .unwrap_or_else(|e| panic!("cleaning up the check's keys: {e}"));
        }
    }
}

/// Deletes every key starting with `prefix` on the one server at `url`
/// (on a cluster node: the keys of its own slots).
async fn delete_prefixed(url: &str, prefix: &str) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let pattern = format!("{}*", glob_escaped(prefix));
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await?;
        for key in keys {
            redis::Cmd::del(&key).query_async::<i64>(&mut conn).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// `text` with Redis's glob characters escaped.
fn glob_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cluster_url;

    #[test]
    fn cluster_urls_from_node_urls() {
        assert_eq!(
            cluster_url("redis://127.0.0.1:7000,redis://127.0.0.1:7001/"),
            "redis+cluster://127.0.0.1:7000,127.0.0.1:7001/"
        );
        assert_eq!(
            cluster_url("rediss://:pw@h1:7000/, rediss://:pw@h2:7000"),
            "rediss+cluster://:pw@h1:7000,h2:7000/"
        );
    }
}
