//! [`CliError`]: every way a command fails, each one line for stderr, and
//! the exit status it gives.

use std::path::PathBuf;
use std::time::Duration;

use session_core::Operation;
use session_stores::OpenError;

/// Exit status of a command that found what it was asked to check wrong:
/// a failed conformance check, a missing session, a store error.
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit status for bad input: a URL no backend accepts, a bad key, a bad
/// flag (clap uses the same number).
pub(crate) const EXIT_USAGE: u8 = 2;

/// Why a command failed. Messages are one line and never show a password:
/// URLs in them are redacted by the catalog.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The URL opened no store.
    #[error("{0}")]
    Open(#[from] OpenError),
    /// The store did not answer in time.
    #[error("{url}: no answer from the session store within {}s ({operation:?})", limit.as_secs())]
    Timeout {
        /// The URL, redacted.
        url: String,
        /// What was asked.
        operation: Operation,
        /// How long it was given.
        limit: Duration,
    },
    /// The store answered with an error.
    #[error("{url}: {error}")]
    Store {
        /// The URL, redacted.
        url: String,
        /// The store's error.
        error: session_core::Error,
    },
    /// The key is not a value any session cookie can hold.
    #[error("not a session key: empty, too long, or with characters a cookie cannot hold")]
    BadKey,
    /// No live session under the key.
    #[error("no live session under that key (missing, expired, or undecodable with this secret)")]
    NoSession,
    /// The suite found the store breaking rules.
    #[error("{backend}: {failed} conformance check(s) failed")]
    Nonconforming {
        /// The backend's label.
        backend: String,
        /// How many checks failed.
        failed: usize,
    },
    /// The benchmark of a backend could not run.
    #[error("{label}: benchmark failed: {reason}")]
    Bench {
        /// The backend's label.
        label: String,
        /// Why.
        reason: String,
    },
    /// The report could not be written.
    #[error("cannot write the report to {}: {reason}", path.display())]
    Report {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The program could not set itself up (a runtime, a temporary directory).
    #[error("cannot start: {0}")]
    Setup(std::io::Error),
}

impl CliError {
    /// The exit status for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Open(OpenError::Open { .. }) => EXIT_FAILURE,
            CliError::Open(_) | CliError::BadKey => EXIT_USAGE,
            _ => EXIT_FAILURE,
        }
    }
}
