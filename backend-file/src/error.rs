//! The file backend's own failures and their mapping to [`session_core::Error`],
//! and [`FileUrlError`], why a URL names no file configuration.
//!
//! Messages never contain a session file's path: the file name holds the
//! session key, which is a secret (paths of the directory itself are fine).

use std::io;
use std::path::PathBuf;

use session_core::{Error, ErrorKind, Operation};

use crate::NAME;

/// Why [`FileConfig::from_url`](crate::FileConfig::from_url) refused a URL.
///
/// Messages never quote the URL itself, so they cannot show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileUrlError {
    /// The text is not a URL.
    #[error("not a URL: {0}")]
    Syntax(#[from] url::ParseError),
    /// The scheme is not `file`.
    #[error("`{0}` is not the scheme of the file backend (file)")]
    Scheme(String),
    /// `file:dir`: the directory must be absolute.
    #[error("a relative directory is not accepted; write an absolute one as file:///abs/dir")]
    RelativePath,
    /// `file://name/dir`: `name` is a host, which file URLs here cannot have.
    #[error(
        "file URLs take no host (`file://{0}/...` reads `{0}` as one); write an absolute directory as file:///abs/dir"
    )]
    Host(String),
    /// A fragment (`#...`).
    #[error("file URLs take no fragment")]
    Fragment,
    /// The path is not a directory name of this system.
    #[error("the path is not a directory name of this system")]
    Path,
    /// A query parameter the file backend does not know.
    #[error("unknown parameter `{0}` (the file backend takes codec)")]
    UnknownParameter(String),
    /// A query parameter given more than once.
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
    /// `codec` is neither `json` nor `django`.
    #[error("parameter `codec`: `{0}` is not json or django")]
    Codec(String),
    /// `codec=django` without a secret key to sign with.
    #[error("parameter `codec`: django needs a secret key, and none was given")]
    MissingSecret,
    /// `codec=django` with a secret key too short to sign with.
    #[error("parameter `codec`: the Django codec needs a longer secret key: {0}")]
    ShortSecret(#[source] session_core::codec::ShortSecretKey),
}

/// What can go wrong in this backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// A file-system call failed; `action` says which step, without the path.
    #[error("{action}: {source}")]
    Io {
        /// The step that failed, for example "renaming the new session file into place".
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The blocking task running the file-system calls panicked or was cancelled.
    #[error("the blocking file task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    /// The configured directory does not exist or is not a directory.
    #[error("the session directory {} is not an existing directory", directory.display())]
    NotADirectory {
        /// The configured directory.
        directory: PathBuf,
        /// Why it could not be inspected, if it could not.
        #[source]
        source: Option<io::Error>,
    },
    /// The default directory could not be created.
    #[error("cannot create the session directory {}: {source}", directory.display())]
    CreateDirectory {
        /// The default directory.
        directory: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The directory is open to other users and sharing was not allowed.
    #[cfg_attr(not(unix), allow(dead_code))]
    #[error(
        "the session directory {} is not private (mode {mode:04o}, owner uid {owner}): other \
         users who can list it can steal sessions (the file names hold the keys) and those who \
         can write to it can forge them; use a directory owned by uid {euid} with mode 0700, \
         or FileConfig::with_allow_shared_directory(true) if it is shared on purpose",
        directory.display()
    )]
    SharedDirectory {
        /// The configured directory.
        directory: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// Its owner.
        owner: u32,
        /// This process's effective uid.
        euid: u32,
    },
    /// `clear_expired` finished its scan, but some entries failed.
    #[error(
        "removed {removed} session files, but {failed} entries could not be checked or \
         removed (the scan went on past them); first failure: {first}"
    )]
    Incomplete {
        /// Session files removed in this scan.
        removed: u64,
        /// Entries that failed.
        failed: u64,
        /// The first failure.
        #[source]
        first: Box<FileError>,
    },
    /// The cookie name cannot be a file-name prefix.
    #[error("the cookie name must be non-empty and hold no '/', '\\' or NUL")]
    InvalidCookieName,
    /// `cookie_age` is negative or absurdly large.
    #[error("cookie_age {0} is outside 0 to 100 years")]
    InvalidCookieAge(i64),
    /// The encoded session is larger than `max_file_bytes`.
    #[error("the encoded session is {size} bytes, over the {max} byte limit")]
    TooLarge {
        /// Encoded size.
        size: u64,
        /// Configured limit.
        max: u64,
    },
    /// The record's expiry cannot be written as a file modification time.
    #[error("the expiry cannot be represented as a file time")]
    TimeOutOfRange,
}

impl FileError {
    /// Wraps an I/O error with the step that failed.
    pub(crate) fn io(action: &'static str) -> impl FnOnce(io::Error) -> FileError {
        move |source| FileError::Io { action, source }
    }

    /// The error kind callers see. Only failures a retry can cure are
    /// temporary (`Unavailable`): a busy resource, a timeout, an interrupted call.
    fn kind(&self) -> ErrorKind {
        match self {
            FileError::Io { source, .. } => match source.kind() {
                io::ErrorKind::TimedOut
                | io::ErrorKind::WouldBlock
                | io::ErrorKind::Interrupted
                | io::ErrorKind::ResourceBusy => ErrorKind::Unavailable,
                io::ErrorKind::FileTooLarge => ErrorKind::TooLarge,
                _ => ErrorKind::Storage,
            },
            FileError::Join(_) => ErrorKind::Storage,
            FileError::Incomplete { first, .. } => first.kind(),
            FileError::NotADirectory { .. }
            | FileError::CreateDirectory { .. }
            | FileError::SharedDirectory { .. }
            | FileError::InvalidCookieName
            | FileError::InvalidCookieAge(_) => ErrorKind::Config,
            FileError::TooLarge { .. } => ErrorKind::TooLarge,
            FileError::TimeOutOfRange => ErrorKind::Serialization,
        }
    }

    /// The [`session_core::Error`] for this failure during `operation`, with
    /// this error kept as its source.
    pub(crate) fn into_core(self, operation: Operation) -> Error {
        Error::new(self.kind(), operation, NAME)
            .with_context(self.to_string())
            .with_source(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R1: the kind follows the OS error; only retryable ones are temporary.
    #[test]
    fn r1_io_errors_map_to_kinds() {
        let full = FileError::Io {
            action: "writing",
            source: io::Error::from(io::ErrorKind::StorageFull),
        }
        .into_core(Operation::Save);
        assert_eq!(full.kind(), ErrorKind::Storage);
        assert_eq!(full.backend(), "file");
        assert_eq!(full.operation(), Operation::Save);
        assert!(!full.is_temporary());
        assert!(std::error::Error::source(&full).is_some());

        let busy = FileError::Io {
            action: "renaming",
            source: io::Error::from(io::ErrorKind::ResourceBusy),
        }
        .into_core(Operation::Save);
        assert!(busy.is_temporary());

        let config = FileError::InvalidCookieName.into_core(Operation::Open);
        assert_eq!(config.kind(), ErrorKind::Config);
    }
}
