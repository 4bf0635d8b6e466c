//! The shared conformance suite on the store in the encrypted format.
session_conformance::suite!(
    session_backend_signed_cookie::testing::SignedCookieHarness::encrypted()
);
