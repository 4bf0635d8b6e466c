//! Every check of the suite as a plain `async fn`, one per behaviour.
//!
//! Each takes a [`Harness`], opens its own fresh stores, and returns
//! [`Outcome`] or a [`Failure`] naming the rule, the backend and what was
//! observed against what was expected. [`CHECKS`] lists them with the rules
//! they prove; [`run`](crate::run) calls them all.
//!
//! These functions clear and fill the namespaces they open; never point a
//! harness at data you want to keep.

use std::time::Instant;

use crate::cx::Cx;
use crate::harness::Harness;
use crate::report::{CheckReport, Failure, Outcome, Report};

mod collision;
mod concurrency;
mod data;
mod enforcement;
mod errors;
mod expiry;
mod handle;
mod keys;
mod lifecycle;
mod loading;
mod property;
mod races;
mod save;
mod signing;

/// A check's name, the rules it proves, and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The function's and the stamped test's name.
    pub name: &'static str,
    /// The rules it proves ([`session_core::rules`]); the first is its main rule.
    pub rules: &'static [&'static str],
    /// One sentence on what it checks.
    pub doc: &'static str,
}

macro_rules! define_checks {
    (() $([$module:ident, $name:ident, [$($rule:literal),+], $doc:literal])*) => {
        $(
            #[doc = $doc]
            pub async fn $name<H: Harness>(harness: &H) -> Result<Outcome, Failure> {
                let cx = Cx::new(harness, stringify!($name));
                cx.finish($module::$name(&cx)).await
            }
        )*

        /// Every check of the suite, in the order [`run`](crate::run) runs them.
        pub const CHECKS: &[CheckInfo] = &[
            $(CheckInfo { name: stringify!($name), rules: &[$($rule),+], doc: $doc },)*
        ];

        /// Runs every check in order. After the first skip the remaining
        /// checks are reported skipped without opening the store again.
        /// A skip once the store has been reached (by an earlier check or
        /// earlier in the same check) is a `setup` failure instead: the
        /// store was lost mid-run, and the checks after it are reported
        /// skipped with that reason, so the report is not a success.
        pub(crate) async fn run_all<H: Harness>(harness: &H) -> Report {
            let mut checks = Vec::with_capacity(CHECKS.len());
            let mut state = RunState::default();
            $(
                let start = Instant::now();
                let result = match state.stopped() {
                    Some(reason) => Ok(Outcome::Skipped(reason)),
                    None => {
                        let cx = Cx::new(harness, stringify!($name)).after_reached(state.reached);
                        let result = cx.finish($module::$name(&cx)).await;
                        state.record(&result, cx.reached(), cx.lost());
                        result
                    }
                };
                checks.push(CheckReport {
                    check: stringify!($name),
                    rules: &[$($rule),+],
                    result,
                    elapsed: start.elapsed(),
                });
            )*
            Report { backend: harness.name().to_owned(), checks }
        }
    };
}

crate::__with_checks!(define_checks!());

/// Where [`run_all`] is: whether the store was ever opened, and why the
/// checks stopped opening it, if they did.
#[derive(Debug, Default)]
struct RunState {
    /// The harness opened a store in some check so far.
    reached: bool,
    /// Why the remaining checks are not run.
    stopped: Option<String>,
}

impl RunState {
    /// The skip reason of a check not run, once a skip or a lost store
    /// stopped the run.
    fn stopped(&self) -> Option<String> {
        self.stopped.clone()
    }

    /// Takes in one check's result; `reached` says whether the store has
    /// been opened so far, `lost` whether the check failed because it
    /// could no longer be opened.
    fn record(&mut self, result: &Result<Outcome, Failure>, reached: bool, lost: bool) {
        self.reached |= reached;
        self.stopped = match result {
            Ok(Outcome::Skipped(reason)) => Some(reason.clone()),
            Err(failure) if lost => Some(format!(
                "not run: the store was lost during `{}`: {}",
                failure.check, failure.message
            )),
            _ => None,
        };
    }
}
