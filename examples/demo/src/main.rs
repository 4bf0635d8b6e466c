//! `session-demo`: the Django notes' views on a real HTTP server.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use rand::Rng;
use rand::distr::Alphanumeric;
use session_core::SessionKey;
use session_demo::{DemoOptions, app, serve};
use session_stores::Options;
use session_tower::MIN_SECRET_KEY_LENGTH;

/// The key of the startup check: no session has it (keys are random), and
/// asking whether it exists touches nothing.
const STARTUP_PROBE_KEY: &str = "startupprobe00000000000000000000";

/// Runs the demo app.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
    /// Session backend, any URL of the session-stores catalog: memory,
    /// cache, file:///dir, sqlite:///path.db, postgres://..., redis://...,
    /// redis+cluster://h1:p1,h2:p2/, signed-cookie, cached-db+<URL>.
    #[arg(long, default_value = "cache")]
    store: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("session-demo: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let secret = match std::env::var("SESSION_SECRET_KEY") {
        Ok(key) if key.len() >= MIN_SECRET_KEY_LENGTH => key,
        Ok(key) if !key.is_empty() => {
            return Err(format!(
                "SESSION_SECRET_KEY is {} bytes long; it must be at least {MIN_SECRET_KEY_LENGTH} \
                 bytes (for example: export SESSION_SECRET_KEY=\"$(head -c 48 /dev/urandom | base64)\")",
                key.len()
            ));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err("SESSION_SECRET_KEY is not valid UTF-8".to_owned());
        }
        _ => {
            eprintln!(
                "warning: SESSION_SECRET_KEY is not set; using a random key, so signed cookies \
                 and signed-cookie sessions will not survive a restart"
            );
            rand::rng()
                .sample_iter(&Alphanumeric)
                .take(50)
                .map(char::from)
                .collect()
        }
    };
    let options = DemoOptions::new(secret.clone());
    let store_options = Options::new()
        .with_secret_key(secret)
        .with_config(options.config.clone());
    let store = session_stores::open_with(&args.store, &store_options)
        .await
        .map_err(|e| format!("--store {e}"))?;
    // Server stores connect on first use: ask once before listening, so an
    // unreachable server is one clear line now rather than a 500 on every
    // request (the call is bounded by the store's own timeout).
    let probe = SessionKey::parse(STARTUP_PROBE_KEY).expect("a valid session key");
    store.exists(&probe).await.map_err(|e| {
        format!(
            "--store {}: the store does not answer: {e}",
            session_stores::redact(&args.store)
        )
    })?;
    let app = app(store.clone(), &options).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "session-demo listening on http://{local} (store: {})",
        store.name()
    );
    tokio::select! {
        served = serve(listener, app) => served.map_err(|e| e.to_string()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
