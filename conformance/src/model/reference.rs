//! The reference model: the contract of `SessionStore` and the semantics of
//! the `Session` handle written as the simplest possible code over a list
//! of records, to compare a real store with.

use session_core::time::{Duration, OffsetDateTime};
use session_core::{Capabilities, Data, EXPIRY_KEY, ErrorKind, Record, SessionKey, config};

use super::ops::{
    CLIENTS, FIELDS, KeyObs, KeyRef, Obs, Op, Payload, Ret, Step, payload_data, record_at, value,
};
use crate::cx::{MALFORMED_KEYS, UNPARSEABLE_KEYS};

/// A handle in the model.
#[derive(Debug, Clone)]
struct Client {
    key: KeyObs,
    data: Option<Data>,
    accessed: bool,
    modified: bool,
}

impl Client {
    fn new(key: KeyObs) -> Self {
        Self {
            key,
            data: None,
            accessed: false,
            modified: false,
        }
    }
}

/// The model's state: every issued key's record, the handles, the time.
#[derive(Debug)]
pub(crate) struct Model {
    server_side: bool,
    clear_expired: bool,
    pub(crate) now: OffsetDateTime,
    /// Indexed by issue order; `None` once deleted.
    records: Vec<Option<Record>>,
    clients: Vec<Client>,
}

/// The raw client key a new handle gets for `key`, if Django keeps it.
pub(crate) fn open_malformed(i: u8) -> &'static str {
    let all: Vec<&'static str> = MALFORMED_KEYS
        .iter()
        .chain(UNPARSEABLE_KEYS)
        .copied()
        .collect();
    all[usize::from(i) % all.len()]
}

/// The malformed key a store operation uses.
pub(crate) fn store_malformed(i: u8) -> &'static str {
    MALFORMED_KEYS[usize::from(i) % MALFORMED_KEYS.len()]
}

impl Model {
    pub(crate) fn new(caps: Capabilities, now: OffsetDateTime) -> Self {
        Self {
            server_side: caps.server_side,
            clear_expired: caps.clear_expired,
            now,
            records: Vec::new(),
            clients: vec![Client::new(KeyObs::None); usize::from(CLIENTS)],
        }
    }

    /// Where the clock goes for `step`; `tick` is the smallest step.
    pub(crate) fn target(&self, step: Step, tick: Duration) -> OffsetDateTime {
        let next = self
            .records
            .iter()
            .flatten()
            .map(|r| r.expires_at)
            .filter(|at| *at > self.now)
            .min();
        match (step, next) {
            (Step::Secs(n), _) => self.now + Duration::seconds(i64::from(n)),
            (Step::ToNextExpiry, Some(at)) => at,
            (Step::JustBeforeNextExpiry, Some(at)) if at - tick > self.now => at - tick,
            _ => self.now,
        }
    }

    /// The handles come back as new requests with the keys they had.
    pub(crate) fn reopen(&mut self) {
        for client in &mut self.clients {
            *client = Client::new(client.key);
        }
    }

    fn live(&self, key: KeyObs) -> Option<&Record> {
        match key {
            KeyObs::Issued(i) => self.records[i].as_ref().filter(|r| r.expires_at > self.now),
            _ => None,
        }
    }

    fn resolve(&self, key: KeyRef) -> KeyObs {
        match key {
            KeyRef::Known(i) if !self.records.is_empty() => {
                KeyObs::Issued(usize::from(i) % self.records.len())
            }
            _ => KeyObs::Foreign,
        }
    }

    fn issue(&mut self, record: Record) -> KeyObs {
        self.records.push(Some(record));
        KeyObs::Issued(self.records.len() - 1)
    }

    fn delete(&mut self, key: KeyObs) {
        if let (true, KeyObs::Issued(i)) = (self.server_side, key) {
            self.records[i] = None;
        }
    }

    /// The handle's lazy load (D4, K3).
    fn load(&mut self, c: usize) {
        if self.clients[c].data.is_some() {
            return;
        }
        let key = self.clients[c].key;
        let loaded = self.live(key).map(|r| (*r.data).clone());
        let client = &mut self.clients[c];
        match loaded {
            Some(data) => client.data = Some(data),
            None => {
                client.data = Some(Data::new());
                client.key = KeyObs::None;
            }
        }
    }

    /// Loads, marks accessed, and runs `f` on the data; `f` says whether it
    /// changed anything.
    fn touch<R>(&mut self, c: usize, f: impl FnOnce(&mut Data) -> (R, bool)) -> R {
        self.load(c);
        let client = &mut self.clients[c];
        client.accessed = true;
        let (result, changed) = f(client.data.as_mut().expect("loaded"));
        client.modified |= changed;
        result
    }

    fn record_of(&self, c: usize) -> Record {
        let data = self.clients[c].data.clone().unwrap_or_default();
        record_at(data, self.now, config::DEFAULT_COOKIE_AGE)
    }

