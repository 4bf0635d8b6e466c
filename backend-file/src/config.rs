//! [`FileConfig`]: how a [`FileStore`] is built.

use std::path::PathBuf;
use std::time::Duration;

use session_core::config::DEFAULT_COOKIE_AGE;
use session_core::{
    Codec, Error, Operation, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock,
};

use crate::error::FileError;
use crate::store::FileStore;

/// Default cap on one session file: 4 MiB. Larger files are not read (they
/// load as absent) and larger sessions are refused at save.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Default real-time age after which `clear_expired` removes a leftover
/// temporary file: one minute.
pub const DEFAULT_STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// Longest `cookie_age` accepted: 100 years, in seconds.
const MAX_COOKIE_AGE: i64 = 100 * 366 * 24 * 3600;

/// Settings of a [`FileStore`], built step by step.
///
/// | option | Django setting | default |
/// |---|---|---|
/// | [`directory`](Self::directory) | `SESSION_FILE_PATH` | the system temp directory |
/// | [`cookie_name`](Self::cookie_name) | `SESSION_COOKIE_NAME` (the file-name prefix) | `sessionid` |
/// | [`cookie_age`](Self::cookie_age) | `SESSION_COOKIE_AGE` | 1,209,600 s |
/// | [`codec`](Self::codec) | `SECRET_KEY` via the Django codec | compact JSON |
/// | [`fsync`](Self::fsync) | (Django never syncs) | on |
/// | [`max_file_bytes`](Self::max_file_bytes) | - | 4 MiB |
/// | [`stale_temp_age`](Self::stale_temp_age) | - | one minute |
///
/// `cookie_name` and `cookie_age` must equal Django's settings when a Django
/// application shares the directory.
#[derive(Debug, Clone)]
pub struct FileConfig {
    pub(crate) directory: PathBuf,
    pub(crate) cookie_name: String,
    pub(crate) cookie_age: i64,
    pub(crate) codec: Codec,
    pub(crate) fsync: bool,
    pub(crate) max_file_bytes: u64,
    pub(crate) stale_temp_age: Duration,
    pub(crate) clock: SharedClock,
    pub(crate) keys: SharedKeyGenerator,
}

impl Default for FileConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl FileConfig {
    /// Django's defaults: the system temp directory, `sessionid`, two weeks,
    /// with the JSON codec, fsync on, the system clock and random keys.
    pub fn new() -> Self {
        Self {
            directory: std::env::temp_dir(),
            cookie_name: "sessionid".to_owned(),
            cookie_age: DEFAULT_COOKIE_AGE,
            codec: Codec::Json,
            fsync: true,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            stale_temp_age: DEFAULT_STALE_TEMP_AGE,
            clock: SystemClock::shared(),
            keys: RandomKeys::shared(),
        }
    }

    /// Keeps the session files in `directory`, which must exist.
    pub fn directory(mut self, directory: impl Into<PathBuf>) -> Self {
        self.directory = directory.into();
        self
    }

    /// The file-name prefix: files are named `<cookie_name><key>`, as Django names them.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// The default session age in seconds (Django's `SESSION_COOKIE_AGE`).
    ///
    /// The store writes each file's modification time as `expires_at -
    /// cookie_age` and reads the expiry back as `mtime + cookie_age`, which is
    /// also how Django's file backend computes it; see the crate docs.
    pub fn cookie_age(mut self, seconds: i64) -> Self {
        self.cookie_age = seconds;
        self
    }

    /// How the data is written into each file. [`Codec::Json`] by default;
    /// use [`Codec::django`] to share the directory with Django.
    pub fn codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Whether each write is synced to disk (the file, then the directory)
    /// before it is acknowledged. On by default; turning it off trades
    /// durability across a power loss or OS crash for speed (an application
    /// crash loses nothing either way).
    pub fn fsync(mut self, fsync: bool) -> Self {
        self.fsync = fsync;
        self
    }

    /// The largest session file read or written, in bytes.
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// How long, in real time, a temporary file (`<name>_out_<random>`) must
    /// have been left unchanged before `clear_expired` removes it as the
    /// leftover of a crashed or failed write. Writes in progress are younger.
    pub fn stale_temp_age(mut self, age: Duration) -> Self {
        self.stale_temp_age = age;
        self
    }

    /// Judges every expiry by `clock` (E5).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use a fixed key to force collisions).
    pub fn key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// Builds the store.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// directory does not exist or is not a directory, the cookie name is
    /// empty or holds a path separator or NUL, or `cookie_age` is negative
    /// or over 100 years.
    pub fn build(self) -> Result<FileStore, Error> {
        let config_error = |e: FileError| e.into_core(Operation::Open);
        match std::fs::metadata(&self.directory) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(config_error(FileError::NotADirectory {
                    directory: self.directory,
                    source: None,
                }));
            }
            Err(source) => {
                return Err(config_error(FileError::NotADirectory {
                    directory: self.directory,
                    source: Some(source),
                }));
            }
        }
        let name = &self.cookie_name;
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
            return Err(config_error(FileError::InvalidCookieName));
        }
        if !(0..=MAX_COOKIE_AGE).contains(&self.cookie_age) {
            return Err(config_error(FileError::InvalidCookieAge(self.cookie_age)));
        }
        Ok(FileStore::from_config(self))
    }
}
