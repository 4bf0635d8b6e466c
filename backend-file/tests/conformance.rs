//! The shared conformance suite on the file store.
session_conformance::suite!(session_backend_file::testing::FileHarness::default());
