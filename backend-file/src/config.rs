//! [`FileConfig`]: how a [`FileStore`](crate::FileStore) is built.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use session_core::config::DEFAULT_COOKIE_AGE;
use session_core::{
    Codec, CodecNameError, Config, RandomKeys, SharedClock, SharedKeyGenerator, SystemClock,
};
use url::Url;

use crate::SCHEMES;
use crate::access;
use crate::error::{FileError, FileUrlError};

/// Default cap on one session file: 4 MiB. Larger files are not read (they
/// load as absent) and larger sessions are refused at save.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Default real-time age after which `clear_expired` removes a leftover
/// temporary file: one minute.
pub const DEFAULT_STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// Longest `cookie_age` accepted: 100 years, in seconds.
const MAX_COOKIE_AGE: i64 = 100 * 366 * 24 * 3600;

/// Settings of a [`FileStore`](crate::FileStore), built step by step or
/// read from a URL ([`from_url`](Self::from_url)).
///
/// | option | Django setting | default |
/// |---|---|---|
/// | [`with_directory`](Self::with_directory) | `SESSION_FILE_PATH` | `<temp dir>/session-files-<euid>`, created 0700 (Django: the temp dir itself) |
/// | [`with_allow_shared_directory`](Self::with_allow_shared_directory) | - | off: the directory must be private |
/// | [`with_cookie_name`](Self::with_cookie_name) | `SESSION_COOKIE_NAME` (the file-name prefix) | `sessionid` |
/// | [`with_cookie_age`](Self::with_cookie_age) | `SESSION_COOKIE_AGE` | 1,209,600 s |
/// | [`with_codec`](Self::with_codec) | `SECRET_KEY` via the Django codec | ASCII-only compact JSON |
/// | [`with_fsync`](Self::with_fsync) | (Django never syncs) | on |
/// | [`with_max_file_bytes`](Self::with_max_file_bytes) | - | 4 MiB |
/// | [`with_stale_temp_age`](Self::with_stale_temp_age) | - | one minute |
///
/// `cookie_name` and `cookie_age` must equal the sessions' [`Config`] (and
/// Django's settings when a Django application shares the directory);
/// [`with_session_config`](Self::with_session_config) copies both.
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
    /// [`with_allow_shared_directory`](Self::with_allow_shared_directory) is set.
    ///
    /// Without this option the store uses `<temp dir>/session-files-<euid>`,
    /// created with mode 0700 when missing. Django's default is the temp
    /// directory itself, where every local user can list the file names
    /// (which hold the session keys) and create files (forged sessions).
    pub fn with_directory(mut self, directory: impl Into<PathBuf>) -> Self {
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
    pub fn with_allow_shared_directory(mut self, allow: bool) -> Self {
        self.allow_shared_directory = allow;
        self
    }

    /// The file-name prefix: files are named `<cookie_name><key>`, as Django names them.
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// The default session age in seconds (Django's `SESSION_COOKIE_AGE`).
    ///
    /// The store writes each file's modification time as `expires_at -
    /// cookie_age` and reads the expiry back as `mtime + cookie_age`, which is
    /// also how Django's file backend computes it (an integer
    /// `_session_expiry` in the data changes that); see the crate docs.
    pub fn with_cookie_age(mut self, seconds: i64) -> Self {
        self.cookie_age = seconds;
        self
    }

    /// Copies [`with_cookie_name`](Self::with_cookie_name) and
    /// [`with_cookie_age`](Self::with_cookie_age) from the sessions' settings, so that
    /// the file names and the expiry encoded in the modification time agree
    /// with what the [`Session`](session_core::Session) handles use.
    pub fn with_session_config(self, config: &Config) -> Self {
        self.with_cookie_name(config.cookie_name.clone())
            .with_cookie_age(config.cookie_age)
    }

    /// How the data is written into each file. [`Codec::Json`] by default;
    /// use [`Codec::django`] to share the directory with Django.
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Whether each write is synced to disk (the file, then the directory)
    /// before it is acknowledged. On by default; turning it off trades
    /// durability across a power loss or OS crash for speed (an application
    /// crash loses nothing either way).
    pub fn with_fsync(mut self, fsync: bool) -> Self {
        self.fsync = fsync;
        self
    }

    /// The largest session file read or written, in bytes.
    pub fn with_max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// How long, in real time, a temporary file (`<name>_out_<random>`) must
    /// have been left unchanged (at least this long) before `clear_expired`
    /// removes it as the leftover of a crashed or failed write. Writes in
    /// progress are younger; `Duration::ZERO` removes every temporary file.
    pub fn with_stale_temp_age(mut self, age: Duration) -> Self {
        self.stale_temp_age = age;
        self
    }

    /// Judges every expiry by `clock` (E5).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Draws new keys from `keys` (tests use a fixed key to force collisions).
    pub fn with_key_generator(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// The settings a file URL describes: `file:///abs/dir` (the directory,
    /// percent-decoded) or `file://` (the backend's private default
    /// directory), with an optional `?codec=json|django`; everything else
    /// keeps its default. `codec=django` signs with `secret_key`, which the
    /// caller supplies (the backend never reads the environment).
    ///
    /// ```
    /// use session_backend_file::FileConfig;
    ///
    /// let config = FileConfig::from_url("file:///var/lib/app/sessions", None).expect("a file URL");
    /// # let _ = config;
    /// ```
    ///
    /// # Errors
    /// A [`FileUrlError`] naming what is wrong: another scheme, a relative
    /// directory, a host or fragment, an unknown or repeated parameter, a
    /// codec other than `json` or `django`, or `django` without a secret
    /// key (or with one under 16 bytes).
    pub fn from_url(url: &str, secret_key: Option<&str>) -> Result<Self, FileUrlError> {
        let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
        if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            return Err(FileUrlError::Scheme(scheme.to_owned()));
        }
        if !(rest.is_empty() || rest.starts_with(['/', '?'])) {
            return Err(FileUrlError::RelativePath);
        }
        let url = Url::parse(&format!("file:{rest}"))?;
        if let Some(host) = url.host_str().filter(|host| !host.is_empty()) {
            return Err(FileUrlError::Host(host.to_owned()));
        }
        if url.fragment().is_some() {
            return Err(FileUrlError::Fragment);
        }
        let mut config = Self::new();
        if url.path() != "/" {
            config.directory = Some(url.to_file_path().map_err(|()| FileUrlError::Path)?);
        }
        let mut seen = Vec::new();
        for (name, value) in url.query_pairs() {
            if seen.contains(&name) {
                return Err(FileUrlError::Repeated(name.into_owned()));
            }
            match &*name {
                "codec" => config.codec = codec(&value, secret_key)?,
                _ => return Err(FileUrlError::UnknownParameter(name.into_owned())),
            }
            seen.push(name);
        }
        Ok(config)
    }

    /// Resolves the directory and checks every setting.
    pub(crate) fn check(mut self) -> Result<(PathBuf, Self), FileError> {
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

/// [`FileConfig::from_url`] without a secret key.
impl FromStr for FileConfig {
    type Err = FileUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Self::from_url(url, None)
    }
}

/// The codec a URL's `codec` parameter names ([`Codec::from_name`]).
fn codec(name: &str, secret_key: Option<&str>) -> Result<Codec, FileUrlError> {
    Codec::from_name(name, secret_key).map_err(|e| match e {
        CodecNameError::Unknown(value) => FileUrlError::Codec(value),
        CodecNameError::MissingSecret => FileUrlError::MissingSecret,
        CodecNameError::ShortSecret(short) => FileUrlError::ShortSecret(short),
    })
}
