//! [`backends`]: the backends this build of the catalog opens, and the
//! project's other backends, which it recognises but cannot open.

use std::sync::OnceLock;

use crate::memory;

/// Where a backend keeps its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BackendKind {
    /// In this process, on this machine's disk, or in the cookie itself:
    /// nothing to start before opening it.
    Embedded,
    /// On a server (a database, Redis) that must be running and reachable.
    Server,
}

/// One backend of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendInfo {
    /// Its name, as its stores' `SessionStore::name` gives it.
    pub name: &'static str,
    /// The URL schemes it answers to; the first is the canonical one.
    pub schemes: &'static [&'static str],
    /// The URL forms users type, as messages list them (`sqlite://`,
    /// `postgres://`); aliases such as `moka://` are left out.
    pub forms: &'static [&'static str],
    /// What it is, in one line.
    pub description: &'static str,
    /// Embedded or on a server.
    pub kind: BackendKind,
}

/// The backends built into this catalog, in the order they are listed to
/// users: the reference store first, then one per enabled Cargo feature.
// Without any backend feature, nothing is pushed.
#[cfg_attr(
    not(any(
        feature = "cache",
        feature = "cached-db",
        feature = "db",
        feature = "file",
        feature = "redis",
        feature = "signed-cookie"
    )),
    allow(unused_mut)
)]
pub fn backends() -> &'static [BackendInfo] {
    static LIST: OnceLock<Vec<BackendInfo>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list = vec![BackendInfo {
            name: memory::NAME,
            schemes: memory::SCHEMES,
            forms: &["memory://"],
            description: "session-core's reference store, in this process",
            kind: BackendKind::Embedded,
        }];
        #[cfg(feature = "cache")]
        list.push(BackendInfo {
            name: session_backend_cache::NAME,
            schemes: session_backend_cache::SCHEMES,
            forms: &["cache://"],
            description: "moka, in this process, bounded by bytes: cache://?max_bytes=N",
            kind: BackendKind::Embedded,
        });
        #[cfg(feature = "cached-db")]
        list.push(BackendInfo {
            name: session_backend_cached_db::NAME,
            schemes: session_backend_cached_db::SCHEMES,
            forms: &["cached-db+<URL>"],
            description: "a moka cache in front of another store: cached-db+file:///dir?staleness=5",
            kind: BackendKind::Embedded,
        });
        #[cfg(feature = "db")]
        list.push(BackendInfo {
            name: session_backend_db::NAME,
            schemes: session_backend_db::SCHEMES,
            forms: &["sqlite://", "postgres://", "mysql://"],
            description: "Django's django_session table: sqlite:///path.db, sqlite::memory:, postgres://, mysql://",
            kind: BackendKind::Embedded,
        });
        #[cfg(feature = "file")]
        list.push(BackendInfo {
            name: session_backend_file::NAME,
            schemes: session_backend_file::SCHEMES,
            forms: &["file://"],
            description: "one file per session in a private directory: file:///dir?codec=django",
            kind: BackendKind::Embedded,
        });
        #[cfg(feature = "redis")]
        list.push(BackendInfo {
            name: session_backend_redis::NAME,
            schemes: session_backend_redis::SCHEMES,
            forms: &["redis://", "redis+cluster://"],
            description: "Redis or Redis Cluster: redis://host:6379/0?prefix=app:, redis+cluster://h1:7000,h2:7000/",
            kind: BackendKind::Server,
        });
        #[cfg(feature = "signed-cookie")]
        list.push(BackendInfo {
            name: session_backend_signed_cookie::NAME,
            schemes: session_backend_signed_cookie::SCHEMES,
            forms: &["signed-cookie://"],
            description: "the data is the signed cookie: signed-cookie://?format=encrypted",
            kind: BackendKind::Embedded,
        });
        list
    })
}

/// Every scheme of the project's backends, built in or not: the planned
/// ones (db, Redis) and the ones whose Cargo feature may be off.
/// A test checks that each built-in backend's schemes are here.
pub(crate) const RECOGNISED: &[&str] = &[
    "memory",
    "mem",
    "cache",
    "moka",
    "file",
    "signed-cookie",
    "signed_cookie",
    "signed_cookies",
    "signed-cookies",
    "sqlite",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "rediss",
    "redis+cluster",
    "rediss+cluster",
    "cached-db",
    "cached_db",
];

/// The schemes of cached-db, written `cached-db+<URL>`: the catalog reads
/// the part before the `+` as the scheme.
pub(crate) const CACHED_DB: &[&str] = &["cached-db", "cached_db"];

/// The built-in backend answering to `scheme` (lower case).
pub(crate) fn find(scheme: &str) -> Option<&'static BackendInfo> {
    backends()
        .iter()
        .find(|info| info.schemes.contains(&scheme))
}

/// The built-in backends' URL forms, for messages: `memory://, cache://, ...`.
pub(crate) fn available() -> String {
    let forms: Vec<&str> = backends()
        .iter()
        .flat_map(|info| info.forms.iter().copied())
        .collect();
    forms.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "cached-db")]
    #[test]
    fn the_cached_db_prefixes_are_the_backends_schemes() {
        assert_eq!(CACHED_DB, session_backend_cached_db::SCHEMES);
    }

    /// A build without a backend still answers "not built" for its schemes.
    #[test]
    fn every_built_in_scheme_is_recognised() {
        for info in backends() {
            for scheme in info.schemes {
                assert!(RECOGNISED.contains(scheme), "{scheme}");
            }
        }
    }
}
