//! What the commands run against: a [`Target`] (a label and a URL), the
//! catalog's embedded backends for `compare`, the [`Options`] stores open
//! with, and [`within`], the time limit on every call to a store.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use session_core::{ErrorKind, KeyGenerator, Operation, RandomKeys, SessionStore};
use session_stores::{BackendKind, Options, backends, open_with, redact};
use tempfile::TempDir;

use crate::error::CliError;

/// How long one call to a store may take before the command gives up: an
/// unreachable server is reported within a few seconds.
pub(crate) const TIME_LIMIT: Duration = Duration::from_secs(5);

/// A store to test or measure.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// What the table and the charts call it.
    pub(crate) label: String,
    /// The catalog URL, as given (print [`Target::shown`] instead).
    pub(crate) url: String,
}

impl Target {
    /// A URL the user gave, labelled by its redacted form.
    pub(crate) fn from_url(url: &str) -> Self {
        Self {
            label: redact(url.trim()),
            url: url.trim().to_owned(),
        }
    }

    /// The URL fit to print.
    pub(crate) fn shown(&self) -> String {
        redact(&self.url)
    }
}

/// Every embedded backend of the catalog, each with the URL that opens it
/// here: the file store in `dir` (a fresh private directory), the
/// signed-cookie store in both formats, the others at their defaults.
pub(crate) fn embedded(dir: &TempDir) -> Vec<Target> {
    let mut targets = Vec::new();
    for info in backends() {
        if info.kind != BackendKind::Embedded {
            continue;
        }
        let scheme = info.schemes[0];
        let target = |label: &str, url: String| Target {
            label: label.to_owned(),
            url,
        };
        match info.name {
            "file" => targets.push(target(
                info.name,
                format!("file://{}/", dir.path().display()),
            )),
            "signed-cookie" => {
                targets.push(target(info.name, format!("{scheme}://")));
                targets.push(target(
                    "signed-cookie encrypted",
                    format!("{scheme}://?format=encrypted"),
                ));
            }
            "db" => targets.push(target(
                "db (sqlite)",
                format!("sqlite://{}/sessions.sqlite3", dir.path().display()),
            )),
            "cached-db" => targets.push(target(
                "cached-db (sqlite)",
                format!("cached-db+sqlite://{}/cached.sqlite3", dir.path().display()),
            )),
            _ => targets.push(target(info.name, format!("{scheme}://"))),
        }
    }
    targets
}

/// A fresh directory only this user can use, as the file store requires.
pub(crate) fn private_dir() -> Result<TempDir, CliError> {
    let dir = tempfile::Builder::new()
        .prefix("sessions-")
        .tempdir()
        .map_err(CliError::Setup)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(CliError::Setup)?;
    }
    Ok(dir)
}

/// [`Options::from_env`] (the secret from `SESSION_SECRET_KEY`), with
/// `secret` instead when given.
pub(crate) fn options(secret: Option<&str>) -> Options {
    match secret {
        Some(secret) => Options::from_env().with_secret_key(secret),
        None => Options::from_env(),
    }
}

/// [`options`], or, when no secret is set, a random one for this run only:
/// `compare` and `bench` keep nothing, so the signed-cookie stores can sign
/// with a throwaway key.
pub(crate) fn throwaway_options() -> Options {
    let options = Options::from_env();
    if std::env::var(session_stores::SECRET_KEY_VAR).is_ok_and(|key| !key.is_empty()) {
        return options;
    }
    let key = format!(
        "{}{}",
        RandomKeys.generate().as_str(),
        RandomKeys.generate().as_str()
    );
    options.with_secret_key(key)
}

/// Runs `call` on the store of `target`, giving up after [`TIME_LIMIT`].
pub(crate) async fn within<T>(
    target: &Target,
    operation: Operation,
    call: impl Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    match tokio::time::timeout(TIME_LIMIT, call).await {
        Ok(result) => result,
        Err(_) => Err(CliError::Timeout {
            url: target.shown(),
            operation,
            limit: TIME_LIMIT,
        }),
    }
}

/// Opens the store of `target` and asks it once whether a key exists, each
/// within [`TIME_LIMIT`]: server stores connect on first use, so an
/// unreachable server is reported here, as one line, rather than by every
/// later call (or by a conformance harness that cannot open its table).
pub(crate) async fn open(
    target: &Target,
    options: &Options,
) -> Result<Arc<dyn SessionStore>, CliError> {
    let store = within(target, Operation::Open, async {
        Ok(open_with(&target.url, options).await?)
    })
    .await?;
    let probe = RandomKeys.generate();
    within(target, Operation::Exists, async {
        match store.exists(&probe).await {
            Err(error) if error.kind() == ErrorKind::Unavailable => Err(CliError::Store {
                url: target.shown(),
                error,
            }),
            _ => Ok(()),
        }
    })
    .await?;
    Ok(store)
}
