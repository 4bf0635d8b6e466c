//! The HTML report: the tables, one latency chart per operation and a
//! throughput chart, each chart also written as its own SVG file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::chart;
use crate::error::CliError;
use crate::results::BackendResult;
use crate::table;

/// What [`write()`] produced.
#[derive(Debug)]
pub(crate) struct Written {
    /// The HTML page.
    pub(crate) index: PathBuf,
    /// The chart files, one per operation then the throughput chart.
    pub(crate) charts: Vec<PathBuf>,
}

/// Writes `index.html` and the charts into `dir` (created if missing).
/// `title` says what was run (the command, the date, the machine).
pub(crate) fn write(
    dir: &Path,
    title: &str,
    results: &[BackendResult],
) -> Result<Written, CliError> {
    let failed = |path: &Path, reason: String| CliError::Report {
        path: path.to_owned(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e.to_string()))?;
    let mut charts = Vec::new();
    let mut figures = String::new();
    for op in table::operations(results) {
        let bars: Vec<(String, f64)> = results
            .iter()
            .filter_map(|r| {
                let o = r.ops.iter().find(|o| o.op == op)?;
                Some((r.label.clone(), o.median.as_secs_f64() * 1e6))
            })
            .collect();
        let name = format!("latency-{}.svg", op.replace(' ', "-"));
        let title = format!("{op}: median latency, 1 KB, 1 task");
        charts.push(figure(dir, &name, &title, "µs", &bars, &mut figures)?);
    }
    let bars: Vec<(String, f64)> = results
        .iter()
        .filter_map(|r| Some((r.label.clone(), r.throughput?)))
        .collect();
    if !bars.is_empty() {
        let title = "request cycles per second, 64 tasks";
        charts.push(figure(
            dir,
            "throughput.svg",
            title,
            "ops/s",
            &bars,
            &mut figures,
        )?);
    }
    let html = page(title, results, &figures);
    let index = dir.join("index.html");
    std::fs::write(&index, html).map_err(|e| failed(&index, e.to_string()))?;
    Ok(Written { index, charts })
}

/// Draws one chart, writes it to `dir/name`, and appends it to `figures`.
fn figure(
    dir: &Path,
    name: &str,
    title: &str,
    unit: &str,
    bars: &[(String, f64)],
    figures: &mut String,
) -> Result<PathBuf, CliError> {
    let path = dir.join(name);
    let svg = chart::bars(title, unit, bars).map_err(|reason| CliError::Report {
        path: path.clone(),
        reason,
    })?;
    std::fs::write(&path, &svg).map_err(|e| CliError::Report {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let _ = writeln!(
        figures,
        "<figure class=\"chart\" data-chart=\"{}\" data-bars=\"{}\">{svg}</figure>",
        escape(name),
        bars.len(),
    );
    Ok(path)
}

fn page(title: &str, results: &[BackendResult], figures: &str) -> String {
    let summary = table::summary(results);
    let latency = table::latency(results);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Session backends compared</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:70em}}\
         pre{{background:#f6f6f6;padding:1em;overflow-x:auto}}\
         figure{{margin:1em 0}}</style></head><body>\n\
         <h1>Session backends compared</h1>\n<p>{}</p>\n\
         <h2>Summary</h2>\n<pre>{}</pre>\n\
         <h2>Latency: median / p99</h2>\n<pre>{}</pre>\n\
         <h2>Charts</h2>\n{figures}{}</body></html>\n",
        escape(title),
        escape(&summary.to_string()),
        escape(&latency.to_string()),
        conformance_notes(results),
    )
}

/// The failures and the checks switched off, per backend.
fn conformance_notes(results: &[BackendResult]) -> String {
    let mut html = String::from("<h2>Conformance details</h2>\n");
    for result in results {
        let Some(report) = &result.conformance else {
            continue;
        };
        let _ = write!(html, "<h3>{}</h3>\n<ul>\n", escape(&result.label));
        for failure in report.failures() {
            let _ = writeln!(html, "<li>FAIL {}</li>", escape(&failure.to_string()));
        }
        for (check, reason) in report.off() {
            let _ = writeln!(html, "<li>off {}: {}</li>", escape(check), escape(reason));
        }
        html.push_str("</ul>\n");
    }
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
