//! The benchmark part of `compare` and `bench`, on `session-benches`: each
//! operation at 1 KB with one task, the same against the backend's raw
//! engine baseline, then request cycles with 64 tasks. The workloads and
//! the timing are the benches crate's; this file only chooses the budget.

use std::time::Duration;

use indicatif::ProgressBar;
use session_benches::{Operation, baseline_for, measure as measure_store, measure_baseline};
use session_stores::Options;

use crate::error::CliError;
use crate::results::OpResult;
use crate::targets::{Target, open};

/// The session size of the table and charts: 1 KB of JSON.
pub(crate) const BYTES: usize = 1024;
/// Concurrent tasks for the throughput figure.
pub(crate) const TASKS: usize = 64;

/// How long each measurement runs: a few seconds per backend in all, less
/// than a second and a half with `quick`.
fn budget(quick: bool) -> Duration {
    match quick {
        true => Duration::from_millis(60),
        false => Duration::from_millis(250),
    }
}

/// Progress steps of [`measure`]: one per operation, one for throughput.
pub(crate) fn steps() -> u64 {
    Operation::ALL.len() as u64 + 1
}

/// Measures `target`: per operation the median and p99 with one task and
/// the baseline's median, then request cycles per second with [`TASKS`].
pub(crate) async fn measure(
    target: &Target,
    options: &Options,
    quick: bool,
    bar: &ProgressBar,
) -> Result<(Vec<OpResult>, Option<f64>), CliError> {
    let failed = |reason: String| CliError::Bench {
        label: target.label.clone(),
        reason,
    };
    let store = open(target, options).await?;
    let baseline = baseline_for(&target.url).map_err(|e| failed(e.to_string()))?;
    let budget = budget(quick);
    let mut ops = Vec::new();
    for op in Operation::ALL {
        bar.set_message(op.name());
        let m = measure_store(store.clone(), op, BYTES, 1, budget)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let raw = match &baseline {
            Some(baseline) => Some(
                measure_baseline(baseline.clone(), op, BYTES, 1, budget)
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .median(),
            ),
            None => None,
        };
        ops.push(OpResult {
            op: op.name(),
            median: m.median(),
            p99: m.p99(),
            baseline: raw,
        });
        bar.inc(1);
    }
    bar.set_message("64 tasks");
    let cycles = measure_store(store, Operation::RequestCycle, BYTES, TASKS, budget * 2)
        .await
        .map_err(|e| failed(e.to_string()))?;
    bar.inc(1);
    Ok((ops, Some(cycles.ops_per_sec())))
}