    fn handle(&mut self, c: usize, op: &Op) -> Result<Ret, ErrorKind> {
        let field = |i: &u8| FIELDS[usize::from(*i) % FIELDS.len()].to_owned();
        Ok(match op {
            Op::Open { key, .. } => {
                let key = match key {
                    None => KeyObs::None,
                    Some(KeyRef::Malformed(i)) => {
                        let raw = open_malformed(*i);
                        if raw.len() >= 8 && SessionKey::parse(raw).is_some() {
                            KeyObs::Foreign
                        } else {
                            KeyObs::None
                        }
                    }
                    Some(key) => self.resolve(*key),
                };
                self.clients[c] = Client::new(key);
                Ret::Unit
            }
            Op::Get { field: i, .. } => {
                Ret::Value(self.touch(c, |d| (d.get(&field(i)).cloned(), false)))
            }
            Op::Items { .. } => Ret::Items(self.touch(c, |d| {
                (
                    d.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    false,
                )
            })),
            Op::Insert {
                field: i, value: v, ..
            } => Ret::Value(self.touch(c, |d| (d.insert(field(i), value(*v)), true))),
            Op::Remove { field: i, .. } => Ret::Value(self.touch(c, |d| {
                let old = d.shift_remove(&field(i));
                let changed = old.is_some();
                (old, changed)
            })),
            Op::SetExpiry { expiry, .. } => {
                let now = self.now;
                match expiry.to_expiry(now).to_stored(now) {
                    None => self.touch(c, |d| {
                        let changed = d.shift_remove(EXPIRY_KEY).is_some();
                        ((), changed)
                    }),
                    Some(stored) => self.touch(c, |d| {
                        d.insert(EXPIRY_KEY.to_owned(), stored.to_value());
                        ((), true)
                    }),
                }
                Ret::Unit
            }
            Op::Save { .. } => {
                // A save that loads the data itself and finds the record
                // gone is interrupted (Django's UpdateError); save reads
                // the data, so it marks the session accessed.
                let unloaded_key =
                    self.clients[c].data.is_none() && self.clients[c].key != KeyObs::None;
                self.load(c);
                self.clients[c].accessed = true;
                let record = self.record_of(c);
                match self.clients[c].key {
                    KeyObs::None if unloaded_key => return Err(ErrorKind::Interrupted),
                    KeyObs::None => {
                        let key = self.issue(record);
                        let client = &mut self.clients[c];
                        client.key = key;
                        client.modified = true;
                    }
                    _ if !self.server_side => self.clients[c].key = self.issue(record),
                    KeyObs::Issued(i) if self.live(KeyObs::Issued(i)).is_some() => {
                        self.records[i] = Some(record);
                    }
                    _ => return Err(ErrorKind::Interrupted),
                }
                Ret::Unit
            }
            Op::CycleKey { .. } => {
                self.load(c);
                self.clients[c].accessed = true;
                let old = self.clients[c].key;
                let key = self.issue(self.record_of(c));
                let client = &mut self.clients[c];
                client.key = key;
                client.modified = true;
                self.delete(old);
                Ret::Unit
            }
            Op::Flush { .. } => {
                let client = &mut self.clients[c];
                client.data = Some(Data::new());
                client.accessed = true;
                client.modified = true;
                let old = std::mem::replace(&mut client.key, KeyObs::None);
                self.delete(old);
                Ret::Unit
            }
            Op::DeleteSession { .. } => {
                self.delete(self.clients[c].key);
                Ret::Unit
            }
            _ => unreachable!("not a handle operation"),
        })
    }

    fn build(&self, payload: &Payload) -> Record {
        record_at(
            payload_data(payload, self.now),
            self.now,
            config::DEFAULT_COOKIE_AGE,
        )
    }

    /// Applies `op` and returns what the model says a store must show.
    /// Clock moves and reopening are done by the runner.
    pub(crate) fn apply(&mut self, op: &Op) -> Obs {
        let handle_op = |op: &Op| match op {
            Op::Open { c, .. }
            | Op::Get { c, .. }
            | Op::Items { c }
            | Op::Insert { c, .. }
            | Op::Remove { c, .. }
            | Op::SetExpiry { c, .. }
            | Op::Save { c }
            | Op::CycleKey { c }
            | Op::Flush { c }
            | Op::DeleteSession { c } => Some(usize::from(*c)),
            _ => None,
        };
        if let Some(c) = handle_op(op) {
            let result = self.handle(c, op);
            let client = &self.clients[c];
            return Obs::Handle {
                result,
                key: client.key,
                accessed: client.accessed,
                modified: client.modified,
            };
        }
        match op {
            Op::Create(payload) => {
                let record = self.build(payload);
                Obs::Store(Ok(Ret::Key(self.issue(record))))
            }
            Op::Load(key) => {
                let loaded = self.live(self.resolve(*key)).map(|r| {
                    let items = r.data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    (items, r.expires_at)
                });
                Obs::Store(Ok(Ret::Loaded(loaded)))
            }
            Op::StoreSave(key, payload) => {
                let record = self.build(payload);
                let key = self.resolve(*key);
                if !self.server_side {
                    return Obs::Store(Ok(Ret::Key(self.issue(record))));
                }
                match key {
                    KeyObs::Issued(i) if self.live(key).is_some() => {
                        self.records[i] = Some(record);
                        Obs::Store(Ok(Ret::Key(key)))
                    }
                    _ => Obs::Store(Err(ErrorKind::Interrupted)),
                }
            }
            Op::Exists(key) => {
                let live = self.server_side && self.live(self.resolve(*key)).is_some();
                Obs::Store(Ok(Ret::Bool(live)))
            }
            Op::Delete(key) => {
                self.delete(self.resolve(*key));
                Obs::Store(Ok(Ret::Unit))
            }
            Op::ClearExpired => {
                if !(self.server_side && self.clear_expired) {
                    return Obs::Cleared(Ok(0));
                }
                let now = self.now;
                let mut removed = 0;
                for slot in &mut self.records {
                    if slot.as_ref().is_some_and(|r| r.expires_at <= now) {
                        *slot = None;
                        removed += 1;
                    }
                }
                Obs::Cleared(Ok(removed))
            }
            Op::Advance(_) | Op::Reopen => unreachable!("handled by the runner"),
            _ => unreachable!("handle operations are handled above"),
        }
    }
}
