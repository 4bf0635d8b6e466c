//! The broken store: a map-based store like `MemoryStore`, broken by one [`Bug`].

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use serde_json::Value;
use session_conformance::Ctx;
use session_core::signing::pyjson;
use session_core::store::{CREATE_ATTEMPTS, insert_with_fresh_key};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{
    Capabilities, Data, EXPIRY_KEY, Error, ErrorKind, Operation, Record, Result, SessionKey,
    SessionStore, SharedClock, SharedKeyGenerator, config,
};

use super::Bug;

/// Operations of any `LocksPerInstance` store, to let a check and the write
/// that depends on it straddle another instance's operation. Each counts
/// once it has acted (a create or save after its check, a delete after the
/// removal), so that a write waiting in its window resumes only after the
/// other instance's check or removal: the race then happens every time.
static OPERATIONS: AtomicU64 = AtomicU64::new(0);

/// The engine: records by map key.
pub(crate) type Records = Arc<Mutex<HashMap<String, Record>>>;

/// A map-based store like `MemoryStore`, broken by `bug`.
#[derive(Debug)]
pub(crate) struct Broken {
    bug: Bug,
    records: Records,
    clock: SharedClock,
    keys: SharedKeyGenerator,
    /// The record written last (`CrossTalk`).
    last_written: Mutex<Option<Record>>,
    /// The store's own key counter (`IgnoresKeyGenerator`).
    counter: AtomicU64,
    /// The in-instance lock that makes writes atomic (`LocksPerInstance`).
    instance: tokio::sync::Mutex<()>,
    /// Records deleted in this instance only (`ForgetsDeletesOnReopen`).
    hidden: Mutex<HashSet<String>>,
}

impl Broken {
    pub(super) fn new(bug: Bug, records: Records, ctx: &Ctx) -> Self {
        Self {
            bug,
            records,
            clock: ctx.shared_clock(),
            keys: ctx.keys.clone(),
            last_written: Mutex::default(),
            counter: AtomicU64::new(1),
            instance: tokio::sync::Mutex::default(),
            hidden: Mutex::default(),
        }
    }

