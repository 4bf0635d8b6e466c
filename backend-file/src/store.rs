//! [`FileStore`]: one file per session in a directory.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use session_core::store::insert_with_fresh_key;
use session_core::{
    Capabilities, Codec, Error, Operation, Record, Result, SessionKey, SessionStore, SharedClock,
    SharedKeyGenerator,
};
use tokio::runtime::RuntimeFlavor;

use crate::NAME;
use crate::config::FileConfig;
use crate::error::FileError;

/// How many locks the in-process key locks are striped over.
const LOCK_STRIPES: usize = 64;

/// Sessions kept as files in one directory, the layout of Django's file
/// backend: `<directory>/<cookie_name><key>`, holding exactly the codec's
/// encoding of the data.
///
/// - **Atomic writes.** Every write goes to a temporary file in the same
///   directory, which is written whole, synced, stamped with its expiry and
///   then moved into place: a reader sees the old record or the new one,
///   never a half-written file, and a failed write leaves the old one intact.
/// - **Create never overwrites a live session** (K4): the new file is linked
///   into place only if the name is free; an expired file under the name may
///   be replaced.
/// - **Save never resurrects** (L1): the file must exist and be live; on Linux
///   the new file is swapped in with `renameat2(RENAME_EXCHANGE)`, which fails
///   when the file has vanished, so a concurrent delete, even by another
///   process, cannot be undone.
/// - **Expiry (E5)** is the file's modification time plus `cookie_age`, or
///   the data's date-time `_session_expiry` when that is earlier, or, for an
///   integer `_session_expiry` `n`, the modification time plus `n` (already
///   expired when `n` is negative), judged by the injected clock.
/// - **Private** (on Unix): the directory must belong to this process's user
///   with mode 0700 (unless shared on purpose), symbolic links are not
///   followed, and files owned by other users never load.
///
/// Clones share the same directory and in-process locks.
#[derive(Clone)]
pub struct FileStore {
    pub(crate) inner: Arc<Inner>,
}

/// Everything the blocking file operations need.
pub(crate) struct Inner {
    pub(crate) directory: PathBuf,
    pub(crate) prefix: String,
    pub(crate) cookie_age: i64,
    pub(crate) codec: Codec,
    pub(crate) fsync: bool,
    pub(crate) max_file_bytes: u64,
    pub(crate) stale_temp_age: std::time::Duration,
    pub(crate) clock: SharedClock,
    pub(crate) keys: SharedKeyGenerator,
    pub(crate) locks: Box<[Mutex<()>]>,
    /// False once the file system refused `RENAME_EXCHANGE`.
    #[cfg(target_os = "linux")]
    pub(crate) exchange: std::sync::atomic::AtomicBool,
}

impl FileStore {
    /// A configuration builder; see [`FileConfig`].
    pub fn builder() -> FileConfig {
        FileConfig::new()
    }

    /// A store over `directory` with the defaults otherwise.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when
    /// `directory` is not an existing directory, or (on Unix) is not private
    /// to this process's user; see [`FileConfig::with_directory`].
    pub fn open(directory: impl Into<PathBuf>) -> Result<Self> {
        FileConfig::new().with_directory(directory).build()
    }

