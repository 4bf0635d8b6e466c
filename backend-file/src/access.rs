//! Who may see and touch the session directory and its files.
//!
//! Session file names hold the session keys, and with an unsigned codec the
//! content is trusted as it is. So on Unix:
//!
//! - the directory must be private to the process's user (owned by the
//!   effective uid, no group or other permission bits) unless the
//!   application opts out with
//!   [`FileConfig::with_allow_shared_directory`](crate::FileConfig::with_allow_shared_directory):
//!   another user who can list it steals sessions, one who can write to it
//!   forges them;
//! - a session file must be a regular file owned by the effective uid:
//!   symbolic links are not followed and files of other users are treated
//!   as absent, whatever the directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::FileError;

/// The default session directory: `<temp dir>/session-files-<euid>`.
///
/// Django's default is the temp directory itself; this one is a private
/// subdirectory of it, created with mode 0700 by
/// [`create_default_directory`].
pub(crate) fn default_directory() -> PathBuf {
    #[cfg(unix)]
    let name = format!("session-files-{}", effective_uid());
    #[cfg(not(unix))]
    let name = "session-files".to_owned();
    std::env::temp_dir().join(name)
}

/// Creates `directory` with mode 0700 if it is missing, and refuses it if
/// it is a symbolic link (anyone can plant one in the shared temp directory
/// before this process runs). The ownership and mode are checked afterwards
/// by [`check_private`], like any configured directory.
pub(crate) fn create_default_directory(directory: &Path) -> Result<(), FileError> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(directory) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(source) => {
            return Err(FileError::CreateDirectory {
                directory: directory.to_owned(),
                source,
            });
        }
    }
    match fs::symlink_metadata(directory) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(FileError::NotADirectory {
            directory: directory.to_owned(),
            source: None,
        }),
        Err(source) => Err(FileError::NotADirectory {
            directory: directory.to_owned(),
            source: Some(source),
        }),
    }
}

/// Refuses a directory that another user can list, write to or traverse,
/// or that another user owns (and so can open up at any time).
#[cfg(unix)]
pub(crate) fn check_private(directory: &Path, meta: &fs::Metadata) -> Result<(), FileError> {
    use std::os::unix::fs::MetadataExt;
    let euid = effective_uid();
    let mode = meta.mode() & 0o7777;
    if meta.uid() != euid || mode & 0o077 != 0 {
        return Err(FileError::SharedDirectory {
            directory: directory.to_owned(),
            mode,
            owner: meta.uid(),
            euid,
        });
    }
    Ok(())
}

/// Permissions are not checked outside Unix.
#[cfg(not(unix))]
pub(crate) fn check_private(_directory: &Path, _meta: &fs::Metadata) -> Result<(), FileError> {
    Ok(())
}

/// True when the file belongs to another user than the process's effective
/// one: not a session this store (or a Django process of the same user)
/// wrote, so never loaded, replaced or removed as one.
#[cfg(unix)]
pub(crate) fn is_foreign(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() != effective_uid()
}

/// Ownership is not checked outside Unix.
#[cfg(not(unix))]
pub(crate) fn is_foreign(_meta: &fs::Metadata) -> bool {
    false
}

/// The process's effective user id.
#[cfg(unix)]
pub(crate) fn effective_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}
