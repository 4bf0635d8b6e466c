//! Many processes, one store: two `session-demo` processes, A and B, on two
//! ports over one shared store. A login on A is used on B; a request to A
//! that has loaded the session is held before its body while B logs out,
//! then its save is answered 400 and writes nothing (rule L1); both refuse
//! the old cookie and the store has no record under the old key.
//!
//! No sleeps and no test-only code: the held request sends
//! `Expect: 100-continue`, and `POST /mine/notes` reads the user before the
//! body, so A's `100 Continue` says the session is loaded.
//!
//! One test per shared backend: file, SQLite, PostgreSQL (a table of its
//! own), Redis and Redis Cluster (a prefix of their own). The server ones
//! skip with one line without `SESSION_TEST_POSTGRES_URL`,
//! `SESSION_TEST_REDIS_URL`, `SESSION_TEST_REDIS_CLUSTER_URLS`, or fail when
//! `SESSION_TEST_REQUIRE` names `postgres`, `redis`, `redis-cluster`.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{LIMIT, SECRET, bare, private_tempdir, set_cookie_value, text, within};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use session_backend_db::testing::DbHarness;
use session_backend_redis::testing::{CLUSTER_URLS_VAR, REDIS_URL_VAR, RedisHarness};
use session_conformance::{Ctx, Harness};
use session_core::SessionKey;
use session_stores::Options;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// What the demo prints once it listens.
const LISTENING: &str = "session-demo listening on http://";

/// A running `session-demo` process; killed when dropped.
struct Process {
    child: Child,
    addr: SocketAddr,
}

impl Process {
    /// Starts the demo on an ephemeral port over `store` and waits (at most
    /// [`LIMIT`]) for the line saying where it listens. Its output goes to
    /// the test's, prefixed with `name`.
    async fn spawn(name: &'static str, store: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_session-demo"))
            .args(["--listen", "127.0.0.1:0", "--store", store])
            .env("SESSION_SECRET_KEY", SECRET)
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting session-demo");
        let (tx, rx) = oneshot::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix(LISTENING)
                    && let Some(tx) = tx.take()
                {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(addr.to_owned());
                }
                eprintln!("[{name}] {line}");
            }
        });
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[{name}] {line}");
            }
        });
        let mut process = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        match tokio::time::timeout(LIMIT, rx).await {
            Ok(Ok(addr)) => process.addr = addr.parse().expect("the address it printed"),
            Ok(Err(_)) => panic!(
                "{name} exited before listening ({:?}); its output is above",
                process.child.wait()
            ),
            Err(_) => panic!("{name} did not listen within {LIMIT:?}"),
        }
        process
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw HTTP/1.1 answer.
struct Answer {
    status: u16,
    head: String,
}

impl Answer {
    fn sets_session_cookie(&self) -> bool {
        self.head.lines().any(|line| {
            line.to_ascii_lowercase()
                .starts_with("set-cookie: sessionid=")
        })
    }
}

/// Reads one response head (status line and headers).
async fn read_head(reader: &mut tokio::io::BufReader<TcpStream>) -> Answer {
    let mut head = String::new();
    loop {
        let before = head.len();
        let read = reader.read_line(&mut head).await.expect("reading a head");
        if read == 0 || head[before..].trim_end().is_empty() {
            break;
        }
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head:?}"));
    Answer { status, head }
}

/// `POST /mine/notes` to a process, held between its head and its body: the
/// process has loaded the session and waits for the note.
struct HeldNote {
    reader: tokio::io::BufReader<TcpStream>,
    note: &'static str,
}

impl HeldNote {
    /// Sends the head with `Expect: 100-continue` and waits for the
    /// `100 Continue` that says the session is loaded.
    async fn start(process: &Process, cookie: &str, note: &'static str) -> Self {
        let mut stream = TcpStream::connect(process.addr).await.expect("connecting");
        let head = format!(
            "POST /mine/notes HTTP/1.1\r\nHost: {}\r\nCookie: sessionid={cookie}\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
             Expect: 100-continue\r\nConnection: close\r\n\r\n",
            process.addr,
            note.len()
        );
        stream.write_all(head.as_bytes()).await.expect("sending");
        let mut reader = tokio::io::BufReader::new(stream);
        let interim = within("the 100 Continue", read_head(&mut reader)).await;
        assert_eq!(
            interim.status, 100,
            "the request must wait for its body with the session loaded; it answered {}",
            interim.head
        );
        Self { reader, note }
    }

    /// Sends the body and reads the final answer.
    async fn finish(mut self) -> Answer {
        let stream = self.reader.get_mut();
        stream.write_all(self.note.as_bytes()).await.expect("body");
        within("the held request's answer", read_head(&mut self.reader)).await
    }
}

