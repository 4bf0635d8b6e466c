//! Per-session expiry, stored in the data as Django stores it (rules E1..E4).
//!
//! [`Expiry`] is what an application asks for with
//! [`Session::set_expiry`](crate::Session::set_expiry). It is kept in the
//! session data under [`EXPIRY_KEY`](crate::EXPIRY_KEY) in Django's
//! representation ([`StoredExpiry`]): an integer number of seconds, or an
//! ISO-8601 string such as `2023-11-14T22:13:30+00:00`. Because it lives in
//! the data, it survives reloads and Django reads it unchanged.
//!
//! The free functions [`expiry_age`], [`expiry_date`] and
//! [`expire_at_browser_close`] are Django's `get_expiry_age`,
//! `get_expiry_date` and `get_expire_at_browser_close` with every argument
//! explicit; the session handle supplies the defaults.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// How long a session lives, as passed to
/// [`Session::set_expiry`](crate::Session::set_expiry) (rule E2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Back to the configured default: removes the stored expiry (Django's `None`).
    Default,
    /// Ends when the browser closes: a cookie without `Max-Age`. Stored as
    /// `0`. The record is still kept for the configured age (E4).
    BrowserClose,
    /// Ends after this many seconds without a save (Django's integer). `0` is
    /// the same as [`Expiry::BrowserClose`]; a negative value has already expired.
    Seconds(i64),
    /// Ends at this instant (Django's `datetime`). Stored as ISO-8601 with the
    /// instant's own offset.
    At(OffsetDateTime),
    /// Ends this long after now (Django's `timedelta`). Stored as the
    /// resulting instant, in UTC.
    In(Duration),
}

/// A per-session expiry as it is stored under `_session_expiry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredExpiry {
    /// An integer number of seconds; `0` means "at browser close".
    Seconds(i64),
    /// An absolute instant, kept with its original UTC offset.
    Date(OffsetDateTime),
}

impl StoredExpiry {
    /// Reads Django's representation: an integer (a float is floored), or an
    /// ISO-8601 string (one without an offset is taken as UTC). `None` for
    /// anything else, which then counts as no expiry at all.
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.is_finite())
                        .map(|f| f.floor() as i64)
                })
                .map(StoredExpiry::Seconds),
            Value::String(s) => parse_iso(s).map(StoredExpiry::Date),
            _ => None,
        }
    }

    /// Django's representation: a JSON integer, or the string of
    /// [`format_iso`].
    pub fn to_value(self) -> Value {
        match self {
            StoredExpiry::Seconds(n) => Value::from(n),
            StoredExpiry::Date(at) => Value::String(format_iso(at)),
        }
    }
}

impl Expiry {
    /// What this choice stores under `_session_expiry` at `now`; `None`
    /// removes the entry.
    pub fn to_stored(self, now: OffsetDateTime) -> Option<StoredExpiry> {
        match self {
            Expiry::Default => None,
            Expiry::BrowserClose => Some(StoredExpiry::Seconds(0)),
            Expiry::Seconds(n) => Some(StoredExpiry::Seconds(n)),
            Expiry::At(at) => Some(StoredExpiry::Date(truncate_to_micros(at))),
            Expiry::In(delta) => Some(StoredExpiry::Date(truncate_to_micros(add_clamped(
                now, delta,
            )))),
        }
    }
}

/// Django's `get_expiry_age`: seconds until expiry, measured from `modification`.
///
/// No stored expiry, or `0` (browser close), gives `cookie_age`; an integer
/// is returned unchanged whatever `modification` is; an instant gives the
/// whole seconds between `modification` and it, floored towards minus
/// infinity (+1.5 s gives 1, -0.5 s gives -1), so the age can be negative.
pub fn expiry_age(
    stored: Option<StoredExpiry>,
    modification: OffsetDateTime,
    cookie_age: i64,
) -> i64 {
    match stored {
        None | Some(StoredExpiry::Seconds(0)) => cookie_age,
        Some(StoredExpiry::Seconds(n)) => n,
        Some(StoredExpiry::Date(at)) => {
            let micros = (at - modification).whole_microseconds();
            micros
                .div_euclid(1_000_000)
                .clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
        }
    }
}

