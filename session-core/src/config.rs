//! Django's `SESSION_*` settings, with Django's defaults.

/// The `SameSite` attribute of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// `SameSite=Lax`, Django's default.
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None`; browsers then require `Secure`, which Django adds to
    /// deletion cookies by itself.
    None,
}

impl SameSite {
    /// The attribute value as Django writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// Two weeks in seconds: Django's `SESSION_COOKIE_AGE` (rule E1).
pub const DEFAULT_COOKIE_AGE: i64 = 1_209_600;

/// Session settings. `Config::default()` equals Django 5.2's defaults.
///
/// | field | Django setting | default |
/// |---|---|---|
/// | `cookie_name` | `SESSION_COOKIE_NAME` | `sessionid` |
/// | `cookie_age` | `SESSION_COOKIE_AGE` | 1,209,600 s (two weeks) |
/// | `cookie_domain` | `SESSION_COOKIE_DOMAIN` | none |
/// | `cookie_path` | `SESSION_COOKIE_PATH` | `/` |
/// | `cookie_secure` | `SESSION_COOKIE_SECURE` | false |
/// | `cookie_httponly` | `SESSION_COOKIE_HTTPONLY` | true |
/// | `cookie_samesite` | `SESSION_COOKIE_SAMESITE` | `Some(Lax)`; `None` omits it |
/// | `save_every_request` | `SESSION_SAVE_EVERY_REQUEST` | false |
/// | `expire_at_browser_close` | `SESSION_EXPIRE_AT_BROWSER_CLOSE` | false |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Name of the session cookie; also the file backend's file-name prefix.
    pub cookie_name: String,
    /// Default session age in seconds, counted from the last save (E1).
    pub cookie_age: i64,
    /// `Domain` attribute of the cookie; `None` omits it.
    pub cookie_domain: Option<String>,
    /// `Path` attribute of the cookie.
    pub cookie_path: String,
    /// Whether the cookie carries `Secure`.
    pub cookie_secure: bool,
    /// Whether the cookie carries `HttpOnly`.
    pub cookie_httponly: bool,
    /// `SameSite` attribute; `None` omits it (Django's `False`).
    pub cookie_samesite: Option<SameSite>,
    /// Save the session (and refresh the cookie) on every request that has a
    /// non-empty session, not only on modification.
    pub save_every_request: bool,
    /// Whether sessions without their own expiry end when the browser closes (E4).
    pub expire_at_browser_close: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cookie_name: "sessionid".to_owned(),
            cookie_age: DEFAULT_COOKIE_AGE,
            cookie_domain: None,
            cookie_path: "/".to_owned(),
            cookie_secure: false,
            cookie_httponly: true,
            cookie_samesite: Some(SameSite::Lax),
            save_every_request: false,
            expire_at_browser_close: false,
        }
    }
}

impl Config {
    /// Sets `cookie_name`.
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }
    /// Sets `cookie_age`, in seconds.
    pub fn with_cookie_age(mut self, seconds: i64) -> Self {
        self.cookie_age = seconds;
        self
    }
    /// Sets `cookie_domain`.
    pub fn with_cookie_domain(mut self, domain: Option<String>) -> Self {
        self.cookie_domain = domain;
        self
    }
    /// Sets `cookie_path`.
    pub fn with_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.cookie_path = path.into();
        self
    }
    /// Sets `cookie_secure`.
    pub fn with_cookie_secure(mut self, secure: bool) -> Self {
        self.cookie_secure = secure;
        self
    }
    /// Sets `cookie_httponly`.
    pub fn with_cookie_httponly(mut self, httponly: bool) -> Self {
        self.cookie_httponly = httponly;
        self
    }
    /// Sets `cookie_samesite`.
    pub fn with_cookie_samesite(mut self, samesite: Option<SameSite>) -> Self {
        self.cookie_samesite = samesite;
        self
    }
    /// Sets `save_every_request`.
    pub fn with_save_every_request(mut self, every: bool) -> Self {
        self.save_every_request = every;
        self
    }
    /// Sets `expire_at_browser_close`.
    pub fn with_expire_at_browser_close(mut self, at_close: bool) -> Self {
        self.expire_at_browser_close = at_close;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// E1: the defaults are Django's.
    #[test]
    fn e1_defaults_are_djangos() {
        let config = Config::default();
        assert_eq!(config.cookie_name, "sessionid");
        assert_eq!(config.cookie_age, 1_209_600);
        assert_eq!(config.cookie_path, "/");
        assert_eq!(config.cookie_domain, None);
        assert!(!config.cookie_secure);
        assert!(config.cookie_httponly);
        assert_eq!(config.cookie_samesite, Some(SameSite::Lax));
        assert!(!config.save_every_request);
        assert!(!config.expire_at_browser_close);
    }
}
