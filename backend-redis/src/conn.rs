//! [`Conn`]: the store's connection to one server or a cluster, made on
//! first use, every call bounded by the timeout and only idempotent ones
//! retried.

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{Client, RedisResult};
use tokio::sync::OnceCell;
use tokio::time::{Instant, timeout_at};

use crate::config::Topology;
use crate::error::RedisError;

/// How long the single-node connection waits at most between two attempts
/// to reconnect, so a restarted server is used again soon after it answers.
const MAX_RECONNECT_DELAY: Duration = Duration::from_millis(100);

/// How often the cluster client resends a command on a redirection
/// (`MOVED`, `ASK`) or a dropped node connection.
const CLUSTER_RETRIES: u32 = 2;

/// A handle on the engine, cheap to clone: both are multiplexed.
#[derive(Clone)]
pub(crate) enum Handle {
    /// One server through a connection that reconnects by itself.
    Single(ConnectionManager),
    /// A Redis Cluster through the redis crate's async cluster client.
    Cluster(ClusterConnection),
}

/// The clients a store was configured with, and their connections once made.
pub(crate) struct Conn {
    engine: Engine,
    timeout: Duration,
    handle: OnceCell<Handle>,
}

enum Engine {
    Single(Client),
    Cluster(Box<redis::cluster::ClusterClient>),
}

impl Conn {
    /// The clients of `topology`, not connected yet.
    pub(crate) fn new(topology: &Topology, timeout: Duration) -> Result<Self, RedisError> {
        if timeout.is_zero() {
            return Err(RedisError::ZeroTimeout);
        }
        let engine = match topology {
            Topology::Single(url) => {
                Engine::Single(Client::open(url.as_str()).map_err(RedisError::Client)?)
            }
            Topology::Cluster(nodes) => Engine::Cluster(Box::new(
                ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                    .connection_timeout(timeout)
                    .response_timeout(timeout)
                    .retries(CLUSTER_RETRIES)
                    .min_retry_wait(5)
                    .max_retry_wait(100)
                    .build()
                    .map_err(RedisError::Client)?,
            )),
        };
        Ok(Self {
            engine,
            timeout,
            handle: OnceCell::new(),
        })
    }

    /// True on a cluster.
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self.engine, Engine::Cluster(_))
    }

    /// The connection, made now if it is not yet; a failed attempt is
    /// tried again by the next call.
    async fn handle(&self) -> RedisResult<Handle> {
        let handle = self
            .handle
            .get_or_try_init(|| async {
                match &self.engine {
                    Engine::Single(client) => {
                        let config = ConnectionManagerConfig::new()
                            .set_connection_timeout(Some(self.timeout))
                            .set_response_timeout(Some(self.timeout))
                            .set_min_delay(Duration::from_millis(10))
                            .set_max_delay(MAX_RECONNECT_DELAY)
                            .set_number_of_retries(5);
                        ConnectionManager::new_with_config(client.clone(), config)
                            .await
                            .map(Handle::Single)
                    }
                    Engine::Cluster(client) => {
                        client.get_async_connection().await.map(Handle::Cluster)
                    }
                }
            })
            .await?;
        Ok(handle.clone())
    }

    /// Runs `call` on the connection within the timeout (connecting
    /// included). When `idempotent`, a temporary failure is tried once more
    /// within what is left of the timeout.
    pub(crate) async fn run<T, F, Fut>(&self, idempotent: bool, call: F) -> Result<T, RedisError>
    where
        F: Fn(Handle) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let deadline = Instant::now() + self.timeout;
        let attempt = || async {
            let handle = self.handle().await?;
            call(handle).await
        };
        let first = match timeout_at(deadline, attempt()).await {
            Ok(outcome) => outcome.map_err(RedisError::from),
            Err(_) => return Err(RedisError::Timeout(self.timeout)),
        };
        match first {
            Err(error) if idempotent && error.is_temporary() => {
                match timeout_at(deadline, attempt()).await {
                    Ok(outcome) => outcome.map_err(RedisError::from),
                    Err(_) => Err(RedisError::Timeout(self.timeout)),
                }
            }
            outcome => outcome,
        }
    }
}

impl Handle {
    /// Sends `cmd` and reads its answer.
    pub(crate) async fn query<T: redis::FromRedisValue>(self, cmd: &redis::Cmd) -> RedisResult<T> {
        match self {
            Handle::Single(mut c) => cmd.query_async(&mut c).await,
            Handle::Cluster(mut c) => cmd.query_async(&mut c).await,
        }
    }

    /// Runs a script (`EVALSHA`, loading it first where the server has
    /// lost it, as after a restart).
    pub(crate) async fn invoke<T: redis::FromRedisValue>(
        self,
        script: &redis::ScriptInvocation<'_>,
    ) -> RedisResult<T> {
        match self {
            Handle::Single(mut c) => script.invoke_async(&mut c).await,
            Handle::Cluster(mut c) => script.invoke_async(&mut c).await,
        }
    }
}