/// The scenario of the issue, on two processes over the store `url`.
async fn two_processes_one_store(url: &str) {
    let a = Process::spawn("A", url).await;
    let b = Process::spawn("B", url).await;
    let client = bare();

    let login = client
        .post(a.url("/login"))
        .form(&[("username", "alice")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FOUND);
    let cookie = set_cookie_value(&login, "sessionid").expect("A sets the session cookie");
    let with_cookie = format!("sessionid={cookie}");
    let get = |p: &Process, path: &str| {
        client
            .get(p.url(path))
            .header(COOKIE, with_cookie.clone())
            .send()
    };

    // B knows the user A logged in, and what B writes A reads.
    let mine = get(&b, "/mine").await.unwrap();
    assert_eq!(
        text(mine).await,
        (StatusCode::OK, "Welcome, alice".to_owned())
    );
    let note = client
        .post(b.url("/mine/notes"))
        .header(COOKIE, with_cookie.clone())
        .body("from B")
        .send()
        .await
        .unwrap();
    assert_eq!(
        text(note).await,
        (StatusCode::OK, "alice has 1 notes".to_owned())
    );
    let notes = get(&a, "/session/get?key=notes").await.unwrap();
    assert_eq!(
        text(notes).await.1,
        r#"The value of notes in session is ["from B"]"#
    );

    // A has loaded the session and waits for its body; B logs out.
    let held = HeldNote::start(&a, &cookie, "from A").await;
    let logout = client
        .post(b.url("/logout"))
        .header(COOKIE, with_cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(
        set_cookie_value(&logout, "sessionid").as_deref(),
        Some("\"\""),
        "B's logout deletes the browser's cookie"
    );
    let answer = held.finish().await;
    assert_eq!(
        answer.status, 400,
        "A's save after B's logout is interrupted: {}",
        answer.head
    );
    assert!(!answer.sets_session_cookie(), "{}", answer.head);

    // Nothing was resurrected: the store has no record under the old key...
    let store = session_stores::open_with(url, &Options::new().with_secret_key(SECRET))
        .await
        .unwrap();
    let key = SessionKey::parse(&cookie).unwrap();
    assert!(
        store.load(&key).await.unwrap().is_none(),
        "no record under the logged-out key"
    );
    // ... and both processes refuse the old cookie.
    for process in [&a, &b] {
        let mine = get(process, "/mine").await.unwrap();
        assert_eq!(
            mine.status(),
            StatusCode::FOUND,
            "the old cookie is refused"
        );
        assert_eq!(mine.headers()[LOCATION], "/login?next=/mine");
    }
}

/// The URL in `var`, or `None` after one line saying why the test skips;
/// a failure instead when `SESSION_TEST_REQUIRE` names `backend`.
fn server_url(var: &str, backend: &str) -> Option<String> {
    let url = session_conformance::env_url(var);
    if url.is_none() {
        assert!(
            !session_conformance::required(backend),
            "{var} is not set and SESSION_TEST_REQUIRE names {backend}"
        );
        println!("skipped: two processes on {backend}: {var} is not set");
    }
    url
}

/// `url` with the query parameter `name=value` added.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let mut encoded = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{url}{sep}{name}={encoded}")
}

/// Drops what a harness made for `ctx` (a table, a key prefix) when the
/// test ends, passed or failed.
struct Cleanup<H: Harness + Send + 'static> {
    harness: Option<H>,
    ctx: Ctx,
}

impl<H: Harness + Send + 'static> Drop for Cleanup<H> {
    fn drop(&mut self) {
        let (Some(harness), ctx) = (self.harness.take(), self.ctx.clone()) else {
            return;
        };
        // Async work in a drop: on a thread of its own, with its own runtime.
        let done = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(harness.cleanup(&ctx));
        })
        .join();
        if done.is_err() && !std::thread::panicking() {
            panic!("cleaning up failed");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file() {
    let dir = private_tempdir();
    two_processes_one_store(&format!("file://{}", dir.path().display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let dir = private_tempdir();
    let path = dir.path().join("sessions.sqlite3");
    two_processes_one_store(&format!("sqlite://{}", path.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let Some(url) = server_url("SESSION_TEST_POSTGRES_URL", "postgres") else {
        return;
    };
    let harness = DbHarness::postgres();
    let ctx = Ctx::new();
    let url = with_param(&url, "table", &harness.table(&ctx));
    let _cleanup = Cleanup {
        harness: Some(harness),
        ctx,
    };
    two_processes_one_store(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis() {
    let Some(url) = server_url(REDIS_URL_VAR, "redis") else {
        return;
    };
    let harness = RedisHarness::default();
    let ctx = Ctx::new();
    let config = harness.config(&ctx).expect("the URL is set");
    let url = with_param(&url, "prefix", config.prefix());
    let _cleanup = Cleanup {
        harness: Some(harness),
        ctx,
    };
    two_processes_one_store(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_cluster() {
    let Some(nodes) = server_url(CLUSTER_URLS_VAR, "redis-cluster") else {
        return;
    };
    let harness = RedisHarness::cluster();
    let ctx = Ctx::new();
    let config = harness.config(&ctx).expect("the URLs are set");
    let url = with_param(
        &session_backend_redis::testing::cluster_url(&nodes),
        "prefix",
        config.prefix(),
    );
    let _cleanup = Cleanup {
        harness: Some(harness),
        ctx,
    };
    two_processes_one_store(&url).await;
}

#[test]
fn params_are_added_encoded() {
    assert_eq!(
        with_param("redis://h:1/", "prefix", "a b:"),
        "redis://h:1/?prefix=a%20b%3A"
    );
}
