//! Captures what a store logs, so a backend's tests can check rules G2 and
//! R1 ("logged as suspicious", never with the client's data).
//!
//! The capture lives in `session_core::testing` (feature `testing`), where
//! session-core's own tests can reach it too; it is re-exported here under
//! the suite's paths.

pub use session_core::testing::{LogCapture, SUSPICIOUS, lines_on, suspicious_lines};