/// Django's `get_expiry_date`: the instant the session expires.
///
/// A stored instant is returned as it is (with its own offset); otherwise
/// `modification` plus the integer, or plus `cookie_age` when there is none
/// or it is `0`.
pub fn expiry_date(
    stored: Option<StoredExpiry>,
    modification: OffsetDateTime,
    cookie_age: i64,
) -> OffsetDateTime {
    let seconds = match stored {
        Some(StoredExpiry::Date(at)) => return at,
        None | Some(StoredExpiry::Seconds(0)) => cookie_age,
        Some(StoredExpiry::Seconds(n)) => n,
    };
    add_clamped(modification, Duration::seconds(seconds))
}

/// `at + delta`, clamped to the representable range instead of overflowing.
fn add_clamped(at: OffsetDateTime, delta: Duration) -> OffsetDateTime {
    at.checked_add(delta).unwrap_or(if delta.is_positive() {
        OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT)
    } else {
        OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT)
    })
}

/// Django's `get_expire_at_browser_close` (rule E4): the configured default
/// when the session has no expiry of its own, true for `0`, false otherwise.
pub fn expire_at_browser_close(stored: Option<StoredExpiry>, default: bool) -> bool {
    match stored {
        None => default,
        Some(expiry) => expiry == StoredExpiry::Seconds(0),
    }
}

/// Formats an instant as Python's `datetime.isoformat()` does for an aware
/// datetime: `2023-11-14T22:13:30+00:00`, with `.ffffff` only when the
/// microseconds are not zero.
pub fn format_iso(at: OffsetDateTime) -> String {
    let offset = at.offset();
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if at.microsecond() != 0 {
        out.push_str(&format!(".{:06}", at.microsecond()));
    }
    out.push_str(&format!(
        "{sign}{:02}:{:02}",
        h.unsigned_abs(),
        m.unsigned_abs()
    ));
    out
}

/// Parses the ISO-8601 forms Python's `datetime.fromisoformat` writes: a `T`
/// or space between date and time, optional fraction, and an offset (`Z`,
/// `+HH:MM`) or none, which is taken as UTC.
pub fn parse_iso(text: &str) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    let normalized = text.replacen(' ', "T", 1);
    if let Ok(at) = OffsetDateTime::parse(&normalized, &Rfc3339) {
        return Some(at);
    }
    let naive = format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(&normalized, &naive)
        .ok()
        .map(|p| p.assume_offset(UtcOffset::UTC))
}

