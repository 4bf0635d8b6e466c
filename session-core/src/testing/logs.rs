//! [`LogCapture`]: what a test binary logs, as text, so tests can check
//! rules G2 and R1 ("logged as suspicious", never with the client's data).

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// The target on which stores log data they refuse: forged signatures,
/// corrupt records (Django's `django.security.SuspiciousSession`).
pub const SUSPICIOUS: &str = "session::suspicious";

/// Every event logged in this process, as the text `tracing_subscriber`'s
/// formatter writes (level, target, message, fields), at DEBUG and above.
///
/// It installs itself as the *global* subscriber, so it sees events from
/// blocking threads too. Use it in a test binary of its own that holds one
/// test: tracing caches a callsite's interest the first time any thread
/// reaches it, so a capture beside other concurrently running tests can
/// miss events.
#[derive(Debug, Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Installs a capture as the global subscriber.
    ///
    /// # Panics
    /// If a global subscriber is already set (a second capture in one
    /// binary): a test setup error, not a store's.
    pub fn install() -> Self {
        let capture = Self::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("LogCapture::install: one capture per test binary");
        capture
    }

    /// The text logged since the last `take`, which it clears.
    pub fn take(&self) -> String {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The lines of `log` logged on [`SUSPICIOUS`].
pub fn suspicious_lines(log: &str) -> Vec<&str> {
    lines_on(log, SUSPICIOUS)
}

/// The lines of `log` logged on `target` (the formatter writes it followed
/// by a colon).
pub fn lines_on<'a>(log: &'a str, target: &str) -> Vec<&'a str> {
    let marker = format!("{target}:");
    log.lines().filter(|l| l.contains(&marker)).collect()
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
