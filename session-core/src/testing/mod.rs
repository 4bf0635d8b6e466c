//! Test helpers shared by every crate of the workspace (feature `testing`):
//! Django's recorded vectors, a log capture and a probing store wrapper.
//!
//! Enable it for tests only, as a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! session-core = { workspace = true, features = ["testing"] }
//! ```
//!
//! | item | for |
//! |---|---|
//! | [`django_vectors`] | `testdata/django/vectors.json`: what Django 5.2 signs, encodes and logs, recorded once |
//! | [`LogCapture`] | everything logged in a test binary, as text (G2, R1: what a store logs as suspicious) |
//! | [`ProbeStore`] | a store wrapper that counts calls, holds a save and injects failures |
//!
//! `session-conformance` re-exports [`ProbeStore`] and the log capture
//! under its own paths (`session_conformance::ProbeStore`,
//! `session_conformance::logs`).

mod logs;
mod probe;
mod vectors;

pub use logs::{LogCapture, SUSPICIOUS, lines_on, suspicious_lines};
pub use probe::ProbeStore;
pub use vectors::{VECTORS_PATH, django_vectors};
