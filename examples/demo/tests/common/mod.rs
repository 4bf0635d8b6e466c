//! Shared helpers of the demo's end-to-end tests.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use reqwest::header::SET_COOKIE;
use reqwest::{Client, StatusCode, redirect};
use session_core::{Capabilities, Record, Result, SessionKey, SessionStore, SharedClock};
use session_demo::store_url::{StoreOptions, StoreUrl};
use session_demo::{DemoOptions, app, start};
use tokio::sync::Notify;

pub const SECRET: &str = "an-end-to-end-test-secret-key-of-some-length";

/// A store wrapper that counts every call and can hold one `save` until
/// released (to interleave two requests deterministically).
#[derive(Debug)]
pub struct Probe {
    pub inner: Arc<dyn SessionStore>,
    calls: AtomicUsize,
    pub hold_next_save: AtomicBool,
    pub save_waiting: Notify,
    pub release_save: Notify,
}

impl Probe {
    pub fn new(inner: Arc<dyn SessionStore>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            calls: AtomicUsize::new(0),
            hold_next_save: AtomicBool::new(false),
            save_waiting: Notify::new(),
            release_save: Notify::new(),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl SessionStore for Probe {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn clock(&self) -> &SharedClock {
        self.inner.clock()
    }
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        self.tick();
        self.inner.load(key).await
    }
    async fn create(&self, record: &Record) -> Result<SessionKey> {
        self.tick();
        self.inner.create(record).await
    }
    async fn save(&self, key: &SessionKey, record: &Record) -> Result<SessionKey> {
        self.tick();
        if self.hold_next_save.swap(false, Ordering::SeqCst) {
            self.save_waiting.notify_one();
            self.release_save.notified().await;
        }
        self.inner.save(key, record).await
    }
    async fn exists(&self, key: &SessionKey) -> Result<bool> {
        self.tick();
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &SessionKey) -> Result<()> {
        self.tick();
        self.inner.delete(key).await
    }
    async fn clear_expired(&self) -> Result<u64> {
        self.tick();
        self.inner.clear_expired().await
    }
}

/// A running demo.
pub struct Demo {
    base: String,
    pub probe: Arc<Probe>,
    _dir: Option<tempfile::TempDir>,
}

impl Demo {
    pub async fn start(backend: &str) -> Self {
        let dir = (backend == "file").then(|| tempfile::tempdir().unwrap());
        let url = match &dir {
            Some(dir) => format!("file://{}", dir.path().display()),
            None => backend.to_owned(),
        };
        let store = url
            .parse::<StoreUrl>()
            .unwrap()
            .open(&StoreOptions::new(SECRET))
            .unwrap();
        let probe = Probe::new(store);
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let (local, _task) = start(addr, app(probe.clone(), &DemoOptions::new(SECRET)))
            .await
            .unwrap();
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

/// A browser: keeps cookies, does not follow redirects.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client without a cookie jar.
pub fn bare() -> Client {
    Client::builder()
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
