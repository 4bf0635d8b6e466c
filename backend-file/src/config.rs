//! [`FileConfig`]: how a [`FileStore`] is built.

use std::path::PathBuf;
use std::time::Duration;

use session_core::config::DEFAULT_COOKIE_AGE;
use session_core::{
    Codec, Config, Error, Operation, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock,
};

use crate::access;
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
/// | [`directory`](Self::directory) | `SESSION_FILE_PATH` | `<temp dir>/session-files-<euid>`, created 0700 (Django: the temp dir itself) |
/// | [`allow_shared_directory`](Self::allow_shared_directory) | - | off: the directory must be private |
/// | [`cookie_name`](Self::cookie_name) | `SESSION_COOKIE_NAME` (the file-name prefix) | `sessionid` |
/// | [`cookie_age`](Self::cookie_age) | `SESSION_COOKIE_AGE` | 1,209,600 s |
/// | [`codec`](Self::codec) | `SECRET_KEY` via the Django codec | ASCII-only compact JSON |
/// | [`fsync`](Self::fsync) | (Django never syncs) | on |
/// | [`max_file_bytes`](Self::max_file_bytes) | - | 4 MiB |
/// | [`stale_temp_age`](Self::stale_temp_age) | - | one minute |
///
/// `cookie_name` and `cookie_age` must equal the sessions' [`Config`] (and
/// Django's settings when a Django application shares the directory);
/// [`session_config`](Self::session_config) copies both.
#[derive(Debug, Clone)]
pub struct FileConfig {
    /// `None`: the private default directory, created at build.
    pub(crate) directory: Option<PathBuf>,
    pub(crate) allow_shared_directory: bool,
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
    /// Django's defaults (`sessionid`, two weeks), except the directory: a
    /// private `<temp dir>/session-files-<euid>` instead of the temp
    /// directory itself; with the JSON codec, fsync on, the system clock and
    /// random keys.
    pub fn new() -> Self {
        Self {
            directory: None,
            allow_shared_directory: false,
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

    /// Keeps the session files in `directory`, which must exist and, on
    /// Unix, be private to this process's user: owned by its effective uid,
    /// with no group or other permission bits (mode 0700), unless
    /// [`allow_shared_directory`](Self::allow_shared_directory) is set.
    ///
    /// Without this option the store uses `<temp dir>/session-files-<euid>`,
    /// created with mode 0700 when missing. Django's default is the temp
    /// directory itself, where every local user can list the file names
    /// (which hold the session keys) and create files (forged sessions).
    pub fn directory(mut self, directory: impl Into<PathBuf>) -> Self {
        self.directory = Some(directory.into());
        self
    }

    /// Accepts a directory that other users can access or that another user
    /// owns (off by default). Only for a directory shared on purpose, such as
    /// Django's default, the system temp directory: every user who can list
    /// it can read the session keys in the file names, and every user who
    /// can write to it can delete session files. Files owned by another user
    /// and symbolic links are never loaded either way; use
    /// [`Codec::django`] so that a planted file does not verify.
    pub fn allow_shared_directory(mut self, allow: bool) -> Self {
        self.allow_shared_directory = allow;
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
    /// also how Django's file backend computes it (an integer
    /// `_session_expiry` in the data changes that); see the crate docs.
    pub fn cookie_age(mut self, seconds: i64) -> Self {
        self.cookie_age = seconds;
        self
    }

    /// Copies [`cookie_name`](Self::cookie_name) and
    /// [`cookie_age`](Self::cookie_age) from the sessions' settings, so that
    /// the file names and the expiry encoded in the modification time agree
    /// with what the [`Session`](session_core::Session) handles use.
    pub fn session_config(self, config: &Config) -> Self {
        self.cookie_name(config.cookie_name.clone())
            .cookie_age(config.cookie_age)
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
    /// have been left unchanged (at least this long) before `clear_expired`
    /// removes it as the leftover of a crashed or failed write. Writes in
    /// progress are younger; `Duration::ZERO` removes every temporary file.
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

    /// Builds the store, creating the default directory (mode 0700) if no
    /// directory was configured and it is missing.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// directory does not exist or is not a directory, the default directory
    /// cannot be created or is a symbolic link, the directory is not private
    /// (on Unix: owned by another user, or any group or other permission
    /// bit set) and [`allow_shared_directory`](Self::allow_shared_directory)
    /// is off, the cookie name is empty or holds a path separator or NUL, or
    /// `cookie_age` is negative or over 100 years.
    pub fn build(self) -> Result<FileStore, Error> {
        self.check()
            .map(|(directory, config)| FileStore::from_config(directory, config))
            .map_err(|e| e.into_core(Operation::Open))
    }

    /// Resolves the directory and checks every setting.
    fn check(mut self) -> Result<(PathBuf, Self), FileError> {
        let directory = match self.directory.take() {
            Some(directory) => directory,
            None => {
                let directory = access::default_directory();
                access::create_default_directory(&directory)?;
                directory
            }
        };
        match std::fs::metadata(&directory) {
            Ok(meta) if meta.is_dir() => {
                if !self.allow_shared_directory {
                    access::check_private(&directory, &meta)?;
                }
            }
            Ok(_) => {
                return Err(FileError::NotADirectory {
                    directory,
                    source: None,
                });
            }
            Err(source) => {
                return Err(FileError::NotADirectory {
                    directory,
                    source: Some(source),
                });
            }
        }
        let name = &self.cookie_name;
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
            return Err(FileError::InvalidCookieName);
        }
        if !(0..=MAX_COOKIE_AGE).contains(&self.cookie_age) {
            return Err(FileError::InvalidCookieAge(self.cookie_age));
        }
        Ok((directory, self))
    }
}
