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
///
/// A parameter whose value is itself a URL (a cached-db URL's
/// `cache=redis://user:password@host/`) is redacted the same way.
pub fn redact(url: &str) -> String {
    let rest_at = match url.find("://") {
        Some(i) => i + 3,
        None => url.find(':').map_or(0, |i| i + 1),
    };
    let rest = &url[rest_at..];
    let query_at = rest.find(['?', '#']).unwrap_or(rest.len());
    let (location, query) = rest.split_at(query_at);
    let location = match location.rfind('@') {
        Some(at) => format!("***{}", &location[at..]),
        None => location.to_owned(),
    };
    format!("{}{location}{}", &url[..rest_at], redact_values(query))
}

/// `query` (with its leading `?`) with each value that holds a URL redacted.
fn redact_values(query: &str) -> String {
    let Some(mark) = query.chars().next() else {
        return String::new();
    };
    let parts: Vec<String> = query[mark.len_utf8()..]
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((name, value)) if value.contains("://") => format!("{name}={}", redact(value)),
            Some((name, value)) if value.to_ascii_uppercase().contains("%3A%2F%2F") => {
                match value.to_ascii_uppercase().rfind("%40") {
                    Some(at) => format!("{name}=***{}", &value[at..]),
                    None => part.to_owned(),
                }
            }
            _ => part.to_owned(),
        })
        .collect();
    format!("{mark}{}", parts.join("&"))
}
