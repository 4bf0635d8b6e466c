//! Support for code that [`suite!`](crate::suite) expands to. Not a stable API.

use std::future::Future;
use std::path::PathBuf;

use crate::harness::Harness;
use crate::report::{Failure, Outcome};

tokio::task_local! {
    /// The crate directory whose `proptest-regressions/` keeps the seeds of
    /// property-test failures; unset outside stamped tests.
    pub(crate) static REGRESSIONS_DIR: PathBuf;
}

/// Runs `body` with `dir` as the crate directory whose
/// `proptest-regressions/conformance.txt` the property tests read saved
/// seeds from and append failing seeds to, as a stamped test does with its
/// crate's `CARGO_MANIFEST_DIR`.
///
/// The setting holds for `body` only (a task-local, not an environment
/// variable), so tests running in parallel can each use their own
/// directory. Outside it, [`run`](crate::run) and the check functions
/// neither read nor save seeds.
pub async fn with_regressions_dir<F: Future>(dir: impl Into<PathBuf>, body: F) -> F::Output {
    REGRESSIONS_DIR.scope(dir.into(), body).await
}

/// Runs one stamped test: builds the runtime `#[tokio::test(flavor =
/// "multi_thread", worker_threads = 2)]` would, runs the check, prints
/// `off:`/`skipped:` lines and panics on a failure.
pub fn run_test<H: Harness>(
    check: &str,
    manifest_dir: &str,
    harness: &H,
    body: impl Future<Output = Result<Outcome, Failure>>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the conformance test");
    let result = runtime.block_on(REGRESSIONS_DIR.scope(PathBuf::from(manifest_dir), body));
    match result {
        Ok(Outcome::Pass) => {}
        Ok(Outcome::Off(reason)) => println!("off: {check}: {reason}"),
        Ok(Outcome::Skipped(reason)) => println!("skipped: {}: {reason}", harness.name()),
        Err(failure) => panic!("{failure}"),
    }
}
