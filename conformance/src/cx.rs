//! The plumbing every check shares: opening stores, failing with context,
//! turning panics into failures, and building records.

use std::fmt::Debug;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use serde_json::Value;
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Config, Data, EXPIRY_KEY, ErrorKind, Record, Session, SessionStore, config};

use crate::harness::{Ctx, Harness, REQUIRE_VAR, required};
use crate::report::{Failure, Outcome};

/// Why a check stopped early.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The harness could not open its store.
    Skip(String),
    /// A rule was broken.
    Fail { rule: &'static str, message: String },
}

/// What a check body returns.
pub(crate) type Checked = Result<Outcome, Stop>;

/// A failure of `rule` with `message`.
pub(crate) fn fail(rule: &'static str, message: impl Into<String>) -> Stop {
    Stop::Fail {
        rule,
        message: message.into(),
    }
}

/// The check was switched off by a capability.
pub(crate) fn off(reason: &str) -> Checked {
    Ok(Outcome::Off(reason.to_owned()))
}

/// Why checks that need a server-side record are off for a client-side store.
pub(crate) const OFF_CLIENT_SIDE: &str = "capabilities().server_side is false: a client-side store keeps no record, so exists, delete, revocation and the interrupted save do not apply (session_core::rules, L5)";
/// Why clear_expired checks are off.
pub(crate) const OFF_NO_CLEAR: &str = "capabilities().clear_expired is false: the engine expires records by itself and clear_expired is a no-op";
/// Why checks of a client-side store's own contract are off.
pub(crate) const OFF_SERVER_SIDE: &str = "capabilities().server_side is true: this is the contract of a client-side store, whose key is its data";
/// Why the cross-instance races are off.
pub(crate) const OFF_NOT_SHARED: &str = "capabilities().shared_across_processes is false: the store is in-process only, so no second instance shares its records to race with";
/// Why reopen checks are off.
pub(crate) const OFF_NOT_DURABLE: &str =
    "capabilities().durable is false: records do not survive reopening the store";

/// Fails with `rule` unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $rule:literal, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::cx::fail($rule, format!($($fmt)+)));
        }
    };
}

/// Fails with `rule`, showing both values, unless `observed == expected`.
macro_rules! ensure_eq {
    ($observed:expr, $expected:expr, $rule:literal, $($fmt:tt)+) => {{
        let (observed, expected) = (&$observed, &$expected);
        if observed != expected {
            return Err($crate::cx::fail(
                $rule,
                format!(
                    "{}: expected {}, observed {}",
                    format!($($fmt)+),
                    $crate::cx::short(expected),
                    $crate::cx::short(observed)
                ),
            ));
        }
    }};
}

pub(crate) use {ensure, ensure_eq};

