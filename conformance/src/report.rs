//! What a check returns, and the per-rule [`Report`] of a whole run.

use std::fmt;
use std::time::Duration;

/// How a check ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every assertion held.
    Pass,
    /// A capability flag of the store, or the harness's answer
    /// ([`Harness::corrupt`](crate::Harness::corrupt) gave
    /// `Corruption::NotApplicable`, [`Harness::django_secret`](crate::Harness::django_secret)
    /// gave `None`), switched the check off where the rules allow it; the
    /// reason says which.
    Off(String),
    /// The harness could not open its store ([`Skip`](crate::Skip)) and
    /// had not opened one before in the run, or the check was not run
    /// after an earlier check was skipped or lost the store.
    Skipped(String),
}

/// A check that found the store breaking a rule.
///
/// Its display names the rule, the backend, the check and what was
/// observed against what was expected, for example
/// `[L1] file: l1_save_after_delete_is_interrupted: save after delete: expected Err(Interrupted), observed Ok(..)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The rule broken (`"L1"`).
    pub rule: &'static str,
    /// The backend's name.
    pub backend: String,
    /// The check that failed.
    pub check: &'static str,
    /// What happened, observed against expected; for property tests the
    /// minimal operation sequence.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}: {}",
            self.rule, self.backend, self.check, self.message
        )
    }
}

impl std::error::Error for Failure {}

/// One check's result in a [`Report`].
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The check's name, as the stamped test is named.
    pub check: &'static str,
    /// The rules the check proves.
    pub rules: &'static [&'static str],
    /// Pass, off, skipped, or the failure.
    pub result: Result<Outcome, Failure>,
    /// How long the check took.
    pub elapsed: Duration,
}

impl CheckReport {
    fn status(&self) -> &'static str {
        match &self.result {
            Ok(Outcome::Pass) => "pass",
            Ok(Outcome::Off(_)) => "off",
            Ok(Outcome::Skipped(_)) => "skipped",
            Err(_) => "FAIL",
        }
    }
}

/// Counts for one rule over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSummary {
    /// Checks of the rule that passed.
    pub passed: usize,
    /// Checks of the rule that failed.
    pub failed: usize,
    /// Checks of the rule switched off by a capability.
    pub off: usize,
    /// Checks of the rule skipped because the store could not be opened.
    pub skipped: usize,
}

/// The result of [`run`](crate::run): every check against one backend.
///
/// A skip before the store was ever opened is [`Outcome::Skipped`]; a skip
/// after it was opened (the store was lost mid-run) is a `setup`
/// [`Failure`], and the checks after it are reported skipped.
#[derive(Debug, Clone)]
pub struct Report {
    /// The backend's name.
    pub backend: String,
    /// One entry per check, in the suite's order.
    pub checks: Vec<CheckReport>,
}

impl Report {
    /// True when no check failed.
    ///
    /// Skipped checks count as passing: a skip only stays a skip while the
    /// store has never been opened in the run. A store that was opened and
    /// then could not be opened again fails the check where that happened
    /// (rule `setup`), so a run that loses its server halfway is never a
    /// success.
    pub fn is_success(&self) -> bool {
        self.checks.iter().all(|c| c.result.is_ok())
    }

    /// The failures, in order.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.checks.iter().filter_map(|c| c.result.as_ref().err())
    }

    /// The checks switched off, with their reasons.
    pub fn off(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.checks.iter().filter_map(|c| match &c.result {
            Ok(Outcome::Off(reason)) => Some((c.check, reason.as_str())),
            _ => None,
        })
    }

    /// The result of the check named `check`, if the suite has it.
    pub fn get(&self, check: &str) -> Option<&CheckReport> {
        self.checks.iter().find(|c| c.check == check)
    }

    /// Pass/fail/off/skipped counts per rule, in the order of [`session_core::rules`]
    /// (K1..K4, D1..D4, L1..L6, E1..E5, G1, G2, R1, R2).
    pub fn by_rule(&self) -> Vec<(&'static str, RuleSummary)> {
        let mut rules: Vec<(&'static str, RuleSummary)> = Vec::new();
        for check in &self.checks {
            for rule in check.rules {
                let index = match rules.iter().position(|(r, _)| r == rule) {
                    Some(index) => index,
                    None => {
                        rules.push((rule, RuleSummary::default()));
                        rules.len() - 1
                    }
                };
                let summary = &mut rules[index].1;
                match &check.result {
                    Ok(Outcome::Pass) => summary.passed += 1,
                    Ok(Outcome::Off(_)) => summary.off += 1,
                    Ok(Outcome::Skipped(_)) => summary.skipped += 1,
                    Err(_) => summary.failed += 1,
                }
            }
        }
        let order = |rule: &str| {
            let section = "KDLEGR".find(rule.get(..1).unwrap_or("")).unwrap_or(6);
            (
                section,
                rule.get(1..)
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(0),
            )
        };
        rules.sort_by_key(|(rule, _)| order(rule));
        rules
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: Duration = self.checks.iter().map(|c| c.elapsed).sum();
        writeln!(
            f,
            "conformance of `{}`: {} checks in {:.2?}",
            self.backend,
            self.checks.len(),
            total
        )?;
        writeln!(f, "rule  pass  fail  off  skipped")?;
        for (rule, s) in self.by_rule() {
            writeln!(
                f,
                "{rule:<5} {:>4}  {:>4}  {:>3}  {:>7}",
                s.passed, s.failed, s.off, s.skipped
            )?;
        }
        for check in &self.checks {
            write!(f, "{:<7} {}", check.status(), check.check)?;
            match &check.result {
                Ok(Outcome::Off(reason)) | Ok(Outcome::Skipped(reason)) => {
                    writeln!(f, ": {reason}")?
                }
                Err(failure) => writeln!(f, "\n        {failure}")?,
                Ok(Outcome::Pass) => writeln!(f)?,
            }
        }
        Ok(())
    }
}
