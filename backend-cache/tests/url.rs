//! `CacheConfig::from_url`: what a cache URL may say, and the typed reason
//! for each refusal.

use session_backend_cache::{CacheConfig, CacheUrlError, SCHEMES};
use session_core::SessionStore;

#[test]
fn reads_the_bound_and_every_scheme() {
    for scheme in SCHEMES {
        for url in [
            format!("{scheme}://"),
            format!("{scheme}:"),
            (*scheme).to_owned(),
        ] {
            let store = CacheConfig::from_url(&url).unwrap().build().unwrap();
            assert_eq!(store.name(), session_backend_cache::NAME, "{url}");
        }
    }
    let store: CacheConfig = "CACHE://?max_bytes=1%30%32%34".parse().unwrap();
    assert_eq!(store.build().unwrap().max_bytes(), 1024, "percent-decoded");
}

#[test]
fn refusals_are_typed() {
    let err = |url: &str| CacheConfig::from_url(url).unwrap_err();
    assert!(matches!(err("redis://"), CacheUrlError::Scheme(s) if s == "redis"));
    assert!(matches!(err("cache://host"), CacheUrlError::Location));
    assert!(matches!(err("cache:///path"), CacheUrlError::Location));
    assert!(matches!(err("cache://u:p@h"), CacheUrlError::Location));
    assert!(matches!(err("cache://#top"), CacheUrlError::Location));
    assert!(matches!(err("cache://?size=1"), CacheUrlError::UnknownParameter(p) if p == "size"));
    assert!(matches!(
        err("cache://?max_bytes=1&max_bytes=1"),
        CacheUrlError::Repeated(_)
    ));
    assert!(
        matches!(err("cache://?max_bytes=1e6"), CacheUrlError::MaxBytes { value, .. } if value == "1e6")
    );
    assert!(!err("cache://u:secret@h").to_string().contains("secret"));
}
