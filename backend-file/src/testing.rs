//! The conformance harness of the file store, behind the `testing` feature.
//!
//! ```toml
//! [dev-dependencies]
//! session-backend-file = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Then `session_conformance::suite!(session_backend_file::testing::FileHarness::default());`
//! runs the whole suite, and `session_conformance::run` runs it from a
//! program (the `session-stores` catalog builds the harness from a URL).

use std::io;
use std::path::{Path, PathBuf};

use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

use crate::NAME;
use crate::access;
use crate::config::FileConfig;
use crate::store::FileStore;

/// Opens file stores in one sub-directory per check under a base directory:
/// `<base>/session-file-conformance-<namespace>` (mode 0700), on the suite's
/// clock and key generator, with the rest of its [`FileConfig`] (codec,
/// fsync, cookie name). Opening the same namespace twice gives two stores
/// over one directory, as two processes would have. The sub-directory is
/// removed when the check ends.
#[derive(Debug, Clone)]
pub struct FileHarness {
    base: PathBuf,
    config: FileConfig,
}

/// The system temp directory as the base, with the default options (JSON
/// codec, fsync on).
impl Default for FileHarness {
    fn default() -> Self {
        Self {
            base: std::env::temp_dir(),
            config: FileConfig::new(),
        }
    }
}

impl FileHarness {
    /// A harness with `config`, whose directory (or, when it has none, the
    /// backend's private default directory) is the base the per-check
    /// sub-directories are made in. The clock and key generator are always
    /// the suite's.
    pub fn new(config: FileConfig) -> Self {
        let base = config
            .directory
            .clone()
            .unwrap_or_else(access::default_directory);
        Self { base, config }
    }

    /// The directory the stores of `ctx` keep their files in.
    pub fn directory(&self, ctx: &Ctx) -> PathBuf {
        self.base
            .join(format!("session-file-conformance-{}", ctx.namespace))
    }
}

/// Creates `dir` and its missing parents readable by their owner only
/// (mode 0700 on Unix), as the store requires of a session directory (the
/// file names hold the keys).
///
/// # Errors
/// The operating system's error.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[session_conformance::async_trait]
impl Harness for FileHarness {
    type Store = FileStore;

    fn name(&self) -> &'static str {
        NAME
    }

    async fn open(&self, ctx: &Ctx) -> Result<FileStore, Skip> {
        let dir = self.directory(ctx);
        if let Err(e) = create_private_dir(&dir) {
            panic!("cannot create the test directory {}: {e}", dir.display());
        }
        let store = self
            .config
            .clone()
            .with_directory(dir)
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone())
            .build();
        Ok(store.unwrap_or_else(|e| panic!("the harness's file configuration is invalid: {e}")))
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        let name = format!("{}{}", self.config.cookie_name, key.as_str());
        let path = self.directory(ctx).join(name);
        std::fs::write(path, b"\xff\xfe not a session").expect("overwrite the session file");
        Corruption::Done
    }

    async fn cleanup(&self, ctx: &Ctx) {
        let _ = std::fs::remove_dir_all(self.directory(ctx));
    }
}
