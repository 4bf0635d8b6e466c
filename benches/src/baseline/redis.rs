//! The Redis baseline: `GET`, `SET ... PX` and `DEL` of the session's JSON
//! on the redis crate's reconnecting multiplexed connection, the one
//! `RedisStore` uses on a single server.

use std::io;
use std::sync::Arc;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
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
#[derive(Debug)]
pub struct RedisBaseline {
    client: redis::Client,
    conn: OnceCell<ConnectionManager>,
    prefix: String,
    keys: Counter,
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
        Ok(Self {
            client,
            conn: OnceCell::new(),
            prefix: format!("session-bench-raw-{}:", std::process::id()),
            keys: Counter::default(),
        })
    }

    async fn conn(&self, operation: Operation) -> Result<ConnectionManager, BaselineError> {
        let conn = self
            .conn
            .get_or_try_init(|| ConnectionManager::new(self.client.clone()))
            .await
            .map_err(failed(operation, "connecting"))?;
        Ok(conn.clone())
    }

    async fn set(&self, key: &str, data: &Data, operation: Operation) -> Result<(), BaselineError> {
        let text = Codec::Json.encode(data, OffsetDateTime::UNIX_EPOCH);
        let mut cmd = redis::cmd("SET");
        cmd.arg(format!("{}{key}", self.prefix))
            .arg(text)
            .arg("PX")
            .arg(TTL_MILLIS);
        cmd.query_async::<()>(&mut self.conn(operation).await?)
            .await
            .map_err(failed(operation, "SET"))
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
        "redis GET/SET/DEL"
    }
    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let key = self.keys.next_key();
        self.set(&key, data, Operation::Create).await?;
        Ok(key)
    }
    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let text: Option<String> = redis::Cmd::get(format!("{}{key}", self.prefix))
            .query_async(&mut self.conn(Operation::Load).await?)
            .await
            .map_err(failed(Operation::Load, "GET"))?;
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
        redis::Cmd::del(format!("{}{key}", self.prefix))
            .query_async::<i64>(&mut self.conn(Operation::Delete).await?)
            .await
            .map(drop)
            .map_err(failed(Operation::Delete, "DEL"))
    }
}
