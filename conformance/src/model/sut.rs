//! A real store and real session handles, driven by the same operations as
//! the model and observed the same way.

use std::sync::Arc;

use session_core::{Config, KeyGenerator, RandomKeys, Session, SessionKey, SessionStore, config};

use super::ops::{
    CLIENTS, FIELDS, KeyObs, KeyRef, Obs, Op, Payload, Ret, payload_data, record_at, value,
};
use super::reference::{open_malformed, store_malformed};

/// One handle and the key it was last seen with.
struct Client {
    session: Session,
    key: Option<SessionKey>,
    obs: KeyObs,
}

/// A store under test with its handles.
pub(crate) struct Sut {
    store: Arc<dyn SessionStore>,
    server_side: bool,
    config: Arc<Config>,
    /// Every key issued so far, in order: [`KeyObs::Issued`] indexes it.
    issued: Vec<SessionKey>,
    clients: Vec<Client>,
}

impl Sut {
    pub(crate) fn new(store: Arc<dyn SessionStore>) -> Self {
        let server_side = store.capabilities().server_side;
        let config = Arc::new(Config::default());
        let clients = (0..CLIENTS)
            .map(|_| Client {
                session: Session::new(store.clone(), config.clone(), None),
                key: None,
                obs: KeyObs::None,
            })
            .collect();
        Self {
            store,
            server_side,
            config,
            issued: Vec::new(),
            clients,
        }
    }

    /// Every handle comes back as a new request carrying the key it had,
    /// on `store` if the store was reopened.
    pub(crate) fn reopen(&mut self, store: Option<Arc<dyn SessionStore>>) {
        if let Some(store) = store {
            self.store = store;
        }
        for client in &mut self.clients {
            let key = client.key.as_ref().map(|k| k.as_str().to_owned());
            client.session = Session::new(self.store.clone(), self.config.clone(), key.as_deref());
        }
    }

    fn issue(&mut self, key: SessionKey) -> KeyObs {
        self.issued.push(key);
        KeyObs::Issued(self.issued.len() - 1)
    }

    /// The key `key` names, and its issue index if it was issued.
    fn resolve(&self, key: KeyRef) -> (SessionKey, Option<usize>) {
        match key {
            KeyRef::Known(i) if !self.issued.is_empty() => {
                let i = usize::from(i) % self.issued.len();
                (self.issued[i].clone(), Some(i))
            }
            KeyRef::Malformed(i) => (
                SessionKey::parse(store_malformed(i)).expect("the suite's malformed keys parse"),
                None,
            ),
            _ => (RandomKeys.generate(), None),
        }
    }

    /// Records the handle's key after an operation: the same, none, or a
    /// newly issued one (always new after a client-side save or cycle).
    fn track(&mut self, c: usize, reissued: bool) -> KeyObs {
        let now = self.clients[c].session.key();
        let obs = match &now {
            None => KeyObs::None,
            Some(k) if !reissued && Some(k) == self.clients[c].key.as_ref() => self.clients[c].obs,
            Some(k) => self.issue(k.clone()),
        };
        let client = &mut self.clients[c];
        client.key = now;
        client.obs = obs;
        obs
    }

    fn build(&self, payload: &Payload) -> session_core::Record {
        let now = self.store.clock().now();
        record_at(payload_data(payload, now), now, config::DEFAULT_COOKIE_AGE)
    }

