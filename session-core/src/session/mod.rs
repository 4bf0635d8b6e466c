//! The [`Session`] handle: Django's `request.session` for Rust.
//!
//! This file holds the handle, its flags, lifecycle and loading; `dict.rs`
//! the dictionary API and `expiry_methods.rs` the expiry methods.

mod dict;
mod expiry_methods;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Operation, Result};
use crate::expiry::{self, StoredExpiry};
use crate::key::SessionKey;
use crate::record::{Data, EXPIRY_KEY, Record};
use crate::store::SessionStore;

/// The entry Django's test-cookie helpers use.
pub const TEST_COOKIE_NAME: &str = "testcookie";
/// The value [`Session::set_test_cookie`] stores.
pub const TEST_COOKIE_VALUE: &str = "worked";

/// One request's session, with Django's dictionary API and lifecycle.
///
/// A `Session` is created per request from the key the client sent (or none)
/// and is cheap to clone: clones share state, so a middleware and a handler
/// see the same data and flags. It loads lazily: nothing touches the store
/// until the data is first used, and the store is asked at most once (D4).
///
/// # Flags (D3, Django's table)
///
/// - `accessed` turns true on every read or write of the data, including
///   [`set_expiry`](Session::set_expiry), the expiry getters that read the
///   data, and [`save`](Session::save); [`is_empty`](Session::is_empty)
///   leaves it alone.
/// - `modified` turns true only on a change: insert, a removal of a present
///   entry, a `setdefault` that inserts, any `update` (even an empty one),
///   `clear`, `flush`, `cycle_key`, and creating the record. It is never reset
///   by saving, as in Django.
///
/// # Unknown keys (K3)
///
/// When the store has no live record for the key (unknown, invalid, expired
/// or undecodable), the data loads empty and the key is dropped, so the next
/// save creates a fresh key. A client-chosen key is never adopted.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn SessionStore>,
    config: Arc<Config>,
    /// Serializes this handle's store I/O, so it loads at most once (D4).
    io: tokio::sync::Mutex<()>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    key: Option<SessionKey>,
    /// `None` until loaded (or replaced by `clear`).
    data: Option<Arc<Data>>,
    accessed: bool,
    modified: bool,
}

