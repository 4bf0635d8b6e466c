//! The engine behind every measurement: rounds of concurrent tasks running
//! one [`Operation`] against a [`Target`] (a store or a raw baseline), with
//! the records they need prepared, and removed, outside the timed phases.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hdrhistogram::Histogram;
use session_core::Data;
use session_core::serde_json::json;
use tokio::task::JoinSet;

use crate::measurement::{Measurement, histogram};
use crate::operation::Operation;
use crate::payload::payload;

/// When a measurement stops.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Limit {
    /// After about this much timed wall-clock time.
    Budget(Duration),
    /// After exactly this many operations, all tasks together.
    Ops(u64),
}

/// Records created (for `Create`) or prepared (for `Delete`) per task and
/// round are capped so that about this many bytes of sessions exist at once.
const ROUND_BYTES: usize = 64 << 20;
/// The most records one task creates or deletes in one round.
const ROUND_RECORDS: usize = 10_000;

/// Records each task deletes in the first round of a `Delete` measured
/// against a time budget, before the store's pace is known.
const FIRST_DELETE_ROUND: u64 = 64;

/// Under a time budget, preparing records for `Delete` (creating them,
/// untimed) stops once it has taken this many budgets: a store whose
/// delete is far cheaper than its create (a signed cookie deletes
/// nothing, a file store creates with an fsync) would otherwise spend
/// minutes preparing records to fill the budget, or prepare thousands the
/// deadline leaves undeleted.
const PREPARE_BUDGETS: u32 = 3;

/// What the driver measures: a store or a raw baseline, seen as the four
/// calls the operations are made of.
#[async_trait]
pub(crate) trait Target: Send + Sync + 'static {
    /// How a record is found again.
    type Key: Clone + Send + Sync + 'static;
    /// Why a call failed.
    type Error: Send + 'static;
    async fn create(&self, data: &Arc<Data>) -> Result<Self::Key, Self::Error>;
    async fn load(&self, key: &Self::Key) -> Result<Option<Arc<Data>>, Self::Error>;
    async fn save(&self, key: &Self::Key, data: &Arc<Data>) -> Result<Self::Key, Self::Error>;
    async fn delete(&self, key: &Self::Key) -> Result<(), Self::Error>;
    /// A key under which nothing is stored.
    fn missing_key(&self) -> Self::Key;
    /// The error for a call that succeeded with the wrong answer (a prepared
    /// record that does not load, a missing one that does).
    fn unexpected(&self, operation: Operation, what: &'static str) -> Self::Error;
}

/// What one task did in one round.
struct Outcome<K> {
    index: usize,
    key: K,
    created: Vec<K>,
    histogram: Histogram<u64>,
    ops: u64,
}

/// Runs `op` on `target` with `tasks` tasks until `limit`.
pub(crate) async fn run<T: Target>(
    target: Arc<T>,
    op: Operation,
    bytes: usize,
    tasks: usize,
    limit: Limit,
) -> Result<Measurement, T::Error> {
    let tasks = tasks.max(1);
    let data = Arc::new(payload(bytes));
    // Per-task records that outlive the rounds: the one a task loads or
    // saves, or the key it cycles.
    let mut keys = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        keys.push(match holds_record(op) {
            true => target.create(&data).await?,
            false => target.missing_key(),
        });
    }
    let cap = match op {
        Operation::Create | Operation::Delete => {
            (ROUND_BYTES / bytes.max(1) / tasks).clamp(1, ROUND_RECORDS) as u64
        }
        _ => u64::MAX,
    };
    let mut shares: Vec<u64> = match limit {
        Limit::Budget(_) => vec![u64::MAX; tasks],
        Limit::Ops(n) => (0..tasks as u64)
            .map(|i| n / tasks as u64 + u64::from(i < n % tasks as u64))
            .collect(),
    };
    let mut measurement = Measurement {
        operation: op,
        bytes,
        tasks,
        histogram: histogram(),
        ops: 0,
        elapsed: Duration::ZERO,
    };
    let mut outcome = Ok(());
    // Time spent preparing records for `Delete`, and how many.
    let (mut preparing, mut prepared) = (Duration::ZERO, 0_u64);
    while outcome.is_ok() {
        let round = match (op, limit) {
            (Operation::Delete, Limit::Budget(budget)) => {
                delete_round(&measurement, budget, (preparing, prepared)).min(cap)
            }
            _ => cap,
        };
        let quotas: Vec<u64> = shares.iter().map(|share| (*share).min(round)).collect();
        let mut batches = Vec::with_capacity(tasks);
        let preparation = Instant::now();
        for quota in &quotas {
            let mut batch = Vec::new();
            if op == Operation::Delete {
                for _ in 0..*quota {
                    batch.push(target.create(&data).await?);
                }
                prepared += quota;
            }
            batches.push(batch);
        }
        preparing += preparation.elapsed();
        let start = Instant::now();
        let deadline = match limit {
            Limit::Budget(budget) => Some(start + budget.saturating_sub(measurement.elapsed)),
            Limit::Ops(_) => None,
        };
        let mut set = JoinSet::new();
        for (index, batch) in batches.into_iter().enumerate() {
            if quotas[index] > 0 {
                let (target, data, key) =
                    (Arc::clone(&target), Arc::clone(&data), keys[index].clone());
                set.spawn(task(
                    target,
                    op,
                    data,
                    index,
                    key,
                    batch,
                    quotas[index],
                    deadline,
                ));
            }
        }
        let mut created = Vec::new();
        while let Some(joined) = set.join_next().await {
            match joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())) {
                Ok(done) => {
                    measurement.ops += done.ops;
                    // Both histograms have the same bounds, so adding cannot fail.
                    let _ = measurement.histogram.add(&done.histogram);
                    shares[done.index] = shares[done.index].saturating_sub(done.ops);
                    keys[done.index] = done.key;
                    created.extend(done.created);
                }
                Err(e) => outcome = Err(e),
            }
        }
        measurement.elapsed += start.elapsed();
        for key in &created {
            target.delete(key).await?;
        }
        let finished = match limit {
            Limit::Budget(budget) => {
                measurement.elapsed >= budget || preparing >= budget * PREPARE_BUDGETS
            }
            Limit::Ops(_) => shares.iter().all(|share| *share == 0),
        };
        if finished {
            break;
        }
    }
    outcome?;
    if holds_record(op) {
        for key in &keys {
            target.delete(key).await?;
        }
    }
    Ok(measurement)
}

