//! Temporary files next to a session file, and the three ways of moving one
//! into place: replace, link only if the name is free, swap only if the name
//! is taken.
//!
//! Errors are the operating system's own, never wrapped with a path: paths
//! hold session keys, which must stay out of error messages and logs.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use rand::Rng;
use rand::distr::Alphanumeric;

/// Random characters after the prefix (Django's mkstemp uses 8).
const RANDOM_LEN: usize = 10;

/// How many names are tried before giving up (each collision is ~2^-59).
const ATTEMPTS: usize = 8;

/// A file created exclusively under a random name, removed on drop unless
/// it was moved into place.
pub(crate) struct TempFile {
    path: PathBuf,
    file: File,
    armed: bool,
}

impl TempFile {
    /// Creates `<dir>/<prefix><random>` exclusively, readable and writable
    /// by the owner only (0600, as Django's mkstemp).
    pub(crate) fn create_in(dir: &Path, prefix: &str) -> io::Result<Self> {
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        for _ in 0..ATTEMPTS {
            let suffix: String = rand::rng()
                .sample_iter(Alphanumeric)
                .take(RANDOM_LEN)
                .map(char::from)
                .collect();
            let path = dir.join(format!("{prefix}{suffix}"));
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file,
                        armed: true,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// The open file, for writing.
    pub(crate) fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Moves the file to `target`, replacing whatever is there.
    pub(crate) fn rename_over(mut self, target: &Path) -> io::Result<()> {
        fs::rename(&self.path, target)?;
        self.armed = false;
        Ok(())
    }

    /// Moves the file to `target` only if nothing is there. On
    /// `AlreadyExists` the file is handed back for another use.
    pub(crate) fn link_if_free(mut self, target: &Path) -> Result<(), (io::Error, Self)> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            use rustix::io::Errno;
            match renameat_with(CWD, &self.path, CWD, target, RenameFlags::NOREPLACE) {
                Ok(()) => {
                    self.armed = false;
                    return Ok(());
                }
                // The file system does not support it: link + unlink below.
                Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {}
                Err(errno) => return Err((errno.into(), self)),
            }
        }
        match fs::hard_link(&self.path, target) {
            // The drop removes the temporary name; `target` stays.
            Ok(()) => Ok(()),
            Err(e) => Err((e, self)),
        }
    }

    /// Swaps the file with the existing `target` atomically: `Ok(true)` when
    /// swapped (the old file, now under the temporary name, is removed on
    /// drop), `Ok(false)` when `target` does not exist, and `Err` with the
    /// file handed back when the file system cannot swap.
    #[cfg(target_os = "linux")]
    pub(crate) fn swap_if_present(self, target: &Path) -> Result<bool, (io::Error, Self)> {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, &self.path, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(Errno::NOENT) => Ok(false),
            Err(errno) => Err((errno.into(), self)),
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            // A leftover is harmless and removed by `clear_expired` later.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// True when `err` means the file system cannot do the requested rename
/// variant (as opposed to a real failure).
#[cfg(target_os = "linux")]
pub(crate) fn is_unsupported(err: &io::Error) -> bool {
    use rustix::io::Errno;
    err.raw_os_error().is_some_and(|code| {
        [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP]
            .iter()
            .any(|errno| errno.raw_os_error() == code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temp_file_is_removed_and_a_moved_one_is_not() {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let temp = TempFile::create_in(dir.path(), "x_out_").expect("create");
        let path = temp.path.clone();
        assert!(path.exists());
        drop(temp);
        assert!(!path.exists());

        let target = dir.path().join("target");
        let temp = TempFile::create_in(dir.path(), "x_out_").expect("create");
        temp.link_if_free(&target)
            .map_err(|(e, _)| e)
            .expect("link");
        let temp = TempFile::create_in(dir.path(), "x_out_").expect("create");
        let (err, temp) = temp.link_if_free(&target).expect_err("taken");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        temp.rename_over(&target).expect("rename");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
