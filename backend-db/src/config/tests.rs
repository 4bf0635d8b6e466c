//! The URL forms of [`DbConfig::from_url`].

use super::*;
use crate::error::DbUrlError;

#[test]
fn sqlite_urls() {
    let c = DbConfig::from_url("sqlite:///tmp/a%20b.db?table=s&pool_size=2", None).unwrap();
    assert_eq!(c.target, Target::SqliteFile(PathBuf::from("/tmp/a b.db")));
    assert_eq!((c.table.as_str(), c.pool_size), ("s", 2));
    let c = DbConfig::from_url("sqlite://data/s.db", None).unwrap();
    assert_eq!(c.target, Target::SqliteFile(PathBuf::from("data/s.db")));
    let c = DbConfig::from_url("sqlite::memory:", None).unwrap();
    assert_eq!(c.target, Target::SqliteMemory);
    assert!(matches!(
        DbConfig::from_url("sqlite::memory:?x=1", None),
        Err(DbUrlError::UnknownParameter(_))
    ));
    assert!(matches!(
        DbConfig::from_url("sqlite::memory:?table=a&table=b", None),
        Err(DbUrlError::Repeated(_))
    ));
    assert!(matches!(
        DbConfig::from_url("sqlite::memory:?codec=django", None),
        Err(DbUrlError::MissingSecret)
    ));
    assert!(matches!(
        DbConfig::from_url("sqlite:relative", None),
        Err(DbUrlError::SqlitePath)
    ));
    assert!(matches!(
        DbConfig::from_url("redis://x", None),
        Err(DbUrlError::Scheme(_))
    ));
}

#[cfg(all(feature = "postgres", feature = "mysql"))]
#[test]
fn server_urls_lose_this_crates_parameters_and_keep_sqlx_ones() {
    let c = DbConfig::from_url(
        "mariadb://u:p@h:3306/db?table=t&timeout_ms=10&ssl-mode=disabled",
        None,
    )
    .unwrap();
    assert_eq!(
        c.server_url(),
        Some("mysql://u:p@h:3306/db?ssl-mode=disabled")
    );
    assert_eq!(c.table(), "t");
    let c = DbConfig::from_url("postgresql://u@h/db?pool_size=2", None).unwrap();
    assert_eq!(c.server_url(), Some("postgres://u@h/db"));
    assert_eq!(DbConfig::sqlite_memory().server_url(), None);
}
