//! [`measure`]: an operation against a store, as the `Session` handle
//! calls it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use session_core::time;
use session_core::{Data, Error, ErrorKind, Record, SessionKey, SessionStore};

use crate::driver::{Limit, Target, run};
use crate::measurement::Measurement;
use crate::operation::Operation;

/// How long the benchmark's records live: long enough never to expire
/// during a run, short enough that records left behind by a failed run on a
/// live server go away by themselves.
const RECORD_AGE: time::Duration = time::Duration::hours(1);

/// A well-formed server-side key that no store holds: a generator drawing
/// it, one chance in 36^32, is as likely as any other collision.
const MISSING_KEY: &str = "benchmissingkey00000000000000000";

/// Runs `op` repeatedly against `store` with `tasks` concurrent tasks for
/// about `budget` of timed wall-clock time, after preparing whatever records
/// the op needs.
///
/// The session data is [`payload(bytes)`](crate::payload), stored with an
/// expiry one hour ahead of the store's clock. Preparation (the records a
/// load, save or delete works on) and clean-up (the records a create made)
/// happen outside the timed phases; every record the run made is deleted
/// at the end. `Create` and `Delete` run in rounds of at most 64 MiB of
/// sessions at a time, so memory stays bounded; deletes are prepared in
/// rounds sized by the pace so far, for at most three budgets of
/// preparation in all, so a store whose delete is far cheaper than its
/// create may time fewer deletes than the budget would hold. Call it on a
/// multi-threaded Tokio runtime to let the tasks run in parallel; the
/// file backend needs one to do its blocking I/O in place.
///
/// # Errors
/// The store's first error. A prepared record that does not load (or a
/// missing key that does) is an error of kind `Storage` naming the
/// operation. `TooLarge` means the store cannot hold sessions of `bytes`
/// (a signed cookie over 4 KB): skip that size for that store.
pub async fn measure(
    store: Arc<dyn SessionStore>,
    op: Operation,
    bytes: usize,
    tasks: usize,
    budget: Duration,
) -> Result<Measurement, Error> {
    run(
        StoreTarget::new(store),
        op,
        bytes,
        tasks,
        Limit::Budget(budget),
    )
    .await
}

/// [`measure`] for exactly `ops` operations, all tasks together, however
/// long they take: what a criterion `iter_custom` needs. Its
/// [`elapsed`](Measurement::elapsed) is the timed wall-clock time.
///
/// # Errors
/// As for [`measure`].
pub async fn measure_ops(
    store: Arc<dyn SessionStore>,
    op: Operation,
    bytes: usize,
    tasks: usize,
    ops: u64,
) -> Result<Measurement, Error> {
    run(StoreTarget::new(store), op, bytes, tasks, Limit::Ops(ops)).await
}

/// A store as the driver sees it.
struct StoreTarget {
    store: Arc<dyn SessionStore>,
    expires_at: time::OffsetDateTime,
}

impl StoreTarget {
    fn new(store: Arc<dyn SessionStore>) -> Arc<Self> {
        let expires_at = store.clock().now() + RECORD_AGE;
        Arc::new(Self { store, expires_at })
    }

    fn record(&self, data: &Arc<Data>) -> Record {
        Record {
            data: Arc::clone(data),
            expires_at: self.expires_at,
        }
    }
}

#[async_trait]
impl Target for StoreTarget {
    type Key = SessionKey;
    type Error = Error;

    async fn create(&self, data: &Arc<Data>) -> Result<SessionKey, Error> {
        self.store.create(&self.record(data)).await
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<Arc<Data>>, Error> {
        Ok(self.store.load(key).await?.map(|record| record.data))
    }

    async fn save(&self, key: &SessionKey, data: &Arc<Data>) -> Result<SessionKey, Error> {
        self.store.save(key, &self.record(data)).await
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), Error> {
        self.store.delete(key).await
    }

    fn missing_key(&self) -> SessionKey {
        SessionKey::parse(MISSING_KEY).expect("a well-formed key")
    }

    fn unexpected(&self, op: Operation, what: &'static str) -> Error {
        let operation = match op {
            Operation::Create | Operation::CycleKey => session_core::Operation::Create,
            Operation::Save => session_core::Operation::Save,
            Operation::Delete => session_core::Operation::Delete,
            Operation::LoadHit | Operation::LoadMiss | Operation::RequestCycle => {
                session_core::Operation::Load
            }
        };
        Error::new(ErrorKind::Storage, operation, self.store.name().to_owned())
            .with_context(format!("benchmark {op}: {what}"))
    }
}
