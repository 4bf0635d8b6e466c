//! The Redis baseline: `GET`, `SET ... PX` and `DEL` of the session's JSON
//! on the connection `RedisStore` uses: the redis crate's reconnecting
//! multiplexed connection on a single server, its async cluster
//! connection on a Redis Cluster.

use std::io;
use std::sync::Arc;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, FromRedisValue};
use session_core::time::OffsetDateTime;
use session_core::{Codec, Data, Operation};
use tokio::sync::OnceCell;

use crate::baseline::api::{Baseline, BaselineError, Counter};

const ENGINE: &str = "redis";

/// The TTL of every record: the store writes one too (`PX`).
const TTL_MILLIS: u64 = 3_600_000;

/// `redis`'s engine: the JSON codec's text (as `RedisStore` writes it,
/// without its expiry head) under `session-bench-raw-<pid>:<n>`, written
/// with `SET key value PX ttl`, read with `GET` and decoded, removed with
/// `DEL`. Not done here and done by the store: the expiry head, the
/// atomic create-if-absent and update-if-present scripts, the expiry check
/// on load, the per-call timeout.
pub struct RedisBaseline {
    client: Client,
    conn: OnceCell<Conn>,
    prefix: String,
    keys: Counter,
}

/// The client of one server or of a cluster.
enum Client {
    Single(redis::Client),
    Cluster(Box<ClusterClient>),
}

/// A connection, cheap to clone (both kinds are multiplexed).
#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for RedisBaseline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let topology = match self.client {
            Client::Single(_) => "single",
            Client::Cluster(_) => "cluster",
        };
        f.debug_struct("RedisBaseline")
            .field("topology", &topology)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisBaseline {
    /// A baseline on the server at `url` (a redis crate URL); it connects
    /// on first use.
    ///
    /// # Errors
    /// When the redis crate refuses the URL.
    pub fn new(url: &str) -> Result<Self, BaselineError> {
        let client =
            redis::Client::open(url).map_err(failed(Operation::Open, "reading the URL"))?;
        Ok(Self::with_client(Client::Single(client)))
    }

    /// A baseline on the Redis Cluster some of whose nodes `nodes` name
    /// (redis crate URLs); it connects on first use. Its keys spread over
    /// the hash slots as a store's do, each call going to one node.
    ///
    /// # Errors
    /// When the redis crate refuses a URL.
    pub fn cluster<'a>(nodes: impl IntoIterator<Item = &'a str>) -> Result<Self, BaselineError> {
        let client = ClusterClient::new(nodes.into_iter().collect::<Vec<_>>())
            .map_err(failed(Operation::Open, "reading the URLs"))?;
        Ok(Self::with_client(Client::Cluster(Box::new(client))))
    }

    fn with_client(client: Client) -> Self {
        Self {
            client,
            conn: OnceCell::new(),
            prefix: format!("session-bench-raw-{}:", std::process::id()),
            keys: Counter::default(),
        }
    }

    /// Sends `cmd` on the connection, made first if it is not yet.
    async fn query<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        operation: Operation,
        action: &'static str,
    ) -> Result<T, BaselineError> {
        let conn = self
            .conn
            .get_or_try_init(|| async {
                match &self.client {
                    Client::Single(client) => ConnectionManager::new(client.clone())
                        .await
                        .map(Conn::Single),
                    Client::Cluster(client) => {
                        client.get_async_connection().await.map(Conn::Cluster)
                    }
                }
            })
            .await
            .map_err(failed(operation, "connecting"))?;
        match conn.clone() {
            Conn::Single(mut conn) => cmd.query_async(&mut conn).await,
            Conn::Cluster(mut conn) => cmd.query_async(&mut conn).await,
        }
        .map_err(failed(operation, action))
    }

    async fn set(&self, key: &str, data: &Data, operation: Operation) -> Result<(), BaselineError> {
        let text = Codec::Json.encode(data, OffsetDateTime::UNIX_EPOCH);
        let mut cmd = redis::cmd("SET");
        cmd.arg(format!("{}{key}", self.prefix))
            .arg(text)
            .arg("PX")
            .arg(TTL_MILLIS);
        self.query(&cmd, operation, "SET").await
    }
}

/// A redis error as the baseline's.
fn failed(
    operation: Operation,
    action: &'static str,
) -> impl FnOnce(redis::RedisError) -> BaselineError {
    move |e| BaselineError::Io {
        engine: ENGINE,
        operation,
        action,
        source: io::Error::other(e),
    }
}

#[async_trait]
impl Baseline for RedisBaseline {
    fn name(&self) -> &str {
        match self.client {
            Client::Single(_) => "redis GET/SET/DEL",
            Client::Cluster(_) => "redis cluster GET/SET/DEL",
        }
    }
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let key = self.keys.next_key();
        self.set(&key, data, Operation::Create).await?;
        Ok(key)
    }
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let get = Cmd::get(format!("{}{key}", self.prefix));
        let text: Option<String> = self.query(&get, Operation::Load, "GET").await?;
        let Some(text) = text else {
            return Ok(None);
        };
        let data = Codec::Json
            .decode(&text)
            .map_err(|e| BaselineError::Decode {
                engine: ENGINE,
                operation: Operation::Load,
                reason: e.to_string(),
            })?;
        Ok(Some(Arc::new(data)))
    }
    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.set(key, data, Operation::Save).await?;
        Ok(key.to_owned())
    }
    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        let del = Cmd::del(format!("{}{key}", self.prefix));
        self.query::<i64>(&del, Operation::Delete, "DEL")
            .await
            .map(drop)
    }
}
