//! `broken://<bug>`, behind the `broken` feature: the conformance suite's
//! own deliberately broken stores (`conformance/tests/mutants/`, compiled
//! here from that one copy), so that a program built on the catalog can be
//! shown to fail the suite. Only the command-line tool's tests turn the
//! feature on; no release build answers to `broken://`.

use std::sync::Arc;

use session_conformance::{Ctx, Erased, Harness};
use session_core::{Error, ErrorKind, Operation, SessionStore};

#[path = "../../conformance/tests/mutants/mod.rs"]
#[allow(dead_code, unreachable_pub, missing_docs, clippy::all)]
mod mutants;

use mutants::{BrokenHarness, Bug};

/// The scheme of the broken stores.
pub(crate) const SCHEME: &str = "broken";

/// Every broken store, by the name it reports.
const BUGS: &[Bug] = &[
    Bug::UpsertsOnSave,
    Bug::ReturnsExpired,
    Bug::OverwritesOnCreate,
    Bug::GivesUpOnCollision,
    Bug::AdoptsUnknownKeys,
    Bug::LosesUnicode,
    Bug::LosesBigIntegers,
    Bug::ExistsIgnoresExpiry,
    Bug::LiveAtExpiryInstant,
    Bug::ClearsLiveRecords,
    Bug::DeleteMissingFails,
    Bug::DeleteIsNoop,
    Bug::LoadCreates,
    Bug::CrossTalk,
    Bug::CaseInsensitiveKeys,
    Bug::IgnoresKeyGenerator,
    Bug::UppercasesKeys,
    Bug::SortsEntries,
    Bug::TornWrites,
    Bug::ForgetsOnReopen,
    Bug::ForgetsDeletesOnReopen,
    Bug::LocksPerInstance,
    Bug::IgnoresDepthLimit,
    Bug::ReadsPythonJsonWithSerde,
    Bug::IntegerExpiryByCookieAge,
];

/// Why a `broken` URL was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrokenUrlError {
    /// The text after `broken://` names no broken store.
    #[error("no broken store of that name (`broken://returns-expired`, ...)")]
    UnknownBug,
}

/// One broken store, chosen by its URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BrokenUrl(Bug);

impl BrokenUrl {
    /// `broken://<name>`: the broken store reporting `name`.
    pub(crate) fn from_url(url: &str) -> Result<Self, BrokenUrlError> {
        let name = url.split_once("://").map_or("", |(_, rest)| rest);
        BUGS.iter()
            .find(|bug| bug.name() == name)
            .map(|bug| Self(*bug))
            .ok_or(BrokenUrlError::UnknownBug)
    }

    /// A store on a fresh namespace, judged by the suite's mock clock.
    pub(crate) async fn open(self) -> Result<Arc<dyn SessionStore>, Error> {
        match BrokenHarness(self.0).open(&Ctx::new()).await {
            Ok(store) => Ok(Arc::new(store)),
            Err(skip) => Err(
                Error::new(ErrorKind::Unavailable, Operation::Open, self.0.name())
                    .with_context(skip.0),
            ),
        }
    }

    /// Its conformance harness.
    pub(crate) fn harness(self) -> Erased<BrokenHarness> {
        Erased(BrokenHarness(self.0))
    }
}
