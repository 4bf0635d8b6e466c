//! `clear_expired`: the directory scan.

use std::fs::{self, DirEntry};
use std::io;
use std::time::{Duration, SystemTime};

use session_core::SessionKey;
use session_core::key::is_server_key;

use crate::error::FileError;
use crate::io::{Found, TEMP_INFIX, suspicious};
use crate::store::Inner;

impl Inner {
    /// Removes expired and corrupt session files, and stale temporary files;
    /// returns how many session files were removed.
    ///
    /// Only names this store can have written are considered:
    /// `<cookie_name><key>` and `<cookie_name><key>_out_<random>`; anything
    /// else in the directory is left alone.
    pub(crate) fn clear_expired(&self) -> Result<u64, FileError> {
        let entries = fs::read_dir(&self.directory)
            .map_err(FileError::io("listing the session directory"))?;
        let mut removed_sessions = 0;
        let mut removed_any = false;
        for entry in entries {
            let entry = entry.map_err(FileError::io("listing the session directory"))?;
            let name = entry.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&self.prefix)) else {
                continue;
            };
            if let Some(key) = SessionKey::parse(rest).filter(SessionKey::is_server_key) {
                if self.purge_session(&key)? {
                    removed_sessions += 1;
                    removed_any = true;
                }
            } else if rest
                .split_once(TEMP_INFIX)
                .is_some_and(|(key, _)| is_server_key(key))
                && is_stale_temp(&entry, self.stale_temp_age)
            {
                match fs::remove_file(entry.path()) {
                    Ok(()) => removed_any = true,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(FileError::io("removing a stale temporary file")(e)),
                }
            }
        }
        if removed_any {
            self.sync_directory()?;
        }
        Ok(removed_sessions)
    }

    /// Removes `key`'s file if it is expired or cannot be loaded; true if removed.
    fn purge_session(&self, key: &SessionKey) -> Result<bool, FileError> {
        let path = self.path(key);
        // Under the key's lock, so a save or create in this process cannot
        // replace the file between the check and the removal.
        let _guard = self.lock(key);
        match self.read(&path)? {
            Found::Missing | Found::Live(_) | Found::NotAFile => return Ok(false),
            Found::Corrupt(reason) => suspicious(reason),
            Found::Expired | Found::Forged => {}
        }
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(FileError::io("removing an expired session file")(e)),
        }
    }
}

/// True when a temporary file has not changed for `stale_age` of real time.
///
/// Judged by the inode's change time on Unix: a temporary file's
/// modification time is set on purpose to encode its expiry (and may be far
/// in the past), but setting it updates the change time to the real now.
fn is_stale_temp(entry: &DirEntry, stale_age: Duration) -> bool {
    let Ok(meta) = entry.metadata() else {
        return false;
    };
    #[cfg(unix)]
    let changed = {
        use std::os::unix::fs::MetadataExt;
        let seconds = u64::try_from(meta.ctime()).unwrap_or(0);
        let nanos = u64::try_from(meta.ctime_nsec()).unwrap_or(0);
        SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds))
            .and_then(|at| at.checked_add(Duration::from_nanos(nanos)))
    };
    #[cfg(not(unix))]
    let changed = meta.modified().ok();
    changed
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .is_some_and(|age| age > stale_age)
}
