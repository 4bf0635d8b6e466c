//! [`DbConfig::from_url`]: the settings a db URL describes.

use std::str::FromStr;
use std::time::Duration;

use session_core::{Codec, CodecNameError};
use url::Url;

use super::{DbConfig, Synchronous, Target};
use crate::SCHEMES;
use crate::error::DbUrlError;

impl DbConfig {
    /// The settings a db URL describes: `sqlite://<path>` (`sqlite:///abs`
    /// or `sqlite://relative`), `sqlite::memory:`, with optional
    /// parameters `table`, `codec=json|django`, `migrate=true|false`,
    /// `synchronous=off|normal|full`, `pool_size`, `timeout_ms` and
    /// `clear_batch`. `codec=django` signs with `secret_key`, which the
    /// caller supplies.
    ///
    /// # Errors
    /// A [`DbUrlError`] naming what is wrong.
    pub fn from_url(url: &str, secret_key: Option<&str>) -> Result<Self, DbUrlError> {
        let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
        if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            return Err(DbUrlError::Scheme(scheme.to_owned()));
        }
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "sqlite" {
            return server_url(&scheme, url, secret_key);
        }
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut config = if location == ":memory:" {
            Self::sqlite_memory()
        } else {
            let path = location.strip_prefix("//").ok_or(DbUrlError::SqlitePath)?;
            // Parsed as a file URL for its percent-decoding; a host is refused.
            let parsed = Url::parse(&format!("file:///{}", path.trim_start_matches('/')))?;
            if path.is_empty() || path.contains('#') {
                return Err(DbUrlError::SqlitePath);
            }
            let decoded = parsed.to_file_path().map_err(|()| DbUrlError::SqlitePath)?;
            let decoded = if path.starts_with('/') {
                decoded
            } else {
                decoded.strip_prefix("/").unwrap_or(&decoded).to_path_buf()
            };
            Self::sqlite(decoded)
        };
        let query = Url::parse(&format!("x:?{query}"))?;
        let mut seen = Vec::new();
        for (name, value) in query.query_pairs() {
            if seen.contains(&name) {
                return Err(DbUrlError::Repeated(name.into_owned()));
            }
            config.parameter(&name, &value, secret_key)?;
            seen.push(name);
        }
        Ok(config)
    }

    /// Applies one of this crate's URL parameters.
    fn parameter(
        &mut self,
        name: &str,
        value: &str,
        secret_key: Option<&str>,
    ) -> Result<(), DbUrlError> {
        let config = self;
        {
            let bad = |name: &'static str| DbUrlError::Value {
                name,
                value: value.to_owned(),
            };
            match name {
                "table" => config.table = value.to_owned(),
                "codec" => config.codec = codec(value, secret_key)?,
                "migrate" => config.migrate = value.parse().map_err(|_| bad("migrate"))?,
                "synchronous" => {
                    config.synchronous = match &*value.to_ascii_lowercase() {
                        "off" => Synchronous::Off,
                        "normal" => Synchronous::Normal,
                        "full" => Synchronous::Full,
                        _ => return Err(bad("synchronous")),
                    }
                }
                "pool_size" => config.pool_size = value.parse().map_err(|_| bad("pool_size"))?,
                "timeout_ms" => {
                    let ms: u64 = value.parse().map_err(|_| bad("timeout_ms"))?;
                    config.timeout = Duration::from_millis(ms);
                }
                "clear_batch" => {
                    config.clear_batch = value
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad("clear_batch"))?;
                }
                "engine"
                    if value == "rusqlite"
                        && matches!(
                            config.target,
                            Target::SqliteFile(_) | Target::SqliteMemory
                        ) =>
                {
                    config.sqlx_sqlite = false;
                }
                #[cfg(feature = "sqlx-sqlite")]
                "engine"
                    if value == "sqlx"
                        && matches!(
                            config.target,
                            Target::SqliteFile(_) | Target::SqliteMemory
                        ) =>
                {
                    config.sqlx_sqlite = true;
                }
                #[cfg(not(feature = "sqlx-sqlite"))]
                "engine" if value == "sqlx" => {
                    return Err(DbUrlError::EngineMissing("sqlx-sqlite"));
                }
                "engine" => return Err(bad("engine")),
                _ => return Err(DbUrlError::UnknownParameter(name.to_owned())),
            }
        }
        Ok(())
    }
}

/// The target of a server URL, when a server engine is compiled in.
fn server_target(url: String) -> Result<Target, DbUrlError> {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    return Ok(Target::Server(url));
    #[cfg(not(any(feature = "postgres", feature = "mysql")))]
    {
        let _ = url;
        Err(DbUrlError::EngineMissing("postgres"))
    }
}

/// This crate's URL parameters; a server URL's other parameters go to sqlx.
const OURS: &[&str] = &[
    "table",
    "codec",
    "migrate",
    "synchronous",
    "pool_size",
    "timeout_ms",
    "clear_batch",
    "engine",
];

/// A `postgres://` or `mysql://` URL: this crate's parameters are taken
/// out, the rest is handed to sqlx when the pool is made.
fn server_url(scheme: &str, url: &str, secret_key: Option<&str>) -> Result<DbConfig, DbUrlError> {
    let canonical = match scheme {
        "postgres" | "postgresql" => "postgres",
        "mysql" | "mariadb" => "mysql",
        other => return Err(DbUrlError::Scheme(other.to_owned())),
    };
    #[cfg(not(feature = "postgres"))]
    if canonical == "postgres" {
        return Err(DbUrlError::EngineMissing("postgres"));
    }
    #[cfg(not(feature = "mysql"))]
    if canonical == "mysql" {
        return Err(DbUrlError::EngineMissing("mysql"));
    }
    let mut parsed = Url::parse(url)?;
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let mut mine = Vec::new();
    let mut theirs = Vec::new();
    for (name, value) in pairs {
        if OURS.contains(&name.as_str()) {
            if mine.iter().any(|(n, _): &(String, String)| *n == name) {
                return Err(DbUrlError::Repeated(name));
            }
            mine.push((name, value));
        } else {
            theirs.push((name, value));
        }
    }
    if theirs.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(&theirs);
    }
    let rest = parsed.as_str().split_once(':').map_or("", |(_, rest)| rest);
    let mut config = DbConfig::defaults(server_target(format!("{canonical}:{rest}"))?);
    for (name, value) in mine {
        if name == "engine" {
            return Err(DbUrlError::UnknownParameter(name));
        }
        config.parameter(&name, &value, secret_key)?;
    }
    Ok(config)
}

/// [`DbConfig::from_url`] without a secret key.
impl FromStr for DbConfig {
    type Err = DbUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Self::from_url(url, None)
    }
}

/// The codec a URL's `codec` parameter names ([`Codec::from_name`]).
fn codec(name: &str, secret_key: Option<&str>) -> Result<Codec, DbUrlError> {
    Codec::from_name(name, secret_key).map_err(|e| match e {
        CodecNameError::Unknown(value) => DbUrlError::Value {
            name: "codec",
            value,
        },
        CodecNameError::MissingSecret => DbUrlError::MissingSecret,
        CodecNameError::ShortSecret(short) => DbUrlError::ShortSecret(short),
    })
}
