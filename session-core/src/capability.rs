//! What a store can honestly promise, so shared tests know what to check.

/// The behaviours a store supports. The conformance suite switches a check
/// off only where a flag allows it, and reports which checks were off.
///
/// Every server-side store in this workspace has every flag set except
/// where its documentation says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// The record lives on the server, so `exists`, `delete` and the
    /// *interrupted* check of a save (L1) are meaningful. False for a store
    /// whose key is the data itself (signed cookies): it cannot revoke.
    pub server_side: bool,
    /// `clear_expired` removes records. False where the engine expires
    /// records by itself and `clear_expired` is a no-op returning 0.
    pub clear_expired: bool,
    /// Records survive reopening the store (a new store value over the same
    /// engine and namespace sees them).
    pub durable: bool,
    /// Several processes sharing the same engine see each other's writes.
    pub shared_across_processes: bool,
}

impl Capabilities {
    /// The flags of an in-process, server-side store such as `MemoryStore`.
    pub const IN_PROCESS: Capabilities = Capabilities {
        server_side: true,
        clear_expired: true,
        durable: false,
        shared_across_processes: false,
    };

    /// The flags of a durable store shared by several processes (SQL, files, Redis).
    pub const SHARED_DURABLE: Capabilities = Capabilities {
        server_side: true,
        clear_expired: true,
        durable: true,
        shared_across_processes: true,
    };
}