/// `Debug` of `value`, cut to a readable length.
pub(crate) fn short<T: Debug + ?Sized>(value: &T) -> String {
    let mut text = format!("{value:?}");
    if text.len() > 300 {
        let mut end = 300;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// Turns a store or session result into a check result.
pub(crate) trait Expect<T> {
    /// `Ok(value)`, or a failure of `rule` saying `what` returned an error.
    fn ok_or_fail(self, rule: &'static str, what: &str) -> Result<T, Stop>;
    /// A failure of `rule` unless the result is an error of `kind`.
    fn err_kind(self, kind: ErrorKind, rule: &'static str, what: &str) -> Result<(), Stop>;
}

impl<T: Debug> Expect<T> for session_core::Result<T> {
    fn ok_or_fail(self, rule: &'static str, what: &str) -> Result<T, Stop> {
        self.map_err(|e| {
            fail(
                rule,
                format!("{what}: expected Ok, observed Err({:?}): {e}", e.kind()),
            )
        })
    }

    fn err_kind(self, kind: ErrorKind, rule: &'static str, what: &str) -> Result<(), Stop> {
        match self {
            Err(e) if e.kind() == kind => Ok(()),
            Err(e) => Err(fail(
                rule,
                format!(
                    "{what}: expected Err({kind:?}), observed Err({:?}): {e}",
                    e.kind()
                ),
            )),
            Ok(value) => Err(fail(
                rule,
                format!(
                    "{what}: expected Err({kind:?}), observed Ok({})",
                    short(&value)
                ),
            )),
        }
    }
}

/// One run of one check against one harness.
pub(crate) struct Cx<'h, H: Harness> {
    pub(crate) h: &'h H,
    pub(crate) check: &'static str,
    opened: Mutex<Vec<Ctx>>,
    /// Set once the harness has opened a store, in this check or (see
    /// [`Cx::after_reached`]) in an earlier check of the same run.
    reached: AtomicBool,
    /// Set when the check ended on a skip after the store was reached.
    lost: AtomicBool,
}

impl<'h, H: Harness> Cx<'h, H> {
    pub(crate) fn new(h: &'h H, check: &'static str) -> Self {
        Self {
            h,
            check,
            opened: Mutex::new(Vec::new()),
            reached: AtomicBool::new(false),
            lost: AtomicBool::new(false),
        }
    }

    /// The same context, told whether an earlier check of the run reached
    /// the store: a later [`Skip`](crate::Skip) then means the store was
    /// lost, which fails the check.
    pub(crate) fn after_reached(self, reached: bool) -> Self {
        self.reached.store(reached, Ordering::Relaxed);
        self
    }

    /// True once the harness has opened a store for this check (or for an
    /// earlier one, see [`Cx::after_reached`]).
    pub(crate) fn reached(&self) -> bool {
        self.reached.load(Ordering::Relaxed)
    }

    /// True when the check failed because the store, once reached, could
    /// no longer be opened.
    pub(crate) fn lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// The backend's name.
    pub(crate) fn backend(&self) -> &'static str {
        self.h.name()
    }

    /// A store in a fresh context.
    pub(crate) async fn open(&self) -> Result<(Ctx, Arc<H::Store>), Stop> {
        let ctx = Ctx::new();
        let store = self.open_in(&ctx).await?;
        Ok((ctx, store))
    }

    /// A store in `ctx`: a fresh one, or a reopened view of one.
    pub(crate) async fn open_in(&self, ctx: &Ctx) -> Result<Arc<H::Store>, Stop> {
        {
            let mut opened = self.opened.lock().unwrap_or_else(PoisonError::into_inner);
            if !opened.iter().any(|c| c.namespace == ctx.namespace) {
                opened.push(ctx.clone());
            }
        }
        match self.h.open(ctx).await {
            Ok(store) => {
                self.reached.store(true, Ordering::Relaxed);
                Ok(Arc::new(store))
            }
            Err(skip) => Err(Stop::Skip(skip.0)),
        }
    }

    /// Cleans up `ctx` now rather than at the end of the check.
    pub(crate) async fn release(&self, ctx: &Ctx) {
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|c| c.namespace != ctx.namespace);
        self.h.cleanup(ctx).await;
    }

    /// Runs `body`, turning a panic into an R1 failure, cleans up, and
    /// names the backend and the check in any failure.
    pub(crate) async fn finish(
        &self,
        body: impl Future<Output = Checked>,
    ) -> Result<Outcome, Failure> {
        let result = match CatchUnwind(Box::pin(body)).await {
            Ok(result) => result,
            Err(panic) => Err(fail("R1", format!("the check panicked: {panic}"))),
        };
        let opened =
            std::mem::take(&mut *self.opened.lock().unwrap_or_else(PoisonError::into_inner));
        for ctx in &opened {
            self.h.cleanup(ctx).await;
        }
        self.report(result)
    }

    /// Names the backend and the check in a stopped check's result.
    ///
    /// A [`Skip`](crate::Skip) passes as [`Outcome::Skipped`] only while the
    /// store has never been reached and `SESSION_TEST_REQUIRE` does not
    /// name the backend; otherwise it is a `setup` failure.
    fn report(&self, result: Checked) -> Result<Outcome, Failure> {
        let failure = |rule, message| Failure {
            rule,
            backend: self.backend().to_owned(),
            check: self.check,
            message,
        };
        match result {
            Ok(outcome) => Ok(outcome),
            Err(Stop::Skip(reason)) if self.reached() => {
                self.lost.store(true, Ordering::Relaxed);
                Err(failure(
                    "setup",
                    format!(
                        "the store of `{}` was opened earlier in this run, then could not be opened: {reason}",
                        self.backend()
                    ),
                ))
            }
            Err(Stop::Skip(reason)) if required(self.backend()) => Err(failure(
                "setup",
                format!(
                    "{REQUIRE_VAR} names `{}` but its store cannot be opened: {reason}",
                    self.backend()
                ),
            )),
            Err(Stop::Skip(reason)) => Ok(Outcome::Skipped(reason)),
            Err(Stop::Fail { rule, message }) => Err(failure(rule, message)),
        }
    }
}

/// Polls a future, catching a panic as an error message.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic payload".to_owned())
}

