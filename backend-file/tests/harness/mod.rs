//! The conformance harness of the file store.

use std::path::PathBuf;

use session_backend_file::{FileConfig, FileStore};
use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

/// Opens a file store in `<temp dir>/session-file-conformance-<namespace>`
/// (mode 0700) on the suite's clock and key generator, with the default
/// options (JSON codec, fsync on). Opening the same namespace twice gives two stores over
/// one directory, as two processes would have.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileHarness;

fn directory(ctx: &Ctx) -> PathBuf {
    std::env::temp_dir().join(format!("session-file-conformance-{}", ctx.namespace))
}

/// Creates `dir` readable by its owner only, as the store requires of a
/// session directory (the file names hold the keys).
fn create_private(dir: &std::path::Path) {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).expect("create the test directory");
}

#[session_conformance::async_trait]
impl Harness for FileHarness {
    type Store = FileStore;

    fn name(&self) -> &'static str {
        "file"
    }

    async fn open(&self, ctx: &Ctx) -> Result<FileStore, Skip> {
        let dir = directory(ctx);
        create_private(&dir);
        Ok(FileConfig::new()
            .directory(dir)
            .clock(ctx.shared_clock())
            .key_generator(ctx.keys.clone())
            .build()
            .expect("a valid file store configuration"))
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        let path = directory(ctx).join(format!("sessionid{}", key.as_str()));
        std::fs::write(path, b"\xff\xfe not a session").expect("overwrite the session file");
        Corruption::Done
    }

    async fn cleanup(&self, ctx: &Ctx) {
        let _ = std::fs::remove_dir_all(directory(ctx));
    }
}
