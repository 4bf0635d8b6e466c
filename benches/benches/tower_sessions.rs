//! tower-sessions' SQLite and Redis stores beside ours, in the same run:
//! `load_hit`, `save` and `request_cycle` at 1 KB with 1 and 64 tasks.
//!
//! ```sh
//! SESSION_TEST_REDIS_URL=redis://127.0.0.1:6379/ \
//!   cargo bench -p session-benches --features tower-sessions --bench tower_sessions \
//!   -- --measurement-time 3 --warm-up-time 1
//! cargo bench -p session-benches --features tower-sessions --bench tower_sessions -- 'load_hit/.*/1KB-1task'
//! ```
//!
//! Optional (feature `tower-sessions`, off by default). Ids read
//! `<operation>/<contender>/1KB-<tasks>`, as in the `operations` bench:
//!
//! | contender | what |
//! |---|---|
//! | `tower-sessions-sqlite` | `tower_sessions_sqlx_store::SqliteStore` on a file, sqlx's default options (as its docs open it: rollback journal, `synchronous=FULL`, 10 connections) |
//! | `tower-sessions-sqlite-wal` | the same store with our db store's SQLite settings: WAL, `synchronous=NORMAL`, 4 connections |
//! | `db-sqlite`, `db-sqlite-raw` | our `sqlite://` store (rusqlite) and its raw rusqlite baseline |
//! | `db-sqlx-sqlite` | our `sqlite://...?engine=sqlx` store, on the driver tower-sessions uses |
//! | `tower-sessions-redis` | `tower_sessions_redis_store::RedisStore` on a fred pool of 6 connections (as its docs build it) |
//! | `redis`, `redis-raw` | our `redis://` store and its raw baseline |
//!
//! The Redis contenders run when `SESSION_TEST_REDIS_URL` is set, and are
//! skipped with one line on stderr otherwise.
//!
//! Every contender runs through the library's driver
//! (`session_benches::measure_ops`, `measure_baseline_ops`): the same
//! payload, preparation, clean-up and timing loop. A tower-sessions store
//! is driven through the `Baseline` trait, the library's hook for an
//! engine that is not one of our stores; its session data is a `HashMap`,
//! so each save clones our `serde_json::Map` into one (a load moves it
//! back). The `convert` group times that clone alone, to subtract.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use session_benches::{
    Baseline, BaselineError, Operation, baseline_for, measure_baseline_ops, measure_ops, payload,
};
use session_core::{Data, SessionStore};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::runtime::Runtime;
use tower_sessions_core::SessionStore as TowerStore;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, Pool};
use tower_sessions_sqlx_store::SqliteStore;

/// The session size: 1 KB of encoded JSON.
const BYTES: usize = 1024;

/// The concurrencies: one task (latency) and 64 (throughput).
const TASKS: [usize; 2] = [1, 64];

/// The operations compared.
const OPERATIONS: [Operation; 3] = [Operation::LoadHit, Operation::Save, Operation::RequestCycle];

/// Connections of the fred pool, as tower-sessions-redis-store's docs build it.
const FRED_POOL: usize = 6;

/// A two-worker multi-threaded runtime, as the `operations` bench uses.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// A tower-sessions store as the library's driver sees it: keys are the
/// `Id`'s text, records expire an hour after the store was wrapped.
#[derive(Debug)]
struct Tower<S> {
    name: &'static str,
    store: S,
    expiry: session_core::time::OffsetDateTime,
}

impl<S: TowerStore> Tower<S> {
    fn wrap(name: &'static str, store: S) -> Arc<dyn Baseline> {
        let expiry =
            session_core::time::OffsetDateTime::now_utc() + session_core::time::Duration::HOUR;
        Arc::new(Self {
            name,
            store,
            expiry,
        })
    }

    fn record(&self, id: Id, data: &Data) -> Record {
        let data: HashMap<String, session_core::serde_json::Value> =
            data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Record {
            id,
            data,
            expiry_date: self.expiry,
        }
    }

    fn failed(
        &self,
        operation: session_core::Operation,
    ) -> impl FnOnce(tower_sessions_core::session_store::Error) -> BaselineError {
        let engine = self.name;
        move |e| BaselineError::Io {
            engine,
            operation,
            action: "tower-sessions store call",
            source: std::io::Error::other(e),
        }
    }

    fn id(&self, key: &str, operation: session_core::Operation) -> Result<Id, BaselineError> {
        key.parse().map_err(|_| BaselineError::Decode {
            engine: self.name,
            operation,
            reason: "not a tower-sessions id".into(),
        })
    }
}

#[async_trait]
impl<S: TowerStore> Baseline for Tower<S> {
    fn name(&self) -> &str {
        self.name
    }

    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let mut record = self.record(Id::default(), data);
        let op = session_core::Operation::Create;
        self.store
            .create(&mut record)
            .await
            .map_err(self.failed(op))?;
        Ok(record.id.to_string())
    }

    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let op = session_core::Operation::Load;
        let id = self.id(key, op)?;
        let record = self.store.load(&id).await.map_err(self.failed(op))?;
        Ok(record.map(|record| Arc::new(record.data.into_iter().collect())))
    }

    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        let op = session_core::Operation::Save;
        let record = self.record(self.id(key, op)?, data);
        self.store.save(&record).await.map_err(self.failed(op))?;
        Ok(key.to_owned())
    }

    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        let op = session_core::Operation::Delete;
        let id = self.id(key, op)?;
        self.store.delete(&id).await.map_err(self.failed(op))
    }

    fn missing_key(&self) -> String {
        Id(0x5e55_1011_0000_0000_0000_0000_0000_0000).to_string()
    }
}

