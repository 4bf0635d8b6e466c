//! Raw engine baselines: [`Baseline`], one per backend ([`baseline_for`]),
//! and [`measure_baseline`], the same workloads as [`measure`](crate::measure)
//! run against them.

mod api;
mod cookie;
mod embedded;
mod file;
mod memory;
mod pooled;
mod redis;
mod zlib;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use session_backend_db::DbConfig;
use session_backend_redis::RedisConfig;
use session_backend_signed_cookie::{CookieFormat, SignedCookieConfig};
use session_core::Data;

pub use api::{Baseline, BaselineError};
pub use cookie::{EncryptedCookieBaseline, SignedCookieBaseline};
pub use embedded::RusqliteBaseline;
pub use file::FileBaseline;
pub use memory::{HashMapBaseline, MokaBaseline};
pub use pooled::SqlxBaseline;
pub use redis::RedisBaseline;

use crate::driver::{Limit, Target, run};
use crate::measurement::Measurement;
use crate::operation::Operation;

/// The secret the cookie baselines sign with. Its value does not change
/// the cost: Django's key derivation hashes it to a fixed length.
const SECRET: &[u8] = b"session-benches-baseline-secret-key";

/// The raw baseline of the backend `url` names (any URL or bare name the
/// catalog `session_stores::open` takes), or `None` for a backend that has
/// none yet.
///
/// | backend | baseline |
/// |---|---|
/// | `memory` | [`HashMapBaseline`]: a `Mutex<HashMap>`, the reference store's structure |
/// | `cache` | [`MokaBaseline`]: moka `get`/`insert`/`invalidate` |
/// | `file` | [`FileBaseline`]: read, write-temp + fsync + rename, unlink, in its own temporary directory |
/// | `signed-cookie` | [`SignedCookieBaseline`]: JSON + zlib + base64 + HMAC |
/// | `signed-cookie://?format=encrypted` | [`EncryptedCookieBaseline`]: JSON + zlib + AES-256-GCM + base64 |
/// | `sqlite://path` (db, embedded) | [`RusqliteBaseline`]: rusqlite prepared statements by primary key on an r2d2 pool, its own temporary file |
/// | `sqlite://path?engine=sqlx` | [`SqlxBaseline::sqlite`]: the same statements through a sqlx pool, its own temporary file |
/// | `postgres://...`, `mysql://...` | [`SqlxBaseline::postgres`], [`SqlxBaseline::mysql`]: the same server, a table of its own |
/// | `redis://` (one server) | [`RedisBaseline`]: JSON + `GET` / `SET PX` / `DEL` on the store's connection type |
/// | `redis+cluster://` | [`RedisBaseline::cluster`]: the same on the redis crate's async cluster connection |
///
/// The backend is found through the catalog (`session_stores::backends`,
/// by scheme); the signed-cookie format through the backend's own URL
/// parser. Server baselines connect with the same URL, without the
/// backend's own parameters. The file and database baselines write the JSON codec whatever `codec=` says.
///
/// # Errors
/// When the file or SQLite baseline cannot make its temporary directory,
/// sqlx cannot read a server URL, or the redis crate refuses a Redis URL.
pub fn baseline_for(url: &str) -> Result<Option<Arc<dyn Baseline>>, BaselineError> {
    let url = url.trim();
    let scheme = url
        .split_once(':')
        .map_or(url, |(scheme, _)| scheme)
        .to_ascii_lowercase();
    let Some(backend) = session_stores::backends()
        .iter()
        .find(|info| info.schemes.contains(&scheme.as_str()))
    else {
        return Ok(None);
    };
    let baseline: Arc<dyn Baseline> = match backend.name {
        "memory" => Arc::new(HashMapBaseline::new()),
        "cache" => Arc::new(MokaBaseline::new()),
        "file" => Arc::new(FileBaseline::new()?),
        "signed-cookie" => match SignedCookieConfig::from_url(url, SECRET).map(|c| c.format()) {
            Ok(CookieFormat::Encrypted) => Arc::new(EncryptedCookieBaseline::new(SECRET)),
            _ => Arc::new(SignedCookieBaseline::new(SECRET)),
        },
        "db" => match scheme.as_str() {
            "sqlite" if has_parameter(url, "engine", "sqlx") => Arc::new(SqlxBaseline::sqlite()?),
            "sqlite" => Arc::new(RusqliteBaseline::new()?),
            "postgres" | "postgresql" => Arc::new(SqlxBaseline::postgres(&server_url(url))?),
            _ => Arc::new(SqlxBaseline::mysql(&server_url(url))?),
        },
        "redis" if scheme == "redis" || scheme == "rediss" => {
            let server = url.split(['?', '#']).next().unwrap_or(url);
            Arc::new(RedisBaseline::new(server)?)
        }
        "redis" if scheme.ends_with("+cluster") => {
            let Ok(config) = RedisConfig::from_url(url, None) else {
                return Ok(None);
            };
            Arc::new(RedisBaseline::cluster(config.server_urls())?)
        }
        _ => return Ok(None),
    };
    Ok(Some(baseline))
}

