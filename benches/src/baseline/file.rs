//! The file baseline: `std::fs` read, write-temp-and-rename and unlink of
//! the session's JSON, in a private temporary directory.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use session_core::time::OffsetDateTime;
use session_core::{Codec, Data, Operation};
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::baseline::api::{Baseline, BaselineError, Counter};

const ENGINE: &str = "file";

/// `file`'s engine: one file per session holding its JSON (the JSON codec,
/// as `FileStore` writes it), written to a temporary file and renamed into
/// place, with the `fsync` of the file and of the directory the store does
/// by default ([`with_fsync`](Self::with_fsync) turns them off).
///
/// The blocking calls run as the store runs them: in place with
/// `block_in_place` on a multi-threaded Tokio runtime, on the blocking pool
/// on a current-thread one. Not done here and done by the store: the
/// modification time set to the expiry, `renameat2` create-if-absent and
/// swap-if-present, the per-key lock, the expiry check on load.
#[derive(Debug)]
pub struct FileBaseline {
    inner: Arc<Inner>,
    fsync: bool,
}

#[derive(Debug)]
struct Inner {
    dir: tempfile::TempDir,
    keys: Counter,
}

impl FileBaseline {
    /// A baseline in a new private (0700) temporary directory, removed
    /// when it is dropped, with fsync on.
    ///
    /// # Errors
    /// When the directory cannot be made.
    pub fn new() -> Result<Self, BaselineError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("session-bench-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder
            .tempdir()
            .map_err(io_error(Operation::Create, "making the directory"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                dir,
                keys: Counter::default(),
            }),
            fsync: true,
        })
    }

    /// With or without the two `fsync`s of a write (and the directory's
    /// after an unlink).
    pub fn with_fsync(self, fsync: bool) -> Self {
        Self { fsync, ..self }
    }

    /// The directory the files are in.
    pub fn directory(&self) -> &Path {
        self.inner.dir.path()
    }

    async fn blocking<T, F>(&self, work: F) -> Result<T, BaselineError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, BaselineError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| work(&inner))
            }
            Ok(runtime) => match runtime.spawn_blocking(move || work(&inner)).await {
                Ok(result) => result,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            },
            Err(_) => work(&inner),
        }
    }
}

fn io_error(operation: Operation, action: &'static str) -> impl FnOnce(io::Error) -> BaselineError {
    move |source| BaselineError::Io {
        engine: ENGINE,
        operation,
        action,
        source,
    }
}

impl Inner {
    fn path(&self, key: &str) -> PathBuf {
        self.dir.path().join(key)
    }

    fn write(
        &self,
        key: &str,
        text: &str,
        fsync: bool,
        operation: Operation,
    ) -> Result<(), BaselineError> {
        let temp = self
            .dir
            .path()
            .join(format!("{}.tmp", self.keys.next_key()));
        let mut file =
            fs::File::create(&temp).map_err(io_error(operation, "creating the temporary file"))?;
        file.write_all(text.as_bytes())
            .map_err(io_error(operation, "writing the temporary file"))?;
        if fsync {
            file.sync_all()
                .map_err(io_error(operation, "syncing the temporary file"))?;
        }
        drop(file);
        fs::rename(&temp, self.path(key)).map_err(io_error(operation, "renaming into place"))?;
        self.sync_directory(fsync, operation)
    }

    fn sync_directory(&self, fsync: bool, operation: Operation) -> Result<(), BaselineError> {
        if fsync {
            fs::File::open(self.dir.path())
                .and_then(|dir| dir.sync_all())
                .map_err(io_error(operation, "syncing the directory"))?;
        }
        Ok(())
    }
}

#[async_trait]
impl Baseline for FileBaseline {
    fn name(&self) -> &str {
        if self.fsync {
            "file read/write+fsync+rename/unlink"
        } else {
            "file read/write+rename/unlink"
        }
    }

    async fn create(&self, data: &Arc<Data>) -> Result<String, BaselineError> {
        let (data, fsync) = (Arc::clone(data), self.fsync);
        self.blocking(move |inner| {
            let key = inner.keys.next_key();
            let text = Codec::Json.encode(&data, OffsetDateTime::UNIX_EPOCH);
            inner.write(&key, &text, fsync, Operation::Create)?;
            Ok(key)
        })
        .await
    }

    async fn load(&self, key: &str) -> Result<Option<Arc<Data>>, BaselineError> {
        let key = key.to_owned();
        self.blocking(move |inner| {
            let text = match fs::read_to_string(inner.path(&key)) {
                Ok(text) => text,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error(Operation::Load, "reading the file")(e)),
            };
            let data = Codec::Json
                .decode(&text)
                .map_err(|e| BaselineError::Decode {
                    engine: ENGINE,
                    operation: Operation::Load,
                    reason: e.to_string(),
                })?;
            Ok(Some(Arc::new(data)))
        })
        .await
    }

    async fn save(&self, key: &str, data: &Arc<Data>) -> Result<String, BaselineError> {
        let (key, data, fsync) = (key.to_owned(), Arc::clone(data), self.fsync);
        self.blocking(move |inner| {
            let text = Codec::Json.encode(&data, OffsetDateTime::UNIX_EPOCH);
            inner.write(&key, &text, fsync, Operation::Save)?;
            Ok(key)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), BaselineError> {
        let (key, fsync) = (key.to_owned(), self.fsync);
        self.blocking(move |inner| match fs::remove_file(inner.path(&key)) {
            Ok(()) => inner.sync_directory(fsync, Operation::Delete),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(Operation::Delete, "removing the file")(e)),
        })
        .await
    }
}
