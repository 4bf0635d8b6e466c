//! The catalog on every scheme it knows: the right backend opens, invalid
//! URLs are refused with their typed reason, credentials never show, and
//! the conformance suite runs from a URL.

use std::path::Path;

use session_core::{Clock, Config, MockClock, Record, SessionStore};
use session_stores::{
    BackendKind, OpenError, Options, UrlError, backends, harness, open_with, redact,
};

const SECRET: &str = "a-catalog-test-secret-key-of-some-length";

fn options() -> Options {
    Options::new().with_secret_key(SECRET)
}

/// A fresh directory only this user can use, as the file store requires.
fn private_tempdir(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    dir
}

fn file_url(dir: &Path) -> String {
    url::Url::from_directory_path(dir).unwrap().to_string()
}

async fn refused(url: &str, options: &Options) -> OpenError {
    match open_with(url, options).await {
        Ok(store) => panic!("{url} opened {}", store.name()),
        Err(e) => e,
    }
}

#[tokio::test]
async fn every_scheme_and_alias_opens_its_backend() {
    let dir = private_tempdir("catalog");
    let names: Vec<&str> = backends().iter().map(|b| b.name).collect();
    assert_eq!(
        names,
        [
            "memory",
            "cache",
            "cached-db",
            "db",
            "file",
            "redis",
            "signed-cookie"
        ]
    );
    for info in backends() {
        let server = info.name == "redis";
        assert_eq!(info.kind == BackendKind::Server, server, "{}", info.name);
        assert!(!info.description.is_empty());
        for scheme in info.schemes {
            let mut urls = if *scheme == "sqlite" {
                let db = dir.path().join("sessions.sqlite3");
                vec![
                    format!("{scheme}::memory:"),
                    format!("{scheme}://{}", db.display()),
                ]
            } else if scheme.starts_with("rediss") {
                // TLS is a feature of the redis backend this build leaves off.
                let e = refused(&format!("{scheme}://127.0.0.1:9/"), &options()).await;
                assert!(e.to_string().contains("TLS is not compiled in"), "{e}");
                continue;
            } else if *scheme == "redis+cluster" {
                // Connects on first use: opening needs no server.
                vec![format!("{scheme}://127.0.0.1:9,127.0.0.1:10/?prefix=p:")]
            } else if info.name == "redis" {
                vec![format!(
                    "{scheme}://u:p@127.0.0.1:9/2?prefix=p:&timeout_ms=100"
                )]
            } else if info.name == "db" {
                // A server engine connects on first use: opening needs no server.
                vec![format!("{scheme}://u:p@127.0.0.1:9/sessions?table=s")]
            } else {
                vec![
                    format!("{scheme}://"),
                    format!("{scheme}:"),
                    (*scheme).to_owned(),
                ]
            };
            if info.name == "file" {
                urls.push(file_url(dir.path()));
                urls.push(format!("FILE://{}", dir.path().display()));
            }
            if info.name == "cached-db" {
                urls = vec![
                    format!("{scheme}+memory://"),
                    format!("{scheme}+mem"),
                    format!("{scheme}+{}", file_url(dir.path())),
                    format!("{}+cache://", scheme.to_ascii_uppercase()),
                    // Redis as the tier (connects on first use).
                    format!("{scheme}+memory://?staleness=2&cache=redis://127.0.0.1:9/"),
                    format!(
                        "{scheme}+memory://?cache=redis%3A%2F%2F127.0.0.1%3A9%2F%3Fprefix%3Dc%3A"
                    ),
                ];
            }
            for url in urls {
                let store = open_with(&url, &options())
                    .await
                    .unwrap_or_else(|e| panic!("{url}: {e}"));
                assert_eq!(store.name(), info.name, "{url}");
            }
        }
    }
    let store = open_with("cache://?max_bytes=1048576", &options())
        .await
        .unwrap();
    assert_eq!(store.name(), "cache");
    let store = open_with("signed-cookie://?format=encrypted", &options())
        .await
        .unwrap();
    assert_eq!(store.name(), "signed-cookie");
    let store = open_with("Signed_Cookies://?format=django", &options())
        .await
        .unwrap();
    assert_eq!(store.name(), "signed-cookie");
}