/// True when the query of `url` sets `name` to `value`.
fn has_parameter(url: &str, name: &str, value: &str) -> bool {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    url::form_urlencoded::parse(query.as_bytes()).any(|(n, v)| n == name && v == value)
}

/// A server URL as the db store hands it to sqlx: `mariadb:` as `mysql:`,
/// without the store's own parameters (the URL itself when the store
/// cannot read it, for sqlx to refuse).
fn server_url(url: &str) -> String {
    DbConfig::from_url(url, Some(DB_SECRET))
        .ok()
        .and_then(|config| config.server_url().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned())
}

/// The secret a `codec=django` db URL needs to be read; the baseline
/// writes the JSON codec whatever the URL says.
const DB_SECRET: &str = "session-benches-baseline-secret-key";

/// [`measure`](crate::measure) against a raw baseline: the same operation,
/// data, concurrency, preparation and timing.
///
/// # Errors
/// The baseline's first error.
pub async fn measure_baseline(
    baseline: Arc<dyn Baseline>,
    op: Operation,
    bytes: usize,
    tasks: usize,
    budget: Duration,
) -> Result<Measurement, BaselineError> {
    run(
        Arc::new(BaselineTarget(baseline)),
        op,
        bytes,
        tasks,
        Limit::Budget(budget),
    )
    .await
}

/// [`measure_ops`](crate::measure_ops) against a raw baseline.
///
/// # Errors
/// The baseline's first error.
pub async fn measure_baseline_ops(
    baseline: Arc<dyn Baseline>,
    op: Operation,
    bytes: usize,
    tasks: usize,
    ops: u64,
) -> Result<Measurement, BaselineError> {
    run(
        Arc::new(BaselineTarget(baseline)),
        op,
        bytes,
        tasks,
        Limit::Ops(ops),
    )
    .await
}

/// A baseline as the driver sees it.
struct BaselineTarget(Arc<dyn Baseline>);

#[async_trait]
impl Target for BaselineTarget {
    type Key = String;
    type Error = BaselineError;

    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.0.create(data).await
    }
    async fn load(&self, key: &String) -> Result<Option<Arc<Data>>, BaselineError> {
        self.0.load(key).await
    }
    async fn save(&self, key: &String, data: &Arc<Data>) -> Result<String, BaselineError> {
        self.0.save(key, data).await
    }
    async fn delete(&self, key: &String) -> Result<(), BaselineError> {
        self.0.delete(key).await
    }
    fn missing_key(&self) -> String {
        self.0.missing_key()
    }
    fn unexpected(&self, op: Operation, what: &'static str) -> BaselineError {
        BaselineError::Unexpected {
            engine: self.0.name().to_owned(),
            benchmark: op.name(),
            what,
        }
    }
}
