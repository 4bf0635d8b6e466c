//! `clear_expired`: the directory scan.

use std::fs::{self, DirEntry};
use std::io;
use std::time::{Duration, SystemTime};

use session_core::SessionKey;
use session_core::key::is_server_key;

use crate::error::FileError;
use crate::io::{Found, TEMP_INFIX, suspicious};
use crate::store::Inner;

/// How many characters of a key the log shows of a file that failed.
const SHOWN_KEY_CHARS: usize = 4;

/// What one scan did, and what it could not do.
#[derive(Default)]
struct Tally {
    removed_sessions: u64,
    removed_any: bool,
    failed: u64,
    first_failure: Option<FileError>,
}

impl Tally {
    /// Logs a failed entry under a redacted name and keeps the first error.
    fn fail(&mut self, shown_name: &str, err: FileError) {
        tracing::warn!(target: "session::store", backend = "file", file = shown_name, error = %err,
            "clear_expired could not check or remove a file; continuing with the others");
        self.failed += 1;
        self.first_failure.get_or_insert(err);
    }
}

impl Inner {
    /// Removes expired and corrupt session files, and stale temporary files;
    /// returns how many session files were removed.
    ///
    /// Only names this store can have written are considered:
    /// `<cookie_name><key>` and `<cookie_name><key>_out_<random>`; anything
    /// else in the directory is left alone, and so are symbolic links,
    /// non-regular files and files of other users under those names.
    ///
    /// One entry that fails (cannot be read or removed) does not stop the
    /// scan: it is logged (with its key cut to a few characters) and the
    /// scan goes on. When any entry failed, the whole call returns
    /// [`FileError::Incomplete`] after the scan, with the count of removed
    /// files and the first failure.
    pub(crate) fn clear_expired(&self) -> Result<u64, FileError> {
        let entries = fs::read_dir(&self.directory)
            .map_err(FileError::io("listing the session directory"))?;
        let mut tally = Tally::default();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    // A failed directory read may not advance: stop listing,
                    // but keep (and sync) what was removed so far.
                    tally.fail(
                        "(directory listing)",
                        FileError::io("listing the session directory")(e),
                    );
                    break;
                }
            };
            let name = entry.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&self.prefix)) else {
                continue;
            };
            if let Some(key) = SessionKey::parse(rest).filter(SessionKey::is_server_key) {
                match self.purge_session(&key) {
                    Ok(true) => {
                        tally.removed_sessions += 1;
                        tally.removed_any = true;
                    }
                    Ok(false) => {}
                    Err(err) => tally.fail(&self.redacted(rest), err),
                }
            } else if rest
                .split_once(TEMP_INFIX)
                .is_some_and(|(key, _)| is_server_key(key))
                && is_stale_temp(&entry, self.stale_temp_age)
            {
                match fs::remove_file(entry.path()) {
                    Ok(()) => tally.removed_any = true,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => tally.fail(
                        &format!("{}{TEMP_INFIX}…", self.redacted(rest)),
                        FileError::io("removing a stale temporary file")(e),
                    ),
                }
            }
        }
        if tally.removed_any {
            self.sync_directory(
                "expired session files were removed (they no longer load) but the removal \
                 is not yet durable: syncing the session directory",
            )?;
        }
        match tally.first_failure {
            None => Ok(tally.removed_sessions),
            Some(first) => Err(FileError::Incomplete {
                removed: tally.removed_sessions,
                failed: tally.failed,
                first: Box::new(first),
            }),
        }
    }

    /// `<cookie_name>` and the first few characters of the key in `rest`:
    /// enough to find the file, too little to use the session.
    fn redacted(&self, rest: &str) -> String {
        let shown = rest.get(..SHOWN_KEY_CHARS).unwrap_or("");
        format!("{}{shown}…", self.prefix)
    }

    /// Removes `key`'s file if it is expired or cannot be loaded; true if removed.
    fn purge_session(&self, key: &SessionKey) -> Result<bool, FileError> {
        let path = self.path(key);
        // Under the key's lock, so a save or create in this process cannot
        // replace the file between the check and the removal.
        let _guard = self.lock(key);
        match self.read(&path)? {
            Found::Missing | Found::Live(_) => return Ok(false),
            Found::Foreign(reason) => {
                suspicious(reason);
                return Ok(false);
            }
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

/// True when a temporary file (a regular file, never a link or a
/// directory) has not changed for at least `stale_age` of real time.
///
/// Judged by the inode's change time on Unix: a temporary file's
/// modification time is set on purpose to encode its expiry (and may be far
/// in the past), but setting it updates the change time to the real now. A
/// change time in the future counts as age zero.
fn is_stale_temp(entry: &DirEntry, stale_age: Duration) -> bool {
    // `DirEntry::metadata` does not follow symbolic links.
    let Ok(meta) = entry.metadata() else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
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
    changed.is_some_and(|at| {
        let age = SystemTime::now()
            .duration_since(at)
            .unwrap_or(Duration::ZERO);
        age >= stale_age
    })
}
