//! A session's expiry in its file's modification time, to the nanosecond.
//!
//! The file format (Django's) has no room for an expiry, so the writer picks
//! the modification time from which the reader's rule, Django's own
//! (`get_expiry_age(modification=mtime, expiry=_session_expiry)`) but for
//! the deviations noted, gives the record's `expires_at` back:
//!
//! | `_session_expiry` in the data | expiry read back | mtime written |
//! |---|---|---|
//! | none, `0` (browser close) | `mtime + cookie_age` | `expires_at - cookie_age` |
//! | a date | the earlier of the date and `mtime + cookie_age` | `expires_at - cookie_age` |
//! | an integer `n > 0` | `mtime + n` (Django: never) | `expires_at - n` |
//! | an integer `n < 0` | expired at once, as in Django | `expires_at - cookie_age` |
//!
//! A file Django wrote has its save time as mtime, so each rule gives the
//! expiry Django's session had.

use std::fs;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use session_core::expiry::StoredExpiry;
use session_core::time::{self, OffsetDateTime};
use session_core::{Data, EXPIRY_KEY, Record};

use crate::error::FileError;
use crate::store::Inner;

impl Inner {
    /// The modification time from which [`Inner::expiry_of`] reads
    /// `record.expires_at` back (see the module table).
    pub(crate) fn mtime_for(&self, record: &Record) -> Result<SystemTime, FileError> {
        let back = match stored_seconds(&record.data) {
            Some(n) if n > 0 => n,
            _ => self.cookie_age,
        };
        record
            .expires_at
            .checked_sub(time::Duration::seconds(back))
            .and_then(to_system_time)
            .ok_or(FileError::TimeOutOfRange)
    }

    /// The expiry of a file modified at `modified` holding `data`, by the
    /// module table; `None` for data that is expired whenever it was
    /// written (a negative integer expiry) or a sum out of range.
    pub(crate) fn expiry_of(
        &self,
        modified: OffsetDateTime,
        data: &Data,
    ) -> Option<OffsetDateTime> {
        let by_cookie_age = modified.checked_add(time::Duration::seconds(self.cookie_age));
        match data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value) {
            Some(StoredExpiry::Date(date)) => by_cookie_age.map(|age| age.min(date)),
            Some(StoredExpiry::Seconds(n)) if n < 0 => None,
            Some(StoredExpiry::Seconds(n)) if n > 0 => {
                modified.checked_add(time::Duration::seconds(n))
            }
            _ => by_cookie_age,
        }
    }
}

/// The file's modification time, `None` when out of range.
pub(crate) fn modified_of(meta: &fs::Metadata) -> Option<OffsetDateTime> {
    from_system_time(meta.modified().ok()?)
}

/// An integer `_session_expiry` in `data`.
fn stored_seconds(data: &Data) -> Option<i64> {
    match data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value)? {
        StoredExpiry::Seconds(n) => Some(n),
        StoredExpiry::Date(_) => None,
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
