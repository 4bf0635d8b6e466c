//! The cookie API for handlers: Django's `request.COOKIES`,
//! `response.set_cookie` and `response.delete_cookie` (rule M3).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::HeaderValue;
use session_core::{SameSite, SharedClock};
use time::OffsetDateTime;

use crate::cookie_signing::CookieSigning;
use crate::error::CookieError;
use crate::prefix::{CookiePrefix, check_cookie_prefix};
use crate::wire::{self, CookieMap, CookieSpec};

/// A cookie to set, with Django's `set_cookie` arguments and defaults:
/// path `/`, no domain, not secure, not HttpOnly, no SameSite, and no
/// expiry (a cookie that ends with the browser session).
///
/// ```
/// use session_tower::{SameSite, SetCookie};
///
/// let cookie = SetCookie::new("username", "zhiliao")
///     .max_age(7 * 3600)
///     .httponly(true)
///     .samesite(Some(SameSite::Lax));
/// # let _ = cookie;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    name: String,
    value: String,
    max_age: Option<i64>,
    expires: Option<Expires>,
    path: String,
    domain: Option<String>,
    secure: bool,
    httponly: bool,
    samesite: Option<SameSite>,
    partitioned: bool,
}

/// The `expires` argument of Django's `set_cookie`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expires {
    /// A date-time: Django turns it into `Max-Age` (rounded up by one second,
    /// never negative), and `expires` then follows from `Max-Age`.
    At(OffsetDateTime),
    /// A preformatted date, written verbatim.
    Raw(String),
}

impl SetCookie {
    /// A cookie `name=value` with Django's defaults.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            max_age: None,
            expires: None,
            path: "/".to_owned(),
            domain: None,
            secure: false,
            httponly: false,
            samesite: None,
            partitioned: false,
        }
    }

    /// The cookie's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cookie's value, unquoted.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// `Max-Age` in seconds; `expires` is then added as now + `seconds`
    /// unless [`expires_raw`](SetCookie::expires_raw) was given. Negative
    /// values are written as they are, as Django does.
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Expires at `at` (Django's `expires=datetime`). Cannot be combined with
    /// [`max_age`](SetCookie::max_age): setting the cookie then fails, as in
    /// Django.
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.expires = Some(Expires::At(at));
        self
    }

    /// An `expires` attribute written verbatim (Django's `expires=str`).
    pub fn expires_raw(mut self, text: impl Into<String>) -> Self {
        self.expires = Some(Expires::Raw(text.into()));
        self
    }

    /// The `Path` attribute (default `/`; empty leaves it out).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The `Domain` attribute, written exactly as given (`.example.com`).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// The `Secure` flag.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The `HttpOnly` flag.
    pub fn httponly(mut self, httponly: bool) -> Self {
        self.httponly = httponly;
        self
    }

    /// The `SameSite` attribute; `None` leaves it out.
    pub fn samesite(mut self, samesite: Option<SameSite>) -> Self {
        self.samesite = samesite;
        self
    }

    /// The `Partitioned` flag (CHIPS; Python 3.14's morsel attribute).
    pub fn partitioned(mut self, partitioned: bool) -> Self {
        self.partitioned = partitioned;
        self
    }

    /// The same cookie with another value (used for signing).
    pub(crate) fn with_value(mut self, value: String) -> Self {
        self.value = value;
        self
    }

    /// Django's `set_cookie` rules applied at `now`.
    pub(crate) fn into_spec(self, now: OffsetDateTime) -> Result<CookieSpec, CookieError> {
        if !wire::is_valid_name(&self.name) {
            return Err(CookieError::InvalidName(self.name));
        }
        let unsafe_text = |t: &str| t.chars().any(|c| c == ';' || c.is_control());
        if unsafe_text(&self.path) {
            return Err(CookieError::InvalidAttribute("Path"));
        }
        if self.domain.as_deref().is_some_and(unsafe_text) {
            return Err(CookieError::InvalidAttribute("Domain"));
        }
        if let Some(Expires::Raw(text)) = &self.expires
            && unsafe_text(text)
        {
            return Err(CookieError::InvalidAttribute("expires"));
        }
        check_cookie_prefix(&self.name, self.secure, self.domain.as_deref(), &self.path)
            .map_err(CookieError::Prefix)?;
        let mut max_age = self.max_age;
        let mut expires = None;
        match self.expires {
            Some(Expires::At(at)) => {
                if max_age.is_some() {
                    return Err(CookieError::ExpiresAndMaxAge);
                }
                // Django: delta + 1 s, then days * 86400 + seconds (the
                // floor of the whole seconds), at least 0.
                let nanos = (at - now).whole_nanoseconds() + 1_000_000_000;
                let secs = nanos.div_euclid(1_000_000_000).max(0);
                max_age = Some(i64::try_from(secs).unwrap_or(i64::MAX));
            }
            Some(Expires::Raw(text)) => expires = Some(text),
            None => {}
        }
        if let (Some(age), None) = (max_age, &expires) {
            expires = Some(wire::http_date(wire::add_seconds(now, age)));
        }
        Ok(CookieSpec {
            name: self.name,
            value: self.value,
            max_age,
            expires,
            path: self.path,
            domain: self.domain,
            secure: self.secure,
            httponly: self.httponly,
            samesite: self.samesite,
            partitioned: self.partitioned,
        })
    }
}

