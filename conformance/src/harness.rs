//! What a backend implements once to be tested: [`Harness`], and the
//! per-check context [`Ctx`] it opens stores in.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use session_core::key::FixedKey;
use session_core::{
    KeyGenerator, MockClock, RandomKeys, SessionKey, SessionStore, SharedClock, SharedKeyGenerator,
};

/// The Unix time every check's [`MockClock`] starts at (2023-11-14 22:13:20 UTC).
pub const START_UNIX: i64 = 1_700_000_000;

/// What a check gets to build stores with.
///
/// Every check (and every case of the property tests) makes a fresh `Ctx`,
/// so no two checks share a namespace, a clock or data.
#[derive(Clone)]
pub struct Ctx {
    /// The clock the store must judge expiry by. Starts at [`START_UNIX`];
    /// only the check moves it.
    pub clock: MockClock,
    /// The generator the store must draw new keys from: [`RandomKeys`] by
    /// default, a [`FixedKey`] or a scripted sequence in the key-collision
    /// checks (K4).
    pub keys: SharedKeyGenerator,
    /// Unique per check run: `t` and 12 characters of `[a-z0-9]`. A store
    /// opened twice with the same namespace sees the same data if it is
    /// durable, and never sees another namespace's data.
    pub namespace: String,
}

impl Ctx {
    /// A fresh context: a clock at [`START_UNIX`], random keys, a new namespace.
    pub fn new() -> Self {
        let random = RandomKeys.generate();
        Self {
            clock: MockClock::at_unix(START_UNIX),
            keys: RandomKeys::shared(),
            namespace: format!("t{}", &random.as_str()[..12]),
        }
    }

    /// The same context with another key generator.
    pub fn with_keys(mut self, keys: SharedKeyGenerator) -> Self {
        self.keys = keys;
        self
    }

    /// The same context whose generator always draws `key` (rule K4 checks).
    pub fn with_fixed_key(self, key: SessionKey) -> Self {
        self.with_keys(FixedKey::shared(key))
    }

    /// The same context whose generator draws `script` in order, then
    /// random keys (rule K1 and K4 checks).
    pub(crate) fn with_scripted_keys(self, script: impl IntoIterator<Item = SessionKey>) -> Self {
        self.with_keys(Arc::new(ScriptedKeys(Mutex::new(
            script.into_iter().collect(),
        ))))
    }

    /// [`Ctx::clock`] as the [`SharedClock`] a store takes.
    pub fn shared_clock(&self) -> SharedClock {
        self.clock.shared()
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("clock", &self.clock)
            .field("keys", &self.keys)
            .field("namespace", &self.namespace)
            .finish()
    }
}

/// A generator that draws a fixed script of keys, then random ones.
#[derive(Debug)]
struct ScriptedKeys(Mutex<VecDeque<SessionKey>>);

impl KeyGenerator for ScriptedKeys {
    fn generate(&self) -> SessionKey {
        let next = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        next.unwrap_or_else(|| RandomKeys.generate())
    }
}

/// Why a harness cannot open its store here: its server is not configured.
///
/// The suite prints `skipped: <name>: <reason>` and passes, unless
/// `SESSION_TEST_REQUIRE` names the harness (see [`required`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip(pub String);

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the suite makes stores of one backend.
///
/// A backend implements it once, in its `tests/conformance.rs` or in the
/// crate, and hands it to [`suite!`](crate::suite) or [`run`](crate::run).
///
/// # Example
///
/// ```
/// use session_conformance::{Corruption, Ctx, Harness, Skip};
/// use session_core::{MemoryStore, SessionKey};
///
/// struct Memory;
///
/// #[session_conformance::async_trait]
/// impl Harness for Memory {
///     type Store = MemoryStore;
///     fn name(&self) -> &'static str {
///         "memory"
///     }
///     async fn open(&self, ctx: &Ctx) -> Result<MemoryStore, Skip> {
///         Ok(MemoryStore::new()
///             .with_clock(ctx.shared_clock())
///             .with_key_generator(ctx.keys.clone()))
///     }
///     async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
///         Corruption::NotApplicable("keeps typed records, nothing encoded to corrupt")
///     }
/// }
/// ```
#[async_trait]
pub trait Harness: Send + Sync + 'static {
    /// The store type under test.
    type Store: SessionStore + 'static;

    /// Backend name for reports (`"memory"`, `"file"`, `"postgres"`).
    fn name(&self) -> &'static str;

    /// Opens a store on `ctx.clock` and `ctx.keys` in namespace
    /// `ctx.namespace` (a key prefix, a table, a directory).
    ///
    /// Opening twice with the same `ctx` must give two views of the same
    /// data when the store is durable. Returns `Err(Skip)` when the
    /// backend's server is not configured.
    async fn open(&self, ctx: &Ctx) -> Result<Self::Store, Skip>;

    /// Replaces the record stored under `key` in `ctx`'s namespace by bytes
    /// the store cannot decode, for the R1 check that a corrupt record loads
    /// as absent, and returns [`Corruption::Done`].
    ///
    /// Every harness must answer: a store that keeps nothing encoded (typed
    /// records in memory, or a client-side key that is the data) returns
    /// [`Corruption::NotApplicable`] with the reason, which the report shows
    /// as the check's `off` reason. There is no default, so no harness
    /// switches the check off by forgetting it.
    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption;

    /// Called once a check is done with `ctx` (passed or failed), to drop
    /// its table, directory or key prefix. The default does nothing.
    async fn cleanup(&self, _ctx: &Ctx) {}

    /// The Django `SECRET_KEY` a client-side store signs its keys with, when
    /// its keys are Django's `signed_cookies` values (rule G1). The G1
    /// checks verify each key with Django's `signing.loads` under this
    /// secret and the `signed_cookies` salt.
    ///
    /// `None`, the default, declares that the store's keys are not in
    /// Django's format (an encrypted cookie, or a server-side store); the
    /// checks that need the format are then reported off with that reason.
    fn django_secret(&self) -> Option<String> {
        None
    }
}

