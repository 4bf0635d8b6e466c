//! The tables `compare` and `bench` print: one line per backend (the
//! conformance verdict and the throughput), then one row per operation with
//! each backend's median, p99 and ratio to its raw engine.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::results::{BackendResult, human};

/// The summary: backend, conformance, request cycles per second with 64
/// tasks, and what stopped a backend when something did.
pub(crate) fn summary(results: &[BackendResult]) -> Table {
    let mut table = new_table();
    table.set_header(["backend", "conformance", "ops/s, 64 tasks (request cycle)"]);
    for result in results {
        let throughput = match (&result.error, result.throughput) {
            (Some(error), _) => error.clone(),
            (None, Some(ops)) => format!("{ops:.0}"),
            (None, None) => "-".to_owned(),
        };
        table.add_row([
            Cell::new(&result.label),
            Cell::new(result.verdict()),
            Cell::new(throughput).set_alignment(CellAlignment::Right),
        ]);
    }
    table
}

/// Latency per operation (rows) and backend (columns):
/// `median / p99 (×ratio to the raw engine)`.
pub(crate) fn latency(results: &[BackendResult]) -> Table {
    let mut table = new_table();
    let mut header = vec!["operation (1 task)".to_owned()];
    header.extend(results.iter().map(|r| r.label.clone()));
    table.set_header(header);
    for op in operations(results) {
        let mut row = vec![Cell::new(op)];
        for result in results {
            let text = match result.ops.iter().find(|o| o.op == op) {
                Some(o) => {
                    let ratio = o
                        .ratio()
                        .map_or(String::new(), |r| format!("\n×{r:.1} raw"));
                    format!("{} / {}{ratio}", human(o.median), human(o.p99))
                }
                None => "-".to_owned(),
            };
            row.push(Cell::new(text).set_alignment(CellAlignment::Right));
        }
        table.add_row(row);
    }
    table
}

/// The operations measured, in the order first seen.
pub(crate) fn operations(results: &[BackendResult]) -> Vec<&'static str> {
    let mut ops: Vec<&'static str> = Vec::new();
    for o in results.iter().flat_map(|r| &r.ops) {
        if !ops.contains(&o.op) {
            ops.push(o.op);
        }
    }
    ops
}

fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table
}
