//! Shared helpers of the demo's end-to-end tests.
#![allow(dead_code, unreachable_pub)]

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::SET_COOKIE;
use reqwest::{Client, StatusCode, redirect};
use session_conformance::ProbeStore;
use session_core::SessionStore;
use session_demo::{DemoOptions, app, start};
use session_stores::Options;

pub const SECRET: &str = "an-end-to-end-test-secret-key-of-some-length";

/// How long a test waits for something that should happen at once (a
/// request's answer, a held save starting). A safety net so that a bug fails
/// the test with a message instead of hanging CI; no test sleeps.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Awaits `f`, failing the test if it takes longer than [`LIMIT`].
pub async fn within<F: IntoFuture>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .unwrap_or_else(|_| panic!("timed out after {LIMIT:?} waiting for {what}"))
}

/// The store wrapper the tests watch: counts calls, can hold a save.
pub type Probe = ProbeStore<dyn SessionStore>;

/// A running demo.
pub struct Demo {
    base: String,
    pub probe: Arc<Probe>,
    _dir: Option<tempfile::TempDir>,
}

impl Demo {
    pub async fn start(backend: &str) -> Self {
        let dir = (backend == "file").then(private_tempdir);
        let url = match &dir {
            Some(dir) => format!("file://{}", dir.path().display()),
            None => backend.to_owned(),
        };
        let store = session_stores::open_with(&url, &Options::new().with_secret_key(SECRET))
            .await
            .unwrap();
        let probe = Probe::new(store);
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let app = app(probe.clone(), &DemoOptions::new(SECRET)).unwrap();
        let (local, _task) = start(addr, app).await.unwrap();
        Self {
            base: format!("http://{local}"),
            probe,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn server_side(&self) -> bool {
        self.probe.capabilities().server_side
    }
}

/// A temporary directory only this user can use (mode 0700), as the file
/// store requires of a session directory.
pub fn private_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    dir
}

/// A browser: keeps cookies, does not follow redirects, gives up on a
/// request after [`LIMIT`].
pub fn browser() -> Client {
    Client::builder()
        .timeout(LIMIT)
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client without a cookie jar; gives up on a request after [`LIMIT`].
pub fn bare() -> Client {
    Client::builder()
        .timeout(LIMIT)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn text(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The value of cookie `name` among a response's Set-Cookie headers.
pub fn set_cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}
