//! `sessions bench` and `sessions compare` write their report: one latency
//! chart per operation and a throughput chart, each with one bar per
//! backend, inline in `index.html` and as SVG files.

use std::path::Path;
use std::process::{Command, Output};

const OPERATIONS: [&str; 7] = [
    "create",
    "load_hit",
    "load_miss",
    "save",
    "delete",
    "request_cycle",
    "cycle_key",
];

fn sessions(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sessions"))
        .args(args)
        .env("SESSION_SECRET_KEY", "a-report-test-secret-key-long-enough")
        .output()
        .expect("the sessions binary runs")
}

/// The bars of one chart: plotters draws each as a filled `<rect>`; the
/// only other rectangle is the white background.
fn bars(svg: &str) -> usize {
    svg.match_indices("<rect")
        .filter(|(at, _)| {
            let tag = &svg[*at..];
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            !tag.contains("fill=\"#FFFFFF\"")
        })
        .count()
}

fn assert_charts(dir: &Path, backends: usize) {
    for op in OPERATIONS {
        let svg = std::fs::read_to_string(dir.join(format!("latency-{op}.svg")))
            .unwrap_or_else(|e| panic!("no chart for {op}: {e}"));
        assert_eq!(bars(&svg), backends, "{op}");
        assert!(svg.contains(&format!("{op}: median latency")), "{op}");
    }
    let svg = std::fs::read_to_string(dir.join("throughput.svg")).unwrap();
    assert_eq!(bars(&svg), backends, "throughput");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert_eq!(
        html.matches("<figure class=\"chart\"").count(),
        OPERATIONS.len() + 1
    );
    assert_eq!(html.matches("<svg").count(), OPERATIONS.len() + 1);
}

#[test]
fn bench_writes_one_chart_per_operation() {
    let report = tempfile::tempdir().unwrap();
    let dir = report.path().join("nested/report");
    let dir_arg = dir.to_str().unwrap();
    let output = sessions(&[
        "bench",
        "--quick",
        "--report",
        dir_arg,
        "memory://",
        "cache://",
    ]);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for op in OPERATIONS {
        assert!(out.contains(op), "{op} in the table: {out}");
    }
    assert!(out.contains("×"), "ratios to the raw baseline: {out}");
    assert!(out.contains("(8 charts)"), "{out}");
    assert_charts(&dir, 2);
}

#[test]
fn compare_quick_covers_every_embedded_backend() {
    let report = tempfile::tempdir().unwrap();
    let dir_arg = report.path().to_str().unwrap();
    // The suite's broken store that returns expired records (E5) beside
    // the embedded backends: compare names its failed checks and fails.
    let output = sessions(&[
        "compare",
        "--quick",
        "--report",
        dir_arg,
        "--backends",
        "broken://returns-expired",
    ]);
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}\n{out}");
    assert!(err.contains("conformance check(s) failed"), "{err}");
    let failures: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert!(
        failures
            .iter()
            .any(|l| l.starts_with("FAIL [E5] returns-expired: ")),
        "{out}"
    );
    assert!(
        failures
            .iter()
            .all(|l| l.starts_with("FAIL [") && l.contains("] returns-expired: ")),
        "only the broken store fails: {failures:#?}"
    );
    let labels = [
        "memory",
        "cache",
        "file",
        "db (sqlite)",
        "cached-db (sqlite)",
        "signed-cookie",
        "signed-cookie encrypted",
    ];
    for label in labels {
        let row = out
            .lines()
            .find(|l| l.contains(&format!(" {label} ")))
            .unwrap_or_else(|| panic!("no row for {label}: {out}"));
        assert!(row.contains("pass"), "{row}");
    }
    assert_charts(report.path(), labels.len() + 1);
}
