//! Cookie name prefixes (`__Secure-`, `__Host-`) and the attributes
//! browsers require for them (requirement R18).
//!
//! A browser silently drops a cookie whose name carries a prefix its
//! attributes do not satisfy (RFC 6265bis §4.1.3):
//!
//! - `__Secure-`: the cookie must be `Secure`;
//! - `__Host-`: the cookie must be `Secure`, have no `Domain` and have
//!   `Path=/`.
//!
//! Prefixes are matched ASCII-case-insensitively, as current browsers and
//! RFC 6265bis do (`__secure-id` is held to the `__Secure-` rule). Django
//! checks none of this when setting a cookie; here a session layer refuses
//! (or, through the infallible constructor, repairs) such a configuration
//! and [`Cookies::set`](crate::Cookies::set) refuses such a cookie.

use std::fmt;

use session_core::Config;

/// A cookie name prefix that browsers enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CookiePrefix {
    /// `__Secure-`: the cookie must carry `Secure`.
    Secure,
    /// `__Host-`: the cookie must carry `Secure`, no `Domain`, and `Path=/`.
    Host,
}

impl CookiePrefix {
    /// The prefix of cookie `name`, matched ASCII-case-insensitively, or
    /// `None` when the name has no enforced prefix.
    pub fn of(name: &str) -> Option<Self> {
        let starts = |prefix: &str| {
            name.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        if starts("__Host-") {
            Some(CookiePrefix::Host)
        } else if starts("__Secure-") {
            Some(CookiePrefix::Secure)
        } else {
            None
        }
    }

    /// The prefix as browsers spell it: `__Secure-` or `__Host-`.
    pub fn as_str(self) -> &'static str {
        match self {
            CookiePrefix::Secure => "__Secure-",
            CookiePrefix::Host => "__Host-",
        }
    }
}

impl fmt::Display for CookiePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cookie whose attributes break the rule of its name's prefix, so that
/// browsers would drop it without any error.
///
/// Returned (wrapped) by [`SessionLayer::try_new`](crate::SessionLayer::try_new)
/// as [`ConfigError::CookiePrefix`] and by
/// [`Cookies::set`](crate::Cookies::set) as
/// [`CookieError::Prefix`](crate::CookieError::Prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookiePrefixError {
    /// A `__Secure-` or `__Host-` cookie without `Secure`.
    NotSecure {
        /// The cookie's name.
        name: String,
        /// Its prefix.
        prefix: CookiePrefix,
    },
    /// A `__Host-` cookie with a `Domain` attribute.
    HostWithDomain {
        /// The cookie's name.
        name: String,
    },
    /// A `__Host-` cookie whose `Path` is not `/` (an empty path, which
    /// leaves the attribute out, counts as not `/`).
    HostPath {
        /// The cookie's name.
        name: String,
        /// The path it was given.
        path: String,
    },
}

impl fmt::Display for CookiePrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookiePrefixError::NotSecure { name, prefix } => write!(
                f,
                "cookie {name:?} has the {prefix} prefix and must be Secure; browsers drop it otherwise"
            ),
            CookiePrefixError::HostWithDomain { name } => write!(
                f,
                "cookie {name:?} has the __Host- prefix and must have no Domain; browsers drop it otherwise"
            ),
            CookiePrefixError::HostPath { name, path } => write!(
                f,
                "cookie {name:?} has the __Host- prefix and must have Path=/ (not {path:?}); browsers drop it otherwise"
            ),
        }
    }
}

impl std::error::Error for CookiePrefixError {}

/// A session layer configuration that cannot work, refused by
/// [`SessionLayer::try_new`](crate::SessionLayer::try_new).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `cookie_name` has a `__Secure-`/`__Host-` prefix that `cookie_secure`,
    /// `cookie_domain` or `cookie_path` break (rule R18).
    CookiePrefix(CookiePrefixError),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::CookiePrefix(err) => write!(f, "session cookie: {err}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::CookiePrefix(err) => Some(err),
        }
    }
}

impl From<CookiePrefixError> for ConfigError {
    fn from(err: CookiePrefixError) -> Self {
        ConfigError::CookiePrefix(err)
    }
}

/// Checks a cookie's attributes against the rule of its name's prefix:
/// `__Secure-` needs `secure`; `__Host-` needs `secure`, no (or an empty)
/// `domain` and `path == "/"`. Names without a prefix always pass.
///
/// # Errors
/// The first rule broken, in the order Secure, Domain, Path.
pub fn check_cookie_prefix(
    name: &str,
    secure: bool,
    domain: Option<&str>,
    path: &str,
) -> Result<(), CookiePrefixError> {
    let Some(prefix) = CookiePrefix::of(name) else {
        return Ok(());
    };
    if !secure {
        return Err(CookiePrefixError::NotSecure {
            name: name.to_owned(),
            prefix,
        });
    }
    if prefix == CookiePrefix::Host {
        if domain.is_some_and(|d| !d.is_empty()) {
            return Err(CookiePrefixError::HostWithDomain {
                name: name.to_owned(),
            });
        }
        if path != "/" {
            return Err(CookiePrefixError::HostPath {
                name: name.to_owned(),
                path: path.to_owned(),
            });
        }
    }
    Ok(())
}

/// Checks the session cookie of `config` ([`check_cookie_prefix`] on
/// `cookie_name`, `cookie_secure`, `cookie_domain`, `cookie_path`).
pub(crate) fn check_config(config: &Config) -> Result<(), CookiePrefixError> {
    check_cookie_prefix(
        &config.cookie_name,
        config.cookie_secure,
        config.cookie_domain.as_deref(),
        &config.cookie_path,
    )
}

/// Makes the session cookie of `config` satisfy its prefix: `Secure` on;
/// for `__Host-` also no `Domain` and `Path=/`. Returns what it changed
/// (empty when the configuration was already valid).
pub(crate) fn force_config(config: &mut Config) -> Vec<CookiePrefixError> {
    let mut fixed = Vec::new();
    while let Err(err) = check_config(config) {
        match &err {
            CookiePrefixError::NotSecure { .. } => config.cookie_secure = true,
            CookiePrefixError::HostWithDomain { .. } => config.cookie_domain = None,
            CookiePrefixError::HostPath { .. } => config.cookie_path = "/".to_owned(),
        }
        fixed.push(err);
    }
    fixed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_case_insensitively() {
        assert_eq!(CookiePrefix::of("__Host-id"), Some(CookiePrefix::Host));
        assert_eq!(CookiePrefix::of("__host-id"), Some(CookiePrefix::Host));
        assert_eq!(CookiePrefix::of("__SECURE-id"), Some(CookiePrefix::Secure));
        assert_eq!(CookiePrefix::of("__Secure"), None);
        assert_eq!(CookiePrefix::of("sessionid"), None);
        assert_eq!(CookiePrefix::of("_\u{e9}Host-"), None);
    }

    #[test]
    fn force_repairs_every_broken_rule() {
        let mut config = Config::default()
            .with_cookie_name("__Host-sid")
            .with_cookie_domain(Some(".example.com".into()))
            .with_cookie_path("/app");
        let fixed = force_config(&mut config);
        assert_eq!(fixed.len(), 3);
        assert!(config.cookie_secure);
        assert_eq!(config.cookie_domain, None);
        assert_eq!(config.cookie_path, "/");
        assert!(force_config(&mut config).is_empty());
    }
}