// ----- building blocks -------------------------------------------------

/// A session handle on `store` with Django's default settings.
pub(crate) fn session<S: SessionStore + 'static>(store: &Arc<S>, key: Option<&str>) -> Session {
    session_with(store, Config::default(), key)
}

/// A session handle on `store` with `config`.
pub(crate) fn session_with<S: SessionStore + 'static>(
    store: &Arc<S>,
    config: Config,
    key: Option<&str>,
) -> Session {
    let store: Arc<dyn SessionStore> = store.clone();
    Session::new(store, Arc::new(config), key)
}

/// Data from `(key, value)` pairs, in order.
pub(crate) fn data<const N: usize>(pairs: [(&str, Value); N]) -> Data {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// A record of `data` with the default age as of the store's now, exactly
/// as the session handle would save it.
pub(crate) fn record(store: &impl SessionStore, data: Data) -> Record {
    let expires_at = store.clock().now() + Duration::seconds(config::DEFAULT_COOKIE_AGE);
    Record::new(data, expires_at)
}

/// A record of `data` that expires `seconds` after the store's now: its
/// data carries `_session_expiry = seconds`, as the session handle writes
/// it, so client-side stores can derive the same instant.
pub(crate) fn record_expiring(store: &impl SessionStore, mut data: Data, seconds: i64) -> Record {
    data.insert(EXPIRY_KEY.to_owned(), Value::from(seconds));
    let expires_at = store.clock().now() + Duration::seconds(seconds);
    Record::new(data, expires_at)
}

/// The store's current time.
pub(crate) fn now(store: &impl SessionStore) -> OffsetDateTime {
    store.clock().now()
}

/// The smallest step the suite moves the clock by around a boundary: one
/// microsecond for server-side stores, one second for client-side stores,
/// whose signed timestamps have whole-second resolution.
pub(crate) fn tick(store: &impl SessionStore) -> std::time::Duration {
    if store.capabilities().server_side {
        std::time::Duration::from_micros(1)
    } else {
        std::time::Duration::from_secs(1)
    }
}

/// Keys a cookie can carry but no server-side store may hold (K2): too
/// short, too long, upper case, path traversal, punctuation.
pub(crate) const MALFORMED_KEYS: &[&str] = &[
    "1",
    "1234567",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    "abcdefghijklmnopqrstuvwxyz0123456789abcde",
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "abcdefgh/../../x",
    "abcdefgh.tmp",
    "sessionid*",
    "abcdefgh:ijklmnop",
];

/// Values no cookie can carry at all; a session drops them at once: empty,
/// spaces, cookie separators, non-ASCII, quotes, backslashes, and a NUL
/// byte (which would cut a C string or a file path short).
pub(crate) const UNPARSEABLE_KEYS: &[&str] = &[
    "",
    "a b c d e f g h",
    "abcdefgh;x=1",
    "ключключключ",
    "abcdefgh\"x",
    "a\\b\\c\\defgh",
    "abcdefgh\0x",
];

/// True for a key of 32 characters of `[a-z0-9]` (K1).
pub(crate) fn is_k1_key(key: &str) -> bool {
    key.len() == 32
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::SessionKey;

    #[test]
    fn key_lists_hold_what_they_claim() {
        for raw in MALFORMED_KEYS {
            let key = SessionKey::parse(raw).expect("a malformed key still parses");
            assert!(!key.is_server_key(), "{raw:?} is a server key");
        }
        for raw in UNPARSEABLE_KEYS {
            assert!(SessionKey::parse(raw).is_none(), "{raw:?} parses");
        }
        assert!(UNPARSEABLE_KEYS.iter().any(|raw| raw.contains('\0')));
    }
}