fn truncate_to_micros(at: OffsetDateTime) -> OffsetDateTime {
    let micros = at.microsecond();
    at.replace_nanosecond(micros * 1_000).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const AGE: i64 = 1_209_600;

    /// E3: an instant gives whole seconds floored towards minus infinity.
    #[test]
    fn e3_age_of_an_instant_is_floored() {
        let now = datetime!(2023-11-14 22:13:20 UTC);
        let age = |d: Duration| expiry_age(Some(StoredExpiry::Date(now + d)), now, AGE);
        assert_eq!(age(Duration::milliseconds(1_500)), 1);
        assert_eq!(age(Duration::milliseconds(-500)), -1);
        assert_eq!(age(Duration::seconds(-30)), -30);
        assert_eq!(age(Duration::seconds(30) + Duration::milliseconds(900)), 30);
    }

    /// E3: integers come back unchanged; none and zero give the cookie age.
    #[test]
    fn e3_age_of_integers_and_defaults() {
        let now = datetime!(2023-11-14 22:13:20 UTC);
        assert_eq!(expiry_age(Some(StoredExpiry::Seconds(50)), now, AGE), 50);
        assert_eq!(expiry_age(Some(StoredExpiry::Seconds(-10)), now, AGE), -10);
        assert_eq!(expiry_age(Some(StoredExpiry::Seconds(0)), now, AGE), AGE);
        assert_eq!(expiry_age(None, now, AGE), AGE);
        assert_eq!(
            expiry_date(None, now, AGE),
            datetime!(2023-11-28 22:13:20 UTC)
        );
        assert_eq!(
            expiry_date(Some(StoredExpiry::Seconds(50)), now, AGE),
            datetime!(2023-11-14 22:14:10 UTC)
        );
    }

    /// E2: instants are written as Python's `isoformat()` writes them.
    #[test]
    fn e2_iso_format_matches_python() {
        assert_eq!(
            format_iso(datetime!(2023-11-14 22:13:30 UTC)),
            "2023-11-14T22:13:30+00:00"
        );
        assert_eq!(
            format_iso(datetime!(2023-11-14 22:13:21.5 UTC)),
            "2023-11-14T22:13:21.500000+00:00"
        );
        assert_eq!(
            format_iso(datetime!(2023-11-15 01:13:20 +2)),
            "2023-11-15T01:13:20+02:00"
        );
        assert_eq!(
            format_iso(datetime!(2023-11-15 01:13:20 -5:30)),
            "2023-11-15T01:13:20-05:30"
        );
        for text in [
            "2023-11-14T22:13:30+00:00",
            "2023-11-14T22:13:21.500000+00:00",
            "2023-11-15T01:13:20+02:00",
        ] {
            assert_eq!(format_iso(parse_iso(text).expect(text)), text);
        }
        assert_eq!(
            parse_iso("2023-11-14T22:13:30"),
            Some(datetime!(2023-11-14 22:13:30 UTC))
        );
        assert_eq!(
            parse_iso("2023-11-14 22:13:30"),
            Some(datetime!(2023-11-14 22:13:30 UTC))
        );
        assert_eq!(parse_iso("not a date"), None);
    }

    /// E2: a duration past the end of time clamps instead of panicking.
    #[test]
    fn e2_huge_durations_clamp() {
        let now = datetime!(2023-11-14 22:13:20 UTC);
        for delta in [Duration::MAX, Duration::MIN] {
            let Some(StoredExpiry::Date(at)) = Expiry::In(delta).to_stored(now) else {
                panic!("a duration stores a date");
            };
            assert!(at.year().abs() >= 9999);
        }
        let _ = expiry_date(Some(StoredExpiry::Seconds(i64::MAX)), now, AGE);
        let _ = expiry_date(Some(StoredExpiry::Seconds(i64::MIN)), now, AGE);
    }

    /// E4: browser close is true only for a stored zero, else the default.
    #[test]
    fn e4_browser_close_follows_django() {
        assert!(expire_at_browser_close(None, true));
        assert!(!expire_at_browser_close(None, false));
        assert!(expire_at_browser_close(
            Some(StoredExpiry::Seconds(0)),
            false
        ));
        assert!(!expire_at_browser_close(
            Some(StoredExpiry::Seconds(10)),
            true
        ));
    }

    /// E2: stored values parse back; junk counts as no expiry.
    #[test]
    fn e2_stored_values_round_trip() {
        for stored in [
            StoredExpiry::Seconds(300),
            StoredExpiry::Seconds(-10),
            StoredExpiry::Date(datetime!(2023-11-15 01:13:20 +2)),
        ] {
            assert_eq!(StoredExpiry::from_value(&stored.to_value()), Some(stored));
        }
        assert_eq!(
            StoredExpiry::from_value(&serde_json::json!(1.5)),
            Some(StoredExpiry::Seconds(1))
        );
        assert_eq!(StoredExpiry::from_value(&serde_json::json!([1])), None);
        assert_eq!(
            StoredExpiry::from_value(&serde_json::json!("garbage")),
            None
        );
    }
}
