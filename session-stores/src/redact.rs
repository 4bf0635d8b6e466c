//! [`redact`]: a URL fit to print.

/// `url` for logs and messages, its user-info (`user:password@`) replaced
/// by `***`, whatever the scheme, built in or not.
///
/// Everything before the last `@` ahead of the query counts as user-info,
/// `/` included (base64 passwords hold them): a path with an `@` is
/// over-redacted rather than a password shown. This is deliberately not a
/// URL parser: a URL too broken to parse must still print safely.
///
/// ```
/// assert_eq!(
///     session_stores::redact("redis://admin:s3cret@db:6379/0"),
///     "redis://***@db:6379/0"
/// );
/// ```
pub fn redact(url: &str) -> String {
    let rest_at = match url.find("://") {
        Some(i) => i + 3,
        None => url.find(':').map_or(0, |i| i + 1),
    };
    let rest = &url[rest_at..];
    let query_at = rest.find(['?', '#']).unwrap_or(rest.len());
    match rest[..query_at].rfind('@') {
        Some(at) => format!("{}***{}", &url[..rest_at], &rest[at..]),
        None => url.to_owned(),
    }
}
