//! Deliberately broken stores: each one breaks one rule the way real
//! backends have broken it. The suite must fail every one of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use serde_json::Value;
use session_conformance::{Ctx, Harness, Skip};
use session_core::store::insert_with_fresh_key;
use session_core::time::OffsetDateTime;
use session_core::{
    Capabilities, Data, Error, ErrorKind, Operation, Record, Result, SessionKey, SessionStore,
    SharedClock, SharedKeyGenerator,
};

/// One way to be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bug {
    /// `save` writes whether or not a live record exists (resurrects, L1).
    UpsertsOnSave,
    /// `load` and `exists` return expired records (E5).
    ReturnsExpired,
    /// `create` overwrites a taken key (K4).
    OverwritesOnCreate,
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
    /// Keys are matched case-insensitively, as a MySQL collation does (K2).
    CaseInsensitiveKeys,
    /// Entries come back sorted by name instead of in insertion order (D1).
    SortsEntries,
    /// `save` writes half a record, yields, then the rest (R2).
    TornWrites,
}

impl Bug {
    /// The name the broken store reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bug::UpsertsOnSave => "upserts-on-save",
            Bug::ReturnsExpired => "returns-expired",
            Bug::OverwritesOnCreate => "overwrites-on-create",
            Bug::AdoptsUnknownKeys => "adopts-unknown-keys",
            Bug::LosesUnicode => "loses-unicode",
            Bug::LosesBigIntegers => "loses-big-integers",
            Bug::ExistsIgnoresExpiry => "exists-ignores-expiry",
            Bug::LiveAtExpiryInstant => "live-at-expiry-instant",
            Bug::ClearsLiveRecords => "clears-live-records",
            Bug::DeleteMissingFails => "delete-missing-fails",
            Bug::CaseInsensitiveKeys => "case-insensitive-keys",
            Bug::SortsEntries => "sorts-entries",
            Bug::TornWrites => "torn-writes",
        }
    }
}

/// A map-based store like `MemoryStore`, broken by `bug`.
#[derive(Debug)]
pub(crate) struct Broken {
    bug: Bug,
    records: Mutex<HashMap<String, Record>>,
    clock: SharedClock,
    keys: SharedKeyGenerator,
}

impl Broken {
    fn records(&self) -> MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn live(&self, record: &Record) -> bool {
        match self.bug {
            Bug::ReturnsExpired => true,
            Bug::LiveAtExpiryInstant => record.expires_at >= self.now(),
            _ => record.is_live_at(self.now()),
        }
    }

    /// The map key for `key`, or `None` for a key the store refuses.
    fn slot(&self, key: &SessionKey) -> Option<String> {
        match self.bug {
            Bug::AdoptsUnknownKeys => Some(key.as_str().to_owned()),
            Bug::CaseInsensitiveKeys => Some(key.as_str().to_ascii_lowercase()),
            _ => key.is_server_key().then(|| key.as_str().to_owned()),
        }
    }

    /// What the engine keeps of `record`.
    fn stored(&self, record: &Record) -> Record {
        let mangle = |data: &Data| -> Data {
            let mut out: Vec<(String, Value)> = data
                .iter()
                .map(|(k, v)| (self.key_text(k), self.value(v)))
                .collect();
            if self.bug == Bug::SortsEntries {
                out.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.into_iter().collect()
        };
        Record::new(mangle(&record.data), record.expires_at)
    }

    fn key_text(&self, text: &str) -> String {
        match self.bug {
            Bug::LosesUnicode => text
                .chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect(),
            _ => text.to_owned(),
        }
    }

    fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.key_text(s)),
            Value::Number(n) if self.bug == Bug::LosesBigIntegers && !n.is_f64() => {
                let as_float = n.as_f64().unwrap_or_default();
                if as_float.abs() < 9_007_199_254_740_992.0 {
                    value.clone()
                } else {
                    serde_json::json!(as_float)
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.key_text(k), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[async_trait]
impl SessionStore for Broken {
    fn name(&self) -> &str {
        self.bug.name()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::IN_PROCESS
    }

    fn clock(&self) -> &SharedClock {
        &self.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        let Some(slot) = self.slot(key) else {
            return Ok(None);
        };
        Ok(self.records().get(&slot).filter(|r| self.live(r)).cloned())
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        let stored = self.stored(record);
        insert_with_fresh_key(self.name(), &*self.keys, |key| {
            let mut records = self.records();
            let taken = records
                .get(key.as_str())
                .is_some_and(|r| self.live(r) && self.bug != Bug::OverwritesOnCreate);
            if !taken {
                records.insert(key.as_str().to_owned(), stored.clone());
            }
            std::future::ready(Ok(!taken))
        })
        .await
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        let interrupted = || Error::interrupted(Operation::Save, self.name().to_owned());
        let Some(slot) = self.slot(key) else {
            return Err(interrupted());
        };
        let stored = self.stored(record);
        if self.bug == Bug::TornWrites {
            let half: Data = stored
                .data
                .iter()
                .take(stored.data.len() / 2)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut torn = (*self
                .records()
                .get(&slot)
                .map(|r| r.data.clone())
                .unwrap_or_default())
            .clone();
            torn.extend(half);
            if let Some(existing) = self.records().get_mut(&slot) {
                existing.data = Arc::new(torn);
            }
            tokio::task::yield_now().await;
        }
        let mut records = self.records();
        let present = records.get(&slot).is_some_and(|r| self.live(r));
        let adopt = self.bug == Bug::AdoptsUnknownKeys && !records.contains_key(&slot);
        if present || adopt || self.bug == Bug::UpsertsOnSave {
            records.insert(slot, stored);
            Ok(key.clone())
        } else {
            Err(interrupted())
        }
    }

    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        let Some(slot) = self.slot(key) else {
            return Ok(false);
        };
        let records = self.records();
        Ok(records
            .get(&slot)
            .is_some_and(|r| self.bug == Bug::ExistsIgnoresExpiry || self.live(r)))
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        let removed = self.slot(key).and_then(|slot| self.records().remove(&slot));
        if removed.is_none() && self.bug == Bug::DeleteMissingFails {
            return Err(Error::new(
                ErrorKind::Storage,
                Operation::Delete,
                self.name().to_owned(),
            ));
        }
        Ok(())
    }

    async fn clear_expired(&self) -> Result<u64> {
        let cutoff = match self.bug {
            Bug::ClearsLiveRecords => self.now() + session_core::time::Duration::hours(1),
            _ => self.now(),
        };
        let mut records = self.records();
        let before = records.len();
        records.retain(|_, r| r.expires_at > cutoff);
        Ok((before - records.len()) as u64)
    }
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
        Ok(Broken {
            bug: self.0,
            records: Mutex::default(),
            clock: ctx.shared_clock(),
            keys: ctx.keys.clone(),
        })
    }
}
