//! The shared conformance suite on the cache store.
session_conformance::suite!(session_backend_cache::testing::CacheHarness::default());
