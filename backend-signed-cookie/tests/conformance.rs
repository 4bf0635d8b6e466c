//! The shared conformance suite on the store in Django's format.
mod harness;
session_conformance::suite!(harness::SignedCookieHarness);