impl Session {
    /// A session for the key a client sent, not yet loaded.
    ///
    /// A value under 8 characters, or one that cannot be a key at all, is
    /// dropped at once, as Django drops keys under 8 characters.
    pub fn new(store: Arc<dyn SessionStore>, config: Arc<Config>, key: Option<&str>) -> Self {
        let key = key
            .filter(|k| k.len() >= crate::key::MIN_SERVER_KEY_LENGTH)
            .and_then(SessionKey::parse);
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                io: tokio::sync::Mutex::new(()),
                state: Mutex::new(State {
                    key,
                    ..State::default()
                }),
            }),
        }
    }

    /// The store this session is kept in.
    pub fn store(&self) -> &Arc<dyn SessionStore> {
        &self.inner.store
    }

    /// The settings this session follows.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The current key: the client's until a load drops it, the new one after
    /// a save creates the record or [`cycle_key`](Session::cycle_key).
    pub fn key(&self) -> Option<SessionKey> {
        self.state().key.clone()
    }

    /// Whether the data was read or written (D3).
    pub fn accessed(&self) -> bool {
        self.state().accessed
    }

    /// Whether the data was changed (D3).
    pub fn modified(&self) -> bool {
        self.state().modified
    }

    /// Whether the data has been loaded (or replaced) already.
    pub fn is_loaded(&self) -> bool {
        self.state().data.is_some()
    }

    /// True iff there is no key and the data is not loaded or is empty.
    /// Neither loads nor marks the session accessed.
    pub fn is_empty(&self) -> bool {
        let state = self.state();
        state.key.is_none() && state.data.as_ref().is_none_or(|d| d.is_empty())
    }

    // ----- lifecycle ----------------------------------------------------

    /// Writes the session (rule L1): creates the record under a fresh key
    /// when there is no key, updates it otherwise. The record expires at
    /// [`expiry_date`](Session::expiry_date) as of now. Marks the session
    /// accessed, as Django's `save` reads the data.
    ///
    /// A handle with a key whose data was never loaded loads it first; if
    /// the record is gone by then, that is an interruption too, as Django's
    /// `UpdateError`. (The middleware reads the expiry before saving, which
    /// loads and drops an unknown key, so an unknown cookie under
    /// save-every-request still gets a fresh session, as in Django.)
    ///
    /// # Errors
    /// [`ErrorKind::Interrupted`] when the record vanished since it was
    /// loaded, or before it could be; nothing is written and no record is
    /// resurrected.
    pub async fn save(&self) -> Result<()> {
        let _io = self.inner.io.lock().await;
        let had_key = self.state().key.is_some();
        self.load_locked().await?;
        let (key, record) = {
            let mut state = self.state();
            state.accessed = true;
            (state.key.clone(), self.record_of(&state))
        };
        let store = &self.inner.store;
        match key {
            None if had_key => {
                return Err(Error::interrupted(Operation::Save, store.name().to_owned()));
            }
            None => {
                let new_key = store.create(&record).await?;
                let mut state = self.state();
                state.key = Some(new_key);
                state.modified = true;
            }
            Some(key) => {
                let new_key = store.save(&key, &record).await?;
                self.state().key = Some(new_key);
            }
        }
        Ok(())
    }

    /// Logs out (rule L2): empties the data, deletes the stored record and
    /// drops the key.
    pub async fn flush(&self) -> Result<()> {
        let _io = self.inner.io.lock().await;
        self.clear();
        let key = self.state().key.clone();
        if let Some(key) = key {
            self.inner.store.delete(&key).await?;
        }
        self.state().key = None;
        Ok(())
    }

    /// Keeps the data under a new key and deletes the old record (rule L3),
    /// as Django does at login against session fixation.
    pub async fn cycle_key(&self) -> Result<()> {
        let _io = self.inner.io.lock().await;
        self.load_locked().await?;
        let (old_key, record) = {
            let mut state = self.state();
            state.accessed = true;
            (state.key.clone(), self.record_of(&state))
        };
        let new_key = self.inner.store.create(&record).await?;
        {
            let mut state = self.state();
            state.key = Some(new_key);
            state.modified = true;
        }
        if let Some(old) = old_key {
            self.inner.store.delete(&old).await?;
        }
        Ok(())
    }

    /// Deletes the stored record of the current key, if any, and leaves the
    /// handle's data as it is (Django's `delete()`).
    pub async fn delete(&self) -> Result<()> {
        let _io = self.inner.io.lock().await;
        let key = self.state().key.clone();
        match key {
            Some(key) => self.inner.store.delete(&key).await,
            None => Ok(()),
        }
    }

    // ----- internals ----------------------------------------------------

    fn state(&self) -> MutexGuard<'_, State> {
        // State is plain data, consistent after every statement; a panic in
        // another holder cannot leave it half-updated.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> OffsetDateTime {
        self.inner.store.clock().now()
    }

    fn record_of(&self, state: &State) -> Record {
        let data = state.data.clone().unwrap_or_default();
        let stored = data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value);
        let expires_at = expiry::expiry_date(stored, self.now(), self.inner.config.cookie_age);
        Record { data, expires_at }
    }

    /// Loads the data if it is not loaded yet. The caller holds `io`.
    async fn load_locked(&self) -> Result<()> {
        let key = {
            let mut state = self.state();
            if state.data.is_some() {
                return Ok(());
            }
            match state.key.clone() {
                Some(key) => key,
                None => {
                    state.data = Some(Arc::default());
                    return Ok(());
                }
            }
        };
        let loaded = self.inner.store.load(&key).await?;
        let mut state = self.state();
        if state.data.is_none() {
            match loaded {
                Some(record) => state.data = Some(record.data),
                None => {
                    state.data = Some(Arc::default());
                    state.key = None;
                }
            }
        }
        Ok(())
    }

    async fn ensure_loaded(&self) -> Result<()> {
        if self.is_loaded() {
            return Ok(());
        }
        let _io = self.inner.io.lock().await;
        self.load_locked().await
    }

    async fn read<R>(&self, f: impl FnOnce(&Arc<Data>) -> R) -> Result<R> {
        self.ensure_loaded().await?;
        let mut state = self.state();
        state.accessed = true;
        let data = state.data.get_or_insert_with(Arc::default);
        Ok(f(data))
    }

    /// Runs `f` on the data; `f` returns its result and whether it changed
    /// anything. Data shared with a store (or a snapshot) is copied first,
    /// and the copy is kept only if `f` changed it.
    async fn write<R>(&self, f: impl FnOnce(&mut Data) -> (R, bool)) -> Result<R> {
        self.ensure_loaded().await?;
        let mut state = self.state();
        state.accessed = true;
        let data = state.data.get_or_insert_with(Arc::default);
        let (result, changed) = match Arc::get_mut(data) {
            Some(owned) => f(owned),
            None => {
                let mut copy = (**data).clone();
                let (result, changed) = f(&mut copy);
                if changed {
                    *data = Arc::new(copy);
                }
                (result, changed)
            }
        };
        if changed {
            state.modified = true;
        }
        Ok(result)
    }

    fn encode_value<T: Serialize>(&self, value: T) -> Result<Value> {
        serde_json::to_value(value).map_err(|e| {
            Error::new(
                ErrorKind::Serialization,
                Operation::Insert,
                self.inner.store.name().to_owned(),
            )
            .with_source(e)
        })
    }

    fn decode_value<T: DeserializeOwned>(&self, value: Value, operation: Operation) -> Result<T> {
        serde_json::from_value(value).map_err(|e| self.decode_error(e, operation))
    }

    fn decode_error(&self, err: serde_json::Error, operation: Operation) -> Error {
        Error::new(
            ErrorKind::Serialization,
            operation,
            self.inner.store.name().to_owned(),
        )
        .with_source(err)
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Session")
            .field("store", &self.inner.store.name())
            .field("key", &state.key)
            .field("loaded", &state.data.is_some())
            .field("accessed", &state.accessed)
            .field("modified", &state.modified)
            .finish()
    }
}
