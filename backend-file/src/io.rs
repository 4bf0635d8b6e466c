//! The blocking file operations behind [`FileStore`](crate::FileStore).
//!
//! Every function here blocks; `FileStore` runs them off the async workers
//! (`block_in_place` or `spawn_blocking`). Files are read and
//! written as whole buffers (one `read`/`write` call for a small session),
//! never parsed straight from an unbuffered file.

use std::collections::hash_map::DefaultHasher;
use std::fs::{self, File};
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::{MutexGuard, PoisonError};

use session_core::{CodecError, Record, SessionKey};

use crate::access;
use crate::error::FileError;
use crate::mtime;
use crate::store::Inner;
use crate::temp::TempFile;

/// Between a session file's name and the random suffix of its temporary
/// files: `<cookie_name><key>_out_<random>`, Django's naming.
pub(crate) const TEMP_INFIX: &str = "_out_";

/// What a session file holds, judged at one instant.
pub(crate) enum Found {
    /// No file under the name.
    Missing,
    /// A file whose expiry has passed.
    Expired,
    /// Not a session file of ours: a symbolic link, a directory, a device,
    /// or a file owned by another user. Never loaded, replaced or removed;
    /// the reason is for the log.
    Foreign(&'static str),
    /// A file that is not a loadable session: empty, oversized or
    /// undecodable. The reason is for the log.
    Corrupt(&'static str),
    /// A signature that did not verify (already logged by the codec).
    Forged,
    /// A live record.
    Live(Record),
}

/// Whether a name is taken by a live session.
#[derive(PartialEq, Eq)]
pub(crate) enum State {
    /// No file.
    Missing,
    /// A session file that loads.
    Live,
    /// An expired, empty, corrupt or forged regular file.
    Dead,
    /// Something else (a directory, a device, a symbolic link, another
    /// user's file): never ours to replace.
    Other,
}

impl Inner {
    pub(crate) fn load(&self, key: &SessionKey) -> Result<Option<Record>, FileError> {
        match self.read(&self.path(key))? {
            Found::Live(record) => Ok(Some(record)),
            Found::Corrupt(reason) => {
                suspicious(reason);
                Ok(None)
            }
            Found::Foreign(reason) => {
                suspicious(reason);
                Ok(None)
            }
            Found::Missing | Found::Expired | Found::Forged => Ok(None),
        }
    }

    /// True iff the file loads: live and decodable (L5), like `load`.
    pub(crate) fn exists(&self, key: &SessionKey) -> Result<bool, FileError> {
        Ok(matches!(self.read(&self.path(key))?, Found::Live(_)))
    }

    /// Creates `key`'s file unless a live one holds the name; true when created.
    pub(crate) fn create(&self, key: &SessionKey, record: &Record) -> Result<bool, FileError> {
        let name = self.file_name(key);
        let path = self.directory.join(&name);
        let temp = self.write_temp(&name, record)?;
        // Linked into place only if the name is free (renameat2 NOREPLACE, or
        // link + unlink): no placeholder, no half-written file is ever visible.
        match temp.link_if_free(&path) {
            Ok(()) => {}
            Err((e, temp)) if e.kind() == io::ErrorKind::AlreadyExists => {
                let _guard = self.lock(key);
                match self.state(&path)? {
                    State::Live | State::Other => return Ok(false),
                    // An expired (or empty) file must not block its key forever.
                    State::Dead | State::Missing => temp
                        .rename_over(&path)
                        .map_err(FileError::io("replacing an expired session file"))?,
                }
            }
            Err((e, _)) => {
                return Err(FileError::io("moving the new session file into place")(e));
            }
        }
        if let Err(err) =
            self.sync_directory("syncing the session directory (the new session was removed again)")
        {
            // Not known to be durable: take it back rather than hand out a key.
            let _ = fs::remove_file(&path);
            return Err(err);
        }
        Ok(true)
    }

    /// Replaces `key`'s live file; false (nothing written) when it is gone.
    pub(crate) fn save(&self, key: &SessionKey, record: &Record) -> Result<bool, FileError> {
        let name = self.file_name(key);
        let path = self.directory.join(&name);
        if self.state(&path)? != State::Live {
            return Ok(false);
        }
        let temp = self.write_temp(&name, record)?;
        {
            let _guard = self.lock(key);
            // Checked again under the lock that `delete` takes: no delete in
            // this process can land between this check and the swap.
            if self.state(&path)? != State::Live || !self.replace(temp, &path)? {
                return Ok(false);
            }
        }
        // The new file is in place and visible; only its durability is unknown.
        self.sync_directory(
            "the session was saved (visible to readers) but is not yet durable: \
             syncing the session directory",
        )?;
        Ok(true)
    }

    pub(crate) fn delete(&self, key: &SessionKey) -> Result<(), FileError> {
        let removed = {
            let _guard = self.lock(key);
            match fs::remove_file(self.path(key)) {
                Ok(()) => true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(FileError::io("removing the session file")(e)),
            }
        };
        if removed {
            // A logout that a crash undoes would resurrect the session.
            self.sync_directory(
                "the session file was removed (it no longer loads) but the removal is not \
                 yet durable: syncing the session directory",
            )?;
        }
        Ok(())
    }

    /// Reads the file at `path` as of the clock's now.
    pub(crate) fn read(&self, path: &Path) -> Result<Found, FileError> {
        let mut options = File::options();
        options.read(true);
        // Never follow a symbolic link planted under a session's name, and
        // never block on opening a FIFO.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32,
        );
        let mut file = match options.open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
                return Ok(Found::Foreign("a symbolic link"));
            }
            Err(e) => return Err(FileError::io("opening the session file")(e)),
        };
        // Metadata of the opened file: the same inode as the bytes read, even
        // if a save renames a new file over the name meanwhile.
        let meta = file
            .metadata()
            .map_err(FileError::io("reading the session file's metadata"))?;
        if !meta.is_file() {
            return Ok(Found::Foreign("not a regular file"));
        }
        if access::is_foreign(&meta) {
            return Ok(Found::Foreign("owned by another user"));
        }
        // No early verdict from the modification time: an integer expiry in
        // the data may end the session before or after `mtime + cookie_age`.
        let Some(modified) = mtime::modified_of(&meta) else {
            return Ok(Found::Corrupt("modification time out of range"));
        };
        if meta.len() > self.max_file_bytes {
            return Ok(Found::Corrupt("file larger than max_file_bytes"));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        (&mut file)
            .take(self.max_file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(FileError::io("reading the session file"))?;
        if bytes.is_empty() {
            return Ok(Found::Corrupt("empty file"));
        }
        if bytes.len() as u64 > self.max_file_bytes {
            return Ok(Found::Corrupt("file larger than max_file_bytes"));
        }
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok(Found::Corrupt("not UTF-8"));
        };
        match self.codec.decode(&text) {
            Ok(data) => match self.expiry_of(modified, &data) {
                Some(expires_at) if expires_at > self.clock.now() => {
                    Ok(Found::Live(Record::new(data, expires_at)))
                }
                _ => Ok(Found::Expired),
            },
            // The codec has logged a bad signature itself.
            Err(CodecError::BadSignature(_)) => Ok(Found::Forged),
            Err(_) => Ok(Found::Corrupt("undecodable content")),
        }
    }