    fn records(&self) -> MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn hidden(&self) -> MutexGuard<'_, HashSet<String>> {
        self.hidden.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live record under `slot`, as this instance sees it.
    fn get(&self, records: &HashMap<String, Record>, slot: &str) -> Option<Record> {
        records
            .get(slot)
            .filter(|r| self.live(r) && !self.hidden().contains(slot))
            .cloned()
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

    fn wrote(&self, record: &Record) {
        *self
            .last_written
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(record.clone());
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
        let data = match self.bug {
            Bug::ReadsPythonJsonWithSerde => {
                serde_json::from_str(&pyjson::map_to_string(&record.data)).unwrap_or_default()
            }
            _ => mangle(&record.data),
        };
        let expires_at = match record.data.get(EXPIRY_KEY).and_then(Value::as_i64) {
            Some(n) if n > 0 && self.bug == Bug::IntegerExpiryByCookieAge => {
                record.expires_at - Duration::seconds(n)
                    + Duration::seconds(config::DEFAULT_COOKIE_AGE)
            }
            _ => record.expires_at,
        };
        Record::new(data, expires_at)
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

    /// Inserts `stored` under `key` unless a live record holds it.
    fn try_insert(&self, key: &SessionKey, stored: &Record) -> bool {
        let mut records = self.records();
        let taken =
            self.get(&records, key.as_str()).is_some() && self.bug != Bug::OverwritesOnCreate;
        if !taken {
            records.insert(key.as_str().to_owned(), stored.clone());
            self.hidden().remove(key.as_str());
        }
        !taken
    }

    fn collision(&self) -> Error {
        Error::new(
            ErrorKind::KeyCollision,
            Operation::Create,
            self.name().to_owned(),
        )
    }

    /// Counts an operation of a `LocksPerInstance` store.
    fn acted(&self) -> u64 {
        OPERATIONS.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Between a check (operation `seen`) and the write that depends on it,
    /// lets other tasks run until another operation has acted (bounded).
    async fn window(&self, seen: u64) {
        for _ in 0..256 {
            if OPERATIONS.load(Ordering::SeqCst) != seen {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
}

#[async_trait]
impl SessionStore for Broken {
    fn name(&self) -> &str {
        self.bug.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.bug.capabilities()
    }

    fn clock(&self) -> &SharedClock {
        &self.clock
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        let Some(slot) = self.slot(key) else {
            return Ok(None);
        };
        let mut records = self.records();
        let found = self.get(&records, &slot);
        match self.bug {
            Bug::LoadCreates if found.is_none() => {
                let empty = Record::new(
                    Data::new(),
                    self.now() + Duration::seconds(config::DEFAULT_COOKIE_AGE),
                );
                records.insert(slot, empty);
            }
            Bug::CrossTalk if found.is_some() => {
                let last = self
                    .last_written
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                return Ok(last.or(found));
            }
            _ => {}
        }
        Ok(found)
    }

    async fn create(&self, record: &Record) -> Result<SessionKey> {
        if self.bug != Bug::IgnoresDepthLimit {
            record.check_depth(Operation::Create, self.name())?;
        }
        let stored = self.stored(record);
        let key = match self.bug {
            Bug::GivesUpOnCollision => {
                let key = self.keys.generate();
                if !self.try_insert(&key, &stored) {
                    return Err(self.collision());
                }
                key
            }
            Bug::IgnoresKeyGenerator => loop {
                let n = self.counter.fetch_add(1, Ordering::SeqCst);
                let key = SessionKey::parse(&format!("{n:032x}")).expect("a server key");
                if self.try_insert(&key, &stored) {
                    break key;
                }
            },
            Bug::LocksPerInstance => {
                let _atomic = self.instance.lock().await;
                let mut created = None;
                for _ in 0..CREATE_ATTEMPTS {
                    let key = self.keys.generate();
                    let taken = self
                        .records()
                        .get(key.as_str())
                        .is_some_and(|r| self.live(r));
                    let seen = self.acted();
                    self.window(seen).await;
                    if !taken {
                        self.records()
                            .insert(key.as_str().to_owned(), stored.clone());
                        created = Some(key);
                        break;
                    }
                }
                created.ok_or_else(|| self.collision())?
            }
            _ => {
                insert_with_fresh_key(self.name(), &*self.keys, |key| {
                    std::future::ready(Ok(self.try_insert(&key, &stored)))
                })
                .await?
            }
        };
        self.wrote(&stored);
        if self.bug == Bug::UppercasesKeys {
            return Ok(SessionKey::parse(&key.as_str().to_ascii_uppercase()).expect("parses"));
        }
        Ok(key)
    }

    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        if self.bug != Bug::IgnoresDepthLimit {
            record.check_depth(Operation::Save, self.name())?;
        }
        let interrupted = || Error::interrupted(Operation::Save, self.name().to_owned());
        let Some(slot) = self.slot(key) else {
            return Err(interrupted());
        };
        let stored = self.stored(record);
        let _atomic = match self.bug {
            Bug::LocksPerInstance => Some(self.instance.lock().await),
            _ => None,
        };
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
        if self.bug == Bug::LocksPerInstance {
            let present = self.records().get(&slot).is_some_and(|r| self.live(r));
            let seen = self.acted();
            self.window(seen).await;
            if !present {
                return Err(interrupted());
            }
            self.records().insert(slot, stored);
            return Ok(key.clone());
        }
        let mut records = self.records();
        let present = self.get(&records, &slot).is_some();
        let adopt = self.bug == Bug::AdoptsUnknownKeys && !records.contains_key(&slot);
        if present || adopt || self.bug == Bug::UpsertsOnSave {
            records.insert(slot, stored.clone());
            drop(records);
            self.wrote(&stored);
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
        if self.bug == Bug::ExistsIgnoresExpiry {
            return Ok(records.contains_key(&slot));
        }
        Ok(self.get(&records, &slot).is_some())
    }

    async fn delete(&self, key: &SessionKey) -> Result<()> {
        let _atomic = match self.bug {
            Bug::LocksPerInstance => Some(self.instance.lock().await),
            _ => None,
        };
        match (self.bug, self.slot(key)) {
            (Bug::DeleteIsNoop, _) => return Ok(()),
            (Bug::ForgetsDeletesOnReopen, Some(slot)) => {
                self.hidden().insert(slot);
                return Ok(());
            }
            _ => {}
        }
        let removed = self.slot(key).and_then(|slot| self.records().remove(&slot));
        if self.bug == Bug::LocksPerInstance {
            // Counted once the record is gone, so that a save waiting in
            // its window on another instance writes after the removal: the
            // resurrection the L1 race must see.
            self.acted();
        }
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
            Bug::ClearsLiveRecords => self.now() + Duration::hours(1),
            _ => self.now(),
        };
        let mut records = self.records();
        let before = records.len();
        records.retain(|_, r| r.expires_at > cutoff);
        Ok((before - records.len()) as u64)
    }
}
