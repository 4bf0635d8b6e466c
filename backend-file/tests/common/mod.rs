//! Helpers shared by the file store's tests.

use tempfile::TempDir;

/// A fresh temporary directory that only this user can access (mode 0700
/// on Unix), as the store requires of its directory: a plain `TempDir`
/// gets the umask's mode, typically 0755, which the store refuses.
pub(crate) fn private_tempdir() -> TempDir {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    let permissions = std::os::unix::fs::PermissionsExt::from_mode(0o700);
    #[cfg(unix)]
    builder.permissions(permissions);
    builder.tempdir().expect("a private temporary directory")
}