    /// Whether `path` holds a live session as of the clock's now. The file
    /// is read: only its data tells an integer expiry.
    pub(crate) fn state(&self, path: &Path) -> Result<State, FileError> {
        Ok(match self.read(path)? {
            Found::Missing => State::Missing,
            Found::Live(_) => State::Live,
            Found::Foreign(_) => State::Other,
            Found::Expired | Found::Corrupt(_) | Found::Forged => State::Dead,
        })
    }

    /// Writes the encoded record to a new temporary file next to `name`,
    /// whole, with its expiry as modification time, synced when configured.
    /// The file is removed again if anything fails (or when it is dropped).
    fn write_temp(&self, name: &str, record: &Record) -> Result<TempFile, FileError> {
        let text = self.codec.encode(&record.data, self.clock.now());
        let size = text.len() as u64;
        if size > self.max_file_bytes {
            return Err(FileError::TooLarge {
                size,
                max: self.max_file_bytes,
            });
        }
        let mtime = self.mtime_for(record)?;
        let mut temp = TempFile::create_in(&self.directory, &format!("{name}{TEMP_INFIX}"))
            .map_err(FileError::io("creating a temporary file"))?;
        let file = temp.file();
        file.write_all(text.as_bytes())
            .map_err(FileError::io("writing the temporary file"))?;
        file.flush()
            .map_err(FileError::io("writing the temporary file"))?;
        file.set_modified(mtime).map_err(FileError::io(
            "setting the temporary file's modification time",
        ))?;
        if self.fsync {
            file.sync_all()
                .map_err(FileError::io("syncing the temporary file"))?;
        }
        Ok(temp)
    }

    /// Moves `temp` over the existing `path`; false when `path` vanished.
    fn replace(&self, temp: TempFile, path: &Path) -> Result<bool, FileError> {
        #[cfg(target_os = "linux")]
        let temp = {
            use std::sync::atomic::Ordering;
            if !self.exchange.load(Ordering::Relaxed) {
                temp
            } else {
                match temp.swap_if_present(path) {
                    Ok(swapped) => return Ok(swapped),
                    Err((e, temp)) if crate::temp::is_unsupported(&e) => {
                        tracing::debug!(target: "session::store", backend = "file",
                            "RENAME_EXCHANGE unsupported here; using rename under the in-process lock");
                        self.exchange.store(false, Ordering::Relaxed);
                        temp
                    }
                    Err((e, _)) => {
                        return Err(FileError::io("swapping the new session file into place")(e));
                    }
                }
            }
        };
        temp.rename_over(path)
            .map_err(FileError::io("renaming the new session file into place"))?;
        Ok(true)
    }

    /// Makes renames and removals in the directory durable, when
    /// configured. `action` names the step for the error and, since the
    /// rename or removal before it has already taken effect, says so.
    pub(crate) fn sync_directory(&self, action: &'static str) -> Result<(), FileError> {
        if !self.fsync {
            return Ok(());
        }
        #[cfg(unix)]
        {
            File::open(&self.directory)
                .and_then(|dir| dir.sync_all())
                .map_err(FileError::io(action))?;
        }
        #[cfg(not(unix))]
        let _ = action;
        Ok(())
    }

    /// The in-process lock of `key`'s stripe: serializes the check-and-write
    /// of save, create-over-expired, delete and clear_expired per key.
    pub(crate) fn lock(&self, key: &SessionKey) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        // `locks` is never empty (LOCK_STRIPES > 0), so the index is in range.
        let stripe = (hasher.finish() % self.locks.len() as u64) as usize;
        // Critical sections only call the file system, leaving no state of
        // ours half-updated: a poisoned lock is safe to reuse.
        self.locks[stripe]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Logs a session file that cannot be loaded, without its name (the key).
pub(crate) fn suspicious(reason: &'static str) {
    tracing::warn!(target: "session::suspicious", backend = "file", reason, "session file cannot be loaded; treated as absent");
}
