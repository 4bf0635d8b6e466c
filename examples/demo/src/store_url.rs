//! Backend URLs: which session store to open, written as one string.
//!
//! This module is self-contained (it depends only on the backend crates) so
//! that the `sessions` tool can take it over unchanged.
//!
//! | URL | store |
//! |---|---|
//! | `memory` | `session_core::MemoryStore` (this process only) |
//! | `cache`, `cache://?max_bytes=N` | `session_backend_cache::CacheStore` (moka, this process only) |
//! | `file`, `file:///absolute/dir?codec=django` | `session_backend_file::FileStore` (default: the backend's default directory) |
//! | `signed-cookie`, `signed-cookie://?format=encrypted` | `session_backend_signed_cookie::SignedCookieStore` |
//!
//! `name` and `name://` are the same; `signed_cookies` is accepted for
//! `signed-cookie`. Query parameters: `codec=json|django` (file),
//! `max_bytes=N` (cache), `format=django|encrypted` (signed-cookie); any
//! other parameter is an error. `sqlite`, `postgres`, `mysql`, `redis` and
//! `cached-db` are recognised but not built into this program yet, and say
//! so.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use session_core::{Codec, Config, SessionStore, SharedClock, SystemClock};

/// A parsed backend URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreUrl {
    /// In-memory reference store.
    Memory,
    /// moka cache, optionally bounded to `max_bytes`.
    Cache {
        /// Total size bound, in bytes (the backend's default when `None`).
        max_bytes: Option<u64>,
    },
    /// One file per session.
    File {
        /// The directory (the backend's default when `None`).
        directory: Option<PathBuf>,
        /// Write Django's signed format (`codec=django`) instead of JSON.
        django_codec: bool,
    },
    /// The data in the cookie, signed (or encrypted with `format=encrypted`).
    SignedCookie {
        /// AES-GCM instead of Django's signed format.
        encrypted: bool,
    },
}

/// A backend URL that cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreUrlError {
    /// Not a backend this workspace knows.
    UnknownScheme(String),
    /// A known backend that this program does not include yet.
    Unavailable(String),
    /// A query parameter that is unknown or has a bad value.
    BadParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The store refused to open (missing directory, short secret, ...).
    Open(session_core::Error),
}

impl fmt::Display for StoreUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const AVAILABLE: &str = "memory, cache, file:///dir, signed-cookie";
        match self {
            StoreUrlError::UnknownScheme(s) => {
                write!(f, "unknown session backend `{s}` (available: {AVAILABLE})")
            }
            StoreUrlError::Unavailable(s) => write!(
                f,
                "session backend `{s}` is not built into this program yet (available: {AVAILABLE})"
            ),
            StoreUrlError::BadParameter { name, problem } => {
                write!(f, "backend URL parameter `{name}`: {problem}")
            }
            StoreUrlError::Open(err) => write!(f, "cannot open the session store: {err}"),
        }
    }
}

impl std::error::Error for StoreUrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreUrlError::Open(err) => Some(err),
            _ => None,
        }
    }
}

