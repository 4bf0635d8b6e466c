//! The operations of the property tests, how they are generated, and what
//! each one observes.

use std::fmt;

use proptest::prelude::*;
use serde_json::{Value, json};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Data, EXPIRY_KEY, ErrorKind, Expiry, Record, StoredExpiry};

/// Session handles (requests) alive at once.
pub(crate) const CLIENTS: u8 = 3;

/// The entry names operations use.
pub(crate) const FIELDS: [&str; 4] = ["a", "b", "ключ", "😀 emoji"];

/// The values operations store: the lossy cases of D1.
pub(crate) fn value(index: u8) -> Value {
    let values = [
        json!(0),
        json!(-1),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(0.1),
        json!(1.0),
        json!(""),
        json!("ünïcödé ✓ 😀"),
        Value::Null,
        json!(true),
        json!({}),
        json!({"n": [1, "x", {"y": null}]}),
    ];
    values[usize::from(index) % values.len()].clone()
}

/// Which key a store operation or a new handle uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRef {
    /// The n-th key issued so far (modulo their number), or an unknown key
    /// if none was issued yet.
    Known(u8),
    /// A well-formed key never issued.
    Unknown,
    /// A key no server-side store may hold (K2).
    Malformed(u8),
}

/// A per-session expiry, relative to the time the operation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExpiryChoice {
    Default,
    BrowserClose,
    Seconds(i64),
    At(i64),
    In(i64),
}

impl ExpiryChoice {
    pub(crate) fn to_expiry(self, now: OffsetDateTime) -> Expiry {
        match self {
            ExpiryChoice::Default => Expiry::Default,
            ExpiryChoice::BrowserClose => Expiry::BrowserClose,
            ExpiryChoice::Seconds(n) => Expiry::Seconds(n),
            ExpiryChoice::At(n) => Expiry::At(now + Duration::seconds(n)),
            ExpiryChoice::In(n) => Expiry::In(Duration::seconds(n)),
        }
    }
}

/// Data and expiry for a store-level create or save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payload {
    pub(crate) fields: Vec<(u8, u8)>,
    pub(crate) expiry: ExpiryChoice,
}

/// How the clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Secs(u32),
    /// To the earliest expiry still ahead: exactly the boundary.
    ToNextExpiry,
    /// To one tick before the earliest expiry still ahead.
    JustBeforeNextExpiry,
}

/// One operation of a generated sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Open { c: u8, key: Option<KeyRef> },
    Get { c: u8, field: u8 },
    Items { c: u8 },
    Insert { c: u8, field: u8, value: u8 },
    Remove { c: u8, field: u8 },
    SetExpiry { c: u8, expiry: ExpiryChoice },
    Save { c: u8 },
    CycleKey { c: u8 },
    Flush { c: u8 },
    DeleteSession { c: u8 },
    Create(Payload),
    Load(KeyRef),
    StoreSave(KeyRef, Payload),
    Exists(KeyRef),
    Delete(KeyRef),
    ClearExpired,
    Advance(Step),
    Reopen,
}

impl Op {
    /// The rule a mismatch on this operation breaks.
    pub(crate) fn rule(&self) -> &'static str {
        match self {
            Op::Open { .. } => "K3",
            Op::Get { .. } | Op::Items { .. } | Op::Insert { .. } => "D1",
            Op::Remove { .. } => "D3",
            Op::SetExpiry { .. } => "E2",
            Op::Save { .. } | Op::StoreSave(..) => "L1",
            Op::CycleKey { .. } => "L3",
            Op::Flush { .. } => "L2",
            Op::DeleteSession { .. } | Op::Delete(_) => "L4",
            Op::Create(_) => "K4",
            Op::Load(_) | Op::Advance(_) => "E5",
            Op::Exists(_) => "L5",
            Op::ClearExpired => "L6",
            Op::Reopen => "R2",
        }
    }
}

