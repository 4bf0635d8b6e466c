#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod cx;
mod harness;
mod list;
pub mod logs;
mod macros;
mod memory;
mod model;
mod report;

pub mod checks;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use async_trait::async_trait;
pub use checks::{CHECKS, CheckInfo};
pub use harness::{
    Corruption, Ctx, Erased, Harness, REQUIRE_VAR, START_UNIX, Skip, env_url, required,
};
pub use memory::MemoryHarness;
pub use report::{CheckReport, Failure, Outcome, Report, RuleSummary};
pub use session_core::testing::ProbeStore;

/// Runs every check of the suite against `harness`, one after the other,
/// and returns a per-check and per-rule [`Report`].
///
/// This is the runtime entry point the command-line tool uses to test a
/// live deployment; `suite!` runs the same checks as separate tests.
///
/// When the harness returns [`Skip`] before it has ever opened a store (its
/// server is not configured), the check and the remaining ones are reported
/// skipped without opening it again, and the report is still a success,
/// unless `SESSION_TEST_REQUIRE` names the backend (then each skip is a
/// failure). A [`Skip`] after the harness has opened a store, in an earlier
/// check or earlier in the same check, means the store was lost mid-run:
/// that check fails with rule `setup`, the remaining checks are reported
/// skipped with that reason, and [`Report::is_success`] is false.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let report = session_conformance::run(&session_conformance::MemoryHarness).await;
/// assert!(report.is_success(), "{report}");
/// # }
/// ```
pub async fn run<H: Harness>(harness: &H) -> Report {
    checks::run_all(harness).await
}
