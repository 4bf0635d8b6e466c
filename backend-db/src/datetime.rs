//! `expire_date` as Django writes it into SQLite: naive UTC text
//! `YYYY-MM-DD HH:MM:SS[.ffffff]`, Python's `str(datetime)`.
//!
//! The fraction is written only when the microseconds are not zero, as
//! Python does, so text from Django and from this crate is identical.
//! Comparing two such texts as strings orders them as the instants they
//! name: they agree up to the seconds, and a missing fraction is the
//! smallest. The instant compared against is formatted the same way and
//! bound as a parameter.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Django's SQLite text for `at`, truncated to the microsecond.
pub(crate) fn format(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let micros = at.microsecond();
    let mut text = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if micros != 0 {
        text.push_str(&format!(".{micros:06}"));
    }
    text
}

/// Reads Django's SQLite text (a `T` separator and 1 to 6 fraction digits
/// are accepted too); `None` for anything else.
pub(crate) fn parse(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let micros = match &text[19..] {
        "" => 0,
        fraction => {
            let digits = fraction.strip_prefix('.')?;
            if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|c| c.is_ascii_digit())
            {
                return None;
            }
            digits.parse::<u32>().ok()? * 10u32.pow(6 - digits.len() as u32)
        }
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(num(8..10)?).ok()?).ok()?;
    let time = Time::from_hms_micro(
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(14..16)?).ok()?,
        u8::try_from(num(17..19)?).ok()?,
        micros,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_text_round_trips() {
        // The Django vector: `expire_date_raw` of `db_row_sqlite`.
        let at = parse("2023-11-28 22:13:20").expect("Django's text");
        assert_eq!(at.unix_timestamp(), 1_701_209_600);
        assert_eq!(format(at), "2023-11-28 22:13:20");
        let at = at + time::Duration::microseconds(5);
        assert_eq!(format(at), "2023-11-28 22:13:20.000005");
        assert_eq!(parse("2023-11-28 22:13:20.000005"), Some(at));
        assert_eq!(
            parse("2023-11-28T22:13:20.5").map(|t| t.microsecond()),
            Some(500_000)
        );
        for bad in [
            "",
            "2023-11-28",
            "2023-11-28 22:13:20.",
            "2023-11-28 22:13:20+00",
            "2023-13-28 22:13:20",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    /// Text order is time order, with and without a fraction.
    #[test]
    fn text_order_is_time_order() {
        let base = parse("2023-11-28 22:13:20").unwrap();
        let times: Vec<_> = [0, 1, 999_999, 1_000_000, 1_000_001]
            .iter()
            .map(|us| base + time::Duration::microseconds(*us))
            .collect();
        for a in &times {
            for b in &times {
                assert_eq!(format(*a).cmp(&format(*b)), a.cmp(b));
            }
        }
    }
}
