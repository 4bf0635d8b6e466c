//! A session's expiry in its file's modification time, to the nanosecond:
//! `mtime = expires_at - cookie_age`, `expires_at = mtime + cookie_age`.

use std::fs;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use session_core::time::{self, OffsetDateTime};

use crate::error::FileError;
use crate::store::Inner;

impl Inner {
    /// `expires_at - cookie_age`, the modification time that encodes `expires_at`.
    pub(crate) fn mtime_for(&self, expires_at: OffsetDateTime) -> Result<SystemTime, FileError> {
        expires_at
            .checked_sub(time::Duration::seconds(self.cookie_age))
            .and_then(to_system_time)
            .ok_or(FileError::TimeOutOfRange)
    }

    /// `mtime + cookie_age`, the expiry a file's modification time encodes
    /// (and the one Django's file backend computes).
    pub(crate) fn expiry_of(&self, meta: &fs::Metadata) -> Option<OffsetDateTime> {
        let modified = meta.modified().ok()?;
        from_system_time(modified)?.checked_add(time::Duration::seconds(self.cookie_age))
    }
}

fn to_system_time(at: OffsetDateTime) -> Option<SystemTime> {
    let seconds = at.unix_timestamp();
    let nanos = Duration::from_nanos(u64::from(at.nanosecond()));
    if seconds >= 0 {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds.unsigned_abs()))?
            .checked_add(nanos)
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(seconds.unsigned_abs()))?
            .checked_add(nanos)
    }
}

fn from_system_time(at: SystemTime) -> Option<OffsetDateTime> {
    let nanos = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok()?,
        Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_nanosecond() {
        for unix_nanos in [
            0_i128,
            1_700_000_000_123_456_789,
            -86_400_000_000_001,
            253_402_300_799_999_999_999,
        ] {
            let at = OffsetDateTime::from_unix_timestamp_nanos(unix_nanos).expect("in range");
            let system = to_system_time(at).expect("representable");
            assert_eq!(from_system_time(system), Some(at));
        }
    }
}