    async fn handle(&mut self, c: usize, op: &Op) -> Obs {
        let field = |i: &u8| FIELDS[usize::from(*i) % FIELDS.len()];
        let s = self.clients[c].session.clone();
        let mut reissued = false;
        let result: session_core::Result<Ret> = match op {
            Op::Open { key, .. } => {
                let (raw, obs) = match key {
                    None => (None, KeyObs::None),
                    Some(KeyRef::Malformed(i)) => {
                        (Some(open_malformed(*i).to_owned()), KeyObs::Foreign)
                    }
                    Some(key) => {
                        let (k, i) = self.resolve(*key);
                        (
                            Some(k.as_str().to_owned()),
                            i.map_or(KeyObs::Foreign, KeyObs::Issued),
                        )
                    }
                };
                let session = Session::new(self.store.clone(), self.config.clone(), raw.as_deref());
                let key = session.key();
                self.clients[c] = Client {
                    obs: if key.is_some() { obs } else { KeyObs::None },
                    session,
                    key,
                };
                Ok(Ret::Unit)
            }
            Op::Get { field: i, .. } => s.get_value(field(i)).await.map(Ret::Value),
            Op::Items { .. } => s.items().await.map(Ret::Items),
            Op::Insert {
                field: i, value: v, ..
            } => s.insert(field(i), value(*v)).await.map(Ret::Value),
            Op::Remove { field: i, .. } => s.remove(field(i)).await.map(Ret::Value),
            Op::SetExpiry { expiry, .. } => {
                let now = self.store.clock().now();
                s.set_expiry(expiry.to_expiry(now))
                    .await
                    .map(|()| Ret::Unit)
            }
            Op::Save { .. } => {
                let result = s.save().await.map(|()| Ret::Unit);
                reissued = !self.server_side && result.is_ok();
                result
            }
            Op::CycleKey { .. } => {
                let result = s.cycle_key().await.map(|()| Ret::Unit);
                reissued = result.is_ok();
                result
            }
            Op::Flush { .. } => s.flush().await.map(|()| Ret::Unit),
            Op::DeleteSession { .. } => s.delete().await.map(|()| Ret::Unit),
            _ => unreachable!("not a handle operation"),
        };
        let key = self.track(c, reissued);
        let current = &self.clients[c].session;
        Obs::Handle {
            result: result.map_err(|e| e.kind()),
            key,
            accessed: current.accessed(),
            modified: current.modified(),
        }
    }

    /// Applies `op` to the store or a handle and returns what it showed.
    pub(crate) async fn apply(&mut self, op: &Op) -> Obs {
        match op {
            Op::Open { c, .. }
            | Op::Get { c, .. }
            | Op::Items { c }
            | Op::Insert { c, .. }
            | Op::Remove { c, .. }
            | Op::SetExpiry { c, .. }
            | Op::Save { c }
            | Op::CycleKey { c }
            | Op::Flush { c }
            | Op::DeleteSession { c } => self.handle(usize::from(*c), op).await,
            Op::Create(payload) => {
                let record = self.build(payload);
                match self.store.create(&record).await {
                    Ok(key) => Obs::Store(Ok(Ret::Key(self.issue(key)))),
                    Err(e) => Obs::Store(Err(e.kind())),
                }
            }
            Op::Load(key) => {
                let (key, _) = self.resolve(*key);
                Obs::Store(
                    self.store
                        .load(&key)
                        .await
                        .map_err(|e| e.kind())
                        .map(|loaded| {
                            Ret::Loaded(loaded.map(|r| {
                                let items =
                                    r.data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                                (items, r.expires_at)
                            }))
                        }),
                )
            }
            Op::StoreSave(key, payload) => {
                let record = self.build(payload);
                let (key, index) = self.resolve(*key);
                match self.store.save(&key, &record).await {
                    Ok(saved) if self.server_side && saved == key && index.is_some() => {
                        Obs::Store(Ok(Ret::Key(index.map_or(KeyObs::Foreign, KeyObs::Issued))))
                    }
                    Ok(saved) => Obs::Store(Ok(Ret::Key(self.issue(saved)))),
                    Err(e) => Obs::Store(Err(e.kind())),
                }
            }
            Op::Exists(key) => {
                let (key, _) = self.resolve(*key);
                Obs::Store(
                    self.store
                        .exists(&key)
                        .await
                        .map(Ret::Bool)
                        .map_err(|e| e.kind()),
                )
            }
            Op::Delete(key) => {
                let (key, _) = self.resolve(*key);
                Obs::Store(
                    self.store
                        .delete(&key)
                        .await
                        .map(|()| Ret::Unit)
                        .map_err(|e| e.kind()),
                )
            }
            Op::ClearExpired => {
                Obs::Cleared(self.store.clear_expired().await.map_err(|e| e.kind()))
            }
            Op::Advance(_) | Op::Reopen => unreachable!("handled by the runner"),
        }
    }
}
