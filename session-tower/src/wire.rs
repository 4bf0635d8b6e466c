//! Django's cookie wire format (Python's `http.cookies` as Django uses it).
//!
//! - request cookies are parsed as `django.http.cookie.parse_cookie` does;
//! - values are quoted by [`quote_value`] and unquoted by [`unquote_value`]
//!   (`http.cookies._quote` and `_unquote`);
//! - `Set-Cookie` values are rendered as `Morsel.OutputString` renders the
//!   attributes Django sets, in Python's order (sorted by attribute name);
//! - dates are written by [`http_date`] (`django.utils.http.http_date`).

use std::collections::HashMap;

use session_core::SameSite;
use time::OffsetDateTime;
use time::macros::format_description;

/// Characters Python emits without quoting (`http.cookies._LegalChars`);
/// also the only characters allowed in a cookie name.
fn is_legal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~:".contains(c)
}

/// Characters Python leaves unescaped inside a quoted value
/// (`_UnescapedChars`).
fn is_unescaped_char(c: char) -> bool {
    is_legal_char(c) || " ()/<=>?@[]{}".contains(c)
}

/// True iff `name` may be a cookie name: non-empty and made only of Python's
/// legal characters (`http.cookies` raises `CookieError` otherwise).
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_legal_char)
}

/// Python's `_quote`: the value as is when it is non-empty and made of legal
/// characters, otherwise double-quoted with `"` and `\` backslash-escaped
/// and every other character below U+0100 outside `_UnescapedChars` written
/// as a three-digit octal escape (`;` is `\073`). Characters from U+0100 up
/// are kept as they are, as Python keeps them.
pub fn quote_value(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_legal_char) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_unescaped_char(c) || u32::from(c) > 0xFF => out.push(c),
            c => out.push_str(&format!("\\{:03o}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Python's `_unquote`: a value not wrapped in double quotes is returned as
/// is; otherwise the quotes are removed and `\ooo` (octal, first digit 0..3)
/// and `\c` escapes are resolved.
pub fn unquote_value(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    else {
        return value.to_owned();
    };
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let octal = chars.get(i + 1..i + 4).filter(|d| {
            matches!(d[0], '0'..='3') && matches!(d[1], '0'..='7') && matches!(d[2], '0'..='7')
        });
        match octal {
            Some(d) => {
                let code = d.iter().fold(0u32, |n, c| n * 8 + (u32::from(*c) - 48));
                out.extend(char::from_u32(code));
                i += 4;
            }
            None => {
                out.push(chars[i + 1]);
                i += 2;
            }
        }
    }
    out
}

/// Request cookies in Django's order: each name at the position of its first
/// occurrence, with the value of its last occurrence.
#[derive(Debug, Clone, Default)]
pub(crate) struct CookieMap {
    entries: Vec<(String, String)>,
    index: HashMap<String, usize>,
}

impl CookieMap {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.index.get(name).map(|&i| self.entries[i].1.as_str())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn insert(&mut self, name: String, value: String) {
        match self.index.get(&name) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(name.clone(), self.entries.len());
                self.entries.push((name, value));
            }
        }
    }
}

/// Django's `parse_cookie`: split on `;`, then on the first `=` (a chunk
/// without `=` is a value with an empty name), trim both sides, skip chunks
/// where both are empty, unquote the value; when a name repeats the last
/// value wins.
pub(crate) fn parse_cookie_header(header: &str, into: &mut CookieMap) {
    for chunk in header.split(';') {
        let (name, value) = chunk.split_once('=').unwrap_or(("", chunk));
        let (name, value) = (trim_py(name), trim_py(value));
        if !name.is_empty() || !value.is_empty() {
            into.insert(name.to_owned(), unquote_value(value));
        }
    }
}

/// Python's `str.strip()` for the characters that can occur in a header.
fn trim_py(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || c == '\x1c' || c == '\x1d' || c == '\x1e' || c == '\x1f'
    })
}

/// Parses every `Cookie` header of a request (joined as one list).
pub(crate) fn parse_request_cookies(headers: &http::HeaderMap) -> CookieMap {
    let mut map = CookieMap::default();
    for value in headers.get_all(http::header::COOKIE) {
        // Browsers send UTF-8; anything undecodable is replaced, not refused.
        parse_cookie_header(&String::from_utf8_lossy(value.as_bytes()), &mut map);
    }
    map
}

/// Every attribute Django can put on a cookie.
#[derive(Debug, Clone, Default)]
pub(crate) struct CookieSpec {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) max_age: Option<i64>,
    pub(crate) expires: Option<String>,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) secure: bool,
    pub(crate) httponly: bool,
    pub(crate) samesite: Option<SameSite>,
    pub(crate) partitioned: bool,
}

