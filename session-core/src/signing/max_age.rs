//! [`MaxAge`]: the maximum age of a timestamped signature (Django's
//! `max_age`, an `int` or a `timedelta`).

use std::fmt;
use std::time::Duration;

pub(super) const NANOS_PER_SEC: i128 = 1_000_000_000;

/// The maximum age of a timestamped signature, from whole seconds or a
/// [`Duration`].
///
/// A value is expired when `now - timestamp > max_age`: an age exactly equal
/// to `max_age` passes, and timestamps in the future always pass. Negative
/// second counts are allowed (everything not from the future is then
/// expired), as in Django.
///
/// `Display` writes whole seconds as an integer (`10`, matching Django's
/// message for an `int` max_age) and fractional ones with their decimals
/// (`10.5`). Django prints a `timedelta` as a float (`10.0`); that
/// difference is cosmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaxAge {
    nanos: i128,
}

impl MaxAge {
    /// A maximum age of `secs` whole seconds.
    pub const fn from_secs(secs: i64) -> Self {
        MaxAge {
            nanos: secs as i128 * NANOS_PER_SEC,
        }
    }

    /// A maximum age given as a [`Duration`] (nanosecond precision).
    pub const fn from_duration(duration: Duration) -> Self {
        MaxAge {
            nanos: duration.as_nanos() as i128,
        }
    }

    /// Whether a signature `age_secs` seconds old is past this maximum age.
    pub fn is_exceeded_by(self, age_secs: i64) -> bool {
        i128::from(age_secs) * NANOS_PER_SEC > self.nanos
    }

    /// Whether a signature `age_nanos` nanoseconds old is past this maximum
    /// age: Django's `time.time() - timestamp > max_age`, where the age has
    /// a fraction (`Signature age 100.29999995 > 100 seconds`).
    pub fn is_exceeded_by_nanos(self, age_nanos: i128) -> bool {
        age_nanos > self.nanos
    }
}

impl From<i64> for MaxAge {
    fn from(secs: i64) -> Self {
        MaxAge::from_secs(secs)
    }
}

impl From<u32> for MaxAge {
    fn from(secs: u32) -> Self {
        MaxAge::from_secs(i64::from(secs))
    }
}

impl From<Duration> for MaxAge {
    fn from(duration: Duration) -> Self {
        MaxAge::from_duration(duration)
    }
}

impl fmt::Display for MaxAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.nanos / NANOS_PER_SEC;
        let frac = (self.nanos % NANOS_PER_SEC).abs();
        if frac == 0 {
            return write!(f, "{secs}");
        }
        let sign = if self.nanos < 0 && secs == 0 { "-" } else { "" };
        let digits = format!("{frac:09}");
        write!(f, "{sign}{secs}.{}", digits.trim_end_matches('0'))
    }
}