/// The file URL's path is percent-decoded, and `codec=django` writes
/// Django's signed format into that directory.
#[tokio::test]
async fn file_urls_are_percent_decoded_and_take_the_codec() {
    let parent = private_tempdir("catalog");
    let dir = parent.path().join("my sessions");
    std::fs::create_dir(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let url = format!("{}?codec=django", file_url(&dir));
    assert!(url.contains("my%20sessions"), "{url}");
    let clock = MockClock::at_unix(1_700_000_000);
    let options = options()
        .with_config(Config::default().with_cookie_name("sid"))
        .with_clock(clock.shared());
    let store = open_with(&url, &options).await.unwrap();
    let data = session_core::serde_json::json!({"a": 1});
    let record = Record::new(
        data.as_object().unwrap().clone(),
        clock.now() + session_core::time::Duration::hours(1),
    );
    let key = store.create(&record).await.unwrap();
    let written = std::fs::read_to_string(dir.join(format!("sid{}", key.as_str()))).unwrap();
    assert!(written.contains(':'), "Django's signed format: {written}");
    assert_eq!(store.load(&key).await.unwrap().unwrap().data, record.data);
}

#[tokio::test]
async fn unknown_schemes_are_refused_with_the_url_forms() {
    let e = refused("gopher://x", &options()).await;
    assert!(matches!(&e, OpenError::UnknownScheme { scheme, .. } if scheme == "gopher"));
    assert!(
        e.to_string()
            .starts_with("gopher://x: unknown session backend `gopher` (available: memory://, cache://, cached-db+<URL>, sqlite://, postgres://, mysql://, file://, redis://, redis+cluster://, signed-cookie://)"),
        "{e}"
    );
    // A backend's name is not a scheme: the message lists the URL forms.
    for url in ["db://127.0.0.1", "cached-db+db://127.0.0.1"] {
        let e = refused(url, &options()).await;
        assert!(
            matches!(&e, OpenError::UnknownScheme { scheme, .. } if scheme == "db"),
            "{url}: {e:?}"
        );
        assert!(e.to_string().contains("sqlite://, postgres://"), "{e}");
        assert!(e.to_string().starts_with(url), "the whole URL: {e}");
    }
}

#[tokio::test]
async fn invalid_urls_name_their_problem() {
    let dir = private_tempdir("catalog");
    let file = file_url(dir.path());
    let cases: Vec<(String, &str)> = vec![
        (
            "cache://?max_bytes=lots".into(),
            "`lots` is not a whole number of bytes",
        ),
        ("cache://?max_bytes=-1".into(), "max_bytes"),
        ("cache://?colour=red".into(), "unknown parameter `colour`"),
        ("cache://?max_bytes=1&max_bytes=2".into(), "given twice"),
        ("cache://somewhere".into(), "take no host"),
        ("cache:///a/path".into(), "take no host"),
        ("memory://somewhere".into(), "take no host"),
        ("memory:///x".into(), "take no host"),
        ("memory://?size=1".into(), "unknown parameter `size`"),
        ("signed-cookie://host".into(), "take no host"),
        (
            "signed-cookie://?format=xml".into(),
            "`xml` is not django or encrypted",
        ),
        (
            "signed-cookie://?max_age=5".into(),
            "unknown parameter `max_age`",
        ),
        (format!("{file}?codec=xml"), "`xml` is not json or django"),
        (format!("{file}?fsync=off"), "unknown parameter `fsync`"),
        (format!("{file}?codec=json&codec=json"), "given twice"),
        ("file:relative/dir".into(), "relative"),
        ("file://relative/dir".into(), "host"),
        ("file:///tmp/x#frag".into(), "fragment"),
        ("redis://h?colour=red".into(), "unknown parameter `colour`"),
        ("redis+cluster://h:1/3".into(), "a cluster URL has none"),
        (
            "cached-db+memory://?cache=redis://h/&cache=redis://g/".into(),
            "parameter `cache` is given twice",
        ),
        (
            "cached-db+memory://?cache=memory://".into(),
            "`memory` is not a scheme of the redis backend",
        ),
        ("cached-db://".into(), "needs the durable store's URL"),
        ("cached-db+".into(), "needs the durable store's URL"),
        (
            "cached-db+cached-db+memory".into(),
            "cannot be cached-db again",
        ),
        (
            "cached-db+memory://?staleness=soon".into(),
            "`soon` is not a number of seconds",
        ),
        (
            "cached-db+memory://?colour=red".into(),
            "unknown parameter `colour`",
        ),
        (
            "cached-db+cache://?max_bytes=lots".into(),
            "`lots` is not a whole number of bytes",
        ),
        (
            format!("cached-db+{file}?codec=xml"),
            "`xml` is not json or django",
        ),
    ];
    for (url, expected) in cases {
        let e = refused(&url, &options()).await;
        assert!(matches!(e, OpenError::Url { .. }), "{url}: {e:?}");
        let shown = e.to_string();
        assert!(shown.contains(expected), "{url}: {shown}");
        assert!(shown.starts_with(&redact(&url)), "{url}: {shown}");
    }
    match refused("cache://?max_bytes=lots", &options()).await {
        OpenError::Url {
            problem: UrlError::Cache(session_backend_cache::CacheUrlError::MaxBytes { value, .. }),
            ..
        } => assert_eq!(value, "lots"),
        other => panic!("{other:?}"),
    }
}

/// A secret is needed by the signed-cookie store and the Django codec;
/// without one the error says where to put it. A bad setting fails at open.
#[tokio::test]
async fn secrets_and_settings_are_checked_at_open() {
    let dir = private_tempdir("catalog");
    let file = file_url(dir.path());
    for url in [
        "signed-cookie://".to_owned(),
        format!("{file}?codec=django"),
    ] {
        let e = refused(&url, &Options::new()).await;
        assert!(matches!(e, OpenError::MissingSecret { .. }), "{url}: {e:?}");
        assert!(e.to_string().contains("set SESSION_SECRET_KEY"), "{e}");
    }
    let short = Options::new().with_secret_key("short");
    let e = refused("signed-cookie://", &short).await;
    assert!(matches!(e, OpenError::Open { .. }), "{e:?}");
    assert!(
        e.to_string().contains("cannot open the session store"),
        "{e}"
    );
    let e = refused(&format!("{file}?codec=django"), &short).await;
    assert!(e.to_string().contains("secret key"), "{e}");
    let e = refused("cache://?max_bytes=0", &options()).await;
    assert!(matches!(e, OpenError::Open { .. }), "{e:?}");

    // The durable store's needs and refusals quote the whole URL.
    let url = format!("cached-db+{file}?codec=django");
    let e = refused(&url, &Options::new()).await;
    assert!(matches!(e, OpenError::MissingSecret { .. }), "{e:?}");
    assert!(e.to_string().starts_with(&url), "{e}");
    for url in [
        "cached-db+memory://?staleness=0",
        "cached-db+memory://?cache_max_bytes=0",
        "cached-db+signed-cookie://",
    ] {
        let e = refused(url, &options()).await;
        assert!(matches!(e, OpenError::Open { .. }), "{url}: {e:?}");
    }
}

/// `cached-db+file:///dir`: moka in front of that directory; a second store
/// opened from the same URL (another process) reads the files.
#[tokio::test]
async fn cached_db_urls_put_moka_in_front_of_their_durable_store() {
    let dir = private_tempdir("catalog");
    let url = format!(
        "cached-db+{}?staleness=1.5&cache_max_bytes=1048576",
        file_url(dir.path())
    );
    let clock = MockClock::at_unix(1_700_000_000);
    let options = options().with_clock(clock.shared());
    let store = open_with(&url, &options).await.unwrap();
    assert_eq!(store.name(), "cached-db");
    assert!(store.capabilities().durable);
    assert!(
        !store.capabilities().shared_across_processes,
        "a cache per process"
    );
    let data = session_core::serde_json::json!({"a": 1});
    let record = Record::new(
        data.as_object().unwrap().clone(),
        clock.now() + session_core::time::Duration::hours(1),
    );
    let key = store.create(&record).await.unwrap();
    assert!(
        dir.path()
            .join(format!("sessionid{}", key.as_str()))
            .exists()
    );
    let other = open_with(&url, &options).await.unwrap();
    assert_eq!(other.load(&key).await.unwrap().unwrap().data, record.data);
    store.delete(&key).await.unwrap();
    assert!(
        other.load(&key).await.unwrap().is_some(),
        "cached for up to 1.5 s"
    );
    clock.advance(std::time::Duration::from_millis(1500));
    assert!(other.load(&key).await.unwrap().is_none(), "and no longer");
}

#[test]
fn redact_hides_user_info_only() {
    for (url, shown) in [
        ("redis://admin:hunter2@db:6379/0", "redis://***@db:6379/0"),
        ("postgres://u:p%40ss@h/db?x=1", "postgres://***@h/db?x=1"),
        ("mysql:u:pw@h", "mysql:***@h"),
        ("redis://u:a/b+c=@h:1/0", "redis://***@h:1/0"),
        ("redis://h?user=a@b", "redis://h?user=a@b"),
        ("ftp://me:pw@example.org/x", "ftp://***@example.org/x"),
        ("file:///tmp/x@y", "file://***@y"),
        (
            "file:///tmp/sessions?codec=django",
            "file:///tmp/sessions?codec=django",
        ),
        ("", ""),
    ] {
        assert_eq!(redact(url), shown, "{url}");
    }
}

/// Every error quotes its URL redacted, whatever the scheme.
#[tokio::test]
async fn errors_never_show_a_password() {
    for url in [
        "redis://admin:hunter2@db.internal:6379/0?x=1",
        "redis+cluster://admin:hunter2@h:1,h:2/?x=1",
        "cached-db+memory://?cache=redis://admin:hunter2@h:1/?x%3D1",
        "cached-db+memory://?staleness=1&cache=redis%3A%2F%2Fadmin%3Ahunter2%40h%3A1%2F%3Fx%3D1",
        "gopher://admin:hunter2@x",
        "cache://admin:hunter2@x",
        "memory://admin:hunter2@x",
        "signed-cookie://admin:hunter2@x",
        "file://admin:hunter2@x/dir",
        "postgres://admin:hunter2@h/db?sslmode=require&codec=xml",
        "cached-db+postgres://admin:hunter2@h/db?codec=xml",
        "cached-db+redis://admin:hunter2@h?staleness=x",
    ] {
        let shown = refused(url, &options()).await.to_string();
        assert!(
            !shown.contains("hunter2") && !shown.contains("admin"),
            "{shown}"
        );
        assert!(shown.starts_with(&redact(url)), "{shown}");
        assert!(
            shown.contains("***@") || shown.contains("***%40"),
            "{shown}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_runs_from_a_url() {
    for url in [
        "memory://",
        "cache://?max_bytes=16777216",
        "cached-db+memory://?staleness=2",
    ] {
        let harness = harness(url).await.unwrap();
        let report = session_conformance::run(&harness).await;
        assert!(report.is_success(), "{url}: {report}");
        assert!(report.failures().next().is_none());
    }
}
