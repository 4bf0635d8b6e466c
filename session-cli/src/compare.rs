//! `sessions compare` and `sessions bench`: for each store, the
//! conformance suite (compare only) and the benchmark, with a progress bar
//! per store; then the tables and the HTML report.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use session_stores::Options;

use crate::bench;
use crate::check;
use crate::error::CliError;
use crate::report;
use crate::results::BackendResult;
use crate::table;
use crate::targets::{Target, embedded, open, private_dir, throwaway_options};

/// Every embedded backend plus `extra`: suite, benchmark, table, report.
/// Fails (after the report is written) when a backend failed a check or
/// could not be measured.
pub(crate) async fn compare(extra: &[String], quick: bool, dir: &Path) -> Result<(), CliError> {
    let temp = private_dir()?;
    let mut targets = embedded(&temp);
    targets.extend(extra.iter().map(|url| Target::from_url(url)));
    let command = match quick {
        true => "sessions compare --quick",
        false => "sessions compare",
    };
    run(&targets, true, quick, dir, command).await
}

/// The benchmark alone against `urls`.
pub(crate) async fn bench_only(urls: &[String], quick: bool, dir: &Path) -> Result<(), CliError> {
    let targets: Vec<Target> = urls.iter().map(|url| Target::from_url(url)).collect();
    let command = match quick {
        true => "sessions bench --quick",
        false => "sessions bench",
    };
    run(&targets, false, quick, dir, command).await
}

async fn run(
    targets: &[Target],
    conformance: bool,
    quick: bool,
    dir: &Path,
    command: &str,
) -> Result<(), CliError> {
    let started = Instant::now();
    let options = throwaway_options();
    // A bad or unreachable URL stops the run before any work, in seconds.
    for target in targets {
        open(target, &options).await?;
    }
    let progress = MultiProgress::new();
    let bars: Vec<ProgressBar> = targets
        .iter()
        .map(|target| {
            let steps = bench::steps() + u64::from(conformance);
            let bar = progress.add(ProgressBar::new(steps));
            bar.set_style(style());
            bar.set_prefix(target.label.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
        .collect();
    let mut results: Vec<BackendResult> = targets
        .iter()
        .map(|target| BackendResult::new(&target.label))
        .collect();
    if conformance {
        suites(targets, &options, &bars, &mut results).await;
    }
    // One benchmark at a time, after every suite: nothing else runs
    // while a store is timed.
    for ((target, bar), result) in targets.iter().zip(&bars).zip(&mut results) {
        match bench::measure(target, &options, quick, bar).await {
            Ok((ops, throughput)) => {
                result.ops = ops;
                result.throughput = throughput;
            }
            Err(e) => result.error = Some(e.to_string()),
        }
        bar.finish_with_message("done");
    }
    println!("{}", table::summary(&results));
    println!("{}", table::latency(&results));
    for result in &results {
        for failure in result.conformance.iter().flat_map(|r| r.failures()) {
            println!("FAIL {failure}");
        }
    }
    let title = format!(
        "{command}, {} ({} CPUs), {} s",
        date(),
        std::thread::available_parallelism().map_or(0, usize::from),
        started.elapsed().as_secs()
    );
    let written = report::write(dir, &title, &results)?;
    println!(
        "report: {} ({} charts); {} in {:.1} s",
        written.index.display(),
        written.charts.len(),
        command,
        started.elapsed().as_secs_f64()
    );
    verdict(&results)
}

/// The conformance suites of every store at once, each driven on a
/// blocking thread of its own (on this runtime's timers and I/O): they
/// wait on different things (a file store on its disk, the others on the
/// CPU), so running them together ends sooner, and a store that blocks
/// its thread (the file and SQLite stores do their I/O in place) holds up
/// only its own suite, never the runtime's workers. What goes wrong is
/// kept in the result, so the other stores still run.
async fn suites(
    targets: &[Target],
    options: &Options,
    bars: &[ProgressBar],
    results: &mut [BackendResult],
) {
    let running: Vec<_> = targets
        .iter()
        .zip(bars)
        .map(|(target, bar)| {
            let (target, bar, options) = (target.clone(), bar.clone(), options.clone());
            let runtime = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                bar.set_message("conformance suite");
                let outcome = runtime.block_on(check::suite(&target, &options));
                bar.inc(1);
                bar.set_message("waiting for the other suites");
                outcome
            })
        })
        .collect();
    for (result, task) in results.iter_mut().zip(running) {
        match task.await {
            Ok(Ok(report)) => result.conformance = Some(report),
            Ok(Err(e)) => result.error = Some(e.to_string()),
            Err(stopped) => {
                result.error = Some(format!("the conformance suite stopped: {stopped}"))
            }
        }
    }
}

/// Fails when a store failed a check or could not be measured.
fn verdict(results: &[BackendResult]) -> Result<(), CliError> {
    for result in results {
        if let Some(report) = &result.conformance {
            let failed = report.failures().count();
            if failed > 0 {
                return Err(CliError::Nonconforming {
                    backend: result.label.clone(),
                    failed,
                });
            }
        }
        if let Some(reason) = &result.error {
            return Err(CliError::Bench {
                label: result.label.clone(),
                reason: reason.clone(),
            });
        }
    }
    Ok(())
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix:>24} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Today's date in UTC, `2026-12-05`.
fn date() -> String {
    let today = session_core::time::OffsetDateTime::now_utc().date();
    today.to_string()
}
