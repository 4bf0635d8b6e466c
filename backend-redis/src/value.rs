//! How a record is laid out in a Redis string: `<expiry>:<data>`, the
//! expiry as whole microseconds since the Unix epoch (so the Lua scripts
//! can compare it with the caller's clock) and the data in the store's
//! codec. A cache tier's copy puts `<until>:` in front.

use session_core::time::OffsetDateTime;

/// The bytes of the prefix that [`expiry`] reads at most: a sign, 20 digits
/// and the colon fit.
pub(crate) const EXPIRY_BYTES: isize = 24;

/// `at` as microseconds since the Unix epoch.
pub(crate) fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The instant `micros` microseconds after the Unix epoch.
fn instant(micros: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok()
}

/// `<expiry>:<data>`.
pub(crate) fn encode(expires_at: OffsetDateTime, data: &str) -> String {
    let mut out = micros(expires_at).to_string();
    out.reserve(data.len() + 1);
    out.push(':');
    out.push_str(data);
    out
}

/// The instant at the head of `bytes` (`<micros>:`) and the rest, or `None`
/// when there is no such head.
pub(crate) fn split(bytes: &[u8]) -> Option<(OffsetDateTime, &[u8])> {
    let colon = bytes.iter().position(|b| *b == b':')?;
    let head = std::str::from_utf8(&bytes[..colon]).ok()?;
    let at = instant(head.parse().ok()?)?;
    Some((at, &bytes[colon + 1..]))
}

/// The milliseconds from `now` to `until`, rounded up so that the server
/// never frees a record before its expiry; zero or less when `until` has
/// passed.
pub(crate) fn ttl_millis(now: OffsetDateTime, until: OffsetDateTime) -> i64 {
    let nanos = (until - now).whole_nanoseconds();
    let millis = nanos.div_euclid(1_000_000) + i128::from(nanos.rem_euclid(1_000_000) != 0);
    i64::try_from(millis).unwrap_or(if millis > 0 { i64::MAX } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::time::Duration;

    #[test]
    fn values_round_trip_to_the_microsecond() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap();
        let text = encode(at, "{\"a\":\"b:c\"}");
        assert_eq!(text, "1700000000123456:{\"a\":\"b:c\"}");
        let (read, rest) = split(text.as_bytes()).unwrap();
        assert_eq!((read, rest), (at, &b"{\"a\":\"b:c\"}"[..]));
        assert!(split(b"not a record").is_none());
        assert!(split(b"12x:{}").is_none());
    }

    #[test]
    fn ttls_round_up_to_the_millisecond_and_never_to_seconds() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(ttl_millis(now, now + Duration::milliseconds(1_500)), 1_500);
        assert_eq!(ttl_millis(now, now + Duration::microseconds(1)), 1);
        assert_eq!(ttl_millis(now, now + Duration::microseconds(1_001)), 2);
        assert_eq!(ttl_millis(now, now), 0);
        assert!(ttl_millis(now, now - Duration::microseconds(1)) <= 0);
    }
}
