//! Django's `patch_vary_headers`.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

/// Adds `names` to the `Vary` header as Django's `patch_vary_headers` does:
/// existing entries (from every `Vary` line) keep their order, a name already
/// present in any letter case is not added again, entries are joined with
/// `", "`, and a `*` anywhere collapses the header to `*`. Empty entries are
/// dropped (Django would keep an empty leading entry).
pub fn patch_vary(headers: &mut HeaderMap, names: &[&str]) {
    let mut entries: Vec<String> = headers
        .get_all(VARY)
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect();
    for name in names {
        if !entries.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            entries.push((*name).to_owned());
        }
    }
    let joined = if entries.iter().any(|e| e == "*") {
        "*".to_owned()
    } else {
        entries.join(", ")
    };
    headers.remove(VARY);
    if let Ok(value) = HeaderValue::from_str(&joined) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary(existing: &[&str], add: &[&str]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for e in existing {
            headers.append(VARY, HeaderValue::from_str(e).unwrap());
        }
        patch_vary(&mut headers, add);
        headers.get(VARY).map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn merges_like_django() {
        assert_eq!(vary(&[], &["Cookie"]).as_deref(), Some("Cookie"));
        assert_eq!(
            vary(&["Accept-Encoding"], &["Cookie"]).as_deref(),
            Some("Accept-Encoding, Cookie")
        );
        assert_eq!(
            vary(&["accept-encoding,  COOKIE"], &["Cookie"]).as_deref(),
            Some("accept-encoding, COOKIE")
        );
        assert_eq!(
            vary(&["Accept", "Origin"], &["Cookie"]).as_deref(),
            Some("Accept, Origin, Cookie")
        );
        assert_eq!(vary(&["Accept, *"], &["Cookie"]).as_deref(), Some("*"));
        assert_eq!(
            vary(&[""], &["Cookie", "X-Token"]).as_deref(),
            Some("Cookie, X-Token")
        );
    }
}
