//! What `compare` and `bench` found for each backend, as the table and the
//! report read it.

use std::time::Duration;

use session_conformance::Report;

/// One operation of the benchmark on one backend.
#[derive(Debug, Clone)]
pub(crate) struct OpResult {
    /// The operation's name (`create`, `load hit`, ...).
    pub(crate) op: &'static str,
    /// Median latency with one task.
    pub(crate) median: Duration,
    /// 99th percentile latency with one task.
    pub(crate) p99: Duration,
    /// Median latency of the raw engine doing the same I/O, when the
    /// backend has a baseline.
    pub(crate) baseline: Option<Duration>,
}

impl OpResult {
    /// How many times slower than its raw engine the backend is.
    pub(crate) fn ratio(&self) -> Option<f64> {
        let baseline = self.baseline?.as_secs_f64();
        (baseline > 0.0).then(|| self.median.as_secs_f64() / baseline)
    }
}

/// Everything found about one backend.
#[derive(Debug, Clone)]
pub(crate) struct BackendResult {
    /// What the table and charts call it.
    pub(crate) label: String,
    /// The suite's report, when the suite ran.
    pub(crate) conformance: Option<Report>,
    /// One entry per operation measured.
    pub(crate) ops: Vec<OpResult>,
    /// Request cycles per second with 64 concurrent tasks.
    pub(crate) throughput: Option<f64>,
    /// Why the backend could not be measured, when it could not.
    pub(crate) error: Option<String>,
}

impl BackendResult {
    /// A backend with nothing found yet.
    pub(crate) fn new(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            conformance: None,
            ops: Vec::new(),
            throughput: None,
            error: None,
        }
    }

    /// The conformance result in a few words: `pass (54, 3 off)`,
    /// `FAIL 2 of 57`, `not run`.
    pub(crate) fn verdict(&self) -> String {
        let Some(report) = &self.conformance else {
            return "not run".to_owned();
        };
        let failed = report.failures().count();
        let off = report.off().count();
        let total = report.checks.len();
        if failed > 0 {
            format!("FAIL {failed} of {total}")
        } else if off > 0 {
            format!("pass ({} checks, {off} off)", total - off)
        } else {
            format!("pass ({total} checks)")
        }
    }
}

/// `d` in the unit that suits it: `850 ns`, `12.3 µs`, `4.1 ms`.
pub(crate) fn human(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 1_000 {
        format!("{ns} ns")
    } else if ns < 1_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{:.2} ms", ns as f64 / 1e6)
    }
}