/// How many records each task deletes in the next round of a `Delete`
/// under `budget`: a few at first; then as many as the pace so far says
/// fill what is left of the budget (a tenth more), but no more than the
/// preparation time left can create at the pace of `(time, records)`
/// prepared so far; at least one.
fn delete_round(measurement: &Measurement, budget: Duration, preparation: (Duration, u64)) -> u64 {
    let tasks = measurement.tasks.max(1) as u64;
    let per_task = measurement.ops / tasks;
    let (preparing, prepared) = preparation;
    if per_task == 0 || measurement.elapsed.is_zero() || prepared == 0 {
        return FIRST_DELETE_ROUND;
    }
    let left = budget.saturating_sub(measurement.elapsed).as_secs_f64();
    let pace = measurement.elapsed.as_secs_f64() / per_task as f64;
    let preparing_left = (budget * PREPARE_BUDGETS)
        .saturating_sub(preparing)
        .as_secs_f64();
    let create_pace = preparing.as_secs_f64() / prepared as f64 * tasks as f64;
    // Float to integer casts saturate, and NaN becomes 0.
    let fill = (left / pace * 1.1) as u64;
    let affordable = (preparing_left / create_pace) as u64;
    fill.min(affordable).max(1)
}

/// True when each task works on one record of its own, made before the
/// first round and deleted after the last.
fn holds_record(op: Operation) -> bool {
    matches!(
        op,
        Operation::LoadHit | Operation::Save | Operation::RequestCycle | Operation::CycleKey
    )
}

/// One task of one round: `op` until `quota` operations or `deadline`,
/// at least one.
#[allow(clippy::too_many_arguments)]
async fn task<T: Target>(
    target: Arc<T>,
    op: Operation,
    data: Arc<Data>,
    index: usize,
    mut key: T::Key,
    mut batch: Vec<T::Key>,
    quota: u64,
    deadline: Option<Instant>,
) -> Result<Outcome<T::Key>, T::Error> {
    let mut histogram = histogram();
    let mut created = Vec::new();
    let mut ops = 0;
    while ops < quota {
        let victim = match op {
            Operation::Delete => match batch.pop() {
                Some(victim) => Some(victim),
                None => break,
            },
            _ => None,
        };
        let start = Instant::now();
        match op {
            Operation::Create => created.push(target.create(&data).await?),
            Operation::LoadHit => {
                if target.load(&key).await?.is_none() {
                    return Err(target.unexpected(op, "a prepared record did not load"));
                }
            }
            Operation::LoadMiss => {
                if target.load(&key).await?.is_some() {
                    return Err(target.unexpected(op, "a key that was never stored loaded"));
                }
            }
            Operation::Save => key = target.save(&key, &data).await?,
            Operation::Delete => {
                if let Some(victim) = &victim {
                    target.delete(victim).await?;
                }
            }
            Operation::RequestCycle => {
                let Some(mut loaded) = target.load(&key).await? else {
                    return Err(target.unexpected(op, "a prepared record did not load"));
                };
                // Copies the data when the engine still shares it, as the
                // `Session` handle does on its first change.
                Arc::make_mut(&mut loaded).insert("visits".into(), json!(ops));
                key = target.save(&key, &loaded).await?;
            }
            Operation::CycleKey => {
                let fresh = target.create(&data).await?;
                target.delete(&key).await?;
                key = fresh;
            }
        }
        let end = Instant::now();
        let nanos = u64::try_from((end - start).as_nanos()).unwrap_or(u64::MAX);
        histogram.saturating_record(nanos.max(1));
        ops += 1;
        if deadline.is_some_and(|deadline| end >= deadline) {
            break;
        }
    }
    // Records prepared for deletion that the deadline left: cleaned up.
    created.append(&mut batch);
    Ok(Outcome {
        index,
        key,
        created,
        histogram,
        ops,
    })
}