impl FromStr for StoreUrl {
    type Err = StoreUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim();
        let (scheme, rest) = match url.split_once(':') {
            Some((scheme, rest)) => (scheme, rest.strip_prefix("//").unwrap_or(rest)),
            None => (url, ""),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut params = parse_query(query)?;
        let scheme = scheme.to_ascii_lowercase();
        let parsed = match scheme.as_str() {
            "memory" | "mem" => StoreUrl::Memory,
            "cache" | "moka" => StoreUrl::Cache {
                max_bytes: take_parsed(&mut params, "max_bytes")?,
            },
            "file" => StoreUrl::File {
                directory: (!path.is_empty()).then(|| PathBuf::from(percent_decode(path))),
                django_codec: match take(&mut params, "codec").as_deref() {
                    None | Some("json") => false,
                    Some("django") => true,
                    Some(other) => {
                        return Err(bad("codec", format!("`{other}` is not json or django")));
                    }
                },
            },
            "signed-cookie" | "signed_cookie" | "signed_cookies" | "signed-cookies" => {
                StoreUrl::SignedCookie {
                    encrypted: match take(&mut params, "format").as_deref() {
                        None | Some("django") => false,
                        Some("encrypted") => true,
                        Some(other) => {
                            return Err(bad(
                                "format",
                                format!("`{other}` is not django or encrypted"),
                            ));
                        }
                    },
                }
            }
            "sqlite" | "postgres" | "postgresql" | "mysql" | "mariadb" | "redis" | "rediss"
            | "redis+cluster" | "cached-db" | "cached_db" | "db" => {
                return Err(StoreUrlError::Unavailable(scheme));
            }
            _ => return Err(StoreUrlError::UnknownScheme(scheme)),
        };
        if !matches!(parsed, StoreUrl::File { .. }) && !path.is_empty() {
            return Err(bad("path", format!("`{scheme}` takes no path")));
        }
        if let Some((name, _)) = params.into_iter().next() {
            return Err(bad(&name, "unknown parameter".to_owned()));
        }
        Ok(parsed)
    }
}

/// What a store needs besides its URL.
#[derive(Clone)]
pub struct StoreOptions {
    /// The secret key (signed-cookie store, Django codec).
    pub secret_key: String,
    /// Older secret keys still accepted when reading.
    pub fallback_keys: Vec<String>,
    /// The session settings (cookie name and age must match the store's).
    pub config: Config,
    /// The clock every expiry is judged by.
    pub clock: SharedClock,
}

