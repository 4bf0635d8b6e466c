//! `sessions`: compare the session backends on this machine, run the
//! conformance suite against a live store, clear expired sessions, inspect
//! one. Every store is named by a catalog URL (`session-stores`).
//!
//! Every failure is one line on stderr and a non-zero exit status: 1 when
//! the command ran and found something wrong (a failed check, no such
//! session, a store error, a timeout), 2 for bad input (an unknown flag, a
//! URL no backend accepts, a malformed key).

mod bench;
mod chart;
mod check;
mod compare;
mod error;
mod ops;
mod report;
mod results;
mod table;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// Django's session framework in Rust: compare the backends, check a
/// store against the conformance suite, clear expired sessions, inspect one.
///
/// Stores are catalog URLs: memory://, cache://?max_bytes=N, file:///dir
/// (file:// for the default directory), signed-cookie://?format=encrypted;
/// `?codec=django` on the file store shares it with Django. The secret key
/// comes from SESSION_SECRET_KEY.
#[derive(Debug, Parser)]
#[command(name = "sessions", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every embedded backend, plus the URLs given: the conformance suite,
    /// then a short benchmark; a table and an HTML report with charts.
    Compare {
        /// More stores to compare, comma-separated catalog URLs.
        #[arg(long, value_delimiter = ',')]
        backends: Vec<String>,
        /// A shorter benchmark (under a minute for the embedded backends).
        #[arg(long)]
        quick: bool,
        /// Where the HTML report and the SVG charts go.
        #[arg(long, default_value = "target/session-report")]
        report: PathBuf,
    },
    /// The conformance suite against one store, in namespaces of its own;
    /// exits 1 when any check fails.
    Conformance {
        /// The store's catalog URL.
        url: String,
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The benchmark alone, against the stores given: table and report.
    Bench {
        /// The stores' catalog URLs.
        #[arg(required = true)]
        urls: Vec<String>,
        /// A shorter benchmark.
        #[arg(long)]
        quick: bool,
        /// Where the HTML report and the SVG charts go.
        #[arg(long, default_value = "target/session-report")]
        report: PathBuf,
    },
    /// Removes every expired session (Django's clearsessions) and prints
    /// how many went.
    ClearExpired {
        /// The store's catalog URL.
        url: String,
    },
    /// Prints the data and expiry of the session under a key.
    Inspect {
        /// The store's catalog URL.
        url: String,
        /// The session key (the cookie's value).
        key: String,
        /// Django's SECRET_KEY, for Django-format data (`?codec=django`) or
        /// signed cookies; overrides SESSION_SECRET_KEY.
        #[arg(long)]
        django_secret: Option<String>,
    },
}

fn main() -> ExitCode {
    // The program never panics on purpose; should it, the user gets one
    // line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("sessions: internal error: {info}");
    }));
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&CliError::Setup(e)),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(error: &CliError) -> ExitCode {
    eprintln!("sessions: {error}");
    ExitCode::from(error.exit_code())
}

async fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Compare {
            backends,
            quick,
            report,
        } => compare::compare(&backends, quick, &report).await,
        Command::Conformance { url, json } => check::run(&url, json, &targets::options(None)).await,
        Command::Bench {
            urls,
            quick,
            report,
        } => compare::bench_only(&urls, quick, &report).await,
        Command::ClearExpired { url } => ops::clear_expired(&url, &targets::options(None)).await,
        Command::Inspect {
            url,
            key,
            django_secret,
        } => ops::inspect(&url, &key, &targets::options(django_secret.as_deref())).await,
    }
}
