//! Time, injected: every expiry decision in the workspace asks a [`Clock`].
//!
//! Stores and the [`Session`](crate::Session) handle never call the system
//! time directly. Production code uses [`SystemClock`]; tests use
//! [`MockClock`] and move time forward with [`MockClock::advance`], so expiry
//! is tested to the exact second without sleeping (rule E5).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;

/// A source of the current time, in UTC.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;

    /// The current Unix time in whole seconds (floor), as Django's
    /// `int(time.time())` gives it to the timestamp signer.
    fn unix_seconds(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

/// A clock that several owners share: a store, its sessions, a test.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    /// The system clock as a [`SharedClock`].
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until a test moves it.
///
/// Clones share the same time, so a test keeps one clone and hands the other
/// to a store. Resolution is one microsecond, Django's resolution.
#[derive(Clone)]
pub struct MockClock {
    micros: Arc<AtomicI64>,
}

impl MockClock {
    /// A clock frozen at `start`, truncated to whole microseconds.
    pub fn new(start: OffsetDateTime) -> Self {
        let micros = (start.unix_timestamp_nanos() / 1_000) as i64;
        Self {
            micros: Arc::new(AtomicI64::new(micros)),
        }
    }

    /// A clock frozen at a Unix time in seconds.
    pub fn at_unix(seconds: i64) -> Self {
        Self {
            micros: Arc::new(AtomicI64::new(seconds.saturating_mul(1_000_000))),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let step = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.shift(step);
    }

    /// Moves the clock forward (or, with a negative value, back) by whole seconds.
    pub fn advance_secs(&self, seconds: i64) {
        self.shift(seconds.saturating_mul(1_000_000));
    }

    /// Adds `micros`, saturating instead of wrapping.
    fn shift(&self, micros: i64) {
        let _ = self
            .micros
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(micros))
            });
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        self.micros
            .store((at.unix_timestamp_nanos() / 1_000) as i64, Ordering::SeqCst);
    }

    /// This clock as a [`SharedClock`] that follows every later change.
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }
}

impl fmt::Debug for MockClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MockClock").field(&self.now()).finish()
    }
}

impl Clock for MockClock {
    fn now(&self) -> OffsetDateTime {
        let micros = i128::from(self.micros.load(Ordering::SeqCst));
        OffsetDateTime::from_unix_timestamp_nanos(micros * 1_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// E5: a mock clock moves only when told, and its clones move with it.
    #[test]
    fn e5_mock_clock_is_shared_and_advances_exactly() {
        let clock = MockClock::at_unix(1_700_000_000);
        let shared = clock.shared();
        assert_eq!(shared.unix_seconds(), 1_700_000_000);
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(shared.unix_seconds(), 1_700_000_001);
        assert_eq!(shared.now().microsecond(), 500_000);
        clock.advance_secs(-2);
        assert_eq!(shared.unix_seconds(), 1_699_999_999);
    }
}