impl StoreOptions {
    /// Options with `secret_key`, Django's default settings and the system clock.
    pub fn new(secret_key: impl Into<String>) -> Self {
        Self {
            secret_key: secret_key.into(),
            fallback_keys: Vec::new(),
            config: Config::default(),
            clock: SystemClock::shared(),
        }
    }
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("secret_key", &"<redacted>")
            .field("fallback_keys", &self.fallback_keys.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl StoreUrl {
    /// Opens the store this URL names.
    ///
    /// # Errors
    /// [`StoreUrlError::Open`] when the backend refuses its settings.
    pub fn open(&self, options: &StoreOptions) -> Result<Arc<dyn SessionStore>, StoreUrlError> {
        let clock = Arc::clone(&options.clock);
        let store: Arc<dyn SessionStore> = match self {
            StoreUrl::Memory => Arc::new(session_core::MemoryStore::new().with_clock(clock)),
            StoreUrl::Cache { max_bytes } => {
                let mut builder = session_backend_cache::CacheStore::builder().with_clock(clock);
                if let Some(bytes) = max_bytes {
                    builder = builder.with_max_bytes(*bytes);
                }
                Arc::new(builder.build().map_err(StoreUrlError::Open)?)
            }
            StoreUrl::File {
                directory,
                django_codec,
            } => {
                let mut builder = session_backend_file::FileStore::builder()
                    .with_cookie_name(options.config.cookie_name.clone())
                    .with_cookie_age(options.config.cookie_age)
                    .with_clock(clock);
                if let Some(dir) = directory {
                    builder = builder.with_directory(dir.clone());
                }
                if *django_codec {
                    let codec = Codec::django(options.secret_key.clone()).map_err(|e| {
                        bad(
                            "codec",
                            format!("the Django codec needs a longer secret key: {e}"),
                        )
                    })?;
                    builder = builder.with_codec(codec);
                }
                Arc::new(builder.build().map_err(StoreUrlError::Open)?)
            }
            StoreUrl::SignedCookie { encrypted } => {
                let mut builder =
                    session_backend_signed_cookie::SignedCookieConfig::new(&options.secret_key)
                        .with_fallback_keys(&options.fallback_keys)
                        .with_session_config(&options.config)
                        .with_clock(clock);
                if *encrypted {
                    builder = builder.with_encryption();
                }
                Arc::new(builder.build().map_err(StoreUrlError::Open)?)
            }
        };
        Ok(store)
    }
}

/// `url` for logs and messages, its user-info (`user:password@`) replaced by
/// `***`. All before the last `@` ahead of the query counts as user-info,
/// `/` included (base64 passwords hold them): a path with an `@` is
/// over-redacted rather than a password shown.
///
/// ```
/// # use session_demo::store_url::redact;
/// assert_eq!(redact("redis://admin:s3cret@db:6379/0"), "redis://***@db:6379/0");
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

fn bad(name: &str, problem: String) -> StoreUrlError {
    StoreUrlError::BadParameter {
        name: name.to_owned(),
        problem,
    }
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, StoreUrlError> {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name);
        if params.iter().any(|(n, _)| *n == name) {
            return Err(bad(&name, "given twice".to_owned()));
        }
        params.push((name, percent_decode(value)));
    }
    Ok(params)
}

fn take(params: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let index = params.iter().position(|(n, _)| n == name)?;
    Some(params.remove(index).1)
}

fn take_parsed<T: FromStr>(
    params: &mut Vec<(String, String)>,
    name: &str,
) -> Result<Option<T>, StoreUrlError>
where
    T::Err: fmt::Display,
{
    take(params, name)
        .map(|v| v.parse().map_err(|e| bad(name, format!("`{v}`: {e}"))))
        .transpose()
}

/// `%XX` decoding; malformed escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<StoreUrl, String> {
        url.parse::<StoreUrl>().map_err(|e| e.to_string())
    }

    #[test]
    fn parses_every_embedded_backend() {
        assert_eq!(parse("memory"), Ok(StoreUrl::Memory));
        assert_eq!(parse("memory://"), Ok(StoreUrl::Memory));
        assert_eq!(parse("cache"), Ok(StoreUrl::Cache { max_bytes: None }));
        assert_eq!(
            parse("cache://?max_bytes=1024"),
            Ok(StoreUrl::Cache {
                max_bytes: Some(1024)
            })
        );
        assert_eq!(
            parse("file:///tmp/my%20sessions?codec=django"),
            Ok(StoreUrl::File {
                directory: Some("/tmp/my sessions".into()),
                django_codec: true
            })
        );
        assert_eq!(
            parse("file"),
            Ok(StoreUrl::File {
                directory: None,
                django_codec: false
            })
        );
        assert_eq!(
            parse("signed-cookie"),
            Ok(StoreUrl::SignedCookie { encrypted: false })
        );
        assert_eq!(
            parse("signed_cookies://?format=encrypted"),
            Ok(StoreUrl::SignedCookie { encrypted: true })
        );
    }

    #[test]
    fn rejects_clearly() {
        assert!(
            parse("sqlite:///tmp/demo.db?codec=django")
                .unwrap_err()
                .contains("not built into")
        );
        assert!(
            parse("redis://127.0.0.1")
                .unwrap_err()
                .contains("not built into")
        );
        assert!(
            parse("ftp://x")
                .unwrap_err()
                .contains("unknown session backend `ftp`")
        );
        assert!(
            parse("cache://?max_bytes=lots")
                .unwrap_err()
                .contains("max_bytes")
        );
        assert!(
            parse("cache://?colour=red")
                .unwrap_err()
                .contains("unknown parameter")
        );
        assert!(
            parse("memory://somewhere")
                .unwrap_err()
                .contains("takes no path")
        );
        assert!(parse("file:///x?codec=xml").unwrap_err().contains("codec"));
        assert!(
            parse("cache://?max_bytes=1&max_bytes=2")
                .unwrap_err()
                .contains("twice")
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn redacts_user_info_only() {
        for (url, shown) in [
            ("redis://admin:hunter2@db:6379/0", "redis://***@db:6379/0"),
            ("postgres://u:p%40ss@h/db?x=1", "postgres://***@h/db?x=1"),
            ("mysql:u:pw@h", "mysql:***@h"),
            ("redis://u:a/b+c=@h:1/0", "redis://***@h:1/0"),
            ("redis://h?user=a@b", "redis://h?user=a@b"),
            ("file:///tmp/x@y", "file://***@y"),
            (
                "file:///tmp/sessions?codec=django",
                "file:///tmp/sessions?codec=django",
            ),
            ("", ""),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }
}
