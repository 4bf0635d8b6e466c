//! The shared conformance suite on the cache store.
mod harness;
session_conformance::suite!(harness::CacheHarness);