impl fmt::Display for KeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRef::Known(i) => write!(f, "key#{i}"),
            KeyRef::Unknown => f.write_str("unknown-key"),
            KeyRef::Malformed(i) => write!(f, "malformed-key#{i}"),
        }
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (field, v)) in self.fields.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(
                f,
                "{sep}{:?}: {}",
                FIELDS[usize::from(*field) % FIELDS.len()],
                value(*v)
            )?;
        }
        write!(f, "}} expiry {:?}", self.expiry)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = |i: &u8| FIELDS[usize::from(*i) % FIELDS.len()];
        match self {
            Op::Open { c, key: None } => write!(f, "s{c} = Session::new(None)"),
            Op::Open { c, key: Some(k) } => write!(f, "s{c} = Session::new({k})"),
            Op::Get { c, field: i } => write!(f, "s{c}.get({:?})", field(i)),
            Op::Items { c } => write!(f, "s{c}.items()"),
            Op::Insert {
                c,
                field: i,
                value: v,
            } => write!(f, "s{c}.insert({:?}, {})", field(i), value(*v)),
            Op::Remove { c, field: i } => write!(f, "s{c}.remove({:?})", field(i)),
            Op::SetExpiry { c, expiry } => write!(f, "s{c}.set_expiry({expiry:?})"),
            Op::Save { c } => write!(f, "s{c}.save()"),
            Op::CycleKey { c } => write!(f, "s{c}.cycle_key()"),
            Op::Flush { c } => write!(f, "s{c}.flush()"),
            Op::DeleteSession { c } => write!(f, "s{c}.delete()"),
            Op::Create(p) => write!(f, "store.create({p})"),
            Op::Load(k) => write!(f, "store.load({k})"),
            Op::StoreSave(k, p) => write!(f, "store.save({k}, {p})"),
            Op::Exists(k) => write!(f, "store.exists({k})"),
            Op::Delete(k) => write!(f, "store.delete({k})"),
            Op::ClearExpired => f.write_str("store.clear_expired()"),
            Op::Advance(Step::Secs(n)) => write!(f, "clock += {n} s"),
            Op::Advance(Step::ToNextExpiry) => f.write_str("clock = next expiry"),
            Op::Advance(Step::JustBeforeNextExpiry) => f.write_str("clock = next expiry - 1 tick"),
            Op::Reopen => f.write_str("reopen store and handles"),
        }
    }
}

/// What one operation let the caller see.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obs {
    /// A handle operation: its result, then the handle's key and flags.
    Handle {
        result: Result<Ret, ErrorKind>,
        key: KeyObs,
        accessed: bool,
        modified: bool,
    },
    /// A store operation's result.
    Store(Result<Ret, ErrorKind>),
    /// clear_expired's count: may be lower than the reference's when the
    /// store dropped expired records lazily, never higher.
    Cleared(Result<u64, ErrorKind>),
}

impl Obs {
    /// Whether `self` (the store's) agrees with `reference`.
    pub(crate) fn agrees_with(&self, reference: &Obs) -> bool {
        match (self, reference) {
            (Obs::Cleared(Ok(got)), Obs::Cleared(Ok(expected))) => got <= expected,
            _ => self == reference,
        }
    }
}

/// A returned value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ret {
    Unit,
    Value(Option<Value>),
    Items(Vec<(String, Value)>),
    Key(KeyObs),
    Loaded(Option<(Vec<(String, Value)>, OffsetDateTime)>),
    Bool(bool),
}

/// A key as the test sees it: by the order it was issued in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyObs {
    None,
    /// The n-th key issued in this sequence.
    Issued(usize),
    /// A key the client supplied that the store never issued.
    Foreign,
}

/// The data of `payload`, with its expiry stored as the handle stores it.
pub(crate) fn payload_data(payload: &Payload, now: OffsetDateTime) -> Data {
    let mut data = Data::new();
    for (field, v) in &payload.fields {
        data.insert(
            FIELDS[usize::from(*field) % FIELDS.len()].to_owned(),
            value(*v),
        );
    }
    if let Some(stored) = payload.expiry.to_expiry(now).to_stored(now) {
        data.insert(EXPIRY_KEY.to_owned(), stored.to_value());
    }
    data
}