    fn from_config(directory: PathBuf, config: FileConfig) -> Self {
        let locks = (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect();
        Self {
            inner: Arc::new(Inner {
                directory,
                prefix: config.cookie_name,
                cookie_age: config.cookie_age,
                codec: config.codec,
                fsync: config.fsync,
                max_file_bytes: config.max_file_bytes,
                stale_temp_age: config.stale_temp_age,
                clock: config.clock,
                keys: config.keys,
                locks,
                #[cfg(target_os = "linux")]
                exchange: std::sync::atomic::AtomicBool::new(true),
            }),
        }
    }

    /// The directory holding the session files.
    pub fn directory(&self) -> &Path {
        &self.inner.directory
    }

    /// The file-name prefix (Django's `SESSION_COOKIE_NAME`).
    pub fn cookie_name(&self) -> &str {
        &self.inner.prefix
    }

    /// The default age in seconds that links a file's modification time to
    /// its expiry: `expires_at = mtime + cookie_age`.
    pub fn cookie_age(&self) -> i64 {
        self.inner.cookie_age
    }

    /// The path of the file that holds `key`'s session, or `None` for a key
    /// this store can never hold (K2).
    pub fn path_of(&self, key: &SessionKey) -> Option<PathBuf> {
        key.is_server_key().then(|| self.inner.path(key))
    }

    /// Runs `work`, whose file-system calls block, without stalling the
    /// async runtime:
    ///
    /// - on a multi-threaded Tokio runtime, in place with
    ///   [`block_in_place`](tokio::task::block_in_place), which first hands
    ///   this worker's other tasks to another thread (about 0.5 µs when the
    ///   runtime is idle, against 10 µs or more for a `spawn_blocking` round
    ///   trip on a 2-core machine);
    /// - on a current-thread runtime, on the blocking pool with
    ///   [`spawn_blocking`](tokio::task::spawn_blocking);
    /// - outside any Tokio runtime, inline.
    async fn blocking<T, F>(&self, operation: Operation, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, FileError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let outcome = match tokio::runtime::Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| work(&inner))
            }
            Ok(runtime) => runtime
                .spawn_blocking(move || work(&inner))
                .await
                .map_err(FileError::from)
                .and_then(|result| result),
            Err(_) => work(&inner),
        };
        outcome.map_err(|e| e.into_core(operation))
    }
}

impl Inner {
    /// `<cookie_name><key>`, Django's file name.
    pub(crate) fn file_name(&self, key: &SessionKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }

    /// The session file of `key`; only called with server keys (K2).
    pub(crate) fn path(&self, key: &SessionKey) -> PathBuf {
        self.directory.join(self.file_name(key))
    }
}

impl FileConfig {
    /// Builds the store, creating the default directory (mode 0700) if no
    /// directory was configured and it is missing.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](session_core::ErrorKind::Config) when the
    /// directory does not exist or is not a directory, the default directory
    /// cannot be created or is a symbolic link, the directory is not private
    /// (on Unix: owned by another user, or any group or other permission
    /// bit set) and [`with_allow_shared_directory`](Self::with_allow_shared_directory)
    /// is off, the cookie name is empty or holds a path separator or NUL, or
    /// `cookie_age` is negative or over 100 years.
    pub fn build(self) -> Result<FileStore> {
        self.check()
            .map(|(directory, config)| FileStore::from_config(directory, config))
            .map_err(|e| e.into_core(Operation::Open))
    }
}

/// Keys are secrets: show only the store's shape.
impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("directory", &self.inner.directory)
            .field("cookie_name", &self.inner.prefix)
            .field("cookie_age", &self.inner.cookie_age)
            .field("codec", &self.inner.codec)
            .field("fsync", &self.inner.fsync)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for FileStore {
    fn name(&self) -> &str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::SHARED_DURABLE
    }

    fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        if !key.is_server_key() {
            return Ok(None);
        }
        let key = key.clone();
        self.blocking(Operation::Load, move |inner| inner.load(&key))
            .await
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Create, NAME)?;
        insert_with_fresh_key(NAME, &*self.inner.keys, |key| {
            let record = record.clone();
            self.blocking(Operation::Create, move |inner| inner.create(&key, &record))
        })
        .await
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, NAME)?;
        if !key.is_server_key() {
            return Err(Error::interrupted(Operation::Save, NAME));
        }
        let (owned, record) = (key.clone(), record.clone());
        let replaced = self
            .blocking(Operation::Save, move |inner| inner.save(&owned, &record))
            .await?;
        if replaced {
            Ok(key.clone())
        } else {
            Err(Error::interrupted(Operation::Save, NAME))
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        if !key.is_server_key() {
            return Ok(false);
        }
        let key = key.clone();
        self.blocking(Operation::Exists, move |inner| inner.exists(&key))
            .await
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        if !key.is_server_key() {
            return Ok(());
        }
        let key = key.clone();
        self.blocking(Operation::Delete, move |inner| inner.delete(&key))
            .await
    }

    async fn clear_expired(&self) -> Result<u64> {
        self.blocking(Operation::ClearExpired, |inner| inner.clear_expired())
            .await
    }
}