/// Takes the attributes of a `cookie` crate cookie. Note that the `cookie`
/// crate drops a leading `.` from the domain, and a `Max-Age` is truncated
/// to whole seconds.
impl From<cookie::Cookie<'_>> for SetCookie {
    fn from(c: cookie::Cookie<'_>) -> Self {
        let mut out = SetCookie::new(c.name(), c.value())
            .secure(c.secure().unwrap_or(false))
            .httponly(c.http_only().unwrap_or(false))
            .partitioned(c.partitioned().unwrap_or(false))
            .samesite(c.same_site().map(|s| match s {
                cookie::SameSite::Strict => SameSite::Strict,
                cookie::SameSite::Lax => SameSite::Lax,
                cookie::SameSite::None => SameSite::None,
            }));
        if let Some(path) = c.path() {
            out = out.path(path);
        }
        if let Some(domain) = c.domain() {
            out = out.domain(domain);
        }
        if let Some(age) = c.max_age() {
            out = out.max_age(age.whole_seconds());
        } else if let Some(at) = c.expires_datetime() {
            out = out.expires_at(at);
        }
        out
    }
}

/// The cookies of one request and the cookies its response will set.
///
/// Inserted into the request extensions by [`SessionLayer`](crate::SessionLayer)
/// (and an axum extractor with the `axum` feature). Clones share the same
/// response cookies. Setting a cookie of a name already set replaces it, as
/// Django's `response.cookies` does.
#[derive(Clone)]
pub struct Cookies {
    inner: Arc<Inner>,
}

struct Inner {
    request: CookieMap,
    clock: SharedClock,
    signing: Option<Arc<CookieSigning>>,
    response: Mutex<Vec<(String, String)>>,
}

impl Cookies {
    pub(crate) fn new(
        request: CookieMap,
        clock: SharedClock,
        signing: Option<Arc<CookieSigning>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                request,
                clock,
                signing,
                response: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The value of request cookie `name` (Django's `request.COOKIES.get`),
    /// unquoted; when the name repeats, the last value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.inner.request.get(name)
    }

    /// Whether the request carried a cookie `name`, whatever its value.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every request cookie, in the order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.inner.request.iter()
    }

    /// The number of distinct request cookies.
    pub fn len(&self) -> usize {
        self.inner.request.len()
    }

    /// Whether the request carried no cookie.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets a response cookie (Django's `response.set_cookie`).
    ///
    /// # Errors
    /// [`CookieError::InvalidName`] for a name that is empty or has a
    /// character outside Python's legal set; [`CookieError::ExpiresAndMaxAge`]
    /// when both a date-time expiry and a max age are given;
    /// [`CookieError::InvalidAttribute`] for a path, domain or raw expiry
    /// with `;` or a control character. (The value may hold anything: it is
    /// quoted.) [`CookieError::Prefix`] for a name whose `__Secure-` or
    /// `__Host-` prefix (any letter case) the attributes break: `__Secure-`
    /// needs `secure(true)`; `__Host-` needs `secure(true)`, no domain and
    /// path `/`. Browsers would drop such a cookie silently; Django sets it.
    pub fn set(&self, cookie: impl Into<SetCookie>) -> Result<(), CookieError> {
        let spec = cookie.into().into_spec(self.now())?;
        self.push(spec);
        Ok(())
    }

