//! The shared conformance suite on the file store.
mod harness;
session_conformance::suite!(harness::FileHarness);
