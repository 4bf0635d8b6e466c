//! The conformance harness of the signed-cookie store, in Django's format
//! or encrypted, behind the `testing` feature.
//!
//! ```toml
//! [dev-dependencies]
//! session-backend-signed-cookie = { version = "0.1", features = ["testing"] }
//! ```
//!
//! Then `session_conformance::suite!(session_backend_signed_cookie::testing::SignedCookieHarness::default());`
//! runs the whole suite, and `session_conformance::run` runs it from a
//! program (the `session-stores` catalog builds the harness from a URL).

use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::SessionKey;

use crate::NAME;
use crate::config::{CookieFormat, SignedCookieConfig};
use crate::store::SignedCookieStore;

/// The secret of Django's test vectors (and of Django's own test settings).
pub const SECRET: &str = "conformance-secret";

/// The previous secret of Django's test vectors, for rotation.
pub const OLD_SECRET: &str = "conformance-secret-old";

/// Why there is no stored record to corrupt (rule R1).
const NOTHING_STORED: &str = "the key is the data; tampered keys are covered by g2_tampered_keys_load_as_absent and the crate's tampering tests";

/// Opens stores built from its [`SignedCookieConfig`] on the suite's clock.
/// The same secret every time, so a store "reopened" with the same context
/// reads what the first one wrote. A store that cannot be built is a
/// failure, never a skip.
///
/// Reported as `signed-cookie` in Django's format and as
/// `signed-cookie-encrypted` in the encrypted one.
#[derive(Debug, Clone)]
pub struct SignedCookieHarness {
    config: SignedCookieConfig,
}

/// Django's format, signing with [`SECRET`] and accepting [`OLD_SECRET`].
impl Default for SignedCookieHarness {
    fn default() -> Self {
        Self::new(SignedCookieConfig::new(SECRET).with_fallback_keys([OLD_SECRET]))
    }
}

impl SignedCookieHarness {
    /// A harness opening stores with `config` (its secret keys, format,
    /// cookie name and age); the clock is always the suite's.
    pub fn new(config: SignedCookieConfig) -> Self {
        Self { config }
    }

    /// [`default`](Self::default) in the encrypted (AES-256-GCM) format.
    pub fn encrypted() -> Self {
        let Self { config } = Self::default();
        Self::new(config.with_encryption())
    }
}

#[session_conformance::async_trait]
impl Harness for SignedCookieHarness {
    type Store = SignedCookieStore;

    fn name(&self) -> &'static str {
        match self.config.format {
            CookieFormat::Django => NAME,
            CookieFormat::Encrypted => "signed-cookie-encrypted",
        }
    }

    async fn open(&self, ctx: &Ctx) -> Result<SignedCookieStore, Skip> {
        let store = self.config.clone().with_clock(ctx.shared_clock()).build();
        Ok(store.unwrap_or_else(|e| {
            panic!("the harness's signed-cookie configuration is invalid: {e}")
        }))
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable(NOTHING_STORED)
    }

    /// Django's format: the G1 checks verify keys with the secret. The
    /// encrypted format is deliberately not Django's: no Django secret, so
    /// the checks of Django's format are reported off.
    fn django_secret(&self) -> Option<String> {
        match self.config.format {
            CookieFormat::Django => String::from_utf8(self.config.secret_key.clone()).ok(),
            CookieFormat::Encrypted => None,
        }
    }
}
