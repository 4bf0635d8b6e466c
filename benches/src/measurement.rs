//! [`Measurement`]: what one run of an operation measured.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::operation::Operation;

/// Latencies and throughput of one operation at one size and concurrency,
/// against a store or a raw baseline.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// What was run.
    pub operation: Operation,
    /// The session data size, in encoded JSON bytes (see [`payload`](crate::payload)).
    pub bytes: usize,
    /// How many tasks ran it concurrently.
    pub tasks: usize,
    /// The latency of every operation, in nanoseconds.
    pub histogram: Histogram<u64>,
    /// How many operations completed.
    pub ops: u64,
    /// Wall-clock time of the measured phases, with the untimed preparation
    /// and clean-up between them left out.
    pub elapsed: Duration,
}

/// Highest latency the histograms hold: one hour, in nanoseconds. Longer
/// ones are recorded as one hour.
pub(crate) const MAX_NANOS: u64 = 3_600 * 1_000_000_000;

/// An empty latency histogram: 1 ns to [`MAX_NANOS`], three significant digits.
pub(crate) fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_NANOS, 3).expect("constant bounds hdrhistogram accepts")
}

impl Measurement {
    /// The median latency.
    pub fn median(&self) -> Duration {
        self.quantile(0.5)
    }

    /// The 99th-percentile latency.
    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    /// The latency at `quantile` (0.0 to 1.0).
    pub fn quantile(&self, quantile: f64) -> Duration {
        Duration::from_nanos(self.histogram.value_at_quantile(quantile))
    }

    /// Completed operations per second of [`elapsed`](Self::elapsed), all
    /// tasks together; 0 when nothing was timed.
    pub fn ops_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.ops as f64 / secs
        } else {
            0.0
        }
    }

    /// Mean wall time per operation, all tasks together (the inverse of
    /// [`ops_per_sec`](Self::ops_per_sec)): what criterion reports.
    pub fn time_per_op(&self) -> Duration {
        match self.ops {
            0 => Duration::ZERO,
            ops => self.elapsed.div_f64(ops as f64),
        }
    }
}
