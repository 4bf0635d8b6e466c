//! Every backend on one bench: one criterion group per [`Operation`], each
//! backend and its raw baseline a function of the group, at 100 B, 1 KB
//! and 16 KB of session data with 1 and 64 concurrent tasks.
//!
//! ```sh
//! cargo bench -p session-benches                                # everything, several minutes
//! cargo bench -p session-benches -- 'load_hit/'                 # one group
//! cargo bench -p session-benches -- '/1KB-1task'                # 1 KB, one task, every group
//! cargo bench -p session-benches -- 'save/file.*/16KB-64tasks'  # one backend, size, concurrency
//! ```
//!
//! Ids read `<operation>/<backend>/<size>-<tasks>`; a backend's raw
//! baseline is `<backend>-raw`. One iteration is one operation in each
//! task (prepared records made and cleaned up outside the timing, see
//! `session_benches::measure_ops`), so with one task the time is the
//! latency and with 64 tasks criterion's throughput is operations per
//! second. The signed-cookie backend cannot hold 16 KB (a 4 KB cookie):
//! it is skipped at that size, with a line on stderr.
//!
//! Embedded backends always run (the file backend in a fresh private
//! temporary directory); a server backend runs when a `SESSION_TEST_<X>_URL`
//! variable names it (a Redis Cluster: `SESSION_TEST_REDIS_CLUSTER_URLS`,
//! as `redis-cluster`) and the catalog (`session-stores`) opens it, under
//! its own records, deleted again.

use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use session_benches::{
    Baseline, Operation, SIZES, baseline_for, measure_baseline_ops, measure_ops,
};
use session_core::{ErrorKind, SessionStore};
use session_stores::{Options, open_with};
use tokio::runtime::Runtime;

/// The concurrencies every size runs at.
const TASKS: [usize; 2] = [1, 64];

/// The secret of the signed-cookie stores when `SESSION_SECRET_KEY` is unset.
const BENCH_SECRET: &str = "session-benches-secret-key-not-for-production";

/// A backend on the bench: its label, its store, its raw baseline.
struct Backend {
    label: String,
    store: Arc<dyn SessionStore>,
    baseline: Option<Arc<dyn Baseline>>,
}

/// A two-worker multi-threaded runtime, as a server on a small machine
/// runs; the file backend does its blocking I/O in place on it.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// The embedded backends, then every `SESSION_TEST_<X>_URL` the catalog opens.
fn backends(rt: &Runtime, dir: &std::path::Path) -> Vec<Backend> {
    let secret =
        std::env::var(session_stores::SECRET_KEY_VAR).unwrap_or_else(|_| BENCH_SECRET.to_owned());
    let options = Options::new().with_secret_key(secret);
    let mut urls: Vec<(String, String)> = vec![
        ("memory".into(), "memory://".into()),
        ("cache".into(), "cache://".into()),
        ("file".into(), format!("file://{}", dir.display())),
        // The db backend on SQLite: rusqlite (the default) and sqlx.
        (
            "db-sqlite".into(),
            format!("sqlite://{}/db.sqlite3", dir.display()),
        ),
        (
            "db-sqlx-sqlite".into(),
            format!("sqlite://{}/db-sqlx.sqlite3?engine=sqlx", dir.display()),
        ),
        ("signed-cookie".into(), "signed-cookie://".into()),
        (
            "signed-cookie-encrypted".into(),
            "signed-cookie://?format=encrypted".into(),
        ),
    ];
    let mut servers: Vec<(String, String)> = std::env::vars()
        .filter_map(|(name, url)| {
            let label = name.strip_prefix("SESSION_TEST_")?.strip_suffix("_URL")?;
            Some((label.to_ascii_lowercase().replace('_', "-"), url))
        })
        .collect();
    // The cluster's variable is a list of node URLs: one catalog URL.
    if let Ok(nodes) = std::env::var(session_backend_redis::testing::CLUSTER_URLS_VAR) {
        servers.push((
            "redis-cluster".into(),
            session_backend_redis::testing::cluster_url(&nodes),
        ));
    }
    servers.sort();
    urls.extend(servers);
    let mut list = Vec::new();
    for (label, url) in urls {
        let store = match rt.block_on(open_with(&url, &options)) {
            Ok(store) => store,
            Err(e) => {
                eprintln!("session-benches: skipping {label}: {e}");
                continue;
            }
        };
        let baseline = match baseline_for(&url) {
            Ok(baseline) => baseline,
            Err(e) => {
                eprintln!("session-benches: {label} runs without its raw baseline: {e}");
                None
            }
        };
        list.push(Backend {
            label,
            store,
            baseline,
        });
    }
    list
}

fn size_label(bytes: usize) -> String {
    match bytes % 1024 {
        0 => format!("{}KB", bytes / 1024),
        _ => format!("{bytes}B"),
    }
}

fn operations(c: &mut Criterion) {
    let rt = runtime();
    // Private (0700), as the file store requires of its directory.
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let dir = builder.tempdir().expect("a temporary directory");
    let backends = backends(&rt, dir.path());
    // Which sizes each store holds: one untimed create each.
    let holds: Vec<Vec<bool>> = backends
        .iter()
        .map(|backend| {
            SIZES
                .iter()
                .map(|&bytes| {
                    let created = rt.block_on(measure_ops(
                        Arc::clone(&backend.store),
                        Operation::Create,
                        bytes,
                        1,
                        1,
                    ));
                    match created {
                        Ok(_) => true,
                        Err(e) if e.kind() == ErrorKind::TooLarge => {
                            eprintln!(
                                "session-benches: {} cannot hold {}: skipped at that size",
                                backend.label,
                                size_label(bytes)
                            );
                            false
                        }
                        Err(e) => panic!("{}: {e}", backend.label),
                    }
                })
                .collect()
        })
        .collect();

    for op in Operation::ALL {
        let mut group = c.benchmark_group(op.name());
        for (size, bytes) in SIZES.into_iter().enumerate() {
            for tasks in TASKS {
                let parameter = format!(
                    "{}-{tasks}task{}",
                    size_label(bytes),
                    if tasks == 1 { "" } else { "s" }
                );
                group.throughput(Throughput::Elements(tasks as u64));
                for (b, backend) in backends.iter().enumerate() {
                    if !holds[b][size] {
                        continue;
                    }
                    let store = &backend.store;
                    group.bench_function(BenchmarkId::new(&backend.label, &parameter), |b| {
                        b.to_async(&rt).iter_custom(|iters| async move {
                            measure_ops(Arc::clone(store), op, bytes, tasks, iters * tasks as u64)
                                .await
                                .unwrap_or_else(|e| panic!("{e}"))
                                .elapsed
                        });
                    });
                    if let Some(baseline) = &backend.baseline {
                        group.bench_function(
                            BenchmarkId::new(format!("{}-raw", backend.label), &parameter),
                            |b| {
                                b.to_async(&rt).iter_custom(|iters| async move {
                                    measure_baseline_ops(
                                        Arc::clone(baseline),
                                        op,
                                        bytes,
                                        tasks,
                                        iters * tasks as u64,
                                    )
                                    .await
                                    .unwrap_or_else(|e| panic!("{e}"))
                                    .elapsed
                                });
                            },
                        );
                    }
                }
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // 7 groups x 3 sizes x 2 concurrencies x (7 backends + 7 baselines):
    // short runs keep the whole bench to several minutes on 2 cores.
    // Override per run: `-- --measurement-time 3 --warm-up-time 1`.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(500));
    targets = operations
}
criterion_main!(benches);
