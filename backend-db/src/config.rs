//! [`DbConfig`]: how a [`DbStore`](crate::DbStore) is built.

use std::path::PathBuf;
use std::time::Duration;

use session_core::{Codec, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock};

mod from_url;
#[cfg(test)]
mod tests;

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

    /// The URL handed to sqlx for a PostgreSQL or MySQL server (`mysql:`
    /// for `mariadb:` too), without this crate's own parameters; `None`
    /// for SQLite and for a pool given by the caller.
    pub fn server_url(&self) -> Option<&str> {
        match &self.target {
            #[cfg(any(feature = "postgres", feature = "mysql"))]
            Target::Server(url) => Some(url),
            _ => None,
        }
    }
}