/// What one bench function runs: one of our stores or a baseline-shaped
/// engine (a raw baseline or a tower-sessions store).
enum Subject {
    Ours(Arc<dyn SessionStore>),
    Engine(Arc<dyn Baseline>),
}

/// tower-sessions' `SqliteStore` on a new file under `dir`, migrated; with
/// `wal`, our db store's SQLite settings, else sqlx's defaults.
async fn tower_sqlite(dir: &std::path::Path, wal: bool) -> Arc<dyn Baseline> {
    let name = if wal {
        "tower-sessions-sqlite-wal"
    } else {
        "tower-sessions-sqlite"
    };
    let mut options = SqliteConnectOptions::new()
        .filename(dir.join(format!("{name}.sqlite3")))
        .create_if_missing(true);
    let mut pool = SqlitePoolOptions::new();
    if wal {
        options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        pool = pool.max_connections(4);
    }
    let pool = pool
        .connect_with(options)
        .await
        .expect("a sqlx SQLite pool");
    let store = SqliteStore::new(pool);
    store.migrate().await.expect("tower-sessions' SQLite table");
    Tower::wrap(name, store)
}

/// tower-sessions' `RedisStore` on a fred pool connected to `url`.
async fn tower_redis(url: &str) -> Arc<dyn Baseline> {
    let config = Config::from_url(url).expect("a Redis URL fred reads");
    let pool = Pool::new(config, None, None, None, FRED_POOL).expect("a fred pool");
    // The connection task ends when the pool quits; the bench never does.
    let _connection = pool.init().await.expect("fred connects to Redis");
    Tower::wrap("tower-sessions-redis", RedisStore::new(pool))
}

/// Ours, opened through the catalog, then with `raw` its raw baseline.
async fn ours(label: &str, url: &str, raw: bool) -> Vec<(String, Subject)> {
    let store = session_stores::open(url)
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    let mut list = vec![(label.to_owned(), Subject::Ours(store))];
    if raw && let Some(baseline) = baseline_for(url).unwrap_or_else(|e| panic!("{label}: {e}")) {
        list.push((format!("{label}-raw"), Subject::Engine(baseline)));
    }
    list
}

/// Every contender, in the order their ids are listed above.
fn contenders(rt: &Runtime, dir: &std::path::Path) -> Vec<(String, Subject)> {
    rt.block_on(async {
        let mut list = vec![
            (
                "tower-sessions-sqlite".into(),
                Subject::Engine(tower_sqlite(dir, false).await),
            ),
            (
                "tower-sessions-sqlite-wal".into(),
                Subject::Engine(tower_sqlite(dir, true).await),
            ),
        ];
        let rusqlite = format!("sqlite://{}/db.sqlite3", dir.display());
        list.extend(ours("db-sqlite", &rusqlite, true).await);
        let sqlx = format!("sqlite://{}/db-sqlx.sqlite3?engine=sqlx", dir.display());
        list.extend(ours("db-sqlx-sqlite", &sqlx, false).await);
        match std::env::var("SESSION_TEST_REDIS_URL") {
            Ok(url) => {
                list.push((
                    "tower-sessions-redis".into(),
                    Subject::Engine(tower_redis(&url).await),
                ));
                list.extend(ours("redis", &url, true).await);
            }
            Err(_) => eprintln!(
                "session-benches: skipping the Redis contenders: SESSION_TEST_REDIS_URL is not set"
            ),
        }
        list
    })
}

fn compare(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::Builder::new()
        .prefix("session-bench-tower-")
        .tempdir()
        .expect("a temporary directory");
    let contenders = contenders(&rt, dir.path());
    for op in OPERATIONS {
        let mut group = c.benchmark_group(op.name());
        for tasks in TASKS {
            let parameter = format!("1KB-{tasks}task{}", if tasks == 1 { "" } else { "s" });
            group.throughput(Throughput::Elements(tasks as u64));
            for (label, subject) in &contenders {
                group.bench_function(BenchmarkId::new(label, &parameter), |b| {
                    b.to_async(&rt).iter_custom(|iters| async move {
                        let ops = iters * tasks as u64;
                        match subject {
                            Subject::Ours(store) => {
                                measure_ops(Arc::clone(store), op, BYTES, tasks, ops)
                                    .await
                                    .unwrap_or_else(|e| panic!("{label}: {e}"))
                                    .elapsed
                            }
                            Subject::Engine(engine) => {
                                measure_baseline_ops(Arc::clone(engine), op, BYTES, tasks, ops)
                                    .await
                                    .unwrap_or_else(|e| panic!("{label}: {e}"))
                                    .elapsed
                            }
                        }
                    });
                });
            }
        }
        group.finish();
    }
    // What the tower-sessions contenders pay for the bench's data type on
    // every save (and create): our map cloned into their HashMap.
    let data = payload(BYTES);
    c.bench_function("convert/map-to-hashmap/1KB", |b| {
        b.iter(|| {
            let map: HashMap<String, session_core::serde_json::Value> =
                data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            map
        });
    });
}

criterion_group! {
    name = benches;
    // Short by default; the comparison in the README runs
    // `-- --measurement-time 3 --warm-up-time 1`.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(500));
    targets = compare
}
criterion_main!(benches);
