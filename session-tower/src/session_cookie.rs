//! The session cookie's attributes: the one place where [`Config`]'s
//! `SESSION_COOKIE_*` settings become a `Set-Cookie`, for setting the
//! session cookie and for deleting it (Django's `process_response` passes
//! the same settings to `set_cookie` and `delete_cookie`).

use session_core::{Config, Session};

use crate::cookies::deletion_spec;
use crate::wire::{self, CookieSpec};

/// How long the session cookie lives, decided per response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lifetime {
    /// Until the browser closes: neither `Max-Age` nor `expires`.
    BrowserSession,
    /// `Max-Age` in seconds, with `expires` the HTTP date now + `max_age`.
    Age {
        /// The session's expiry age, in seconds.
        max_age: i64,
        /// The HTTP date when that age runs out.
        expires: String,
    },
}

impl Lifetime {
    /// The lifetime of `session`'s cookie: the browser session, or its
    /// expiry age from the store clock's now (as Django's
    /// `get_expire_at_browser_close` and `get_expiry_age`).
    ///
    /// # Errors
    /// The store's: reading the expiry loads the session's data.
    pub(crate) async fn of(session: &Session) -> session_core::Result<Self> {
        if session.expire_at_browser_close().await? {
            return Ok(Self::BrowserSession);
        }
        let max_age = session.expiry_age().await?;
        let now = session.store().clock().now();
        Ok(Self::Age {
            max_age,
            expires: wire::http_date(wire::add_seconds(now, max_age)),
        })
    }
}

/// What a response does with the session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SessionCookie<'a> {
    /// Sets it to `key` for `lifetime` (Django's `set_cookie`).
    Set {
        /// The session key, the cookie's value.
        key: &'a str,
        /// `Max-Age` and `expires`.
        lifetime: Lifetime,
    },
    /// Deletes it (Django's `delete_cookie` with the session cookie's name,
    /// path, domain and SameSite).
    Delete,
}

/// The `Set-Cookie` of the session cookie under `config`: its name, path,
/// domain, `Secure`, `HttpOnly` and `SameSite` from the configuration, and
/// the value and lifetime from `cookie`.
pub(crate) fn session_cookie(config: &Config, cookie: SessionCookie<'_>) -> CookieSpec {
    let (key, lifetime) = match cookie {
        SessionCookie::Delete => {
            return deletion_spec(
                &config.cookie_name,
                &config.cookie_path,
                config.cookie_domain.as_deref(),
                config.cookie_samesite,
            );
        }
        SessionCookie::Set { key, lifetime } => (key, lifetime),
    };
    let (max_age, expires) = match lifetime {
        Lifetime::BrowserSession => (None, None),
        Lifetime::Age { max_age, expires } => (Some(max_age), Some(expires)),
    };
    CookieSpec {
        name: config.cookie_name.clone(),
        value: key.to_owned(),
        max_age,
        expires,
        path: config.cookie_path.clone(),
        domain: config.cookie_domain.clone(),
        secure: config.cookie_secure,
        httponly: config.cookie_httponly,
        samesite: config.cookie_samesite,
        partitioned: false,
    }
}

#[cfg(test)]
mod tests {
    use session_core::SameSite;

    use super::*;

    fn config() -> Config {
        Config::default()
            .with_cookie_name("sid")
            .with_cookie_path("/app")
            .with_cookie_domain(Some(".example.com".to_owned()))
            .with_cookie_secure(true)
            .with_cookie_httponly(true)
            .with_cookie_samesite(Some(SameSite::Strict))
    }

    #[test]
    fn set_takes_every_attribute_from_the_config() {
        let spec = session_cookie(
            &config(),
            SessionCookie::Set {
                key: "abc",
                lifetime: Lifetime::Age {
                    max_age: 60,
                    expires: "Thu, 01 Jan 1970 00:01:00 GMT".to_owned(),
                },
            },
        );
        assert_eq!(
            wire::render_set_cookie(&spec),
            "sid=abc; Domain=.example.com; expires=Thu, 01 Jan 1970 00:01:00 GMT; \
             HttpOnly; Max-Age=60; Path=/app; SameSite=Strict; Secure"
        );
        let browser = session_cookie(
            &config(),
            SessionCookie::Set {
                key: "abc",
                lifetime: Lifetime::BrowserSession,
            },
        );
        assert_eq!(
            wire::render_set_cookie(&browser),
            "sid=abc; Domain=.example.com; HttpOnly; Path=/app; SameSite=Strict; Secure"
        );
    }

    #[test]
    fn delete_is_djangos_delete_cookie_with_the_config_name_path_domain_samesite() {
        let spec = session_cookie(&config(), SessionCookie::Delete);
        // Django's delete_cookie sets neither HttpOnly nor (for a plain name
        // and SameSite other than None) Secure.
        assert_eq!(
            wire::render_set_cookie(&spec),
            "sid=\"\"; Domain=.example.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; \
             Max-Age=0; Path=/app; SameSite=Strict"
        );
    }
}