/// The record a save at `now` writes for `data`: expiring at the stored
/// instant, after the stored seconds, or after `age` (none or 0). This is
/// the reference for the handle's own computation.
pub(crate) fn record_at(data: Data, now: OffsetDateTime, age: i64) -> Record {
    let stored = data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value);
    let expires_at = match stored {
        Some(StoredExpiry::Date(at)) => at,
        Some(StoredExpiry::Seconds(n)) if n != 0 => now + Duration::seconds(n),
        _ => now + Duration::seconds(age),
    };
    Record::new(data, expires_at)
}

fn key_ref() -> impl Strategy<Value = KeyRef, Tree: Send> {
    prop_oneof![
        6 => (0u8..8).prop_map(KeyRef::Known),
        1 => Just(KeyRef::Unknown),
        1 => (0u8..16).prop_map(KeyRef::Malformed),
    ]
}

fn expiry_choice() -> impl Strategy<Value = ExpiryChoice, Tree: Send> {
    let secs = prop_oneof![Just(-5i64), Just(1), Just(5), Just(30), Just(3600)];
    prop_oneof![
        2 => Just(ExpiryChoice::Default),
        1 => Just(ExpiryChoice::BrowserClose),
        2 => secs.clone().prop_map(ExpiryChoice::Seconds),
        1 => secs.clone().prop_map(ExpiryChoice::At),
        1 => secs.prop_map(ExpiryChoice::In),
    ]
}

fn payload() -> impl Strategy<Value = Payload, Tree: Send> {
    (
        proptest::collection::vec((0u8..4, 0u8..12), 0..4),
        expiry_choice(),
    )
        .prop_map(|(fields, expiry)| Payload { fields, expiry })
}

fn step() -> impl Strategy<Value = Step, Tree: Send> {
    prop_oneof![
        2 => prop_oneof![Just(1u32), Just(4), Just(60), Just(3600), Just(1_209_600)].prop_map(Step::Secs),
        2 => Just(Step::ToNextExpiry),
        2 => Just(Step::JustBeforeNextExpiry),
    ]
}

// `prop_oneof!` boxes (and loses `Send`) above ten arms, so operations are
// drawn in two groups of at most ten; the suite's futures stay `Send`.
fn handle_op() -> impl Strategy<Value = Op, Tree: Send> {
    let c = 0..CLIENTS;
    prop_oneof![
        3 => (c.clone(), proptest::option::weighted(0.8, key_ref())).prop_map(|(c, key)| Op::Open { c, key }),
        3 => (c.clone(), 0u8..4).prop_map(|(c, field)| Op::Get { c, field }),
        1 => c.clone().prop_map(|c| Op::Items { c }),
        5 => (c.clone(), 0u8..4, 0u8..12).prop_map(|(c, field, value)| Op::Insert { c, field, value }),
        2 => (c.clone(), 0u8..4).prop_map(|(c, field)| Op::Remove { c, field }),
        2 => (c.clone(), expiry_choice()).prop_map(|(c, expiry)| Op::SetExpiry { c, expiry }),
        5 => c.clone().prop_map(|c| Op::Save { c }),
        2 => c.clone().prop_map(|c| Op::CycleKey { c }),
        1 => c.clone().prop_map(|c| Op::Flush { c }),
        1 => c.prop_map(|c| Op::DeleteSession { c }),
    ]
}

fn store_op() -> impl Strategy<Value = Op, Tree: Send> {
    prop_oneof![
        3 => payload().prop_map(Op::Create),
        3 => key_ref().prop_map(Op::Load),
        3 => (key_ref(), payload()).prop_map(|(k, p)| Op::StoreSave(k, p)),
        2 => key_ref().prop_map(Op::Exists),
        2 => key_ref().prop_map(Op::Delete),
        1 => Just(Op::ClearExpired),
        4 => step().prop_map(Op::Advance),
        1 => Just(Op::Reopen),
    ]
}

fn op() -> impl Strategy<Value = Op, Tree: Send> {
    prop_oneof![25 => handle_op(), 19 => store_op()]
}

/// Sequences of 1 to 40 operations.
pub(crate) fn sequences() -> impl Strategy<Value = Vec<Op>, Tree: Send> {
    proptest::collection::vec(op(), 1..40)
}
