//! [`Operation`]: the workloads every backend is measured with, and the
//! session sizes they run at ([`SIZES`]).

use std::fmt;

/// Session data sizes every operation is measured at, in encoded JSON bytes:
/// 100 B, 1 KB and 16 KB.
pub const SIZES: [usize; 3] = [100, 1024, 16 * 1024];

/// One workload: what a request does to the store.
///
/// Each is measured with the store calls it names and nothing else; the
/// records it needs are prepared before the clock starts and removed after
/// it stops (see [`measure`](crate::measure)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `create` of a new record (a first visit that stores something).
    Create,
    /// `load` of a live record.
    LoadHit,
    /// `load` of a key the store does not hold (a stale or forged cookie).
    LoadMiss,
    /// `save` over a live record with the same data.
    Save,
    /// `delete` of a live record (logout).
    Delete,
    /// `load`, change one key of the data, `save`: a typical request.
    RequestCycle,
    /// `create` under a new key and `delete` of the old one, as
    /// `Session::cycle_key` does at login.
    CycleKey,
}

impl Operation {
    /// Every operation, in report order.
    pub const ALL: [Operation; 7] = [
        Operation::Create,
        Operation::LoadHit,
        Operation::LoadMiss,
        Operation::Save,
        Operation::Delete,
        Operation::RequestCycle,
        Operation::CycleKey,
    ];

    /// Its name in bench groups and reports: `create`, `load_hit`,
    /// `load_miss`, `save`, `delete`, `request_cycle`, `cycle_key`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::LoadHit => "load_hit",
            Operation::LoadMiss => "load_miss",
            Operation::Save => "save",
            Operation::Delete => "delete",
            Operation::RequestCycle => "request_cycle",
            Operation::CycleKey => "cycle_key",
        }
    }

    /// The operation named `name` (as [`name`](Self::name) spells it).
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
