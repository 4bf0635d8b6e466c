//! [`DbConfig`]: how a [`DbStore`](crate::DbStore) is built.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use session_core::{
    Codec, CodecNameError, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock,
};
use url::Url;

use crate::SCHEMES;
use crate::error::DbUrlError;

/// Django's table name.
pub const DEFAULT_TABLE: &str = "django_session";

/// Default bound on one call: pool wait, SQLite's busy wait and the
/// statement together.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default number of rows `clear_expired` deletes per statement.
pub const DEFAULT_CLEAR_BATCH: u32 = 1000;

/// Where the sessions live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A SQLite database file.
    SqliteFile(PathBuf),
    /// A private in-memory SQLite database, gone with the store.
    SqliteMemory,
    /// A PostgreSQL or MySQL URL for sqlx, without this crate's parameters.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    Server(String),
    /// An existing sqlx pool.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    Pool(crate::pooled::SqlxPool),
}

#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
impl PartialEq for crate::pooled::SqlxPool {
    /// Pools are never equal: each is its own set of connections.
    fn eq(&self, _other: &Self) -> bool {
        false
    }
}

#[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
impl Eq for crate::pooled::SqlxPool {}

/// SQLite's `synchronous` level under WAL: what a crash can lose.
///
/// | level | application crash | power loss or OS crash |
/// |---|---|---|
/// | `Off` | nothing | recent commits, and the file may be damaged |
/// | `Normal` (default) | nothing | the commits since the last checkpoint may be rolled back; the file stays consistent |
/// | `Full` | nothing | nothing acknowledged (one fsync per commit) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Synchronous {
    /// `PRAGMA synchronous = OFF`: no fsync at all.
    Off,
    /// `PRAGMA synchronous = NORMAL`: fsync at checkpoints only.
    #[default]
    Normal,
    /// `PRAGMA synchronous = FULL`: fsync at every commit.
    Full,
}

impl Synchronous {
    /// The pragma's value.
    pub(crate) fn as_sql(self) -> &'static str {
        match self {
            Synchronous::Off => "OFF",
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

/// Settings of a [`DbStore`](crate::DbStore), built step by step or read
/// from a URL ([`from_url`](Self::from_url)).
///
/// ```
/// use session_backend_db::DbConfig;
///
/// let config = DbConfig::sqlite_memory().with_table("sessions");
/// let same = DbConfig::from_url("sqlite::memory:?table=sessions", None).expect("a db URL");
/// # let _ = (config, same);
/// ```
#[derive(Debug, Clone)]
pub struct DbConfig {
    pub(crate) target: Target,
    pub(crate) table: String,
    pub(crate) codec: Codec,
    pub(crate) clock: SharedClock,
    pub(crate) keys: SharedKeyGenerator,
    pub(crate) migrate: bool,
    pub(crate) timeout: Duration,
    pub(crate) synchronous: Synchronous,
    pub(crate) pool_size: u32,
    pub(crate) clear_batch: u32,
    pub(crate) sqlx_sqlite: bool,
}

impl DbConfig {
    /// The defaults on the SQLite file at `path` (created if missing):
    /// Django's table `django_session`, created on open if missing; the
    /// JSON codec; WAL with `synchronous = NORMAL`; four connections; a
    /// five-second timeout; the system clock and random keys.
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        Self::defaults(Target::SqliteFile(path.into()))
    }

    /// The defaults on a private in-memory SQLite database (one connection;
    /// its data goes with the store).
    pub fn sqlite_memory() -> Self {
        Self::defaults(Target::SqliteMemory)
    }

    /// The same settings on another database.
    #[cfg(feature = "testing")]
    pub(crate) fn with_target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    fn defaults(target: Target) -> Self {
        Self {
            target,
            table: DEFAULT_TABLE.to_owned(),
            codec: Codec::Json,
            clock: SystemClock::shared(),
            keys: RandomKeys::shared(),
            migrate: true,
            timeout: DEFAULT_TIMEOUT,
            synchronous: Synchronous::default(),
            pool_size: 4,
            clear_batch: DEFAULT_CLEAR_BATCH,
            sqlx_sqlite: false,
        }
    }

    /// The defaults on an existing sqlx pool (SQLite, PostgreSQL or
    /// MySQL), shared with the application: `DbConfig::from_pool(pool.clone())`.
    #[cfg(any(feature = "sqlx-sqlite", feature = "postgres", feature = "mysql"))]
    pub fn from_pool(pool: impl Into<crate::pooled::SqlxPool>) -> Self {
        Self::defaults(Target::Pool(pool.into()))
    }

    /// Opens a SQLite file or `:memory:` through sqlx instead of the
    /// embedded rusqlite engine (URL: `engine=sqlx`). The embedded engine
    /// is many times faster; this is for applications that already use
    /// sqlx's SQLite driver.
    #[cfg(feature = "sqlx-sqlite")]
    pub fn with_sqlx_sqlite(mut self) -> Self {
        self.sqlx_sqlite = true;
        self
    }

    /// Judges every expiry by `clock` (E5); tests pass a
    /// [`MockClock`](session_core::MockClock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use a fixed key to force collisions).
    pub fn with_key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// The table's name (default `django_session`): ASCII letters, digits
    /// and `_`, checked at build.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// How `session_data` is written: [`Codec::Json`] by default, or
    /// [`Codec::django`] to share the table with a Django application.
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Whether `build` runs [`migrate`](crate::DbStore::migrate) (default true).
    pub fn with_migrate_on_open(mut self, migrate: bool) -> Self {
        self.migrate = migrate;
        self
    }

    /// Bounds each call: waiting for a connection, for SQLite's lock, and
    /// for the statement.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// SQLite's durability level; see [`Synchronous`].
    pub fn with_synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// How many connections the pool keeps (default 4; an in-memory
    /// database always has one). Readers run in parallel under WAL.
    pub fn with_pool_size(mut self, size: u32) -> Self {
        self.pool_size = size;
        self
    }

    /// Rows deleted per statement by `clear_expired` (default 1000), so a
    /// large purge never holds the write lock for long.
    pub fn with_clear_batch(mut self, rows: u32) -> Self {
        self.clear_batch = rows.max(1);
        self
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        let c = DbConfig::from_url("sqlite:///tmp/a%20b.db?table=s&pool_size=2", None).unwrap();
        assert_eq!(c.target, Target::SqliteFile(PathBuf::from("/tmp/a b.db")));
        assert_eq!((c.table.as_str(), c.pool_size), ("s", 2));
        let c = DbConfig::from_url("sqlite://data/s.db", None).unwrap();
        assert_eq!(c.target, Target::SqliteFile(PathBuf::from("data/s.db")));
        let c = DbConfig::from_url("sqlite::memory:", None).unwrap();
        assert_eq!(c.target, Target::SqliteMemory);
        assert!(matches!(
            DbConfig::from_url("sqlite::memory:?x=1", None),
            Err(DbUrlError::UnknownParameter(_))
        ));
        assert!(matches!(
            DbConfig::from_url("sqlite::memory:?table=a&table=b", None),
            Err(DbUrlError::Repeated(_))
        ));
        assert!(matches!(
            DbConfig::from_url("sqlite::memory:?codec=django", None),
            Err(DbUrlError::MissingSecret)
        ));
        assert!(matches!(
            DbConfig::from_url("sqlite:relative", None),
            Err(DbUrlError::SqlitePath)
        ));
        assert!(matches!(
            DbConfig::from_url("redis://x", None),
            Err(DbUrlError::Scheme(_))
        ));
    }
}
