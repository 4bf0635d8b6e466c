//! The shared conformance suite on the store in Django's format.
session_conformance::suite!(session_backend_signed_cookie::testing::SignedCookieHarness::default());
