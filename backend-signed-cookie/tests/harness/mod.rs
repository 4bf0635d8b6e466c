//! Conformance harnesses: the store in Django's format and in the encrypted
//! format, on the suite's clock, with Django's test secret.

// Each test binary that declares `mod harness;` uses one of the two.
#![allow(dead_code)]

use session_backend_signed_cookie::{CookieFormat, SignedCookieConfig, SignedCookieStore};
use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

/// The secret of Django's test vectors (and of Django's own test settings).
pub(crate) const SECRET: &str = "conformance-secret";
/// The previous secret of the vectors, for rotation.
pub(crate) const OLD_SECRET: &str = "conformance-secret-old";

/// Why there is no stored record to corrupt (rule R1).
const NOTHING_STORED: &str = "the key is the data; tampered keys are covered by g2_tampered_keys_load_as_absent and the crate's tampering tests";

/// Opens a store on the suite's clock. The same secret every time, so a
/// store "reopened" with the same context reads what the first one wrote.
/// A store that cannot be built is a failure, never a skip.
fn open(ctx: &Ctx, format: CookieFormat) -> Result<SignedCookieStore, Skip> {
    let store = SignedCookieConfig::new(SECRET)
        .fallback_keys([OLD_SECRET])
        .clock(ctx.shared_clock())
        .format(format)
        .build()
        .expect("the conformance configuration is valid");
    Ok(store)
}

/// The store in Django's `signed_cookies` format.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SignedCookieHarness;

#[session_conformance::async_trait]
impl Harness for SignedCookieHarness {
    type Store = SignedCookieStore;

    fn name(&self) -> &'static str {
        "signed-cookie"
    }

    async fn open(&self, ctx: &Ctx) -> Result<SignedCookieStore, Skip> {
        open(ctx, CookieFormat::Django)
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable(NOTHING_STORED)
    }

    /// Django's format: the G1 checks verify keys with this secret.
    fn django_secret(&self) -> Option<String> {
        Some(SECRET.to_owned())
    }
}

/// The store in the encrypted (AES-256-GCM) format.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EncryptedCookieHarness;

#[session_conformance::async_trait]
impl Harness for EncryptedCookieHarness {
    type Store = SignedCookieStore;

    fn name(&self) -> &'static str {
        "signed-cookie-encrypted"
    }

    async fn open(&self, ctx: &Ctx) -> Result<SignedCookieStore, Skip> {
        open(ctx, CookieFormat::Encrypted)
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable(NOTHING_STORED)
    }

    /// The encrypted format is deliberately not Django's: no Django secret,
    /// so the checks of Django's format are reported off.
    fn django_secret(&self) -> Option<String> {
        None
    }
}
