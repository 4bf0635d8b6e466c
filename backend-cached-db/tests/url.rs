//! `CachedDbConfig::from_url`: this backend's parameters come out of the
//! query, the durable store's URL is left exactly as written, and each
//! refusal has its typed reason.

use std::time::Duration;

use session_backend_cached_db::{
    CachedDbConfig, CachedDbUrl, CachedDbUrlError, DEFAULT_STALENESS, SCHEMES,
};

fn read(url: &str) -> CachedDbUrl {
    CachedDbConfig::from_url(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn splits_off_the_durable_url_for_every_scheme() {
    for scheme in SCHEMES {
        let url = read(&format!("{scheme}+file:///var/sessions"));
        assert_eq!(url.durable, "file:///var/sessions");
        assert_eq!(url.config, CachedDbConfig::new());
        assert_eq!(url.config.staleness(), DEFAULT_STALENESS);
    }
    assert_eq!(read("CACHED-DB+memory").durable, "memory");
    assert_eq!(read("cached-db+sqlite::memory:").durable, "sqlite::memory:");
}

#[test]
fn takes_its_own_parameters_and_leaves_the_others_as_written() {
    let url = read(
        "cached-db+postgres://u:p%40ss@h/db?sslmode=require&staleness=2.5&table=my%20sessions&cache_max_bytes=1%30#x",
    );
    assert_eq!(
        url.durable,
        "postgres://u:p%40ss@h/db?sslmode=require&table=my%20sessions#x"
    );
    assert_eq!(url.config.staleness(), Duration::from_millis(2500));
    assert_eq!(url.config.cache_max_bytes(), Some(10), "percent-decoded");

    let url: CachedDbUrl = "cached-db+file:///d?staleness=1".parse().unwrap();
    assert_eq!(url.durable, "file:///d", "no empty query left behind");
    assert_eq!(url.config.staleness(), Duration::from_secs(1));
}

#[test]
fn refusals_are_typed() {
    let err = |url: &str| CachedDbConfig::from_url(url).unwrap_err();
    assert!(matches!(err("redis+file:///d"), CachedDbUrlError::Scheme(s) if s == "redis"));
    assert!(matches!(err("file:///d"), CachedDbUrlError::Scheme(s) if s == "file"));
    assert!(matches!(
        err("cached-db://"),
        CachedDbUrlError::MissingInner
    ));
    assert!(matches!(err("cached-db"), CachedDbUrlError::MissingInner));
    assert!(matches!(err("cached-db+"), CachedDbUrlError::MissingInner));
    assert!(matches!(
        err("cached-db+://x"),
        CachedDbUrlError::MissingInner
    ));
    assert!(matches!(
        err("cached-db+cached_db+memory"),
        CachedDbUrlError::Nested
    ));
    assert!(
        matches!(err("cached-db+memory://?staleness=soon"), CachedDbUrlError::Staleness(v) if v == "soon")
    );
    assert!(matches!(
        err("cached-db+memory://?staleness=-1"),
        CachedDbUrlError::Staleness(_)
    ));
    assert!(matches!(
        err("cached-db+memory://?staleness=1&staleness=2"),
        CachedDbUrlError::Repeated(p) if p == "staleness"
    ));
    assert!(matches!(
        err("cached-db+memory://?cache_max_bytes=1e6"),
        CachedDbUrlError::CacheMaxBytes { value, .. } if value == "1e6"
    ));
    let shown = err("cached-db+postgres://u:hunter2@h/db?staleness=x").to_string();
    assert!(!shown.contains("hunter2"), "{shown}");
}
