//! `sessions conformance`: the suite against the store a URL names, in
//! namespaces of its own (the harness opens each check in a fresh key
//! prefix, table or sub-directory), with a per-rule report.

use serde_json::{Value, json};
use session_conformance::{Outcome, Report};
use session_core::Operation;
use session_stores::{Options, harness_with};

use crate::error::CliError;
use crate::targets::{Target, open, within};

/// Runs the whole suite against `target`. The store is opened once first,
/// within the time limit, so that an unreachable server is reported in
/// seconds rather than by every check.
pub(crate) async fn suite(target: &Target, options: &Options) -> Result<Report, CliError> {
    open(target, options).await?;
    let harness = within(target, Operation::Open, async {
        Ok(harness_with(&target.url, options).await?)
    })
    .await?;
    Ok(session_conformance::run(&harness).await)
}

/// The command: prints the report (text, or JSON with `json`) and fails
/// when any check failed.
pub(crate) async fn run(url: &str, json: bool, options: &Options) -> Result<(), CliError> {
    let target = Target::from_url(url);
    let report = suite(&target, options).await?;
    if json {
        println!("{:#}", to_json(&target, &report));
    } else {
        println!("{}: {}", target.shown(), report_line(&report));
        print!("{report}");
    }
    let failed = report.failures().count();
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::Nonconforming {
            backend: target.shown(),
            failed,
        })
    }
}

/// `57 checks: 54 passed, 0 failed, 3 off, 0 skipped`.
fn report_line(report: &Report) -> String {
    let count = |f: fn(&Result<Outcome, session_conformance::Failure>) -> bool| {
        report.checks.iter().filter(|c| f(&c.result)).count()
    };
    format!(
        "{} checks: {} passed, {} failed, {} off, {} skipped",
        report.checks.len(),
        count(|r| matches!(r, Ok(Outcome::Pass))),
        count(|r| r.is_err()),
        count(|r| matches!(r, Ok(Outcome::Off(_)))),
        count(|r| matches!(r, Ok(Outcome::Skipped(_)))),
    )
}

/// The report for machines: the verdict, per-rule counts, every check.
fn to_json(target: &Target, report: &Report) -> Value {
    let rules: serde_json::Map<String, Value> = report
        .by_rule()
        .into_iter()
        .map(|(rule, s)| {
            let counts =
                json!({"passed": s.passed, "failed": s.failed, "off": s.off, "skipped": s.skipped});
            (rule.to_owned(), counts)
        })
        .collect();
    let checks: Vec<Value> = report
        .checks
        .iter()
        .map(|c| {
            let (status, detail) = match &c.result {
                Ok(Outcome::Pass) => ("pass", Value::Null),
                Ok(Outcome::Off(reason)) => ("off", json!(reason)),
                Ok(Outcome::Skipped(reason)) => ("skipped", json!(reason)),
                Err(failure) => ("fail", json!(failure.to_string())),
            };
            json!({
                "check": c.check,
                "rules": c.rules,
                "status": status,
                "detail": detail,
                "elapsed_ms": c.elapsed.as_secs_f64() * 1e3,
            })
        })
        .collect();
    json!({
        "url": target.shown(),
        "backend": report.backend,
        "success": report.is_success(),
        "rules": rules,
        "checks": checks,
    })
}