/// `Morsel.OutputString()`: `name=value` then the attributes sorted by name
/// as Python sorts them (Domain, expires, HttpOnly, Max-Age, Partitioned,
/// Path, SameSite, Secure); empty attributes are left out.
pub(crate) fn render_set_cookie(spec: &CookieSpec) -> String {
    let mut out = format!("{}={}", spec.name, quote_value(&spec.value));
    let mut attr = |text: &str| {
        out.push_str("; ");
        out.push_str(text);
    };
    if let Some(domain) = spec.domain.as_deref().filter(|d| !d.is_empty()) {
        attr(&format!("Domain={domain}"));
    }
    if let Some(expires) = spec.expires.as_deref().filter(|e| !e.is_empty()) {
        attr(&format!("expires={expires}"));
    }
    if spec.httponly {
        attr("HttpOnly");
    }
    if let Some(max_age) = spec.max_age {
        attr(&format!("Max-Age={max_age}"));
    }
    if spec.partitioned {
        attr("Partitioned");
    }
    if !spec.path.is_empty() {
        attr(&format!("Path={}", spec.path));
    }
    if let Some(samesite) = spec.samesite {
        attr(&format!("SameSite={}", samesite.as_str()));
    }
    if spec.secure {
        attr("Secure");
    }
    out
}

/// The expiry date Django writes on a deletion cookie.
pub(crate) const EPOCH_HTTP_DATE: &str = "Thu, 01 Jan 1970 00:00:00 GMT";

/// `http_date`: `Wdy, DD Mon YYYY HH:MM:SS GMT`, the fraction truncated.
/// Instants outside years 1..=9999 are clamped to that range instead of
/// failing (Python raises `OverflowError` there).
pub fn http_date(at: OffsetDateTime) -> String {
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let min = time::macros::datetime!(0001-01-01 00:00:00 UTC);
    let max = time::macros::datetime!(9999-12-31 23:59:59 UTC);
    let at = at.to_offset(time::UtcOffset::UTC).clamp(min, max);
    at.format(&format)
        .unwrap_or_else(|_| EPOCH_HTTP_DATE.to_owned())
}

/// `now + seconds`, saturating at the representable range.
pub(crate) fn add_seconds(now: OffsetDateTime, seconds: i64) -> OffsetDateTime {
    now.checked_add(time::Duration::seconds(seconds))
        .unwrap_or(if seconds < 0 {
            time::macros::datetime!(0001-01-01 00:00:00 UTC)
        } else {
            time::macros::datetime!(9999-12-31 23:59:59 UTC)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_matches_python() {
        assert_eq!(quote_value("abc:1r31eq:X-_"), "abc:1r31eq:X-_");
        assert_eq!(quote_value(""), "\"\"");
        assert_eq!(
            quote_value("hello world; \"q\":1"),
            "\"hello world\\073 \\\"q\\\":1\""
        );
        assert_eq!(
            quote_value("a,b\n\u{e9}\u{4e2d}"),
            "\"a\\054b\\012\\351\u{4e2d}\""
        );
        for v in [
            "",
            "x",
            "hello world; \"q\"",
            "a,b\\c\n\u{e9}\u{4e2d}",
            "\"",
            "\\",
        ] {
            assert_eq!(unquote_value(&quote_value(v)), v, "{v:?}");
        }
    }

    #[test]
    fn unquote_edge_cases_never_panic() {
        assert_eq!(unquote_value("\""), "\"");
        assert_eq!(unquote_value("\"\\\""), "\\");
        assert_eq!(unquote_value("\"\\4\""), "4");
        assert_eq!(unquote_value("\"\\377\""), "\u{ff}");
        assert_eq!(unquote_value("\"\\400\""), "400");
        assert_eq!(unquote_value("\"\u{4e2d}\\\""), "\u{4e2d}\\");
    }

    #[test]
    fn parse_like_django() {
        let mut map = CookieMap::default();
        parse_cookie_header(" a = 1 ; b=\"x\\073y\"; noeq; a=2; ;=; c=", &mut map);
        let got: Vec<_> = map.iter().collect();
        assert_eq!(got, vec![("a", "2"), ("b", "x;y"), ("", "noeq"), ("c", "")]);
    }

    #[test]
    fn http_date_format_and_clamp() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(http_date(at), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(
            http_date(add_seconds(at, i64::MAX)),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        assert_eq!(
            http_date(add_seconds(at, i64::MIN)),
            "Mon, 01 Jan 0001 00:00:00 GMT"
        );
        assert_eq!(http_date(OffsetDateTime::UNIX_EPOCH), EPOCH_HTTP_DATE);
    }
}
