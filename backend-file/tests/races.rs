//! Races: logout against save (L1), forced-key creates (K4), concurrent
//! saves, within one store and between two stores that share nothing but
//! the directory (as two processes would).
//!
//! The suite runs the same races on this store for the rules (`l1_*`,
//! `k4_*`, `r2_*` in `tests/conformance.rs`); each test here adds what only
//! the directory shows: the losers of a race leave no temporary file.

mod common;

use std::fs;
use std::path::Path;
use std::sync::Arc;

use common::{AGE, clock, private_tempdir, record, store};
use session_backend_file::{FileConfig, FileStore};
use session_core::key::FixedKey;
use session_core::serde_json::json;
use session_core::{ErrorKind, MockClock, SessionKey, SessionStore};

fn file_count(dir: &Path) -> usize {
    fs::read_dir(dir).expect("list").count()
}

/// Runs `trials` logout-vs-save races: `saver` saves while `deleter`
/// deletes; returns (resurrected, interrupted).
async fn logout_races(
    saver: Arc<FileStore>,
    deleter: Arc<FileStore>,
    clock: &MockClock,
    trials: usize,
) -> (usize, usize) {
    let (mut resurrected, mut interrupted) = (0, 0);
    for i in 0..trials {
        let key = saver
            .create(&record(clock, json!(i), AGE))
            .await
            .expect("create");
        let save = {
            let (store, key, rec) = (
                saver.clone(),
                key.clone(),
                record(clock, json!(-(i as i64)), AGE),
            );
            tokio::spawn(async move { store.save(&key, &rec).await })
        };
        let delete = {
            let (store, key) = (deleter.clone(), key.clone());
            tokio::spawn(async move { store.delete(&key).await })
        };
        delete.await.expect("join").expect("delete");
        match save.await.expect("join") {
            Ok(_) => {}
            Err(e) if e.is_interrupted() => interrupted += 1,
            Err(e) => panic!("unexpected save error: {e}"),
        }
        if saver.exists(&key).await.expect("exists") {
            resurrected += 1;
        }
    }
    (resurrected, interrupted)
}

/// L1: 1,000 logout-vs-save races in one store: 0 resurrected sessions,
/// and no file left behind.
/// Beyond `l1_logout_save_races_resurrect_nothing`: a save refused under the
/// key lock removes its temporary file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_racing_save_never_resurrects() {
    let dir = private_tempdir();
    let clock = clock();
    let store = Arc::new(store(dir.path(), &clock));
    let (resurrected, interrupted) = logout_races(store.clone(), store, &clock, 1_000).await;
    println!(
        "FIGURE backend=file test=logout_vs_save stores=1 trials=1000 resurrected={resurrected} interrupted={interrupted}"
    );
    assert_eq!(resurrected, 0);
    assert_eq!(file_count(dir.path()), 0);
}

/// L1 across processes: the saver and the deleter are two stores that share
/// no lock, only the directory. On Linux the swap is `RENAME_EXCHANGE`,
/// which fails once the file is gone.
/// Beyond `l1_cross_instance_logout_save_races_resurrect_nothing`: a save
/// whose `RENAME_EXCHANGE` fails removes its temporary file.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_racing_save_from_another_store_never_resurrects() {
    let dir = private_tempdir();
    let clock = clock();
    let saver = Arc::new(store(dir.path(), &clock));
    let deleter = Arc::new(store(dir.path(), &clock));
    let (resurrected, interrupted) = logout_races(saver, deleter, &clock, 1_000).await;
    println!(
        "FIGURE backend=file test=logout_vs_save stores=2 trials=1000 resurrected={resurrected} interrupted={interrupted}"
    );
    assert_eq!(resurrected, 0);
    assert_eq!(file_count(dir.path()), 0);
}

/// K4: 32 creates racing for one forced key, from two stores: exactly one
/// wins and its record is the one stored.
/// Beyond `k4_cross_instance_creates_with_one_forced_key_leave_one_holder`:
/// a create whose no-replace link loses removes its temporary file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_of_one_key_have_one_winner() {
    let dir = private_tempdir();
    let clock = clock();
    let fixed = SessionKey::parse("samekeysamekeysamekeysamekey0000").expect("key");
    let open = || {
        Arc::new(
            FileConfig::new()
                .with_directory(dir.path())
                .with_clock(clock.shared())
                .with_key_generator(FixedKey::shared(fixed.clone()))
                .build()
                .expect("store"),
        )
    };
    let stores = [open(), open()];
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let (store, rec) = (stores[i % 2].clone(), record(&clock, json!(i), AGE));
            tokio::spawn(async move { store.create(&rec).await.map(|_| i) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("join") {
            Ok(i) => winners.push(i),
            Err(e) => assert_eq!(e.kind(), ErrorKind::KeyCollision, "{e}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let stored = stores[0].load(&fixed).await.expect("load").expect("live");
    assert_eq!(stored.data["v"], json!(winners[0]));
    assert_eq!(file_count(dir.path()), 1, "losers leave no temporary file");
}

/// Concurrent saves of one session: each lands whole; the survivor is one
/// of them, never a mix or a torn file; no temporary file is left.
/// Beyond `r2_concurrent_saves_never_tear_a_record`: saves of growing sizes
/// swapped in by rename leave one file and no temporary one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_keep_one_whole_record() {
    let dir = private_tempdir();
    let clock = clock();
    let store = Arc::new(store(dir.path(), &clock));
    let key = store
        .create(&record(&clock, json!(0), AGE))
        .await
        .expect("create");
    let tasks: Vec<_> = (1..=32)
        .map(|i| {
            let rec = record(&clock, json!("x".repeat(i * 512)), AGE);
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move { store.save(&key, &rec).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("join").expect("save");
    }
    let stored = store.load(&key).await.expect("load").expect("live");
    let len = stored.data["v"].as_str().expect("a string").len();
    assert!(len % 512 == 0 && (512..=32 * 512).contains(&len));
    assert_eq!(file_count(dir.path()), 1);
}
