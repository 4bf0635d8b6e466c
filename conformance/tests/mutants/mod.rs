//! Deliberately broken stores: each one breaks one rule the way real
//! backends have broken it. The suite must fail every one of them.

mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use async_trait::async_trait;
use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::{Capabilities, SessionKey};

pub(crate) use store::Broken;
use store::Records;

/// One way to be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bug {
    /// `save` writes whether or not a live record exists (resurrects, L1).
    UpsertsOnSave,
    /// `load` and `exists` return expired records (E5).
    ReturnsExpired,
    /// `create` overwrites a taken key (K4).
    OverwritesOnCreate,
    /// `create` gives up with KeyCollision at the first taken key instead
    /// of drawing another (K4).
    GivesUpOnCollision,
    /// No key validation, and `save` under a never-created key creates it (K2, K3).
    AdoptsUnknownKeys,
    /// Non-ASCII characters in keys and values come back as `?` (D1).
    LosesUnicode,
    /// Integers pass through `f64`, as in a JSON layer built on doubles (D1).
    LosesBigIntegers,
    /// `exists` ignores expiry, as Django's database backend does (L5).
    ExistsIgnoresExpiry,
    /// A record is still live at its exact expiry instant (`>=`, E5).
    LiveAtExpiryInstant,
    /// `clear_expired` also removes records expiring within the hour (L6).
    ClearsLiveRecords,
    /// Deleting a missing key is an error (L4).
    DeleteMissingFails,
    /// `delete` does nothing (L2, L3: logout and login leave the record).
    DeleteIsNoop,
    /// `load` of an unknown key stores an empty record for it (K3).
    LoadCreates,
    /// `load` of any live key returns the most recently written record (D1).
    CrossTalk,
    /// Keys are matched case-insensitively, as a MySQL collation does (K2).
    CaseInsensitiveKeys,
    /// `create` draws keys from a predictable counter of its own instead of
    /// the secure generator it was given (K1).
    IgnoresKeyGenerator,
    /// `create` returns its key in upper case (K1).
    UppercasesKeys,
    /// Entries come back sorted by name instead of in insertion order (D1).
    SortsEntries,
    /// `save` writes half a record, yields, then the rest (R2).
    TornWrites,
    /// Claims to be durable, but a reopened store starts empty (R2).
    ForgetsOnReopen,
    /// Durable, but `delete` only hides the record in this instance, so it
    /// is back after a reopen (R2).
    ForgetsDeletesOnReopen,
    /// Shared across processes, but `create`, `save` and `delete` are made
    /// atomic by a lock inside the store instance, so two instances over one
    /// engine race (K4, L1).
    LocksPerInstance,
    /// Accepts data nested past `MAX_DEPTH`, which stores that encode
    /// could not read back.
    IgnoresDepthLimit,
    /// Encodes the data as Python's JSON (`pyjson`) but decodes it with
    /// plain serde_json, which turns integers beyond 64 bits into floats and
    /// rejects `NaN` and lone surrogates: such data comes back empty (D1).
    ReadsPythonJsonWithSerde,
    /// An integer `_session_expiry` `n > 0` ends the record at `expires_at -
    /// n + cookie_age`: a file store that writes the save time as mtime, as
    /// Django does, but reads `mtime + cookie_age` back (E5).
    IntegerExpiryByCookieAge,
}

impl Bug {
    /// The name the broken store reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bug::UpsertsOnSave => "upserts-on-save",
            Bug::ReturnsExpired => "returns-expired",
            Bug::OverwritesOnCreate => "overwrites-on-create",
            Bug::GivesUpOnCollision => "gives-up-on-collision",
            Bug::AdoptsUnknownKeys => "adopts-unknown-keys",
            Bug::LosesUnicode => "loses-unicode",
            Bug::LosesBigIntegers => "loses-big-integers",
            Bug::ExistsIgnoresExpiry => "exists-ignores-expiry",
            Bug::LiveAtExpiryInstant => "live-at-expiry-instant",
            Bug::ClearsLiveRecords => "clears-live-records",
            Bug::DeleteMissingFails => "delete-missing-fails",
            Bug::DeleteIsNoop => "delete-is-noop",
            Bug::LoadCreates => "load-creates",
            Bug::CrossTalk => "cross-talk",
            Bug::CaseInsensitiveKeys => "case-insensitive-keys",
            Bug::IgnoresKeyGenerator => "ignores-key-generator",
            Bug::UppercasesKeys => "uppercases-keys",
            Bug::SortsEntries => "sorts-entries",
            Bug::TornWrites => "torn-writes",
            Bug::ForgetsOnReopen => "forgets-on-reopen",
            Bug::ForgetsDeletesOnReopen => "forgets-deletes-on-reopen",
            Bug::LocksPerInstance => "locks-per-instance",
            Bug::IgnoresDepthLimit => "ignores-depth-limit",
            Bug::ReadsPythonJsonWithSerde => "reads-python-json-with-serde",
            Bug::IntegerExpiryByCookieAge => "integer-expiry-by-cookie-age",
        }
    }

    /// The capabilities the broken store claims.
    pub(crate) fn capabilities(self) -> Capabilities {
        match self {
            Bug::ForgetsOnReopen | Bug::ForgetsDeletesOnReopen => Capabilities {
                durable: true,
                ..Capabilities::IN_PROCESS
            },
            Bug::LocksPerInstance => Capabilities::SHARED_DURABLE,
            _ => Capabilities::IN_PROCESS,
        }
    }
}

/// The engines of durable broken stores: one per namespace, shared by
/// every instance opened in it, as a database is by several processes.
fn engines() -> &'static Mutex<HashMap<String, Records>> {
    static ENGINES: OnceLock<Mutex<HashMap<String, Records>>> = OnceLock::new();
    ENGINES.get_or_init(Mutex::default)
}

/// Opens a [`Broken`] store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BrokenHarness(pub(crate) Bug);

#[async_trait]
impl Harness for BrokenHarness {
    type Store = Broken;

    fn name(&self) -> &'static str {
        self.0.name()
    }

    async fn open(&self, ctx: &Ctx) -> std::result::Result<Broken, Skip> {
        let records = match self.0 {
            Bug::LocksPerInstance | Bug::ForgetsDeletesOnReopen => engines()
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(ctx.namespace.clone())
                .or_default()
                .clone(),
            _ => Arc::default(),
        };
        Ok(Broken::new(self.0, records, ctx))
    }

    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable("keeps typed records, nothing encoded to corrupt")
    }

    async fn cleanup(&self, ctx: &Ctx) {
        engines()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&ctx.namespace);
    }
}