/// A harness's answer to [`Harness::corrupt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// The stored record under the key now holds bytes the store cannot decode.
    Done,
    /// The store keeps nothing encoded that could be damaged; the reason is
    /// reported as the `off` reason of `r1_corrupt_record_loads_as_absent`.
    NotApplicable(&'static str),
}

/// Runs any harness's stores behind `Arc<dyn SessionStore>`, as
/// applications hold them: `suite!(Erased(MyHarness))`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Erased<H>(pub H);

#[async_trait]
impl<H: Harness> Harness for Erased<H> {
    type Store = Arc<dyn SessionStore>;

    fn name(&self) -> &'static str {
        self.0.name()
    }

    async fn open(&self, ctx: &Ctx) -> Result<Self::Store, Skip> {
        Ok(Arc::new(self.0.open(ctx).await?))
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        self.0.corrupt(ctx, key).await
    }

    async fn cleanup(&self, ctx: &Ctx) {
        self.0.cleanup(ctx).await
    }

    fn django_secret(&self) -> Option<String> {
        self.0.django_secret()
    }
}

/// A boxed harness is a harness: `run(&harness)` on a
/// `Box<dyn Harness<Store = Arc<dyn SessionStore>>>` chosen at run time.
#[async_trait]
impl<H: Harness + ?Sized> Harness for Box<H> {
    type Store = H::Store;

    fn name(&self) -> &'static str {
        (**self).name()
    }

    async fn open(&self, ctx: &Ctx) -> Result<Self::Store, Skip> {
        (**self).open(ctx).await
    }

    async fn corrupt(&self, ctx: &Ctx, key: &SessionKey) -> Corruption {
        (**self).corrupt(ctx, key).await
    }

    async fn cleanup(&self, ctx: &Ctx) {
        (**self).cleanup(ctx).await
    }

    fn django_secret(&self) -> Option<String> {
        (**self).django_secret()
    }
}

/// The environment variable naming the backends that must not be skipped.
pub const REQUIRE_VAR: &str = "SESSION_TEST_REQUIRE";

/// True when `SESSION_TEST_REQUIRE` (a comma-separated list, read at run
/// time) names `backend`: a skip of that backend is then a failure.
pub fn required(backend: &str) -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|list| names(&list, backend))
}

/// True when the comma-separated `list` names `backend`.
fn names(list: &str, backend: &str) -> bool {
    list.split(',')
        .any(|name| name.trim().eq_ignore_ascii_case(backend))
}

/// The value of the environment variable `var` at run time, or `None` when
/// it is unset or blank. Harnesses use it for server URLs
/// (`SESSION_TEST_REDIS_URL`, ...), never `option_env!`.
pub fn env_url(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::Clock;

    #[test]
    fn require_list_is_comma_separated_and_case_insensitive() {
        assert!(names("redis, postgres,mysql", "postgres"));
        assert!(names("Redis", "redis"));
        assert!(!names("redis,postgres", "post"));
        assert!(!names("", "memory"));
    }

    #[test]
    fn namespaces_are_fresh_and_well_formed() {
        let (a, b) = (Ctx::new(), Ctx::new());
        assert_ne!(a.namespace, b.namespace);
        assert_eq!(a.namespace.len(), 13);
        assert!(a.namespace.starts_with('t'));
        assert!(
            a.namespace
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_eq!(a.clock.unix_seconds(), START_UNIX);
    }
}
