//! The request half of Django's `process_request`: where the session key of
//! a request comes from (the token header, else the session cookie).

use http::HeaderMap;

use crate::settings::Settings;
use crate::wire::{self, CookieMap};

/// Where the session key of a request came from; inserted into the request
/// extensions by the middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The session cookie (a browser).
    Cookie,
    /// The token header (a client without cookies).
    Header,
    /// Neither: the request has no session yet.
    None,
}

/// What the middleware remembers about the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestState {
    /// The request carried the session cookie, whatever its value.
    pub(crate) cookie_present: bool,
    /// Where the key came from.
    pub(crate) source: KeySource,
    /// The key the request carried (header first, then cookie), unchecked.
    pub(crate) key: Option<String>,
}

impl RequestState {
    /// Reads the session key of a request with `headers`: the token header
    /// (trimmed) wins over the session cookie; either is ignored when the
    /// layer does not use it. Also returns the request's cookies.
    pub(crate) fn read(settings: &Settings, headers: &HeaderMap) -> (Self, CookieMap) {
        let request_cookies = wire::parse_request_cookies(headers);
        let cookie = settings
            .cookie
            .then(|| request_cookies.get(&settings.config.cookie_name))
            .flatten()
            .map(str::to_owned);
        let header = settings
            .header
            .as_ref()
            .and_then(|name| headers.get(name))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned());
        let cookie_present = cookie.is_some();
        let (key, source) = match (header, cookie) {
            (Some(token), _) => (Some(token), KeySource::Header),
            (None, Some(value)) => (Some(value), KeySource::Cookie),
            (None, None) => (None, KeySource::None),
        };
        let state = Self {
            cookie_present,
            source,
            key,
        };
        (state, request_cookies)
    }
}
