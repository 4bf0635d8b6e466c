//! The conformance harness of the file store.

use std::path::PathBuf;

use session_backend_file::{FileConfig, FileStore};
use session_conformance::{Ctx, Harness, Skip};
use session_core::SessionKey;

/// Opens a file store in `<temp dir>/session-file-conformance-<namespace>`
/// on the suite's clock and key generator, with the default options (JSON
/// codec, fsync on). Opening the same namespace twice gives two stores over
/// one directory, as two processes would have.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileHarness;

fn directory(ctx: &Ctx) -> PathBuf {
    std::env::temp_dir().join(format!("session-file-conformance-{}", ctx.namespace))
}

#[session_conformance::async_trait]
impl Harness for FileHarness {
    type Store = FileStore;

    fn name(&self) -> &'static str {
        "file"
    }

    async fn open(&self, ctx: &Ctx) -> Result<FileStore, Skip> {
        let dir = directory(ctx);
        std::fs::create_dir_all(&dir).expect("create the test directory");
        Ok(FileConfig::new()
            .directory(dir)
            .clock(ctx.shared_clock())
            .key_generator(ctx.keys.clone())
            .build()
            .expect("a valid file store configuration"))
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> bool {
        let path = directory(ctx).join(format!("sessionid{}", key.as_str()));
        std::fs::write(path, b"\xff\xfe not a session").is_ok()
    }

    async fn cleanup(&self, ctx: &Ctx) {
        let _ = std::fs::remove_dir_all(directory(ctx));
    }
}
