//! The shared conformance suite on the store in the encrypted format.
mod harness;
session_conformance::suite!(harness::EncryptedCookieHarness);
