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
    /// The DESIGN.md rules it proves; the first is its main rule.
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

        pub(crate) async fn run_all<H: Harness>(harness: &H) -> Report {
            let mut checks = Vec::with_capacity(CHECKS.len());
            let mut skipped: Option<String> = None;
            $(
                let start = Instant::now();
                let result = match &skipped {
                    Some(reason) => Ok(Outcome::Skipped(reason.clone())),
                    None => $name(harness).await,
                };
                if let Ok(Outcome::Skipped(reason)) = &result {
                    skipped = Some(reason.clone());
                }
                checks.push(CheckReport {
                    check: stringify!($name),
                    rules: &[$($rule),+],
                    result,
                    elapsed: start.elapsed(),
                });
            )*
            // The last check's skip is never read.
            drop(skipped);
            Report { backend: harness.name().to_owned(), checks }
        }
    };
}

crate::__with_checks!(define_checks!());