    /// Deletes a cookie set with the default path and no domain (Django's
    /// `response.delete_cookie(name)`).
    ///
    /// # Errors
    /// [`CookieError::InvalidName`].
    pub fn delete(&self, name: &str) -> Result<(), CookieError> {
        self.delete_with(name, "/", None, None)
    }

    /// Deletes a cookie with the path, domain and SameSite it was set with
    /// (Django's `delete_cookie(key, path, domain, samesite)`): value `""`,
    /// `Max-Age=0`, an `expires` in 1970, and `Secure` when the name starts
    /// with `__Secure-` or `__Host-` (in any letter case) or SameSite is
    /// `None`.
    ///
    /// # Errors
    /// [`CookieError::InvalidName`], [`CookieError::InvalidAttribute`];
    /// [`CookieError::Prefix`] for a `__Host-` cookie with a domain or a
    /// path other than `/` (browsers would ignore that deletion).
    pub fn delete_with(
        &self,
        name: &str,
        path: &str,
        domain: Option<&str>,
        samesite: Option<SameSite>,
    ) -> Result<(), CookieError> {
        if !wire::is_valid_name(name) {
            return Err(CookieError::InvalidName(name.to_owned()));
        }
        let unsafe_text = |t: &str| t.chars().any(|c| c == ';' || c.is_control());
        if unsafe_text(path) || domain.is_some_and(unsafe_text) {
            return Err(CookieError::InvalidAttribute("Path or Domain"));
        }
        // `Secure` is forced below, so only a `__Host-` Domain/Path can fail.
        check_cookie_prefix(name, true, domain, path).map_err(CookieError::Prefix)?;
        self.push(deletion_spec(name, path, domain, samesite));
        Ok(())
    }

    /// The `Set-Cookie` values queued so far, in order, as
    /// `(name, header value)`.
    pub fn pending(&self) -> Vec<(String, String)> {
        self.response().clone()
    }

    pub(crate) fn signing(&self) -> Option<&CookieSigning> {
        self.inner.signing.as_deref()
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    pub(crate) fn push(&self, spec: CookieSpec) {
        let header = wire::render_set_cookie(&spec);
        let mut response = self.response();
        match response.iter_mut().find(|(name, _)| *name == spec.name) {
            Some(entry) => entry.1 = header,
            None => response.push((spec.name, header)),
        }
    }

    /// Appends the queued cookies to `headers`. A value that cannot be a
    /// header (impossible for quoted values) is dropped and logged.
    pub(crate) fn write_to(&self, headers: &mut http::HeaderMap) {
        for (name, header) in self.response().drain(..) {
            match HeaderValue::from_str(&header)
                .or_else(|_| HeaderValue::from_bytes(header.as_bytes()))
            {
                Ok(value) => {
                    headers.append(http::header::SET_COOKIE, value);
                }
                Err(_) => {
                    tracing::error!(target: "session::cookies", cookie = %name, "dropped a Set-Cookie header that is not a valid header value");
                }
            }
        }
    }

    fn response(&self) -> MutexGuard<'_, Vec<(String, String)>> {
        // A plain list, consistent after every statement.
        self.inner
            .response
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Django's `delete_cookie` as a cookie spec. `Secure` is forced for a
/// `__Secure-`/`__Host-` name (matched in any letter case, where Django's
/// check is case-sensitive) or SameSite `None`.
pub(crate) fn deletion_spec(
    name: &str,
    path: &str,
    domain: Option<&str>,
    samesite: Option<SameSite>,
) -> CookieSpec {
    let secure = CookiePrefix::of(name).is_some() || samesite == Some(SameSite::None);
    CookieSpec {
        name: name.to_owned(),
        value: String::new(),
        max_age: Some(0),
        expires: Some(wire::EPOCH_HTTP_DATE.to_owned()),
        path: path.to_owned(),
        domain: domain.map(str::to_owned),
        secure,
        httponly: false,
        samesite,
        partitioned: false,
    }
}

impl fmt::Debug for Cookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Cookie values may be secrets: show names only.
        let names: Vec<&str> = self.iter().map(|(name, _)| name).collect();
        f.debug_struct("Cookies")
            .field("request", &names)
            .field("pending", &self.response().len())
            .field("signing", &self.inner.signing.is_some())
            .finish()
    }
}
