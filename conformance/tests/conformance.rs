//! The suite on session-core's reference store, directly and through
//! `Arc<dyn SessionStore>`, as applications hold stores.

use session_conformance::{Erased, MemoryHarness};

session_conformance::suite!(MemoryHarness);

session_conformance::suite!(arc_dyn => Erased(MemoryHarness));
